"""The REST API and the dashboard: one FastAPI app over one store.

:func:`create_app` reads the store's dataset once (:class:`~lahar.web._data.Dataset`) and
serves it under ``/api/`` as JSON, paged (``limit``/``offset``) and filtered; scenario runs
posted to ``/api/runs`` are queued on one worker thread (:class:`~lahar.web._runs.RunQueue`)
and recorded in the store; ``/`` serves the dashboard (static files of this package, and
plotly.js from the installed plotly package: nothing from another host).

Safety: the API runs no SQL but lahar's own, with bound parameters, except ``POST /api/sql``,
which goes through :func:`lahar.store.sandboxed_query` (read-only, no file or network access,
row and time limits). No parameter names a file: the app reads only its store, the run files
beside it and its package data. Bad input is answered 422 naming the field, unknown ids 404, a
full queue 429, a store that cannot be read now (another process holds it) 503; a ``Host``
other than loopback or the host served 400 (DNS rebinding); every answer carries a
Content-Security-Policy. Every DuckDB connection of the app is taken under one lock, so a
sandboxed query never meets a run's write (hence its short time limit, :data:`SQL_TIMEOUT_S`).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

import duckdb
import pandas as pd
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.middleware.trustedhost import TrustedHostMiddleware

from lahar import __version__
from lahar.data import load_parameters, scenario_table, schema
from lahar.errors import DataError, LaharError, QueryError, StoreError
from lahar.report import LABELS, TITLES, TOPICS, all_tables, display_table, headline_table
from lahar.report.figures import figure_json
from lahar.report.runs import StoredRun, load_run
from lahar.scenarios import (
    HEADLINES,
    Quantity,
    builtin_scenario,
    builtin_scenarios,
    make_context,
    shock_quantities,
    with_quantities,
)
from lahar.scenarios import Scenario as Spec
from lahar.store import Store, sandboxed_query
from lahar.web import _figures as figs
from lahar.web import _models as m
from lahar.web._data import Dataset, cell, records
from lahar.web._figures import DATASET_FIGURES, RUN_FIGURES
from lahar.web._runs import QueueFull, RunQueue, job_summary

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "LOOPBACK_HOSTS",
    "MAX_DRAWS",
    "SQL_TIMEOUT_S",
    "create_app",
]

MAX_DRAWS = 20_000
"""Default limit on the draws of one run posted to the API."""
SQL_TIMEOUT_S = 2.0
"""Time limit of a query posted to ``/api/sql``, in seconds (``lahar sql`` allows 10): the query
holds the app's store lock while it runs (DuckDB refuses the sandbox's read-only connection while
a writable one of the same process is open), so every store-backed request waits for it."""

_STATIC = "static"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
"""Host names the app answers to by default (``Host`` header; others get 400)."""
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'"
)
"""The Content-Security-Policy of every answer: nothing from another host, no inline or eval'd
script, no framing; ``data:`` images (the inline icon, plotly's) and inline styles (plotly.js
adds ``<style>`` elements and ``style`` attributes as it draws) are allowed."""
_KEEP_RUNS = 16
_KEEP_FIGURES = 128
Limit = Query(100, ge=1, le=1000, description="Rows per page (1-1000).")
Offset = Query(0, ge=0, le=10**9, description="Rows to skip.")


class FieldError(LaharError, ValueError):
    """Bad input, answered 422 in FastAPI's validation-error shape (``loc`` names the field)."""

    def __init__(self, loc: Sequence[str | int], message: str) -> None:
        super().__init__(message)
        self.loc = list(loc)


_V = TypeVar("_V")


class _Cache(Generic[_V]):
    """A dict of computed values shared by the server's threads: locked, least recently used out.

    The value is made outside the lock (two threads may both make it; the first kept wins), so
    a slow figure never holds up the other requests.
    """

    def __init__(self, size: int | None = None) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, _V] = OrderedDict()

    def get(self, key: Hashable, make: Callable[[], _V]) -> _V:
        """The value of ``key``, made by ``make()`` when not kept."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            value = self._items.setdefault(key, value)
            while self.size is not None and len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


class _LockedStore(Store):
    """A store whose connections are taken one at a time, under the app's lock.

    DuckDB refuses a read-only (sandbox) connection to a file while a writable one of the same
    process is open, so no two connections of the app may overlap.
    """

    def __init__(self, path: str | Path, lock: threading.RLock) -> None:
        super().__init__(path)
        self.lock = lock

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection, under the app's store lock."""
        with self.lock, super().connect() as con:
            yield con


