"""The API's request and response bodies (pydantic): they make ``/openapi.json``.

Every number a response carries is finite or ``null``: a missing figure is ``null``, never
``NaN`` (which JSON cannot carry).
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AnalyticsTable",
    "AnalyticsTableInfo",
    "Entity",
    "EntityDetail",
    "Exposure",
    "Fact",
    "Figure",
    "FigureInfo",
    "HeadlineRow",
    "Info",
    "EntityLoss",
    "Message",
    "Page",
    "PlotlyFigure",
    "Progress",
    "QuantityIn",
    "QuantityOut",
    "ResultRow",
    "Run",
    "RunDetail",
    "RunRequest",
    "Scenario",
    "ShockOut",
    "Source",
    "SourceDetail",
    "SqlRequest",
    "SqlResult",
]

T = TypeVar("T")

Cell = str | float | int | bool | None
"""One cell of a table: text, a finite number, a flag or ``null``."""


class Message(BaseModel):
    """An error: what went wrong (404, 409, 429)."""

    detail: str


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` are rows ``offset .. offset+limit-1`` of ``total``."""

    total: int = Field(description="Rows matching the filters, over all pages.")
    limit: int
    offset: int
    items: list[T]


class Info(BaseModel):
    """What the server serves: version, dataset digest, row counts, limits."""

    lahar_version: str
    store: str = Field(description="File name of the store (not its folder).")
    dataset_digest: str | None
    counts: dict[str, int]
    entity_kinds: list[str] = Field(description="Kinds of entity in the dataset.")
    max_draws: int
    max_pending: int


class Figure(BaseModel):
    """The figure of one metric that counts for an entity (``Network.fact_rows``)."""

    metric: str
    value: float | None
    low: float | None = None
    high: float | None = None
    unit: str | None
    nature: str | None = Field(None, description="flow, stock or ratio (metrics.csv).")
    year: int | None
    period: str | None
    period_end: str | None
    basis: str | None
    status: str | None
    confidence: str | None
    source_id: str | None
    fact_id: str | None


class Entity(BaseModel):
    """An entity with its balance sheet (the figures that count, USD)."""

    id: str
    name: str
    kind: str
    country: str
    parent: str | None
    ticker: str | None
    end_investor: bool
    source_id: str
    note: str | None
    balance_sheet: dict[str, float] = Field(
        description="Balance-sheet metric -> value (USD) of the figure that counts."
    )


class Exposure(BaseModel):
    """One exposure (a deal or holding) with its counterparties' names."""

    id: str
    source: str
    source_name: str
    target: str
    target_name: str
    layer: str
    amount_usd: float
    status: str
    term_years: float | None
    date: str | None
    source_id: str | None
    confidence: str | None
    current: bool = Field(description="False when a later row supersedes this one.")
    supersedes: str | None
    note: str | None


class Source(BaseModel):
    """A source row: publication, date, address and class."""

    id: str
    publication: str
    title: str
    date: str | None
    url: str
    accessed: str | None
    source_class: str
    note: str | None


class SourceDetail(Source):
    """A source and how many rows cite it."""

    cited_by: dict[str, int]


class Fact(BaseModel):
    """One row of the facts table."""

    id: str
    entity: str
    year: int
    metric: str
    value: float | None
    unit: str
    status: str
    period: str | None
    basis: str
    period_end: str | None
    low: float | None
    high: float | None
    source_id: str
    confidence: str
    note: str | None


class EntityDetail(Entity):
    """An entity: its figures, deals in and out, and every source they cite."""

    figures: list[Figure] = Field(description="Balance sheet first, then the other metrics.")
    exposures_out: list[Exposure]
    exposures_in: list[Exposure]
    sources: list[Source]


class AnalyticsTableInfo(BaseModel):
    """One findings table: its name, topic, title and size."""

    name: str
    topic: str
    title: str
    rows: int
    columns: list[str]


class AnalyticsTable(AnalyticsTableInfo):
    """A findings table (raw numbers, or formatted text with short headers)."""

    format: Literal["raw", "display"]
    total: int
    limit: int
    offset: int
    data: list[dict[str, Cell]]


