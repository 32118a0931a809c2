"""Validate and read the dataset CSVs against ``schema.csv``, reporting every problem at once.

A problem reads ``FILE:LINE: FIELD: message``, with LINE as the file shows it (header = 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from lahar.errors import DataError, Problem
from lahar.network import TERM_FORBIDDEN, TERM_REQUIRED

__all__ = [
    "FILES",
    "MAX_FILE_BYTES",
    "MAX_PROBLEMS_PER_FILE",
    "Field",
    "Metric",
    "metrics",
    "read_tables",
    "schema",
    "validate",
]

FILES: tuple[str, ...] = ("sources.csv", "entities.csv", "exposures.csv", "facts.csv")
"""Dataset files in dependency order."""

_SCHEMA_PATH = Path(__file__).with_name("schema.csv")

_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
_ENTITY_ID = re.compile(r"^[a-z0-9_]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL = re.compile(r"^https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d+)?([/?#]\S*)?$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")

# Rules that are not a matter of type: (file, field) -> (lower bound, inclusive?)
_BOUNDS = {
    ("exposures.csv", "amount_usd"): (0.0, True),
    ("exposures.csv", "term_years"): (0.0, False),
    ("exposures.csv", "quantity"): (0.0, True),
}
_YEAR_RANGE = (1990, 2060)
_GOVERNANCE_STATUSES = frozenset({"announced", "reported", "estimate"})
_METRICS_PATH = Path(__file__).with_name("metrics.csv")
_BASIS_OF_NATURE = {
    "flow": frozenset({"year", "ttm", "run_rate", "half", "quarter", "multi_year"}),
    "stock": frozenset({"point"}),
}
"""Bases a figure may have, by the nature of its metric (ratios may have any)."""


@dataclass(frozen=True)
class Metric:
    """One facts metric, as declared in ``metrics.csv``."""

    name: str
    unit: str
    nature: str
    description: str


@functools.cache
def _metrics() -> dict[str, Metric]:
    with _METRICS_PATH.open(encoding="utf-8", newline="") as fh:
        return {
            r["metric"]: Metric(r["metric"], r["unit"], r["nature"], r["description"])
            for r in csv.DictReader(fh)
        }


def metrics() -> dict[str, Metric]:
    """Return the facts metrics of ``metrics.csv``: name -> :class:`Metric`.

    ``nature`` is ``flow`` (a figure over a period: revenue, capex), ``stock`` (a figure at a
    date: assets, equity, market value) or ``ratio``.
    """
    return dict(_metrics())


@dataclass(frozen=True)
class Field:
    """One column of one dataset file, as declared in ``schema.csv``."""

    file: str
    name: str
    type: str
    unit: str
    required: bool
    allowed: tuple[str, ...]
    description: str


def schema() -> dict[str, list[Field]]:
    """Return the dataset schema: file name -> its columns in order."""
    out: dict[str, list[Field]] = {f: [] for f in FILES}
    with _SCHEMA_PATH.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out[row["file"]].append(
                Field(
                    row["file"],
                    row["field"],
                    row["type"],
                    row["unit"],
                    row["required"] == "yes",
                    tuple(row["allowed"].split("|")) if row["allowed"] else (),
                    row["description"],
                )
            )
    return out


MAX_FILE_BYTES = 64 * 2**20
"""Largest dataset CSV read (64 MiB); a larger file is refused before it is read."""
MAX_PROBLEMS_PER_FILE = 100
"""Problems listed per file; the rest are counted (``... and N more``)."""
_MAX_LINE_BYTES = 2**20  # one physical line; a longer one is junk, refused unread


class _Problems(list):
    """A problem list that keeps the first :data:`MAX_PROBLEMS_PER_FILE` of each file.

    Later problems of a full file are only counted, so a file of junk costs bounded memory;
    :meth:`finish` appends one ``... and N more`` line per full file.
    """

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[str, int] = {}
        self.dropped: dict[str, int] = {}

    def append(self, problem: Problem) -> None:
        n = self.kept.get(problem.file, 0)
        if n >= MAX_PROBLEMS_PER_FILE:
            self.dropped[problem.file] = self.dropped.get(problem.file, 0) + 1
            return
        self.kept[problem.file] = n + 1
        super().append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            self.append(p)

    def full(self, file: str) -> bool:
        """True once ``file`` has the most problems listed."""
        return self.kept.get(file, 0) >= MAX_PROBLEMS_PER_FILE

    def finish(self) -> list[Problem]:
        """The kept problems plus one ``... and N more`` line per full file."""
        out = list(self)
        for file, n in self.dropped.items():
            out.append(
                Problem(
                    file,
                    None,
                    "-",
                    f"... and {n} more problem{'s' if n != 1 else ''} "
                    f"(only the first {MAX_PROBLEMS_PER_FILE} are listed)",
                )
            )
        return out


def _open_regular(path: Path, problems: list[Problem]) -> BinaryIO | None:
    """Open a dataset file for reading if it is a regular file within the size limit."""
    name = path.name
    try:
        info = path.stat()  # follows a link: a link to a regular file is fine
    except FileNotFoundError:
        problems.append(Problem(name, None, "-", f"file not found in {path.parent}"))
        return None
    except OSError as exc:
        problems.append(Problem(name, None, "-", f"cannot read: {exc.strerror}"))
        return None
    if not stat.S_ISREG(info.st_mode):
        problems.append(
            Problem(name, None, "-", "not a regular file (a device, pipe, socket or folder)")
        )
        return None
    if info.st_size > MAX_FILE_BYTES:
        problems.append(
            Problem(
                name,
                None,
                "-",
                f"file is {info.st_size / 2**20:.1f} MiB, over the {MAX_FILE_BYTES // 2**20} "
                "MiB limit of a dataset file",
            )
        )
        return None
    try:
        return path.open("rb")
    except OSError as exc:
        problems.append(Problem(name, None, "-", f"cannot read: {exc.strerror}"))
        return None


def _decoded_lines(fh: BinaryIO, name: str, problems: list[Problem]) -> Iterator[str]:
    """Yield the file's lines as text, line by line; stop at bad UTF-8 or past the size cap."""
    read = 0
    lines = iter(lambda: fh.readline(_MAX_LINE_BYTES + 1), b"")
    for number, raw in enumerate(lines, start=1):
        if len(raw) > _MAX_LINE_BYTES:
            problems.append(
                Problem(name, number, "-", f"line longer than {_MAX_LINE_BYTES // 2**20} MiB")
            )
            return
        read += len(raw)
        if read > MAX_FILE_BYTES:  # the file grew after it was measured
            problems.append(
                Problem(
                    name, number, "-", f"file grew past the {MAX_FILE_BYTES // 2**20} MiB limit"
                )
            )
            return
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(name, number, "-", f"not valid UTF-8 ({exc.reason})"))
            return
        yield text.removeprefix("\ufeff") if number == 1 else text


