"""Benchmark: build a synthetic Network of 10^6 entities / 10^7 exposures.

Prints, per phase, wall time and peak traced memory (tracemalloc: numpy, pandas and scipy
allocations), and the ratio against building the same graph with networkx (a MultiDiGraph
with the amount and layer on each edge, then its weighted adjacency matrix). networkx needs
about 1 KB per edge, so it runs at --nx-edges (default 10^6) and lahar runs at that size too
for a like-for-like ratio.

Usage::

    python benchmarks/bench_network.py            # 10^6 entities, 10^7 exposures
    python benchmarks/bench_network.py --quick    # 10^5 / 10^6, under a minute
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
from collections.abc import Callable

import networkx as nx
import numpy as np
import pandas as pd

from lahar.network import LAYERS, Network


def measure(label: str, fn: Callable[[], object]) -> tuple[object, float, float]:
    """Time ``fn`` (plain run), then run it again under tracemalloc for its peak memory.

    tracemalloc slows allocation-heavy code, so the two are measured separately.
    """
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    del out
    tracemalloc.start()
    out = fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**30
    tracemalloc.stop()
    print(f"{label:<48s} {dt:8.3f} s   peak {peak:6.2f} GiB")
    return out, dt, peak


def edge_arrays(n: int, m: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Heavy-tailed random exposures (Chung-Lu on Pareto sizes), as plain arrays."""
    rng = np.random.default_rng(seed)
    size = rng.pareto(1.5, n) + 1.0
    cdf = np.cumsum(size) / size.sum()
    src = np.minimum(np.searchsorted(cdf, rng.random(m)), n - 1).astype(np.int32)
    dst = np.minimum(np.searchsorted(cdf, rng.random(m)), n - 1).astype(np.int32)
    dst[src == dst] = (dst[src == dst] + 1) % n
    return {
        "ids": np.char.add("e", np.arange(n).astype(str)).astype(object),
        "src": src,
        "dst": dst,
        "amount": size[src] * rng.lognormal(0, 1, m) * 1e6,
        "layer": rng.integers(0, len(LAYERS), m).astype(np.int8),
        "status": rng.integers(0, 5, m).astype(np.int8),
    }


def lahar_build(a: dict[str, np.ndarray]) -> Network:
    return Network.from_arrays(
        a["ids"], a["src"], a["dst"], a["amount"], layer=a["layer"], status=a["status"]
    )


def frames(a: dict[str, np.ndarray]) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = a["ids"]
    ents = pd.DataFrame({"id": ids, "name": ids, "kind": "other"})
    exps = pd.DataFrame(
        {
            "source": ids[a["src"]],
            "target": ids[a["dst"]],
            "layer": np.asarray(LAYERS, dtype=object)[a["layer"]],
            "amount_usd": a["amount"],
            "status": "drawn",
        }
    )
    return ents, exps


def nx_build(a: dict[str, np.ndarray]):
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(len(a["ids"])))
    g.add_edges_from(
        (int(s), int(t), {"amount": float(w), "layer": int(k)})
        for s, t, w, k in zip(a["src"], a["dst"], a["amount"], a["layer"], strict=True)
    )
    return g


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10^5 entities, 10^6 exposures")
    parser.add_argument(
        "--nx-edges", type=int, default=None, help="size of the networkx comparison"
    )
    args = parser.parse_args()
    n, m = (10**5, 10**6) if args.quick else (10**6, 10**7)
    m_nx = args.nx_edges or (10**5 if args.quick else 10**6)
    n_nx = max(m_nx // 10, 2)

    print(f"lahar network build: n={n:,} entities, m={m:,} exposures")
    a, *_ = measure("generate arrays (not part of the build)", lambda: edge_arrays(n, m))
    net, t_arrays, mem_arrays = measure("Network.from_arrays", lambda: lahar_build(a))
    ents, exps = frames(a)
    _, t_frames, mem_frames = measure(
        "Network.from_frames (string ids)", lambda: Network.from_frames(ents, exps)
    )
    ents = exps = None  # free the frames before the layer timings
    _, t_layer, _ = measure("net.layer('debt') -> csr_array", lambda: net.layer("debt"))
    _, t_all, _ = measure("net.layer(all layers) -> csr_array", lambda: net.layer(LAYERS))

    print(f"\nlike-for-like against networkx at n={n_nx:,}, m={m_nx:,}")
    b = edge_arrays(n_nx, m_nx, seed=1)
    small, t_l, _ = measure("lahar: from_arrays + layer(all)", lambda: lahar_build(b).layer(LAYERS))
    g, t_n, mem_n = measure("networkx: MultiDiGraph", lambda: nx_build(b))
    ref, t_nadj, _ = measure(
        "networkx: to_scipy_sparse_array(weight=amount)",
        lambda: nx.to_scipy_sparse_array(g, nodelist=range(n_nx), weight="amount"),
    )
    assert abs(ref.sum() - small.sum()) <= 1e-9 * small.sum(), "lahar and networkx disagree"
    ratio = (t_n + t_nadj) / t_l
    print(
        f"\npeak RSS of the whole run: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB"
    )
    print(
        f"build_s={t_arrays:.3f} build_frames_s={t_frames:.3f} layer_s={t_layer:.3f} "
        f"peak_gib={max(mem_arrays, mem_frames):.2f} nx_ratio={ratio:.1f}"
    )


if __name__ == "__main__":
    main()
