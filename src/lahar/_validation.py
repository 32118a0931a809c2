"""Shared input checks for the array models (one home for validation, as in scikit-learn).

Messages follow the form "The 'x' parameter of f must be ... Got ... instead."
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

__all__ = [
    "as_batch",
    "check_matrix",
    "check_vector",
    "restore_shape",
]


def _fail(func: str, name: str, requirement: str, got: str) -> ValueError:
    return ValueError(f"The '{name}' parameter of {func} must be {requirement}. Got {got} instead.")


def check_matrix(
    a: Any, name: str, func: str, *, n: int | None = None, nonneg: bool = True
) -> sp.csr_array | NDArray[np.float64]:
    """Return a square float64 matrix (dense ndarray or CSR), checked for shape, NaN and sign.

    Parameters
    ----------
    a : array_like or scipy.sparse array/matrix
        The matrix.
    name, func : str
        Parameter and function names for error messages.
    n : int, optional
        Required size; ``None`` accepts any square size.
    nonneg : bool, default True
        Require every entry to be >= 0.

    Returns
    -------
    ndarray or scipy.sparse.csr_array
        Sparse input comes back as ``csr_array`` (float64), dense as a float64 ndarray.

    Raises
    ------
    ValueError
        Not square, wrong size, NaN/inf or negative entries.
    """
    if sp.issparse(a):
        m = sp.csr_array(a, dtype=np.float64)
        values = m.data
    else:
        m = np.asarray(a, dtype=np.float64)
        values = m
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise _fail(func, name, "a square 2-D matrix", f"shape {m.shape}")
    if n is not None and m.shape[0] != n:
        raise _fail(func, name, f"of shape ({n}, {n})", f"shape {m.shape}")
    _check_values(values, name, func, nonneg=nonneg, index=_matrix_index(m))
    return m


def _matrix_index(m: Any):  # noqa: ANN202 - small private helper
    def index(flat: int) -> str:
        if sp.issparse(m):
            row = int(np.searchsorted(m.indptr, flat, side="right") - 1)
            return f"[{row}, {int(m.indices[flat])}]"
        return str(list(np.unravel_index(flat, m.shape)))

    return index


def _check_values(
    values: NDArray[np.float64], name: str, func: str, *, nonneg: bool, index
) -> None:  # noqa: ANN001
    bad = ~np.isfinite(values)
    if bad.any():
        k = int(np.flatnonzero(bad.ravel())[0])
        raise _fail(func, name, "finite (no NaN or inf)", f"{values.ravel()[k]} at {index(k)}")
    if nonneg:
        neg = values < 0
        if neg.any():
            k = int(np.flatnonzero(neg.ravel())[0])
            raise _fail(func, name, "non-negative", f"{values.ravel()[k]:g} at {index(k)}")


def check_vector(
    v: Any, name: str, func: str, *, n: int, nonneg: bool = True, batch: bool = False
) -> NDArray[np.float64]:
    """Return ``v`` as float64, checked: shape (n,) or, with ``batch``, (n,) or (n, S).

    Parameters
    ----------
    v : array_like
        The vector or batch.
    name, func : str
        Parameter and function names for error messages.
    n : int
        Number of entities (rows).
    nonneg : bool, default True
        Require every entry to be >= 0.
    batch : bool, default False
        Accept an (n, S) batch of S scenarios.

    Returns
    -------
    ndarray
        A float64 array (a fresh array: callers may not mutate the user's input anyway).
    """
    a = np.asarray(v, dtype=np.float64)
    ok = a.shape == (n,) or (batch and a.ndim == 2 and a.shape[0] == n)
    if not ok:
        want = f"of shape ({n},) or ({n}, S)" if batch else f"of shape ({n},)"
        raise _fail(func, name, want, f"shape {a.shape}")
    _check_values(
        a, name, func, nonneg=nonneg, index=lambda k: str(list(np.unravel_index(k, a.shape)))
    )
    return a


def as_batch(v: NDArray[np.float64]) -> tuple[NDArray[np.float64], bool]:
    """View an (n,) or (n, S) array as (n, S); return it and whether the input was 1-D."""
    if v.ndim == 1:
        return v[:, None], True
    return v, False


def restore_shape(a: NDArray[Any], was_1d: bool) -> NDArray[Any]:
    """Undo :func:`as_batch`: drop the scenario axis for 1-D inputs."""
    return a[:, 0] if was_1d else a
