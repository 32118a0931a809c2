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
_SOLVERS = ("limit", "rounds")
#: Row blocks of the numpy engine's block Gauss-Seidel sweeps (the compiled engine sweeps row by
#: row); more blocks mean fewer sweeps but more, smaller sparse products. Small problems
#: (under ``_kernels.SMALL`` entries) use one block, i.e. Jacobi sweeps: there the cost is
#: per product, not per entry.
_NUMPY_BLOCKS = 8
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
        Propagation steps performed, the last of which added no distress above ``tol``
        (``linear``) or distressed nobody new (``battiston``): rounds of the dynamics
        (products with :math:`\Lambda`) for ``solver="rounds"`` and the Battiston dynamics,
        the same meaning as ``rounds`` of :class:`~lahar.contagion.CascadeResult` and
        ``n_iter`` of :class:`~lahar.errors.ConvergenceError`; sweeps over the matrix for
        ``solver="limit"`` (the most of any scenario). 0 for an all-zero shock.
    residual : float
        Largest last increment of ``h`` (0 when the iteration stopped exactly).
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
    solver: str = "limit",
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
    solver : {"limit", "rounds"}, default "limit"
        ``"linear"`` only. ``"limit"``: the final distress :math:`h_\infty` by in-place
        (Gauss-Seidel) sweeps, about half as many passes over the matrix as the dynamics (see
        Notes); ``"rounds"``: the Bardoscia dynamics round by round, for those who need the
        path or its round count. Both give the same limit (to ``tol``).
    tol : float, default 1e-12
        ``"linear"`` only: stop when no entry of :math:`h` grew by more than ``tol`` in the
        last step or sweep (the iteration stops exactly when every increment vanishes, e.g.
        after saturation; on a cycle it converges geometrically).
    max_iter : int, default 10000
        ``"linear"`` only: maximum number of steps (rounds or sweeps).

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
    increments of every entity that has not saturated), i.e. Picard iteration from zero of
    the monotone map :math:`F(h) = \min\{1, h(1) + \Lambda h\}`, so the limit
    :math:`h_\infty` is the least fixed point of :math:`F`. The compiled engine (numba)
    iterates this form for ``solver="rounds"``, step for step the same as the increment form
    and with one (n, S) state buffer fewer; the two differ only by rounding.

    *The limit in fewer sweeps* (``solver="limit"``). Sweep over the entities and replace
    each :math:`x_i` by :math:`\max\{x_i, F(y)_i\}`, where :math:`y` holds, for every
    counterparty, any value it has had since the sweep began (its newest in row order, or
    whatever another thread has written), starting from :math:`x = h(1)`. All values stay at
    or below :math:`h_\infty` (:math:`F` is monotone, so :math:`y \le h_\infty` implies
    :math:`F(y) \le F(h_\infty) = h_\infty`), and after :math:`k` sweeps :math:`x` is at least
    the :math:`k`-th round of the dynamics (:math:`y` is at least the previous sweep's
    :math:`x`). Squeezed between the rounds and :math:`h_\infty`, the sweeps converge to
    :math:`h_\infty`: the method is exact whatever the spectral radius and needs no
    fall-back (a monotone form of asynchronous relaxation, Chazan and Miranker 1969). lahar
    sweeps in place (Gauss-Seidel): the compiled engine splits the rows over its threads,
    so with more than one thread a result agrees with a serial run to ``tol``, not bit for
    bit; the numpy engine sweeps :data:`_NUMPY_BLOCKS` row blocks in turn. Problems under
    16,384 (entity, scenario) entries sweep Jacobi-style in numpy, or compiled with the same
    bits once numba is loaded: a fresh process never pays numba's start-up (about a second)
    for a small problem. Once the saturated set is settled the error contracts like a
    linear iteration on the unsaturated block :math:`\Lambda_{UU}`, and for a non-negative
    matrix with spectral radius below 1 Gauss-Seidel contracts faster than the Jacobi
    (round-by-round) form (Stein-Rosenberg; Varga 2000, Theorem 3.10): 33 sweeps against 59
    rounds on the benchmark network (``docs/performance.md``).

    Why not a Krylov or strategy-iteration solve of the unsaturated block? On the reach
    :math:`R` of the shock (entities with a chain of exposures to a shocked one) :math:`F`
    has exactly one fixed point: with :math:`T` the entities saturated in :math:`h_\infty`
    and :math:`U = R \setminus T`, every class of :math:`\Lambda_{UU}` leaks distress
    towards the shock, so :math:`\rho(\Lambda_{UU}) < 1` and any fixed point :math:`v` on
    :math:`R` obeys :math:`(I - \Lambda_{UU}) (v - h_\infty)_U \le 0`. So guessing the
    saturated set, solving the linear system on the rest and enlarging the set would also be
    exact. It is not faster here: saturation removes the Perron mode, and the rest of the
    spectrum of a random exposure network fills a disk (radius 0.53 against a spectral
    radius of 1.67 on the benchmark network), where no polynomial (Krylov) method beats the
    plain iteration, while a direct solve per scenario fills in on a random graph.

    References
    ----------
    .. [1] Battiston, S., Puliga, M., Kaushik, R., Tasca, P. and Caldarelli, G. (2012).
       DebtRank: Too central to fail? Financial networks, the FED and systemic risk.
       *Scientific Reports* 2, 541.
    .. [2] Bardoscia, M., Battiston, S., Caccioli, F. and Caldarelli, G. (2015). DebtRank: A
       microscopic foundation for shock propagation. *PLoS ONE* 10(6), e0130406.
    .. [3] Varga, R. S. (2000). *Matrix Iterative Analysis*, 2nd ed. Springer, Theorem 3.10
       (Stein-Rosenberg).
    .. [4] Chazan, D. and Miranker, W. (1969). Chaotic relaxation. *Linear Algebra and its
       Applications* 2(2), 199-222.

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

    The round-by-round dynamics reach the same limit:

    >>> print(np.round(debtrank(A, E, [0.2, 0.0], solver="rounds").distress, 6))
    [0.266667 0.133333]
    """
    method = check_choice(method, "method", _FUNC, _METHODS)
    solver = check_choice(solver, "solver", _FUNC, _SOLVERS)
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
    if method == "linear" and solver == "limit":
        final, rounds, residual = _linear_limit(lam, h, tol, max_iter)
        spare = None
    elif method == "linear":
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
    if not _kernels.use(h1.size):
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


def _linear_limit(
    lam: sp.csr_array, h1: NDArray[np.float64], tol: float, max_iter: int
) -> tuple[NDArray[np.float64], int, float]:
    """The limit of the linear dynamics by in-place sweeps from zero (see debtrank's Notes).

    Returns ``(h, sweeps, residual)``.
    """
    if not h1.size or h1.max() == 0.0:
        return np.zeros_like(h1), 0, 0.0
    if _kernels.use(h1.size):
        rows = np.flatnonzero(h1.any(axis=1))
        slot = np.full(h1.shape[0], -1, dtype=np.int64)
        slot[rows] = np.arange(rows.size)
        h = np.zeros_like(h1)
        shock = h1[rows]
        h[rows] = shock
        sweeps, residual = _kernels.linear_debtrank_limit(
            lam.indptr, lam.indices, lam.data, slot, shock, h, tol, max_iter
        )
        if residual > tol:
            _check_rounds(sweeps, max_iter, residual)
        return h, sweeps, residual
    n = lam.shape[0]
    if h1.size < _kernels.SMALL and _kernels.loaded():  # the same sweeps, compiled
        h = h1.copy()
        sweeps, residual = _kernels.linear_debtrank_small(
            lam.indptr, lam.indices, lam.data, h1, h, tol, max_iter
        )
        if residual > tol:
            _check_rounds(sweeps, max_iter, residual)
        return h, sweeps, residual
    n_blocks = min(n, _NUMPY_BLOCKS if h1.size >= _kernels.SMALL else 1)
    cuts = np.linspace(0, n, n_blocks + 1).round().astype(np.int64)
    blocks = [(a, b, lam[a:b]) for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]
    h = h1.copy()  # h(1) <= F(h(1)) <= h_inf: a valid start, one sweep ahead of zero
    sweeps = 0
    residual = np.inf
    while residual > tol:
        _check_rounds(sweeps, max_iter, residual)
        residual = 0.0
        for a, b, part in blocks:  # block Gauss-Seidel: later blocks see the new values
            new = np.asarray(part @ h)
            new += h1[a:b]
            np.minimum(new, 1.0, out=new)
            np.maximum(new, h[a:b], out=new)  # h only grows; absorb rounding of the sum
            residual = max(residual, float((new - h[a:b]).max()))
            h[a:b] = new
        sweeps += 1
    return h, sweeps, residual


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
