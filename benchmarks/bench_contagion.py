"""Benchmark the batched contagion models against their plain one-shock-at-a-time references.

Network: ``lahar.network.synthetic(n, m, seed=0)`` (heavy-tailed sizes and degrees; half of the
exposures are debt). S = 64 scenarios.

* Clearing (Eisenberg–Noe with pari-passu external liabilities implied by the balance-sheet
  facts) on the debt layer. Scenario s: a systematic haircut of 6 % * s / (S - 1) on external
  assets, and 10 of the 200 largest firms (drawn per scenario) lose 50-100 % of theirs.
* Linear DebtRank (Bardoscia et al. 2015) on claims = debt + equity layers, equity = book
  equity. Scenario s: default (h = 1) of the s-th largest firm (the classic per-firm DebtRank).
  lahar's default computes the limit by in-place sweeps; the round-by-round dynamics
  (``solver="rounds"``) is timed once beside it.
* Small linear DebtRank, n = 400 (``synthetic(400, 4000)``), S = 16, against neva
  (Bardoscia's NEVA package, ``linear_dr``), when a local copy is given with ``--neva DIR``
  (neva is not on the package index: ``git clone https://github.com/marcobardoscia/neva``).
  lahar's first call is timed in a fresh interpreter (imports excluded, kernel loading
  included).

For each model it prints the wall time of the batched call (median of the timed repeats after
one warm-up call, and the cold first call), the peak extra resident memory during the call,
the speed-up against the plain reference (``tests/contagion/_reference.py``: one scenario at a
time, textbook form, scipy per column) -- timed on a few columns and extrapolated to S, which
it says -- and the achieved memory bandwidth as a fraction of numpy's copy bandwidth measured
in the same run. The bandwidth uses a stated traffic model (see ``docs/performance.md``):

* ``compulsory``: every input, output and matrix byte moved once per pass over it;
* ``access``: what the kernels' access pattern moves (each gathered row of the S-wide state
  counted once per use), computed from an instrumented re-run.

For clearing it also times calls that reuse the previous result's memory (``out=``), prints
the system (kernel) CPU time of the cold and the warm calls, and measures how fast fresh memory
can be written the first time, against memory written before: the outputs' first touch is the
floor under a cold call.

Last line: ``speedup=<x> bandwidth_fraction=<y>`` with the smaller value over the two models
(bandwidth on the access model).

Usage: ``python benchmarks/bench_contagion.py [--quick] [--repeats R] [--neva DIR]
[--only small|clearing|debtrank]``
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from lahar.contagion import _kernels, debtrank, eisenberg_noe
from lahar.network import synthetic

# The plain reference implementations live with the tests (they are not part of the package).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.contagion._reference import (  # noqa: E402
    clearing_reference,
    debtrank_linear_reference,
)

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


def system_seconds() -> float:
    """CPU seconds this process spent in the kernel (page faults, mostly)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_stime


def timed(fn, repeats: int) -> tuple[float, float, float, object, float, float]:
    """(cold time, median warm time, peak extra RSS of the cold call, last result, system
    seconds of the cold call, median system seconds of the warm calls)."""
    with PeakRSS() as mem:
        t, k = time.perf_counter(), system_seconds()
        out = fn()
        cold, sys_cold = time.perf_counter() - t, system_seconds() - k
    warm, sys_warm = [], []
    for _ in range(repeats):
        del out
        t, k = time.perf_counter(), system_seconds()
        out = fn()
        warm.append(time.perf_counter() - t)
        sys_warm.append(system_seconds() - k)
    return cold, statistics.median(warm), mem.extra, out, sys_cold, statistics.median(sys_warm)


def first_touch(shape: tuple[int, int], count: int = 3) -> tuple[float, float]:
    """Write bandwidth (bytes/s) into fresh memory and into memory written before.

    ``count`` new arrays of ``shape`` are filled one after the other while the earlier ones
    are kept (so each is memory this process has not touched yet: the operating system
    must provide and zero its pages, and a virtual machine's host may have to back them
    too); then the last one is filled again. The slowest first fill (memory that the process
    freed a moment ago may come back at once) and the fastest refill.
    """
    keep, fresh = [], 0.0
    for _ in range(count):
        a = np.empty(shape)
        t = time.perf_counter()
        a.fill(1.0)
        fresh = max(fresh, time.perf_counter() - t)
        keep.append(a)
    again = np.inf
    for _ in range(3):
        t = time.perf_counter()
        keep[-1].fill(2.0)
        again = min(again, time.perf_counter() - t)
    nbytes = keep[-1].nbytes
    del keep
    return nbytes / fresh, nbytes / again


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
            + edges * (8 + 2 * row)  # weight + the creditor's loss row read and written
            + cand.size * (3 * row + n_scen)  # e, loss and x rows read, flags
            + changed * 2 * row  # x and the increments written
        )  # fmt: skip

    _kernels.clearing_sweep = sweep
    try:
        eisenberg_noe(L, e, external_liabilities=el)
    finally:
        _kernels.clearing_sweep = orig_sweep
    # validation (min and max over e), the first default test (read e, write the flags, the
    # shortfalls and the zeroed losses), outputs (read e, x, loss; write payments, equity)
    counts["access"] += 2 * e.nbytes + 3 * e.nbytes + n * n_scen + 5 * e.nbytes
    counts["compulsory"] = e.nbytes + 3 * e.nbytes + n * n_scen + L.nnz * 12
    return counts


