"""The REST API and the dashboard (``lahar serve``): FastAPI over one store.

:func:`create_app` builds the app; ``docs/web.md`` lists the endpoints. Needs the ``web``
extra: ``pip install 'lahar[web]'`` (FastAPI and uvicorn).
"""

from __future__ import annotations

try:
    import fastapi  # noqa: F401
except ImportError as exc:  # pragma: no cover - the extra is installed in every test run
    msg = "lahar's web app needs FastAPI and uvicorn: pip install 'lahar[web]'"
    raise ImportError(msg) from exc

from lahar.web.app import MAX_DRAWS, SQL_TIMEOUT_S, create_app

__all__ = ["MAX_DRAWS", "SQL_TIMEOUT_S", "create_app"]
