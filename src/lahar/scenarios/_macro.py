r"""GDP, jobs and savings effects of an AI-capex cut, in 2025 dollars and % of 2025 GDP.

:func:`capex_bust` chains the models of :mod:`lahar.macro`:

1. **Capex round.** US AI capex ``K = ai_capex_2025 × us_share_ai_capex`` split into the
   categories of :func:`~lahar.data.capex_categories` (sourced shares) and cut by
   ``c``; the bridge turns it into final demand on BEA commodities, imports are removed
   (domestic table) and the Leontief model gives output, value added (GDP), compensation and
   jobs by industry.
2. **Market round.** The AI cohort loses ``c × ai_premium_share`` of its value
   (:func:`~lahar.macro.markets.reprice`); the S&P 500 and Nasdaq-100 lose their cohort weight
   times that (:func:`~lahar.macro.markets.index_return`, no spill-over unless
   ``rest_return``); households, IRAs/DC plans, 401(k)s and DB pensions lose through their
   equity holdings (:func:`~lahar.macro.markets.savings_losses`).
3. **Consumption round.** Households cut spending by the MPC out of stock wealth
   (:func:`~lahar.macro.markets.wealth_effect`), spread over industries by BEA's PCE column
   (:func:`~lahar.macro.markets.consumption_demand`), and the Leontief model runs again.

Units: the input–output structure is BEA's 2023 table, applied to 2025 dollars (relative
prices assumed unchanged since 2023). Jobs use 2017 FTE per dollar of output (NIPA 6.5D and
BEA's 2017 table), expressed in 2025 dollars with the GDP price index (2017 = 100):
``jobs = e_2017 × Δx_2025 × 100 / P_2025``; they ignore productivity growth since 2017 and are
therefore upper-end. GDP shares are of nominal 2025 GDP (BEA via FRED).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from lahar.data import IOTable, ParameterSet, capex_bridge, capex_categories
from lahar.macro.energy import bust_exposure, capacity_bill, capacity_price, grid_balance
from lahar.macro.input_output import capex_final_demand, factorize, io_effects
from lahar.macro.markets import (
    SavingsLoss,
    consumption_demand,
    index_return,
    reprice,
    savings_losses,
    wealth_effect,
)
from lahar.network import AI_KINDS, GRID_KINDS, Network

__all__ = [
    "MacroSummary",
    "PowerBust",
    "ai_exposure_of_kind",
    "capex_bust",
    "firm_repricing",
    "power_bust",
]


def ai_exposure_of_kind(kind: str, params: ParameterSet, *, which: str = "value") -> float:
    """AI exposure (share of market value due to the AI boom) for an entity kind.

    The AI cohort (:data:`lahar.network.AI_KINDS`, ``kinds.csv``) gets ``ai_premium_share``
    (0.58: Capital Economics' 25% AI boost of the S&P 500 over the AI cohort's 43% weight);
    the grid kinds (:data:`lahar.network.GRID_KINDS`: utilities, power plants) get
    ``utility_dc_sales_share`` (0.26, Dominion's data-centre share of sales); everything else 0.

    Parameters
    ----------
    kind : str
        Entity kind (``entities.csv``).
    params : ParameterSet
        From :func:`~lahar.data.load_parameters`.
    which : {"value", "low", "high"}, default "value"

    Returns
    -------
    float

    Examples
    --------
    >>> from lahar.data import load_parameters
    >>> p = load_parameters()
    >>> ai_exposure_of_kind("chipmaker", p), ai_exposure_of_kind("utility", p)
    (0.58, 0.26)
    >>> ai_exposure_of_kind("bank", p)
    0.0
    """
    if kind in AI_KINDS:
        return params.value("ai_premium_share", which)
    if kind in GRID_KINDS:
        return params.value("utility_dc_sales_share", which)
    return 0.0


@dataclass(frozen=True)
class MacroSummary:
    """Economy-wide effects of an AI-capex cut (from :func:`capex_bust`).

    Scenario arrays have shape (S,); industry arrays (71, S). Money in 2025 USD (negative =
    loss); ``*_pct`` in percent of 2025 GDP.

    Attributes
    ----------
    ai_cut : ndarray, (S,)
        Fraction of AI capex cut.
    industries, industry_names : tuple of str
        BEA codes and names (rows of the industry arrays).
    capex_change : ndarray, (S,)
        Change in US AI capex.
    output_change, value_added_change, jobs_change_by_industry : ndarray, (71, S)
        Gross output, value added (USD) and FTE jobs by industry, both rounds.
    gdp_change, gdp_change_pct : ndarray, (S,)
        Total value added change and its share of 2025 GDP.
    gdp_change_capex, gdp_change_consumption : ndarray, (S,)
        The two rounds' contributions.
    jobs_change : ndarray, (S,)
        FTE jobs, all industries.
    ai_cohort_return, sp500_return, ndx_return : ndarray, (S,)
        Price change of the AI cohort, of the S&P 500 and of the Nasdaq-100.
    savings : SavingsLoss
        Dollar losses of households, retirement accounts, 401(k)s, DB pensions.
    consumption_change : ndarray, (S,)
        Change in household consumption per year from the wealth effect.
    parameter_ids : tuple of str
        The ``parameters.csv`` ids used (for citations).
    """

    ai_cut: NDArray[np.float64]
    industries: tuple[str, ...]
    industry_names: tuple[str, ...]
    capex_change: NDArray[np.float64]
    output_change: NDArray[np.float64]
    value_added_change: NDArray[np.float64]
    jobs_change_by_industry: NDArray[np.float64]
    gdp_change: NDArray[np.float64]
    gdp_change_pct: NDArray[np.float64]
    gdp_change_capex: NDArray[np.float64]
    gdp_change_consumption: NDArray[np.float64]
    jobs_change: NDArray[np.float64]
    ai_cohort_return: NDArray[np.float64]
    sp500_return: NDArray[np.float64]
    ndx_return: NDArray[np.float64]
    savings: SavingsLoss
    consumption_change: NDArray[np.float64]
    parameter_ids: tuple[str, ...]


def _parameter_ids() -> tuple[str, ...]:
    """The parameters :func:`capex_bust` reads (the capex categories come from the bridge)."""
    return (*_PARAMS[:2], *(f"capex_share_{c}" for c in capex_categories()), *_PARAMS[2:])


_PARAMS = (
    "ai_capex_2025",
    "us_share_ai_capex",
    "ai_premium_share",
    "sp500_ai_weight",
    "ndx_mag7_weight",
    "household_equity",
    "retirement_ira",
    "retirement_dc",
    "retirement_401k",
    "pension_db_government",
    "pension_db_private",
    "retirement_equity_share",
    "pension_equity_share",
    "mpc_stock_wealth",
    "gdp_2025",
    "gdp_price_index_2025",
    "gdp_price_index_2017",
)


def capex_bust(
    ai_cut: ArrayLike,
    *,
    table: IOTable,
    params: ParameterSet,
    which: str = "value",
    rest_return: ArrayLike = 0.0,
) -> MacroSummary:
    r"""GDP, jobs, equity wealth and consumption effects of cutting AI capex by a fraction.

    .. math::

        \Delta f^{K} = -c\,W \mathrm{diag}(1-m) M (K s), \quad
        \Delta r = -c\, a\, w_{AI}, \quad
        \Delta C = \mathrm{mpc}\; E_h\, \Delta r, \quad
        \Delta x = L\,(\Delta f^{K} + s^{PCE} \Delta C)

    with ``K`` US AI capex, ``s`` its category shares, ``M`` the capex bridge, ``a`` the AI
    premium share, ``w_AI`` the AI cohort's S&P 500 weight, ``E_h`` household equity, and
    ``L`` the domestic Leontief inverse. See the module docstring for the rounds and units.

    Parameters
    ----------
    ai_cut : float or array_like, shape (S,)
        Fraction of AI capex cut, in [0, 1].
    table : IOTable
        Input–output table; use :func:`lahar.data.scenario_table` (domestic) so imports (most AI
        hardware) do not count as US output.
    params : ParameterSet
        From :func:`~lahar.data.load_parameters`.
    which : {"value", "low", "high"}, default "value"
        Use every parameter's central value or the low / high end of its range (a crude
        band; mixing ends is left to a Monte Carlo sweep). The capex category shares always
        take their central values (their ends do not sum to 1).
    rest_return : float or array_like, shape (S,), default 0
        Return of the non-AI part of the indices (0 = fundamentals only).

    Returns
    -------
    MacroSummary

    Raises
    ------
    ValueError
        ``ai_cut`` outside [0, 1] or central capex shares that do not sum to 1.

    Examples
    --------
    >>> from lahar.data import load_bea
    >>> from lahar.data import load_parameters
    >>> s = capex_bust([0.0, 0.3], table=load_bea(2023, domestic=True), params=load_parameters())
    >>> float(s.gdp_change[0]), bool(s.gdp_change[1] < 0), bool(s.jobs_change[1] < 0)
    (0.0, True, True)
    >>> print(f"{s.gdp_change_pct[1]:.2f}% of GDP, S&P 500 {100 * s.sp500_return[1]:.1f}%")
    -0.45% of GDP, S&P 500 -7.5%
    """
    c = np.atleast_1d(np.asarray(ai_cut, dtype=np.float64))
    if c.ndim != 1 or not np.isfinite(c).all() or (c < 0).any() or (c > 1).any():
        raise ValueError(
            "The 'ai_cut' parameter of capex_bust must be a fraction in [0, 1] (scalar or (S,))."
        )

    def v(key: str) -> float:
        return params.value(key, which)

    # Category shares always use central values: their low/high ends do not sum to 1.
    shares = np.array([params.value(f"capex_share_{k}") for k in capex_categories()])
    if abs(shares.sum() - 1) > 1e-6:
        raise ValueError(
            f"capex_share_* parameters must sum to 1. Got {shares.sum():.4f}; fix parameters.csv."
        )
    capex = v("ai_capex_2025") * v("us_share_ai_capex")
    spending_musd = -(capex / 1e6) * shares[:, None] * c[None, :]  # (K, S), millions USD
    lu = factorize(table.technical_coefficients)
    jobs_per_musd = table.employment_coefficients * (
        v("gdp_price_index_2017") / v("gdp_price_index_2025")
    )

    def run(f: NDArray[np.float64]):  # noqa: ANN202 - local helper
        return io_effects(
            lu,
            f,
            value_added_coefficients=table.value_added_coefficients,
            employment_coefficients=jobs_per_musd,
        )

    capex_fx = run(capex_final_demand(table, spending_musd, capex_bridge(table)))

    cohort = reprice([1.0], ai_exposure=[v("ai_premium_share")], ai_cut=c).price_change[0]
    sp = index_return([v("sp500_ai_weight")], cohort[None, :], rest_return=rest_return)
    ndx = index_return([v("ndx_mag7_weight")], cohort[None, :], rest_return=rest_return)
    sp = np.broadcast_to(np.asarray(sp, dtype=np.float64), c.shape).copy()
    ndx = np.broadcast_to(np.asarray(ndx, dtype=np.float64), c.shape).copy()
    savings = savings_losses(
        sp,
        household_equity=v("household_equity"),
        retirement_assets=v("retirement_ira") + v("retirement_dc"),
        k401_assets=v("retirement_401k"),
        db_pension_assets=v("pension_db_government") + v("pension_db_private"),
        retirement_equity_share=v("retirement_equity_share"),
        pension_equity_share=v("pension_equity_share"),
    )
    consumption = np.asarray(wealth_effect(savings.households, mpc=v("mpc_stock_wealth")))
    cons_fx = run(consumption_demand(consumption / 1e6, table.pce_shares()))

    va = (capex_fx.value_added + cons_fx.value_added) * 1e6
    gdp_k = capex_fx.value_added.sum(axis=0) * 1e6
    gdp_c = cons_fx.value_added.sum(axis=0) * 1e6
    jobs = capex_fx.employment + cons_fx.employment
    gdp = gdp_k + gdp_c
    return MacroSummary(
        ai_cut=c,
        industries=table.industries,
        industry_names=table.industry_names,
        capex_change=-capex * c,
        output_change=(capex_fx.output + cons_fx.output) * 1e6,
        value_added_change=va,
        jobs_change_by_industry=jobs,
        gdp_change=gdp,
        gdp_change_pct=100 * gdp / v("gdp_2025"),
        gdp_change_capex=gdp_k,
        gdp_change_consumption=gdp_c,
        jobs_change=jobs.sum(axis=0),
        ai_cohort_return=cohort,
        sp500_return=sp,
        ndx_return=ndx,
        savings=savings,
        consumption_change=consumption,
        parameter_ids=_parameter_ids(),
    )


@dataclass(frozen=True)
class PowerBust:
    """What an AI-capex cut does to the PJM grid and to power contracts (one value per cut).

    Attributes
    ----------
    cut : ndarray, shape (S,)
        The capex cuts (fractions).
    load_change_gw : ndarray, shape (S,)
        Change of PJM's data-centre peak load (GW; negative in a bust).
    reserve_margin_before, reserve_margin_after : float, ndarray
        PJM reserve margin cleared in the 2027/28 auction, and after the load change.
    shortfall_gw : ndarray
        Shortfall against the target reserve margin after the change (GW, >= 0).
    price_before : float
        2027/28 capacity price (USD/MW-day, at the cap).
    price_after : ndarray
        Capacity price after the load change.
    cost_change, cost_change_per_customer : ndarray
        Change of PJM's annual capacity cost (USD) and per customer.
    boom_cost_over_cap, boom_cost_over_cap_per_customer : float
        Boom without a cap: annual capacity cost above the capped cost (USD, per customer).
    ppa_revenue_at_risk, restart_capex_at_risk, coal_retirements_resumed_gw,
    utility_capex_at_risk : ndarray
        Power contracts and investments at risk (:func:`lahar.macro.energy.bust_exposure`).
    """

    cut: NDArray[np.float64]
    load_change_gw: NDArray[np.float64]
    reserve_margin_before: float
    reserve_margin_after: NDArray[np.float64]
    shortfall_gw: NDArray[np.float64]
    price_before: float
    price_after: NDArray[np.float64]
    cost_change: NDArray[np.float64]
    cost_change_per_customer: NDArray[np.float64]
    boom_cost_over_cap: float
    boom_cost_over_cap_per_customer: float
    ppa_revenue_at_risk: NDArray[np.float64]
    restart_capex_at_risk: NDArray[np.float64]
    coal_retirements_resumed_gw: NDArray[np.float64]
    utility_capex_at_risk: NDArray[np.float64]


def power_bust(cut: ArrayLike, params: ParameterSet, *, which: str = "value") -> PowerBust:
    """The grid side of an AI-capex cut: PJM load, reserve margin, capacity price and bill.

    The data-centre share of PJM's 2027/28 load growth falls with the cut; the reserve margin
    and the capacity price (linear in load, capped) follow (:func:`lahar.macro.energy.grid_balance`,
    :func:`~lahar.macro.energy.capacity_price`, :func:`~lahar.macro.energy.capacity_bill`),
    and the contracts and plants built for data centres are at risk in proportion
    (:func:`~lahar.macro.energy.bust_exposure`).

    Parameters
    ----------
    cut : float or array_like, shape (S,)
        AI-capex cut(s), fractions in [0, 1].
    params : ParameterSet
        The shipped parameters (:func:`lahar.data.load_parameters`), model ``energy``.
    which : {"value", "low", "high"}, default "value"
        Which end of each parameter's range to use.

    Returns
    -------
    PowerBust
    """
    c = np.atleast_1d(np.asarray(cut, dtype=np.float64))

    def v(k: str, w: str = which) -> float:
        return params.value(k, w)

    dl = -c * v("pjm_dc_load_growth")
    loads = np.concatenate([[0.0], dl])
    bal = grid_balance(
        loads,
        peak_gw=v("pjm_peak_load"),
        reserve_margin=v("pjm_reserve_margin_cleared"),
        target_margin=v("pjm_reserve_margin_target"),
    )
    uncapped = v("pjm_capacity_price_2027", "high")
    slope, cap = v("pjm_price_slope"), v("pjm_capacity_price_cap")
    price = np.asarray(capacity_price(loads, uncapped_price=uncapped, slope=slope, cap=cap))
    base = {
        "base_price": v("pjm_capacity_price_2026"),
        "base_cost": v("pjm_capacity_cost_2026"),
        "customers": v("pjm_customers"),
    }
    cost, per = (np.asarray(x) for x in capacity_bill(price, **base))
    boom_price = capacity_price(0.0, uncapped_price=uncapped, slope=slope, cap=None)
    boom_total, boom_per = capacity_bill(boom_price, **base)
    capped_total, capped_per = capacity_bill(cap, **base)
    bust = bust_exposure(
        c,
        contract_value=v("talen_amazon_value"),
        restart_capex=v("crane_restart_cost"),
        deferred_coal_gw=v("coal_retirements_deferred"),
        planned_capex=v("utility_capex_2025"),
        dc_capex_share=v("dc_share_utility_capex"),
    )
    margin = np.asarray(bal.reserve_margin)
    return PowerBust(
        cut=c,
        load_change_gw=dl,
        reserve_margin_before=float(margin[0]),
        reserve_margin_after=margin[1:],
        shortfall_gw=np.asarray(bal.shortfall_gw)[1:],
        price_before=float(price[0]),
        price_after=price[1:],
        cost_change=cost[1:] - cost[0],
        cost_change_per_customer=per[1:] - per[0],
        boom_cost_over_cap=float(boom_total - capped_total),
        boom_cost_over_cap_per_customer=float(boom_per - capped_per),
        ppa_revenue_at_risk=np.atleast_1d(bust.contract_revenue_at_risk),
        restart_capex_at_risk=np.atleast_1d(bust.restart_capex_at_risk),
        coal_retirements_resumed_gw=np.atleast_1d(bust.coal_retirements_resumed_gw),
        utility_capex_at_risk=np.atleast_1d(bust.utility_capex_at_risk),
    )


def firm_repricing(
    net: Network, cut: float, params: ParameterSet, *, which: str = "value"
) -> pd.DataFrame:
    """Listed firms repriced by an AI-capex cut: each loses its AI exposure times the cut.

    A firm's AI exposure is :func:`ai_exposure_of_kind` of its kind (the AI premium of its
    market value); its price falls by ``exposure * cut`` (:func:`lahar.macro.markets.reprice`).

    Parameters
    ----------
    net : Network
        Entities with ``ticker`` (listed) and ``market_cap`` facts.
    cut : float
        AI-capex cut, in [0, 1].
    params : ParameterSet
        The shipped parameters.
    which : {"value", "low", "high"}
        Which end of each parameter's range to use.

    Returns
    -------
    pandas.DataFrame
        One row per listed firm with an AI exposure: ``entity, ticker, kind, ai_exposure,
        price_change, market_cap_usd, value_change_usd`` (NaN where no market value is known).
    """
    ents = net.entities
    tickers = ents["ticker"] if "ticker" in ents.columns else pd.Series([None] * net.n)
    exposure = np.array([ai_exposure_of_kind(k, params, which=which) for k in ents["kind"]])
    keep = tickers.notna().to_numpy() & (exposure > 0)
    idx = np.flatnonzero(keep)
    mcap = net.fact("market_cap")[idx]
    known = np.isfinite(mcap)
    r = reprice(np.where(known, mcap, 1.0), ai_exposure=exposure[idx], ai_cut=cut)
    return pd.DataFrame(
        {
            "entity": np.asarray(net.ids)[idx],
            "ticker": tickers.to_numpy()[idx],
            "kind": ents["kind"].to_numpy()[idx],
            "ai_exposure": exposure[idx],
            "price_change": np.asarray(r.price_change) * np.ones(idx.size),
            "market_cap_usd": np.where(known, mcap, np.nan),
            "value_change_usd": np.where(known, r.value_change, np.nan),
        }
    )
