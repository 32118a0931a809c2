"""numba code of :mod:`lahar.contagion._kernels`, imported on first use (see :mod:`lahar._numba`).

Everything here is decorated inside :func:`lahar._numba.caching`, so the compiled machine code is
cached in the user's cache directory, not next to the sources.
"""
# ruff: noqa: ANN001, ANN202, D103, N803 - numba kernels: plain signatures, documented by callers

from __future__ import annotations

import numpy as np
from llvmlite import ir as _ir

from lahar import _numba
from lahar.contagion._kernels import CHUNK, PREFETCH

_nb = _numba.load()
from numba.core import cgutils as _cgutils  # noqa: E402 - after the enabled() check in load()
from numba.extending import intrinsic as _intrinsic  # noqa: E402

with _numba.caching():  # pragma: no cover - compiled code is not traced by coverage
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

    @_nb.njit(cache=True, nogil=True)
    def _gather_row(indptr, indices, data, slot, shock, h, nz, i, hi, acc):
        # acc = shock row of i (if shocked) + sum_j data[k] * h[j] over row i's nonzero
        # counterparties; False when neither contributes (acc is then left unset). Rows ahead
        # (up to entry ``hi``) are prefetched: the gathers are random reads from DRAM.
        n_scen = h.shape[1]
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
        return touched

    @_nb.njit(parallel=True, cache=True, nogil=True)
    def _linear_step(indptr, indices, data, slot, shock, h, h_next, nz, nz_next, rowmax):
        n, n_scen = h.shape
        n_chunks = (n + _CHUNK - 1) // _CHUNK
        for c in _nb.prange(n_chunks):
            acc = np.empty(n_scen)
            hi = indptr[min(n, (c + 1) * _CHUNK)]
            for i in range(c * _CHUNK, min(n, (c + 1) * _CHUNK)):
                touched = _gather_row(indptr, indices, data, slot, shock, h, nz, i, hi, acc)
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

    @_nb.njit(parallel=True, cache=True, nogil=True)
    def _clearing_start(e, x, dflt, loss, pbar, assets, eps, alpha, beta, changed, newflag):
        # Writes every entry of x, dflt and loss: they may be fresh (np.empty, first touched
        # here by the threads that use them) or reused buffers holding an earlier answer.
        n, n_scen = x.shape
        n_chunks = (n + _CHUNK - 1) // _CHUNK
        for c in _nb.prange(n_chunks):
            for j in range(c * _CHUNK, min(n, (c + 1) * _CHUNK)):
                pb = pbar[j]
                aj = assets[j]
                ej = eps[j]
                ch = False
                for s in range(n_scen):
                    loss[j, s] = 0.0
                    t = 0.0
                    d = e[j, s] + (aj - pb) < -ej
                    if d:
                        newflag[c, s] = True
                        t = pb - alpha * e[j, s] - beta * aj
                        if t > pb:
                            t = pb
                        if t > 0.0:
                            ch = True
                        else:
                            t = 0.0
                    dflt[j, s] = d
                    x[j, s] = t
                changed[j] = ch

    @_nb.njit(cache=True, nogil=True)
    def _clearing_mark(ptr, idx, rows, mark):
        for r in range(rows.size):  # index-only work on the active rows: one thread suffices
            i = rows[r]
            for k in range(ptr[i], ptr[i + 1]):
                mark[idx[k]] = True

    @_nb.njit(parallel=True, cache=True, nogil=True)
    def _clearing_push(ptr, idx, val, active, slot, pending, loss, n_blocks):
        # Owner computes: block b adds the increments of every active debtor into the loss
        # rows of its own creditors only, so no two threads write the same row (no atomics).
        # Creditor rows are written at random: they are prefetched a few entries ahead.
        n, n_scen = loss.shape
        for b in _nb.prange(n_blocks):
            lo = b * n // n_blocks
            hi = (b + 1) * n // n_blocks
            for r in range(active.size):
                i = active[r]
                q = slot[i]
                end = ptr[i + 1]
                for k in range(ptr[i], end):
                    j = idx[k]
                    if k + _AHEAD < end:
                        ahead = idx[k + _AHEAD]
                        if lo <= ahead < hi:
                            _prefetch_row(loss, ahead)
                    if lo <= j < hi:
                        w = val[k]
                        for s in range(n_scen):
                            loss[j, s] += w * pending[q, s]

    @_nb.njit(parallel=True, cache=True, nogil=True)
    def _clearing_eval(
        cand, e, x, loss, dflt, pbar, assets, eps, alpha, beta, dx_out, changed, newflag
    ):
        # Every pair of a candidate row is evaluated: a pair whose loss did not move gives
        # back the same test and target (no change), and the row is read whole anyway. The
        # rows of the candidates a few places ahead are prefetched (they skip rows).
        n_cand = cand.size
        n_scen = x.shape[1]
        n_chunks = (n_cand + _CHUNK - 1) // _CHUNK
        for c in _nb.prange(n_chunks):
            dtmp = np.empty(n_scen)
            hi = min(n_cand, (c + 1) * _CHUNK)
            for p in range(c * _CHUNK, hi):
                if p + 4 < hi:
                    q = cand[p + 4]
                    _prefetch_row(e, q)
                    _prefetch_row(loss, q)
                    _prefetch_row(x, q)
                    _prefetch(dflt, q, 0)  # type: ignore[call-arg]  # a numba intrinsic
                j = cand[p]
                ch = False
                pb = pbar[j]
                aj = assets[j]
                ej = eps[j]
                for s in range(n_scen):
                    dtmp[s] = 0.0
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
                changed[p] = ch
                if ch:  # rows left unchanged are never read: leave their memory untouched
                    for s in range(n_scen):
                        dx_out[j, s] = dtmp[s]

    @_nb.njit(parallel=True, cache=True, nogil=True)
    def _clearing_outputs(e, x, loss, pbar, assets, equity):
        n, n_scen = x.shape
        for j in _nb.prange(n):
            pb = pbar[j]
            base = assets[j] - pb
            for s in range(n_scen):
                x[j, s] = pb - x[j, s]
                equity[j, s] = e[j, s] + base - loss[j, s]

    @_nb.njit(cache=True, nogil=True)
    def _small_jacobi(indptr, indices, data, h1, h, tol, max_sweeps):
        # Jacobi sweeps of h <- max(h, min(1, h1 + Lambda h)) in the numpy engine's exact order
        # of operations (scipy's CSR product sums row i's terms in index order from 0, then
        # h1 is added), so both engines give the same bits on small problems.
        n, n_scen = h.shape
        new = np.empty_like(h)
        sweeps = 0
        residual = np.inf
        while residual > tol and sweeps < max_sweeps:
            residual = 0.0
            for i in range(n):
                for s in range(n_scen):
                    new[i, s] = 0.0
                for k in range(indptr[i], indptr[i + 1]):
                    j = indices[k]
                    w = data[k]
                    for s in range(n_scen):
                        new[i, s] += w * h[j, s]
            for i in range(n):
                for s in range(n_scen):
                    v = new[i, s] + h1[i, s]
                    if v > 1.0:
                        v = 1.0
                    if v < h[i, s]:
                        v = h[i, s]
                    new[i, s] = v
            for i in range(n):
                for s in range(n_scen):
                    d = new[i, s] - h[i, s]
                    if d > residual:
                        residual = d
                    h[i, s] = new[i, s]
            sweeps += 1
        return sweeps, residual

    @_nb.njit(parallel=True, cache=True, nogil=True)
    def _limit_async_sweep(indptr, indices, data, slot, shock, h, nz, full, rowmax):
        # One in-place sweep, rows split over threads: a row reads its counterparties' newest
        # values, whichever thread wrote them (old or new: both lie between the iterate and
        # the limit, so the sweep stays monotone and below the least fixed point). Rows at 1 in
        # every scenario (``full``) cannot change and are skipped: on the benchmark network 8 %
        # of the rows, holding 30 % of the matrix entries, saturate in all 64 scenarios.
        n, n_scen = h.shape
        n_chunks = (n + _CHUNK - 1) // _CHUNK
        nnz = indptr[n]
        for c in _nb.prange(n_chunks):
            acc = np.empty(n_scen)
            for i in range(c * _CHUNK, min(n, (c + 1) * _CHUNK)):
                if full[i]:
                    rowmax[i] = 0.0
                    continue
                touched = _gather_row(indptr, indices, data, slot, shock, h, nz, i, nnz, acc)
                m = 0.0
                if touched:
                    saturated = True
                    for s in range(n_scen):
                        old = h[i, s]
                        new = acc[s]
                        if new > 1.0:
                            new = 1.0
                        if new > old:
                            h[i, s] = new
                            if new - old > m:
                                m = new - old
                        if new < 1.0 and old < 1.0:
                            saturated = False
                    nz[i] = True
                    full[i] = saturated
                rowmax[i] = m

    @_nb.njit(parallel=True, cache=True, nogil=True)
    def _cascade_pre(total, dflt, r, phi, value, delta, h, g, unpaid):
        n, n_scen = total.shape
        for i in _nb.prange(n):
            v = value[i]
            for s in range(n_scen):
                d = 1.0 if dflt[i, s] else 0.0
                x = total[i, s] / v
                if x > 1.0:
                    x = 1.0
                if d > x:
                    x = d
                hh = 1.0 - (1.0 - r[i, s]) * (1.0 - x)
                h[i, s] = hh
                g[i, s] = (1.0 - hh) * phi[i, s]
                u = delta[i, s]
                unpaid[i, s] = d if d > u else u

    @_nb.njit(parallel=True, cache=True, nogil=True)
    def _cascade_assets(e0, direct, repricing, m, commit, stake, fire, e):
        n, n_scen = e0.shape
        for i in _nb.prange(n):
            for s in range(n_scen):
                c = m[i, s] * commit[i, s]
                k = stake[i, s] - repricing[i, s]
                commit[i, s] = c
                stake[i, s] = k
                x = e0[i, s] - direct[i, s] - repricing[i, s] - c - k - fire[i, s]
                e[i, s] = x if x > 0.0 else 0.0

    @_nb.njit(parallel=True, cache=True, nogil=True)
    def _cascade_post(
        direct, repricing, commit, stake, fire, credit, sol_dflt, eq0, forced, live, leverage,
        sell_share, total, dflt, new_total, new_dflt, sold, moved, differs,
    ):  # fmt: skip
        n, n_scen = eq0.shape
        n_chunks = moved.shape[0]
        for c in _nb.prange(n_chunks):
            for i in range(c * _CHUNK, min(n, (c + 1) * _CHUNK)):
                lv = live[i]
                for s in range(n_scen):
                    t = direct[i, s] + repricing[i, s] + commit[i, s] + stake[i, s]
                    t = t + fire[i, s] + credit[i, s]
                    new_total[i, s] = t
                    q = eq0[i, s]
                    nd = (sol_dflt[i, s] or t > q * (1 + 1e-12) or forced[i, s]) and lv
                    new_dflt[i, s] = nd
                    if nd != dflt[i, s]:
                        differs[c, s] = True
                    qp = q if q > 0.0 else 0.0
                    sold[i, s] = leverage[i, s] * (t if t < qp else qp) * sell_share[i, s]
                    dm = abs(t - total[i, s])
                    if dm > moved[c, s]:
                        moved[c, s] = dm
