"""Helpers shared by the contagion models (private).

Sparse matrices are brought to one canonical form (CSR, float64, sorted indices, duplicates
summed) without touching the caller's arrays, and (n,) / (n, S) batches go through
:func:`lahar._validation.as_batch`.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from lahar._validation import check_matrix, fail

__all__ = [
    "canonical_csr",
    "check_square",
    "column_sums",
    "row_sums",
    "scale_rows",
]


def canonical_csr(m: sp.csr_array | NDArray[np.float64]) -> sp.csr_array:
    """Return ``m`` as a canonical float64 CSR array (sorted, no duplicates, no stored zeros).

    Never mutates ``m``: a copy is made whenever the arrays would have to change.
    """
    m = cast(Any, m)  # a scipy sparse array below (scipy has no type information)
    if not sp.issparse(m):
        out = sp.csr_array(np.asarray(m, dtype=np.float64))
        out.eliminate_zeros()
    elif (
        m.format == "csr"
        and m.dtype == np.float64
        and m.has_canonical_format
        and bool(np.all(m.data != 0))
    ):
        out = sp.csr_array(m)  # already canonical: share the arrays (never written)
    else:
        out = sp.csr_array(m, dtype=np.float64, copy=True)
        out.sum_duplicates()
        out.eliminate_zeros()
    if out.indices.dtype != np.int32 and out.nnz < 2**31 and out.shape[0] < 2**31:
        out.indices = out.indices.astype(np.int32)
        out.indptr = out.indptr.astype(np.int32)
    return out


def check_square(
    a: Any, name: str, func: str, *, n: int | None = None, zero_diagonal: bool = True
) -> sp.csr_array:
    """Check a non-negative square matrix and return it as a canonical CSR array.

    Parameters
    ----------
    a : array_like or scipy.sparse array/matrix
        The matrix.
    name, func : str
        Parameter and function names for error messages.
    n : int, optional
        Required size.
    zero_diagonal : bool, default True
        Require ``a[i, i] == 0`` (an entity has no claim on itself).

    Returns
    -------
    scipy.sparse.csr_array
    """
    m = canonical_csr(check_matrix(a, name, func, n=n))
    if zero_diagonal and m.nnz:
        diag = m.diagonal()
        bad = np.flatnonzero(diag != 0)
        if bad.size:
            i = int(bad[0])
            raise fail(
                func,
                name,
                "zero on the diagonal (an entity has no claim on itself)",
                f"{diag[i]:g} at [{i}, {i}]",
            )
    return m


def row_sums(m: sp.csr_array) -> NDArray[np.float64]:
    """Row sums of a CSR array as a float64 vector."""
    return np.asarray(m.sum(axis=1), dtype=np.float64).reshape(-1)


def column_sums(m: sp.csr_array) -> NDArray[np.float64]:
    """Column sums of a CSR array as a float64 vector."""
    return np.bincount(m.indices, weights=m.data, minlength=m.shape[1]).astype(np.float64)


def scale_rows(m: sp.csr_array, factor: NDArray[np.float64]) -> sp.csr_array:
    """Return ``diag(factor) @ m`` as a new CSR array with the same sparsity pattern."""
    counts = np.diff(m.indptr)
    data = m.data * np.repeat(factor, counts)
    return sp.csr_array((data, m.indices.copy(), m.indptr.copy()), shape=m.shape)