def _records(
    path: Path, problems: list[Problem]
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Header and a lazy iterator of ``(line, fields)`` records: the file is streamed.

    Decoding, size and CSV problems are reported into ``problems`` as the records are read.
    """
    name = path.name
    fh = _open_regular(path, problems)
    if fh is None:
        return [], iter(())
    reader = csv.reader(_decoded_lines(fh, name, problems), strict=True)
    try:
        first = next(reader, None)
    except csv.Error as exc:
        problems.append(Problem(name, 1, "-", f"malformed CSV: {exc}"))
        first = None
    if first is None:
        fh.close()
        if not any(p.file == name for p in problems):
            problems.append(Problem(name, 1, "-", "empty file: expected a header row"))
        return [], iter(())
    return [h.strip() for h in first], _rest(reader, fh, name, problems)


def _rest(
    reader: Any, fh: BinaryIO, name: str, problems: list[Problem]
) -> Iterator[tuple[int, list[str]]]:
    """The records after the header, with the line each starts on; closes the file."""
    start = reader.line_num + 1
    with fh:
        try:
            for rec in reader:
                if rec and any(x.strip() for x in rec):
                    yield start, rec
                start = reader.line_num + 1
        except csv.Error as exc:
            problems.append(Problem(name, start, "-", f"malformed CSV: {exc}"))


def _check_value(f: Field, raw: str, line: int, problems: list[Problem]) -> None:
    """Type checks of one non-empty value."""
    file, name = f.file, f.name

    def bad(msg: str) -> None:
        problems.append(Problem(file, line, name, msg))

    if f.type == "id":
        pattern = _ENTITY_ID if file == "entities.csv" else _ID
        if not pattern.match(raw):
            want = (
                "a lower-case slug [a-z0-9_]+"
                if file == "entities.csv"
                else "letters, digits, _ . -"
            )
            bad(f"expected {want}, got {raw!r}")
    elif f.type == "enum":
        if raw not in f.allowed:
            bad(f"expected one of {', '.join(f.allowed)}; got {raw!r}")
    elif f.type == "metric":
        known = metrics()
        if raw not in known:
            bad(f"expected a metric of metrics.csv ({', '.join(known)}); got {raw!r}")
    elif f.type == "float":
        try:
            x = float(raw)
        except ValueError:
            bad(f"expected a number, got {raw!r}")
            return
        if not np.isfinite(x):
            bad(f"expected a finite number, got {raw!r}")
            return
        bound = _BOUNDS.get((file, name))
        if bound is not None:
            lo, inclusive = bound
            if x < lo or (not inclusive and x == lo):
                bad(f"expected {'>=' if inclusive else '>'} {lo:g}, got {raw}")
    elif f.type == "int":
        try:
            x = int(raw)
        except ValueError:
            bad(f"expected an integer, got {raw!r}")
            return
        if name == "year" and not _YEAR_RANGE[0] <= x <= _YEAR_RANGE[1]:
            bad(f"expected a year in {_YEAR_RANGE[0]}-{_YEAR_RANGE[1]}, got {x}")
    elif f.type == "date":
        ok = bool(_DATE.match(raw))
        if ok:
            try:
                dt.date.fromisoformat(raw)
            except ValueError:
                ok = False
        if not ok:
            bad(f"expected a date YYYY-MM-DD, got {raw!r}")
    elif f.type == "url":
        if not _URL.match(raw):
            bad(f"expected an http(s) URL, got {raw!r}")
    elif f.type == "country" and not _COUNTRY.match(raw):
        bad(f"expected an ISO 3166-1 alpha-2 code (e.g. US), got {raw!r}")


def _file_problems(
    directory: Path, fields: list[Field], problems: list[Problem]
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Parse one file; check header, row lengths, required values, types and unique ids."""
    name = fields[0].file
    header, records = _records(directory / name, problems)
    if not header:
        return [], []
    expected = [f.name for f in fields]
    for col in expected:
        if col not in header:
            problems.append(Problem(name, 1, col, "missing column"))
    seen: set[str] = set()
    for col in header:
        if col not in expected:
            problems.append(
                Problem(name, 1, col or "-", f"unexpected column; expected {', '.join(expected)}")
            )
        elif col in seen:
            problems.append(Problem(name, 1, col, "duplicate column"))
        seen.add(col)
    rows: list[tuple[int, dict[str, str]]] = []
    ids: dict[str, int] = {}
    by_name = {f.name: f for f in fields}
    for line, rec in records:
        if len(rec) != len(header):
            problems.append(
                Problem(name, line, "-", f"expected {len(header)} fields, got {len(rec)}")
            )
            continue
        row = {h: v.strip() for h, v in zip(header, rec, strict=True)}
        for col, f in by_name.items():
            if col not in row:
                continue
            raw = row[col]
            if raw == "":
                if f.required:
                    problems.append(Problem(name, line, col, "required value is empty"))
                continue
            _check_value(f, raw, line, problems)
        rid = row.get("id", "")
        if rid:
            if rid in ids:
                problems.append(
                    Problem(name, line, "id", f"duplicate id {rid!r} (first on line {ids[rid]})")
                )
            else:
                ids[rid] = line
        if not _is_full(problems, name):
            rows.append((line, row))
    return header, rows


def _is_full(problems: list[Problem], file: str) -> bool:
    """True once ``file`` has the most problems listed (its rows are then no longer kept)."""
    return isinstance(problems, _Problems) and problems.full(file)


def _cross_checks(
    parsed: dict[str, list[tuple[int, dict[str, str]]]], problems: list[Problem]
) -> None:
    """Check references between files and rules that involve several fields."""
    source_ids = {r.get("id", "") for _, r in parsed["sources.csv"]}
    entity_ids = {r.get("id", "") for _, r in parsed["entities.csv"]}
    exposures_by_id = {r.get("id", ""): r for _, r in parsed["exposures.csv"]}
    known_metrics = metrics()

    def ref(
        file: str, line: int, row: dict[str, str], col: str, known: set[str], what: str
    ) -> None:
        v = row.get(col, "")
        if v and v not in known:
            problems.append(Problem(file, line, col, f"unknown {what} id {v!r}"))

    for line, row in parsed["entities.csv"]:
        ref("entities.csv", line, row, "parent", entity_ids, "entity")
        ref("entities.csv", line, row, "source_id", source_ids, "source")
        if row.get("parent") and row.get("parent") == row.get("id"):
            problems.append(
                Problem("entities.csv", line, "parent", "an entity cannot be its own parent")
            )
    for line, row in parsed["exposures.csv"]:
        f = "exposures.csv"
        ref(f, line, row, "source", entity_ids, "entity")
        ref(f, line, row, "target", entity_ids, "entity")
        ref(f, line, row, "source_id", source_ids, "source")
        if row.get("source") and row.get("source") == row.get("target"):
            problems.append(
                Problem(
                    f, line, "target", f"source and target are the same entity {row['target']!r}"
                )
            )
        layer, term, status = row.get("layer", ""), row.get("term_years", ""), row.get("status", "")
        if layer in TERM_REQUIRED and not term:
            problems.append(
                Problem(
                    f,
                    line,
                    "term_years",
                    f"required for layer {layer} (a multi-year contract is annualised as amount/term)",
                )
            )
        if layer in TERM_FORBIDDEN and term:
            problems.append(
                Problem(
                    f,
                    line,
                    "term_years",
                    f"must be empty for layer {layer} (a stake or tie, not a flow)",
                )
            )
        if layer == "governance" and status and status not in _GOVERNANCE_STATUSES:
            problems.append(
                Problem(
                    f,
                    line,
                    "status",
                    f"a governance tie is {', '.join(sorted(_GOVERNANCE_STATUSES))}; got {status!r}",
                )
            )
        sup = row.get("supersedes", "")
        if sup:
            old = exposures_by_id.get(sup)
            if old is None:
                problems.append(Problem(f, line, "supersedes", f"unknown exposure id {sup!r}"))
            elif sup == row.get("id"):
                problems.append(
                    Problem(f, line, "supersedes", "an exposure cannot supersede itself")
                )
            elif (old.get("source"), old.get("target")) != (row.get("source"), row.get("target")):
                problems.append(
                    Problem(
                        f,
                        line,
                        "supersedes",
                        f"{sup!r} is between other entities ({old.get('source')} -> {old.get('target')})",
                    )
                )
        if bool(row.get("quantity")) != bool(row.get("quantity_unit")):
            problems.append(
                Problem(f, line, "quantity_unit", "quantity and quantity_unit go together")
            )
    for line, row in parsed["facts.csv"]:
        f = "facts.csv"
        ref(f, line, row, "entity", entity_ids, "entity")
        ref(f, line, row, "source_id", source_ids, "source")
        metric, unit = row.get("metric", ""), row.get("unit", "")
        spec = known_metrics.get(metric)
        if spec is None:
            continue
        if unit and unit != spec.unit:
            problems.append(
                Problem(f, line, "unit", f"metric {metric} is in {spec.unit}; got {unit!r}")
            )
        basis = row.get("basis", "")
        allowed = _BASIS_OF_NATURE.get(spec.nature)
        if basis and allowed is not None and basis not in allowed:
            problems.append(
                Problem(
                    f,
                    line,
                    "basis",
                    f"{metric} is a {spec.nature}: expected one of {', '.join(sorted(allowed))}; "
                    f"got {basis!r}",
                )
            )
        _check_range(f, line, row, problems)
    for line, row in parsed["sources.csv"]:
        if row.get("accessed") and row.get("date") and row["accessed"] < row["date"]:
            problems.append(
                Problem("sources.csv", line, "accessed", "accessed before the publication date")
            )
    _consistency_checks(parsed, problems)


STRONG_SOURCE_CLASSES = frozenset({"primary", "press"})
"""Source classes that may carry ``confidence = high`` (rules in docs/data.md)."""
CAPACITY_LAYERS = frozenset({"equity", "debt"})
"""Layers whose holdings may be held for clients (``capacity``)."""
_HELD_STATUSES = frozenset({"drawn", "reported", "estimate"})
"""Exposure statuses that describe a stake actually held (not a plan)."""


def _amount(row: dict[str, str], col: str) -> float | None:
    try:
        x = float(row.get(col, ""))
    except ValueError:
        return None
    return x if np.isfinite(x) else None


def _latest_fact(
    parsed: dict[str, list[tuple[int, dict[str, str]]]], metric: str
) -> dict[str, tuple[int, float]]:
    """Entity -> (line, value) of its latest-year ``metric`` fact (the largest value of that year)."""
    best: dict[str, tuple[int, int, float]] = {}
    for line, row in parsed["facts.csv"]:
        if row.get("metric") != metric:
            continue
        value = _amount(row, "value")
        try:
            year = int(row.get("year", ""))
        except ValueError:
            continue
        if value is None:
            continue
        key = row.get("entity", "")
        old = best.get(key)
        if old is None or (year, value) > (old[1], old[2]):
            best[key] = (line, year, value)
    return {k: (line, value) for k, (line, _, value) in best.items()}


def _consistency_checks(
    parsed: dict[str, list[tuple[int, dict[str, str]]]], problems: list[Problem]
) -> None:
    """Rules that keep the dataset honest: source class and confidence, who holds what, overlaps.

    * ``confidence = high`` needs a primary or press source; an estimate is never ``high``;
    * ``capacity`` only on equity and debt;
    * ``completed_date`` only on drawn or reported rows, and not before ``committed_date``;
    * two rows between the same source and target in the same layer on the same date must be
      linked: one supersedes the other, or each names the other's id in ``note`` (additive
      tranches);
    * an equity stake is not larger than the issuer's latest ``market_cap`` fact;
    * a holder's own (``capacity`` not ``client``) equity and debt held (drawn, reported or
      estimate; not superseded) do not exceed its latest ``total_assets`` fact.
    """
    source_class = {r.get("id", ""): r.get("source_class", "") for _, r in parsed["sources.csv"]}
    for file in ("exposures.csv", "facts.csv"):
        for line, row in parsed[file]:
            if row.get("confidence") != "high":
                continue
            cls = source_class.get(row.get("source_id", ""))
            if cls is not None and cls not in STRONG_SOURCE_CLASSES:
                problems.append(
                    Problem(
                        file,
                        line,
                        "confidence",
                        f"high needs a primary or press source; {row['source_id']} is "
                        f"{cls or 'unclassified'} (use medium or low, or cite a better source)",
                    )
                )
            if row.get("status") == "estimate":
                problems.append(
                    Problem(file, line, "confidence", "an estimate is low or medium, never high")
                )
    exposures = parsed["exposures.csv"]
    superseded = {r.get("supersedes", "") for _, r in exposures} - {""}
    groups: dict[tuple[str, str, str, str], list[tuple[int, dict[str, str]]]] = {}
    for line, row in exposures:
        cap, layer = row.get("capacity", ""), row.get("layer", "")
        if cap and layer and layer not in CAPACITY_LAYERS:
            problems.append(
                Problem(
                    "exposures.csv",
                    line,
                    "capacity",
                    f"capacity applies to equity and debt holdings only; layer is {layer}",
                )
            )
        key = (row.get("source", ""), row.get("target", ""), layer, row.get("date", ""))
        groups.setdefault(key, []).append((line, row))
    for rows in groups.values():
        for i, (line, row) in enumerate(rows):
            for _, other in rows[:i]:
                a, b = row.get("id", ""), other.get("id", "")
                linked = row.get("supersedes") == b or other.get("supersedes") == a
                named = b in row.get("note", "") and a in other.get("note", "")
                if not (linked or named):
                    problems.append(
                        Problem(
                            "exposures.csv",
                            line,
                            "supersedes",
                            f"{a} and {b} tie the same source and target in layer "
                            f"{row.get('layer')} on {row.get('date')}: supersede one, or name "
                            "each other in note if they add up",
                        )
                    )
    for line, row in exposures:
        committed, completed = row.get("committed_date", ""), row.get("completed_date", "")
        if completed and row.get("status") not in ("drawn", "reported"):
            problems.append(
                Problem(
                    "exposures.csv",
                    line,
                    "completed_date",
                    f"a completed deal is drawn (or reported); status is {row.get('status')!r}",
                )
            )
        if committed and completed and completed < committed:
            problems.append(
                Problem(
                    "exposures.csv",
                    line,
                    "completed_date",
                    f"completed {completed} before it was committed {committed}",
                )
            )
    market_cap = _latest_fact(parsed, "market_cap")
    for line, row in exposures:
        if row.get("layer") != "equity" or row.get("id") in superseded:
            continue
        amount, cap_fact = _amount(row, "amount_usd"), market_cap.get(row.get("target", ""))
        if amount is not None and cap_fact is not None and amount > cap_fact[1]:
            problems.append(
                Problem(
                    "exposures.csv",
                    line,
                    "amount_usd",
                    f"stake ${amount:,.0f} exceeds {row['target']}'s market value "
                    f"${cap_fact[1]:,.0f} (facts.csv:{cap_fact[0]})",
                )
            )
    assets = _latest_fact(parsed, "total_assets")
    own: dict[str, list[tuple[float, int]]] = {}
    for line, row in exposures:
        amount = _amount(row, "amount_usd")
        if (
            row.get("layer") in CAPACITY_LAYERS
            and row.get("capacity", "") != "client"
            and row.get("status") in _HELD_STATUSES
            and row.get("id") not in superseded
            and amount is not None
        ):
            own.setdefault(row.get("source", ""), []).append((amount, line))
    for holder, stakes in own.items():
        total, limit = sum(a for a, _ in stakes), assets.get(holder)
        if limit is not None and total > limit[1]:
            problems.append(
                Problem(
                    "exposures.csv",
                    max(stakes)[1],
                    "capacity",
                    f"{holder}'s own equity and debt holdings sum to ${total:,.0f}, more than "
                    f"its total assets ${limit[1]:,.0f} (facts.csv:{limit[0]}); mark holdings "
                    "for clients capacity=client, or fix the amounts",
                )
            )


def _check_range(file: str, line: int, row: dict[str, str], problems: list[Problem]) -> None:
    """``low <= value <= high`` where a range is given; low and high go together."""
    low, high, value = row.get("low", ""), row.get("high", ""), row.get("value", "")
    if bool(low) != bool(high):
        problems.append(Problem(file, line, "high" if low else "low", "low and high go together"))
        return
    if not low:
        return
    try:
        lo, hi, v = float(low), float(high), float(value)
    except ValueError:
        return  # reported by the type checks
    if not lo <= v <= hi:
        problems.append(
            Problem(
                file, line, "value", f"expected low <= value <= high; got {lo:g}, {v:g}, {hi:g}"
            )
        )


def _parse(directory: Path) -> tuple[list[Problem], dict[str, list[tuple[int, dict[str, str]]]]]:
    if not directory.is_dir():
        what = "no such folder" if not directory.exists() else "not a folder"
        return [Problem(str(directory), None, "-", f"{what}: expected a dataset folder")], {}
    problems = _Problems()
    spec = schema()
    parsed = {}
    for file in FILES:
        _, rows = _file_problems(directory, spec[file], problems)
        parsed[file] = rows
    if not any(problems.full(f) for f in FILES):  # a file of junk: cross checks would be noise
        _cross_checks(parsed, problems)
    problems.sort(key=lambda p: (FILES.index(p.file) if p.file in FILES else 99, p.line or 0))
    return problems.finish(), parsed


def validate(directory: str | Path | None = None) -> list[Problem]:
    """Check a dataset directory against the schema; return every problem found.

    Parameters
    ----------
    directory : str or Path, optional
        Folder with ``sources.csv``, ``entities.csv``, ``exposures.csv``, ``facts.csv``;
        default: the shipped dataset.

    Returns
    -------
    list of Problem
        Empty when the dataset is valid; each prints as ``FILE:LINE: FIELD: message``.

    Examples
    --------
    >>> from lahar.data import validate
    >>> validate()
    []
    """
    return _parse(_dir(directory))[0]


def _dir(directory: str | Path | None) -> Path:
    return Path(__file__).parent if directory is None else Path(directory)


def read_tables(directory: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Validate and read a dataset into typed DataFrames.

    Strings are pandas ``str`` columns (missing = NA), numbers float64 (missing = NaN),
    ``year`` int64, dates ISO strings ``YYYY-MM-DD``.

    Parameters
    ----------
    directory : str or Path, optional
        Dataset folder; default: the shipped dataset.

    Returns
    -------
    dict of str to DataFrame
        Keys ``sources``, ``entities``, ``exposures``, ``facts``; columns in schema order.

    Raises
    ------
    DataError
        The dataset has problems; all of them are listed.
    """
    problems, parsed = _parse(_dir(directory))
    if problems:
        raise DataError(problems)
    spec = schema()
    return {file.removesuffix(".csv"): _frame(spec[file], parsed[file]) for file in FILES}


def _frame(fields: list[Field], rows: list[tuple[int, dict[str, str]]]) -> pd.DataFrame:
    cols = {}
    for f in fields:
        raw = [r.get(f.name, "") for _, r in rows]
        cols[f.name] = typed_column(f.type, raw)
    return pd.DataFrame(cols)


def typed_column(kind: str, raw: list[str] | Iterator[str]) -> pd.Series:
    """Convert raw strings of a schema type to the canonical column type (empty = missing)."""
    raw = list(raw)
    if kind == "float":
        return pd.Series([float(x) if x != "" else np.nan for x in raw], dtype="float64")
    if kind == "int":
        return pd.Series([int(x) for x in raw], dtype="int64")
    return pd.Series([x if x != "" else None for x in raw], dtype="str")
