"""The article's claims as tables on a network: what ``lahar analyze`` prints and stores.

Each ``*_tables`` function takes a :class:`~lahar.network.Network` (the shipped one by
default in the CLI) and keyword assumptions, calls the pure functions of the analytics modules
and returns named :class:`pandas.DataFrame` tables: numbers in raw units (USD, fractions,
years, TWh), text columns naming entities, deals and the basis of each figure. The CLI prints
them, writes them to the store under a run id, and ``scripts/findings.py`` renders them into
``docs/findings.md``; all three see the same numbers because they call these functions.

Missing data are reported, not filled: a firm without a figure gets NaN and a ``basis`` that
says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from lahar.analytics import circularity as circ
from lahar.analytics import concentration as conc
from lahar.analytics import energy as en
from lahar.analytics import gap as gp
from lahar.analytics import geopolitics as geo
from lahar.analytics import governance as gov
from lahar.analytics import leverage as lev
from lahar.network import Network

__all__ = [
    "AI_REVENUE_PROXIES",
    "FOCUS_FIRMS",
    "TOPICS",
    "all_tables",
    "annual_fact",
    "circularity_tables",
    "concentration_tables",
    "energy_tables",
    "gap_tables",
    "geopolitics_tables",
    "governance_tables",
    "leverage_tables",
]

FOCUS_FIRMS: tuple[str, ...] = ("nvidia", "oracle", "coreweave", "amd", "microsoft")
"""The firms whose round-tripped AI revenue the article asks about."""

AI_REVENUE_PROXIES: Mapping[str, tuple[float, str, str]] = {
    "nvidia": (4 * 51.2e9, "Data Center revenue, Q3 FY2026 ($51.2B) x 4", "S174"),
    "amd": (12.6e9, "Data Center segment revenue, FY2024", "S177"),
    "oracle": (4 * 3.3e9, "OCI revenue, FQ1 FY2026 ($3.3B) x 4", "S171"),
    "coreweave": (5.13e9, "total revenue FY2025 (all AI cloud)", "S149"),
}
"""AI revenue (USD per year), its basis and source, for firms without an ``ai_revenue`` fact.