def _allowed(file: str, name: str) -> tuple[str, ...]:
    return next(f.allowed for f in schema()[file] if f.name == name)


def _enum(file: str, name: str) -> dict[str, Any]:
    """The allowed values of a dataset column, for the OpenAPI schema of a query parameter."""
    return {"enum": list(_allowed(file, name))}


def _choice(value: str | None, allowed: Sequence[str], loc: Sequence[str]) -> str | None:
    if value is not None and value not in allowed:
        raise FieldError(loc, f"expected one of {', '.join(allowed)}; got {value!r}")
    return value


def _page(frame: pd.DataFrame, limit: int, offset: int) -> tuple[int, pd.DataFrame]:
    return len(frame), frame.iloc[offset : offset + limit]


def _not_found(what: str) -> HTTPException:
    return HTTPException(status_code=404, detail=what)


_E404: dict[int | str, dict[str, Any]] = {404: {"model": m.Message, "description": "Unknown id."}}
_E409: dict[int | str, dict[str, Any]] = {
    409: {"model": m.Message, "description": "The run has not finished (or failed)."}
}
_E400: dict[int | str, dict[str, Any]] = {
    400: {"model": m.Message, "description": "The body is not JSON."}
}


class _App:
    """What the routes share: the store, its dataset, the run queue and caches."""

    def __init__(self, store_path: Path, *, max_draws: int, max_pending: int) -> None:
        self.lock = threading.RLock()
        self.store = _LockedStore(store_path, self.lock)
        if self.store.sql("SELECT count(*) AS n FROM entities")["n"].iloc[0] == 0:
            self.store.import_dataset()
        self.data = Dataset.from_store(self.store)
        self.params = load_parameters()
        self.table = scenario_table()  # the table `lahar run` uses
        self.max_draws = max_draws
        self.runs = RunQueue(
            self.store, self.data.network, self.params, self.table, max_pending=max_pending
        )
        self._analytics: _Cache[dict[str, pd.DataFrame]] = _Cache()
        self._scenarios: _Cache[dict[str, m.Scenario]] = _Cache()
        self._dataset_figures: _Cache[dict[str, Any]] = _Cache()
        self._figures: _Cache[dict[str, Any] | None] = _Cache(_KEEP_FIGURES)
        self._stored: _Cache[StoredRun] = _Cache(_KEEP_RUNS)

    # ------------------------------------------------------------------ cached views
    def analytics(self) -> dict[str, pd.DataFrame]:
        return self._analytics.get("all", lambda: all_tables(self.data.network, params=self.params))

    def topic_of(self, table: str) -> str:
        return next((t for t in TOPICS if table.startswith(t + "_")), table.split("_")[0])

    def scenarios(self) -> dict[str, m.Scenario]:
        return self._scenarios.get(
            "all", lambda: {n: self._scenario(builtin_scenario(n)) for n in builtin_scenarios()}
        )

    def _scenario(self, spec: Spec) -> m.Scenario:
        problem = None
        try:
            make_context(spec, self.data.network, self.params, self.table)
        except LaharError as exc:
            problem = str(exc).strip().splitlines()[-1]
        return m.Scenario(
            name=spec.name,
            title=spec.title,
            description=spec.description.strip(),
            draws=spec.draws,
            shocks=[
                m.ShockOut(kind=s.kind, entities=s.entities, kinds=s.kinds) for s in spec.shocks
            ],
            quantities=self.quantities(spec),
            runnable=problem is None,
            problem=problem,
        )

    def quantities(self, spec: Spec) -> list[m.QuantityOut]:
        out = []
        for sq in shock_quantities(spec):
            q = sq.quantity
            value, low, high = q.value, q.low, q.high
            if q.param is not None and q.param in self.params:
                p = self.params[q.param]
                value, low, high = p.value, p.low, p.high
            out.append(
                m.QuantityOut(
                    name=sq.name,
                    shock=sq.shock,
                    kind=spec.shocks[sq.shock].kind,
                    field=sq.field,
                    value=cell(value),
                    low=cell(low),
                    high=cell(high),
                    mode=q.mode,
                    param=q.param,
                    drawn=q.drawn,
                    share=sq.share,
                    source=q.source,
                )
            )
        return out

    def dataset_figure(self, name: str) -> dict[str, Any]:
        def make() -> dict[str, Any]:
            net, analytics = self.data.network, self.analytics()
            return figure_json(figs.dataset_figure(name, net, self.params, analytics))

        return self._dataset_figures.get(name, make)

    def stored_run(self, run_id: str) -> StoredRun:
        """A finished run read back (kept: a finished run never changes)."""
        return self._stored.get(run_id, lambda: load_run(self.store, run_id))

    def run_figure(self, run_id: str, name: str) -> dict[str, Any] | None:
        def make() -> dict[str, Any] | None:
            fig = figs.run_figure(name, self.stored_run(run_id), self.names())
            return None if fig is None else figure_json(fig)

        return self._figures.get((run_id, name), make)

    def names(self) -> dict[str, str]:
        e = self.data.entities
        return dict(zip(e["id"].astype(str), e["name"].astype(str), strict=True))

    # ------------------------------------------------------------------ runs
    def run_rows(self) -> pd.DataFrame:
        return self.store.runs()

    def run_out(self, row: pd.Series) -> dict[str, Any]:
        params = _json(row["params"])
        job = self.runs.job(str(row["run_id"]))
        status = str(row["status"])
        progress = None
        if job is not None and status == "running":
            progress = {"draws_done": job.draws_done, "draws_total": job.draws}
        elif status == "done" and isinstance(params.get("draws"), int):
            progress = {"draws_done": params["draws"], "draws_total": params["draws"]}
        created = row["created_at"]
        return {
            "run_id": str(row["run_id"]),
            "command": str(row["command"]),
            "scenario": params.get("scenario") if str(row["command"]).startswith("run ") else None,
            "status": status,
            "created_at": None if pd.isna(created) else pd.Timestamp(created).isoformat(),
            "elapsed_s": cell(row["elapsed_s"]),
            "seed": cell(row["seed"]),
            "draws": params.get("draws") if isinstance(params.get("draws"), int) else None,
            "spec_hash": cell(row["spec_hash"]),
            "progress": progress,
            "error": job.error if job is not None else None,
        }

    def headline(self, run_id: str) -> list[m.HeadlineRow]:
        long = self.store.results(run_id, "headline")
        if long.empty:
            return []
        long = long.assign(outcome=[json.loads(k)["outcome"] for k in long["key"]])
        wide = long.pivot_table(index="outcome", columns="metric", values="value").reset_index()
        text = headline_table(wide)
        by = wide.set_index("outcome")
        rows = []
        shown = [k for k in LABELS if k in by.index]
        for key, (_, t) in zip(shown, text.iterrows(), strict=True):
            label, unit = LABELS[key]
            r = by.loc[key]
            rows.append(
                m.HeadlineRow(
                    outcome=key,
                    label=label.strip(),
                    unit=unit,
                    mean=cell(r.get("mean")),
                    q05=cell(r.get("q05")),
                    q50=cell(r.get("q50")),
                    q95=cell(r.get("q95")),
                    text=str(t["mean"]),
                    band=str(t["band (5-95 %)"]),
                )
            )
        return rows

    def losers(self, run_id: str, top: int) -> list[m.EntityLoss]:
        long = self.store.results(run_id, "entity_losses")
        if long.empty:
            return []
        long = long[[json.loads(k).get("channel") == "total" for k in long["key"]]]
        wide = long.pivot_table(index="entity", columns="metric", values="value").reset_index()
        for col in ("mean", "q05", "q50", "q95", "default_probability"):
            if col not in wide:
                wide[col] = float("nan")
        wide = wide.sort_values(["default_probability", "mean"], ascending=False).head(top)
        names = dict(zip(self.data.entities["id"], self.data.entities["name"], strict=True))
        return [
            m.EntityLoss(
                entity=str(r["entity"]),
                name=names.get(str(r["entity"]), str(r["entity"])),
                **{c: cell(r[c]) for c in ("mean", "q05", "q50", "q95", "default_probability")},
            )
            for _, r in wide.iterrows()
        ]


