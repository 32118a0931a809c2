"""Scenario specs: TOML files validated into typed objects, errors naming file, line and field.

A spec names its shocks in the article's terms, bound to entities and deals of the dataset, and
the uncertain quantities with their distributions::

    name = "openai_pays_40"
    title = "OpenAI pays only 40 % of its compute commitments"
    description = "..."

    [[shocks]]
    kind = "partial_payment"
    entities = ["openai"]
    paid_share = { low = 0.3, high = 0.5, source = "assumption: ..." }

A quantity is a number (fixed), ``{ low, high }`` (uniform), ``{ low, high, mode }``
(triangular) or ``{ param = "id" }`` (uniform over the range of a ``parameters.csv`` row; its
central value when not drawn). ``[parameters]`` overrides the range of a model parameter the
Monte Carlo draws (e.g. ``commitment_margin = { low = 0.2, high = 0.4 }``); ``correlations``
lists ``[name_a, name_b, rho]`` (a Gaussian copula).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from lahar.errors import DataError, Problem

__all__ = [
    "SCENARIO_DIR",
    "SHOCK_KINDS",
    "Quantity",
    "Scenario",
    "ShockQuantity",
    "builtin_scenario",
    "builtin_scenarios",
    "load_scenario",
    "parse_scenario",
    "scenario_hash",
    "shock_quantities",
    "with_quantities",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Quantity(_Strict):
    """An uncertain (or fixed) number of a spec.

    Attributes
    ----------
    value : float, optional
        Central value (default: the midpoint, the mode, or the parameter's value).
    low, high : float, optional
        Range drawn from (uniform, or triangular with ``mode``).
    mode : float, optional
        Mode of a triangular distribution.
    param : str, optional
        A ``parameters.csv`` id whose value and range are used.
    source : str, optional
        A source id of ``sources.csv`` or ``"assumption: why"``.
    name : str, optional
        Name in results and correlations (default: ``<shock kind>.<field>``).
    """

    value: float | None = None
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    param: str | None = None
    source: str | None = None
    name: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Quantity:
        if self.param is not None:
            if self.low is not None or self.high is not None:
                msg = "give either param or low/high, not both"
                raise ValueError(msg)
            return self
        if (self.low is None) != (self.high is None):
            msg = "low and high go together"
            raise ValueError(msg)
        if self.low is None and self.value is None:
            msg = "a quantity needs a value, a low/high range or a param"
            raise ValueError(msg)
        if self.low is not None and self.high is not None:
            if not self.low <= self.high:
                msg = f"expected low <= high, got {self.low} > {self.high}"
                raise ValueError(msg)
            for what, v in (("value", self.value), ("mode", self.mode)):
                if v is not None and not self.low <= v <= self.high:
                    msg = (
                        f"expected low <= {what} <= high, got {v} outside [{self.low}, {self.high}]"
                    )
                    raise ValueError(msg)
        return self

    @property
    def drawn(self) -> bool:
        """Whether the quantity has a range to draw from (a param always does)."""
        if self.param is not None:
            return True
        # low and high are given together (see _consistent)
        return self.low is not None and self.high is not None and self.low < self.high


def _quantity(v: Any) -> Any:
    """A bare number is a fixed quantity."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return {"value": float(v)}
    return v


_SHARES = {
    "paid_share",
    "shortfall",
    "haircut",
    "ltv_max",
    "share",
    "delayed_share",
    "fall",
    "cut",
    "gpu_share",
}

Q = Annotated[Quantity, Field(description="a number or { low, high[, mode] } or { param }")]


class _Shock(_Strict):
    entities: list[str] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)
    source: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _numbers_are_quantities(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        fields = cls.model_fields
        return {
            k: _quantity(v) if k in fields and fields[k].annotation is Quantity else v
            for k, v in data.items()
        }

    @field_validator("*", mode="after")
    @classmethod
    def _shares_in_range(cls, v: Any, info: Any) -> Any:
        if isinstance(v, Quantity) and info.field_name in _SHARES:
            for end in (v.value, v.low, v.high, v.mode):
                if end is not None and not 0.0 <= end <= 1.0:
                    msg = f"a share: expected values in [0, 1], got {end}"
                    raise ValueError(msg)
        return v


class PartialPayment(_Shock):
    """A buyer pays only a share of its purchase commitments (the rest is never paid)."""

    kind: Literal["partial_payment"]
    paid_share: Q


class RevenueShortfall(_Shock):
    """AI revenue falls short of plan: the shortfall hits the firm's equity (its costs stay)."""

    kind: Literal["revenue_shortfall"]
    shortfall: Q
    years: float = Field(1.0, gt=0, le=10)
    metric: Literal["revenue", "ai_revenue"] = "revenue"


class Collateral(_Shock):
    """GPU collateral loses value: a haircut on GPU assets, and loan-to-value covenants bind."""

    kind: Literal["collateral"]
    haircut: Q
    ltv_max: Q = Field(default_factory=lambda: Quantity(value=1.0))
    gpu_share: Q = Field(default_factory=lambda: Quantity(param="gpu_share_of_assets"))


class RefinancingClosed(_Shock):
    """Private credit closes for some years: debt maturing then must be paid from cash."""

    kind: Literal["refinancing_closed"]
    years: float = Field(2.0, gt=0, le=10)


class PledgeWithdrawn(_Shock):
    """Gulf or sovereign pledges are withdrawn: recipients lose that funding."""

    kind: Literal["pledge_withdrawn"]
    countries: list[str] = Field(default_factory=list)
    share: Q = Field(default_factory=lambda: Quantity(value=1.0))


class GridCap(_Shock):
    """Grid capacity is capped: a share of data-centre deployments is delayed."""

    kind: Literal["grid_cap"]
    delayed_share: Q


class Rates(_Shock):
    """Interest rates rise: refinanced debt costs more, commitments are discounted more."""

    kind: Literal["rates"]
    bp: Q
    years: float = Field(2.0, gt=0, le=10)


class Repricing(_Shock):
    """A repricing of the AI cohort, of the Magnificent Seven, or of named firms or kinds."""

    kind: Literal["repricing"]
    cohort: Literal["ai", "mag7"] | None = None
    fall: Q


class CapexCut(_Shock):
    """AI capex is cut by a share (the hyperscalers' and builders' spending)."""

    kind: Literal["capex_cut"]
    cut: Q


Shock = Annotated[
    PartialPayment
    | RevenueShortfall
    | Collateral
    | RefinancingClosed
    | PledgeWithdrawn
    | GridCap
    | Rates
    | Repricing
    | CapexCut,
    Field(discriminator="kind"),
]

SHOCK_KINDS: tuple[str, ...] = (
    "partial_payment",
    "revenue_shortfall",
    "collateral",
    "refinancing_closed",
    "pledge_withdrawn",
    "grid_cap",
    "rates",
    "repricing",
    "capex_cut",
)
"""The kinds of shock a spec may name."""


class Scenario(_Strict):
    """A validated scenario spec.

    Attributes
    ----------
    name : str
        Identifier (lower-case slug), e.g. ``openai_pays_40``.
    title : str
        One line in the article's terms.
    description : str
        What the scenario represents and why its numbers.
    shocks : list
        The shocks (see :data:`SHOCK_KINDS`).
    parameters : dict of str to Quantity
        Ranges that replace those of ``parameters.csv`` for this scenario.
    correlations : list of (str, str, float)
        Correlated pairs of drawn quantities (by name) and their correlation.
    draws : int
        Default number of Monte Carlo draws.
    """

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    description: str = ""
    shocks: list[Shock] = Field(min_length=1)
    parameters: dict[str, Quantity] = Field(default_factory=dict)
    correlations: list[tuple[str, str, float]] = Field(default_factory=list)
    draws: int = Field(512, ge=1, le=10**7)

    @field_validator("parameters", mode="before")
    @classmethod
    def _param_numbers(cls, v: Any) -> Any:
        return {k: _quantity(x) for k, x in v.items()} if isinstance(v, dict) else v

    @model_validator(mode="after")
    def _correlations_in_range(self) -> Scenario:
        for a, b, rho in self.correlations:
            if not -1.0 < rho < 1.0:
                msg = f"correlation of {a} and {b} must lie in (-1, 1), got {rho}"
                raise ValueError(msg)
        return self


def scenario_hash(spec: Scenario) -> str:
    """A stable digest of a spec's content (16 hex digits)."""
    return hashlib.sha256(spec.model_dump_json().encode()).hexdigest()[:16]


class ShockQuantity(NamedTuple):
    """A quantity of a spec's shocks, by the name the Monte Carlo gives it.

    Attributes
    ----------
    name : str
        The quantity's ``name``, else ``<shock kind>.<field>``; a repeated name gets ``_2``,
        ``_3``... in spec order (the column of the run's drawn inputs).
    shock : int
        Position of its shock in ``spec.shocks``.
    field : str
        The shock's field (e.g. ``paid_share``).
    quantity : Quantity
        The quantity itself.
    share : bool
        Whether the field is a share (every value in [0, 1]).
    """

    name: str
    shock: int
    field: str
    quantity: Quantity
    share: bool


def shock_quantities(spec: Scenario) -> list[ShockQuantity]:
    """The quantities of a spec's shocks, in spec order, with their unique names.

    These are the scenario's main parameters: the sizes of its shocks. The names are those of
    the drawn dimensions (:attr:`lahar.scenarios.Dim.name`) and fixed values of the Monte
    Carlo, the keys :func:`with_quantities` takes.

    Examples
    --------
    >>> spec = parse_scenario('''
    ... name = "two"
    ... title = "Two shortfalls"
    ... [[shocks]]
    ... kind = "revenue_shortfall"
    ... kinds = ["ai_lab"]
    ... shortfall = { low = 0.2, high = 0.4 }
    ... [[shocks]]
    ... kind = "revenue_shortfall"
    ... kinds = ["neocloud"]
    ... shortfall = 0.3
    ... ''')
    >>> [(q.name, q.shock, q.field) for q in shock_quantities(spec)]
    [('revenue_shortfall.shortfall', 0, 'shortfall'), ('revenue_shortfall.shortfall_2', 1, 'shortfall')]
    """
    out: list[ShockQuantity] = []
    taken: set[str] = set()
    for i, sh in enumerate(spec.shocks):
        for fname, q in sh:
            if not isinstance(q, Quantity):
                continue
            base = q.name or f"{sh.kind}.{fname}"
            name, k = base, 2
            while name in taken:
                name = f"{base}_{k}"
                k += 1
            taken.add(name)
            out.append(ShockQuantity(name, i, fname, q, fname in _SHARES))
    return out


def with_quantities(spec: Scenario, changes: Mapping[str, Quantity]) -> Scenario:
    """A copy of a spec with some shock quantities replaced, validated again.

    Parameters
    ----------
    spec : Scenario
        The spec.
    changes : mapping of str to Quantity
        New quantities by name (:func:`shock_quantities`). A new quantity keeps the old one's
        ``name`` (so results stay comparable) and, when it gives none, gets the source
        ``"assumption: changed by the user"``. A quantity made fixed leaves the spec's
        correlations (a fixed number correlates with nothing).

    Returns
    -------
    Scenario

    Raises
    ------
    lahar.errors.DataError
        An unknown name (the spec's names are listed), or a value the spec refuses (a share
        outside [0, 1]); each problem names the quantity.

    Examples
    --------
    >>> spec = builtin_scenario("capex_cut")
    >>> new = with_quantities(spec, {"capex_cut.cut": Quantity(low=0.1, high=0.2)})
    >>> (new.shocks[0].cut.low, new.shocks[0].cut.high)
    (0.1, 0.2)
    >>> with_quantities(spec, {"capex_cut.cut": Quantity(value=1.5)})
    Traceback (most recent call last):
    ...
    lahar.errors.DataError: 1 problem found:
    capex_cut: capex_cut.cut: a share: expected values in [0, 1], got 1.5
    """
    where = {q.name: q for q in shock_quantities(spec)}
    unknown = [k for k in changes if k not in where]
    if unknown:
        msg = (
            f"Scenario {spec.name} has no quantity {', '.join(map(repr, unknown))}; its "
            f"quantities are {', '.join(where) or 'none'}."
        )
        raise DataError(msg)
    raw = spec.model_dump()
    by_place: dict[tuple[int, str], str] = {}
    for name, q in changes.items():
        old = where[name]
        new = q.model_dump(exclude_none=True)
        if old.quantity.name is not None:
            new["name"] = old.quantity.name
        new.setdefault("source", "assumption: changed by the user")
        raw["shocks"][old.shock][old.field] = new
        by_place[(old.shock, old.field)] = name
    fixed = {name for name, q in changes.items() if not q.drawn}
    raw["correlations"] = [c for c in raw["correlations"] if not fixed & {c[0], c[1]}]
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = [x for x in err["loc"] if x not in SHOCK_KINDS]
            hit = None
            if len(loc) > 2 and loc[0] == "shocks":
                hit = by_place.get((int(loc[1]), str(loc[2])))
            field = hit or ".".join(str(x) for x in loc) or "-"
            msg = str(err["msg"]).removeprefix("Value error, ")
            problems.append(Problem(spec.name, None, field, msg))
        raise DataError(problems) from None


_TABLE = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"-]+)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\"-]+)\s*=")


