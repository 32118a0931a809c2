"""Shared helpers for the contagion tests: small random networks and an LP oracle."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from lahar.contagion import _kernels


def random_liabilities(
    rng: np.random.Generator, n: int, density: float = 0.3, scale: float = 10.0
) -> np.ndarray:
    """Dense (n, n) liabilities with zero diagonal and log-normal amounts."""
    mask = rng.random((n, n)) < density
    np.fill_diagonal(mask, False)
    return np.where(mask, rng.lognormal(0.0, 1.0, (n, n)) * scale, 0.0)


def random_sparse_liabilities(rng: np.random.Generator, n: int, m: int) -> sp.csr_array:
    """Sparse (n, n) liabilities with about m entries, heavy-tailed amounts, zero diagonal."""
    src = rng.integers(0, n, m)
    dst = rng.integers(0, n, m)
    keep = src != dst
    amt = rng.pareto(1.5, m) + 1.0
    out = sp.coo_array((amt[keep], (src[keep], dst[keep])), shape=(n, n)).tocsr()
    out.sum_duplicates()
    return out


def lp_clearing(liabilities: np.ndarray, e: np.ndarray, el: np.ndarray | None = None) -> np.ndarray:
    """Eisenberg–Noe (2001) Lemma 4: max sum(p) s.t. p <= pbar, p <= e + Pi^T p, p >= 0."""
    lmat = np.asarray(liabilities, dtype=float)
    n = lmat.shape[0]
    pbar = lmat.sum(axis=1) + (0.0 if el is None else el)
    pi = np.divide(lmat, pbar[:, None], out=np.zeros_like(lmat), where=pbar[:, None] > 0)
    res = linprog(
        c=-np.ones(n),
        A_ub=np.eye(n) - pi.T,
        b_ub=e,
        bounds=list(zip(np.zeros(n), pbar, strict=True)),
        method="highs",
        options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
    )
    assert res.status == 0, res.message
    return res.x


#: The two engines of the contagion models, for ``pytest.mark.parametrize`` where the
#: ``engine`` fixture cannot be used (hypothesis tests: a fixture is not reset between
#: examples). The compiled one is skipped where numba is not installed.
ENGINES = [
    pytest.param(
        "numba", marks=pytest.mark.skipif(not _kernels._HAVE_NUMBA, reason="numba not installed")
    ),
    "numpy",
]


@contextmanager
def use_engine(name: str) -> Iterator[None]:
    """Run the block with the compiled kernels (``"numba"``) or the numpy/scipy fallback."""
    _kernels.set_enabled(name == "numba")
    try:
        yield
    finally:
        _kernels.set_enabled(None)
