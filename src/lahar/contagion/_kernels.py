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

import numpy as np
from numpy.typing import NDArray

__all__ = ["available", "linear_debtrank_step"]

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


def set_enabled(enabled: bool) -> None:
    """Switch the compiled kernels on or off at run time (tests, benchmarks)."""
    global _FORCE_OFF  # noqa: PLW0603 - a process-wide switch is the point
    _FORCE_OFF = not enabled


if _HAVE_NUMBA:  # pragma: no cover - compiled code is not traced by coverage
    _CHUNK = 512

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
                else:
                    for s in range(n_scen):
                        dh_out[i, s] = 0.0
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
    a non-zero increment to ``act_out``; columns with ``act_in[j] == False`` are skipped.
    Returns the largest new increment.
    """
    _linear_step(indptr, indices, data, h, dh_in, dh_out, act_in, act_out, rowmax)
    return float(rowmax.max()) if rowmax.size else 0.0
