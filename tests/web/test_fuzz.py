"""schemathesis against the app's own OpenAPI schema: no 5xx, answers that match the schema.

Every operation gets schema-valid requests (positive) and schema-breaking ones (negative), a
bounded number each so the run stays well under a minute. Checks: no server error, every
status code and content type documented, bodies that conform to the response schema, bad
requests refused with 4xx; schema-valid requests accepted, except on the two POST endpoints
whose bodies carry meaning the schema cannot state (a scenario's quantities, SQL text).
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis.checks import positive_data_acceptance  # noqa: E402

from lahar.web import create_app  # noqa: E402

EXAMPLES = 40
"""Examples per operation (positive and negative together)."""


@pytest.fixture(scope="module")
def schema(shipped_store):
    # schemathesis calls the ASGI app as host "testserver" (Starlette's test client)
    app = create_app(shipped_store, max_draws=128, max_pending=2, allowed_hosts=["testserver"])
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    app.state.lahar.runs.close()


def _operations():
    # the operations are listed from a throwaway app: pytest needs the names at collection
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        app = create_app(Path(d) / "collect.duckdb")
        spec = app.openapi()
        app.state.lahar.runs.close()
    return [(method.upper(), path) for path, ops in spec["paths"].items() for method in ops]


@pytest.mark.parametrize(("method", "path"), _operations())
def test_no_server_error_and_schema_conformance(schema, method, path):
    op = schema[path][method]
    excluded = [positive_data_acceptance] if method == "POST" else []
    cases = st.one_of(
        op.as_strategy(),
        op.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def fuzz(case):
        response = case.call()
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"
        case.validate_response(response, excluded_checks=excluded)

    fuzz()
