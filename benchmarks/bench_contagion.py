"""Benchmark the batched contagion models against their plain one-shock-at-a-time references.

Network: ``lahar.network.synthetic(n, m, seed=0)`` (heavy-tailed sizes and degrees; half of the
exposures are debt). S = 64 scenarios.

* Clearing (Eisenberg–Noe with pari-passu external liabilities implied by the balance-sheet
  facts) on the debt layer. Scenario s: a systematic haircut of 6 % * s / (S - 1) on external
  assets, and 10 of the 200 largest firms (drawn per scenario) lose 50-100 % of theirs.
* Linear DebtRank (Bardoscia et al. 2015) on claims = debt + equity layers, equity = book
  equity. Scenario s: default (h = 1) of the s-th largest firm (the classic per-firm DebtRank).

For each model it prints the wall time of the batched call (median of the timed repeats after
one warm-up call, and the cold first call), the peak extra resident memory during the call,
the speed-up against the plain reference (``lahar.contagion._reference``: one scenario at a
time, textbook form, scipy per column) -- timed on a few columns and extrapolated to S, which
it says -- and the achieved memory bandwidth as a fraction of numpy's copy bandwidth measured
in the same run. The bandwidth uses a stated traffic model (see ``docs/performance.md``):

* ``compulsory``: every input, output and matrix byte moved once per pass over it;
* ``access``: what the kernels' access pattern moves (each gathered row of the S-wide state
  counted once per use), computed from an instrumented re-run.

Last line: ``speedup=<x> bandwidth_fraction=<y>`` with the smaller value over the two models
(bandwidth on the access model).

Usage: ``python benchmarks/bench_contagion.py [--quick] [--repeats R]``
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import threading
import time

import numpy as np
import scipy.sparse as sp

from lahar.contagion import _kernels, debtrank, eisenberg_noe
from lahar.contagion._reference import clearing_reference, debtrank_linear_reference
from lahar.network import synthetic

S = 64


class PeakRSS:
    """Sample the resident set size in a thread; ``extra`` = peak minus the level at start."""

    def __init__(self, interval: float = 0.002) -> None:
        self.interval = interval
        self.page = os.sysconf("SC_PAGE_SIZE")

    def _rss(self) -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * self.page

    def __enter__(self) -> PeakRSS:
        self.base = self._rss()
        self.peak = self.base
        self.stop = False

        def run() -> None:
            while not self.stop:
                self.peak = max(self.peak, self._rss())
                time.sleep(self.interval)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop = True
        self.thread.join()
        self.peak = max(self.peak, self._rss())
        self.extra = self.peak - self.base


def copy_bandwidth(nbytes: int = 512 * 2**20, repeats: int = 7) -> float:
    """numpy copy bandwidth in bytes/s (read + write), best of ``repeats``, warm buffers."""
    src = np.ones(nbytes // 8)
    dst = np.empty_like(src)
    np.copyto(dst, src)
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - t)
    return 2 * nbytes / best


def timed(fn, repeats: int) -> tuple[float, float, float, object]:
    """(cold time, median warm time, peak extra RSS of the cold call, last result)."""
    with PeakRSS() as mem:
        t = time.perf_counter()
        out = fn()
        cold = time.perf_counter() - t
    warm = []
    for _ in range(repeats):
        del out
        t = time.perf_counter()
        out = fn()
        warm.append(time.perf_counter() - t)
    return cold, statistics.median(warm), mem.extra, out


# --------------------------------------------------------------------------- traffic models


def clearing_traffic(L, e, el) -> dict[str, float]:
    """Bytes moved by the compiled clearing engine, from an instrumented (untimed) re-run."""
    n, n_scen = e.shape
    row = n_scen * 8
    counts = {"access": 0.0}
    orig_sweep = _kernels.clearing_sweep

    def sweep(pi, active, slot, pending, cand, *rest):
        edges = float((pi.indptr[active + 1] - pi.indptr[active]).sum())
        orig_sweep(pi, active, slot, pending, cand, *rest)
        changed = int(rest[-2].sum())
        blocks = 4 * _kernels.num_threads()
        counts["access"] += (
            blocks * edges * 4 + active.size * (row + 2 * 8)  # index scans, pending rows
            + edges * (8 + 2 * row)  # weight + accumulator row read and written per edge
            + cand.size * (5 * row + n_scen)  # acc r/zeroed, loss r/w, e, x rows, flags
            + changed * row  # increments written
        )  # fmt: skip

    _kernels.clearing_sweep = sweep
    try:
        res = eisenberg_noe(L, e, external_liabilities=el)
    finally:
        _kernels.clearing_sweep = orig_sweep
    # validation (min and max over e), the first default test (read e, write the flags and the
    # shortfalls of defaulted rows), outputs (read e, x, loss; write payments, equity)
    first = int(res.defaulted.any(axis=1).sum())
    counts["access"] += 2 * e.nbytes + e.nbytes + n * n_scen + first * row + 5 * e.nbytes
    counts["compulsory"] = e.nbytes + 3 * e.nbytes + n * n_scen + L.nnz * 12
    return counts


def debtrank_traffic(A, eq, h) -> dict[str, float]:
    """Bytes moved by the compiled linear DebtRank, from an instrumented re-run."""
    n, n_scen = h.shape
    row = n_scen * 8
    counts = {"access": 0.0, "compulsory": 0.0, "gathered": 0.0, "rounds": 0}
    orig = _kernels.linear_debtrank_step
    lam_nnz = A.nnz

    def step(indptr, indices, data, slot, shock, h_, h_next, nz, nz_next, rowmax):
        pattern = sp.csr_array((np.ones(indices.size), indices, indptr), shape=(n, n))
        pulled = pattern @ nz.astype(np.float64)
        edges = float(pulled.sum())
        out = orig(indptr, indices, data, slot, shock, h_, h_next, nz, nz_next, rowmax)
        touched = int(nz_next.sum())
        counts["access"] += (
            indices.size * 4 + (n + 1) * 4 + n  # index scan and flags
            + edges * (8 + row)  # weight + gathered state row per non-zero entry
            + touched * 2 * row  # h read, h_next written
        )  # fmt: skip
        counts["compulsory"] += lam_nnz * 12 + 2 * n * row  # matrix, h read, h_next written
        counts["gathered"] += edges * row
        counts["rounds"] += 1
        return out

    _kernels.linear_debtrank_step = step
    try:
        debtrank(A, eq, h)
    finally:
        _kernels.linear_debtrank_step = orig
    # validation (min, max over the shock), the final pass (distress, equity loss, defaults)
    counts["access"] += 2 * h.nbytes + 3 * h.nbytes
    counts["compulsory"] += 2 * h.nbytes
    return counts


# --------------------------------------------------------------------------- the two models


def bench_clearing(net, repeats: int, ref_cols: int, copy_bw: float) -> dict[str, float]:
    debt = net.layer("debt")
    L = sp.csr_array(debt.T)
    eq = net.fact("book_equity")
    ta = net.fact("total_assets")
    lent = np.asarray(debt.sum(axis=1)).ravel()
    owed = np.asarray(debt.sum(axis=0)).ravel()
    el = np.maximum(ta - eq - owed, 0.0)
    e0 = ta - lent  # external assets (incl. stakes held): clearing at full payment = book equity
    rng = np.random.default_rng(1)
    e = np.empty((net.n, S))
    e[:] = e0[:, None] * (1.0 - np.linspace(0.0, 0.06, S))
    big = np.argsort(-ta)[:200]
    for s in range(S):
        hit = rng.choice(big, 10, replace=False)
        e[hit, s] *= rng.uniform(0.0, 0.5, 10)

    eisenberg_noe(L[:100][:, :100], e[:100, :2])  # compile / load the kernels
    cold, warm, mem, res = timed(lambda: eisenberg_noe(L, e, external_liabilities=el), repeats)
    cols = np.linspace(0, S - 1, ref_cols).round().astype(int)
    t = time.perf_counter()
    ref_p, ref_d = clearing_reference(L, e[:, cols], external_liabilities=el)
    t_ref = (time.perf_counter() - t) / ref_cols * S
    err = float(
        np.abs(ref_p - res.payments[:, cols]).max() / max(1.0, float(res.obligations.max()))
    )
    agree = bool((ref_d == res.defaulted[:, cols]).all())
    traffic = clearing_traffic(L, e, el)
    print(f"\n[clearing] Eisenberg-Noe, n={net.n:,} debt nnz={L.nnz:,} S={S}")
    print(
        f"  defaults per scenario: min {res.defaulted.sum(0).min():,}, median "
        f"{int(np.median(res.defaulted.sum(0))):,}, max {res.defaulted.sum(0).max():,}; "
        f"default waves max {int(res.rounds.max())}; exact LU solves {res.n_solves}"
    )
    print(f"  batched: {warm:.3f} s (median of {repeats} warm calls; cold first call {cold:.3f} s)")
    print(f"  peak extra RSS during the call: {mem / 2**30:.2f} GiB")
    print(
        f"  reference (plain fictitious default, one scenario at a time): {ref_cols} columns timed, "
        f"extrapolated to S={S}: {t_ref:.1f} s; agrees: defaults {agree}, max |dp|/max pbar {err:.1e}"
    )
    speedup = t_ref / warm
    bw_access = traffic["access"] / warm
    bw_comp = traffic["compulsory"] / warm
    print(f"  speed-up vs reference: {speedup:.1f}x")
    print(
        f"  ceiling if the access-model traffic moved at copy bandwidth: "
        f"{t_ref / (traffic['access'] / copy_bw):.1f}x"
    )
    print(
        f"  bandwidth: access model {traffic['access'] / 2**30:.2f} GiB -> {bw_access / 1e9:.2f} GB/s "
        f"= {bw_access / copy_bw:.0%} of copy; compulsory {traffic['compulsory'] / 2**30:.2f} GiB "
        f"-> {bw_comp / 1e9:.2f} GB/s = {bw_comp / copy_bw:.0%}"
    )
    return {"speedup": speedup, "bw": bw_access / copy_bw, "bw_comp": bw_comp / copy_bw}


def bench_debtrank(net, repeats: int, ref_cols: int, copy_bw: float) -> dict[str, float]:
    A = net.layer(["debt", "equity"])
    eq = net.fact("book_equity")
    ta = net.fact("total_assets")
    h = np.zeros((net.n, S))
    h[np.argsort(-ta)[:S], np.arange(S)] = 1.0

    debtrank(A[:100][:, :100], eq[:100], h[:100, :2])  # compile / load the kernels
    cold, warm, mem, res = timed(lambda: debtrank(A, eq, h), repeats)
    cols = np.linspace(0, S - 1, ref_cols).round().astype(int)
    t = time.perf_counter()
    ref = debtrank_linear_reference(A, eq, h[:, cols])
    t_ref = (time.perf_counter() - t) / ref_cols * S
    err = float(np.abs(ref - res.distress[:, cols]).max())
    traffic = debtrank_traffic(A, eq, h)
    print(f"\n[debtrank] linear DebtRank, n={net.n:,} claims nnz={A.nnz:,} S={S}")
    print(
        f"  rounds {res.rounds}; mean final distress {res.distress.mean():.3f}; "
        f"saturated {res.defaulted.mean():.1%}; DebtRank median {np.median(res.debtrank):.3f}"
    )
    print(f"  batched: {warm:.3f} s (median of {repeats} warm calls; cold first call {cold:.3f} s)")
    print(f"  peak extra RSS during the call: {mem / 2**30:.2f} GiB")
    print(
        f"  reference (Bardoscia iteration, full SpMV per step, one shock at a time): {ref_cols} "
        f"columns timed, extrapolated to S={S}: {t_ref:.1f} s; max |dh| vs batched {err:.1e}"
    )
    speedup = t_ref / warm
    bw_access = traffic["access"] / warm
    bw_comp = traffic["compulsory"] / warm
    print(f"  speed-up vs reference: {speedup:.1f}x")
    per_round_ref = t_ref / S / max(res.rounds, 1)
    print(
        f"  per round: reference {per_round_ref * 1e3:.1f} ms per scenario, batched "
        f"{warm / max(res.rounds, 1) * 1e3:.0f} ms for all {S}; the gathered rows alone "
        f"({traffic['gathered'] / max(res.rounds, 1) / 2**30:.2f} GiB per round) need "
        f"{traffic['gathered'] / max(res.rounds, 1) / copy_bw * 1e3:.0f} ms at copy bandwidth"
    )
    print(
        f"  ceiling if the access-model traffic moved at copy bandwidth: "
        f"{t_ref / (traffic['access'] / copy_bw):.1f}x"
    )
    print(
        f"  bandwidth: access model {traffic['access'] / 2**30:.1f} GiB -> {bw_access / 1e9:.2f} GB/s "
        f"= {bw_access / copy_bw:.0%} of copy; compulsory {traffic['compulsory'] / 2**30:.1f} GiB "
        f"-> {bw_comp / 1e9:.2f} GB/s = {bw_comp / copy_bw:.0%}"
    )
    return {"speedup": speedup, "bw": bw_access / copy_bw, "bw_comp": bw_comp / copy_bw}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="n=1e5, m=1e6 (< 1 minute)")
    parser.add_argument("--repeats", type=int, default=None, help="warm timed calls per model")
    args = parser.parse_args()
    n, m = (10**5, 10**6) if args.quick else (10**6, 10**7)
    repeats = args.repeats or 3
    print(
        f"bench_contagion: n={n:,} m={m:,} S={S} numba={_kernels.available()} "
        f"threads={_kernels.num_threads() if _kernels.available() else 1} "
        f"cpus={os.cpu_count()} python={platform.python_version()} "
        f"date={time.strftime('%Y-%m-%d %H:%M')} load={os.getloadavg()[0]:.2f}"
    )
    t = time.perf_counter()
    net = synthetic(n, m, seed=0)
    print(f"synthetic network built in {time.perf_counter() - t:.1f} s")
    copy_bw = copy_bandwidth()
    print(f"numpy copy bandwidth (512 MiB, read + write, best of 7): {copy_bw / 1e9:.1f} GB/s")
    clear = bench_clearing(net, repeats, ref_cols=4, copy_bw=copy_bw)
    dr = bench_debtrank(net, repeats, ref_cols=2, copy_bw=copy_bw)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"\npeak RSS of the whole process (network included): {peak / 2**30:.2f} GiB")
    print(
        "summary: clearing "
        f"{clear['speedup']:.1f}x / {clear['bw']:.0%} of copy bandwidth, debtrank "
        f"{dr['speedup']:.1f}x / {dr['bw']:.0%}; last line = the smaller of the two"
    )
    print(
        f"speedup={min(clear['speedup'], dr['speedup']):.2f} "
        f"bandwidth_fraction={min(clear['bw'], dr['bw']):.3f}"
    )


if __name__ == "__main__":
    main()
