"""Plain reference implementations: one scenario at a time, written as in the papers.

These are the "straightforward" versions the optimised batched models are checked against in
the tests and timed against in ``benchmarks/bench_contagion.py``. They loop over scenarios in
Python, use textbook forms of each algorithm (payments rather than shortfalls, full
matrix-vector products every round, no frontier) and skip input validation. Not public API.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import NDArray

__all__ = [
    "clearing_reference",
    "commitment_reference",
    "debtrank_battiston_reference",
    "debtrank_linear_reference",
    "fire_sale_reference",
]


def _columns(v: NDArray[np.float64]) -> tuple[NDArray[np.float64], bool]:
    v = np.asarray(v, dtype=np.float64)
    return (v[:, None], True) if v.ndim == 1 else (v, False)


def clearing_reference(
    liabilities: NDArray[np.float64] | sp.sparray,
    external_assets: NDArray[np.float64],
    *,
    alpha: float = 1.0,
    beta: float = 1.0,
    external_liabilities: NDArray[np.float64] | None = None,
    rtol: float = 1e-12,
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Greatest clearing vector by the fictitious-default / GCV algorithm, column by column.

    Round k: compute the default set at the current payments; if it did not grow, stop;
    otherwise solve ``p_D = alpha e_D + beta (Pi^T p)_D`` with ``p = pbar`` outside ``D``
    (sparse LU on the defaulted block). Returns ``(payments, defaulted)``.
    """
    lmat = sp.csr_array(liabilities, dtype=np.float64)
    n = lmat.shape[0]
    pbar = np.asarray(lmat.sum(axis=1)).reshape(-1)
    if external_liabilities is not None:
        pbar = pbar + np.asarray(external_liabilities, dtype=np.float64)
    inv = np.divide(1.0, pbar, out=np.zeros(n), where=pbar > 0)
    pit = sp.csr_array(sp.diags_array(inv) @ lmat).T.tocsr()  # Pi^T: row i = what i receives
    e_all, was_1d = _columns(external_assets)
    pay = np.empty_like(e_all)
    dflt = np.zeros(e_all.shape, dtype=bool)
    eye = sp.eye_array(n, format="csr")
    for s in range(e_all.shape[1]):  # the plain loop over scenarios
        e = e_all[:, s]
        p = pbar.copy()
        d = np.zeros(n, dtype=bool)
        while True:
            value = e + pit @ p
            d_new = d | (value < pbar - rtol * pbar)
            if (d_new == d).all():
                break
            d = d_new
            idx = np.flatnonzero(d)
            keep = np.flatnonzero(~d)
            block = sp.csc_array(eye[idx][:, idx] - beta * pit[idx][:, idx])
            rhs = alpha * e[idx] + beta * (pit[idx][:, keep] @ pbar[keep])
            p = pbar.copy()
            p[idx] = spla.splu(block).solve(rhs)
        pay[:, s] = p
        dflt[:, s] = d
    return (pay[:, 0], dflt[:, 0]) if was_1d else (pay, dflt)


def debtrank_linear_reference(
    exposures: NDArray[np.float64] | sp.sparray,
    equity: NDArray[np.float64],
    shock: NDArray[np.float64],
    *,
    tol: float = 1e-12,
    max_iter: int = 10_000,
) -> NDArray[np.float64]:
    """Bardoscia et al. (2015) linear DebtRank, one shock at a time, full SpMV per step."""
    lam = sp.csr_array(
        sp.diags_array(1.0 / np.asarray(equity, dtype=np.float64)) @ sp.csr_array(exposures)
    )
    h_all, was_1d = _columns(shock)
    out = np.empty_like(h_all)
    for s in range(h_all.shape[1]):
        h_prev = np.zeros(h_all.shape[0])
        h = h_all[:, s].copy()
        for _ in range(max_iter):
            h_next = np.minimum(1.0, h + lam @ (h - h_prev))
            h_prev, h = h, h_next
            if np.max(h - h_prev, initial=0.0) <= tol:
                break
        out[:, s] = h
    return out[:, 0] if was_1d else out


def debtrank_battiston_reference(
    exposures: NDArray[np.float64] | sp.sparray,
    equity: NDArray[np.float64],
    shock: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Battiston et al. (2012) DebtRank with U/D/I states, one shock at a time.

    Written as in NetworkRiskMeasures' ``debt_rank_shock`` (states 0 = undistressed,
    1 = distressed, 2 = inactive), with dense per-node loops over the distressed set.
    """
    w = np.asarray(sp.csr_array(exposures).toarray() / np.asarray(equity)[:, None])
    w = np.minimum(w, 1.0)
    h_all, was_1d = _columns(shock)
    out = np.empty_like(h_all)
    n = h_all.shape[0]
    for s in range(h_all.shape[1]):
        h = h_all[:, s].copy()
        state = np.where(h > 0, 1, 0)
        while (state == 1).any():
            dist = [j for j in range(n) if state[j] == 1]
            h_new = h.copy()
            for i in range(n):
                h_new[i] = min(1.0, h[i] + sum(w[i, j] * h[j] for j in dist))
            for j in dist:
                state[j] = 2
            for i in range(n):
                if h_new[i] > 0 and state[i] == 0:
                    state[i] = 1
            h = h_new
        out[:, s] = h
    return out[:, 0] if was_1d else out


def fire_sale_reference(
    assets: NDArray[np.float64],
    weights: NDArray[np.float64],
    leverage: NDArray[np.float64],
    price_impact: NDArray[np.float64],
    shock: NDArray[np.float64],
    equity: NDArray[np.float64],
) -> tuple[NDArray[np.float64], float, NDArray[np.float64]]:
    """GLT (2015) for one shock with explicit loops; returns (losses, AV, systemicness).

    Systemicness is computed by letting one firm sell at a time and measuring the losses its
    sales alone cause (the definition), not by the closed form used in :func:`fire_sale`.
    """
    a = np.asarray(assets, dtype=np.float64)
    m = np.asarray(weights, dtype=np.float64)
    n, k = m.shape

    def losses_from(sales: NDArray[np.float64]) -> NDArray[np.float64]:
        dp = np.zeros(k)
        for kk in range(k):
            dp[kk] = -price_impact[kk] * sum(m[nn, kk] * sales[nn] for nn in range(n))
        return np.array([-a[nn] * sum(m[nn, kk] * dp[kk] for kk in range(k)) for nn in range(n)])

    direct = np.array([-a[nn] * sum(m[nn, kk] * shock[kk] for kk in range(k)) for nn in range(n)])
    sales = np.asarray(leverage) * direct
    losses = losses_from(sales)
    total_e = float(np.sum(equity))
    syst = np.empty(n)
    for nn in range(n):
        one = np.zeros(n)
        one[nn] = sales[nn]
        syst[nn] = losses_from(one).sum() / total_e
    return losses, float(losses.sum() / total_e), syst


def commitment_reference(
    commitments: NDArray[np.float64],
    default_fraction: NDArray[np.float64],
    margin: NDArray[np.float64],
    term_years: NDArray[np.float64],
    discount_rate: float,
    weight: float = 1.0,
) -> NDArray[np.float64]:
    """Supplier losses by summing discounted cash flows year by year (integer terms only)."""
    c = np.asarray(commitments, dtype=np.float64)
    n = c.shape[0]
    out = np.zeros(n)
    for i in range(n):
        for j in range(n):
            if c[i, j] == 0:
                continue
            pv = sum(
                c[i, j] / (1 + discount_rate) ** t for t in range(1, int(term_years[i, j]) + 1)
            )
            out[j] += default_fraction[i] * weight * margin[j] * pv
    return out
