"""Shared input checks for the array models (one home for validation, as in scikit-learn).

Messages follow the form "The 'x' parameter of f must be ... Got ... instead."
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from lahar.errors import DataError

__all__ = [
    "as_batch",
    "check_choice",
    "check_matrix",
    "check_rect_matrix",
    "check_scalar",
    "check_vector",
    "restore_shape",
]


def _fail(func: str, name: str, requirement: str, got: str) -> ValueError:
    # DataError is a ValueError, so ``except ValueError`` keeps working.
    return DataError(f"The '{name}' parameter of {func} must be {requirement}. Got {got} instead.")


def _as_float_matrix(a: Any) -> sp.csr_array | NDArray[np.float64]:
    """Sparse input as a float64 CSR array, anything else as a float64 ndarray."""
    return sp.csr_array(a, dtype=np.float64) if sp.issparse(a) else np.asarray(a, dtype=np.float64)


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
    m = _as_float_matrix(a)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise _fail(func, name, "a square 2-D matrix", f"shape {m.shape}")
    if n is not None and m.shape[0] != n:
        raise _fail(func, name, f"of shape ({n}, {n})", f"shape {m.shape}")
    _check_values(
        m.data if sp.issparse(m) else m, name, func, nonneg=nonneg, index=_matrix_index(m)
    )
    return m


def _pos(flat: int, shape: tuple[int, ...]) -> str:
    """Position of a flat index as ``[i, j]`` with plain ints (no numpy reprs)."""
    return str([int(x) for x in np.unravel_index(flat, shape)])


def _matrix_index(m: Any):  # noqa: ANN202 - small private helper
    def index(flat: int) -> str:
        if sp.issparse(m):
            row = int(np.searchsorted(m.indptr, flat, side="right") - 1)
            return f"[{row}, {int(m.indices[flat])}]"
        return _pos(flat, m.shape)

    return index


def _check_values(
    values: NDArray[np.float64],
    name: str,
    func: str,
    *,
    nonneg: bool,
    index,  # noqa: ANN001
    positive: bool = False,
) -> None:
    if values.size == 0:
        return
    # Fast path without temporaries (inputs can be (10^6, 64) batches): NaN propagates through
    # min/max, and the extremes say whether any entry is infinite or below the bound. With no
    # bound, one pass: a NaN or inf makes the sum non-finite (an overflowing sum of finite
    # values only sends us to the slow path, which finds nothing).
    if not (nonneg or positive) and np.isfinite(float(values.sum())):
        return
    low, high = float(values.min()), float(values.max())
    if np.isfinite(low) and np.isfinite(high):
        floor_ok = low > 0 if positive else (low >= 0 or not nonneg)
        if floor_ok:
            return
    bad = ~np.isfinite(values)
    if bad.any():
        k = int(np.flatnonzero(bad.ravel())[0])
        raise _fail(func, name, "finite (no NaN or inf)", f"{values.ravel()[k]} at {index(k)}")
    if positive:
        low = values <= 0
        if low.any():
            k = int(np.flatnonzero(low.ravel())[0])
            raise _fail(
                func, name, "strictly positive (> 0)", f"{values.ravel()[k]:g} at {index(k)}"
            )
    elif nonneg:
        neg = values < 0
        if neg.any():
            k = int(np.flatnonzero(neg.ravel())[0])
            raise _fail(func, name, "non-negative", f"{values.ravel()[k]:g} at {index(k)}")


def check_vector(
    v: Any,
    name: str,
    func: str,
    *,
    n: int,
    nonneg: bool = True,
    batch: bool = False,
    positive: bool = False,
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
    positive : bool, default False
        Require every entry to be > 0 (implies ``nonneg``).

    Returns
    -------
    ndarray
        A float64 array. It may share memory with ``v``: callers must not mutate it.
    """
    a = np.asarray(v, dtype=np.float64)
    ok = a.shape == (n,) or (batch and a.ndim == 2 and a.shape[0] == n)
    if not ok:
        want = f"of shape ({n},) or ({n}, S)" if batch else f"of shape ({n},)"
        raise _fail(func, name, want, f"shape {a.shape}")
    _check_values(
        a,
        name,
        func,
        nonneg=nonneg,
        positive=positive,
        index=lambda k: _pos(k, a.shape),
    )
    return a


def check_rect_matrix(
    a: Any, name: str, func: str, *, shape: tuple[int | None, int | None], nonneg: bool = True
) -> sp.csr_array | NDArray[np.float64]:
    """Like :func:`check_matrix` for a rectangular matrix of a given ``shape``.

    Parameters
    ----------
    a : array_like or scipy.sparse array/matrix
        The matrix.
    name, func : str
        Parameter and function names for error messages.
    shape : tuple of (int or None)
        Required shape; ``None`` leaves that axis free.
    nonneg : bool, default True
        Require every entry to be >= 0.

    Returns
    -------
    ndarray or scipy.sparse.csr_array
        Sparse input comes back as ``csr_array`` (float64), dense as a float64 ndarray; either
        may share memory with ``a``.
    """
    m = _as_float_matrix(a)
    want = tuple("S" if d is None else d for d in shape)
    if m.ndim != 2 or any(d is not None and d != g for d, g in zip(shape, m.shape, strict=True)):
        raise _fail(func, name, f"a 2-D matrix of shape {want}", f"shape {m.shape}")
    _check_values(
        m.data if sp.issparse(m) else m, name, func, nonneg=nonneg, index=_matrix_index(m)
    )
    return m


def check_scalar(
    x: Any,
    name: str,
    func: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``x`` as a float, checked to be finite and in the interval ``[low, high]``.

    Parameters
    ----------
    x : float
        The value.
    name, func : str
        Parameter and function names for error messages.
    low, high : float, optional
        Bounds (``None``: unbounded on that side).
    low_open, high_open : bool, default False
        Exclude the bound itself.

    Returns
    -------
    float
    """
    lo = "(-inf" if low is None else ("(" if low_open else "[") + f"{low:g}"
    hi = "inf)" if high is None else f"{high:g}" + (")" if high_open else "]")
    requirement = f"a finite real number in the range {lo}, {hi}"
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise _fail(func, name, requirement, repr(x)) from None
    bad = not np.isfinite(v)
    if low is not None:
        bad = bad or v < low or (low_open and v == low)
    if high is not None:
        bad = bad or v > high or (high_open and v == high)
    if bad:
        raise _fail(func, name, requirement, f"{v:g}")
    return v


def check_choice(x: Any, name: str, func: str, choices: tuple[str, ...]) -> str:
    """Return ``x`` if it is one of ``choices``, else raise a DataError naming them."""
    if not isinstance(x, str) or x not in choices:
        raise _fail(func, name, "one of " + ", ".join(repr(c) for c in choices), repr(x))
    return x


def as_batch(v: NDArray[np.float64]) -> tuple[NDArray[np.float64], bool]:
    """View an (n,) or (n, S) array as (n, S); return it and whether the input was 1-D."""
    if v.ndim == 1:
        return v[:, None], True
    return v, False


def restore_shape(a: NDArray[Any], was_1d: bool) -> NDArray[Any]:
    """Undo :func:`as_batch`: drop the scenario axis for 1-D inputs."""
    return a[:, 0] if was_1d else a
