r"""Multi-channel cascade: purchase commitments, equity stakes, debt clearing and fire sales.

The channels are iterated to a joint fixed point for a batch of S scenarios:

1. **shock** -- each entity loses a fraction of its external (non-network) assets;
2. **commitments** -- a defaulted buyer walks away from its purchase commitments and its
   suppliers lose the present value of their margin (:func:`commitment_losses`);
3. **equity stakes** -- a holder of a stake in ``j`` marks it down by ``j``'s relative equity
   loss :math:`h_j = \min(1, \text{loss}_j / E_j)` (book-value revaluation, as in DebtRank);
4. **debt clearing** -- with external assets reduced by channels 1-3 and 5, interbank debt
   clears at the greatest clearing vector (:func:`eisenberg_noe`, external liabilities pari
   passu) and creditors lose :math:`\Pi^\top(\bar p - p)`;
5. **fire sales** -- a firm that lost equity sells its marketable stakes pro rata to return to
   its leverage (Greenwood, Landier & Thesmar 2015); sales push each stock's price down
   linearly in the amount sold relative to the issuer's market value, hitting every holder.

Every channel is monotone in the others' losses, so iterating from zero losses increases to
the least joint fixed point (the greatest clearing vector of the whole system).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from lahar._validation import as_batch, check_int, check_scalar, check_vector, fail
from lahar.contagion._commitments import (
    DEFAULT_DISCOUNT_RATE,
    DEFAULT_STATUS_WEIGHTS,
    annuity_factor,
)
from lahar.contagion._common import canonical_csr, column_sums, row_sums
from lahar.contagion._eisenberg_noe import prepare_clearing
from lahar.errors import ConvergenceError, DataError

__all__ = ["COMMITMENT_LAYERS", "CascadeResult", "cascade"]

_FUNC = "cascade()"

COMMITMENT_LAYERS: tuple[str, ...] = (
    "purchase_commitment",
    "cloud_contract",
    "chip_purchase",
    "lease",
)
"""Network layers whose exposures are multi-year purchase commitments (buyer -> supplier)."""

#: Default supplier gross margin (an assumption, see ``docs/contagion.md``).
DEFAULT_MARGIN = 0.3


@dataclass(frozen=True)
class CascadeResult:
    r"""Per-entity losses by channel at the joint fixed point of the cascade.

    Per-entity arrays have shape ``(n,)`` for one scenario and ``(n, S)`` for a batch; all
    amounts are USD.

    Attributes
    ----------
    ids : ndarray of str, shape (n,)
        Entity ids, in the order of every array.
    shock_loss : ndarray
        Direct loss on external assets from the scenario shock.
    commitment_loss : ndarray
        Present value of margin lost on commitments of defaulted buyers (suppliers).
    stake_loss : ndarray
        Write-down of equity stakes as their issuers lose equity.
    credit_loss : ndarray
        Loss on debt claims at the clearing vector, :math:`\Pi^\top(\bar p - p)`.
    fire_sale_loss : ndarray
        Mark-to-market loss on stakes from the price impact of fire sales.
    total_loss : ndarray
        Sum of the five channels.
    equity : ndarray
        Book equity after the cascade, ``equity_before - total_loss``.
    equity_before : ndarray, shape (n,)
        Book equity before the shock.
    defaulted : ndarray of bool
        Entities that cannot meet their obligations (or whose equity is negative).
    payments : ndarray
        Clearing payments on debt (interbank plus external).
    price_change : ndarray
        Fire-sale price change of each entity's stock (a return in [-1, 0]).
    rounds : int
        Iterations performed (outer rounds over all channels), the last of which changed no
        loss by more than ``tol`` and no default: at least 2, since the first round's fire
        sales only act in the second. The same meaning as ``rounds`` of
        :class:`~lahar.contagion.DebtRankResult` and ``n_iter`` of
        :class:`~lahar.errors.ConvergenceError`.
    """

    ids: NDArray[np.object_]
    shock_loss: NDArray[np.float64]
    commitment_loss: NDArray[np.float64]
    stake_loss: NDArray[np.float64]
    credit_loss: NDArray[np.float64]
    fire_sale_loss: NDArray[np.float64]
    total_loss: NDArray[np.float64]
    equity: NDArray[np.float64]
    equity_before: NDArray[np.float64]
    defaulted: NDArray[np.bool_]
    payments: NDArray[np.float64]
    price_change: NDArray[np.float64]
    rounds: int

    @property
    def by_channel(self) -> dict[str, NDArray[np.float64]]:
        """The five channel loss arrays by name."""
        return {
            "shock": self.shock_loss,
            "commitments": self.commitment_loss,
            "equity_stakes": self.stake_loss,
            "credit": self.credit_loss,
            "fire_sales": self.fire_sale_loss,
        }


@dataclass(frozen=True)
class _Balance:
    """Arrays the cascade needs, in one entity order (built from a Network or by hand)."""

    debt: sp.csr_array  # debt[i, j]: i lent to j (j owes i)
    stakes: sp.csr_array  # stakes[i, j]: value of i's equity stake in j
    commitment_value: sp.csr_array  # PV of status-weighted commitments, buyer -> supplier
    total_assets: NDArray[np.float64]
    equity: NDArray[np.float64]
    margin: NDArray[np.float64]
    market_value: NDArray[np.float64]  # market value of each entity's equity (price impact)


def _commitment_value(
    net: Any, layers: Sequence[str], status_weight: Mapping[str, float], rate: float
) -> sp.csr_array:
    """PV of status-weighted annual commitments; per entry the term is total / annual."""
    n = net.n
    total = sp.csr_array((n, n))
    for status, weight in status_weight.items():
        whole = canonical_csr(net.layer(list(layers), status=status))
        if whole.nnz == 0 or weight == 0:
            continue
        yearly = canonical_csr(net.layer(list(layers), status=status, annualize=True))
        term = whole.copy()
        term.data = whole.data / yearly[whole.nonzero()].reshape(-1)
        pv = yearly[whole.nonzero()].reshape(-1) * annuity_factor(term.data, rate)
        total = total + weight * sp.csr_array((pv, whole.nonzero()), shape=(n, n))
    return canonical_csr(total)


def _override(net: Any, metric: str, year: int | None, given: Any) -> NDArray[np.float64]:
    """Facts of ``metric``, replaced by ``given`` wherever ``given`` is not NaN."""
    facts = net.fact(metric, year)
    if given is None:
        return facts
    arr = np.asarray(given, dtype=np.float64)
    if arr.shape != (net.n,):
        raise fail(_FUNC, metric, f"of shape ({net.n},) (NaN = use the fact)", f"shape {arr.shape}")
    return np.where(np.isnan(arr), facts, arr)


def _from_network(
    net: Any,
    *,
    year: int | None,
    margin: Any,
    rate: float,
    status_weight: Mapping[str, float] | None,
    layers: Sequence[str],
    book_equity: Any = None,
    total_assets: Any = None,
) -> _Balance:
    n = net.n
    equity = _override(net, "book_equity", year, book_equity)
    total = _override(net, "total_assets", year, total_assets)
    problems = []
    for metric, arr, cond, need in (
        ("book_equity", equity, lambda a: np.isfinite(a) & (a > 0), "> 0"),
        ("total_assets", total, lambda a: np.isfinite(a) & (a >= 0), ">= 0"),
    ):
        bad = np.flatnonzero(~cond(arr))
        if bad.size:
            ids = ", ".join(str(x) for x in net.ids[bad[:10]])
            more = f" and {bad.size - 10} more" if bad.size > 10 else ""
            problems.append(
                f"cascade(): '{metric}' must be known and {need} for every entity; missing or "
                f"invalid for {ids}{more}. Add the facts, pass estimates with "
                f"{metric}=array (NaN = use the fact), or take net.subnetwork(...) of the "
                "entities that have them."
            )
    if problems:
        raise DataError("\n".join(problems))
    weights = DEFAULT_STATUS_WEIGHTS if status_weight is None else dict(status_weight)
    weights = {
        k: check_scalar(v, f"status_weight[{k!r}]", _FUNC, low=0.0) for k, v in weights.items()
    }
    market = net.fact("market_cap", year)
    market = np.where(np.isfinite(market) & (market > 0), market, equity)
    if np.ndim(margin) == 0:
        m = np.full(n, check_scalar(margin, "margin", _FUNC, low=0.0, high=1.0))
    else:
        m = np.array(check_vector(margin, "margin", _FUNC, n=n))
        if (m > 1).any():
            k = int(np.flatnonzero(m > 1)[0])
            raise fail(_FUNC, "margin", "in [0, 1]", f"{m[k]:g} at [{k}]")
    return _Balance(
        debt=canonical_csr(net.layer("debt")),
        stakes=canonical_csr(net.layer("equity")),
        commitment_value=_commitment_value(net, layers, weights, rate),
        total_assets=total,
        equity=equity,
        margin=m,
        market_value=market,
    )


def cascade(
    network: Any,
    shock: ArrayLike,
    *,
    year: int | None = None,
    alpha: float = 1.0,
    beta: float = 1.0,
    margin: float | ArrayLike = DEFAULT_MARGIN,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
    status_weight: Mapping[str, float] | None = None,
    price_impact: float = 1.0,
    commitment_layers: Sequence[str] = COMMITMENT_LAYERS,
    book_equity: ArrayLike | None = None,
    total_assets: ArrayLike | None = None,
    tol: float = 1e-9,
    max_iter: int = 1000,
) -> CascadeResult:
    r"""Propagate a batch of shocks through commitments, stakes, debt and fire sales jointly.

    With :math:`\ell^{(c)}` the loss of each channel ``c`` and :math:`E` book equity, the
    cascade is the least fixed point of

    .. math::

        \ell^{\text{shock}} &= \sigma \odot e_0, \qquad
        \ell^{\text{commit}} = m \odot V^\top \mathbb 1[\text{defaulted}], \qquad
        \ell^{\text{stake}} = Q\, h, \quad h = \min\!\big(1, \tfrac{\ell}{E}\big) \\
        p &= \text{EN}\big(L,\; e_0 + Q\mathbb 1 - \ell^{\text{shock}} - \ell^{\text{commit}}
             - \ell^{\text{stake}} - \ell^{\text{fire}}\big), \qquad
        \ell^{\text{credit}} = \Pi^\top(\bar p - p) \\
        \ell^{\text{fire}} &= Q\,\big[(1 - h) \odot \phi\big], \qquad
        \phi = \min\!\Big(1, \kappa\, \frac{Q^\top (b \odot \min(\ell, E) / A)}{\text{mcap}}\Big)

    where ``V`` holds the present value of the status-weighted commitments, ``Q`` the equity
    stakes, ``L`` the debt layer transposed, ``b = (A - E) / E`` each firm's leverage and
    ``phi`` the fire-sale discount of each stock.

    Parameters
    ----------
    network : lahar.network.Network
        Layers ``debt`` (lender -> borrower), ``equity`` (holder -> issuer) and the commitment
        layers (buyer -> supplier); facts ``book_equity`` (> 0) and ``total_assets`` for every
        entity, ``market_cap`` where known (book equity is used elsewhere).
    shock : array_like, shape (n,) or (n, S)
        Fraction of each entity's external (non-network) assets lost, in [0, 1]; one column per
        scenario. ``1`` for an entity = it loses everything it holds outside the network (for
        example a lab whose funding stops).
    year : int, optional
        Year of the facts (default: latest per entity).
    alpha, beta : float, default 1.0
        Rogers–Veraart recovery rates on external and interbank assets of defaulted entities.
    margin : float or array_like, shape (n,), default 0.3
        Suppliers' gross margin on commitments (an assumption; see ``docs/contagion.md``).
    discount_rate : float, default 0.08
        Discount rate of lost commitment margins (see :data:`DEFAULT_DISCOUNT_RATE`).
    status_weight : mapping of str to float, optional
        Weight per exposure status of commitments; default announced 0.25, committed 0.5,
        drawn 1.0 (assumptions). Statuses not listed are ignored.
    price_impact : float, default 1.0
        :math:`\kappa`: price fall per dollar sold, as a multiple of one over the issuer's
        market value (1.0: selling 1 % of a company's market value lowers its price by 1 %,
        the linearised Cont–Schaanning calibration "5 % of market cap -> 5 % price fall").
        0 switches fire sales off.
    commitment_layers : sequence of str
        Layers treated as purchase commitments.
    book_equity, total_assets : array_like, shape (n,), optional
        Balance-sheet figures (USD) that replace the network facts where not NaN, e.g.
        estimates for entities without filings (labs, private neoclouds).
    tol : float, default 1e-9
        Stop when no loss changed by more than ``tol`` times the largest book equity.
    max_iter : int, default 1000
        Maximum outer iterations.

    Returns
    -------
    CascadeResult
        Losses by channel, equity, defaults, payments and price changes.

    Raises
    ------
    lahar.errors.DataError
        Missing or invalid facts (every entity listed), a shock outside [0, 1], bad options.
    lahar.errors.ConvergenceError
        The channels did not reach a joint fixed point in ``max_iter`` iterations.

    See Also
    --------
    eisenberg_noe, commitment_losses, fire_sale, debtrank

    Notes
    -----
    * External assets :math:`e_0 = A - \text{lent} - \text{stakes}` and external liabilities
      :math:`A - E - \text{borrowed}` (floored at 0) are implied by the facts, so that with no
      shock the clearing reproduces book equity.
    * A buyer walks away from all its commitments when it defaults (executory contracts are
      rejected in bankruptcy); suppliers lose margin, not the contract value, and the loss is
      booked at once as a fall in equity (and in the external assets available to pay debt).
    * Stakes are valued at book: a stake loses the issuer's relative equity loss; fire sales
      then discount what is left. Sales are capped at the firm's stakes and price falls at
      100 %.
    * Each outer iteration clears the debt layer exactly (warm-started from the previous
      iteration); the linear channels (stakes, fire sales) converge geometrically, or stop
      exactly when they saturate.

    References
    ----------
    .. [1] Eisenberg, L. and Noe, T. H. (2001). Systemic risk in financial systems.
       *Management Science* 47(2), 236–249.
    .. [2] Greenwood, R., Landier, A. and Thesmar, D. (2015). Vulnerable banks. *Journal of
       Financial Economics* 115(3), 471–485.
    .. [3] Battiston, S. et al. (2012). DebtRank: Too central to fail? *Scientific Reports* 2,
       541 (revaluation of claims by relative equity loss).
    .. [4] Cont, R. and Schaanning, E. (2017). Fire sales, indirect contagion and systemic
       stress testing. Norges Bank Working Paper 2/2017.

    Examples
    --------
    A lab buys cloud capacity (8 a year for 5 years, committed) from a cloud that borrowed 40
    from a bank. The lab's funding stops (it loses all its external assets):

    >>> import numpy as np, pandas as pd
    >>> from lahar.network import Network
    >>> from lahar.contagion import cascade
    >>> facts = pd.DataFrame({
    ...     "entity": ["lab", "cloud", "bank"] * 2, "year": 2025,
    ...     "metric": ["book_equity"] * 3 + ["total_assets"] * 3,
    ...     "value": [5.0, 10.0, 20.0, 20.0, 60.0, 200.0]})
    >>> net = Network.from_arrays(
    ...     ["lab", "cloud", "bank"], [0, 2], [1, 1], [40.0, 40.0],
    ...     layer=["cloud_contract", "debt"], status=["committed", "drawn"],
    ...     term_years=[5.0, np.nan], facts=facts)
    >>> res = cascade(net, [1.0, 0.0, 0.0])
    >>> res.defaulted.tolist()
    [True, False, False]
    >>> print(np.round(res.commitment_loss, 3))   # 0.3 * 0.5 * 8 * a(5, 8 %)
    [0.    4.792 0.   ]
    >>> print(np.round(res.equity, 3))
    [-15.     5.208  20.   ]
    """
    tol = check_scalar(tol, "tol", _FUNC, low=0.0)
    max_iter = check_int(max_iter, "max_iter", _FUNC, low=1)
    alpha = check_scalar(alpha, "alpha", _FUNC, low=0.0, high=1.0)
    beta = check_scalar(beta, "beta", _FUNC, low=0.0, high=1.0)
    rate = check_scalar(discount_rate, "discount_rate", _FUNC, low=0.0)
    kappa = check_scalar(price_impact, "price_impact", _FUNC, low=0.0)
    bal = _from_network(
        network,
        year=year,
        margin=margin,
        rate=rate,
        status_weight=status_weight,
        layers=tuple(commitment_layers),
        book_equity=book_equity,
        total_assets=total_assets,
    )
    sigma = check_vector(shock, "shock", _FUNC, n=network.n, batch=True)
    if (sigma > 1).any():
        k = np.unravel_index(int(np.flatnonzero((sigma > 1).ravel())[0]), sigma.shape)
        raise fail(
            _FUNC,
            "shock",
            "in [0, 1] (a fraction of external assets)",
            f"{sigma[k]:g} at {[int(x) for x in k]}",
        )
    return _run(bal, sigma, np.asarray(network.ids), alpha, beta, kappa, tol, max_iter)


def _run(
    bal: _Balance,
    shock: NDArray[np.float64],
    ids: NDArray[np.object_],
    alpha: float,
    beta: float,
    kappa: float,
    tol: float,
    max_iter: int,
) -> CascadeResult:
    """The fixed-point iteration on prepared arrays (all scenarios at once)."""
    sigma, was_1d = as_batch(shock, contiguous=True)
    n, n_scen = sigma.shape
    eq0 = bal.equity
    assets = bal.total_assets
    lent = row_sums(bal.debt)
    borrowed = column_sums(bal.debt)
    held = row_sums(bal.stakes)
    e0 = np.maximum(assets - lent - held, 0.0)
    external_liab = np.maximum(assets - eq0 - borrowed, 0.0)
    system = prepare_clearing(bal.debt.T, external_liab)
    stakes = bal.stakes
    stakes_t = sp.csr_array(stakes.T)
    value_t = sp.csr_array(bal.commitment_value.T)
    leverage = np.maximum(assets - eq0, 0.0) / eq0  # debt over equity, GLT's b
    sell_share = np.divide(1.0, assets, out=np.zeros(n), where=assets > 0)
    impact = kappa / bal.market_value

    shock_loss = sigma * e0[:, None]
    commit = np.zeros((n, n_scen))
    stake = np.zeros((n, n_scen))
    fire = np.zeros((n, n_scen))
    total = shock_loss.copy()
    dflt = np.zeros((n, n_scen), dtype=bool)
    phi = np.zeros((n, n_scen))
    start = None  # payments of the last round: above this round's answer (losses only grow)
    scale = tol * max(float(eq0.max(initial=0.0)), 1.0)
    for rounds in range(1, max_iter + 1):
        h = np.minimum(1.0, total / eq0[:, None])
        commit = bal.margin[:, None] * np.asarray(value_t @ dflt.astype(np.float64))
        stake = np.asarray(stakes @ h)
        fire = np.asarray(stakes @ ((1.0 - h) * phi))
        e = e0[:, None] + held[:, None] - shock_loss - commit - stake - fire
        np.maximum(e, 0.0, out=e)
        sol = system.clear(e, alpha=alpha, beta=beta, start=start)
        start = sol.payments
        credit = sol.credit_loss
        new_total = shock_loss + commit + stake + fire + credit
        new_dflt = sol.defaulted | (new_total > eq0[:, None] * (1 + 1e-12))
        # fire sales: each firm sells b * min(loss, E) pro rata over its assets
        sold_by_firm = leverage[:, None] * np.minimum(new_total, eq0[:, None]) * sell_share[:, None]
        sold = np.asarray(stakes_t @ sold_by_firm)
        phi = np.minimum(1.0, impact[:, None] * sold)
        change = float(np.abs(new_total - total).max(initial=0.0))
        same = bool((new_dflt == dflt).all())
        total, dflt = new_total, new_dflt
        if change <= scale and same and rounds > 1:
            break
    else:
        raise ConvergenceError(
            "cascade() did not reach a joint fixed point; raise max_iter or tol",
            n_iter=max_iter,
            residual=change,
        )
    payments = sol.payments
    equity = eq0[:, None] - total
    out = {
        "shock_loss": shock_loss,
        "commitment_loss": commit,
        "stake_loss": stake,
        "credit_loss": credit,
        "fire_sale_loss": fire,
        "total_loss": total,
        "equity": equity,
        "defaulted": dflt,
        "payments": payments,
        "price_change": -phi,
    }
    if was_1d:
        out = {k: v[:, 0] for k, v in out.items()}
    return CascadeResult(ids=ids, equity_before=eq0.copy(), rounds=rounds, **out)
