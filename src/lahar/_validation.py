"""Shared input checks for the array models (one home for validation, as in scikit-learn).

Messages follow the form "The 'x' parameter of f must be ... Got ... instead."
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from lahar.errors import DataError

__all__ = [
    "as_batch",
    "check_array",
    "check_choice",
    "check_int",
    "check_matrix",
    "check_rect_matrix",
    "check_scalar",
    "check_vector",
    "fail",
    "restore_shape",
]

#: The format of every message (``func`` always ends in ``()``); the contract test
#: (``tests/test_contract.py``) matches errors against this pattern.
MESSAGE_PATTERN = r"The '[^']+' parameter of [\w.]+\(\) must be .+\. Got .+ instead\."


def fail(func: str, name: str, requirement: str, got: str) -> DataError:
    """The :class:`~lahar.errors.DataError` for a bad parameter, in the one message format.

    Parameters
    ----------
    func : str
        The public function (``"leontief"`` or ``"leontief()"``; the parentheses are added).
    name : str
        The parameter.
    requirement : str
        What it must be (``"in the range [0, 1]"``).
    got : str
        What it was, with the position of a bad entry.

    Returns
    -------
    DataError
        To be raised by the caller (``raise fail(...)``).

    Examples
    --------
    >>> print(fail("leontief", "final_demand", "finite (no NaN or inf)", "nan at [2]"))
    The 'final_demand' parameter of leontief() must be finite (no NaN or inf). Got nan at [2] instead.
    """
    # DataError is a ValueError, so ``except ValueError`` keeps working.
    if not func.endswith(")"):
        func += "()"
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
        raise fail(func, name, "a square 2-D matrix", f"shape {m.shape}")
    if n is not None and m.shape[0] != n:
        raise fail(func, name, f"of shape ({n}, {n})", f"shape {m.shape}")
    _check_values(_stored(m), name, func, nonneg=nonneg, index=_matrix_index(m))
    return m


def _stored(m: Any) -> NDArray[np.float64]:
    """The stored values of a matrix: ``data`` of a sparse one, the array itself if dense."""
    return np.asarray(m.data if sp.issparse(m) else m)


def _pos(flat: int, shape: tuple[int, ...]) -> str:
    """Position of a flat index as ``[i, j]`` with plain ints (no numpy reprs)."""
    if not shape:
        return ""
    return str([int(x) for x in np.unravel_index(flat, shape)])


def _matrix_index(m: Any) -> Callable[[int], str]:
    def index(flat: int) -> str:
        if sp.issparse(m):
            row = int(np.searchsorted(m.indptr, flat, side="right") - 1)
            return f"[{row}, {int(m.indices[flat])}]"
        return _pos(flat, m.shape)

    return index


def _range_text(
    low: float | None, high: float | None, low_open: bool = False, high_open: bool = False
) -> str:
    """``"non-negative"``, ``"strictly positive (> 0)"`` or ``"in the range [a, b]"``."""
    if low == 0 and high is None:
        return "strictly positive (> 0)" if low_open else "non-negative"
    lo = "(-inf" if low is None else ("(" if low_open else "[") + f"{low:g}"
    hi = "inf)" if high is None else f"{high:g}" + (")" if high_open else "]")
    return f"in the range {lo}, {hi}"


def _at(value: str, where: str) -> str:
    return f"{value} at {where}" if where else value


def _check_values(
    values: NDArray[np.float64],
    name: str,
    func: str,
    *,
    index: Callable[[int], str],
    nonneg: bool = False,
    positive: bool = False,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    allow_nan: bool = False,
) -> None:
    """Raise for the first NaN/inf (NaN allowed with ``allow_nan``) or out-of-range entry."""
    if positive:
        low, low_open = 0.0, True
    elif nonneg and low is None:
        low = 0.0
    if values.size == 0:
        return
    # Fast path without temporaries (inputs can be (10^6, 64) batches): NaN propagates through
    # min/max, and the extremes say whether any entry is infinite or out of range. With no
    # bound, one pass: a NaN or inf makes the sum non-finite (an overflowing sum of finite
    # values only sends us to the slow path, which finds nothing).
    if low is None and high is None and not allow_nan and np.isfinite(float(values.sum())):
        return
    lo_v, hi_v = float(values.min()), float(values.max())
    if np.isfinite(lo_v) and np.isfinite(hi_v):
        lo_ok = low is None or (lo_v > low if low_open else lo_v >= low)
        hi_ok = high is None or (hi_v < high if high_open else hi_v <= high)
        if lo_ok and hi_ok:
            return
    flat = values.ravel()
    bad = np.isinf(flat) if allow_nan else ~np.isfinite(flat)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        what = "finite (NaN allowed: unknown)" if allow_nan else "finite (no NaN or inf)"
        raise fail(func, name, what, _at(f"{flat[k]}", index(k)))
    with np.errstate(invalid="ignore"):
        out = np.zeros(flat.shape, dtype=bool)
        if low is not None:
            out |= (flat <= low) if low_open else (flat < low)
        if high is not None:
            out |= (flat >= high) if high_open else (flat > high)
    if out.any():
        k = int(np.flatnonzero(out)[0])
        raise fail(
            func, name, _range_text(low, high, low_open, high_open), _at(f"{flat[k]:g}", index(k))
        )


def check_array(
    x: Any,
    name: str,
    func: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    shape: tuple[int | None, ...] | None = None,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    allow_nan: bool = False,
) -> NDArray[np.float64]:
    """Return ``x`` as a float64 array, checked for dimensions, NaN/inf and a value range.

    The general check behind every array parameter that is not an entity vector or matrix
    (ages, prices, scenario vectors of cuts, ...).

    Parameters
    ----------
    x : array_like
        The value (a scalar is a 0-d array).
    name, func : str
        Parameter and function names for error messages.
    ndim : int or tuple of int, optional
        Accepted numbers of dimensions.
    shape : tuple of (int or None), optional
        Required shape; ``None`` leaves that axis free.
    low, high : float, optional
        Bounds on every entry (``None``: unbounded on that side).
    low_open, high_open : bool, default False
        Exclude the bound itself.
    allow_nan : bool, default False
        Accept NaN (meaning "unknown"); infinities are always rejected.

    Returns
    -------
    ndarray
        A float64 array; it may share memory with ``x``: callers must not mutate it.

    Raises
    ------
    lahar.errors.DataError
        Not numeric, wrong dimensions or shape, NaN/inf, or an entry out of range.

    Examples
    --------
    >>> check_array([0.2, 0.5], "ai_cut", "reprice", ndim=(0, 1), low=0, high=1)
    array([0.2, 0.5])
    >>> check_array([0.2, 1.5], "ai_cut", "reprice", low=0, high=1)
    Traceback (most recent call last):
    ...
    lahar.errors.DataError: The 'ai_cut' parameter of reprice() must be in the range [0, 1]. Got 1.5 at [1] instead.
    """
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise fail(func, name, "an array of real numbers", _short_repr(x)) from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if a.ndim not in allowed:
            want = " or ".join(_ndim_text(d) for d in allowed)
            raise fail(func, name, want, f"shape {a.shape}")
    if shape is not None and not _shape_ok(a.shape, shape):
        want = "(" + ", ".join("S" if d is None else str(d) for d in shape)
        want += ",)" if len(shape) == 1 else ")"
        raise fail(func, name, f"of shape {want}", f"shape {a.shape}")
    _check_values(
        a,
        name,
        func,
        low=low,
        high=high,
        low_open=low_open,
        high_open=high_open,
        allow_nan=allow_nan,
        index=lambda k: _pos(k, a.shape),
    )
    return a


def _shape_ok(got: tuple[int, ...], want: tuple[int | None, ...]) -> bool:
    if len(got) != len(want):
        return False
    return all(w is None or w == g for w, g in zip(want, got, strict=True))


def _ndim_text(d: int) -> str:
    return {0: "a scalar", 1: "a 1-D array", 2: "a 2-D array"}.get(d, f"a {d}-D array")


def _short_repr(x: Any) -> str:
    r = repr(x)
    return r if len(r) <= 60 else r[:57] + "..."


def check_int(
    x: Any, name: str, func: str, *, low: int | None = None, high: int | None = None
) -> int:
    """Return ``x`` as an ``int``, checked to be an integer in ``[low, high]``.

    Parameters
    ----------
    x : int
        The value (a bool is not an int here).
    name, func : str
        Parameter and function names for error messages.
    low, high : int, optional
        Inclusive bounds.

    Returns
    -------
    int

    Examples
    --------
    >>> check_int(3, "k", "top_cycles", low=1)
    3
    >>> check_int(0, "k", "top_cycles", low=1)
    Traceback (most recent call last):
    ...
    lahar.errors.DataError: The 'k' parameter of top_cycles() must be an int in the range [1, inf). Got 0 instead.
    """
    requirement = "an int " + _range_text(low, high).replace(
        "non-negative", "in the range [0, inf)"
    )
    if isinstance(x, bool) or not isinstance(x, int | np.integer):
        raise fail(func, name, requirement, _short_repr(x))
    v = int(x)
    if (low is not None and v < low) or (high is not None and v > high):
        raise fail(func, name, requirement, str(v))
    return v


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
        raise fail(func, name, want, f"shape {a.shape}")
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
        raise fail(func, name, f"a 2-D matrix of shape {want}", f"shape {m.shape}")
    _check_values(_stored(m), name, func, nonneg=nonneg, index=_matrix_index(m))
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
        raise fail(func, name, requirement, repr(x)) from None
    bad = not np.isfinite(v)
    if low is not None:
        bad = bad or v < low or (low_open and v == low)
    if high is not None:
        bad = bad or v > high or (high_open and v == high)
    if bad:
        raise fail(func, name, requirement, f"{v:g}")
    return v


def check_choice(x: Any, name: str, func: str, choices: tuple[str, ...]) -> str:
    """Return ``x`` if it is one of ``choices``, else raise a DataError naming them."""
    if not isinstance(x, str) or x not in choices:
        raise fail(func, name, "one of " + ", ".join(repr(c) for c in choices), repr(x))
    return x


def as_batch(v: NDArray[Any], *, contiguous: bool = False) -> tuple[NDArray[np.float64], bool]:
    """View an (n,) or (n, S) array as (n, S); return it and whether the input was 1-D.

    The one batch helper of the models: every function that takes an ``(n,)`` or ``(n, S)``
    input goes through it, and :func:`restore_shape` drops the scenario axis again.

    Parameters
    ----------
    v : ndarray, shape (n,) or (n, S)
        The input (already checked, e.g. by :func:`check_vector` with ``batch=True``).
    contiguous : bool, default False
        Return a C-contiguous float64 array (the compiled kernels need one); a copy is made
        only when ``v`` is not one already.

    Returns
    -------
    (ndarray, bool)
        The (n, S) array, and whether ``v`` was 1-D.

    Examples
    --------
    >>> b, was_1d = as_batch(np.array([1.0, 2.0]))
    >>> b.shape, was_1d, restore_shape(b, was_1d).shape
    ((2, 1), True, (2,))
    """
    was_1d = v.ndim == 1
    b = v[:, None] if was_1d else v
    if contiguous:
        b = np.ascontiguousarray(b, dtype=np.float64)
    return b, was_1d


def restore_shape(a: NDArray[Any], was_1d: bool) -> NDArray[Any]:
    """Undo :func:`as_batch`: drop the scenario axis for 1-D inputs."""
    return a[:, 0] if was_1d else a
