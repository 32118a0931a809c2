"""The article's claims as tables on a network: what ``lahar analyze`` prints and stores.

Each ``*_tables`` function takes a :class:`~lahar.network.Network` (the shipped one by
default in the CLI), the dataset's parameters and keyword assumptions, calls the pure functions
of :mod:`lahar.analytics` and returns named :class:`pandas.DataFrame` tables: numbers in raw
units (USD, fractions, years, TWh), text columns naming entities, deals and the basis of each
figure. :func:`analyze` is the one function the CLI calls; ``scripts/findings.py`` renders
:func:`all_tables` into ``docs/findings.md``; both format with :mod:`lahar.report.display`.

Every figure comes from the dataset: facts (through :meth:`Network.fact_rows
<lahar.network.Network.fact_rows>`, the one convention for "a firm's figure"), exposures and
``parameters.csv``. Which firms, deals and figures a table shows is a rule over the data
(documented on each function), never a list of ids. Missing data are reported, not filled: a
firm without a figure gets NaN and a ``basis`` that says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components

from lahar.analytics import circularity as circ
from lahar.analytics import concentration as conc
from lahar.analytics import energy as en
from lahar.analytics import gap as gp
from lahar.analytics import geopolitics as geo
from lahar.analytics import governance as gov
from lahar.analytics import leverage as lev
from lahar.data import ParameterSet, load_network, load_parameters
from lahar.data import status_weights as dataset_status_weights
from lahar.errors import DataError
from lahar.network import (
    AI_BUILDER_KINDS,
    AI_SELLER_KINDS,
    ALL_AI_REVENUE_KINDS,
    CHIP_SELLER_KINDS,
    FINANCIAL_KINDS,
    GRID_KINDS,
    Network,
)

__all__ = [
    "AI_SELLER_KINDS",
    "TOPICS",
    "ai_revenue",
    "all_tables",
    "analyze",
    "circularity_tables",
    "concentration_tables",
    "energy_tables",
    "fact_with_basis",
    "gap_tables",
    "geopolitics_tables",
    "governance_tables",
    "leverage_tables",
]


def _params(params: ParameterSet | None) -> ParameterSet:
    return load_parameters() if params is None else params


def fact_with_basis(
    net: Network, metric: str, year: int | None = None
) -> tuple[np.ndarray, list[str]]:
    """A figure per entity (:meth:`Network.fact_rows`) and the row it comes from.

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
    values = np.full(net.n, np.nan)
    basis = [""] * net.n
    rows = net.fact_rows(metric, year)
    if rows.empty:
        return values, basis
    values[rows["position"].to_numpy()] = rows["value"].to_numpy(dtype=np.float64)
    period = rows["period"] if "period" in rows else pd.Series([""] * len(rows))
    for p, fid, yr, per in zip(rows["position"], rows["id"], rows["year"], period, strict=True):
        basis[int(p)] = f"{fid} {yr} ({'' if pd.isna(per) else per})"
    return values, basis


def ai_revenue(
    net: Network, overrides: Mapping[str, float] | None = None
) -> tuple[np.ndarray, list[str]]:
    """AI revenue (USD per year) per entity and its basis.

    In order: the firm's ``ai_revenue`` fact; else its ``ai_segment_revenue`` fact (the segment
    selling AI chips or cloud); else, for a kind whose whole revenue is AI revenue
    (:data:`lahar.network.ALL_AI_REVENUE_KINDS`: neoclouds, labs), its ``revenue``; else NaN.
    ``overrides`` (entity id → USD) win over all of these.
    """
    values, basis = fact_with_basis(net, "ai_revenue")
    basis = [f"fact {b}" if b else "" for b in basis]
    seg, seg_b = fact_with_basis(net, "ai_segment_revenue")
    rev, rev_b = fact_with_basis(net, "revenue")
    all_ai = np.isin(np.asarray(net.kinds, dtype=object), ALL_AI_REVENUE_KINDS)
    for k in range(net.n):
        if np.isfinite(values[k]):
            continue
        if np.isfinite(seg[k]):
            values[k], basis[k] = seg[k], f"AI segment: fact {seg_b[k]}"
        elif all_ai[k] and np.isfinite(rev[k]):
            values[k], basis[k] = rev[k], f"all revenue of a {net.kinds[k]}: fact {rev_b[k]}"
    for ent, v in (overrides or {}).items():
        k = int(net.index_of(ent))
        values[k], basis[k] = float(v), "given by the user"
    return values, basis


def _names(net: Network) -> np.ndarray:
    ents = net.entities
    return ents["name"].to_numpy(dtype=object) if "name" in ents else np.asarray(net.ids)


def _cite(p: ParameterSet, key: str) -> str:
    return p[key].source_id


