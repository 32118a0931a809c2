"""Sourced parameters of the models (``lahar/data/parameters.csv``).

Every parameter has a central value, a low–high range, a unit, a status (``reported``: a
figure printed in the source; ``derived``: computed from sourced figures, the note says how;
``estimate``: our judgement, anchored on the cited source) and a ``source_id`` into
``sources.csv``. The models take plain numbers; this module is how the CLI and scenarios get
them, with the citation alongside.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from lahar.errors import DataError, Problem

__all__ = ["PARAMETERS_FILE", "Parameter", "ParameterSet", "load_parameters"]

PARAMETERS_FILE = Path(__file__).with_name("parameters.csv")
_STATUS = ("reported", "derived", "estimate")
_MODELS = (
    "network",
    "analytics",
    "contagion",
    "input_output",
    "markets",
    "energy",
    "summary",
    "scenarios",
    "abm",
)
_COLUMNS = ("id", "model", "name", "value", "low", "high", "unit", "status", "source_id", "note")


@dataclass(frozen=True)
class Parameter:
    """One sourced parameter.

    Attributes
    ----------
    id, model, name, unit, status, source_id, note : str
        As in ``parameters.csv``.
    value, low, high : float
        Central value and range (``low <= value <= high``).
    citation : str
        "publication, title (date) url" from ``sources.csv``, or the bare id if the source
        row is missing.
    """

    id: str
    model: str
    name: str
    value: float
    low: float
    high: float
    unit: str
    status: str
    source_id: str
    note: str
    citation: str

    def cite(self) -> str:
        """One line: name, value, unit, status and source."""
        return (
            f"{self.name}: {self.value:g} {self.unit} ({self.status}; "
            f"range {self.low:g}-{self.high:g}) [{self.source_id}] {self.citation}"
        )


class ParameterSet(Mapping[str, Parameter]):
    """Read-only mapping id -> :class:`Parameter`, with :meth:`value` shortcuts.

    Parameters
    ----------
    params : mapping of str to Parameter
    """

    def __init__(self, params: Mapping[str, Parameter]) -> None:
        self._p = dict(params)

    def __getitem__(self, key: str) -> Parameter:
        try:
            return self._p[key]
        except KeyError:
            raise KeyError(
                f"Unknown parameter {key!r}; see parameters.csv (ids: {', '.join(self._p)})"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._p)

    def __len__(self) -> int:
        return len(self._p)

    def value(self, key: str, which: str = "value") -> float:
        """The ``value`` (or ``low`` / ``high``) of one parameter."""
        if which not in ("value", "low", "high"):
            raise ValueError(f"which must be 'value', 'low' or 'high'. Got {which!r} instead.")
        return float(getattr(self[key], which))

    def model(self, model: str) -> ParameterSet:
        """The parameters of one model (a value of the ``model`` column)."""
        return ParameterSet({k: p for k, p in self._p.items() if p.model == model})


def _sources(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as fh:
        return {
            r["id"]: f"{r['publication']}, {r['title']} ({r['date']}) {r['url']}"
            for r in csv.DictReader(fh)
        }


def load_parameters(
    path: str | Path | None = None, *, sources: str | Path | None = None
) -> ParameterSet:
    """Read and check ``parameters.csv``; every bad row is reported at once.

    Parameters
    ----------
    path : str or Path, optional
        Default: the shipped ``lahar/data/parameters.csv``.
    sources : str or Path, optional
        ``sources.csv`` to resolve citations; default the one next to ``path``.

    Returns
    -------
    ParameterSet

    Raises
    ------
    DataError
        Missing columns, duplicate ids, non-numeric values, ``low <= value <= high`` violated,
        unknown model or status, or a ``source_id`` absent from ``sources.csv``.

    Examples
    --------
    >>> p = load_parameters()
    >>> p.value("mpc_stock_wealth")
    0.032
    >>> p["gdp_2025"].unit, p["gdp_2025"].source_id
    ('USD', 'P01')
    """
    path = Path(path) if path is not None else PARAMETERS_FILE
    src_path = Path(sources) if sources is not None else path.parent / "sources.csv"
    cites = _sources(src_path)
    name = path.name
    problems: list[Problem] = []
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise DataError([Problem(name, 1, "-", f"missing columns: {', '.join(missing)}")])
            rows = list(reader)
    except FileNotFoundError as exc:
        raise DataError([Problem(name, None, "-", f"file not found: {path}")]) from exc
    out: dict[str, Parameter] = {}
    for line, r in enumerate(rows, start=2):
        pid = r["id"].strip()
        if not pid:
            problems.append(Problem(name, line, "id", "empty id"))
            continue
        if pid in out:
            problems.append(Problem(name, line, "id", f"duplicate id {pid!r}"))
        nums: dict[str, float] = {}
        for col in ("value", "low", "high"):
            try:
                nums[col] = float(r[col])
                if not math.isfinite(nums[col]):
                    raise ValueError
            except (TypeError, ValueError):
                problems.append(
                    Problem(name, line, col, f"{pid}: expected a finite number, got {r[col]!r}")
                )
        if len(nums) == 3 and not nums["low"] <= nums["value"] <= nums["high"]:
            problems.append(
                Problem(
                    name,
                    line,
                    "value",
                    f"{pid}: expected low <= value <= high, got "
                    f"{nums['low']:g} <= {nums['value']:g} <= {nums['high']:g}",
                )
            )
        if r["model"] not in _MODELS:
            problems.append(
                Problem(
                    name, line, "model", f"{pid}: expected one of {_MODELS}, got {r['model']!r}"
                )
            )
        if r["status"] not in _STATUS:
            problems.append(
                Problem(
                    name, line, "status", f"{pid}: expected one of {_STATUS}, got {r['status']!r}"
                )
            )
        sid = r["source_id"].strip()
        if not sid or (cites and sid not in cites):
            problems.append(
                Problem(name, line, "source_id", f"{pid}: source {sid!r} not in sources.csv")
            )
        if len(nums) == 3:
            out[pid] = Parameter(
                id=pid,
                model=r["model"],
                name=r["name"],
                value=nums["value"],
                low=nums["low"],
                high=nums["high"],
                unit=r["unit"],
                status=r["status"],
                source_id=sid,
                note=r["note"],
                citation=cites.get(sid, sid),
            )
    if problems:
        raise DataError(problems)
    return ParameterSet(out)