def debtrank_traffic(A, eq, h, sweeps: int) -> dict[str, float]:
    """Bytes moved by the compiled DebtRank limit (in-place sweeps), counted from its layout.

    Per sweep: the matrix (indices, weights, row pointers) and the zero-row flags once, one
    gathered state row per matrix entry, each row read and written once. Upper bound: every
    row counted as reached from the first sweep.
    """
    n = h.shape[0]
    row = h.shape[1] * 8
    per_sweep = A.nnz * (4 + 8 + 1) + (n + 1) * 4 + A.nnz * row + 2 * h.nbytes
    return {
        "access": sweeps * per_sweep + 3 * h.nbytes,  # + validation and the final pass
        "compulsory": sweeps * (A.nnz * 12 + 2 * h.nbytes) + 2 * h.nbytes,
        "gathered": sweeps * A.nnz * float(row),
    }


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
    cold, warm, mem, res, sys_cold, sys_warm = timed(
        lambda: eisenberg_noe(L, e, external_liabilities=el), repeats
    )
    reuse, sys_reuse = [], []  # a caller that clears repeatedly: out= the previous result
    for _ in range(repeats):
        t, k = time.perf_counter(), system_seconds()
        again = eisenberg_noe(L, e, external_liabilities=el, out=res)
        reuse.append(time.perf_counter() - t)
        sys_reuse.append(system_seconds() - k)
    t_out = statistics.median(reuse)
    same = all(
        np.array_equal(getattr(again, f), getattr(res, f)) for f in ("payments", "defaulted")
    )
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
        f"default waves max {int(res.waves.max())}; exact LU solves {res.n_solves}"
    )
    print(f"  batched: {warm:.3f} s (median of {repeats} warm calls; cold first call {cold:.3f} s)")
    print(
        f"  system (kernel) CPU time: cold call {sys_cold:.2f} s, warm calls {sys_warm:.2f} s "
        f"(median); reusing the result's memory (out=): {t_out:.3f} s, system {statistics.median(sys_reuse):.2f} s "
        f"(median of {repeats}; {'same answer' if same else 'DIFFERENT ANSWER'})"
    )
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
    print(f"  cold first call vs reference: {t_ref / cold:.1f}x; with out=: {t_ref / t_out:.1f}x")
    return {
        "speedup": speedup,
        "cold_speedup": t_ref / cold,
        "out_speedup": t_ref / t_out,
        "out_bytes": 3 * e.nbytes + e.size,  # payments, equity, credit losses, defaults
        "bw": bw_access / copy_bw,
        "bw_comp": bw_comp / copy_bw,
    }