# --------------------------------------------------------------------------- circularity
def circularity_tables(
    net: Network,
    *,
    params: ParameterSet | None = None,
    status_weights: Mapping[str, float] | None = None,
    annualize: bool = True,
    termless_years: float | None = None,
    holdings: bool = False,
    exclude: Sequence[str] | None = None,
    reverse: Sequence[str] | None = None,
    ai_revenue_usd: Mapping[str, float] | None = None,
    top: int = 10,
    max_length: int = 5,
    sensitivity: bool = True,
) -> dict[str, pd.DataFrame]:
    """Circular money on the network: summary, firms, largest cycles, sensitivity.

    Firms listed: every AI seller (:data:`lahar.network.AI_SELLER_KINDS`) with an AI-revenue figure
    (:func:`ai_revenue`), by AI revenue, then every other firm through which money circulates
    or returns, by the money that returns to it.

    Parameters
    ----------
    net : Network
        The network.
    params : ParameterSet, optional
        The dataset's parameters (default: the shipped ones): status weights, the range of
        ``termless_years`` for the sensitivity rows.
    status_weights : mapping of str to float, optional
        Weight per status (default: the dataset's table, :func:`lahar.data.status_weights`).
    annualize, termless_years, holdings, exclude, reverse
        The money-flow assumptions of :func:`lahar.analytics.circularity.money_flow_table`
        (default: the network's conventions and the ``money_flow`` column).
    ai_revenue_usd : mapping of str to float, optional
        AI revenue (USD per year) per entity id, instead of the facts.
    top, max_length : int
        Number of cycles listed and their longest length.
    sensitivity : bool, default True
        Also recompute the listed sellers' round-tripped shares under alternative assumptions.

    Returns
    -------
    dict of str to DataFrame
        ``circularity_summary``, ``circularity_firms``, ``circularity_cycles`` and (with
        ``sensitivity``) ``circularity_sensitivity``.
    """
    p = _params(params)
    weights = dict(status_weights) if status_weights is not None else dataset_status_weights(p)
    flow_kw: dict[str, Any] = {
        "status_weights": weights,
        "annualize": annualize,
        "termless_years": termless_years,
        "holdings": holdings,
        "exclude": exclude,
        "reverse": reverse,
    }
    table = circ.money_flow_table(net, **flow_kw)
    F = circ.money_flows(net, **flow_kw)
    ids = np.asarray(net.ids, dtype=object)
    names = _names(net)
    kinds = np.asarray(net.kinds, dtype=object)
    c = circ.max_circulation(F)
    revenue, _ = fact_with_basis(net, "revenue")
    rt = circ.round_trip(F, turnover=revenue)
    air, air_basis = ai_revenue(net, ai_revenue_usd)
    out = np.asarray(F.sum(axis=1)).ravel()
    inn = np.asarray(F.sum(axis=0)).ravel()
    # vendor financing: inflow from entities the firm put capital into (equity, debt, pledges)
    capital = table[table["layer"].isin(["equity", "debt", "investment_pledge"])]
    investees = {i: set(g["j"]) for i, g in capital.groupby("i")}
    from_investees = np.zeros(net.n)
    for row in table.itertuples(index=False):
        if row.i in investees.get(row.j, ()):
            from_investees[row.j] += row.flow_usd
    sellers = np.flatnonzero(np.isin(kinds, AI_SELLER_KINDS) & np.isfinite(air))
    listed = [int(k) for k in sellers[np.argsort(-air[sellers], kind="stable")]]
    touched = np.flatnonzero((c.through > 0) | (rt.returned > 0))
    extra = [int(k) for k in touched if k not in set(listed)]
    pos = listed + sorted(extra, key=lambda k: -rt.returned[k])
    firms = pd.DataFrame(
        {
            "entity": ids[pos],
            "name": names[pos],
            "ai_seller": [k in set(listed) for k in pos],
            "ai_revenue_usd": air[pos],
            "ai_revenue_basis": [air_basis[k] or "no AI revenue figure" for k in pos],
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
    cy = circ.top_cycles(F, k=top, max_length=max_length)
    summary = pd.DataFrame(
        [
            ("deals", "money flows counted", float(len(table)), "deals"),
            ("total_flow", "total money flow", float(F.sum()), "USD per year"),
            ("circulation", "largest circulation", c.total, "USD per year"),
            ("circular_share", "circular share of all flow", 100 * c.share, "%"),
            ("firms_on_cycles", "firms on a money cycle", float(in_cycles), "entities"),
            (
                "largest_cycle",
                "largest single cycle",
                float(cy.values[0]) if len(cy) else 0.0,
                "USD per year",
            ),
        ],
        columns=["key", "item", "figure", "unit"],
    )
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
        tables["circularity_sensitivity"] = _sensitivity(net, p, flow_kw, revenue, air, listed)
    return tables


def _sensitivity(
    net: Network,
    p: ParameterSet,
    flow_kw: Mapping[str, Any],
    revenue: np.ndarray,
    air: np.ndarray,
    listed: Sequence[int],
) -> pd.DataFrame:
    low = p.value("termless_years", "low")
    given = flow_kw.get("reverse")
    flipped = (
        list(given)
        if given is not None
        else list(net.exposures["id"][net.exposure_column("money_flow") == "reverse"])
    )
    scen: list[tuple[str, dict[str, Any]]] = [
        ("default assumptions", {}),
        ("headline amounts (every status weight 1)", {"status_weights": None}),
        (f"one-off amounts spread over {low:g} years", {"termless_years": low}),
        ("one-off amounts counted in one year", {"termless_years": 1.0}),
    ]
    if flipped:
        scen.append((f"reversed deals counted forward ({', '.join(flipped)})", {"reverse": ()}))
    rows = []
    ids = np.asarray(net.ids, dtype=object)
    for label, change in scen:
        G = circ.money_flows(net, **{**flow_kw, **change})
        r = circ.round_trip(G, turnover=revenue)
        cc = circ.max_circulation(G)
        for k in listed:
            rows.append(
                (
                    label,
                    ids[k],
                    r.returned[k],
                    100 * r.returned[k] / air[k],
                    100 * cc.through[k] / air[k],
                    cc.total,
                )
            )
    return pd.DataFrame(
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


# --------------------------------------------------------------------------- leverage
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
    params: ParameterSet | None = None,
    firms: Sequence[str] | None = None,
    debt_statuses: Sequence[str] = ("committed", "drawn", "reported", "estimate"),
    decline: float | None = None,
    stress_decline: float | None = None,
    lives: Sequence[float] | None = None,
    horizon: int = 8,
    wall_years: tuple[int, int] | None = None,
) -> dict[str, pd.DataFrame]:
    """Credit ratios with off-balance-sheet debt, GPU collateral paths and the refinancing wall.

    Parameters
    ----------
    net : Network
        The network.
    params : ParameterSet, optional
        The dataset's parameters (default: the shipped ones): ``gpu_rent_*``, ``gpu_spv_ltv``,
        ``gpu_spv_loan_years``, ``analysis_year``, ``refinancing_wall_years``.
    firms : sequence of str, optional
        Firms to rate (default: every non-financial entity with a ``debt`` fact or SPV debt
        behind its leases; banks' debt/EBIT means nothing).
    debt_statuses : sequence of str
        Statuses of debt rows counted as SPV debt and in the refinancing wall (default: all but
        ``announced``).
    decline : float, optional
        Annual GPU rental-price decline (default: H100 rents from launch to the latest price,
        :func:`~lahar.analytics.leverage.decline_rate` of the ``gpu_rent_*`` parameters).
    stress_decline : float, optional
        A second, faster decline (default: launch to the trough price).
    lives : sequence of float, optional
        Book useful lives (default: the shortest and longest ``server_useful_life`` facts; no
        book-value columns when the data have none).
    horizon : int
        Years of collateral path.
    wall_years : (int, int), optional
        First and last year of the refinancing wall (default: ``analysis_year`` and
        ``refinancing_wall_years`` later).

    Returns
    -------
    dict of str to DataFrame
        ``leverage_firms``, ``leverage_collateral``, ``leverage_wall``, ``leverage_loans``.
    """
    p = _params(params)
    ids = np.asarray(net.ids, dtype=object)
    names = _names(net)
    kinds = np.asarray(net.kinds, dtype=object)
    debt, debt_b = fact_with_basis(net, "debt")
    ebitda, _ = fact_with_basis(net, "ebitda")
    ebit, _ = fact_with_basis(net, "operating_income")
    interest, _ = fact_with_basis(net, "interest_expense")
    assets, _ = fact_with_basis(net, "total_assets")
    leases, _ = fact_with_basis(net, "lease_liabilities")
    ex = net.exposures
    deb = ex[(ex["layer"] == "debt") & ex["status"].isin(list(debt_statuses)) & net.current]
    spv_debt = np.zeros(net.n)
    spv_basis = [""] * net.n
    ties = ex[ex["layer"].isin(["lease", "guarantee"])]
    for spv in set(ids[kinds == "spv"]):
        sponsors = sorted(set(ties.loc[ties["target"] == spv, "source"]))
        owed = deb.loc[deb["target"] == spv]
        if not sponsors or owed.empty:
            continue
        for s_ in sponsors:
            k = int(net.index_of(s_))
            if np.isfinite(leases[k]):
                continue  # the firm's lease commitments already cover what it pays the SPV
            spv_debt[k] += owed["amount_usd"].sum() / len(sponsors)
            spv_basis[k] += f"{spv} ({'+'.join(owed['id'])}) "
    network_debt = deb.groupby("target")["amount_usd"].sum().reindex(ids).fillna(0.0).to_numpy()
    if firms is not None:
        chosen = list(firms)
    else:
        financial = np.isin(kinds, list(FINANCIAL_KINDS))
        cand = (np.isfinite(debt) | (spv_debt > 0)) & ~financial
        chosen = [ids[k] for k in np.flatnonzero(cand)]
    pos = [int(net.index_of(e)) for e in chosen]
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
            "debt_basis": [debt_b[k] or "no debt fact" for k in pos],
            "network_debt_usd": network_debt[pos],
            "ebitda_usd": ebitda[pos],
            "ebit_usd": ebit[pos],
            "interest_usd": interest[pos],
            "assets_usd": assets[pos],
            "lease_commitments_usd": leases[pos],
            "spv_debt_usd": spv_debt[pos],
            "spv_basis": [spv_basis[k].strip() or "-" for k in pos],
            "debt_to_ebitda": r.debt_to_ebitda,
            "debt_to_ebit": r.debt_to_ebit,
            "interest_coverage": r.interest_coverage,
            "debt_to_assets": r.debt_to_assets,
            "adj_debt_usd": r.adjusted_debt,
            "adj_debt_to_ebit": r.adj_debt_to_ebit,
            "adj_debt_to_assets": r.adj_debt_to_assets,
        }
    ).sort_values("adj_debt_usd", ascending=False, ignore_index=True)

    launch, t0 = p.value("gpu_rent_launch"), p.value("gpu_rent_launch_date")
    if decline is None:
        latest, t1 = p.value("gpu_rent_latest"), p.value("gpu_rent_latest_date")
        decline = lev.decline_rate(launch, latest, t1 - t0)
    if stress_decline is None:
        trough, t2 = p.value("gpu_rent_trough"), p.value("gpu_rent_trough_date")
        stress_decline = lev.decline_rate(launch, trough, t2 - t0)
    if lives is None:  # the shortest and longest book lives in the data; none: no book paths
        booked = net.fact("server_useful_life")
        booked = booked[np.isfinite(booked)]
        lives = sorted({float(booked.min()), float(booked.max())}) if booked.size else []
    years = np.arange(0, horizon + 1, dtype=np.float64)
    shown = list(lives) or [float(horizon + 1)]  # economic paths do not depend on lives
    base = lev.gpu_value(years, lives=shown, decline=decline)
    stress = lev.gpu_value(years, lives=shown, decline=stress_decline)
    coll = pd.DataFrame({"year": years})
    for k, life in enumerate(base.lives[: len(lives)]):
        coll[f"book_{life:g}y"] = base.book[k]
    coll["economic"] = base.economic
    coll["economic_stress"] = stress.economic
    # a GPU-backed SPV loan: the LTV at origination and the term are parameters of the dataset
    ltv0, term = p.value("gpu_spv_ltv"), p.value("gpu_spv_loan_years")
    if len(lives):
        coll[f"ltv_book_{base.lives[-1]:g}y"] = lev.loan_to_value(
            years, np.maximum(base.book[-1], 1e-12), ltv0=ltv0, term=term
        )
    coll["ltv_economic"] = lev.loan_to_value(years, base.economic, ltv0=ltv0, term=term)
    coll["ltv_economic_stress"] = lev.loan_to_value(years, stress.economic, ltv0=ltv0, term=term)
    coll["ltv_economic_bullet"] = lev.loan_to_value(
        years, base.economic, ltv0=ltv0, term=term, amortization="bullet"
    )

    if wall_years is None:
        first = int(p.value("analysis_year"))
        wall_years = (first, first + int(p.value("refinancing_wall_years")))
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

    def who(mask: pd.Series) -> str:
        return ", ".join(sorted(set(loans_t.loc[mask, "borrower"])))

    later = loans_t["maturity_year"] > wall_years[1]
    wall = pd.DataFrame(
        {
            "year": [*(str(int(y)) for y in yrs), "later", "unknown"],
            "due_usd": [*due, float(loans_t.loc[later, "amount_usd"].sum()), unknown],
            "borrowers": [
                *(who(loans_t["maturity_year"] == y) or "-" for y in yrs),
                who(later) or "-",
                who(loans_t["maturity_year"].isna()),
            ],
        }
    )
    return {
        "leverage_firms": firm_t,
        "leverage_collateral": coll,
        "leverage_wall": wall,
        "leverage_loans": loans_t,
    }


