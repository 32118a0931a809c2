"""Tables of a scenario run, for people: headline outcomes with their bands, who defaults."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["LABELS", "defaults_table", "headline_table", "scenarios_table"]

LABELS: dict[str, tuple[str, str]] = {
    "defaults": ("Firms in default", "count"),
    "loss_total": ("Losses of firms, all channels", "usd"),
    "loss_direct": ("  direct (the shock itself)", "usd"),
    "loss_repricing": ("  repricing of stakes", "usd"),
    "loss_commitments": ("  unpaid commitments (suppliers' margin)", "usd"),
    "loss_equity_stakes": ("  equity stakes in firms that lost", "usd"),
    "loss_credit": ("  credit losses on loans", "usd"),
    "loss_fire_sales": ("  fire sales", "usd"),
    "loss_client": ("Losses on holdings for clients (borne by clients)", "usd"),
    "loss_end_investors": ("Losses of end investors in the network", "usd"),
    "loss_banks_credit": ("Losses of banks and private credit", "usd"),
    "ai_capex_cut": ("AI capex cut (share of US AI capex)", "pct"),
    "gdp_change": ("US GDP change (per year)", "usd"),
    "gdp_change_pct": ("US GDP change (% of 2025 GDP)", "pp"),
    "jobs_change": ("US jobs change (FTE, upper end)", "count"),
    "sp500_return": ("S&P 500 return", "pct"),
    "household_loss": ("Households' equity losses", "usd"),
    "retirement_loss": ("IRAs and DC plans' losses", "usd"),
    "k401_loss": ("  of which 401(k) plans", "usd"),
    "pension_loss": ("DB pensions' losses", "usd"),
    "pjm_capacity_price": ("PJM capacity price (USD/MW-day)", "num"),
    "pjm_capacity_cost_change": ("PJM capacity cost change (per year)", "usd"),
    "pjm_reserve_margin": ("PJM reserve margin", "pct"),
}
"""Display label and unit of every headline outcome of :data:`lahar.scenarios.HEADLINES`."""


def _fmt(x: float, unit: str) -> str:
    if x is None or not np.isfinite(x):
        return "-"
    if unit == "usd":
        sign = "-" if x < 0 else ""
        a = abs(x)
        for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
            if a >= scale:
                return f"{sign}${a / scale:,.1f}{suffix}"
        return f"{sign}${a:,.0f}"
    if unit == "pct":
        return f"{100 * x:.1f}%"
    if unit == "pp":
        return f"{x:.2f}%"
    if unit == "count":
        if abs(x) >= 1e6:
            return f"{x / 1e6:.2f}M"
        if abs(x) >= 1e4:
            return f"{x / 1e3:.0f}K"
        return f"{x:,.1f}" if abs(x) < 100 else f"{x:,.0f}"
    return f"{x:,.1f}"


def headline_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Headline outcomes as text: mean and the 5-95 % band of each.

    Parameters
    ----------
    summary : pandas.DataFrame
        :meth:`lahar.scenarios.RunResult.summary` (columns ``outcome, mean, q05, q50, q95``).

    Returns
    -------
    pandas.DataFrame
        Columns ``outcome, mean, band (5-95 %)``, in the order of :data:`LABELS`.
    """
    rows = []
    by = summary.set_index("outcome")
    for key, (label, unit) in LABELS.items():
        if key not in by.index:
            continue
        r = by.loc[key]
        rows.append(
            {
                "outcome": label,
                "mean": _fmt(r["mean"], unit),
                "band (5-95 %)": f"{_fmt(r['q05'], unit)} to {_fmt(r['q95'], unit)}",
            }
        )
    return pd.DataFrame(rows)


def defaults_table(
    entities: pd.DataFrame, names: dict[str, str] | None = None, top: int = 15
) -> pd.DataFrame:
    """Firms most likely to default, with their mean and 95th-percentile losses.

    Parameters
    ----------
    entities : pandas.DataFrame
        :attr:`lahar.scenarios.RunResult.entities`.
    names : dict of str to str, optional
        Display names by entity id.
    top : int
        Rows to keep.
    """
    t = entities[entities["channel"] == "total"].copy()
    t = t[(t["default_probability"] > 0) | (t["mean"] > 0)]
    t = t.sort_values(["default_probability", "mean"], ascending=False).head(top)
    return pd.DataFrame(
        {
            "entity": [names.get(e, e) if names else e for e in t["entity"]],
            "default probability": [f"{100 * p:.0f}%" for p in t["default_probability"]],
            "mean loss": [_fmt(v, "usd") for v in t["mean"]],
            "95th pct loss": [_fmt(v, "usd") for v in t["q95"]],
        }
    )


_COMPACT = (
    ("defaults", "defaults"),
    ("loss_total", "firm losses"),
    ("gdp_change_pct", "GDP"),
    ("jobs_change", "jobs"),
    ("sp500_return", "S&P 500"),
    ("k401_loss", "401(k)"),
)


def scenarios_table(runs: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """One row per scenario: the mean of the main outcomes (firm losses with their 95th pct).

    Parameters
    ----------
    runs : list of (str, pandas.DataFrame)
        Scenario name and its :meth:`lahar.scenarios.RunResult.summary`.
    """
    rows = []
    for name, summary in runs:
        by = summary.set_index("outcome")
        row = {"scenario": name}
        for key, label in _COMPACT:
            unit = LABELS[key][1]
            r = by.loc[key]
            row[label] = _fmt(r["mean"], unit)
            if key == "loss_total":
                row["95th pct"] = _fmt(r["q95"], unit)
        rows.append(row)
    return pd.DataFrame(rows)