def _locate(text: str) -> dict[tuple[Any, ...], int]:
    """Line of every ``key`` of a TOML text, by path (array-of-tables entries by index)."""
    where: dict[tuple[Any, ...], int] = {}
    counts: dict[str, int] = {}
    path: tuple[Any, ...] = ()
    for no, line in enumerate(text.splitlines(), start=1):
        t = _TABLE.match(line)
        if t:
            name = t.group(2).strip('"')
            if t.group(1) == "[[":
                counts[name] = counts.get(name, -1) + 1
                path = (name, counts[name])
            else:
                path = tuple(name.split("."))
            where.setdefault(path, no)
            continue
        k = _KEY.match(line)
        if k:
            where.setdefault((*path, k.group(1).strip('"')), no)
    return where


def _problem_line(where: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int | None:
    loc = tuple(x for x in loc if x not in SHOCK_KINDS)
    for k in range(len(loc), 0, -1):
        if loc[:k] in where:
            return where[loc[:k]]
    return None


def parse_scenario(text: str, *, file: str = "<spec>") -> Scenario:
    """Validate a spec given as TOML text.

    Raises
    ------
    lahar.errors.DataError
        Invalid TOML or fields; every problem as ``FILE:LINE: FIELD: message``.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise DataError(
            [Problem(file, int(m.group(1)) if m else None, "-", f"invalid TOML: {exc}")]
        ) from None
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        where = _locate(text)
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            field = ".".join(str(x) for x in loc if x not in SHOCK_KINDS) or "-"
            problems.append(Problem(file, _problem_line(where, loc), field, err["msg"]))
        raise DataError(problems) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a spec file (see :func:`parse_scenario`)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError([Problem(p.name, None, "-", f"cannot read the file: {exc}")]) from None
    return parse_scenario(text, file=str(p))


SCENARIO_DIR = Path(__file__).resolve().parent.parent / "data" / "scenarios"
"""Folder of the shipped scenario specs (``lahar/data/scenarios/*.toml``)."""


def builtin_scenarios() -> list[str]:
    """Names of the shipped scenarios, in alphabetical order."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def builtin_scenario(name: str) -> Scenario:
    """A shipped scenario by name.

    Raises
    ------
    lahar.errors.DataError
        No shipped scenario has that name (close matches are listed).
    """
    names = builtin_scenarios()
    if name not in names:
        import difflib

        close = difflib.get_close_matches(name, names, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        msg = f"No shipped scenario {name!r}; the scenarios are {', '.join(names)}.{hint}"
        raise DataError(msg)
    return load_scenario(SCENARIO_DIR / f"{name}.toml")