# --------------------------------------------------------------------------- gap
def gap_tables(net: Network, *, params: ParameterSet | None = None) -> dict[str, pd.DataFrame]:
    """AI capex vs AI revenue, Sequoia's and Bain's requirements, years to close the gap.

    Rules over the data: the AI chip spend is the largest ``ai_segment_revenue`` of a chipmaker
    (Cahn's measure: the leading GPU vendor's data-centre run-rate); the AI revenue in the
    dataset is the sum of the ``ai_revenue`` facts; the firms compared are the hyperscalers,
    neoclouds and AI labs with a capex figure of ``analysis_year`` or earlier.

    Parameters
    ----------
    net : Network
        The network.
    params : ParameterSet, optional
        The dataset's parameters (default: the shipped ones): ``sequoia_*``, ``bain_*``,
        ``ai_revenue_growth_*`` (yearly growth cases), ``ai_revenue_ceiling_*`` (logistic
        ceilings), ``analysis_year``.

    Returns
    -------
    dict of str to DataFrame
        ``gap_aggregate``, ``gap_firms``, ``gap_years``.
    """
    p = _params(params)
    tco, margin = p.value("sequoia_tco_multiplier"), p.value("sequoia_gross_margin")
    bain = p.value("bain_required_revenue_2030")
    growth_rates = [p.value(k) for k in p if k.startswith("ai_revenue_growth_")]
    ceilings = [p.value(k) for k in p if k.startswith("ai_revenue_ceiling_")]
    year = int(p.value("analysis_year"))
    ids = np.asarray(net.ids, dtype=object)
    names = _names(net)
    kinds = np.asarray(net.kinds, dtype=object)
    air, _ = fact_with_basis(net, "ai_revenue")
    known = np.isfinite(air)
    actual = float(np.nansum(air))
    seg = net.fact_rows("ai_segment_revenue")
    if len(seg):
        seg = seg[np.isin(kinds[seg["position"].to_numpy(dtype=np.int64)], CHIP_SELLER_KINDS)]
    if len(seg):
        best = seg.loc[seg["value"].idxmax()]
        chip_spend = float(best["value"])
        chip_label = f"AI chip spend ({names[int(best['position'])]}: {best['period']})"
        chip_src = str(best["source_id"])
    else:
        chip_spend, chip_label, chip_src = np.nan, "AI chip spend (no chipmaker AI figure)", "-"
    if np.isfinite(chip_spend):
        g = gp.monetization_gap(chip_spend, actual, tco_multiplier=tco, gross_margin=margin)
        required, gap, coverage = float(g.required), float(g.gap), float(g.coverage)
    else:  # no chip-spend figure in this dataset: the gap cannot be computed
        required = gap = coverage = np.nan
    who = ", ".join(f"{ids[k]} {air[k] / 1e9:.1f}B" for k in np.flatnonzero(known))
    agg = pd.DataFrame(
        [
            ("chip_spend", chip_label, chip_spend, "USD per year", chip_src),
            (
                "required",
                f"revenue needed (Sequoia: x{tco:g} data centre, /{100 * margin:g}% margin)",
                required,
                "USD per year",
                _cite(p, "sequoia_tco_multiplier"),
            ),
            (
                "ai_revenue",
                "AI revenue in the dataset (" + who + ")",
                actual,
                "USD per year",
                "facts ai_revenue",
            ),
            ("gap", "gap (needed - AI revenue)", gap, "USD per year", "-"),
            ("coverage", "AI revenue as % of needed", 100 * coverage, "%", "-"),
            (
                "sequoia_own",
                p["sequoia_required_revenue_2025"].name,
                p.value("sequoia_required_revenue_2025"),
                "USD per year",
                _cite(p, "sequoia_required_revenue_2025"),
            ),
            (
                "bain_required",
                "Bain: annual revenue needed by 2030",
                bain,
                "USD per year",
                _cite(p, "bain_required_revenue_2030"),
            ),
            (
                "bain_gap",
                "Bain: gap vs AI revenue in the dataset",
                bain - actual,
                "USD per year",
                "-",
            ),
        ],
        columns=["key", "item", "figure", "unit", "basis"],
    )
    capex, capex_b = fact_with_basis(net, "capex", year)
    firms = [k for k in np.flatnonzero(np.isfinite(capex)) if kinds[k] in AI_BUILDER_KINDS]
    proxies, proxy_b = ai_revenue(net)
    req = np.asarray(gp.required_revenue(capex[firms], tco_multiplier=1.0, gross_margin=margin))
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
        for K in (np.nan, *ceilings):
            kw: dict[str, Any] = {"r0": actual, "growth": rate}
            if np.isfinite(K):
                kw.update(curve="logistic", ceiling=K)
            rows.append(
                (
                    "exponential" if np.isnan(K) else "logistic",
                    growth,
                    K,
                    gp.years_to_close(g.required, **kw),
                    gp.years_to_close(bain, **kw),
                )
            )
    years = pd.DataFrame(
        rows,
        columns=["curve", "growth_per_year", "ceiling_usd", "years_to_sequoia", "years_to_bain"],
    )
    return {"gap_aggregate": agg, "gap_firms": firm_t, "gap_years": years}


