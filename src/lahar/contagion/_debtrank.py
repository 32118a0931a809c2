r"""DebtRank: distress propagation on an exposure network, batched over scenarios.

``exposures[i, j]`` is what entity ``i`` has lent to (or invested in) entity ``j``; ``h_j`` is
the relative equity loss of ``j`` (0 = intact, 1 = equity wiped out). A loss of ``j`` hits its
creditors in proportion to the interbank leverage :math:`\Lambda_{ij} = A_{ij} / E_i`.

Two dynamics are offered:

``method="linear"`` (Bardoscia et al. 2015)
    :math:`h(t+1) = \min\{1, h(t) + \Lambda\,[h(t) - h(t-1)]\}` with :math:`h(0) = 0` and
    :math:`h(1)` the shock; every *new* loss is passed on, so distress travels round cycles
    until it dies out (or saturates). Without saturation the limit is
    :math:`(I - \Lambda)^{-1} h(1)` when the spectral radius of :math:`\Lambda` is below 1.

``method="battiston"`` (Battiston et al. 2012)
    :math:`W = \min(1, \Lambda)`; nodes are undistressed (U), distressed (D) or inactive (I);
    :math:`h_i(t) = \min\{1, h_i(t-1) + \sum_{j \in D(t-1)} W_{ij} h_j(t-1)\}`; a node that
    was D becomes I, a node with :math:`h > 0` that was never D becomes D. Each node passes
    its distress on once, so losses along cycles are under-counted (Bardoscia et al. 2015).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from lahar._validation import as_batch, check_choice, check_int, check_scalar, check_vector, fail
from lahar.contagion import _kernels
from lahar.contagion._common import check_square, row_sums, scale_rows
from lahar.errors import ConvergenceError

__all__ = ["DebtRankResult", "debtrank"]

_FUNC = "debtrank()"
_METHODS = ("linear", "battiston")
_VALUES = ("exposures", "equity")


@dataclass(frozen=True)
class DebtRankResult:
    r"""Final distress of a batch of DebtRank runs.

    Arrays have shape ``(n,)`` for a single shock and ``(n, S)`` for a batch; per-scenario
    scalars are floats for a single shock and shape ``(S,)`` for a batch.

    Attributes
    ----------
    distress : ndarray
        Final relative equity loss :math:`h_i(T)` in [0, 1] (1 = equity wiped out).
    debtrank : float or ndarray
        DebtRank :math:`R = \sum_i v_i h_i(T) - \sum_i v_i h_i(1)`: the value-weighted
        distress added by the network on top of the initial shock.
    value_weights : ndarray, shape (n,)
        The economic values :math:`v` (summing to 1, or all zero for an empty network).
    equity_loss : ndarray
        Dollar equity loss ``distress * equity``.
    defaulted : ndarray of bool
        ``distress >= 1``.
    rounds : int
        Iterations performed (propagation steps, products with :math:`\Lambda`), the last
        of which added no distress above ``tol`` (``linear``) or distressed nobody new
        (``battiston``); the same for every scenario of the batch, 0 for an all-zero shock.
        The same meaning as ``rounds`` of :class:`~lahar.contagion.CascadeResult` and
        ``n_iter`` of :class:`~lahar.errors.ConvergenceError`.
    residual : float
        Largest last increment of ``h`` (0 when the dynamics stopped exactly).
    method : str
        ``"linear"`` or ``"battiston"``.
    """

    distress: NDArray[np.float64]
    debtrank: float | NDArray[np.float64]
    value_weights: NDArray[np.float64]
    equity_loss: NDArray[np.float64]
    defaulted: NDArray[np.bool_]
    rounds: int
    residual: float
    method: str


def _value_weights(value: Any, exposures: sp.csr_array, equity: NDArray[np.float64]) -> Any:
    n = equity.shape[0]
    if isinstance(value, str):
        check_choice(value, "value", _FUNC, _VALUES)
        raw = row_sums(exposures) if value == "exposures" else equity.astype(np.float64)
    else:
        raw = np.array(check_vector(value, "value", _FUNC, n=n))
    total = raw.sum()
    return raw / total if total > 0 else np.zeros(n)


def debtrank(
    exposures: ArrayLike | sp.sparray | sp.spmatrix,
    equity: ArrayLike,
    shock: ArrayLike,
    *,
    method: str = "linear",
    value: str | ArrayLike = "exposures",
    tol: float = 1e-12,
    max_iter: int = 10_000,
) -> DebtRankResult:
    r"""DebtRank of a batch of initial shocks (linear or original single-hit dynamics).

    .. math::

        \text{linear:}\quad h(t+1) = \min\{1,\; h(t) + \Lambda\,[h(t) - h(t-1)]\},\qquad
        \Lambda_{ij} = \frac{A_{ij}}{E_i},\quad h(0) = 0,\; h(1) = \text{shock}

    .. math::

        \text{battiston:}\quad h_i(t) = \min\Big\{1,\; h_i(t-1) +
        \sum_{j \in D(t-1)} \min(1, \Lambda_{ij})\, h_j(t-1)\Big\}

    Parameters
    ----------
    exposures : array_like or scipy.sparse array, shape (n, n)
        ``exposures[i, j]`` = claims of entity ``i`` on entity ``j`` (loans, bonds, equity
        stakes), USD, >= 0, zero diagonal.
    equity : array_like, shape (n,)
        Equity :math:`E_i(0)` before the shock, USD, > 0.
    shock : array_like, shape (n,) or (n, S)
        Initial relative equity loss :math:`h(1)` in [0, 1], one column per scenario.
    method : {"linear", "battiston"}, default "linear"
        Bardoscia et al. (2015) linear dynamics or Battiston et al. (2012) single-hit dynamics.
    value : {"exposures", "equity"} or array_like, shape (n,), default "exposures"
        Economic value weights :math:`v` of the DebtRank (normalised to sum to 1):
        ``"exposures"`` = each entity's share of total interbank exposures (row sums of
        ``exposures``; Battiston et al. 2012's relative economic value), ``"equity"`` = share
        of total equity (the relative equity loss :math:`H` of Bardoscia et al. 2015), or
        explicit weights.
    tol : float, default 1e-12
        ``"linear"`` only: stop when no entry of :math:`h` grew by more than ``tol`` in the
        last step (the dynamics stop exactly when every increment vanishes, e.g. after
        saturation; on a cycle they converge geometrically at the rate of the spectral radius
        of :math:`\Lambda`).
    max_iter : int, default 10000
        ``"linear"`` only: maximum number of steps.

    Returns
    -------
    DebtRankResult

    Raises
    ------
    lahar.errors.DataError
        Bad shapes, NaN, negative exposures, equity <= 0, a shock outside [0, 1], an unknown
        method or value.
    lahar.errors.ConvergenceError
        ``"linear"`` did not converge within ``max_iter`` steps (carries ``n_iter`` and
        ``residual``); raise ``max_iter`` or ``tol``.

    See Also
    --------
    lahar.contagion.eisenberg_noe : clearing with defaults and recovery.

    Notes
    -----
    The linear dynamics is stable (no entity saturates for small enough shocks) iff the
    largest eigenvalue of :math:`\Lambda` is below 1; otherwise distress grows until some
    :math:`h_i` reach 1 (Bardoscia et al. 2015). In the Battiston dynamics every node passes
    its distress on once (undistressed -> distressed -> inactive); inactive nodes may still
    receive distress but do not pass it on, so the run ends after at most ``n + 1`` steps.

    The linear step equals :math:`h(t+1) = \min\{1, h(1) + \Lambda h(t)\}` (sum the
    increments of every entity that has not saturated), i.e. Picard iteration from zero of a
    monotone map, so the limit is its least fixed point. The compiled engine (numba) iterates
    this form, step for step the same as the increment form and with one (n, S) state buffer
    fewer; the two differ only by rounding.

    References
    ----------
    .. [1] Battiston, S., Puliga, M., Kaushik, R., Tasca, P. and Caldarelli, G. (2012).
       DebtRank: Too central to fail? Financial networks, the FED and systemic risk.
       *Scientific Reports* 2, 541.
    .. [2] Bardoscia, M., Battiston, S., Caccioli, F. and Caldarelli, G. (2015). DebtRank: A
       microscopic foundation for shock propagation. *PLoS ONE* 10(6), e0130406.

    Examples
    --------
    Two banks each holding claims on the other worth half their equity (TV-7 of
    ``docs/contagion.md``); bank 0 loses
    20 % of its equity.

    >>> import numpy as np
    >>> from lahar.contagion import debtrank
    >>> A = np.array([[0.0, 5.0], [5.0, 0.0]])
    >>> E = np.array([10.0, 10.0])
    >>> print(np.round(debtrank(A, E, [0.2, 0.0]).distress, 6))
    [0.266667 0.133333]
    >>> print(np.round(debtrank(A, E, [0.2, 0.0], method="battiston").distress, 6))
    [0.25 0.1 ]
    """
    method = check_choice(method, "method", _FUNC, _METHODS)
    amat = check_square(exposures, "exposures", _FUNC)
    n = amat.shape[0]
    eq = check_vector(equity, "equity", _FUNC, n=n, positive=True)
    h1 = check_vector(shock, "shock", _FUNC, n=n, batch=True)
    if h1.size and h1.max() > 1.0:
        over = h1 > 1.0
        k = np.unravel_index(int(np.flatnonzero(over.ravel())[0]), h1.shape)
        pos = [int(x) for x in k]
        raise fail(_FUNC, "shock", "in [0, 1] (a relative equity loss)", f"{h1[k]:g} at {pos}")
    tol = check_scalar(tol, "tol", _FUNC, low=0.0)
    max_iter = check_int(max_iter, "max_iter", _FUNC, low=1)
    weights = _value_weights(value, amat, eq)
    lam = scale_rows(amat, 1.0 / eq)
    h, was_1d = as_batch(h1, contiguous=True)
    if method == "linear":
        final, rounds, residual, spare = _linear(lam, h, tol, max_iter)
    else:
        lam.data = np.minimum(lam.data, 1.0)
        final, rounds, residual = _battiston(lam, h)
        spare = None
    dr = weights @ final - weights @ h
    loss = np.multiply(final, eq[:, None], out=spare)
    defaulted = final >= 1.0
    if was_1d:
        return DebtRankResult(
            distress=final[:, 0],
            debtrank=float(dr[0]),
            value_weights=weights,
            equity_loss=loss[:, 0],
            defaulted=defaulted[:, 0],
            rounds=rounds,
            residual=residual,
            method=method,
        )
    return DebtRankResult(
        distress=final,
        debtrank=dr,
        value_weights=weights,
        equity_loss=loss,
        defaulted=defaulted,
        rounds=rounds,
        residual=residual,
        method=method,
    )


def _linear(
    lam: sp.csr_array, h1: NDArray[np.float64], tol: float, max_iter: int
) -> tuple[NDArray[np.float64], int, float, NDArray[np.float64] | None]:
    """Bardoscia et al. (2015) dynamics for all columns of ``h1`` at once.

    Returns ``(h, rounds, residual, spare)``; ``spare`` is a free work buffer of the shape of
    ``h`` (or ``None``) that the caller may reuse for an output.
    """
    residual = float(h1.max()) if h1.size else 0.0
    if not _kernels.available():
        h = h1.copy()
        dh = h1.copy()
        rounds = 0
        while residual > tol:
            _check_rounds(rounds, max_iter, residual)
            residual = _linear_step_numpy(lam, h, dh)
            rounds += 1
        return h, rounds, residual, dh
    # Picard form h(t+1) = min(1, h1 + Lambda h(t)) on two buffers; the shock is kept compact.
    n = h1.shape[0]
    nz: NDArray[np.bool_] = np.asarray(h1.any(axis=1))
    rows = np.flatnonzero(nz)
    slot = np.full(n, -1, dtype=np.int64)
    slot[rows] = np.arange(rows.size)
    shock = h1[rows]
    h = np.empty_like(h1)
    h[rows] = shock
    h_next = np.empty_like(h1)
    nz_next = np.empty_like(nz)
    rowmax = np.empty(n)
    rounds = 0
    while residual > tol:
        _check_rounds(rounds, max_iter, residual)
        residual = _kernels.linear_debtrank_step(
            lam.indptr, lam.indices, lam.data, slot, shock, h, h_next, nz, nz_next, rowmax
        )
        h, h_next = h_next, h
        nz, nz_next = nz_next, nz
        rounds += 1
    h[~nz] = 0.0  # rows never reached were left unwritten
    return h, rounds, residual, h_next


def _check_rounds(rounds: int, max_iter: int, residual: float) -> None:
    if rounds >= max_iter:
        raise ConvergenceError(
            "debtrank(method='linear') did not converge; raise max_iter or tol",
            n_iter=rounds,
            residual=residual,
        )


def _linear_step_numpy(lam: sp.csr_array, h: NDArray[np.float64], dh: NDArray[np.float64]) -> float:
    """One linear DebtRank step in place: ``dh <- min(1, h + lam dh) - h``, ``h <- h + dh``.

    Only rows of ``lam`` that can receive distress (a non-zero increment among their
    counterparties) are multiplied; returns the largest new increment.
    """
    active_cols = np.flatnonzero(dh.any(axis=1))
    if active_cols.size == 0:
        dh[:] = 0.0
        return 0.0
    if active_cols.size < 0.5 * lam.shape[0]:
        sub = lam[:, active_cols]
        inc = sub @ dh[active_cols]
    else:
        inc = lam @ dh
    np.add(h, inc, out=inc)
    np.minimum(inc, 1.0, out=inc)
    np.subtract(inc, h, out=dh)
    h[:] = inc
    return float(dh.max())


def _battiston(w: sp.csr_array, h1: NDArray[np.float64]) -> tuple[NDArray[np.float64], int, float]:
    """Battiston et al. (2012) single-hit dynamics for all columns of ``h1`` at once."""
    h = h1.copy()
    distressed = h > 0.0
    inactive = np.zeros_like(distressed)
    rounds = 0
    while distressed.any():
        rows = np.flatnonzero(distressed.any(axis=1))
        pushed = np.where(distressed[rows], h[rows], 0.0)
        inc = w[:, rows] @ pushed
        new_h = np.minimum(1.0, h + inc)
        h = new_h
        inactive |= distressed
        distressed = (h > 0.0) & ~inactive
        rounds += 1
    return h, rounds, 0.0
