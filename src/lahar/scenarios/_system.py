r"""From a :class:`~lahar.network.Network` to the arrays of the cascade: the Network adapter.

The array-level :func:`lahar.contagion.cascade` knows nothing of datasets. This module decides,
once, how the shipped data enters it:

* **Which rows count** -- current rows only (:attr:`Network.current`), each weighted by the
  one status-weight table (:func:`lahar.data.status_weights`): an announced deal counts a
  quarter of its headline, a drawn loan in full, an estimate half.
* **Whose money** -- equity held for clients (``capacity = client``) is a client stake: its
  losses are the clients' (:attr:`CascadeResult.client_loss`), not the manager's. Debt held
  for clients is owed outside the system (the holder is not hurt).
* **Stakes at market** -- a stake is a share of the issuer's equity value: its latest
  ``market_cap`` (listed, or the latest private valuation), else its book equity.
* **Contract by contract** -- every commitment (:data:`lahar.network.COMMITMENT_LAYERS`) is
  valued on its own, :math:`V_k = w_{s(k)}\, \frac{a_k}{y_k}\, \mathrm{annuity}(y_k, r)` with
  :math:`y_k` its years (:attr:`Network.years`): two contracts on one pair are never blended.
* **Balance sheets** -- ``book_equity`` and ``total_assets`` from the facts
  (:meth:`Network.fact`, with their low/high ranges for Monte Carlo); liabilities are their
  difference. A listed going concern with a stockholders' deficit (buy-backs) absorbs losses
  with its market value. End investors (entities flagged ``end_investor`` in
  ``entities.csv``) absorb losses without defaulting and need no balance sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from lahar.contagion import CascadeSystem, annuity_factor
from lahar.data import ParameterSet, load_parameters, status_weights
from lahar.errors import DataError
from lahar.network import COMMITMENT_LAYERS, LAYERS, STATUSES, Network

__all__ = ["CascadeInputs", "cascade_inputs", "commitment_values"]


@dataclass(frozen=True)
class CascadeInputs:
    """The cascade's structure and balance sheets built from a network.

    Attributes
    ----------
    system : lahar.contagion.CascadeSystem
        Debt, own and client stakes, equity values, liabilities, contracts, end investors.
    ids : ndarray of str, shape (n,)
        Entity ids, in the order of every array.
    equity, equity_low, equity_high : ndarray, shape (n,)
        Book equity: central value and range (the range is the value where none is given;
        end investors without a balance sheet get their holdings, so nothing is external).
    total_assets : ndarray, shape (n,)
        Total assets (central).
    contract : ndarray of int, shape (K,)
        Position in the network's exposures of each commitment contract.
    contract_annual : ndarray, shape (K,)
        Annual payment of each contract (amount / years, before the status weight).
    contract_years : ndarray, shape (K,)
        Years over which each contract is paid.
    contract_status : ndarray of int8, shape (K,)
        Status code of each contract (into :data:`lahar.network.STATUSES`).
    client_debt : scipy.sparse.csr_array, shape (n, n)
        Debt ``j`` owes to clients of ``i`` (held by ``i`` for them): owed outside the system.
    """

    system: CascadeSystem
    ids: NDArray[np.object_]
    equity: NDArray[np.float64]
    equity_low: NDArray[np.float64]
    equity_high: NDArray[np.float64]
    total_assets: NDArray[np.float64]
    contract: NDArray[np.intp]
    contract_annual: NDArray[np.float64]
    contract_years: NDArray[np.float64]
    contract_status: NDArray[np.int8]
    client_debt: sp.csr_array


def _flag(net: Network, column: str) -> NDArray[np.bool_]:
    ents = net.entities
    if column not in ents.columns:
        return np.zeros(net.n, dtype=bool)
    return ents[column].fillna("").astype(str).str.lower().isin(("yes", "true", "1")).to_numpy()


def commitment_values(
    inputs: CascadeInputs,
    weights: Mapping[str, float] | NDArray[np.float64],
    discount_rate: float | NDArray[np.float64],
) -> NDArray[np.float64]:
    r"""Present value of each commitment contract, :math:`w_{s(k)} c_k\, a(y_k, r)`.

    Parameters
    ----------
    inputs : CascadeInputs
        From :func:`cascade_inputs`.
    weights : mapping of str to float, or ndarray of shape (len(STATUSES), S)
        Status weights (one table, or one column per scenario in the order of ``STATUSES``).
    discount_rate : float or ndarray of shape (S,)
        Annual discount rate(s), >= 0.

    Returns
    -------
    ndarray, shape (K,) or (K, S)
    """
    if isinstance(weights, Mapping):
        w = np.array([float(weights[s]) for s in STATUSES])[inputs.contract_status]
    else:
        w = np.asarray(weights, dtype=np.float64)[inputs.contract_status]
    r = np.asarray(discount_rate, dtype=np.float64)
    if r.ndim == 0:
        a = annuity_factor(inputs.contract_years, float(r))
        return (
            w * inputs.contract_annual * a
            if w.ndim == 1
            else w * (inputs.contract_annual * a)[:, None]
        )
    y = inputs.contract_years[:, None]
    rr = r[None, :]
    a = np.where(rr > 0, -np.expm1(-y * np.log1p(rr)) / np.where(rr > 0, rr, 1.0), y)
    ww = w if w.ndim == 2 else w[:, None]
    return ww * inputs.contract_annual[:, None] * a


def cascade_inputs(
    net: Network,
    params: ParameterSet | None = None,
    *,
    year: int | None = None,
    weights: Mapping[str, float] | None = None,
    loss_capacity: str = "market",
) -> CascadeInputs:
    """Build the cascade's structure and balance sheets from a network.

    Parameters
    ----------
    net : Network
        The network (e.g. :func:`lahar.data.load_network`).
    params : ParameterSet, optional
        Parameters (default: the shipped ones); gives the status weights.
    year : int, optional
        Latest year of the balance-sheet facts (default: the latest).
    weights : mapping of str to float, optional
        Status weights of debt and stakes (default: :func:`lahar.data.status_weights`).
    loss_capacity : {"market", "book"}, default "market"
        What absorbs a listed firm's losses before it defaults: the larger of its book equity
        and its market value (``"market"``: a listed going concern fails when its losses
        exceed what the market says its equity is worth, as in structural credit models), or
        its book equity alone (``"book"``: balance-sheet insolvency, as in Eisenberg–Noe and
        DebtRank). Unlisted firms always use book equity (a private valuation is a hope, not
        a loss buffer).

    Returns
    -------
    CascadeInputs

    Raises
    ------
    lahar.errors.DataError
        An entity that holds, owes or commits (and is not an end investor) lacks
        ``book_equity`` or ``total_assets``, or has book equity <= 0; every one is listed.
    """
    p = load_parameters() if params is None else params
    w = status_weights(p) if weights is None else dict(weights)
    missing_w = [s for s in STATUSES if s not in w]
    if missing_w:
        msg = f"The 'weights' parameter of cascade_inputs() must give every status a weight. Got none for {missing_w} instead."
        raise DataError(msg)
    n = net.n
    wvec = np.array([float(w[s]) for s in STATUSES])[net.status_codes]
    cur = net.current
    layer = net.layer_codes
    capacity = net.exposure_column("capacity")
    client = capacity == "client"
    src, dst, amt = net.source, net.target, net.amount * wvec

    def matrix(mask: NDArray[np.bool_]) -> sp.csr_array:
        m = sp.coo_array((amt[mask], (src[mask], dst[mask])), shape=(n, n)).tocsr()
        m.sum_duplicates()
        return sp.csr_array(m)

    is_equity = cur & (layer == LAYERS.index("equity"))
    is_debt = cur & (layer == LAYERS.index("debt"))
    stakes = matrix(is_equity & ~client)
    client_stakes = matrix(is_equity & client)
    debt = matrix(is_debt & ~client)
    client_debt = matrix(is_debt & client)
    codes = np.asarray([LAYERS.index(x) for x in COMMITMENT_LAYERS], dtype=np.int8)
    contract = np.flatnonzero(cur & np.isin(layer, codes))
    absorbing = _flag(net, "end_investor")

    equity = net.fact("book_equity", year)
    assets = net.fact("total_assets", year)
    eq_lo = net.fact("book_equity", year, which="low")
    eq_hi = net.fact("book_equity", year, which="high")
    involved = np.zeros(n, dtype=bool)
    for m in (stakes, client_stakes, debt, client_debt):
        coo = m.tocoo()
        involved[coo.row] = True
        involved[coo.col] = True
    involved[src[contract]] = True
    involved[dst[contract]] = True
    if loss_capacity not in ("market", "book"):
        msg = f"The 'loss_capacity' parameter of cascade_inputs() must be 'market' or 'book'. Got {loss_capacity!r} instead."
        raise DataError(msg)
    market = net.fact("market_cap", year)
    tickers = net.entities["ticker"] if "ticker" in net.entities.columns else None
    listed = np.zeros(n, dtype=bool) if tickers is None else tickers.notna().to_numpy()
    has_market = listed & np.isfinite(market) & (market > 0)
    # a listed going concern absorbs losses with its market value when that is larger (and
    # always when it has a stockholders' deficit, e.g. from buy-backs): its assets at market
    # are its liabilities plus its market value
    deficit = np.isfinite(equity) & (equity <= 0) & np.isfinite(market) & (market > 0)
    at_market = (
        deficit | (has_market & (market > equity) & (loss_capacity == "market"))
    ) & ~absorbing
    liabilities = np.maximum(assets - equity, 0.0)
    equity = np.where(at_market, market, equity)
    assets = np.where(at_market, liabilities + market, assets)
    need = involved & ~absorbing
    bad = need & ~(np.isfinite(equity) & (equity > 0) & np.isfinite(assets) & (assets >= equity))
    if bad.any():
        listed = ", ".join(
            f"{net.ids[i]} (book_equity {equity[i]:.4g}, total_assets {assets[i]:.4g})"
            for i in np.flatnonzero(bad)[:15]
        )
        more = f" and {int(bad.sum()) - 15} more" if bad.sum() > 15 else ""
        msg = (
            "cascade_inputs(): every entity that holds, owes or commits needs book_equity > 0 "
            f"and total_assets >= book_equity in facts.csv, or the end_investor flag in "
            f"entities.csv; missing or invalid for {listed}{more}."
        )
        raise DataError(msg)
    # an entity outside every channel and without a balance sheet cannot be hurt by contagion
    has_bs = np.isfinite(equity) & (equity > 0) & np.isfinite(assets)
    absorbing = absorbing | (~involved & ~has_bs)
    held = np.asarray(stakes.sum(axis=1)).ravel() + np.asarray(debt.sum(axis=1)).ravel()
    # end investors without a balance sheet: exactly their holdings, nothing external
    no_bs = absorbing & ~(np.isfinite(equity) & np.isfinite(assets))
    equity = np.where(no_bs, held, equity)
    assets = np.where(no_bs, held, assets)
    equity = np.where(np.isfinite(equity), equity, 0.0)
    assets = np.where(np.isfinite(assets), assets, equity)
    fixed = no_bs | at_market  # no range to draw from
    eq_lo = np.where(np.isfinite(eq_lo) & ~fixed, eq_lo, equity)
    eq_hi = np.where(np.isfinite(eq_hi) & ~fixed, eq_hi, equity)
    # a range reaching zero or below: the firm may be (all but) insolvent before any shock; a
    # draw keeps at least 1 USD of equity, so any loss defaults it
    eq_lo = np.where(~absorbing & (eq_lo < 1.0), np.minimum(1.0, equity), eq_lo)
    liabilities = np.maximum(assets - equity, 0.0)
    # client debt is owed outside the system: it stays in the debtor's liabilities
    value = np.where(np.isfinite(market) & (market > 0), market, equity)
    value = np.where(value > 0, value, np.maximum(equity, 1.0))
    system = CascadeSystem.build(
        debt=debt,
        stakes=stakes,
        client_stakes=client_stakes,
        value=value,
        liabilities=liabilities,
        buyer=src[contract],
        supplier=dst[contract],
        absorbing=absorbing,
    )
    years = net.years[contract]
    return CascadeInputs(
        system=system,
        ids=np.asarray(net.ids),
        equity=equity,
        equity_low=np.minimum(eq_lo, equity),
        equity_high=np.maximum(eq_hi, equity),
        total_assets=assets,
        contract=contract,
        contract_annual=net.amount[contract] / years,
        contract_years=years,
        contract_status=net.status_codes[contract],
        client_debt=client_debt,
    )