# --------------------------------------------------------------------------- concentration
SAVINGS_POOLS: tuple[tuple[str, str | None], ...] = (
    ("household_equity", None),
    ("retirement_ira", "retirement_equity_share"),
    ("retirement_dc", "retirement_equity_share"),
    ("retirement_401k", "retirement_equity_share"),
    ("pension_db_government", "pension_equity_share"),
    ("pension_db_private", "pension_equity_share"),
)
"""Savings pools as (assets, equity share) parameter ids of ``parameters.csv``; no share
parameter = all equity. IRAs and DC plans are partly inside the households' figure, 401(k)
plans inside DC plans."""


def concentration_tables(
    net: Network, *, params: ParameterSet | None = None, k: int = 7
) -> dict[str, pd.DataFrame]:
    """Top-k share of the S&P 500, HHI bounds, effective number, and savings riding on them.

    One row per year of ``index_weight`` facts with the ``k`` largest weights of that year,
    then the headline: the top-k weight of the ``sp500_mag7_weight`` parameter split as in the
    latest year with all ``k`` weights.

    Parameters
    ----------
    net : Network
        The network (``index_weight`` facts, percent).
    params : ParameterSet, optional
        The dataset's parameters (default: the shipped ones): ``sp500_mag7_weight``,
        ``sp500_constituents`` and the savings pools (:data:`SAVINGS_POOLS`).
    k : int, default 7
        Size of the top group (the Magnificent Seven).

    Returns
    -------
    dict of str to DataFrame
        ``concentration_index`` and ``concentration_savings``.
    """
    p = _params(params)
    top_weight = p.value("sp500_mag7_weight")
    n_constituents = int(p.value("sp500_constituents"))
    facts = net.facts
    w = (
        facts[facts["metric"] == "index_weight"]
        if facts is not None
        else pd.DataFrame(columns=["entity", "year", "value"])
    )
    rows = []
    full_year = None
    for year, grp in sorted(w.groupby("year"), key=lambda x: x[0]):
        latest = grp.drop_duplicates("entity", keep="last")
        latest = latest.sort_values("value", ascending=False, kind="stable").head(k)
        weights = latest["value"].to_numpy(dtype=np.float64) / 100
        c = conc.concentration(weights, n=n_constituents, k=k)
        if len(latest) == k:
            full_year = (int(year), weights)
        rows.append(
            (
                f"{year}: {len(latest)} of the {k} weights ({', '.join(latest['entity'])})",
                int(year),
                len(latest),
                c.top_share,
                c.hhi_low,
                c.hhi_high,
                c.effective_low,
                c.effective_high,
            )
        )
    if full_year is not None:
        yr, weights = full_year
        scaled = weights * top_weight / weights.sum()
        c = conc.concentration(scaled, n=n_constituents, k=k)
        src = _cite(p, "sp500_mag7_weight")
        rows.append(
            (
                f"top {k} at {100 * top_weight:.0f}% ({src}), split as in {yr}",
                int(p.value("analysis_year")),
                k,
                c.top_share,
                c.hhi_low,
                c.hhi_high,
                c.effective_low,
                c.effective_high,
            )
        )
    index_t = pd.DataFrame(
        rows,
        columns=[
            "basis",
            "year",
            "weights",
            "top7_share",
            "hhi_low",
            "hhi_high",
            "effective_low",
            "effective_high",
        ],
    )
    pools = []
    for assets_id, share_id in SAVINGS_POOLS:
        share = 1.0 if share_id is None else p.value(share_id)
        cites = [p[assets_id].source_id, *([p[share_id].source_id] if share_id else [])]
        pools.append((assets_id, p[assets_id].name, p.value(assets_id), share, cites))
    sav = pd.DataFrame(
        {
            "parameter": [x[0] for x in pools],
            "pool": [x[1] for x in pools],
            "assets_usd": [x[2] for x in pools],
            "equity_share": [x[3] for x in pools],
            "top7_weight": top_weight,
            "riding_on_top7_usd": [conc.savings_at_stake(x[2], x[3], top_weight) for x in pools],
            "sources": [", ".join([*x[4], _cite(p, "sp500_mag7_weight")]) for x in pools],
        }
    )
    return {"concentration_index": index_t, "concentration_savings": sav}


