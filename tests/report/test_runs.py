"""Which runs a report shows by default: the latest batch of `lahar run`, not every run of a
process (a dashboard's server records many runs from one process)."""

from __future__ import annotations

import pytest

from lahar.errors import DataError
from lahar.report.runs import latest_batch, resolve_runs
from lahar.scenarios import builtin_scenario, run_scenario
from lahar.store import Store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    st = Store(tmp_path_factory.mktemp("runs") / "s.duckdb")
    st.import_dataset()
    return st


def _run(store: Store, batch: str | None) -> str:
    spec = builtin_scenario("capex_cut")
    return run_scenario(spec, draws=8, store=store, batch=batch).run_id


def test_latest_batch_is_the_newest_label_only(store) -> None:
    with pytest.raises(DataError, match="no finished scenario run"):
        latest_batch(store)
    unlabelled = [_run(store, None), _run(store, None)]  # one process, no label: grouped
    assert latest_batch(store) == unlabelled
    first = [_run(store, "a"), _run(store, "a")]
    assert latest_batch(store) == first  # the label wins over the shared process
    second = [_run(store, "b")]
    assert latest_batch(store) == second
    assert resolve_runs(store, ["latest"]) == second
    assert resolve_runs(store, [first[0][:12], "latest"]) == [first[0], *second]
