"""Benchmark: exact max circulation on synthetic money-flow networks vs HiGHS and networkx.

Usage::

    .venv/bin/python benchmarks/bench_circularity.py            # 10^3, 10^4, 10^5 nodes
    .venv/bin/python benchmarks/bench_circularity.py --full     # also HiGHS at 10^5 (~1 min)
    .venv/bin/python benchmarks/bench_circularity.py --sizes 1000,10000

For each size ``n`` (``m = 5 n`` exposures, ``lahar.network.synthetic`` with seed 0, money flows
annualised and status-weighted as in ``lahar analyze``) it times

* ``max_circulation(method="flow")``: lahar's primal-dual min-cost-flow kernel (numba),
* ``max_circulation(method="highs")``: the same LP solved by HiGHS via scipy,
* ``networkx.network_simplex`` on the same graph with capacities rounded to integers (networkx
  needs integers for exactness; lahar's kernel is run on the same integers and must agree to
  the dollar),

and prints the times and the speed-up ratios. networkx is pure Python and is timed only where
it finishes in reasonable time (``--nx-max``, default 10^4 nodes); above that the table says
"skipped" and the ratio is extrapolated from the measured growth, which is stated as such.
"""

from __future__ import annotations

import argparse
import platform
import time

import networkx as nx
import numpy as np
import scipy.sparse as sp

from lahar.analytics.circularity import max_circulation, money_flows
from lahar.data import status_weights
from lahar.network import synthetic


def _scc_edges(F: sp.csr_array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from scipy.sparse.csgraph import connected_components

    _, lab = connected_components(F, directed=True, connection="strong")
    c = F.tocoo()
    k = (lab[c.row] == lab[c.col]) & (c.row != c.col)
    return c.row[k], c.col[k], c.data[k]


def _networkx_total(n: int, s: np.ndarray, d: np.ndarray, cap: np.ndarray) -> tuple[float, float]:
    G = nx.DiGraph()
    G.add_nodes_from(range(n))
    for i, j, c in zip(s.tolist(), d.tolist(), cap.tolist(), strict=True):
        G.add_edge(i, j, capacity=int(c), weight=-1)
    t = time.perf_counter()
    cost, _ = nx.network_simplex(G)
    return float(-cost), time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--full", action="store_true", help="HiGHS at every size (slow at 10^5)")
    ap.add_argument("--nx-max", type=int, default=10_000, help="largest n timed with networkx")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    print(f"python {platform.python_version()}, {platform.processor() or platform.machine()}")
    # compile (or load the cached) numba kernel once, outside the timings
    t = time.perf_counter()
    max_circulation(np.array([[0, 2.0, 0], [0, 0, 1], [1, 0, 0]]), method="flow")
    print(f"kernel compile/load: {time.perf_counter() - t:.2f} s (once per machine with cache)")
    header = (
        f"{'n':>8} {'m':>8} {'scc edges':>10} {'flow s':>8} {'highs s':>8} {'nx s':>9} "
        f"{'highs/flow':>10} {'nx/flow':>9}  total circulation"
    )
    print(header)
    nx_rows = []
    for n in sizes:
        net = synthetic(n, 5 * n, seed=0)
        F = money_flows(net, status_weights=status_weights())
        s, d, f = _scc_edges(F)
        best = np.inf
        for _ in range(args.repeat):
            t = time.perf_counter()
            c = max_circulation(F, method="flow")
            best = min(best, time.perf_counter() - t)
        t_highs = np.nan
        if args.full or n <= 10_000:
            t = time.perf_counter()
            h = max_circulation(F, method="highs")
            t_highs = time.perf_counter() - t
            assert abs(h.total - c.total) <= 1e-7 * c.total, (h.total, c.total)
        t_nx = np.nan
        if n <= args.nx_max:
            scale = 1e6 / f.max()
            cap = np.maximum(1, np.rint(f * scale))
            Fi = sp.csr_array((cap, (s, d)), shape=F.shape)
            ours = max_circulation(Fi, method="flow").total
            theirs, t_nx = _networkx_total(n, s, d, cap)
            assert abs(ours - theirs) <= 1e-9 * theirs, (ours, theirs)  # exact up to float sums
            nx_rows.append((n, t_nx))
        print(
            f"{n:>8} {5 * n:>8} {f.size:>10} {best:>8.3f} {t_highs:>8.2f} "
            f"{'skipped' if np.isnan(t_nx) else f'{t_nx:9.2f}':>9} "
            f"{t_highs / best:>10.1f} {t_nx / best:>9.1f}  ${c.total / 1e9:,.1f}B/yr "
            f"({100 * c.share:.1f}% of flow)"
        )
    if len(nx_rows) >= 2 and max(sizes) > nx_rows[-1][0]:
        (n0, t0), (n1, t1) = nx_rows[-2], nx_rows[-1]
        k = np.log(t1 / t0) / np.log(n1 / n0)
        big = max(sizes)
        print(
            f"networkx grows as n^{k:.2f} between n={n0} and n={n1}; extrapolated to n={big}: "
            f"~{t1 * (big / n1) ** k:,.0f} s (not measured)"
        )


if __name__ == "__main__":
    main()