# --------------------------------------------------------------------------- energy
def energy_tables(
    net: Network, *, params: ParameterSet | None = None, home: str = "US"
) -> dict[str, pd.DataFrame]:
    """Data-centre load in TWh and share of US electricity; plants, restarts and their PPAs.

    Load rows: the ``energy_twh`` facts of entities in ``home``; the 2028 capacity projection
    (``dc_capacity_2028``: low, central, high) in TWh; every entity's latest ``dc_load_mw``
    fact. Plant rows: every ``power_purchase`` exposure, then power plants and utilities
    without one that have federal support or fossil capacity (a ``power_mw`` fact naming gas
    or coal), then the coal retirements deferred (``coal_retirements_deferred``).

    Parameters
    ----------
    net : Network
        The network (``energy_twh``/``dc_load_mw``/``power_mw`` facts, ``power_purchase``
        exposures).
    params : ParameterSet, optional
        The dataset's parameters (default: the shipped ones): ``dc_electricity_2023``,
        ``dc_share_us_electricity_2023`` (total US use), ``dc_electricity_2028`` and
        ``dc_capacity_2028`` (utilisation), ``ppa_capacity_factor``,
        ``coal_retirements_deferred``.
    home : str, default "US"
        Country whose government's loans and grants count as federal support.

    Returns
    -------
    dict of str to DataFrame
        ``energy_load`` and ``energy_plants`` (power plants with their PPAs and federal
        support, fossil capacity kept on or built for data centres).
    """
    p = _params(params)
    total_twh = p.value("dc_electricity_2023") / p.value("dc_share_us_electricity_2023")
    cap28 = p["dc_capacity_2028"]
    utilisation = p.value("dc_electricity_2028") / (cap28.value * en.HOURS_PER_YEAR / 1e3)
    capacity_factor = p.value("ppa_capacity_factor")
    ents = net.entities.set_index("id")
    names = _names(net)
    facts = net.facts if net.facts is not None else pd.DataFrame(columns=["metric", "entity"])
    # (load, gw, twh_per_year, share_of_us, basis, row_kind)
    rows: list[
        tuple[str, float, float | NDArray[np.float64], float | NDArray[np.float64], str, str]
    ] = []
    twh = facts[(facts["metric"] == "energy_twh") & (facts["entity"].map(ents["country"]) == home)]
    for r in twh.sort_values("year", kind="stable").itertuples(index=False):
        rows.append(
            (
                f"{ents.loc[r.entity, 'name']} {r.period}",
                np.nan,
                float(r.value),
                en.electricity_share(float(r.value), total_twh=total_twh),
                f"fact {r.id}",
                "energy",
            )
        )
    cap = [
        (f"{cap28.name}, low", cap28.low, cap28.source_id, "projection_low"),
        (f"{cap28.name}, central", cap28.value, cap28.source_id, "projection_central"),
        (f"{cap28.name}, high", cap28.high, cap28.source_id, "projection_high"),
    ]
    for r in net.fact_rows("dc_load_mw").itertuples(index=False):
        label = f"{names[r.position]}: {r.period}, {r.year}"
        cap.append((label, float(r.value) / 1e3, f"fact {r.id}", "dc_load"))
    for label, gw, src, kind in cap:
        e = en.energy_twh(gw, utilisation=utilisation)
        rows.append((label, gw, e, en.electricity_share(e, total_twh=total_twh), src, kind))
    load = pd.DataFrame(
        rows, columns=["load", "gw", "twh_per_year", "share_of_us", "basis", "row_kind"]
    )

    ex = net.exposures
    mw = facts[facts["metric"] == "power_mw"]
    ppa = ex[ex["layer"] == "power_purchase"]
    plant_rows = []
    econ = en.ppa_economics(
        ppa["quantity"].fillna(0).to_numpy(dtype=np.float64)
        if "quantity" in ppa
        else np.zeros(len(ppa)),
        ppa["amount_usd"].to_numpy(dtype=np.float64),
        ppa["term_years"].fillna(1.0).to_numpy(dtype=np.float64),
        capacity_factor=capacity_factor,
    )
    for j, r in enumerate(ppa.itertuples(index=False)):
        plant_rows.append(
            (
                r.id,
                r.source,
                r.target,
                ents.loc[r.target, "kind"],
                float(getattr(r, "quantity", np.nan)),
                float(r.term_years),
                float(r.amount_usd),
                econ.usd_per_year[j],
                econ.twh_per_year[j],
                econ.usd_per_mwh[j],
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
    governments = ents.index[(ents["kind"] == "government") & (ents["country"] == home)]
    support = ex[ex["layer"].isin(["debt", "investment_pledge"]) & ex["source"].isin(governments)]
    parent = (
        ents["parent"] if "parent" in ents.columns else pd.Series(index=ents.index, dtype=object)
    )

    def gov_support(ent: str) -> tuple[float, str]:
        # loans to the plant, or to its owner when the owner has no other plant or the loan's
        # note names this plant (a restart loan to an owner of several plants)
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
    plants["gov_support_usd"] = [gov_support(x)[0] for x in plants["plant"]]
    plants["gov_support_deals"] = [gov_support(x)[1] for x in plants["plant"]]
    plants["role"] = "PPA"
    shown = set("+".join(plants["gov_support_deals"]).split("+"))
    extra = []
    for ent in ents.index[ents["kind"].isin(GRID_KINDS)]:
        if ent in set(plants["plant"]):
            continue
        hit = mw[mw["entity"] == ent]
        fossil = hit["period"].fillna("").str.contains("(?i)gas|coal")
        usd, deals_ = gov_support(ent)
        if deals_ != "-" and all(d in shown for d in deals_.split("+")):
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
                *[np.nan] * 5,
                "-",
                usd,
                deals_,
                role,
            )
        )
    coal = p["coal_retirements_deferred"]
    extra.append(
        (
            "-",
            "-",
            coal.id,
            "fossil",
            1e3 * coal.value,
            *[np.nan] * 5,
            "-",
            0.0,
            "-",
            f"{coal.name} ({coal.source_id})",
        )
    )
    plants = pd.concat([plants, pd.DataFrame(extra, columns=plants.columns)], ignore_index=True)
    return {"energy_load": load, "energy_plants": plants}


