r"""The multi-channel cascade on arrays: commitments, equity stakes, debt clearing and fire sales.

A :class:`CascadeSystem` holds the fixed structure of a financial system of ``n`` entities
(who lent to whom, who holds whose equity, who committed to buy from whom); :func:`cascade`
propagates a batch of S scenarios through it to the least joint fixed point of five channels:

1. **direct losses** -- what a scenario does to each entity before any contagion (a revenue
   shortfall, a collateral haircut, higher interest), given in USD;
   **repricing** -- an exogenous fall of the market value of some issuers' equity, which every
   holder of their stakes books;
2. **commitments** -- a buyer that pays only part of its purchase commitments (an exogenous
   non-payment share) or defaults (it walks away from all of them) costs each supplier the
   present value of the margin it expected on the unpaid part;
3. **equity stakes** -- a holder of a stake in ``j`` loses its share of ``j``'s losses, up to
   the whole stake when ``j`` defaults (valuation at the issuer's equity value: a stake worth
   27 % of a firm loses 27 % of every dollar the firm loses);
4. **debt clearing** -- with external assets reduced by the other channels, debt clears at the
   greatest clearing vector (Eisenberg--Noe with Rogers--Veraart recovery; external
   liabilities pari passu) and creditors lose :math:`\Pi^\top(\bar p - p)`;
5. **fire sales** -- a firm that lost equity sells its stakes pro rata to return to its leverage
   (Greenwood, Landier & Thesmar 2015); sales depress each issuer's price linearly in the
   amount sold relative to its equity value, hitting every holder.

Every channel is monotone in the losses and defaults of the others, and every channel is
bounded (a loss is at most a stake, a margin, a claim), so iterating from zero losses
increases to the least joint fixed point. Building the structure from a
:class:`~lahar.network.Network` (which rows count, their status weights, contract-by-contract
values, whose money a holding is) is the job of :mod:`lahar.scenarios`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from lahar._validation import check_scalar, check_vector, fail
from lahar.contagion import _kernels
from lahar.contagion._common import canonical_csr, column_sums, row_sums
from lahar.contagion._eisenberg_noe import prepare_clearing
from lahar.errors import ConvergenceError

__all__ = ["CHANNELS", "CascadeResult", "CascadeSystem", "cascade"]

_FUNC = "cascade()"

CHANNELS: tuple[str, ...] = (
    "direct",
    "repricing",
    "commitments",
    "equity_stakes",
    "credit",
    "fire_sales",
)
"""The loss channels of :class:`CascadeResult`, in the order a report draws them."""


@dataclass(frozen=True)
class CascadeSystem:
    r"""The fixed structure of a cascade: claims, stakes and commitment contracts.

    Make one with :meth:`build` (which checks shapes and signs).

    Attributes
    ----------
    debt : scipy.sparse.csr_array, shape (n, n)
        ``debt[i, j]``: what ``j`` owes ``i`` (face value, USD).
    stakes : scipy.sparse.csr_array, shape (n, n)
        ``stakes[i, j]``: value of ``i``'s own equity stake in ``j`` (USD).
    client_stakes : scipy.sparse.csr_array, shape (n, n)
        Stakes ``i`` holds for its clients: their losses pass to the clients (reported as
        :attr:`CascadeResult.client_loss`), not to ``i``'s equity, and ``i`` does not sell them
        in a fire sale.
    value : ndarray, shape (n,)
        Equity value of each entity that stakes are a share of (market value where listed,
        the latest valuation or book equity otherwise), > 0 where anyone holds a stake.
    liabilities : ndarray, shape (n,)
        Total liabilities (total assets - book equity), >= 0; debt owed inside the system is
        part of it, the rest is owed outside and ranks pari passu.
    buyer, supplier : ndarray of int, shape (K,)
        Buyer and supplier of each commitment contract.
    absorbing : ndarray of bool, shape (n,)
        End investors (households, governments, broad investor groups): they take losses but
        never default and never sell.
    """

    debt: sp.csr_array
    stakes: sp.csr_array
    client_stakes: sp.csr_array
    value: NDArray[np.float64]
    liabilities: NDArray[np.float64]
    buyer: NDArray[np.intp]
    supplier: NDArray[np.intp]
    absorbing: NDArray[np.bool_]

    @property
    def n(self) -> int:
        """Number of entities."""
        return int(self.value.shape[0])

    @property
    def k(self) -> int:
        """Number of commitment contracts."""
        return int(self.buyer.shape[0])

    @classmethod
    def build(
        cls,
        *,
        debt: Any,
        stakes: Any,
        value: ArrayLike,
        liabilities: ArrayLike,
        buyer: ArrayLike = (),
        supplier: ArrayLike = (),
        client_stakes: Any = None,
        absorbing: ArrayLike | None = None,
    ) -> CascadeSystem:
        """Check and assemble a system (see the class Attributes for each argument)."""
        func = "CascadeSystem.build()"
        d = canonical_csr(debt)
        n = d.shape[0]
        if d.shape != (n, n):
            raise fail(func, "debt", "a square matrix", f"shape {d.shape}")
        q = canonical_csr(stakes)
        c = canonical_csr(sp.csr_array((n, n)) if client_stakes is None else client_stakes)
        for name, m in (("debt", d), ("stakes", q), ("client_stakes", c)):
            if m.shape != (n, n):
                raise fail(func, name, f"of shape ({n}, {n})", f"shape {m.shape}")
            if m.nnz and (not np.isfinite(m.data).all() or m.data.min() < 0):
                raise fail(func, name, "finite and >= 0", "a negative or non-finite entry")
        v = np.array(check_vector(value, "value", func, n=n))
        held = (column_sums(q) + column_sums(c)) > 0
        if (held & (v <= 0)).any():
            k = int(np.flatnonzero(held & (v <= 0))[0])
            raise fail(
                func, "value", "> 0 for every entity whose stakes are held", f"{v[k]:g} at [{k}]"
            )
        liab = np.array(check_vector(liabilities, "liabilities", func, n=n))
        b = np.asarray(buyer, dtype=np.intp).reshape(-1)
        s = np.asarray(supplier, dtype=np.intp).reshape(-1)
        if b.shape != s.shape:
            raise fail(func, "supplier", f"of the buyer's length {b.size}", f"length {s.size}")
        if b.size and (min(b.min(), s.min()) < 0 or max(b.max(), s.max()) >= n):
            raise fail(func, "buyer", f"positions in [0, {n})", "a position outside")
        ab = np.zeros(n, dtype=bool) if absorbing is None else np.asarray(absorbing, dtype=bool)
        if ab.shape != (n,):
            raise fail(func, "absorbing", f"of shape ({n},)", f"shape {ab.shape}")
        return cls(d, q, c, v, liab, b, s, ab)


@dataclass(frozen=True)
class CascadeResult:
    r"""Losses by channel at the joint fixed point of the cascade.

    Arrays over entities have shape ``(n,)`` for one scenario and ``(n, S)`` for a batch; all
    amounts are USD.

    Attributes
    ----------
    direct_loss, repricing_loss, commitment_loss, stake_loss, credit_loss, fire_sale_loss :
        ndarray
        Loss of each entity through each channel (see :data:`CHANNELS`).
    total_loss : ndarray
        Sum of the six channels: the fall in the entity's own equity.
    client_loss : ndarray
        Losses on stakes the entity holds for clients, borne by its clients.
    equity : ndarray
        Book equity after the cascade, ``equity_before - total_loss``.
    equity_before : ndarray
        Book equity before the shock.
    defaulted : ndarray of bool
        Entities that cannot pay their debts, whose losses exceed their equity, or whose
        default the scenario forces (never an absorbing end investor).
    payments : ndarray
        Clearing payments on debt (inside and outside the system).
    price_change : ndarray
        Change in each entity's equity value seen by its holders (a return in [-1, 0]).
    n_rounds : int
        Outer iterations until no channel changed any more.
    """

    direct_loss: NDArray[np.float64]
    repricing_loss: NDArray[np.float64]
    commitment_loss: NDArray[np.float64]
    stake_loss: NDArray[np.float64]
    credit_loss: NDArray[np.float64]
    fire_sale_loss: NDArray[np.float64]
    total_loss: NDArray[np.float64]
    client_loss: NDArray[np.float64]
    equity: NDArray[np.float64]
    equity_before: NDArray[np.float64]
    defaulted: NDArray[np.bool_]
    payments: NDArray[np.float64]
    price_change: NDArray[np.float64]
    n_rounds: int

    @property
    def by_channel(self) -> dict[str, NDArray[np.float64]]:
        """The six channel loss arrays by name (keys: :data:`CHANNELS`)."""
        return dict(
            zip(
                CHANNELS,
                (
                    self.direct_loss,
                    self.repricing_loss,
                    self.commitment_loss,
                    self.stake_loss,
                    self.credit_loss,
                    self.fire_sale_loss,
                ),
                strict=True,
            )
        )


def _batch(a: Any, name: str, n: int, s: int, *, high: float | None = None) -> NDArray[np.float64]:
    """An (n,) or (n, S) non-negative input broadcast to a C-contiguous (n, S) float array."""
    v = check_vector(a, name, _FUNC, n=n, batch=True)
    if high is not None and v.size and v.max() > high:
        k = np.unravel_index(int(np.argmax(v)), v.shape)
        raise fail(_FUNC, name, f"in [0, {high:g}]", f"{v[k]:g} at {[int(x) for x in k]}")
    v = v[:, None] if v.ndim == 1 else v
    if v.shape[1] not in (1, s):
        raise fail(_FUNC, name, f"of shape ({n},) or ({n}, {s})", f"shape {v.shape}")
    return np.ascontiguousarray(np.broadcast_to(v, (n, s)), dtype=np.float64)


def _scenarios(*arrays: Any) -> int:
    """The batch size S implied by the 2-D inputs (1 if all are 1-D or absent)."""
    sizes = {np.shape(a)[1] for a in arrays if a is not None and np.ndim(a) == 2}
    if len(sizes) > 1:
        raise fail(_FUNC, "scenario inputs", "of one batch size S", f"sizes {sorted(sizes)}")
    return sizes.pop() if sizes else 1


def cascade(
    system: CascadeSystem,
    equity: ArrayLike,
    *,
    direct_loss: ArrayLike | None = None,
    price_fall: ArrayLike | None = None,
    nonpayment: ArrayLike | None = None,
    commitment_value: ArrayLike | None = None,
    margin: ArrayLike | float = 0.0,
    forced_default: ArrayLike | None = None,
    alpha: float = 1.0,
    beta: float = 1.0,
    price_impact: float = 0.0,
    tol: float = 1e-9,
    max_iter: int = 1000,
) -> CascadeResult:
    r"""Propagate a batch of scenarios through commitments, stakes, debt and fire sales jointly.

    With :math:`\ell` each entity's total loss, :math:`E` book equity, :math:`v` equity value,
    :math:`D` the default indicator and :math:`r` the exogenous price fall, the cascade is the
    least fixed point of

    .. math::

        h_j &= 1 - (1 - r_j)\,\big(1 - \max(D_j, \min(1, \ell_j / v_j))\big) \\
        \ell^{\text{rep}} &= Q\,r, \qquad
        \ell^{\text{stake}} = Q\,h - Q\,r, \qquad
        \ell^{\text{commit}}_j = m_j \sum_{k:\,\text{supplier}(k) = j}
            \max(\delta_{b(k)}, D_{b(k)})\, V_k \\
        p &= \text{EN}\big(L^\top,\; E + \Lambda - \text{lent} - \ell^{\text{direct}}
            - \ell^{\text{rep}} - \ell^{\text{commit}} - \ell^{\text{stake}} - \ell^{\text{fire}}
            \big), \qquad \ell^{\text{credit}} = \Pi^\top(\bar p - p) \\
        \ell^{\text{fire}} &= Q\,\big[(1 - h) \odot \phi\big], \qquad
        \phi = \min\!\Big(1, \kappa\,
              \frac{Q^\top\big(b \odot \min(\ell, E) / A\big)}{v}\Big)

    where ``Q`` holds the own stakes, ``L`` the debt, :math:`\Lambda` total liabilities,
    :math:`\delta` the exogenous non-payment share of each buyer, ``V`` the value of each
    commitment contract, ``m`` the suppliers' margins, :math:`A = E + \Lambda` total assets and
    ``b = \Lambda / E`` leverage. Client stakes lose :math:`Q_c h` for the clients.

    Parameters
    ----------
    system : CascadeSystem
        Debt, stakes, equity values, liabilities, commitment contracts, end investors.
    equity : array_like, shape (n,) or (n, S)
        Book equity before the shock (> 0 for every entity that is not an end investor); a
        2-D array gives each scenario its own balance sheets (liabilities stay fixed, so
        external assets move with equity).
    direct_loss : array_like, shape (n,) or (n, S), optional
        Loss of each entity before any contagion (USD, >= 0).
    price_fall : array_like, shape (n,) or (n, S), optional
        Exogenous fall of each entity's equity value, in [0, 1] (a repricing).
    nonpayment : array_like, shape (n,) or (n, S), optional
        Share of its commitments each buyer does not pay, in [0, 1] (0.6 = it pays 40 %).
    commitment_value : array_like, shape (K,) or (K, S), optional
        Value of each contract: present value of the status-weighted payments still due (USD).
    margin : float or array_like, shape (n,) or (n, S), default 0
        Suppliers' gross margin on commitments, in [0, 1].
    forced_default : array_like of bool, shape (n,) or (n, S), optional
        Entities the scenario puts in default (e.g. a maturity that cannot be refinanced);
        they lose ``1 - alpha`` of their external assets (the default costs of Rogers and
        Veraart), booked as a direct loss.
    alpha, beta : float, default 1.0
        Rogers–Veraart recovery rates on external and interbank assets of defaulted entities.
    price_impact : float, default 0
        :math:`\kappa`: price fall per dollar sold, as a multiple of one over the issuer's
        equity value (1.0: selling 1 % of a firm's value lowers its price by 1 %); 0 switches
        fire sales off.
    tol : float, default 1e-9
        A scenario stops when no loss moved by more than ``tol`` times its largest book
        equity.
    max_iter : int, default 1000
        Maximum outer iterations.

    Returns
    -------
    CascadeResult

    Raises
    ------
    lahar.errors.DataError
        Inputs of the wrong shape, sign or range.
    lahar.errors.ConvergenceError
        No joint fixed point within ``max_iter`` iterations.

    See Also
    --------
    eisenberg_noe, commitment_losses, fire_sale, debtrank

    Notes
    -----
    * External assets are implied by the balance sheet, :math:`e = E + \Lambda - \text{lent}`
      (stakes included at their value), so that with no shock the clearing reproduces book
      equity; they are floored at 0.
    * A buyer in default walks away from every commitment (executory contracts are rejected in
      bankruptcy); suppliers lose the margin, not the contract value.
    * An issuer's loss lowers its equity value dollar for dollar (its franchise is kept) until
      it defaults, when its equity is worth nothing; the exogenous repricing compounds with it.
    * The outer rounds first clear the debt with warm-started sweeps only (creditors' losses a
      lower bound, so every round stays below the least fixed point), then, once nothing
      moves, exactly (:meth:`ClearingSystem.clear` with ``exact``) until nothing moves again:
      the answer is the exact least fixed point, and the sparse LU of the defaulted blocks is
      paid in the last rounds only. The linear channels converge geometrically or stop when
      they saturate.

    References
    ----------
    .. [1] Eisenberg, L. and Noe, T. H. (2001). Systemic risk in financial systems.
       *Management Science* 47(2), 236–249.
    .. [2] Rogers, L. C. G. and Veraart, L. A. M. (2013). Failure and rescue in an interbank
       network. *Management Science* 59(4), 882–898.
    .. [3] Greenwood, R., Landier, A. and Thesmar, D. (2015). Vulnerable banks. *Journal of
       Financial Economics* 115(3), 471–485.
    .. [4] Cont, R. and Schaanning, E. (2017). Fire sales, indirect contagion and systemic
       stress testing. Norges Bank Working Paper 2/2017.

    Examples
    --------
    A lab commits 8 a year for 5 years (value ``8 a(5, 8 %)``) to a cloud that owes 45 to a bank
    and 5 outside. The lab pays only 40 % of its commitments:

    >>> import numpy as np
    >>> from lahar.contagion import CascadeSystem, cascade, annuity_factor
    >>> sys = CascadeSystem.build(
    ...     debt=np.array([[0, 0, 0], [0, 0, 0], [0, 45.0, 0]]),  # the bank lent 45
    ...     stakes=np.zeros((3, 3)), value=[5.0, 10.0, 20.0],
    ...     liabilities=[15.0, 50.0, 180.0], buyer=[0], supplier=[1])
    >>> v = 8.0 * annuity_factor(5.0, 0.08)
    >>> res = cascade(sys, [5.0, 10.0, 20.0], nonpayment=[0.6, 0, 0],
    ...               commitment_value=[v], margin=0.5)
    >>> print(np.round(res.commitment_loss, 3))   # 0.5 * 0.6 * 8 * a(5, 8 %)
    [0.    9.583 0.   ]
    >>> res.defaulted.tolist()
    [False, False, False]
    """
    tol = check_scalar(tol, "tol", _FUNC, low=0.0)
    max_iter = int(check_scalar(max_iter, "max_iter", _FUNC, low=1))
    alpha = check_scalar(alpha, "alpha", _FUNC, low=0.0, high=1.0)
    beta = check_scalar(beta, "beta", _FUNC, low=0.0, high=1.0)
    kappa = check_scalar(price_impact, "price_impact", _FUNC, low=0.0)
    n, k = system.n, system.k
    was_1d = np.ndim(equity) == 1
    s = _scenarios(equity, direct_loss, price_fall, nonpayment, margin, forced_default)
    cv = None if commitment_value is None else np.asarray(commitment_value, dtype=np.float64)
    if cv is not None and cv.ndim == 2:
        s = max(s, cv.shape[1])
        was_1d = False
    batched = (direct_loss, price_fall, nonpayment, margin, forced_default)
    if any(a is not None and np.ndim(a) == 2 for a in batched):
        was_1d = False
    eq = check_vector(equity, "equity", _FUNC, n=n, nonneg=False, batch=True)
    eq = np.ascontiguousarray(np.broadcast_to(eq[:, None] if eq.ndim == 1 else eq, (n, s)))
    bad = ~system.absorbing[:, None] & ~(eq > 0)
    if bad.any():
        i, j = np.unravel_index(int(np.flatnonzero(bad.ravel())[0]), bad.shape)
        raise fail(
            _FUNC,
            "equity",
            "> 0 for every entity that is not an end investor",
            f"{eq[i, j]:g} at [{i}, {j}]",
        )
    zeros = np.zeros((n, s))
    direct = zeros if direct_loss is None else _batch(direct_loss, "direct_loss", n, s)
    r = zeros if price_fall is None else _batch(price_fall, "price_fall", n, s, high=1.0)
    delta = zeros if nonpayment is None else _batch(nonpayment, "nonpayment", n, s, high=1.0)
    m = _batch(
        np.broadcast_to(np.asarray(margin, dtype=np.float64), np.shape(margin) or (n,)),
        "margin",
        n,
        s,
        high=1.0,
    )
    forced = (
        np.zeros((n, s), dtype=bool)
        if forced_default is None
        else np.broadcast_to(np.asarray(forced_default, dtype=bool).reshape(n, -1), (n, s)).copy()
    )
    if cv is None:
        cv = np.zeros((k, s))
    else:
        cv2 = cv[:, None] if cv.ndim == 1 else cv
        if cv2.shape[0] != k or cv2.shape[1] not in (1, s):
            raise fail(
                _FUNC, "commitment_value", f"of shape ({k},) or ({k}, {s})", f"shape {cv.shape}"
            )
        if cv2.size and (not np.isfinite(cv2).all() or cv2.min() < 0):
            raise fail(
                _FUNC, "commitment_value", "finite and >= 0", "a negative or non-finite value"
            )
        cv = np.broadcast_to(cv2, (k, s))
    out = _run(system, eq, direct, r, delta, cv, m, forced, alpha, beta, kappa, tol, max_iter)
    if was_1d:
        columns: dict[str, Any] = {
            f: (v[:, 0] if isinstance(v, np.ndarray) and v.ndim == 2 else v)
            for f, v in out.__dict__.items()
        }
        return CascadeResult(**columns)
    return out


def _product(a: sp.csr_array, x: NDArray[np.float64]) -> NDArray[np.float64]:
    """``a @ x`` as a C-contiguous float array (what the fused kernels take)."""
    return np.ascontiguousarray(np.asarray(a @ x), dtype=np.float64)


def _run(
    sys_: CascadeSystem,
    eq0: NDArray[np.float64],
    direct: NDArray[np.float64],
    r: NDArray[np.float64],
    delta: NDArray[np.float64],
    cv: NDArray[np.float64],
    m: NDArray[np.float64],
    forced: NDArray[np.bool_],
    alpha: float,
    beta: float,
    kappa: float,
    tol: float,
    max_iter: int,
) -> CascadeResult:
    """The fixed-point iteration on checked (n, S) arrays."""
    n, s = eq0.shape
    q, qc = sys_.stakes, sys_.client_stakes
    q_t = sp.csr_array(q.T)
    lent = row_sums(sys_.debt)
    borrowed = column_sums(sys_.debt)
    liab = sys_.liabilities
    external_liab = np.maximum(liab - borrowed, 0.0)
    system = prepare_clearing(sys_.debt.T, external_liab)
    e0 = np.maximum(eq0 + liab[:, None] - lent[:, None], 0.0)
    value = np.where(sys_.value > 0, sys_.value, 1.0)[:, None]
    live = ~sys_.absorbing[:, None]
    assets = eq0 + liab[:, None]
    leverage = np.where(live, liab[:, None] / np.where(eq0 > 0, eq0, 1.0), 0.0)
    sell_share = np.divide(1.0, assets, out=np.zeros((n, s)), where=assets > 0)
    # commitments: supplier x contract incidence, buyer of each contract
    supplier_of = sp.csr_array(
        (np.ones(sys_.k), (sys_.supplier, np.arange(sys_.k))), shape=(n, sys_.k)
    )
    repricing = np.asarray(q @ r)
    # a forced default costs (1 - alpha) of the entity's external assets (Rogers-Veraart)
    direct = direct + (forced & live) * (1.0 - alpha) * e0
    # the stopping scale of each scenario, from its own balance sheets
    scale = tol * np.maximum(np.abs(eq0).max(axis=0, initial=0.0), 1.0)
    # Scenarios settle at their own pace: the round in which a scenario first moves nothing
    # sets it aside -- the state of that round goes to the full arrays below and is final for
    # the phase, as if the scenario ran alone -- and the rounds go on with the others, on
    # arrays narrowed to them once enough have settled (a set-aside scenario that still rides
    # along until then is ignored). The cascade's numbers for a scenario depend only on its
    # own column; the sweeps of an inexact clear are shared by the batch (a scenario may get
    # more of them than alone), so a batch agrees with lone runs within the tolerance, not
    # to the bit.
    const = {
        "eq0": eq0, "e0": e0, "direct": direct, "repricing": repricing, "r": r, "delta": delta,
        "m": m, "forced": forced, "leverage": leverage, "sell_share": sell_share,
    }  # fmt: skip
    full = {
        "total": direct + repricing, "dflt": forced & live, "phi": np.zeros((n, s)),
        "commit": np.zeros((n, s)), "stake": np.zeros((n, s)), "fire": np.zeros((n, s)),
        "credit": np.zeros((n, s)), "payments": np.zeros((n, s)),
    }  # fmt: skip
    compiled = _kernels.use(n * s)
    value1 = np.ascontiguousarray(value[:, 0])
    live1 = np.ascontiguousarray(live[:, 0])
    cols = np.arange(s)  # scenarios in the working arrays
    work = dict(const)
    cvw = cv
    st = {"total": full["total"], "dflt": full["dflt"], "phi": full["phi"]}
    start = None
    exact = False  # intermediate rounds clear with sweeps only; the last ones exactly
    change = np.inf
    open_ = np.ones(s, dtype=bool)  # per working column: not set aside in this phase yet
    sc = scale  # the working columns' scales
    for rounds in range(1, max_iter + 1):
        w = work
        total, dflt, phi = st["total"], st["dflt"], st["phi"]
        if compiled:  # the element-wise work of a round in three fused passes
            h, g, unpaid_share = _kernels.cascade_pre(total, dflt, w["r"], phi, value1, w["delta"])
        else:
            h_own = np.maximum(dflt, np.minimum(1.0, total / value))
            h = 1.0 - (1.0 - w["r"]) * (1.0 - h_own)
            g = (1.0 - h) * phi
            unpaid_share = np.maximum(w["delta"], dflt)
        unpaid = unpaid_share[sys_.buyer] * cvw
        commit = _product(supplier_of, unpaid)
        stake = _product(q, h)
        fire = _product(q, g)
        if compiled:  # commit and stake become the channel losses in place
            e = _kernels.cascade_assets(
                w["e0"], w["direct"], w["repricing"], w["m"], commit, stake, fire
            )
        else:
            commit = w["m"] * commit
            stake = stake - w["repricing"]
            e = w["e0"] - w["direct"] - w["repricing"] - commit - stake - fire
            np.maximum(e, 0.0, out=e)
        sol = system.clear(e, alpha=alpha, beta=beta, start=start, exact=exact)
        start = sol.payments  # a warm start below the next answer: external assets only fall
        credit = sol.credit_loss
        if compiled:
            new_total, new_dflt, sold_by_firm, moved, differs = _kernels.cascade_post(
                w["direct"], w["repricing"], commit, stake, fire, credit, sol.defaulted,
                w["eq0"], w["forced"], live1, w["leverage"], w["sell_share"], total, dflt,
            )  # fmt: skip
            same = ~differs
        else:
            new_total = w["direct"] + w["repricing"] + commit + stake + fire + credit
            new_dflt = (sol.defaulted | (new_total > w["eq0"] * (1 + 1e-12)) | w["forced"]) & live
            sold_by_firm = (
                w["leverage"] * np.minimum(new_total, np.maximum(w["eq0"], 0.0)) * w["sell_share"]
            )
            moved = np.abs(new_total - total).max(axis=0, initial=0.0)
            same = (new_dflt == dflt).all(axis=0)
        phi = np.minimum(1.0, kappa * np.asarray(q_t @ sold_by_firm) / value)
        change = float(moved.max(initial=0.0))
        # open scenarios whose round moved nothing: this round's state is their answer
        settled = open_ & (moved <= sc) & same & (rounds > 1)
        st = {"total": new_total, "dflt": new_dflt, "phi": phi}
        if settled.any():
            done = cols[settled]
            for name, v in (*st.items(), ("commit", commit), ("stake", stake), ("fire", fire),
                            ("credit", credit), ("payments", sol.payments)):  # fmt: skip
                full[name][:, done] = v[:, settled]
            open_ &= ~settled
        if open_.any() and open_.sum() > 0.75 * open_.size:
            continue  # too few set aside to be worth narrowing the arrays
        if open_.any():
            keep = np.flatnonzero(open_)
            cols = cols[keep]
            work = {k: v[:, keep] for k, v in work.items()}
            cvw = cvw[:, keep]
            sc = sc[keep]
            st = {k: v[:, keep] for k, v in st.items()}
            start = np.ascontiguousarray(sol.payments[:, keep])
            open_ = np.ones(keep.size, dtype=bool)
            continue
        if exact:
            break
        # every scenario settled on inexact clears (a lower bound): finish with exact ones
        exact = True
        cols = np.arange(s)
        work = dict(const)
        cvw = cv
        sc = scale
        st = {k: full[k] for k in ("total", "dflt", "phi")}
        start = full["payments"].copy()
        open_ = np.ones(s, dtype=bool)
    else:
        raise ConvergenceError(
            "cascade() did not reach a joint fixed point; raise max_iter or tol",
            n_iter=max_iter,
            residual=change,
        )
    total, dflt, phi = full["total"], full["dflt"], full["phi"]
    h_own = np.maximum(dflt, np.minimum(1.0, total / value))
    h = 1.0 - (1.0 - r) * (1.0 - h_own)
    client = np.asarray(qc @ (1.0 - (1.0 - h) * (1.0 - phi)))
    return CascadeResult(
        direct_loss=direct,
        repricing_loss=repricing,
        commitment_loss=full["commit"],
        stake_loss=full["stake"],
        credit_loss=full["credit"],
        fire_sale_loss=full["fire"],
        total_loss=total,
        client_loss=client,
        equity=eq0 - total,
        equity_before=eq0,
        defaulted=dflt,
        payments=full["payments"],
        price_change=-(1.0 - (1.0 - h) * (1.0 - phi)),
        n_rounds=rounds,
    )
