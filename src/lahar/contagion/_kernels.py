"""Optional compiled kernels (numba) for the propagation hot loops.

Everything here has a pure numpy/scipy fallback in the calling module; :func:`available`
says whether numba may be used (:func:`lahar._numba.enabled`: installed, and not switched off
by ``LAHAR_NO_NUMBA=1``), :func:`use` whether a problem of a given size should use it (the
test-suite runs both paths). numba and the compiled code (:mod:`._kernels_nb`) are imported on
the first kernel call, not with this module, and cached in the user's cache directory.

The kernels are sparse-matrix times dense-batch products fused with the element-wise update
of the model, parallel without atomics: DebtRank *pulls* (each row gathers the state rows of
its counterparties, skipping rows known to be zero); clearing *pushes* the increments of the
entities whose shortfall moved to their creditors (each thread owns a range of creditors),
so its work follows the default cascade rather than n. The gathered 64-wide rows are
prefetched a few entries ahead: at n = 10^6 they come from DRAM at random.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lahar import _numba

__all__ = [
    "CHUNK",
    "SMALL",
    "available",
    "cascade_assets",
    "cascade_post",
    "cascade_pre",
    "clearing_candidates",
    "clearing_outputs",
    "clearing_start",
    "clearing_sweep",
    "linear_debtrank_limit",
    "linear_debtrank_small",
    "linear_debtrank_step",
    "loaded",
    "num_threads",
    "set_enabled",
    "use",
]

#: Rows per parallel work item (a chunk keeps one scratch vector of length S).
CHUNK = 512

#: Below this many (entity, scenario) entries a kernel runs on one thread: waking the thread
#: pool costs more than the work (milliseconds on a busy machine).
PARALLEL_MIN = 1 << 16

#: Below this many (entity, scenario) entries :func:`use` says no: such problems take about a
#: millisecond in numpy (DebtRank n = 400, S = 16: 1.5 ms; 0.7-0.9 ms in the serial compiled
#: sweeps with the same bits, used once numba is loaded anyway), while a fresh process pays
#: about 0.5-1 s to import numba and load the cached kernels.
SMALL = 1 << 14

#: Whether numba may be used at all (it is imported only when a kernel is first called).
_HAVE_NUMBA = _numba.enabled()

_FORCE: bool | None = None


def available() -> bool:
    """Whether the compiled kernels may be used (numba enabled and not switched off)."""
    return _HAVE_NUMBA and _FORCE is not False


def use(size: int) -> bool:
    """Whether a problem of ``size`` (entity, scenario) entries should run compiled."""
    if not available():
        return False
    return _FORCE is True or size >= SMALL


def loaded() -> bool:
    """Whether the compiled kernels are available and already loaded in this process."""
    return available() and "lahar.contagion._kernels_nb" in sys.modules


def set_enabled(enabled: bool | None) -> None:
    """Switch the compiled kernels on (whatever the size), off, or back to the default (None).

    For tests and benchmarks: ``True`` makes :func:`use` say yes even for small problems.
    """
    global _FORCE  # noqa: PLW0603 - a process-wide switch is the point
    _FORCE = enabled


@cache
def _compiled() -> ModuleType:
    """The numba module of compiled kernels, imported (and loaded from the cache) once."""
    from lahar.contagion import _kernels_nb

    return _kernels_nb


def num_threads() -> int:
    """Numba's thread count (1 without numba)."""
    return _compiled()._nb.get_num_threads() if available() else 1


@contextmanager
def _threads_for(size: int) -> Iterator[None]:
    """Run the enclosed kernel calls on one thread when the problem is small."""
    if size >= PARALLEL_MIN:
        yield
        return
    nb = _compiled()._nb
    previous = nb.get_num_threads()
    nb.set_num_threads(1)
    try:
        yield
    finally:
        nb.set_num_threads(previous)


