"""Benchmark: batched Leontief solves (lahar.macro.input_output.leontief) vs per-scenario solves.

Two systems, S = 10^4 final-demand scenarios each (fixed seeds):

1. BEA's 71-industry US table (2023, domestic): ``leontief`` factors I - A once (LAPACK) and
   solves all S columns in one call; the reference calls ``numpy.linalg.solve`` once per
   scenario, for all S scenarios.
2. A synthetic sparse 10^4-sector table: 200 industry groups of 50 sectors (5 random suppliers
   inside the group, 5 in the next group down the supply chain), plus 20 hub sectors (energy,
   transport, finance) that supply every sector; column sums of A = 0.6. ``leontief`` factors
   the sparse I - A once with SuperLU and solves all S columns. The per-scenario
   ``numpy.linalg.solve`` reference on the dense 10^4 x 10^4 matrix takes seconds per
   scenario, so it is timed on a few scenarios and extrapolated to S (printed as such).

Run: ``python benchmarks/bench_io.py`` (``--quick`` for S = 10^3 and a smaller sparse table).
Prints wall times (best of ``--repeat``) and speed-up ratios.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import scipy
import scipy.linalg
import scipy.sparse as sp

from lahar.data import load_bea
from lahar.macro.input_output import factorize, leontief


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def synthetic_sparse(n: int, *, group: int = 50, hubs: int = 20, seed: int = 0) -> sp.csc_array:
    rng = np.random.default_rng(seed)
    cols = np.arange(n)
    blk = cols // group
    ngroups = n // group
    rows, cc = [], []
    for _ in range(5):  # suppliers inside the group
        rows.append(blk * group + rng.integers(0, group, size=n))
        cc.append(cols)
    for _ in range(5):  # suppliers in the next group down the chain
        rows.append(((blk + 1) % ngroups) * group + rng.integers(0, group, size=n))
        cc.append(cols)
    rows.append(np.tile(np.arange(hubs), n))  # hub sectors supply everyone
    cc.append(np.repeat(cols, hubs))
    r, c = np.concatenate(rows), np.concatenate(cc)
    a = sp.csc_array((rng.random(r.size), (r, c)), shape=(n, n))
    a.sum_duplicates()
    colsum = np.asarray(a.sum(axis=0)).ravel()
    return (a @ sp.diags_array(0.6 / colsum)).tocsc()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=10_000)
    ap.add_argument("--sectors", type=int, default=10_000)
    ap.add_argument("--reference-subset", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.scenarios, args.sectors, args.repeat = 1_000, 2_000, 1
    S = args.scenarios
    rng = np.random.default_rng(42)
    print(f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}")
    print(f"S = {S} scenarios\n")

    # 1. BEA 71-industry table ------------------------------------------------------------
    a = load_bea(2023, domestic=True).technical_coefficients
    n = a.shape[0]
    f = rng.normal(size=(n, S))
    t_batch, x = best_of(lambda: leontief(a, f), args.repeat)
    m = np.eye(n) - a

    def loop() -> np.ndarray:
        out = np.empty_like(f)
        for s in range(S):
            out[:, s] = np.linalg.solve(m, f[:, s])
        return out

    t_loop, x_ref = best_of(loop, args.repeat)
    err = np.abs(x - x_ref).max() / np.abs(x_ref).max()
    print(f"[BEA {n} industries] leontief batched (factor + {S} solves): {t_batch * 1e3:9.2f} ms")
    print(f"[BEA {n} industries] numpy.linalg.solve per scenario, all {S}: {t_loop * 1e3:9.2f} ms")
    print(f"[BEA {n} industries] speed-up {t_loop / t_batch:8.1f}x   (max rel. diff {err:.1e})\n")

    # 2. synthetic sparse table -----------------------------------------------------------
    n = args.sectors
    a = synthetic_sparse(n)
    f = rng.normal(size=(n, S))
    t_fac, lu = best_of(lambda: factorize(a), args.repeat)
    t_batch, x = best_of(lambda: leontief(a, f), args.repeat)
    resid = np.abs((x[:, :5] - a @ x[:, :5]) - f[:, :5]).max()
    lnnz = lu._lu.L.nnz + lu._lu.U.nnz
    print(f"[synthetic {n} sectors] nnz(A) = {a.nnz:,}, nnz(L + U) = {lnnz:,}")
    print(f"[synthetic {n} sectors] factorize (incl. spectral check): {t_fac:9.3f} s")
    print(
        f"[synthetic {n} sectors] leontief batched (factor + {S} solves): {t_batch:9.3f} s"
        f"   (residual {resid:.1e})"
    )
    dense = np.eye(n) - a.toarray()
    k = args.reference_subset
    t0 = time.perf_counter()
    for s in range(k):
        xs = np.linalg.solve(dense, f[:, s])
    t_sub = time.perf_counter() - t0
    assert np.allclose(xs, x[:, k - 1], atol=1e-8 * np.abs(xs).max())
    t_ref = t_sub / k * S
    print(
        f"[synthetic {n} sectors] numpy.linalg.solve per scenario (dense): {t_sub / k:9.3f} s each,"
        f" timed on {k} scenarios, extrapolated to {S}: {t_ref:,.0f} s"
    )
    print(f"[synthetic {n} sectors] speed-up {t_ref / t_batch:,.0f}x (extrapolated reference)")

    # dense but batched (one LAPACK LU, all S solves): separates "factor once" from "sparse"
    t0 = time.perf_counter()
    lu_dense = scipy.linalg.lu_factor(dense, check_finite=False)
    t_dfac = time.perf_counter() - t0
    sub = min(S, 500)
    t0 = time.perf_counter()
    scipy.linalg.lu_solve(lu_dense, f[:, :sub], check_finite=False)
    t_dsol = (time.perf_counter() - t0) / sub * S
    t_dense = t_dfac + t_dsol
    print(
        f"[synthetic {n} sectors] dense batched (lu_factor {t_dfac:.1f} s + lu_solve timed on "
        f"{sub} scenarios, extrapolated to {S}): {t_dense:,.1f} s; dense batched / sparse "
        f"batched = {t_dense / t_batch:.2f}"
    )


if __name__ == "__main__":
    main()