A firm's ``ai_revenue`` fact wins where there is one (Microsoft's $37B run-rate, OpenAI,
Anthropic); these proxies are the AI segment figures the sources give in notes.
"""

_PARTIAL = re.compile(r"(?i)quarter|\bf?q[1-4]\b|half-year|\bh[12]\b")
_ANNUALISED = re.compile(r"(?i)annuali[sz]ed|run-rate")
FLOW_METRICS = frozenset(
    {
        "revenue",
        "ai_revenue",
        "capex",
        "ai_capex",
        "ebitda",
        "operating_income",
        "net_income",
        "free_cash_flow",
        "interest_expense",
    }
)
"""Metrics measured over a period: a quarter-only figure of these is skipped (balances at a
quarter end are fine)."""


def annual_fact(net: Network, metric: str, year: int | None = None) -> tuple[np.ndarray, list]:
    """Latest figure of ``metric`` per entity; for flow metrics, full periods only.

    A flow metric (:data:`FLOW_METRICS`) whose ``period`` names a quarter or half-year is
    skipped unless it is an annualised run-rate; balance-sheet figures at a quarter end count.
    Among the rows of the latest year, reported beats guidance beats estimate.

    Parameters
    ----------
    net : Network
        The network.
    metric : str
        A facts metric.
    year : int, optional
        Latest year considered (default: any).

    Returns
    -------
    values : ndarray, shape (n,)
        NaN where missing.
    basis : list of str
        ``"<fact id> <year> (<period>)"`` per entity, ``""`` where missing.
    """
    facts = net.facts
    values = np.full(net.n, np.nan)
    basis = [""] * net.n
    if facts is None or facts.empty:
        return values, basis
    f = facts[facts["metric"] == metric]
    if year is not None:
        f = f[f["year"] <= year]
    if "period" in f.columns and metric in FLOW_METRICS:
        period = f["period"].fillna("")
        f = f[~period.str.contains(_PARTIAL) | period.str.contains(_ANNUALISED)]
    rank = {"reported": 0, "guidance": 1, "estimate": 2}
    f = f.assign(_r=f["status"].map(rank).fillna(3) if "status" in f.columns else 0)
    f = f.sort_values(["entity", "year", "_r"], ascending=[True, False, True])
    f = f.drop_duplicates("entity", keep="first")
    pos = net.index_of(list(f["entity"]))
    values[pos] = f["value"].to_numpy(dtype=np.float64)
    for p, row in zip(np.atleast_1d(pos), f.itertuples(index=False), strict=True):
        basis[int(p)] = f"{row.id} {row.year} ({getattr(row, 'period', '')})"
    return values, basis


def _names(net: Network) -> np.ndarray:
    ents = net.entities
    return ents["name"].to_numpy(dtype=object) if "name" in ents else np.asarray(net.ids)


def _has(net: Network, entity: str) -> bool:
    return entity in set(net.ids)


# --------------------------------------------------------------------------- circularity
def _ai_revenue(
    net: Network, overrides: Mapping[str, float] | None
) -> tuple[np.ndarray, list[str]]:
    values, basis = annual_fact(net, "ai_revenue")
    basis = [f"fact {b}" if b else "" for b in basis]
    ids = list(net.ids)
    for ent, (v, why, src) in AI_REVENUE_PROXIES.items():
        if ent in ids and np.isnan(values[ids.index(ent)]):
            values[ids.index(ent)] = v
            basis[ids.index(ent)] = f"{why} [{src}]"
    for ent, v in (overrides or {}).items():
        values[ids.index(ent)] = float(v)
        basis[ids.index(ent)] = "given by the user"
    return values, basis


def _flow_kwargs(kw: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("annualize", "status_weights", "spread_years", "holdings", "exclude", "reverse")
    return {k: kw[k] for k in keys if k in kw}


def circularity_tables(
    net: Network,
    *,
    annualize: bool = True,
    status_weights: Mapping[str, float] | None = circ.DEFAULT_STATUS_WEIGHTS,
    spread_years: float | None = circ.DEFAULT_SPREAD_YEARS,
    holdings: bool = False,
    exclude: Sequence[str] = tuple(circ.DEFAULT_EXCLUDE),
    reverse: Sequence[str] = tuple(circ.DEFAULT_REVERSE),
    focus: Sequence[str] = FOCUS_FIRMS,
    ai_revenue: Mapping[str, float] | None = None,
    top: int = 10,
    max_length: int = 5,
    sensitivity: bool = True,
) -> dict[str, pd.DataFrame]:
    """Circular money on the network: summary, firms, largest cycles, sensitivity.

    Parameters
    ----------
    net : Network
        The network.
    annualize, status_weights, spread_years, holdings, exclude, reverse
        The money-flow assumptions of :func:`lahar.analytics.circularity.money_flow_table`.
    focus : sequence of str
        Firms always listed (default :data:`FOCUS_FIRMS`); others appear when money circulates
        through them.
    ai_revenue : mapping of str to float, optional
        AI revenue (USD per year) to use instead of the facts and :data:`AI_REVENUE_PROXIES`.
    top, max_length : int
        Number of cycles listed and their longest length.
    sensitivity : bool, default True
        Also recompute the firms' round-tripped shares under alternative assumptions.

    Returns
    -------
    dict of str to DataFrame
        ``circularity_summary``, ``circularity_firms``, ``circularity_cycles`` and (with
        ``sensitivity``) ``circularity_sensitivity``.
    """
    flow_kw = {
        "annualize": annualize,
        "status_weights": status_weights,
        "spread_years": spread_years,
        "holdings": holdings,
        "exclude": exclude,
        "reverse": reverse,
    }
    table = circ.money_flow_table(net, **flow_kw)
    F = circ.money_flows(net, **flow_kw)
    ids = np.asarray(net.ids, dtype=object)
    names = _names(net)
    c = circ.max_circulation(F)
    revenue, _ = annual_fact(net, "revenue")
    rt = circ.round_trip(F, turnover=revenue)
    air, air_basis = _ai_revenue(net, ai_revenue)
    out = np.asarray(F.sum(axis=1)).ravel()
    inn = np.asarray(F.sum(axis=0)).ravel()
    # vendor financing: inflow from entities the firm put capital into (equity, debt, pledges)
    capital = table[table["layer"].isin(["equity", "debt", "investment_pledge"])]
    investees = {i: set(g["j"]) for i, g in capital.groupby("i")}
    from_investees = np.zeros(net.n)
    for row in table.itertuples(index=False):
        if row.i in investees.get(row.j, ()):
            from_investees[row.j] += row.flow_usd
    listed = [x for x in focus if _has(net, x)]
    extra = [ids[k] for k in np.flatnonzero((c.through > 0) | (rt.returned > 0))]
    order = listed + sorted(
        set(extra) - set(listed), key=lambda e: -rt.returned[list(ids).index(e)]
    )
    pos = [list(ids).index(e) for e in order]
    firms = pd.DataFrame(
        {
            "entity": ids[pos],
            "name": names[pos],
            "ai_revenue_usd": air[pos],
            "ai_revenue_basis": [air_basis[p] or "no AI revenue figure" for p in pos],
            "network_in_usd": inn[pos],
            "network_out_usd": out[pos],
            "round_trip_share": rt.share[pos],
            "returned_usd": rt.returned[pos],
            "own_money_share_of_network_revenue": rt.revenue_share[pos],
            "returned_pct_ai_revenue": 100 * rt.returned[pos] / air[pos],
            "circulating_usd": c.through[pos],
            "circulating_pct_ai_revenue": 100 * c.through[pos] / air[pos],
            "from_investees_usd": from_investees[pos],
            "from_investees_pct_ai_revenue": 100 * from_investees[pos] / air[pos],
        }
    )
    _, label = connected_components(F, directed=True, connection="strong")
    sizes = np.bincount(label)
    in_cycles = int((sizes[label] > 1).sum())
    summary = pd.DataFrame(
        [
            ("money flows counted", float(len(table)), "deals"),
            ("total money flow", float(F.sum()), "USD per year"),
            ("largest circulation", c.total, "USD per year"),
            ("circular share of all flow", 100 * c.share, "%"),
            ("firms on a money cycle", float(in_cycles), "entities"),
            ("largest single cycle", 0.0, "USD per year"),
        ],
        columns=["item", "figure", "unit"],
    )
    cy = circ.top_cycles(F, k=top, max_length=max_length)
    if len(cy):
        summary.loc[summary["item"] == "largest single cycle", "figure"] = float(cy.values[0])
    deals: dict[tuple[int, int], list[str]] = {}
    for row in table.itertuples(index=False):
        deals.setdefault((row.i, row.j), []).append(row.id)
    cycles = pd.DataFrame(
        {
            "rank": np.arange(1, len(cy) + 1),
            "cycle": [" -> ".join([*(ids[k] for k in nodes), ids[nodes[0]]]) for nodes in cy.nodes],
            "length": [len(nodes) for nodes in cy.nodes],
            "value_usd": cy.values,
            "deals": [
                " | ".join(
                    "+".join(deals.get((nodes[k], nodes[(k + 1) % len(nodes)]), []))
                    for k in range(len(nodes))
                )
                for nodes in cy.nodes
            ],
        }
    )
    tables = {
        "circularity_summary": summary,
        "circularity_firms": firms,
        "circularity_cycles": cycles,
    }
    if sensitivity:
        scen = [
            ("default assumptions", {}),
            ("headline amounts (every status weight 1)", {"status_weights": None}),
            ("one-off amounts spread over 3 years", {"spread_years": 3.0}),
            ("one-off amounts counted in one year", {"spread_years": None}),
            ("AMD warrant not reversed", {"reverse": ()}),
        ]
        rows = []
        for label_, change in scen:
            kw = {**flow_kw, **change}
            G = circ.money_flows(net, **kw)
            r = circ.round_trip(G, turnover=revenue)
            cc = circ.max_circulation(G)
            for e in listed:
                p = list(ids).index(e)
                rows.append(
                    (
                        label_,
                        e,
                        r.returned[p],
                        100 * r.returned[p] / air[p],
                        100 * cc.through[p] / air[p],
                        cc.total,
                    )
                )
        tables["circularity_sensitivity"] = pd.DataFrame(
            rows,
            columns=[
                "assumptions",
                "entity",
                "returned_usd",
                "returned_pct_ai_revenue",
                "circulating_pct_ai_revenue",
                "network_circulation_usd",
            ],
        )
    return tables


# --------------------------------------------------------------------------- leverage
_FINANCIAL_KINDS = (
    "bank",
    "private_credit",
    "asset_manager",
    "index_fund",
    "pension",
    "government",
    "sovereign_fund",
    "spv",
)
_MATURITY = re.compile(
    r"(?i)(?:due|matur\w*)\s+(?:in\s+)?(?:[A-Z][a-z]{2,8}\s+)?(20\d\d)|(20\d\d)\s+(?:senior\s+)?notes"
)


def _maturity(row: Any) -> tuple[float, str]:
    date = pd.to_datetime(getattr(row, "date", None), errors="coerce")
    if np.isfinite(row.term_years) and date is not pd.NaT and not pd.isna(date):
        return float(date.year + round(row.term_years)), "date + term_years"
    m = _MATURITY.search(str(getattr(row, "note", "") or ""))
    if m:
        return float(m.group(1) or m.group(2)), "first maturity named in the note"
    return np.nan, "unknown"


def leverage_tables(
    net: Network,
    *,
    firms: Sequence[str] | None = None,
    debt_statuses: Sequence[str] = ("committed", "drawn", "reported", "estimate"),
    decline: float = lev.DEFAULT_RENTAL_DECLINE,
    stress_decline: float | None = None,
    lives: Sequence[float] = (5.0, 6.0),
    horizon: int = 8,
    wall_years: tuple[int, int] = (2025, 2035),
) -> dict[str, pd.DataFrame]:
    """Credit ratios with off-balance-sheet debt, GPU collateral paths and the refinancing wall.

    Parameters
    ----------
    net : Network
        The network.
    firms : sequence of str, optional
        Firms to rate (default: every non-financial entity with a ``debt`` fact or SPV debt
        behind its leases; banks' debt/EBIT means nothing).
    debt_statuses : sequence of str
        Statuses of debt rows counted as SPV debt and in the refinancing wall (default: all but
        ``announced``).
    decline : float
        Annual GPU rental-price decline (default :data:`~lahar.analytics.leverage.DEFAULT_RENTAL_DECLINE`).
    stress_decline : float, optional
        A second, faster decline (default: launch → the October 2025 trough, ~0.357).
    lives : sequence of float
        Book useful lives (default 5 and 6 years, :data:`~lahar.analytics.leverage.BOOK_LIVES`).
    horizon : int
        Years of collateral path.
    wall_years : (int, int)
        First and last year of the refinancing wall.

    Returns
    -------
    dict of str to DataFrame
        ``leverage_firms``, ``leverage_collateral``, ``leverage_wall``, ``leverage_loans``.
    """
    ids = np.asarray(net.ids, dtype=object)
    names = _names(net)
    kinds = np.asarray(net.kinds, dtype=object)
    debt, debt_b = annual_fact(net, "debt")
    ebitda, _ = annual_fact(net, "ebitda")
    ebit, _ = annual_fact(net, "operating_income")
    interest, _ = annual_fact(net, "interest_expense")
    assets, _ = annual_fact(net, "total_assets")
    leases, _ = annual_fact(net, "lease_liabilities")
    ex = net.exposures
    deb = ex[(ex["layer"] == "debt") & ex["status"].isin(list(debt_statuses))]
    if "supersedes" in ex.columns:
        gone = set(ex["supersedes"].dropna())
        deb = deb[~deb["id"].isin(gone)]
    spv_debt = np.zeros(net.n)
    spv_basis = [""] * net.n
    ties = ex[ex["layer"].isin(["lease", "guarantee"])]
    for spv in set(ids[kinds == "spv"]):
        sponsors = sorted(set(ties.loc[ties["target"] == spv, "source"]))
        owed = deb.loc[deb["target"] == spv]
        if not sponsors or owed.empty:
            continue
        for s_ in sponsors:
            p = list(ids).index(s_)
            if np.isfinite(leases[p]):
                continue  # the firm's lease commitments already cover what it pays the SPV
            spv_debt[p] += owed["amount_usd"].sum() / len(sponsors)
            spv_basis[p] += f"{spv} ({'+'.join(owed['id'])}) "
    network_debt = deb.groupby("target")["amount_usd"].sum().reindex(ids).fillna(0.0).to_numpy()
    if firms is not None:
        chosen = list(firms)
    else:
        financial = np.isin(kinds, list(_FINANCIAL_KINDS))
        cand = (np.isfinite(debt) | (spv_debt > 0)) & ~financial
        chosen = [ids[k] for k in np.flatnonzero(cand)]
    pos = [list(ids).index(e) for e in chosen]
    off = np.nan_to_num(leases[pos]) + spv_debt[pos]
    r = lev.credit_ratios(
        debt[pos],
        ebitda=ebitda[pos],
        ebit=ebit[pos],
        interest=interest[pos],
        assets=assets[pos],
        off_balance=off,
    )
    firm_t = pd.DataFrame(
        {
            "entity": ids[pos],
            "name": names[pos],
            "debt_usd": debt[pos],
            "debt_basis": [debt_b[p] or "no debt fact" for p in pos],
            "network_debt_usd": network_debt[pos],
            "ebitda_usd": ebitda[pos],
            "ebit_usd": ebit[pos],
            "interest_usd": interest[pos],
            "assets_usd": assets[pos],
            "lease_commitments_usd": leases[pos],
            "spv_debt_usd": spv_debt[pos],
            "spv_basis": [spv_basis[p].strip() or "-" for p in pos],
            "debt_to_ebitda": r.debt_to_ebitda,
            "debt_to_ebit": r.debt_to_ebit,
            "interest_coverage": r.interest_coverage,
            "debt_to_assets": r.debt_to_assets,
            "adj_debt_usd": r.adjusted_debt,
            "adj_debt_to_ebit": r.adj_debt_to_ebit,
            "adj_debt_to_assets": r.adj_debt_to_assets,
        }
    ).sort_values("adj_debt_usd", ascending=False, ignore_index=True)

    if stress_decline is None:
        launch, trough = lev.H100_RENT["launch"], lev.H100_RENT["trough"]
        stress_decline = lev.decline_rate(launch[0], trough[0], trough[1] - launch[1])
    years = np.arange(0, horizon + 1, dtype=np.float64)
    base = lev.gpu_value(years, lives=lives, decline=decline)
    stress = lev.gpu_value(years, lives=lives, decline=stress_decline)
    coll = pd.DataFrame({"year": years})
    for k, life in enumerate(base.lives):
        coll[f"book_{life:g}y"] = base.book[k]
    coll["economic"] = base.economic
    coll["economic_stress"] = stress.economic
    # the xAI GPU SPV: $12.5B of debt + $7.5B of equity buying $20B of GPUs (X0050),
    # leased to xAI for 5 years (X0053)
    ltv0, term = 12.5 / 20.0, 5.0
    coll["ltv_book_6y"] = lev.loan_to_value(
        years, np.maximum(base.book[-1], 1e-12), ltv0=ltv0, term=term
    )
    coll["ltv_economic"] = lev.loan_to_value(years, base.economic, ltv0=ltv0, term=term)
    coll["ltv_economic_stress"] = lev.loan_to_value(years, stress.economic, ltv0=ltv0, term=term)
    coll["ltv_economic_bullet"] = lev.loan_to_value(
        years, base.economic, ltv0=ltv0, term=term, amortization="bullet"
    )

    loans = deb.copy()
    mat = [_maturity(row) for row in loans.itertuples(index=False)]
    loans["maturity_year"] = [m for m, _ in mat]
    loans["maturity_basis"] = [b for _, b in mat]
    bk = dict(zip(ids, kinds, strict=True))
    loans["borrower_kind"] = loans["target"].map(bk)
    loans_t = (
        loans[
            [
                "id",
                "source",
                "target",
                "borrower_kind",
                "amount_usd",
                "status",
                "maturity_year",
                "maturity_basis",
            ]
        ]
        .rename(columns={"source": "lender", "target": "borrower"})
        .reset_index(drop=True)
    )
    yrs, due, unknown = lev.refinancing_wall(
        loans_t["amount_usd"], loans_t["maturity_year"], start=wall_years[0], end=wall_years[1]
    )
    who = []
    for y in yrs:
        sel = loans_t[loans_t["maturity_year"] == y]
        who.append(", ".join(sorted(set(sel["borrower"]))) or "-")
    wall = pd.DataFrame({"year": yrs.astype(str), "due_usd": due, "borrowers": who})
    wall = pd.concat(
        [
            wall,
            pd.DataFrame(
                {
                    "year": ["later"],
                    "due_usd": [
                        float(
                            loans_t.loc[
                                loans_t["maturity_year"] > wall_years[1], "amount_usd"
                            ].sum()
                        )
                    ],
                    "borrowers": [
                        ", ".join(
                            sorted(
                                set(
                                    loans_t.loc[
                                        loans_t["maturity_year"] > wall_years[1], "borrower"
                                    ]
                                )
                            )
                        )
                        or "-"
                    ],
                }
            ),
            pd.DataFrame(
                {
                    "year": ["unknown"],
                    "due_usd": [unknown],
                    "borrowers": [
                        ", ".join(
                            sorted(set(loans_t.loc[loans_t["maturity_year"].isna(), "borrower"]))
                        )
                    ],
                }
            ),
        ],
        ignore_index=True,
    )
    return {
        "leverage_firms": firm_t,
        "leverage_collateral": coll,
        "leverage_wall": wall,
        "leverage_loans": loans_t,
    }


# --------------------------------------------------------------------------- gap
def gap_tables(
    net: Network,
    *,
    chip_spend: float = 4 * 51.2e9,
    tco_multiplier: float = gp.SEQUOIA_TCO_MULTIPLIER,
    gross_margin: float = gp.SEQUOIA_GROSS_MARGIN,
    bain_required: float = gp.BAIN_2030_REQUIRED,
    growth_rates: Sequence[float] = (1.23, 0.5, 0.25),
    ceilings: Sequence[float] = (1e12, 2e12, 3e12, 5e12),
    year: int = 2025,
) -> dict[str, pd.DataFrame]:
    """AI capex vs AI revenue, Sequoia's and Bain's requirements, years to close the gap.

    Parameters
    ----------
    net : Network
        The network.
    chip_spend : float
        Annual AI chip spend: Nvidia's Data Center revenue run-rate, Q3 FY2026 $51.2B × 4
        (S174), Cahn's measure.
    tco_multiplier, gross_margin : float
        Sequoia's multipliers (A06).
    bain_required : float
        Bain's annual revenue needed by 2030 (P04).
    growth_rates : sequence of float
        Yearly growth of AI revenue: 1.23 = Microsoft's AI run-rate growth (+123 % y/y, S155);
        0.5 and 0.25 are our slower cases.
    ceilings : sequence of float
        Logistic ceilings (USD per year) to try; our assumptions, bracketing Bain's $2T.
    year : int, default 2025
        Latest (fiscal) year of capex compared (later years are guidance).

    Returns
    -------
    dict of str to DataFrame
        ``gap_aggregate``, ``gap_firms``, ``gap_years``.
    """
    ids = np.asarray(net.ids, dtype=object)
    names = _names(net)
    air, air_b = annual_fact(net, "ai_revenue")
    known = np.isfinite(air)
    actual = float(np.nansum(air))
    g = gp.monetization_gap(
        chip_spend, actual, tco_multiplier=tco_multiplier, gross_margin=gross_margin
    )
    who = ", ".join(f"{ids[k]} {air[k] / 1e9:.1f}B" for k in np.flatnonzero(known))
    agg = pd.DataFrame(
        [
            ("AI chip spend (Nvidia Data Center run-rate)", chip_spend, "S174"),
            ("revenue needed (Sequoia: x2 data centre, /50% margin)", g.required, "A06"),
            ("AI revenue in the dataset (" + who + ")", actual, "facts ai_revenue"),
            ("gap (needed - AI revenue)", g.gap, "-"),
            ("AI revenue as % of needed", 100 * g.coverage, "%"),
            ("Sequoia's own figure, Oct 2025", 840e9, "A07"),
            ("Bain: annual revenue needed by 2030", bain_required, "P04"),
            ("Bain: gap vs AI revenue in the dataset", bain_required - actual, "-"),
        ],
        columns=["item", "figure", "basis"],
    )
    capex, capex_b = annual_fact(net, "capex", year)
    firms = [
        k
        for k in np.flatnonzero(np.isfinite(capex))
        if net.kinds[k] in ("hyperscaler", "neocloud", "ai_lab")
    ]
    proxies, proxy_b = _ai_revenue(net, None)
    req = np.asarray(
        gp.required_revenue(capex[firms], tco_multiplier=1.0, gross_margin=gross_margin)
    )
    firm_t = pd.DataFrame(
        {
            "entity": ids[firms],
            "name": names[firms],
            "capex_usd": capex[firms],
            "capex_basis": [capex_b[k] for k in firms],
            "ai_revenue_usd": proxies[firms],
            "ai_revenue_basis": [proxy_b[k] or "no AI revenue figure" for k in firms],
            "revenue_needed_usd": req,
            "ai_revenue_pct_needed": 100 * proxies[firms] / req,
        }
    ).sort_values("capex_usd", ascending=False, ignore_index=True)
    rows = []
    for growth in growth_rates if actual > 0 else ():  # no AI revenue: no curve to follow
        rate = float(np.log1p(growth))
        rows.append(
            (
                "exponential",
                growth,
                np.nan,
                gp.years_to_close(g.required, r0=actual, growth=rate),
                gp.years_to_close(bain_required, r0=actual, growth=rate),
            )
        )
        for K in ceilings:
            rows.append(
                (
                    "logistic",
                    growth,
                    K,
                    gp.years_to_close(
                        g.required, r0=actual, growth=rate, curve="logistic", ceiling=K
                    ),
                    gp.years_to_close(
                        bain_required, r0=actual, growth=rate, curve="logistic", ceiling=K
                    ),
                )
            )
    years = pd.DataFrame(
        rows,
        columns=["curve", "growth_per_year", "ceiling_usd", "years_to_sequoia", "years_to_bain"],
    )
    return {"gap_aggregate": agg, "gap_firms": firm_t, "gap_years": years}


# --------------------------------------------------------------------------- concentration
SAVINGS_POOLS: tuple[tuple[str, float, float, str], ...] = (
    ("households: equities and fund shares", 51.2e12, 1.0, "P08"),
    ("IRAs", 18.0e12, 0.75, "P11, P12"),
    ("defined-contribution plans", 13.0e12, 0.75, "P11, P12"),
    ("  of which 401(k)", 9.3e12, 0.75, "P11, P12"),
    ("government defined-benefit pensions", 9.3e12, 0.436, "P11, P13"),
    ("private defined-benefit pensions", 3.0e12, 0.436, "P11, P13"),
)
"""Savings pools: name, assets (USD), equity share and sources (Fed Z.1 Q2 2025; ICI 2025-06-30;
NASRA), as in ``parameters.csv``. IRAs and DC plans are partly inside the households' figure."""

TOP7: tuple[str, ...] = ("nvidia", "apple", "microsoft", "alphabet", "amazon", "meta", "tesla")


def concentration_tables(
    net: Network,
    *,
    top7_weight: float = 0.34,
    n_constituents: int = 503,
    pools: Sequence[tuple[str, float, float, str]] = SAVINGS_POOLS,
) -> dict[str, pd.DataFrame]:
    """Top-7 share of the S&P 500, HHI bounds, effective number, and savings riding on them.

    Parameters
    ----------
    net : Network
        The network (``index_weight`` facts, percent).
    top7_weight : float, default 0.34
        Magnificent Seven weight in the S&P 500, Oct 2025 (P08; 29 % Dec 2024, ~35 % late 2025).
    n_constituents : int, default 503
        Number of S&P 500 share lines.
    pools : sequence
        Savings pools (see :data:`SAVINGS_POOLS`).

    Returns
    -------
    dict of str to DataFrame
        ``concentration_index`` and ``concentration_savings``.
    """
    facts = net.facts
    w = facts[(facts["metric"] == "index_weight") & facts["entity"].isin(TOP7)]
    rows = []
    for year, grp in sorted(w.groupby("year"), key=lambda x: x[0]):
        latest = grp.drop_duplicates("entity", keep="last")
        weights = latest["value"].to_numpy(dtype=np.float64) / 100
        c = conc.concentration(weights, n=n_constituents, k=7)
        rows.append(
            (
                f"{year}: {len(latest)} of the 7 weights ({', '.join(latest['entity'])})",
                c.top_share,
                c.hhi_low,
                c.hhi_high,
                c.effective_low,
                c.effective_high,
            )
        )
    # the headline: top-7 share from P08 with the 2024 split of weights scaled to it
    full = [
        r
        for r in rows
        if r[0].startswith(tuple(str(y) for y in range(2000, 2100))) and " 7 of " in r[0]
    ]
    index_t = pd.DataFrame(
        rows,
        columns=["basis", "top7_share", "hhi_low", "hhi_high", "effective_low", "effective_high"],
    )
    if full:
        yr = int(full[-1][0][:4])
        grp = w[w["year"] == yr].drop_duplicates("entity", keep="last")
        weights = grp["value"].to_numpy(dtype=np.float64) / 100
        scaled = weights * top7_weight / weights.sum()
        c = conc.concentration(scaled, n=n_constituents, k=7)
        index_t.loc[len(index_t)] = (
            f"Oct 2025: top 7 at {100 * top7_weight:.0f}% (P08), split as in {yr}",
            c.top_share,
            c.hhi_low,
            c.hhi_high,
            c.effective_low,
            c.effective_high,
        )
    sav = pd.DataFrame(
        {
            "pool": [p[0] for p in pools],
            "assets_usd": [p[1] for p in pools],
            "equity_share": [p[2] for p in pools],
            "top7_weight": top7_weight,
            "riding_on_top7_usd": [conc.savings_at_stake(p[1], p[2], top7_weight) for p in pools],
            "sources": [p[3] + ", P08" for p in pools],
        }
    )
    return {"concentration_index": index_t, "concentration_savings": sav}


# --------------------------------------------------------------------------- energy
def energy_tables(
    net: Network,
    *,
    utilisation: float = en.DEFAULT_UTILISATION,
    total_twh: float = en.US_ELECTRICITY_TWH,
    capacity_factor: float = en.DEFAULT_CAPACITY_FACTOR,
    coal_deferred_gw: float = 8.5,
) -> dict[str, pd.DataFrame]:
    """Data-centre load in TWh and share of US electricity; plants, restarts and their PPAs.

    Parameters
    ----------
    net : Network
        The network (``power_mw``/``energy_twh`` facts, ``power_purchase`` exposures).
    utilisation, total_twh, capacity_factor : float
        See :mod:`lahar.analytics.energy` (LBNL-derived defaults; 0.90 PPA capacity factor).
    coal_deferred_gw : float, default 8.5
        Coal retirements deferred in 2025: 16.6 GW planned (late 2023) - 8.1 GW planned (2025)
        (P26).

    Returns
    -------
    dict of str to DataFrame
        ``energy_load`` and ``energy_plants`` (power plants with their PPAs and federal
        support, fossil capacity kept on or built for data centres).
    """
    facts = net.facts
    rows = []
    twh = facts[(facts["metric"] == "energy_twh") & (facts["entity"] == "us_data_centers")]
    for r in twh.sort_values("year").itertuples(index=False):
        rows.append(
            (
                f"US data centres {r.period}",
                np.nan,
                float(r.value),
                en.electricity_share(float(r.value), total_twh=total_twh),
                f"fact {r.id}",
            )
        )
    cap = [
        ("US data centres 2028, LBNL low", 74.0, "P17"),
        ("US data centres 2028, LBNL midpoint", 103.0, "P17"),
        ("US data centres 2028, LBNL high", 132.0, "P17"),
    ]
    mw = facts[facts["metric"] == "power_mw"]
    for ent, label in (
        ("pjm", "PJM: data-centre load growth to 2027/28"),
        ("dominion_energy", "Dominion: data-centre capacity in contracting"),
        ("ercot", "ERCOT: large-load interconnection queue (requests, not load)"),
        ("coreweave", "CoreWeave: active power"),
    ):
        hit = mw[mw["entity"] == ent]
        if len(hit):
            r = hit.iloc[-1]
            cap.append((f"{label}, {r['year']}", float(r["value"]) / 1e3, f"fact {r['id']}"))
    for label, gw, src in cap:
        e = en.energy_twh(gw, utilisation=utilisation)
        rows.append((label, gw, e, en.electricity_share(e, total_twh=total_twh), src))
    load = pd.DataFrame(rows, columns=["load", "gw", "twh_per_year", "share_of_us", "basis"])

    ex = net.exposures
    ppa = ex[ex["layer"] == "power_purchase"]
    ents = net.entities.set_index("id")
    plant_rows = []
    econ = en.ppa_economics(
        ppa["quantity"].fillna(0).to_numpy(dtype=np.float64)
        if "quantity" in ppa
        else np.zeros(len(ppa)),
        ppa["amount_usd"].to_numpy(dtype=np.float64),
        ppa["term_years"].fillna(1.0).to_numpy(dtype=np.float64),
        capacity_factor=capacity_factor,
    )
    for k, r in enumerate(ppa.itertuples(index=False)):
        plant_rows.append(
            (
                r.id,
                r.source,
                r.target,
                ents.loc[r.target, "kind"],
                float(getattr(r, "quantity", np.nan)),
                float(r.term_years),
                float(r.amount_usd),
                econ.usd_per_year[k],
                econ.twh_per_year[k],
                econ.usd_per_mwh[k],
                r.status,
            )
        )
    plants = pd.DataFrame(
        plant_rows,
        columns=[
            "deal",
            "buyer",
            "plant",
            "kind",
            "mw",
            "years",
            "value_usd",
            "usd_per_year",
            "twh_per_year",
            "usd_per_mwh",
            "status",
        ],
    )
    # government loans and grants to each plant (or to the plant's owner, for a restart)
    support = ex[
        ex["layer"].isin(["debt", "investment_pledge"])
        & ex["source"].isin(["us_doe", "us_government"])
    ]

    parent = (
        ents["parent"] if "parent" in ents.columns else pd.Series(index=ents.index, dtype=object)
    )

    def gov_support(ent: str) -> tuple[float, str]:
        # loans to the plant, or to its owner when the owner has no other plant or the loan's
        # note names this plant (the DOE's Crane loan went to Constellation, which also owns
        # Clinton)
        hit = support[support["target"] == ent]
        owner = parent.get(ent)
        if isinstance(owner, str):
            siblings = parent.index[(parent == owner) & (ents["kind"] == "power_plant")]
            word = str(ents.loc[ent, "name"]).split()[0]
            to_owner = support[support["target"] == owner]
            if len(siblings) > 1:
                to_owner = to_owner[to_owner["note"].fillna("").str.contains(word, regex=False)]
            hit = pd.concat([hit, to_owner])
        return float(hit["amount_usd"].sum()), "+".join(hit["id"]) or "-"

    unknown = plants["value_usd"] <= 0
    plants.loc[unknown, ["value_usd", "usd_per_year"]] = np.nan
    plants["gov_support_usd"] = [gov_support(p_)[0] for p_ in plants["plant"]]
    plants["gov_support_deals"] = [gov_support(p_)[1] for p_ in plants["plant"]]
    plants["role"] = "PPA"
    extra = []
    for ent in ents.index[ents["kind"].isin(["power_plant", "utility"])]:
        if ent in set(plants["plant"]):
            continue
        hit = mw[mw["entity"] == ent]
        fossil = hit["period"].fillna("").str.contains("(?i)gas|coal")
        usd, deals_ = gov_support(ent)
        if deals_ != "-" and all(
            d in "+".join(plants["gov_support_deals"]).split("+") for d in deals_.split("+")
        ):
            usd, deals_ = 0.0, "-"  # already shown with the plant it pays for
        if ents.loc[ent, "kind"] == "power_plant":
            role = "restart/new plant, no PPA value in the data"
        elif fossil.any():
            role = f"fossil: {hit['period'].iloc[-1]}"
        elif usd > 0:
            role = "utility buying plant output with federal grants"
        else:
            continue
        extra.append(
            (
                "-",
                "-",
                ent,
                ents.loc[ent, "kind"],
                float(hit["value"].iloc[-1]) if len(hit) else np.nan,
                np.nan,
                np.nan,
                np.nan,
                np.nan,
                np.nan,
                "-",
                usd,
                deals_,
                role,
            )
        )
    extra.append(
        (
            "-",
            "-",
            "us_coal_fleet",
            "fossil",
            1e3 * coal_deferred_gw,
            np.nan,
            np.nan,
            np.nan,
            np.nan,
            np.nan,
            "-",
            0.0,
            "-",
            "coal retirements deferred in 2025 (P26)",
        )
    )
    plants = pd.concat([plants, pd.DataFrame(extra, columns=plants.columns)], ignore_index=True)
    return {"energy_load": load, "energy_plants": plants}


# --------------------------------------------------------------------------- geopolitics
DESTINATIONS: Mapping[str, tuple[str, str]] = {
    "X0119": ("AE", "licences to Microsoft for chips in its UAE data centres (note of X0119)"),
}
"""Chip exports whose destination differs from the importer's home country."""


def geopolitics_tables(
    net: Network,
    *,
    status_weights: Mapping[str, float] | None = circ.DEFAULT_STATUS_WEIGHTS,
    home: str = "US",
    destinations: Mapping[str, tuple[str, str]] = DESTINATIONS,
) -> dict[str, pd.DataFrame]:
    """Chips exported vs capital pledged into the US, per deal and per country.

    Parameters
    ----------
    net : Network
        The network.
    status_weights : mapping, optional
        Weights per status for the weighted pledge column (default as for money flows).
    home : str, default "US"
        The country receiving pledges and exporting chips.
    destinations : mapping of str to (str, str)
        Deal id → (country, reason) for chips used outside the importer's home country
        (default :data:`DESTINATIONS`).

    Returns
    -------
    dict of str to DataFrame
        ``geopolitics_deals`` and ``geopolitics_ledger``.
    """
    ex = net.exposures
    country = net.entities.set_index("id")["country"]
    chips = ex[ex["layer"] == "chip_export"].copy()
    chips["country"] = chips["target"].map(country)
    for deal, (cty, _) in destinations.items():
        chips.loc[chips["id"] == deal, "country"] = cty
    chips["units"] = np.where(
        chips.get("quantity_unit", pd.Series(dtype=object)) == "GPUs", chips.get("quantity"), 0.0
    )
    pledges = ex[(ex["layer"].isin(["investment_pledge", "equity", "debt"]))].copy()
    pledges["country"] = pledges["source"].map(country)
    pledges = pledges[
        (pledges["country"] != home)
        & (pledges["target"].map(country) == home)
        & (
            (pledges["layer"] == "investment_pledge")
            | pledges["source"]
            .map(net.entities.set_index("id")["kind"])
            .isin(["sovereign_fund", "government"])
        )
    ]
    w = (lambda s: 1.0) if status_weights is None else (lambda s: float(status_weights.get(s, 0.0)))
    deals = pd.concat(
        [
            pd.DataFrame(
                {
                    "deal": chips["id"],
                    "kind": "chips out",
                    "from": chips["source"],
                    "to": chips["target"],
                    "country": chips["country"],
                    "usd": chips["amount_usd"],
                    "units": chips["units"].astype(float),
                    "status": chips["status"],
                }
            ),
            pd.DataFrame(
                {
                    "deal": pledges["id"],
                    "kind": "capital in",
                    "from": pledges["source"],
                    "to": pledges["target"],
                    "country": pledges["country"],
                    "usd": pledges["amount_usd"],
                    "units": 0.0,
                    "status": pledges["status"],
                }
            ),
        ],
        ignore_index=True,
    )
    deals["usd"] = pd.to_numeric(deals["usd"]).astype(np.float64)
    deals["units"] = pd.to_numeric(deals["units"]).astype(np.float64)
    deals["weighted_usd"] = deals["usd"] * deals["status"].map(w).astype(np.float64)
    ch = deals[deals["kind"] == "chips out"]
    pl = deals[deals["kind"] == "capital in"]
    led = geo.chip_capital_ledger(ch["country"], ch["usd"], ch["units"], pl["country"], pl["usd"])
    wled = geo.chip_capital_ledger(
        ch["country"], ch["weighted_usd"], ch["units"], pl["country"], pl["weighted_usd"]
    )
    ledger = pd.DataFrame(
        {
            "country": list(led.countries),
            "chips_usd": led.chips_usd,
            "chip_units": led.chip_units,
            "pledged_usd": led.pledged_usd,
            "pledged_weighted_usd": wled.pledged_usd,
            "pledged_per_chip_dollar": led.pledged_per_chip_dollar,
        }
    ).sort_values("pledged_usd", ascending=False, ignore_index=True)
    return {"geopolitics_deals": deals, "geopolitics_ledger": ledger}


# --------------------------------------------------------------------------- governance
def governance_tables(net: Network, *, max_hops: int = 3) -> dict[str, pd.DataFrame]:
    """Paths official → tied firm → deals, with dollars; flags policy beneficiaries.

    Officials are ``person`` entities with governance ties. Beneficiaries of their policies
    are the counterparties of the government entities an official is tied to (chip-export
    licensees, firms the government invests in, lends to or funds). Governments are not
    stepped through (every deal of theirs would connect everything).

    Parameters
    ----------
    net : Network
        The network.
    max_hops : int, default 3
        Longest path (edges).

    Returns
    -------
    dict of str to DataFrame
        ``governance_paths``.
    """
    ex = net.exposures
    ids = np.asarray(net.ids, dtype=object)
    idx = {e: k for k, e in enumerate(ids)}
    kinds = np.asarray(net.kinds, dtype=object)
    g = ex[ex["layer"] == "governance"]
    n = net.n
    T = sp.csr_array(
        (
            g["amount_usd"].to_numpy(dtype=np.float64) + 0.0,
            (g["source"].map(idx).to_numpy(), g["target"].map(idx).to_numpy()),
        ),
        shape=(n, n),
    )
    other = ex[~ex["layer"].isin(["governance"])]
    # keep explicit zeros as ties: add a tiny marker then subtract it from the dollars below
    L = sp.coo_array(
        (
            other["amount_usd"].to_numpy(dtype=np.float64),
            (other["source"].map(idx).to_numpy(), other["target"].map(idx).to_numpy()),
        ),
        shape=(n, n),
    ).tocsr()
    govs = kinds == "government"
    parents = net.entities.set_index("id")["parent"]
    gov_ids = {e for e in ids[govs]}
    gov_ids |= {c for c, p in parents.items() if p in gov_ids}
    ben = np.zeros(n, dtype=bool)
    for r in other.itertuples(index=False):
        if r.source in gov_ids and r.target not in gov_ids:
            ben[idx[r.target]] = True
    officials = sorted(set(g["source"].map(idx)))
    exclude = np.isin(ids, list(gov_ids))
    paths = gov.official_paths(
        T, L, officials, beneficiaries=ben, max_hops=max_hops, exclude=exclude
    )
    deals: dict[frozenset, list[str]] = {}
    for r in ex.itertuples(index=False):
        deals.setdefault(frozenset((r.source, r.target)), []).append(r.id)
    rows = []
    seen: set[frozenset] = set()
    for nodes, dollars, flag in zip(paths.nodes, paths.dollars, paths.to_beneficiary, strict=True):
        if frozenset(nodes) in seen:
            continue  # the same people and firms in another order (two ties of one official)
        seen.add(frozenset(nodes))
        names = [ids[k] for k in nodes]
        rows.append(
            (
                names[0],
                " -> ".join(names),
                len(nodes) - 1,
                " | ".join(f"{d / 1e9:.3g}B" if d else "?" for d in dollars),
                float(sum(dollars)),
                bool(flag),
                " | ".join(
                    "+".join(deals.get(frozenset((names[k], names[k + 1])), []))
                    for k in range(len(names) - 1)
                ),
            )
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "official",
            "path",
            "hops",
            "dollars_per_edge",
            "known_usd",
            "to_beneficiary",
            "deals",
        ],
    )
    return {"governance_paths": table}