#: How many matrix entries ahead the kernels prefetch the gathered state row. The gathers of
#: 64-wide rows (512 bytes) at random are latency-bound; prefetching them 16 entries ahead made
#: the (10^6, 64) product 1.3x faster on the benchmark machine (``docs/performance.md``).
PREFETCH = 16


def linear_debtrank_limit(
    indptr: NDArray[np.integer],
    indices: NDArray[np.integer],
    data: NDArray[np.float64],
    slot: NDArray[np.int64],
    shock: NDArray[np.float64],
    h: NDArray[np.float64],
    tol: float,
    max_sweeps: int,
) -> tuple[int, float]:
    """Least fixed point of ``h = min(1, h1 + Lambda h)`` by in-place sweeps (compiled).

    Gauss-Seidel form of the Picard iteration: each row is updated from the newest values of
    its counterparties, starting from ``h1``; so every iterate stays below the least fixed
    point and rises to it (see :func:`lahar.contagion.debtrank`, Notes). The rows are split
    over the threads in chunks and every row reads whatever its counterparties hold at that
    moment (asynchronous relaxation: old or new, both lie between the iterate and the limit),
    so with more than one thread the result agrees with a serial run to the tolerance, not
    bit for bit. Rows at 1 in every scenario are skipped (they cannot grow). Sweeps stop when
    no entry grew by more than ``tol`` (or after ``max_sweeps``). ``shock`` holds the non-zero rows of ``h1`` (row ``i`` at ``slot[i]``,
    -1 for a zero row); ``h`` (n, S) holds them on entry and zeros elsewhere. Returns
    ``(sweeps, residual)``.
    """
    n = h.shape[0]
    if h.size == 0:
        return 0, 0.0
    nz = slot >= 0
    full = np.zeros(n, dtype=np.bool_)  # rows at 1 in every scenario: skipped
    rowmax = np.empty(n)
    sweeps, residual = 0, np.inf
    with _threads_for(h.size):
        while residual > tol and sweeps < max_sweeps:
            _compiled()._limit_async_sweep(indptr, indices, data, slot, shock, h, nz, full, rowmax)
            residual = float(rowmax.max())
            sweeps += 1
    return sweeps, residual


def linear_debtrank_small(
    indptr: NDArray[np.integer],
    indices: NDArray[np.integer],
    data: NDArray[np.float64],
    h1: NDArray[np.float64],
    h: NDArray[np.float64],
    tol: float,
    max_sweeps: int,
) -> tuple[int, float]:
    """The numpy engine's small-problem sweeps, compiled and bit for bit the same (serial).

    Jacobi sweeps ``h <- max(h, min(1, h1 + Lambda h))`` from ``h = h1`` (in place) until the
    largest increment is ``<= tol`` or ``max_sweeps``; returns ``(sweeps, residual)``. Used
    for problems below :data:`SMALL` once the kernels are loaded anyway (:func:`loaded`), so
    a fresh process never loads numba for a small problem and both paths agree exactly.
    """
    return _compiled()._small_jacobi(indptr, indices, data, h1, h, tol, max_sweeps)


def linear_debtrank_step(
    indptr: NDArray[np.integer],
    indices: NDArray[np.integer],
    data: NDArray[np.float64],
    slot: NDArray[np.int64],
    shock: NDArray[np.float64],
    h: NDArray[np.float64],
    h_next: NDArray[np.float64],
    nz: NDArray[np.bool_],
    nz_next: NDArray[np.bool_],
    rowmax: NDArray[np.float64],
) -> float:
    """One linear DebtRank step (compiled), in Picard form: ``h_next = min(1, h1 + Lambda h)``.

    This equals the increment form ``h + Lambda (h - h_prev)`` of Bardoscia et al. (2015)
    step for step (``h(t+1) = F(h(t))`` with ``F(h) = min(1, h1 + Lambda h)``), but keeps two
    state buffers instead of three. ``shock`` holds the non-zero rows of ``h1`` (row ``i`` at
    ``slot[i]``, -1 for a zero row). Rows with ``nz[j] == False`` are zero and are neither read
    nor gathered; rows of ``h_next`` with ``nz_next[i] == False`` are left unwritten. Writes
    each row's largest increment to ``rowmax`` and returns the largest over all rows.
    """
    with _threads_for(h.size):
        _compiled()._linear_step(indptr, indices, data, slot, shock, h, h_next, nz, nz_next, rowmax)
    return float(rowmax.max()) if rowmax.size else 0.0


