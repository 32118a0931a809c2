"""Optional compiled kernels (numba) for the propagation hot loops.

Everything here has a pure numpy/scipy fallback in the calling module; :func:`available`
says whether numba could be imported, and the environment variable ``LAHAR_NO_NUMBA=1``
switches the kernels off (the test-suite runs both paths).

The kernels are "pull" sparse-matrix times dense-batch products fused with the element-wise
update of the model, parallel over rows (no atomics), skipping rows and columns whose inputs
are known to be zero (the *frontier*): early in a cascade only the neighbourhood of the
shocked entities is touched.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "CHUNK",
    "available",
    "clearing_outputs",
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
    _nb = None
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


if _HAVE_NUMBA:  # pragma: no cover - compiled code is not traced by coverage
    _CHUNK = CHUNK

    @_nb.njit(parallel=True, cache=True, nogil=True)
    def _linear_step(indptr, indices, data, h, dh_in, dh_out, act_in, act_out, rowmax):
        n, n_scen = h.shape
        n_chunks = (n + _CHUNK - 1) // _CHUNK
        for c in _nb.prange(n_chunks):
            acc = np.empty(n_scen)
            for i in range(c * _CHUNK, min(n, (c + 1) * _CHUNK)):
                touched = False
                for k in range(indptr[i], indptr[i + 1]):
                    j = indices[k]
                    if act_in[j]:
                        if not touched:
                            touched = True
                            acc[:] = 0.0
                        w = data[k]
                        for s in range(n_scen):
                            acc[s] += w * dh_in[j, s]
                m = 0.0
                if touched:
                    for s in range(n_scen):
                        old = h[i, s]
                        new = old + acc[s]
                        if new > 1.0:
                            new = 1.0
                        d = new - old
                        dh_out[i, s] = d
                        h[i, s] = new
                        if d > m:
                            m = d
                rowmax[i] = m
                act_out[i] = m > 0.0


def linear_debtrank_step(
    indptr: NDArray[np.integer],
    indices: NDArray[np.integer],
    data: NDArray[np.float64],
    h: NDArray[np.float64],
    dh_in: NDArray[np.float64],
    dh_out: NDArray[np.float64],
    act_in: NDArray[np.bool_],
    act_out: NDArray[np.bool_],
    rowmax: NDArray[np.float64],
) -> float:
    """One linear DebtRank step (compiled): ``h <- min(1, h + Lambda dh_in)``.

    Writes the new increments to ``dh_out``, their row maxima to ``rowmax`` and the rows with
    a non-zero increment to ``act_out``; columns with ``act_in[j] == False`` are skipped, and
    rows of ``dh_out`` with ``act_out[i] == False`` are left unwritten (never read).
    Returns the largest new increment.
    """
    with _threads_for(h.size):
        _linear_step(indptr, indices, data, h, dh_in, dh_out, act_in, act_out, rowmax)
    return float(rowmax.max()) if rowmax.size else 0.0


if _HAVE_NUMBA:  # pragma: no cover - compiled code is not traced by coverage

    @_nb.njit(parallel=True, cache=True, nogil=True)
    def _clearing_sweep(
        ptr, idx, val, e, x, loss, dx_in, dx_out, act_in, act_out, dflt,
        pbar, assets, eps, alpha, beta, full, newflag,
    ):  # fmt: skip
        n, n_scen = x.shape
        n_chunks = (n + _CHUNK - 1) // _CHUNK
        for c in _nb.prange(n_chunks):
            acc = np.empty(n_scen)
            dtmp = np.empty(n_scen)
            for j in range(c * _CHUNK, min(n, (c + 1) * _CHUNK)):
                pulled = False
                for k in range(ptr[j], ptr[j + 1]):
                    i = idx[k]
                    if act_in[i]:
                        if not pulled:
                            pulled = True
                            acc[:] = 0.0
                        w = val[k]
                        for s in range(n_scen):
                            acc[s] += w * dx_in[i, s]
                if pulled:
                    for s in range(n_scen):
                        if acc[s] != 0.0:
                            loss[j, s] += acc[s]
                elif not full:
                    act_out[j] = False
                    continue
                # Only pairs whose loss moved (all of them in a full sweep) can change.
                changed = False
                pb = pbar[j]
                aj = assets[j]
                ej = eps[j]
                for s in range(n_scen):
                    dtmp[s] = 0.0
                for s in range(n_scen):
                    if not full and acc[s] == 0.0:
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
                        changed = True
                act_out[j] = changed
                if changed:  # rows left unchanged are never read: leave their memory untouched
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


def clearing_sweep(
    pit: object,
    e: NDArray[np.float64],
    x: NDArray[np.float64],
    loss: NDArray[np.float64],
    dx_in: NDArray[np.float64],
    dx_out: NDArray[np.float64],
    act_in: NDArray[np.bool_],
    act_out: NDArray[np.bool_],
    dflt: NDArray[np.bool_],
    pbar: NDArray[np.float64],
    assets: NDArray[np.float64],
    eps: NDArray[np.float64],
    alpha: float,
    beta: float,
    full: bool,
    newflag: NDArray[np.bool_],
) -> None:
    """One Jacobi sweep of the clearing map in shortfall form (compiled), in place.

    ``pit`` is the CSR array of ``Pi^T`` (row ``j`` lists the debtors of ``j``). Pulls the
    pending increments ``dx_in`` of active rows into ``loss``, flags new defaults (``dflt``,
    and ``newflag[chunk, s]``), moves the shortfall ``x`` of defaulted pairs to the target
    ``pbar - alpha e - beta (assets - loss)`` and writes the increments to ``dx_out`` for
    rows flagged in ``act_out``. ``full`` evaluates every row, not only touched ones.
    """
    with _threads_for(x.size):
        _clearing_sweep(
            pit.indptr, pit.indices, pit.data, e, x, loss, dx_in, dx_out, act_in, act_out, dflt,
            pbar, assets, eps, alpha, beta, full, newflag,
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