def bench_debtrank(net, repeats: int, ref_cols: int, copy_bw: float) -> dict[str, float]:
    A = net.layer(["debt", "equity"])
    eq = net.fact("book_equity")
    ta = net.fact("total_assets")
    h = np.zeros((net.n, S))
    h[np.argsort(-ta)[:S], np.arange(S)] = 1.0

    _kernels.set_enabled(True)  # small problems run on numpy unless told otherwise
    debtrank(A[:100][:, :100], eq[:100], h[:100, :2])  # compile / load the kernels
    debtrank(A[:100][:, :100], eq[:100], h[:100, :2], solver="rounds")
    _kernels.set_enabled(None)
    cold, warm, mem, res, _, _ = timed(lambda: debtrank(A, eq, h), repeats)
    t = time.perf_counter()
    path = debtrank(A, eq, h, solver="rounds")
    t_rounds = time.perf_counter() - t
    cols = np.linspace(0, S - 1, ref_cols).round().astype(int)
    t = time.perf_counter()
    ref = debtrank_linear_reference(A, eq, h[:, cols])
    t_ref = (time.perf_counter() - t) / ref_cols * S
    err = float(np.abs(ref - res.distress[:, cols]).max())
    err_path = float(np.abs(path.distress - res.distress).max())
    traffic = debtrank_traffic(A, eq, h, res.rounds)
    print(f"\n[debtrank] linear DebtRank, n={net.n:,} claims nnz={A.nnz:,} S={S}")
    print(
        f"  limit: {res.rounds} sweeps (dynamics: {path.rounds} rounds); mean final distress "
        f"{res.distress.mean():.3f}; saturated {res.defaulted.mean():.1%}; DebtRank median "
        f"{np.median(res.debtrank):.3f}"
    )
    print(f"  batched: {warm:.3f} s (median of {repeats} warm calls; cold first call {cold:.3f} s)")
    print(f"  round-by-round dynamics, batched (solver='rounds', one call): {t_rounds:.3f} s")
    print(f"  peak extra RSS during the call: {mem / 2**30:.2f} GiB")
    print(
        f"  reference (Bardoscia iteration, full SpMV per step, one shock at a time): {ref_cols} "
        f"columns timed, extrapolated to S={S}: {t_ref:.1f} s; max |dh| vs batched {err:.1e}, "
        f"limit vs dynamics {err_path:.1e}"
    )
    speedup = t_ref / warm
    bw_access = traffic["access"] / warm
    bw_comp = traffic["compulsory"] / warm
    print(
        f"  speed-up vs reference: {speedup:.1f}x warm, {t_ref / cold:.1f}x cold "
        f"(round-by-round batched: {t_ref / t_rounds:.1f}x)"
    )
    print(
        f"  per sweep: {warm / max(res.rounds, 1) * 1e3:.0f} ms for all {S}; the gathered rows "
        f"alone ({traffic['gathered'] / max(res.rounds, 1) / 2**30:.2f} GiB per sweep) need "
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
    return {
        "speedup": speedup,
        "cold_speedup": t_ref / cold,
        "bw": bw_access / copy_bw,
        "bw_comp": bw_comp / copy_bw,
    }


# --------------------------------------------------------------------------- small DebtRank


def small_case(n: int = 400, n_scen: int = 16):
    """The small DebtRank case: ``synthetic(n, 10 n)``, default of each of the 16 largest."""
    net = synthetic(n, 10 * n, seed=0)
    A = net.layer(["debt", "equity"])
    eq = net.fact("book_equity")
    h = np.zeros((n, n_scen))
    h[np.argsort(-net.fact("total_assets"))[:n_scen], np.arange(n_scen)] = 1.0
    return A, eq, h


_FIRST_CALL = """
    import sys, time
    sys.path.insert(0, {bench!r})
    from bench_contagion import small_case
    from lahar.contagion import debtrank
    A, eq, h = small_case()
    t = time.perf_counter()
    debtrank(A, eq, h)
    print(time.perf_counter() - t)
"""


def first_call_seconds() -> float:
    """lahar's first DebtRank call in a fresh interpreter (imports and data excluded)."""
    code = textwrap.dedent(_FIRST_CALL.format(bench=str(Path(__file__).parent)))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600
    )
    return float(out.stdout.split()[-1])


def neva_debtrank(neva_dir: str, A, eq, h, tol: float) -> tuple[float, np.ndarray]:
    """Seconds for neva's linear DebtRank over all columns of ``h``, and its final distress.

    One banking system per scenario (neva's objects hold the state), built outside the timer,
    with the same equity and interbank claims as lahar's input. neva's ``shock_and_solve``
    binds every bank's reference equity to the *last* bank's (a late-bound loop variable in
    its ``linear_dr`` closures), so we apply the shock and set the ``lin_dr`` valuation the
    same way it does, with the right reference equity, and time neva's solver
    (``BankingSystem.fixedpoint_equity``).
    """
    sys.path.insert(0, neva_dir)
    import neva  # noqa: PLC0415 - optional peer, from a local copy
    from neva import ibeval  # noqa: PLC0415

    A = sp.csr_array(A)
    owed = np.asarray(A.sum(axis=0)).ravel()
    lent = np.asarray(A.sum(axis=1)).ravel()
    total, out = 0.0, np.empty_like(h)
    for s in range(h.shape[1]):
        banks = [
            neva.Bank(extasset=float(eq[i] - lent[i] + owed[i]), ibliabtot=float(owed[i]))
            for i in range(A.shape[0])
        ]
        for i, bank in enumerate(banks):
            lo, hi = A.indptr[i], A.indptr[i + 1]
            claims = zip(A.indices[lo:hi], A.data[lo:hi], strict=True)
            bank.set_ibasset([(banks[j], float(v)) for j, v in claims])
        system = neva.BankingSystem(banks, tol=tol, maxiter=100_000)
        equity0 = system.get_naiveequity()
        for i, bank in enumerate(system):
            bank.equity -= float(h[i, s] * eq[i])
            bank.extasset -= float(h[i, s] * eq[i])
            bank.ibeval = lambda e, e0=equity0[i]: ibeval.lin_dr(e, e0)
        system.set_history(True)
        t = time.perf_counter()
        system.fixedpoint_equity()
        total += time.perf_counter() - t
        final = np.array(system.history[-1])
        out[:, s] = np.clip(1.0 - final / eq, 0.0, 1.0)
    return total, out