def clearing_start(
    e: NDArray[np.float64],
    x: NDArray[np.float64],
    dflt: NDArray[np.bool_],
    loss: NDArray[np.float64],
    pbar: NDArray[np.float64],
    assets: NDArray[np.float64],
    eps: NDArray[np.float64],
    alpha: float,
    beta: float,
    changed: NDArray[np.bool_],
    newflag: NDArray[np.bool_],
) -> None:
    """Default test at full payment (``x = 0``, no interbank loss) of every pair, in place.

    Writes every entry of ``dflt``, of ``loss`` (zeros) and of ``x``: the shortfall
    ``pbar - alpha e - beta a`` (within ``[0, pbar]``) of defaulted pairs, 0 elsewhere; so the
    three may come uninitialised (first touched here, by the threads that use them) or hold
    an earlier answer. ``changed[j]`` says whether row ``j`` got a shortfall and
    ``newflag[chunk, s]`` whether scenario ``s`` has a default in that chunk of rows.
    """
    with _threads_for(x.size):
        _compiled()._clearing_start(
            e, x, dflt, loss, pbar, assets, eps, alpha, beta, changed, newflag
        )


def clearing_candidates(pi: Any, rows: NDArray[np.int64], mark: NDArray[np.bool_]) -> NDArray:
    """Sorted creditors of the debtors ``rows`` (``pi`` = CSR of ``Pi``, rows = debtors).

    ``mark`` is an all-``False`` work vector of length n and is left all-``False``.
    """
    _compiled()._clearing_mark(pi.indptr, pi.indices, rows, mark)
    cand = np.flatnonzero(mark)
    mark[cand] = False
    return cand


def clearing_sweep(
    pi: Any,
    active: NDArray[np.int64],
    slot: NDArray[np.int64],
    pending: NDArray[np.float64],
    cand: NDArray[np.int64],
    e: NDArray[np.float64],
    x: NDArray[np.float64],
    loss: NDArray[np.float64],
    dflt: NDArray[np.bool_],
    pbar: NDArray[np.float64],
    assets: NDArray[np.float64],
    eps: NDArray[np.float64],
    alpha: float,
    beta: float,
    dx_out: NDArray[np.float64],
    changed: NDArray[np.bool_],
    newflag: NDArray[np.bool_],
) -> None:
    """One Jacobi sweep of the clearing map in shortfall form (compiled), in place.

    Push: the pending increments of the debtors ``active`` (debtor ``i`` in row ``slot[i]``
    of ``pending``) are added along the rows of ``pi`` (CSR of ``Pi``) to their creditors'
    interbank losses ``loss`` (``cand`` lists those creditors, sorted). Evaluate: each pair
    of a candidate row is tested for default (``dflt``, and ``newflag[chunk, s]``) and, when
    defaulted, moves its shortfall ``x`` up to ``pbar - alpha e - beta (assets - loss)``; the
    new increments of entity ``j = cand[p]`` go to row ``j`` of ``dx_out`` (shape (n, S)) when
    ``changed[p]`` (``dx_out`` may be ``pending``: the push is over by then). Work is
    proportional to the creditors of ``active``, not to n.
    """
    with _threads_for(max(cand.size, active.size) * x.shape[1]):
        n_blocks = 4 * num_threads()
        _compiled()._clearing_push(
            pi.indptr, pi.indices, pi.data, active, slot, pending, loss, n_blocks
        )
        _compiled()._clearing_eval(
            cand, e, x, loss, dflt, pbar, assets, eps, alpha, beta, dx_out, changed, newflag
        )