class QuantityOut(BaseModel):
    """A scenario's main parameter: the size of one shock, and its range."""

    name: str = Field(description="Key of RunRequest.overrides.")
    shock: int = Field(description="Position of the shock in the spec.")
    kind: str
    field: str
    value: float | None = Field(description="Central value (fixed quantities: the value).")
    low: float | None
    high: float | None
    mode: float | None
    param: str | None = Field(description="parameters.csv id the range comes from, if any.")
    drawn: bool
    share: bool = Field(description="A share: every value must lie in [0, 1].")
    source: str | None


class ShockOut(BaseModel):
    """One shock of a scenario: what it hits."""

    kind: str
    entities: list[str]
    kinds: list[str]


class Scenario(BaseModel):
    """A shipped scenario with its main parameters."""

    name: str
    title: str
    description: str
    draws: int
    shocks: list[ShockOut]
    quantities: list[QuantityOut]
    runnable: bool = Field(description="Whether the spec fits the store's dataset.")
    problem: str | None = Field(None, description="Why not, when it does not.")


class QuantityIn(BaseModel):
    """A new size of a shock: a fixed ``value``, or a ``low``-``high`` range (``mode``)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    value: float | None = None
    low: float | None = None
    high: float | None = None
    mode: float | None = None


class RunRequest(BaseModel):
    """A scenario run to queue."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    scenario: str = Field(max_length=200, description="A shipped scenario (GET /api/scenarios).")
    draws: int | None = Field(None, ge=1, description="Monte Carlo draws (default: the spec's).")
    seed: int = Field(0, ge=0, le=2**63 - 1)
    overrides: dict[str, QuantityIn] = Field(
        default_factory=dict,
        description="New sizes of the scenario's quantities, by name (QuantityOut.name).",
    )


class Progress(BaseModel):
    """How far a run is: draws done of the total."""

    draws_done: int
    draws_total: int


RunStatus = Literal["queued", "running", "done", "failed", "killed"]


class Run(BaseModel):
    """A run recorded in the store (or queued to be)."""

    run_id: str
    command: str
    scenario: str | None
    status: RunStatus
    created_at: str | None
    elapsed_s: float | None
    seed: int | None
    draws: int | None
    spec_hash: str | None
    progress: Progress | None
    error: str | None = None


class HeadlineRow(BaseModel):
    """One headline outcome of a scenario run: mean and 5/50/95 % quantiles over the draws."""

    outcome: str
    label: str
    unit: str
    mean: float | None
    q05: float | None
    q50: float | None
    q95: float | None
    text: str = Field(description="The mean, formatted.")
    band: str = Field(description="The 5-95 % band, formatted.")


class EntityLoss(BaseModel):
    """An entity's loss in a run (channel ``total``): mean, quantiles, default probability."""

    entity: str
    name: str
    mean: float | None
    q05: float | None
    q50: float | None
    q95: float | None
    default_probability: float | None


class RunDetail(Run):
    """A run with its parameters and, once done, its headline outcomes and losers."""

    params: dict[str, Any]
    quantities: list[QuantityOut]
    headline: list[HeadlineRow]
    losers: list[EntityLoss]


class ResultRow(BaseModel):
    """One stored result number (long format of the ``results`` table)."""

    name: str
    entity: str | None
    scenario: int | None
    key: dict[str, str] | None
    metric: str
    value: float | None


class FigureInfo(BaseModel):
    """A chart the API can draw: its name and title."""

    name: str
    title: str


class PlotlyFigure(FigureInfo):
    """A plotly chart as ``Plotly.newPlot(div, data, layout)`` takes it."""

    data: list[dict[str, Any]]
    layout: dict[str, Any]


class SqlRequest(BaseModel):
    """One read-only SQL statement, run in the store's sandbox."""

    model_config = ConfigDict(extra="forbid")

    sql: str = Field(min_length=1, max_length=20_000)
    max_rows: int = Field(100, ge=1, le=5000)


class SqlResult(BaseModel):
    """The rows of a sandboxed query (at most ``max_rows``)."""

    columns: list[str]
    rows: list[list[Cell]]
    truncated: bool
    elapsed_s: float
