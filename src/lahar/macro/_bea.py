"""Build industry-by-industry input–output tables from BEA's shipped summary-level tables.

Reads the tidy CSV files in ``lahar/data/bea`` (see its README) and derives the coefficients
the way BEA does (Horowitz & Planting 2009, ch. 12; BEA 2024 Handbook of Methods):

* ``B = U diag(g)^-1`` (commodity-by-industry direct requirements, 73 commodities incl.
  ``Used`` scrap/second-hand goods and ``Other`` noncomparable imports),
* ``D = V diag(q)^-1`` (market shares; ``V`` the make table, ``q`` commodity output),
* scrap adjustment: industry ``i`` also produces scrap ``h_i`` (make column ``Used``), which is
  not a primary product, so ``W = diag(g / (g - h)) D`` (BEA's transformation matrix; the
  ``Used`` and ``Other`` columns of ``V`` are dropped),
* ``A = W B_71`` (industry-by-industry technical coefficients, the 71 comparable commodity
  rows of ``B``; the ``Used`` and ``Other`` rows are leakages, like value added),
* ``L = (I - A)^-1`` (industry-by-industry total requirements).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from lahar._validation import fail
from lahar.errors import DataError

__all__ = ["BEA_DIR", "bea_tables", "read_codes"]

BEA_DIR = Path(__file__).resolve().parent.parent / "data" / "bea"


def _rows(name: str) -> list[dict[str, str]]:
    path = BEA_DIR / name
    try:
        with path.open(newline="") as fh:
            return list(csv.DictReader(fh))
    except FileNotFoundError as exc:  # pragma: no cover - broken install
        raise DataError(f"{path}: missing shipped BEA file; reinstall lahar") from exc


@cache
def read_codes() -> dict[str, list[tuple[str, str]]]:
    """BEA codes and names by role (industry, commodity, value_added, final_demand), in order."""
    out: dict[str, list[tuple[str, str]]] = {}
    for r in _rows("codes.csv"):
        out.setdefault(r["role"], []).append((r["code"], r["name"]))
    return out


def _matrix(
    rows: list[dict[str, str]],
    year: int,
    row_key: str,
    col_key: str,
    value_key: str,
    row_codes: list[str],
    col_codes: list[str],
    extra: dict[str, str] | None = None,
) -> NDArray[np.float64]:
    ri = {c: i for i, c in enumerate(row_codes)}
    ci = {c: j for j, c in enumerate(col_codes)}
    out = np.zeros((len(row_codes), len(col_codes)))
    for r in rows:
        if int(r["year"]) != year or any(r[k] != v for k, v in (extra or {}).items()):
            continue
        i, j = ri.get(r[row_key]), ci.get(r[col_key])
        if i is not None and j is not None:
            out[i, j] = float(r[value_key])
    return out


@cache
def bea_tables(year: int) -> dict[str, NDArray[np.float64]]:
    """Raw BEA arrays for one year: use, make, published totals (millions of USD)."""
    codes = read_codes()
    ind = [c for c, _ in codes["industry"]]
    com = [c for c, _ in codes["commodity"]]
    va = [c for c, _ in codes["value_added"]]
    fd = [c for c, _ in codes["final_demand"]]
    use_rows = _rows("use.csv")
    years = sorted({int(r["year"]) for r in use_rows})
    if year not in years:
        raise DataError(
            f"No BEA use table for year {year} is shipped; available: {years}. "
            "Pass one of these years to load_bea."
        )
    use = _matrix(use_rows, year, "row", "column", "musd", com + va, ind + fd)
    make = _matrix(_rows("make.csv"), year, "industry", "commodity", "musd", ind, com)
    tot = _rows("totals.csv")
    g = _matrix(tot, year, "code", "quantity", "musd", ind, ["industry_output"])[:, 0]
    q = _matrix(tot, year, "code", "quantity", "musd", com, ["commodity_output"])[:, 0]
    return {
        "use_intermediate": use[: len(com), : len(ind)],
        "use_final": use[: len(com), len(ind) :],
        "value_added": use[len(com) :, : len(ind)],
        "make": make,
        "industry_output": g,
        "commodity_output": q,
    }


def published_requirements(table: str, year: int, vintage: int | None = None) -> NDArray:
    """BEA's published coefficient table as shipped (for tests and the revisions report).

    ``table`` is ``"direct"`` (commodity-by-industry direct requirements, rows = 73 commodities
    then V001–V003, columns = 71 industries) or ``"total"`` (industry-by-industry total
    requirements, 71 x 71; ``vintage`` = BEA release year).
    """
    codes = read_codes()
    ind = [c for c, _ in codes["industry"]]
    if table == "direct":
        rows = [c for c, _ in codes["commodity"]] + [c for c, _ in codes["value_added"]]
        return _matrix(
            _rows("direct_requirements.csv"), year, "row", "column", "coefficient", rows, ind
        )
    if table == "total":
        extra = None if vintage is None else {"vintage": str(vintage)}
        return _matrix(
            _rows("total_requirements.csv"), year, "row", "column", "coefficient", ind, ind, extra
        )
    raise fail("published_requirements", "table", "'direct' or 'total'", repr(table))


def transformation(
    make: NDArray[np.float64],
    industry_output: NDArray[np.float64],
    commodity_output: NDArray[np.float64],
    *,
    scrap: int,
    drop: tuple[int, ...],
) -> NDArray[np.float64]:
    """BEA's scrap-adjusted market-share matrix ``W = diag(g/(g-h)) V diag(q)^-1``.

    Columns listed in ``drop`` (scrap, noncomparable imports) are set to zero.
    """
    q = commodity_output.copy()
    keep = np.ones(q.size, dtype=bool)
    keep[list(drop)] = False
    d = np.zeros_like(make)
    d[:, keep] = make[:, keep] / q[keep]
    h = make[:, scrap]
    nonscrap = (industry_output - h) / industry_output
    return d / nonscrap[:, None]


def fte_by_industry(year: int, compensation: NDArray[np.float64]) -> NDArray[np.float64]:
    """NIPA Table 6.5D full-time-equivalent employees mapped to the 71 BEA industries.

    One-to-one lines are copied; a NIPA line shared by several IO industries (real estate →
    HS + ORE; federal general government → GFGD + GFGN) is split by the industries' shares of
    compensation of employees (V001) in ``compensation`` (same order as the industries).
    Returns persons (NIPA publishes thousands).
    """
    codes = [c for c, _ in read_codes()["industry"]]
    mapping = {r["code"]: int(r["nipa_line"]) for r in _rows("fte_map.csv")}
    fte = {
        int(r["line"]): float(r["thousands"]) * 1e3
        for r in _rows("nipa_fte.csv")
        if int(r["year"]) == year
    }
    if not fte:
        raise DataError(f"nipa_fte.csv: no NIPA Table 6.5D figures for year {year}")
    lines = np.array([mapping[c] for c in codes])
    out = np.zeros(len(codes))
    for line in np.unique(lines):
        members = np.flatnonzero(lines == line)
        comp = compensation[members]
        share = comp / comp.sum() if comp.sum() > 0 else np.full(members.size, 1 / members.size)
        out[members] = fte[int(line)] * share
    return out