# --------------------------------------------------------------------------- all
TOPICS: dict[str, Callable[..., dict[str, pd.DataFrame]]] = {
    "circularity": circularity_tables,
    "leverage": leverage_tables,
    "gap": gap_tables,
    "concentration": concentration_tables,
    "energy": energy_tables,
    "geopolitics": geopolitics_tables,
    "governance": governance_tables,
}
"""Topic name → table builder, in the order ``lahar analyze all`` prints them."""


def all_tables(net: Network, **circularity_kw: Any) -> dict[str, pd.DataFrame]:
    """Every topic's tables (circularity assumptions may be passed through)."""
    out: dict[str, pd.DataFrame] = {}
    for name, func in TOPICS.items():
        out.update(func(net, **circularity_kw) if name == "circularity" else func(net))
    return out


# --------------------------------------------------------------------------- presentation
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


def format_table(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every number formatted as :func:`formatter` says (strings)."""
    out = frame.copy()
    for col in out.columns:
        f = formatter(name, col)
        if name == "circularity_summary" and col == "figure":
            out[col] = [
                _usd(v) if u.startswith("USD") else (f"{v:.2f}%" if u == "%" else f"{v:,.0f}")
                for v, u in zip(frame["figure"], frame["unit"], strict=True)
            ]
        elif name == "gap_aggregate" and col == "figure":
            out[col] = [
                f"{v:.1f}%" if b == "%" else _usd(v)
                for v, b in zip(frame["figure"], frame["basis"], strict=True)
            ]
        elif f is not None and pd.api.types.is_numeric_dtype(out[col]):
            out[col] = [f(v) for v in frame[col]]
        elif pd.api.types.is_float_dtype(out[col]):
            out[col] = [_num(0)(v) if float(v).is_integer() else f"{v:,.4g}" for v in frame[col]]
    return out