def bench_small(neva_dir: str | None) -> dict[str, float]:
    A, eq, h = small_case()
    n, n_scen = h.shape
    first = first_call_seconds()
    warm = []
    for _ in range(50):
        t = time.perf_counter()
        res = debtrank(A, eq, h)
        warm.append(time.perf_counter() - t)
    warm_s = statistics.median(warm)
    print(f"\n[debtrank small] linear DebtRank, n={n} claims nnz={A.nnz:,} S={n_scen}")
    print(
        f"  lahar: {warm_s * 1e3:.2f} ms warm (median of 50), first call in a fresh interpreter "
        f"{first * 1e3:.1f} ms; {res.rounds} sweeps, saturated {res.defaulted.mean():.1%}"
    )
    out = {"warm": warm_s, "first": first}
    if not neva_dir:
        print("  neva: skipped (no --neva DIR; neva is not on PyPI: clone marcobardoscia/neva)")
        return out
    if not (Path(neva_dir) / "neva" / "__init__.py").is_file():
        print(f"  neva: skipped ({neva_dir} has no neva/__init__.py)")
        return out
    t_neva, h_neva = neva_debtrank(neva_dir, A, eq, h, tol=1e-12)
    err = float(np.abs(h_neva - res.distress).max())
    print(
        f"  neva (lin_dr fixed point, tol 1e-12, one banking system per scenario): {t_neva:.2f} s; "
        f"max |dh| vs lahar {err:.1e}"
    )
    print(f"  speed-up vs neva: {t_neva / warm_s:,.0f}x warm, {t_neva / first:,.0f}x first call")
    out.update(neva=t_neva, warm_ratio=t_neva / warm_s, first_ratio=t_neva / first)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="n=1e5, m=1e6 (< 1 minute)")
    parser.add_argument("--repeats", type=int, default=None, help="warm timed calls per model")
    parser.add_argument("--neva", metavar="DIR", help="local copy of neva (not on PyPI)")
    parser.add_argument(
        "--only",
        choices=["small", "clearing", "debtrank"],
        help="run one part (the summary then has its lines only)",
    )
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
    run = {args.only} if args.only else {"small", "clearing", "debtrank"}
    small = bench_small(args.neva) if "small" in run else None
    clear = bench_clearing(net, repeats, 4, copy_bw) if "clearing" in run else None
    dr = bench_debtrank(net, repeats, 2, copy_bw) if "debtrank" in run else None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"\npeak RSS of the whole process (network included): {peak / 2**30:.2f} GiB")
    if clear:  # measured last: it leaves memory backed that a later cold call would reuse
        fresh_bw, again_bw = first_touch((n, S))
        print(
            f"first touch: filling fresh ({n:,}, {S}) memory {fresh_bw / 1e9:.2f} GB/s, memory "
            f"written before {again_bw / 1e9:.1f} GB/s; the clearing outputs are "
            f"{clear['out_bytes'] / 2**30:.2f} GiB: {clear['out_bytes'] / fresh_bw:.2f} s of "
            "first touch at the fresh rate (the floor under a cold clearing call)"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    print("\nsummary (ratios of issue 15's table; goals in brackets):")
    if clear:
        print(
            f"  clearing: {clear['speedup']:.1f}x warm, {clear['cold_speedup']:.1f}x cold, "
            f"{clear['out_speedup']:.1f}x with out=, {clear['bw']:.0%} of copy bandwidth  "
            "[>= 20x warm and cold, >= 50 %]"
        )
    if dr:
        print(
            f"  DebtRank n={n:,}: {dr['speedup']:.1f}x warm, {dr['cold_speedup']:.1f}x cold, "
            f"{dr['bw']:.0%} of copy bandwidth  [>= 20x]"
        )
    if small and "neva" in small:
        print(
            f"  DebtRank n=400, S=16 vs neva: {small['warm_ratio']:,.0f}x warm, "
            f"{small['first_ratio']:,.0f}x first call  [>= 1000x warm, >= 100x first call]"
        )
    elif small:
        print(
            f"  DebtRank n=400, S=16: {small['warm'] * 1e3:.2f} ms warm, "
            f"{small['first'] * 1e3:.1f} ms first call (neva skipped)"
        )
    if clear and dr:
        print("  last line = the smaller speed-up and bandwidth share of the two large models")
        print(
            f"speedup={min(clear['speedup'], dr['speedup']):.2f} "
            f"bandwidth_fraction={min(clear['bw'], dr['bw']):.3f}"
        )


if __name__ == "__main__":
    main()