def clearing_outputs(
    e: NDArray[np.float64],
    x: NDArray[np.float64],
    loss: NDArray[np.float64],
    pbar: NDArray[np.float64],
    assets: NDArray[np.float64],
    equity: NDArray[np.float64],
) -> None:
    """In one pass: ``x <- pbar - x`` (payments) and ``equity = e + assets - pbar - loss``."""
    with _threads_for(x.size):
        _compiled()._clearing_outputs(e, x, loss, pbar, assets, equity)


def cascade_pre(
    total: NDArray[np.float64],
    dflt: NDArray[np.bool_],
    r: NDArray[np.float64],
    phi: NDArray[np.float64],
    value: NDArray[np.float64],
    delta: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """One pass of the cascade's round start: ``h``, ``(1 - h) phi`` and ``max(delta, D)``.

    ``h = 1 - (1 - r)(1 - max(D, min(1, total / value)))`` with ``value`` of shape (n,).
    """
    h = np.empty_like(total)
    g = np.empty_like(total)
    unpaid = np.empty_like(total)
    with _threads_for(total.size):
        _compiled()._cascade_pre(total, dflt, r, phi, value, delta, h, g, unpaid)
    return h, g, unpaid


def cascade_assets(
    e0: NDArray[np.float64],
    direct: NDArray[np.float64],
    repricing: NDArray[np.float64],
    m: NDArray[np.float64],
    commit: NDArray[np.float64],
    stake: NDArray[np.float64],
    fire: NDArray[np.float64],
) -> NDArray[np.float64]:
    """External assets after the round's losses, in one pass (in place on the products).

    On entry ``commit`` holds the suppliers' unpaid contract values and ``stake`` the stakes'
    ``Q h``; on exit they hold ``m * commit`` and ``Q h - repricing``. Returns
    ``max(e0 - direct - repricing - commit - stake - fire, 0)``.
    """
    e = np.empty_like(e0)
    with _threads_for(e0.size):
        _compiled()._cascade_assets(e0, direct, repricing, m, commit, stake, fire, e)
    return e


def cascade_post(
    direct: NDArray[np.float64],
    repricing: NDArray[np.float64],
    commit: NDArray[np.float64],
    stake: NDArray[np.float64],
    fire: NDArray[np.float64],
    credit: NDArray[np.float64],
    sol_dflt: NDArray[np.bool_],
    eq0: NDArray[np.float64],
    forced: NDArray[np.bool_],
    live: NDArray[np.bool_],
    leverage: NDArray[np.float64],
    sell_share: NDArray[np.float64],
    total: NDArray[np.float64],
    dflt: NDArray[np.bool_],
) -> tuple[
    NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64], NDArray[np.float64],
    NDArray[np.bool_],
]:  # fmt: skip
    """The cascade's round end in one pass: new losses, defaults and fire-sale amounts.

    Returns ``new_total`` (sum of the channels), ``new_dflt``, the amounts sold
    ``leverage * min(new_total, max(eq0, 0)) * sell_share``, and per scenario the largest
    change of a loss and whether any default changed (``live`` has shape (n,)).
    """
    n, n_scen = eq0.shape
    new_total = np.empty_like(eq0)
    new_dflt: NDArray[np.bool_] = np.empty(eq0.shape, dtype=np.bool_)
    sold = np.empty_like(eq0)
    n_chunks = max(1, (n + CHUNK - 1) // CHUNK)
    moved = np.zeros((n_chunks, n_scen))
    differs = np.zeros((n_chunks, n_scen), dtype=np.bool_)
    with _threads_for(eq0.size):
        _compiled()._cascade_post(
            direct, repricing, commit, stake, fire, credit, sol_dflt, eq0, forced, live,
            leverage, sell_share, total, dflt, new_total, new_dflt, sold, moved, differs,
        )  # fmt: skip
    return new_total, new_dflt, sold, moved.max(axis=0), np.asarray(differs.any(axis=0))