def _json(text: Any) -> dict[str, Any]:
    try:
        out = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        return {}
    return out if isinstance(out, dict) else {}


@cache
def _plotly_js() -> bytes:
    """plotly.js as bundled in the installed plotly package (read on first use)."""
    return (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()


def create_app(
    store_path: str | Path,
    *,
    max_draws: int = MAX_DRAWS,
    max_pending: int = 4,
    allowed_hosts: Sequence[str] = (),
) -> FastAPI:
    """The lahar web app over one store: REST API under ``/api/``, dashboard at ``/``.

    Parameters
    ----------
    store_path : str or Path
        The store file; created, with the shipped dataset, when it does not exist or holds no
        dataset (as ``lahar run`` does).
    max_draws : int, default :data:`MAX_DRAWS`
        Most draws one posted run may ask for.
    max_pending : int, default 4
        Runs that may wait while one runs; more are refused with 429.
    allowed_hosts : sequence of str, default ()
        Host names (as the ``Host`` header gives them, an IPv6 address in brackets) the app
        answers to besides :data:`LOOPBACK_HOSTS`; a request naming another host is refused
        with 400, so a web page whose name was rebound to 127.0.0.1 cannot read the API.

    Returns
    -------
    fastapi.FastAPI

    Raises
    ------
    lahar.errors.StoreError
        The store cannot be opened, or is not a lahar store.
    """
    state = _App(Path(store_path), max_draws=max_draws, max_pending=max_pending)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        yield
        state.runs.close()

    app = FastAPI(
        title="lahar",
        version=__version__,
        description=(
            "The AI-boom network (entities, exposures, facts, sources), its analytics, the "
            "shipped scenarios and their Monte Carlo runs. Lists are paged with limit/offset."
        ),
        lifespan=lifespan,
        docs_url=None,  # Swagger UI and ReDoc load their scripts from a CDN: not served
        redoc_url=None,
    )
    app.state.lahar = state
    app.add_middleware(
        TrustedHostMiddleware, allowed_hosts=[*LOOPBACK_HOSTS, *allowed_hosts], www_redirect=False
    )

    @app.middleware("http")
    async def _policy(request: Request, call_next: Callable[[Request], Any]) -> Response:
        response: Response = await call_next(request)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response

    @app.exception_handler(FieldError)
    async def _field_error(request: Request, exc: FieldError) -> JSONResponse:
        return JSONResponse(
            status_code=422,
            content={"detail": [{"loc": exc.loc, "msg": str(exc), "type": "value_error"}]},
        )

    @app.exception_handler(StoreError)
    @app.exception_handler(duckdb.Error)
    @app.exception_handler(OSError)
    async def _store_error(request: Request, exc: Exception) -> JSONResponse:
        # the store (or a run file beside it) cannot be read or written now, e.g. another
        # process holds the DuckDB file: the request may succeed later
        why = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return JSONResponse(
            status_code=503,
            content={"detail": f"The store is unavailable: {why}"},
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(LaharError)
    async def _lahar_error(request: Request, exc: LaharError) -> JSONResponse:
        # not the request's fault (input errors are FieldErrors, naming the field): one line
        why = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
        return JSONResponse(status_code=500, content={"detail": f"lahar failed: {why}"})

    _routes(app, state)
    static = resources.files("lahar.web") / _STATIC
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app


def _routes(app: FastAPI, s: _App) -> None:  # noqa: C901 - one place lists every route
    get: Callable[..., Any] = app.get

    # ------------------------------------------------------------------ dashboard
    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(str(resources.files("lahar.web") / _STATIC / "index.html"))

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        return Response(
            _plotly_js(),
            media_type="application/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    # ------------------------------------------------------------------ dataset
    @get("/api/info", response_model=m.Info, tags=["dataset"])
    def info() -> m.Info:
        """Version, store file name, dataset digest and row counts, run limits."""
        return m.Info(
            lahar_version=__version__,
            store=s.store.path.name,
            dataset_digest=s.data.digest,
            counts=dict(s.data.counts()),
            entity_kinds=sorted(str(k) for k in s.data.entities["kind"].unique()),
            max_draws=s.max_draws,
            max_pending=s.runs.max_pending,
        )

    @get("/api/entities", response_model=m.Page[m.Entity], tags=["dataset"])
    def entities(
        q: str | None = Query(None, max_length=200, description="Text in id, name or ticker."),
        kind: str | None = Query(
            None, description="Entity kind.", json_schema_extra=_enum("entities.csv", "kind")
        ),
        country: str | None = Query(None, max_length=10, description="ISO country code."),
        limit: int = Limit,
        offset: int = Offset,
    ) -> dict[str, Any]:
        """Entities with their balance sheets (the figures that count), by search and kind."""
        _choice(kind, _allowed("entities.csv", "kind"), ["query", "kind"])
        total, page = _page(s.data.entity_rows(q=q, kind=kind, country=country), limit, offset)
        return {"total": total, "limit": limit, "offset": offset, "items": s.data.entity_list(page)}

    @get(
        "/api/entities/{entity_id}",
        response_model=m.EntityDetail,
        responses=_E404,
        tags=["dataset"],
    )
    def entity(entity_id: str) -> dict[str, Any]:
        """An entity: balance sheet and other figures, deals out and in, and their sources."""
        row = s.data.entity(entity_id)
        if row is None:
            raise _not_found(f"No entity {entity_id!r}; search with GET /api/entities?q=...")
        figures = s.data.figures_of(entity_id)
        out = records(s.data.exposure_rows(source=entity_id))
        inc = records(s.data.exposure_rows(target=entity_id))
        cited = [row["source_id"], *(f["source_id"] for f in figures)]
        cited += [x["source_id"] for x in out + inc]
        return {
            **row,
            "figures": figures,
            "exposures_out": out,
            "exposures_in": inc,
            "sources": s.data.sources_by_id(cited),
        }

    @get("/api/exposures", response_model=m.Page[m.Exposure], tags=["dataset"])
    def exposures(
        layer: str | None = Query(
            None, description="A layer.", json_schema_extra=_enum("exposures.csv", "layer")
        ),
        status: str | None = Query(
            None,
            description="How firm the figure is.",
            json_schema_extra=_enum("exposures.csv", "status"),
        ),
        entity: str | None = Query(None, max_length=200, description="Either side."),
        source: str | None = Query(None, max_length=200, description="Source-side entity."),
        target: str | None = Query(None, max_length=200, description="Target-side entity."),
        current: bool | None = Query(None, description="Only rows not superseded (true)."),
        limit: int = Limit,
        offset: int = Offset,
    ) -> dict[str, Any]:
        """Exposures (deals and holdings), filtered by layer, status and entity."""
        _choice(layer, _allowed("exposures.csv", "layer"), ["query", "layer"])
        _choice(status, _allowed("exposures.csv", "status"), ["query", "status"])
        frame = s.data.exposure_rows(
            layer=layer, status=status, entity=entity, source=source, target=target, current=current
        )
        total, page = _page(frame, limit, offset)
        return {"total": total, "limit": limit, "offset": offset, "items": records(page)}

    @get("/api/sources", response_model=m.Page[m.Source], tags=["dataset"])
    def sources(
        q: str | None = Query(None, max_length=200, description="Text in id, publication, title."),
        source_class: str | None = Query(
            None,
            description="Publisher kind.",
            json_schema_extra=_enum("sources.csv", "source_class"),
        ),
        limit: int = Limit,
        offset: int = Offset,
    ) -> dict[str, Any]:
        """Sources: publication, title, date, address and source class."""
        _choice(source_class, _allowed("sources.csv", "source_class"), ["query", "source_class"])
        total, page = _page(s.data.source_rows(q=q, source_class=source_class), limit, offset)
        return {"total": total, "limit": limit, "offset": offset, "items": records(page)}

    @get(
        "/api/sources/{source_id}", response_model=m.SourceDetail, responses=_E404, tags=["dataset"]
    )
    def source(source_id: str) -> dict[str, Any]:
        """A source and how many rows of each table cite it."""
        found = s.data.sources_by_id([source_id])
        if not found:
            raise _not_found(f"No source {source_id!r}.")
        return {**found[0], "cited_by": s.data.cited_by(source_id)}

    @get("/api/facts", response_model=m.Page[m.Fact], tags=["dataset"])
    def facts(
        entity: str | None = Query(None, max_length=200),
        metric: str | None = Query(None, max_length=100, description="A metric of metrics.csv."),
        year: int | None = Query(None, ge=1990, le=2060),
        status: str | None = Query(
            None,
            description="How firm the figure is.",
            json_schema_extra=_enum("facts.csv", "status"),
        ),
        limit: int = Limit,
        offset: int = Offset,
    ) -> dict[str, Any]:
        """Facts (entity figures by year), filtered by entity, metric, year and status."""
        _choice(status, _allowed("facts.csv", "status"), ["query", "status"])
        frame = s.data.fact_rows(entity=entity, metric=metric, year=year, status=status)
        total, page = _page(frame, limit, offset)
        return {"total": total, "limit": limit, "offset": offset, "items": records(page)}

    # ------------------------------------------------------------------ analytics
    @get("/api/analytics", response_model=list[m.AnalyticsTableInfo], tags=["analytics"])
    def analytics() -> list[dict[str, Any]]:
        """The findings tables (circularity, leverage, gap, concentration, energy...)."""
        return [
            {
                "name": name,
                "topic": s.topic_of(name),
                "title": TITLES.get(name, name),
                "rows": len(frame),
                "columns": [str(c) for c in frame.columns],
            }
            for name, frame in s.analytics().items()
        ]

    @get(
        "/api/analytics/{name}",
        response_model=m.AnalyticsTable,
        responses=_E404,
        tags=["analytics"],
    )
    def analytics_table(
        name: str,
        format: Literal["raw", "display"] = Query(  # noqa: A002 - the API's word
            "raw", description="raw numbers, or display: formatted text, short headers."
        ),
        limit: int = Limit,
        offset: int = Offset,
    ) -> dict[str, Any]:
        """One findings table, raw or formatted as ``lahar analyze`` prints it."""
        tables = s.analytics()
        if name not in tables:
            raise _not_found(f"No analytics table {name!r}; the tables are {', '.join(tables)}.")
        frame = tables[name] if format == "raw" else display_table(name, tables[name])
        frame = frame.rename(columns=str)
        total, page = _page(frame, limit, offset)
        return {
            "name": name,
            "topic": s.topic_of(name),
            "title": TITLES.get(name, name),
            "rows": len(frame),
            "columns": list(frame.columns),
            "format": format,
            "total": total,
            "limit": limit,
            "offset": offset,
            "data": records(page),
        }

    # ------------------------------------------------------------------ charts
    @get("/api/figures", response_model=list[m.FigureInfo], tags=["charts"])
    def figures() -> list[dict[str, str]]:
        """Charts of the dataset (those of the HTML report)."""
        return [{"name": k, "title": v} for k, v in DATASET_FIGURES.items()]

    @get("/api/figures/{name}", response_model=m.PlotlyFigure, responses=_E404, tags=["charts"])
    def figure(name: str) -> dict[str, Any]:
        """One chart of the dataset as plotly JSON (``Plotly.newPlot(div, data, layout)``)."""
        if name not in DATASET_FIGURES:
            raise _not_found(f"No chart {name!r}; the charts are {', '.join(DATASET_FIGURES)}.")
        return {"name": name, "title": DATASET_FIGURES[name], **s.dataset_figure(name)}

    # ------------------------------------------------------------------ scenarios
    @get("/api/scenarios", response_model=list[m.Scenario], tags=["scenarios"])
    def scenarios() -> list[m.Scenario]:
        """The shipped scenarios with their main parameters (the sizes of their shocks)."""
        return list(s.scenarios().values())

    @get("/api/scenarios/{name}", response_model=m.Scenario, responses=_E404, tags=["scenarios"])
    def scenario(name: str) -> m.Scenario:
        """One shipped scenario."""
        found = s.scenarios().get(name)
        if found is None:
            raise _not_found(f"No shipped scenario {name!r}; see GET /api/scenarios.")
        return found

    # ------------------------------------------------------------------ runs
    @get("/api/runs", response_model=m.Page[m.Run], tags=["runs"])
    def runs(
        scenario: str | None = Query(None, max_length=200, description="Scenario runs of one."),
        status: Literal["queued", "running", "done", "failed", "killed"] | None = None,
        limit: int = Limit,
        offset: int = Offset,
    ) -> dict[str, Any]:
        """Runs, newest first: those queued in this server, then the store's."""
        rows = [job_summary(j) for j in s.runs.queued()]
        stored = s.run_rows()
        known = {r["run_id"] for r in rows}
        rows += [s.run_out(r) for _, r in stored.iterrows() if r["run_id"] not in known]
        if scenario is not None:
            rows = [r for r in rows if r["scenario"] == scenario]
        if status is not None:
            rows = [r for r in rows if r["status"] == status]
        return {
            "total": len(rows),
            "limit": limit,
            "offset": offset,
            "items": rows[offset : offset + limit],
        }

    def _run_or_404(run_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        stored = s.run_rows()
        hit = stored[stored["run_id"] == run_id]
        if not hit.empty:
            row = hit.iloc[0]
            return s.run_out(row), _json(row["params"])
        job = s.runs.job(run_id)
        if job is not None:
            return job_summary(job), {
                "scenario": job.spec.name,
                "draws": job.draws,
                "seed": job.seed,
                "spec": job.spec.model_dump(),
            }
        raise _not_found(f"No run {run_id!r}; see GET /api/runs.")

    @app.post(
        "/api/runs",
        status_code=202,
        response_model=m.Run,
        responses={**_E400, 429: {"model": m.Message, "description": "The queue is full."}},
        tags=["runs"],
    )
    def post_run(body: m.RunRequest, response: Response) -> dict[str, Any]:
        """Queue a run of a shipped scenario (202); poll GET /api/runs/{run_id}."""
        if body.scenario not in builtin_scenarios():
            raise FieldError(
                ["body", "scenario"],
                f"no shipped scenario {body.scenario!r}; the scenarios are "
                f"{', '.join(builtin_scenarios())}",
            )
        spec = builtin_scenario(body.scenario)
        draws = spec.draws if body.draws is None else body.draws
        if draws > s.max_draws:
            raise FieldError(
                ["body", "draws"], f"at most {s.max_draws} draws per run here; got {draws}"
            )
        known = [q.name for q in shock_quantities(spec)]
        for name in body.overrides:
            if name not in known:
                raise FieldError(
                    ["body", "overrides", name],
                    f"scenario {spec.name} has no quantity {name!r}; its quantities are "
                    f"{', '.join(known) or 'none'}",
                )
        changes = {}
        for name, q in body.overrides.items():
            try:
                changes[name] = Quantity(**q.model_dump(exclude_none=True))
            except ValidationError as exc:
                msg = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
                raise FieldError(["body", "overrides", name], msg) from None
        try:
            spec = with_quantities(spec, changes)
        except DataError as exc:
            problems = exc.problems or []
            loc: list[str | int] = ["body", "overrides"]
            if problems and problems[0].field in body.overrides:
                loc.append(problems[0].field)
            msg = "; ".join(p.message for p in problems) if problems else str(exc)
            raise FieldError(loc, msg) from None
        try:
            make_context(spec, s.data.network, s.params, s.table, seed=body.seed)
        except DataError as exc:
            raise FieldError(["body", "scenario"], str(exc).strip().splitlines()[-1]) from None
        try:
            job = s.runs.submit(spec, draws=draws, seed=body.seed)
        except QueueFull as exc:
            raise HTTPException(
                status_code=429, detail=str(exc), headers={"Retry-After": "5"}
            ) from None
        response.headers["Location"] = f"/api/runs/{job.run_id}"
        return job_summary(job)

    @get("/api/runs/{run_id}", response_model=m.RunDetail, responses=_E404, tags=["runs"])
    def run(
        run_id: str,
        top: int = Query(15, ge=0, le=1000, description="Entities in losers."),
    ) -> dict[str, Any]:
        """A run: status and progress, then its headline outcomes and the firms that lose most."""
        out, params = _run_or_404(run_id)
        quantities: list[m.QuantityOut] = []
        spec_raw = params.get("spec")
        if isinstance(spec_raw, dict):
            try:
                quantities = s.quantities(Spec.model_validate(spec_raw))
            except ValueError:
                quantities = []
        done = out["status"] == "done"
        return {
            **out,
            "params": {k: v for k, v in params.items() if k != "spec"},
            "quantities": quantities,
            "headline": s.headline(run_id) if done else [],
            "losers": s.losers(run_id, top) if done else [],
        }

    @get(
        "/api/runs/{run_id}/results",
        response_model=m.Page[m.ResultRow],
        responses=_E404,
        tags=["runs"],
    )
    def results(
        run_id: str,
        name: str | None = Query(None, max_length=200, description="A result table."),
        entity: str | None = Query(None, max_length=200),
        metric: str | None = Query(None, max_length=200),
        limit: int = Limit,
        offset: int = Offset,
    ) -> dict[str, Any]:
        """A run's stored results in long format (one number per row)."""
        _run_or_404(run_id)
        frame = s.store.results(run_id, name)
        if entity is not None:
            frame = frame[frame["entity"] == entity]
        if metric is not None:
            frame = frame[frame["metric"] == metric]
        total, page = _page(frame, limit, offset)
        items = records(page, ["name", "entity", "scenario", "key", "metric", "value"])
        for it in items:
            key = _json(it["key"]) if it["key"] is not None else None
            it["key"] = None if key is None else {str(k): str(v) for k, v in key.items()}
            if it["entity"] in ("None", "nan", "<NA>"):
                it["entity"] = None
        return {"total": total, "limit": limit, "offset": offset, "items": items}

    def _finished(run_id: str) -> None:
        out, _ = _run_or_404(run_id)
        if out["status"] != "done" or out["scenario"] is None:
            raise HTTPException(
                status_code=409,
                detail=f"Run {run_id} is {out['status']}"
                + ("" if out["scenario"] else " and not a scenario run")
                + "; charts are drawn for finished scenario runs.",
            )

    @get(
        "/api/runs/{run_id}/figures",
        response_model=list[m.FigureInfo],
        responses={**_E404, **_E409},
        tags=["charts"],
    )
    def run_figures(run_id: str) -> list[dict[str, str]]:
        """Charts of a finished scenario run."""
        _finished(run_id)
        shown = [n for n in RUN_FIGURES if n != "distribution"]
        if not s.stored_run(run_id).draws_table.empty:
            shown.insert(2, "distribution")
        return [{"name": n, "title": RUN_FIGURES[n]} for n in shown]

    @get(
        "/api/runs/{run_id}/figures/{name}",
        response_model=m.PlotlyFigure,
        responses={**_E404, **_E409},
        tags=["charts"],
    )
    def run_figure(run_id: str, name: str) -> dict[str, Any]:
        """One chart of a finished scenario run as plotly JSON."""
        _finished(run_id)
        if name not in RUN_FIGURES:
            raise _not_found(f"No run chart {name!r}; the charts are {', '.join(RUN_FIGURES)}.")
        fig = s.run_figure(run_id, name)
        if fig is None:
            raise _not_found(f"Run {run_id} has no data for the chart {name!r}.")
        return {"name": name, "title": RUN_FIGURES[name], **fig}

    @get(
        "/api/compare",
        response_model=m.PlotlyFigure,
        responses={**_E404, **_E409},
        tags=["charts"],
    )
    def compare(
        a: str = Query(..., max_length=100, description="A finished scenario run."),
        b: str = Query(..., max_length=100, description="Another one."),
        outcome: str = Query(
            "loss_total",
            description="A headline outcome.",
            json_schema_extra={"enum": list(HEADLINES)},
        ),
    ) -> dict[str, Any]:
        """One outcome of two runs side by side: 5-95 % band, median and mean of each."""
        _choice(outcome, HEADLINES, ["query", "outcome"])
        for rid in (a, b):
            _finished(rid)
        ra, rb = s.stored_run(a), s.stored_run(b)
        runs = {f"A: {ra.scenario} ({a[:8]})": ra, f"B: {rb.scenario} ({b[:8]})": rb}
        label = LABELS.get(outcome, (outcome, ""))[0].strip()
        fig = figure_json(figs.compare_figure(runs, outcome))
        return {"name": "compare", "title": f"{label}: run A and run B", **fig}

    # ------------------------------------------------------------------ sandboxed SQL
    @app.post("/api/sql", response_model=m.SqlResult, responses=_E400, tags=["sql"])
    def sql(body: m.SqlRequest) -> dict[str, Any]:
        """One read-only query on the store, in lahar's SQL sandbox (no files, no network)."""
        with s.lock:
            try:
                res = sandboxed_query(
                    s.store.path, body.sql, max_rows=body.max_rows, timeout_s=SQL_TIMEOUT_S
                )
            except QueryError as exc:
                raise FieldError(["body", "sql"], str(exc)) from None
        frame = res.frame
        return {
            "columns": [str(c) for c in frame.columns],
            "rows": [[cell(v) for v in row] for row in frame.itertuples(index=False, name=None)],
            "truncated": res.truncated,
            "elapsed_s": res.elapsed_s,
        }