# --------------------------------------------------------------------------- geopolitics
def geopolitics_tables(
    net: Network,
    *,
    params: ParameterSet | None = None,
    status_weights: Mapping[str, float] | None = None,
    home: str = "US",
) -> dict[str, pd.DataFrame]:
    """Chips exported vs capital pledged into the US, per deal and per country.

    A chip export goes to its ``destination`` (exposures column) where the data give one, else
    to the importer's country.

    Parameters
    ----------
    net : Network
        The network.
    params : ParameterSet, optional
        The dataset's parameters (default: the shipped ones), for the status weights.
    status_weights : mapping, optional
        Weights per status for the weighted pledge column (default: the dataset's table).
    home : str, default "US"
        The country receiving pledges and exporting chips.

    Returns
    -------
    dict of str to DataFrame
        ``geopolitics_deals`` and ``geopolitics_ledger``.
    """
    weights = (
        dict(status_weights)
        if status_weights is not None
        else dataset_status_weights(_params(params))
    )
    ex = net.exposures
    country = net.entities.set_index("id")["country"]
    destination = pd.Series(net.exposure_column("destination"), index=ex.index)
    chips = ex[ex["layer"] == "chip_export"].copy()
    chips["country"] = destination[chips.index].fillna(chips["target"].map(country))
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
    w = deals["status"].map(lambda s: float(weights.get(s, 0.0))).astype(np.float64)
    deals["weighted_usd"] = deals["usd"] * w
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
def governance_tables(
    net: Network, *, params: ParameterSet | None = None, max_hops: int = 3
) -> dict[str, pd.DataFrame]:
    """Paths official → tied firm → deals, with dollars; flags policy beneficiaries.

    Officials are ``person`` entities with governance ties. Beneficiaries of their policies
    are the counterparties of the government entities an official is tied to (chip-export
    licensees, firms the government invests in, lends to or funds). Governments are not
    stepped through (every deal of theirs would connect everything).

    Parameters
    ----------
    net : Network
        The network.
    params : ParameterSet, optional
        Unused (every topic takes the dataset's parameters).
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


def all_tables(
    net: Network, *, params: ParameterSet | None = None, **circularity_kw: Any
) -> dict[str, pd.DataFrame]:
    """Every topic's tables (circularity assumptions may be passed through)."""
    p = _params(params)
    out: dict[str, pd.DataFrame] = {}
    for name, func in TOPICS.items():
        kw = circularity_kw if name == "circularity" else {}
        out.update(func(net, params=p, **kw))
    return out


