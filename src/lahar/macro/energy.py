r"""The power system in an AI boom and bust: load, reserve margins, capacity prices, contracts.

Simple, documented rules calibrated to PJM (the largest US grid region and the one where
data-centre load drove capacity prices from $28.92 to $333.44 per MW-day in three auctions);
every default number is a sourced parameter in ``data/parameters.csv`` (model ``energy``).
All functions are vectorised over scenarios (the data-centre load change or the AI cut).

* :func:`average_load` — energy to average power: ``GW = TWh / 8.76``.
* :func:`grid_balance` — reserve margin and shortfall when data-centre load changes:

  .. math:: RM' = \frac{(1 + RM)\,P}{P + \Delta L} - 1, \qquad
            \text{shortfall} = \max\bigl(0,\,(1 + RM^*) (P + \Delta L) - (1 + RM) P\bigr)

* :func:`capacity_price` — a linear capacity supply curve through the uncapped 2027/28 price,
  with the auction cap and a floor: ``p = clip(p_u + k ΔL, floor, cap)``;
* :func:`capacity_bill` — what the price does to the auction's cost and to each customer;
* :func:`bust_exposure` — what a bust does to contracted revenue (PPAs such as the Crane
  restart and Talen–Amazon), to restart capex, and to coal plants kept on for data centres.

A boom without a bust is :func:`capacity_price` and :func:`capacity_bill` with ``ΔL > 0``:
households pay the capacity bill whether or not the AI revenue ever arrives.

References
----------
Shehabi, A. et al. (2024). *2024 United States Data Center Energy Usage Report*. Lawrence
Berkeley National Laboratory, LBNL-2001637.
PJM Interconnection (2025). 2026/2027 and 2027/2028 Base Residual Auction reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lahar._validation import check_array, check_scalar, fail

__all__ = [
    "BustExposure",
    "GridBalance",
    "average_load",
    "bust_exposure",
    "capacity_bill",
    "capacity_price",
    "grid_balance",
]

HOURS_PER_YEAR = 8760.0


def _arr(x: ArrayLike, name: str, func: str, **bounds: Any) -> NDArray[np.float64]:
    """A scalar or (S,) scenario vector, finite (and within ``bounds``, see check_array)."""
    return check_array(x, name, func, ndim=(0, 1), **bounds)


def _out(a: NDArray[np.float64]) -> NDArray[np.float64] | float:
    return float(a) if a.ndim == 0 else a


def average_load(energy_twh: ArrayLike) -> NDArray[np.float64] | float:
    """Average power (GW) of an annual energy use (TWh): ``GW = TWh * 1000 / 8760``.

    Parameters
    ----------
    energy_twh : float or array_like

    Returns
    -------
    float or ndarray, GW

    Examples
    --------
    LBNL's 176 TWh of US data-centre use in 2023 is about 20 GW on average; the 325–580 TWh
    projected for 2028 is 37–66 GW, about half LBNL's 74–132 GW of capacity (utilisation ~0.5):

    >>> print(f"{average_load(176):.1f} GW")
    20.1 GW
    >>> average_load([325, 580]).round(1)
    array([37.1, 66.2])
    """
    e = _arr(energy_twh, "energy_twh", "average_load", low=0.0)
    return _out(e * 1000.0 / HOURS_PER_YEAR)


@dataclass(frozen=True)
class GridBalance:
    """Reserve margin after a data-centre load change (from :func:`grid_balance`).

    Attributes
    ----------
    reserve_margin : float or ndarray
        ``RM'``, the new reserve margin (fraction of peak load).
    shortfall_gw : float or ndarray
        Capacity missing to reach the target margin (0 if none).
    surplus_gw : float or ndarray
        Capacity above the target margin (0 if short).
    """

    reserve_margin: NDArray[np.float64] | float
    shortfall_gw: NDArray[np.float64] | float
    surplus_gw: NDArray[np.float64] | float


def grid_balance(
    load_change_gw: ArrayLike,
    *,
    peak_gw: float,
    reserve_margin: float,
    target_margin: float,
) -> GridBalance:
    r"""Reserve margin and shortfall of a grid region when data-centre peak load changes.

    .. math:: RM' = \frac{(1 + RM)\,P}{P + \Delta L} - 1, \qquad
              \text{shortfall} = \max\bigl(0,\,(1 + RM^*)(P + \Delta L) - (1 + RM)\,P\bigr)

    Capacity ``(1 + RM) P`` is held fixed (no new plants, no retirements).

    Parameters
    ----------
    load_change_gw : float or array_like, shape (S,)
        Change in peak load from data centres (GW; negative in a bust).
    peak_gw : float
        Peak load before the change (PJM: ``pjm_peak_load`` 153.9 GW).
    reserve_margin : float
        Cleared reserve margin before the change (PJM 2027/28: 0.148).
    target_margin : float
        Target reserve margin (PJM: 0.20).

    Returns
    -------
    GridBalance

    Examples
    --------
    PJM 2027/28 cleared 14.8% against a 20% target — about 8 GW short by this formula (PJM
    reports 6.6 GW against its own reliability requirement). Without the 5.1 GW of new
    data-centre load the gap would roughly halve:

    >>> b = grid_balance([0.0, -5.1], peak_gw=153.883, reserve_margin=0.148, target_margin=0.20)
    >>> b.shortfall_gw.round(2), b.reserve_margin.round(4)
    (array([8.  , 1.88]), array([0.148 , 0.1874]))
    """
    func = "grid_balance"
    dl = _arr(load_change_gw, "load_change_gw", func)
    peak_gw = check_scalar(peak_gw, "peak_gw", func, low=0.0, low_open=True)
    reserve_margin = check_scalar(reserve_margin, "reserve_margin", func, low=-1.0, low_open=True)
    target_margin = check_scalar(target_margin, "target_margin", func, low=0.0)
    if np.any(peak_gw + dl <= 0):
        raise fail(
            func,
            "load_change_gw",
            f"a change that leaves a positive peak load (> -{peak_gw:g} GW)",
            f"{dl.min():g}",
        )
    capacity = (1 + reserve_margin) * peak_gw
    load = peak_gw + dl
    gap = (1 + target_margin) * load - capacity
    return GridBalance(
        reserve_margin=_out(capacity / load - 1),
        shortfall_gw=_out(np.maximum(gap, 0.0)),
        surplus_gw=_out(np.maximum(-gap, 0.0)),
    )


def capacity_price(
    load_change_gw: ArrayLike,
    *,
    uncapped_price: float,
    slope: float,
    cap: float | None = None,
    floor: float = 0.0,
) -> NDArray[np.float64] | float:
    r"""Capacity price after a change in data-centre load: a linear supply curve, capped.

    .. math:: p = \min\bigl(\text{cap},\ \max(\text{floor},\ p_u + k\,\Delta L)\bigr)

    Parameters
    ----------
    load_change_gw : float or array_like, shape (S,)
        Load change (GW) relative to the auction the price ``p_u`` comes from.
    uncapped_price : float
        Price without the cap in that auction (PJM 2027/28: $529.80/MW-day).
    slope : float
        ``k``: price change per GW of load (``pjm_price_slope``: $49.5/MW-day per GW,
        derived from the 2025/26 → 2027/28 auctions; supply changes between them are ignored).
    cap : float, optional
        Auction price cap ($333.44/MW-day for 2027/28); ``None`` for no cap.
    floor : float, default 0

    Returns
    -------
    float or ndarray, USD per MW-day

    Notes
    -----
    A straight line through two auctions is a crude stand-in for PJM's downward-sloping
    variable resource requirement curve and an upward supply stack; it is meant for the sign
    and rough size of the effect of a few GW, not for forecasting an auction.

    Examples
    --------
    The 2027/28 auction, capped, and what removing all 5.1 GW of new data-centre load would
    have done (the price drops below the cap):

    >>> capacity_price([0.0, -5.1], uncapped_price=529.80, slope=49.5, cap=333.44).round(2)
    array([333.44, 277.35])
    """
    func = "capacity_price"
    dl = _arr(load_change_gw, "load_change_gw", func)
    uncapped_price = check_scalar(uncapped_price, "uncapped_price", func, low=0.0)
    slope = check_scalar(slope, "slope", func, low=0.0)
    floor = check_scalar(floor, "floor", func, low=0.0)
    if cap is not None:
        cap = check_scalar(cap, "cap", func, low=floor)
    p = np.maximum(floor, uncapped_price + slope * dl)
    if cap is not None:
        p = np.minimum(cap, p)
    return _out(p)


def capacity_bill(
    price: ArrayLike, *, base_price: float, base_cost: float, customers: float
) -> tuple[NDArray[np.float64] | float, NDArray[np.float64] | float]:
    r"""Change in the capacity auction's total cost and the average cost per customer.

    .. math:: \Delta C = C_0 \left(\frac{p}{p_0} - 1\right), \qquad
              \Delta c = \Delta C / N

    The cleared quantity is held at the base auction's (``C_0 / (365 p_0)`` MW).

    Parameters
    ----------
    price : float or array_like
        New capacity price (USD/MW-day).
    base_price, base_cost : float
        Price and total cost of the base auction (PJM 2026/27: $329.17, $16.1bn).
    customers : float
        Customers paying it (PJM: 67 million).

    Returns
    -------
    (float or ndarray, float or ndarray)
        Total cost change per year (USD) and per customer per year (USD; all customer classes
        averaged — residential bills see their share).

    Examples
    --------
    2026/27 at $329.17 instead of 2024/25's $28.92: $14.7bn more a year, ~$219 per customer:

    >>> total, per = capacity_bill(28.92, base_price=329.17, base_cost=16.1e9, customers=67e6)
    >>> print(f"{-total / 1e9:.1f} bn, {-per:.0f} USD per customer")
    14.7 bn, 219 USD per customer
    """
    func = "capacity_bill"
    p = _arr(price, "price", func, low=0.0)
    base_price = check_scalar(base_price, "base_price", func, low=0.0, low_open=True)
    base_cost = check_scalar(base_cost, "base_cost", func, low=0.0)
    customers = check_scalar(customers, "customers", func, low=0.0, low_open=True)
    total = base_cost * (p / base_price - 1)
    return _out(total), _out(total / customers)


@dataclass(frozen=True)
class BustExposure:
    """What an AI bust does to power contracts and plants (from :func:`bust_exposure`).

    Attributes
    ----------
    contract_revenue_at_risk : float or ndarray
        Contracted data-centre power revenue (USD) that the cut puts at risk of
        renegotiation or default.
    restart_capex_at_risk : float or ndarray
        Capex of plants restarted for data centres (e.g. Crane) that the cut strands.
    coal_retirements_resumed_gw : float or ndarray
        Coal capacity whose deferred retirement can go ahead.
    utility_capex_at_risk : float or ndarray
        Planned utility capex (per year) built for data-centre load that the cut strands or
        defers (0 when no ``planned_capex`` is given).
    """

    contract_revenue_at_risk: NDArray[np.float64] | float
    restart_capex_at_risk: NDArray[np.float64] | float
    coal_retirements_resumed_gw: NDArray[np.float64] | float
    utility_capex_at_risk: NDArray[np.float64] | float


def bust_exposure(
    ai_cut: ArrayLike,
    *,
    contract_value: float,
    restart_capex: float,
    deferred_coal_gw: float,
    planned_capex: float = 0.0,
    dc_capex_share: float = 0.0,
) -> BustExposure:
    r"""Power-sector exposure to a cut in AI spending, proportional to the cut.

    .. math:: X_s = c_s \times X

    for contracted PPA revenue (Crane, Talen–Amazon...), restart capex, coal retirements
    deferred for data-centre load, and the data-centre-driven part of utilities' planned capex
    (``planned_capex × dc_capex_share``). Proportionality is the simplest reading: a cut of ``c`` in
    AI capacity strands ``c`` of the contracts and lets ``c`` of the deferred retirements
    proceed. It ignores that hyperscalers with cash keep paying (take-or-pay) while
    neoclouds default, and that coal plants are also kept on by must-run orders.

    Parameters
    ----------
    ai_cut : float or array_like, shape (S,)
        Fraction of AI spending / data-centre load cut, in [0, 1].
    contract_value : float
        Remaining value of data-centre power contracts (USD).
    restart_capex : float
        Capex of restarts and plants built for data centres (USD).
    deferred_coal_gw : float
        Coal retirements deferred because of load growth (GW; 2025: 8.5 GW).
    planned_capex : float, default 0
        Utilities' planned capex per year (USD; EEI members 2025: $208bn).
    dc_capex_share : float, default 0
        Share of it driven by data-centre load, in [0, 1] (``dc_share_utility_capex``: 0.26,
        range 0.10–0.85; an estimate).

    Returns
    -------
    BustExposure

    Examples
    --------
    Talen–Amazon ($18bn) plus the Crane restart ($1.6bn), 8.5 GW of deferred coal, a 30% cut:

    >>> b = bust_exposure(0.3, contract_value=18e9, restart_capex=1.6e9, deferred_coal_gw=8.5,
    ...                   planned_capex=208e9, dc_capex_share=0.26)
    >>> print(f"{b.contract_revenue_at_risk / 1e9:.1f} {b.restart_capex_at_risk / 1e9:.2f} "
    ...       f"{b.coal_retirements_resumed_gw:.2f} {b.utility_capex_at_risk / 1e9:.1f}")
    5.4 0.48 2.55 16.2
    """
    func = "bust_exposure"
    c = _arr(ai_cut, "ai_cut", func, low=0.0, high=1.0)
    contract_value = check_scalar(contract_value, "contract_value", func, low=0.0)
    restart_capex = check_scalar(restart_capex, "restart_capex", func, low=0.0)
    deferred_coal_gw = check_scalar(deferred_coal_gw, "deferred_coal_gw", func, low=0.0)
    planned_capex = check_scalar(planned_capex, "planned_capex", func, low=0.0)
    dc_capex_share = check_scalar(dc_capex_share, "dc_capex_share", func, low=0.0, high=1.0)
    return BustExposure(
        contract_revenue_at_risk=_out(c * contract_value),
        restart_capex_at_risk=_out(c * restart_capex),
        coal_retirements_resumed_gw=_out(c * deferred_coal_gw),
        utility_capex_at_risk=_out(c * planned_capex * dc_capex_share),
    )
