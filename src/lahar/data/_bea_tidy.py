"""Convert BEA's wide input-output workbooks (as CSV) into lahar's tidy, long CSV files.

A maintenance tool, not used at run time: ``python -m lahar.data._bea_tidy SRC DST`` reads the
wide CSV copies of BEA's summary-level workbooks from ``SRC`` (one file per workbook sheet,
header ``code,name,<column codes>``, BEA's ``...`` for "zero or not shown") and writes the
long files under ``DST`` (``src/lahar/data/bea``) that :func:`lahar.data.load_bea`
reads. Values are copied verbatim as BEA printed them; zero and ``...`` cells are dropped; BEA's
own total rows and columns are kept only where BEA publishes a figure our code needs (industry
and commodity output), in ``totals.csv``.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

__all__ = ["main"]

_USE_YEARS = (2017, 2023)
_DR_YEARS = (2023,)
_TR_FILES = {(2017, 2021): "total_requirements_ixi_after_redef_summary_2017_vintage2021.csv"}
_FTE_YEARS = ("2017", "2018")
_VALUE_ADDED = ("V001", "V002", "V003")
# BEA's labels of the final-demand columns (the workbooks give codes only in the header row).
_FINAL_DEMAND = {
    "F010": "Personal consumption expenditures",
    "F02S": "Nonresidential private fixed investment in structures",
    "F02E": "Nonresidential private fixed investment in equipment",
    "F02N": "Nonresidential private fixed investment in intellectual property products",
    "F02R": "Residential private fixed investment",
    "F030": "Change in private inventories",
    "F040": "Exports of goods and services",
    "F050": "Imports of goods and services",
    "F06C": "National defense: Consumption expenditures",
    "F06S": "Federal national defense: Gross investment in structures",
    "F06E": "Federal national defense: Gross investment in equipment",
    "F06N": "Federal national defense: Gross investment in intellectual property products",
    "F07C": "Nondefense: Consumption expenditures",
    "F07S": "Federal nondefense: Gross investment in structures",
    "F07E": "Federal nondefense: Gross investment in equipment",
    "F07N": "Federal nondefense: Gross investment in intellectual property products",
    "F10C": "State and local government consumption expenditures",
    "F10S": "State and local: Gross investment in structures",
    "F10E": "State and local: Gross investment in equipment",
    "F10N": "State and local: Gross investment in intellectual property products",
}


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _is_zero(cell: str) -> bool:
    return cell in ("", "...") or float(cell) == 0.0


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main(src: Path, dst: Path) -> None:
    """Write the tidy files; see the module docstring."""
    codes: list[list[str]] = []
    use_rows: list[list[str]] = []
    make_rows: list[list[str]] = []
    totals: list[list[str]] = []
    for year in _USE_YEARS:
        header, rows = _read(src / f"use_after_redef_pro_summary_{year}.csv")
        industries = header[2 : header.index("Total Intermediate")]
        final = [c for c in header if c.startswith("F")]
        commodities = [
            r[0] for r in rows[: rows.index(next(r for r in rows if r[0] == "Total Intermediate"))]
        ]
        if year == _USE_YEARS[-1]:
            names = {r[0]: r[1] for r in rows}
            mheader, mrows = _read(src / f"make_after_redef_summary_{year}.csv")
            inames = {r[0]: r[1] for r in mrows}
            codes += [["industry", c, inames[c]] for c in industries]
            codes += [["commodity", c, names[c]] for c in commodities]
            codes += [["value_added", c, names[c]] for c in _VALUE_ADDED]
            codes += [["final_demand", c, _FINAL_DEMAND[c]] for c in final]
        keep_cols = [(j, c) for j, c in enumerate(header) if c in industries or c in final]
        for r in rows:
            if r[0] not in commodities and r[0] not in _VALUE_ADDED:
                continue
            for j, c in keep_cols:
                if not _is_zero(r[j]):
                    use_rows.append([str(year), r[0], c, r[j]])
            if r[0] in commodities:
                totals.append(
                    [str(year), "commodity_output", r[0], r[header.index("Total Commodity Output")]]
                )
        tio = next(r for r in rows if r[0] == "Total Industry Output")
        totals += [[str(year), "industry_output", c, tio[header.index(c)]] for c in industries]
        mheader, mrows = _read(src / f"make_after_redef_summary_{year}.csv")
        for r in mrows:
            if r[0] not in industries:
                continue
            for j, c in enumerate(mheader[2:], start=2):
                if c in commodities and not _is_zero(r[j]):
                    make_rows.append([str(year), r[0], c, r[j]])
    dr_rows: list[list[str]] = []
    for year in _DR_YEARS:
        header, rows = _read(src / f"direct_requirements_cxi_after_redef_summary_{year}.csv")
        for r in rows:
            if r[0] == "Total":
                continue
            for j, c in enumerate(header[2:], start=2):
                if not _is_zero(r[j]):
                    dr_rows.append([str(year), r[0], c, r[j]])
    tr_rows: list[list[str]] = []
    for (year, vintage), fname in _TR_FILES.items():
        header, rows = _read(src / fname)
        for r in rows:
            if r[0].startswith("Total"):
                continue
            for j, c in enumerate(header[2:], start=2):
                if not _is_zero(r[j]):
                    tr_rows.append([str(year), str(vintage), r[0], c, r[j]])
    header, rows = _read(src / "nipa_t6_5d_fte_employees_by_industry_1998-2018.csv")
    fte_rows = [[r[0], r[1], r[2], y, r[header.index(y)]] for r in rows for y in _FTE_YEARS]
    _write(dst / "codes.csv", ["role", "code", "name"], codes)
    _write(dst / "use.csv", ["year", "row", "column", "musd"], use_rows)
    _write(dst / "make.csv", ["year", "industry", "commodity", "musd"], make_rows)
    _write(dst / "totals.csv", ["year", "quantity", "code", "musd"], totals)
    _write(dst / "direct_requirements.csv", ["year", "row", "column", "coefficient"], dr_rows)
    _write(
        dst / "total_requirements.csv", ["year", "vintage", "row", "column", "coefficient"], tr_rows
    )
    _write(dst / "nipa_fte.csv", ["line", "industry", "series_code", "year", "thousands"], fte_rows)


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    main(Path(sys.argv[1]), Path(sys.argv[2]))