def analyze(
    topic: str = "all",
    *,
    data: str | Path | None = None,
    params: ParameterSet | None = None,
    **circularity_kw: Any,
) -> dict[str, pd.DataFrame]:
    """The tables of one topic (or ``"all"``) on a dataset: what ``lahar analyze`` prints.

    Parameters
    ----------
    topic : str, default "all"
        A key of :data:`TOPICS` or ``"all"``.
    data : str or Path, optional
        Dataset folder (default: the shipped dataset).
    params : ParameterSet, optional
        Parameters (default: the shipped ``parameters.csv``).
    **circularity_kw
        Money-flow assumptions of :func:`circularity_tables` (``status_weights``,
        ``annualize``, ``termless_years``, ``holdings``, ``exclude``, ``reverse``).

    Returns
    -------
    dict of str to DataFrame
        Table name → table, in print order.

    Raises
    ------
    DataError
        An unknown topic, or a dataset that does not validate.

    Examples
    --------
    >>> t = analyze("gap")
    >>> list(t)
    ['gap_aggregate', 'gap_firms', 'gap_years']
    """
    if topic != "all" and topic not in TOPICS:
        msg = (
            f"The 'topic' parameter of analyze() must be one of {', '.join([*TOPICS, 'all'])}. "
            f"Got {topic!r} instead."
        )
        raise DataError(msg)
    net = load_network(data)
    p = _params(params)
    if topic == "all":
        return all_tables(net, params=p, **circularity_kw)
    return TOPICS[topic](net, params=p, **(circularity_kw if topic == "circularity" else {}))
