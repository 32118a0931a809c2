"""Optional compiled kernels (numba) for the propagation hot loops.

Everything here has a pure numpy/scipy fallback in the calling module; :func:`available`
says whether numba could be imported, and the environment variable ``LAHAR_NO_NUMBA=1``
switches the kernels off (the test-suite runs both paths).

The kernels are sparse-matrix times dense-batch products fused with the element-wise update
of the model, parallel without atomics: DebtRank *pulls* (each row gathers the state rows of
its counterparties, skipping rows known to be zero); clearing *pushes* the increments of the
entities whose shortfall moved to their creditors (each thread owns a range of creditors),
so its work follows the default cascade rather than n. The gathered 64-wide rows are
prefetched a few entries ahead: at n = 10^6 they come from DRAM at random.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "CHUNK",
    "available",
    "clearing_candidates",
    "clearing_outputs",
    "clearing_start",
    "clearing_sweep",
    "linear_debtrank_step",
    "set_enabled",
]

#: Rows per parallel work item (a chunk keeps one scratch vector of length S).
CHUNK = 512

#: Below this many (entity, scenario) entries a kernel runs on one thread: waking the thread
#: pool costs more than the work (milliseconds on a busy machine).
PARALLEL_MIN = 1 << 16

try:  # pragma: no cover - depends on the environment
    if os.environ.get("LAHAR_NO_NUMBA", "") not in ("", "0"):
        raise ImportError("disabled by LAHAR_NO_NUMBA")  # noqa: EM101
    import numba as _nb

    _HAVE_NUMBA = True
except ImportError:  # pragma: no cover - depends on the environment
    _nb = None  # type: ignore[assignment]  # numba absent: the module name is bound to None
    _HAVE_NUMBA = False

_FORCE_OFF = False


def available() -> bool:
    """Whether the compiled kernels can be used."""
    return _HAVE_NUMBA and not _FORCE_OFF


@contextmanager
def _threads_for(size: int) -> Iterator[None]:
    """Run the enclosed kernel calls on one thread when the problem is small."""
    if size >= PARALLEL_MIN:
        yield
        return
    previous = _nb.get_num_threads()
    _nb.set_num_threads(1)
    try:
        yield
    finally:
        _nb.set_num_threads(previous)


def set_enabled(enabled: bool) -> None:
    """Switch the compiled kernels on or off at run time (tests, benchmarks)."""
    global _FORCE_OFF  # noqa: PLW0603 - a process-wide switch is the point
    _FORCE_OFF = not enabled


#: How many matrix entries ahead the kernels prefetch the gathered state row. The gathers of
#: 64-wide rows (512 bytes) at random are latency-bound; prefetching them 16 entries ahead made
#: the (10^6, 64) product 1.3x faster on the benchmark machine (``docs/performance.md``).
PREFETCH = 16

if _HAVE_NUMBA:  # pragma: no cover - compiled code is not traced by coverage
    from llvmlite import ir as _ir
    from numba.core import cgutils as _cgutils
    from numba.extending import intrinsic as _intrinsic

    _CHUNK = CHUNK
    _AHEAD = PREFETCH

    @_intrinsic
    def _prefetch(typingctx, arr, row, col):
        """Hint the CPU to load the cache line holding ``arr[row, col]`` (read, keep)."""
        sig = _nb.types.void(arr, row, col)

        def codegen(context, builder, signature, args):
            aryty, rowty, colty = signature.args
            ary = context.make_array(aryty)(context, builder, args[0])
            idx = [
                context.cast(builder, args[1], rowty, _nb.types.intp),
                context.cast(builder, args[2], colty, _nb.types.intp),
            ]
            ptr = _cgutils.get_item_pointer(context, builder, aryty, ary, idx)
            i32 = _ir.IntType(32)
            if getattr(ptr.type, "is_opaque", False):  # LLVM >= 15: opaque pointers
                name = "llvm.prefetch.p0"
            else:
                ptr = builder.bitcast(ptr, _ir.IntType(8).as_pointer())
                name = "llvm.prefetch.p0i8"
            fnty = _ir.FunctionType(_ir.VoidType(), [ptr.type, i32, i32, i32])
            fn = _cgutils.get_or_insert_function(builder.module, fnty, name)
            builder.call(fn, [ptr, i32(0), i32(3), i32(1)])
            return context.get_dummy_value()

        return sig, codegen

    @_nb.njit(inline="always")
    def _prefetch_row(x, row):
        for s in range(0, x.shape[1], 8):  # one hint per 64-byte line
            _prefetch(x, row, s)  # type: ignore[call-arg]  # a numba intrinsic

    @_nb.njit(parallel=True, cache=True, nogil=True)
    def _linear_step(indptr, indices, data, slot, shock, h, h_next, nz, nz_next, rowmax):
        n, n_scen = h.shape
        n_chunks = (n + _CHUNK - 1) // _CHUNK
        for c in _nb.prange(n_chunks):
            acc = np.empty(n_scen)
            hi = indptr[min(n, (c + 1) * _CHUNK)]
            for i in range(c * _CHUNK, min(n, (c + 1) * _CHUNK)):
                touched = slot[i] >= 0
                if touched:
                    for s in range(n_scen):
                        acc[s] = shock[slot[i], s]
                for k in range(indptr[i], indptr[i + 1]):
                    if k + _AHEAD < hi and nz[indices[k + _AHEAD]]:
                        _prefetch_row(h, indices[k + _AHEAD])
                    j = indices[k]
                    if nz[j]:
                        if not touched:
                            touched = True
                            acc[:] = 0.0
                        w = data[k]
                        for s in range(n_scen):
                            acc[s] += w * h[j, s]
                m = 0.0
                if touched:
                    was = nz[i]
                    for s in range(n_scen):
                        old = h[i, s] if was else 0.0
                        new = acc[s]
                        if new > 1.0:
                            new = 1.0
                        if new < old:  # h is non-decreasing; absorb rounding of the sum
                            new = old
                        h_next[i, s] = new
                        if new - old > m:
                            m = new - old
                nz_next[i] = touched
                rowmax[i] = m


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
        _linear_step(indptr, indices, data, slot, shock, h, h_next, nz, nz_next, rowmax)
    return float(rowmax.max()) if rowmax.size else 0.0


if _HAVE_NUMBA:  # pragma: no cover - compiled code is not traced by coverage

    @_nb.njit(parallel=True, cache=True, nogil=True)
    def _clearing_start(e, x, dflt, pbar, assets, eps, alpha, beta, changed, newflag):
        n, n_scen = x.shape
        n_chunks = (n + _CHUNK - 1) // _CHUNK
        for c in _nb.prange(n_chunks):
            for j in range(c * _CHUNK, min(n, (c + 1) * _CHUNK)):
                pb = pbar[j]
                aj = assets[j]
                ej = eps[j]
                ch = False
                for s in range(n_scen):
                    if e[j, s] + (aj - pb) < -ej:
                        dflt[j, s] = True
                        newflag[c, s] = True
                        t = pb - alpha * e[j, s] - beta * aj
                        if t > pb:
                            t = pb
                        if t > 0.0:
                            x[j, s] = t
                            ch = True
                changed[j] = ch

    @_nb.njit(cache=True, nogil=True)
    def _clearing_mark(ptr, idx, rows, mark):
        for r in range(rows.size):  # index-only work on the active rows: one thread suffices
            i = rows[r]
            for k in range(ptr[i], ptr[i + 1]):
                mark[idx[k]] = True

    @_nb.njit(parallel=True, cache=True, nogil=True)
    def _clearing_push(ptr, idx, val, active, slot, pending, pos, acc, n_blocks):
        # Owner computes: block b adds the increments of every active debtor into the rows of
        # its own creditors only, so no two threads write the same row (no atomics).
        n = pos.size
        n_scen = acc.shape[1]
        for b in _nb.prange(n_blocks):
            lo = b * n // n_blocks
            hi = (b + 1) * n // n_blocks
            for r in range(active.size):
                i = active[r]
                q = slot[i]
                for k in range(ptr[i], ptr[i + 1]):
                    j = idx[k]
                    if lo <= j < hi:
                        p = pos[j]
                        w = val[k]
                        for s in range(n_scen):
                            acc[p, s] += w * pending[q, s]

    @_nb.njit(parallel=True, cache=True, nogil=True)
    def _clearing_eval(
        cand, acc, e, x, loss, dflt, pbar, assets, eps, alpha, beta, full, dx_out, changed,
        newflag,
    ):  # fmt: skip
        n_cand = cand.size
        n_scen = x.shape[1]
        n_chunks = (n_cand + _CHUNK - 1) // _CHUNK
        for c in _nb.prange(n_chunks):
            dtmp = np.empty(n_scen)
            for p in range(c * _CHUNK, min(n_cand, (c + 1) * _CHUNK)):
                j = cand[p]
                for s in range(n_scen):
                    if acc[p, s] != 0.0:
                        loss[j, s] += acc[p, s]
                # Only pairs whose loss moved (all of them in a full sweep) can change.
                ch = False
                pb = pbar[j]
                aj = assets[j]
                ej = eps[j]
                for s in range(n_scen):
                    dtmp[s] = 0.0
                for s in range(n_scen):
                    if not full and acc[p, s] == 0.0:
                        continue
                    if not dflt[j, s]:
                        if e[j, s] + (aj - pb) - loss[j, s] < -ej:
                            dflt[j, s] = True
                            newflag[c, s] = True
                        else:
                            continue
                    t = pb - alpha * e[j, s] - beta * (aj - loss[j, s])
                    if t < 0.0:
                        t = 0.0
                    elif t > pb:
                        t = pb
                    if t > x[j, s]:
                        dtmp[s] = t - x[j, s]
                        x[j, s] = t
                        ch = True
                for s in range(n_scen):
                    acc[p, s] = 0.0  # hand the accumulator back zeroed
                changed[p] = ch
                if ch:  # rows left unchanged are never read: leave their memory untouched
                    for s in range(n_scen):
                        dx_out[p, s] = dtmp[s]

    @_nb.njit(parallel=True, cache=True, nogil=True)
    def _clearing_outputs(e, x, loss, pbar, assets, equity):
        n, n_scen = x.shape
        for j in _nb.prange(n):
            pb = pbar[j]
            base = assets[j] - pb
            for s in range(n_scen):
                x[j, s] = pb - x[j, s]
                equity[j, s] = e[j, s] + base - loss[j, s]


def clearing_start(
    e: NDArray[np.float64],
    x: NDArray[np.float64],
    dflt: NDArray[np.bool_],
    pbar: NDArray[np.float64],
    assets: NDArray[np.float64],
    eps: NDArray[np.float64],
    alpha: float,
    beta: float,
    changed: NDArray[np.bool_],
    newflag: NDArray[np.bool_],
) -> None:
    """Default test at full payment (``x = 0``, no interbank loss) of every pair, in place.

    Sets ``dflt`` and, for defaulted pairs, the shortfall ``x = pbar - alpha e - beta a``
    (within ``[0, pbar]``); ``changed[j]`` says whether row ``j`` got a shortfall and
    ``newflag[chunk, s]`` whether scenario ``s`` has a default in that chunk of rows.
    """
    with _threads_for(x.size):
        _clearing_start(e, x, dflt, pbar, assets, eps, alpha, beta, changed, newflag)


def clearing_candidates(pi: Any, rows: NDArray[np.int64], mark: NDArray[np.bool_]) -> NDArray:
    """Sorted creditors of the debtors ``rows`` (``pi`` = CSR of ``Pi``, rows = debtors).

    ``mark`` is an all-``False`` work vector of length n and is left all-``False``.
    """
    _clearing_mark(pi.indptr, pi.indices, rows, mark)
    cand = np.flatnonzero(mark)
    mark[cand] = False
    return cand


def clearing_sweep(
    pi: Any,
    active: NDArray[np.int64],
    slot: NDArray[np.int64],
    pending: NDArray[np.float64],
    cand: NDArray[np.int64],
    pos: NDArray[np.int64],
    acc: NDArray[np.float64],
    e: NDArray[np.float64],
    x: NDArray[np.float64],
    loss: NDArray[np.float64],
    dflt: NDArray[np.bool_],
    pbar: NDArray[np.float64],
    assets: NDArray[np.float64],
    eps: NDArray[np.float64],
    alpha: float,
    beta: float,
    full: bool,
    dx_out: NDArray[np.float64],
    changed: NDArray[np.bool_],
    newflag: NDArray[np.bool_],
) -> None:
    """One Jacobi sweep of the clearing map in shortfall form (compiled), in place.

    Push: the pending increments of the debtors ``active`` (debtor ``i`` in row ``slot[i]``
    of ``pending``) are spread along the rows of ``pi`` (CSR of ``Pi``) into the accumulator
    ``acc`` (all zero on entry, row ``pos[j]`` for creditor ``j``; ``cand`` lists the
    creditors in that order). Evaluate: each candidate adds its accumulated loss, is tested
    for default (``dflt``, and ``newflag[chunk, s]``) and, when defaulted, moves its
    shortfall ``x`` to ``pbar - alpha e - beta (assets - loss)``; the new increments of row
    ``cand[p]`` go to ``dx_out[p]`` when ``changed[p]``. Only pairs whose loss moved are
    evaluated unless ``full``. Work is proportional to the creditors of ``active``, not to n.
    """
    with _threads_for(max(cand.size, active.size) * x.shape[1]):
        n_blocks = 4 * _nb.get_num_threads()
        _clearing_push(pi.indptr, pi.indices, pi.data, active, slot, pending, pos, acc, n_blocks)
        _clearing_eval(
            cand, acc, e, x, loss, dflt, pbar, assets, eps, alpha, beta, full, dx_out, changed,
            newflag,
        )  # fmt: skip


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
        _clearing_outputs(e, x, loss, pbar, assets, equity)
