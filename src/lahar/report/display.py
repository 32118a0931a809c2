"""How the findings tables are shown: titles, short headers and number formats.

Shared by ``lahar analyze`` (rich tables) and ``scripts/findings.py`` (``docs/findings.md``):
both show the numbers of :mod:`lahar.report.findings` through :func:`display_table`. Formats
are chosen by column name and, for the mixed-unit summary tables, by their ``unit`` column,
never by a row's label.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["DISPLAY", "TITLES", "display_table", "format_table", "formatter"]

TITLES: dict[str, str] = {
    "circularity_summary": "Circular money in the AI network (annualised, status-weighted)",
    "circularity_firms": "Round-tripped and circulating money per firm vs its AI revenue",
    "circularity_cycles": "Largest money cycles (value = smallest flow on the cycle, per year)",
    "circularity_sensitivity": "Round-tripped share of AI revenue under other assumptions",
    "leverage_firms": "Leverage with off-balance-sheet debt added back",
    "leverage_collateral": "GPU collateral: book vs economic value, LTV of the xAI GPU SPV loan",
    "leverage_wall": "Refinancing wall: principal falling due per year (AI-network debt rows)",
    "leverage_loans": "Loans and bonds in the network with their maturities",
    "gap_aggregate": "The monetization gap (Sequoia's method; Bain's 2030 anchor)",
    "gap_firms": "Capex vs AI revenue by firm (revenue needed = capex / 50% margin)",
    "gap_years": "Years for AI revenue to reach the revenue needed",
    "concentration_index": "Concentration of the S&P 500",
    "concentration_savings": "Savings riding on the top 7 (market-cap-weighted holdings)",
    "energy_load": "Data-centre load: GW to TWh and share of US electricity",
    "energy_plants": "Power plants, PPAs, restarts and fossil capacity for data centres",
    "geopolitics_deals": "Chips out, capital in: deals",
    "geopolitics_ledger": "Chips out, capital in: ledger per country",
    "governance_paths": "Officials -> tied firms -> deals, with dollars",
}
"""Display title of each table."""


DISPLAY: dict[str, dict[str, str]] = {
    "circularity_summary": {"item": "item", "figure": "figure", "unit": "unit"},
    "gap_aggregate": {"item": "item", "figure": "figure", "basis": "basis"},
    "concentration_index": {
        c: c
        for c in (
            "basis",
            "top7_share",
            "hhi_low",
            "hhi_high",
            "effective_low",
            "effective_high",
        )
    },
    "concentration_savings": {
        c: c
        for c in (
            "pool",
            "assets_usd",
            "equity_share",
            "top7_weight",
            "riding_on_top7_usd",
            "sources",
        )
    },
    "circularity_firms": {
        "entity": "firm",
        "ai_revenue_usd": "AI revenue",
        "network_in_usd": "paid in by network",
        "network_out_usd": "pays into network",
        "round_trip_share": "round trip",
        "returned_usd": "own money back",
        "own_money_share_of_network_revenue": "own money / network rev",
        "returned_pct_ai_revenue": "back / AI rev",
        "circulating_pct_ai_revenue": "circulating / AI rev",
        "from_investees_pct_ai_revenue": "from investees / AI rev",
    },
    "circularity_sensitivity": {
        "assumptions": "assumptions",
        "entity": "firm",
        "returned_pct_ai_revenue": "back / AI rev",
        "circulating_pct_ai_revenue": "circulating / AI rev",
        "network_circulation_usd": "network circulation",
    },
    "leverage_firms": {
        "entity": "firm",
        "debt_usd": "debt",
        "lease_commitments_usd": "lease commitments",
        "spv_debt_usd": "SPV debt",
        "debt_to_ebitda": "debt/EBITDA",
        "debt_to_ebit": "debt/EBIT",
        "interest_coverage": "EBIT/interest",
        "debt_to_assets": "debt/assets",
        "adj_debt_usd": "adj. debt",
        "adj_debt_to_ebit": "adj. debt/EBIT",
        "adj_debt_to_assets": "adj. debt/assets",
    },
    "leverage_loans": {
        "id": "deal",
        "lender": "lender",
        "borrower": "borrower",
        "amount_usd": "amount",
        "status": "status",
        "maturity_year": "matures",
        "maturity_basis": "maturity from",
    },
    "gap_firms": {
        "entity": "firm",
        "capex_usd": "capex",
        "capex_basis": "capex fact",
        "ai_revenue_usd": "AI revenue",
        "revenue_needed_usd": "revenue needed",
        "ai_revenue_pct_needed": "AI rev / needed",
    },
    "energy_plants": {
        "deal": "deal",
        "buyer": "buyer",
        "plant": "plant",
        "mw": "MW",
        "years": "years",
        "usd_per_year": "$/yr",
        "twh_per_year": "TWh/yr",
        "usd_per_mwh": "$/MWh",
        "gov_support_usd": "federal support",
        "role": "role",
    },
    "energy_load": {
        "load": "load",
        "gw": "GW",
        "twh_per_year": "TWh/yr",
        "share_of_us": "share of US",
        "basis": "basis",
    },
    "geopolitics_deals": {
        "deal": "deal",
        "kind": "kind",
        "from": "from",
        "to": "to",
        "country": "country",
        "usd": "USD",
        "units": "chips",
        "status": "status",
    },
}
"""Columns shown in the terminal and the docs (short headers); csv/json carry every column."""


def display_table(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Formatted (:func:`format_table`) and, where :data:`DISPLAY` says so, narrowed."""
    out = format_table(name, frame)
    cols = DISPLAY.get(name)
    if cols:
        out = out[[c for c in cols if c in out.columns]].rename(columns=cols)
    return out


def _usd(x: Any) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "-"
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(x) >= scale:
            return f"${x / scale:,.{3 if scale == 1e12 else 1}f}{suffix}"
    return f"${x:,.0f}"


def _num(digits: int, suffix: str = "", scale: float = 1.0) -> Callable[[Any], str]:
    def f(x: Any) -> str:
        if x is None or (isinstance(x, float) and not np.isfinite(x)):
            return "inf" if isinstance(x, float) and np.isinf(x) else "-"
        return f"{x * scale:,.{digits}f}{suffix}"

    return f


def formatter(table: str, column: str) -> Callable[[Any], str] | None:
    """How a number of ``column`` in ``table`` is shown (shared by the CLI and the docs).

    Returns
    -------
    callable or None
        A function value → str, or None for text columns and plain counts.
    """
    if column == "usd_per_mwh":
        return lambda x: "-" if not np.isfinite(x) else f"${x:,.1f}"
    if column.endswith("_usd") or column == "usd_per_year":
        return _usd
    if (
        column.startswith("pct")
        or column.endswith("_pct_ai_revenue")
        or column.endswith("pct_needed")
    ):
        return _num(2, "%")
    if column in (
        "round_trip_share",
        "own_money_share_of_network_revenue",
        "share_of_us",
        "top7_share",
        "equity_share",
        "top7_weight",
    ):
        return _num(2, "%", 100.0)
    if column.startswith(("debt_to", "adj_debt_to", "interest_coverage")):
        return _num(2, "x")
    if column.startswith(("book_", "economic", "ltv_")):
        return _num(3)
    if column.startswith("hhi"):
        return _num(4)
    if column.startswith(("effective", "years_to", "growth")):
        return _num(1)
    if column in ("gw", "twh_per_year", "mw", "years"):
        return _num(1)
    if column in ("usd_per_mwh",):
        return _num(1)
    if column in ("chip_units", "units", "maturity_year"):
        return _num(0)
    if column == "usd":
        return _usd
    if column == "pledged_per_chip_dollar":
        return _num(1, "x")
    return None


_PCT_DIGITS = {"gap_aggregate": 1}


def format_table(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every number formatted as :func:`formatter` says (strings)."""
    out = frame.copy()
    for col in out.columns:
        f = formatter(name, col)
        if col == "figure" and "unit" in frame.columns:
            digits = _PCT_DIGITS.get(name, 2)
            out[col] = [
                _usd(v)
                if u.startswith("USD")
                else (f"{v:.{digits}f}%" if u == "%" else f"{v:,.0f}")
                for v, u in zip(frame["figure"], frame["unit"], strict=True)
            ]
        elif f is not None and pd.api.types.is_numeric_dtype(out[col]):
            out[col] = [f(v) for v in frame[col]]
        elif pd.api.types.is_float_dtype(out[col]):
            out[col] = [_num(0)(v) if float(v).is_integer() else f"{v:,.4g}" for v in frame[col]]
    return out
