"""Benchmark: batched Leontief solves (lahar.macro.input_output.leontief) against pymrio's way
and against per-scenario solves.

Systems (fixed seeds):

1. BEA's 71-industry US table (2023, domestic), S = 10^4 final-demand scenarios. lahar: one
   call of ``leontief`` (validation, spectral certificate, LU, then one product with the
   explicit inverse). pymrio's way: ``pymrio.calc_L`` (``numpy.linalg.inv(I - A)``) then
   ``L @ Y``. Also ``numpy.linalg.solve`` once per scenario.
2. A synthetic sparse 4,000-sector table, S = 10^3: 80 industry groups of 50 sectors (5
   random suppliers inside the group, 5 in the next group down the supply chain) plus 20 hub
   sectors that supply everyone; column sums of A = 0.6. lahar factors the sparse I - A with
   SuperLU; pymrio's way inverts the dense matrix and multiplies.
3. ``--crossover``: lahar's sparse and dense paths and pymrio's way on synthetic tables of
   250 to 3,000 sectors, S = 10^3 (the measurement behind ``factorize``'s size rule).
4. ``--large``: the 10^4-sector table against ``numpy.linalg.solve`` per scenario (timed on
   a few scenarios and extrapolated, printed as such) and a dense batched LU.

lahar and pymrio's way are timed side by side, their calls alternating (so that the load of a
shared machine falls on both alike): warm = the median of ``--repeat`` calls each (the best is
printed beside it), first call = the median over ``--first`` fresh interpreters each
(imports and data excluded), also alternating. pymrio is the ``bench`` extra
(``pip install -e '.[bench]'``); without it its columns are skipped with a message.

Run: ``python benchmarks/bench_io.py`` (``--quick`` for S = 10^3 on BEA and a 2,000-sector
table). The summary block prints each ratio of issue 15's table.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import textwrap
import time
from pathlib import Path

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


try:  # the bench extra; skipped with a message when absent
    from pymrio.tools.iomath import calc_L
except ImportError:  # pragma: no cover - depends on the environment
    calc_L = None

_SETUP = {
    "bea": "from lahar.data import load_bea\n"
    "a = load_bea(2023, domestic=True).technical_coefficients\n",
    "sparse": "from bench_io import synthetic_sparse\na = synthetic_sparse({n})\n",
}
_FIRST = """
import sys, time
sys.path.insert(0, {bench!r})
import numpy as np
{setup}f = np.random.default_rng(42).normal(size=(a.shape[0], {S}))
{imports}
t = time.perf_counter()
{call}
print(time.perf_counter() - t)
"""


def first_call(kind: str, who: str, S: int, n: int = 0) -> float:
    """Seconds of the first solve in a fresh interpreter (imports and data excluded)."""
    if who == "lahar":
        imports, call = "from lahar.macro.input_output import leontief", "leontief(a, f)"
    else:
        imports = "from pymrio.tools.iomath import calc_L"
        call = "calc_L(a.toarray() if hasattr(a, 'toarray') else a) @ f"
    code = _FIRST.format(
        bench=str(Path(__file__).parent),
        setup=_SETUP[kind].format(n=n),
        S=S,
        imports=imports,
        call=call,
    )
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        timeout=1200,
    )
    return float(out.stdout.split()[-1])


def pymrio_way(a):
    """pymrio's Leontief route: ``calc_L`` (dense inverse of I - A), then one product."""
    dense = a.toarray() if sp.issparse(a) else a
    return lambda f: calc_L(dense) @ f


def alternating(fns: dict[str, object], repeat: int) -> dict[str, list[float]]:
    """Seconds of ``repeat`` calls of each function, the functions taking turns."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t)
    return times


def compare(
    label: str, kind: str, a, f, repeat: int, n: int = 0, first: int = 3
) -> dict[str, float]:
    """lahar against pymrio's way on one table, side by side: warm and first call (medians)."""
    S = f.shape[1]
    x = leontief(a, f)
    who = {"lahar": lambda: leontief(a, f)}
    if calc_L is not None:
        x_pym = pymrio_way(a)(f)
        who["pymrio"] = lambda: pymrio_way(a)(f)
    warm = alternating(who, repeat)
    firsts: dict[str, list[float]] = {k: [] for k in who}
    for _ in range(first):
        for k in who:
            firsts[k].append(first_call(kind, k, S, n))
    t_lahar, first_lahar = float(np.median(warm["lahar"])), float(np.median(firsts["lahar"]))
    print(
        f"[{label}] lahar leontief: {t_lahar * 1e3:9.2f} ms warm (median of {repeat}; best "
        f"{min(warm['lahar']) * 1e3:.2f}), first call {first_lahar * 1e3:9.2f} ms (median of "
        f"{first})"
    )
    out = {"lahar": t_lahar, "lahar_first": first_lahar}
    if calc_L is None:
        print(f"[{label}] pymrio: skipped (not installed; pip install -e '.[bench]')")
        return out
    t_pym, first_pym = float(np.median(warm["pymrio"])), float(np.median(firsts["pymrio"]))
    err = np.abs(x - x_pym).max() / np.abs(x_pym).max()
    print(
        f"[{label}] pymrio's way (calc_L + L @ Y): {t_pym * 1e3:9.2f} ms warm (best "
        f"{min(warm['pymrio']) * 1e3:.2f}), first call {first_pym * 1e3:9.2f} ms (max rel. "
        f"diff {err:.1e})"
    )
    print(
        f"[{label}] lahar / pymrio speed-up: {t_pym / t_lahar:.2f}x warm, "
        f"{first_pym / first_lahar:.2f}x first call"
    )
    out.update(pymrio=t_pym, pymrio_first=first_pym)
    return out


def crossover(S: int, repeat: int) -> None:
    """lahar's two factorisations and pymrio's way across table sizes (factorize's rule)."""
    print(f"\n[crossover] synthetic tables, S = {S}: best of {repeat}, ms")
    print("   n     nnz   lahar auto  lahar sparse  lahar dense  pymrio's way")
    rng = np.random.default_rng(7)
    for n in (250, 500, 1000, 2000, 3000):
        a = synthetic_sparse(n, group=min(50, n // 5))
        f = rng.normal(size=(n, S))
        t_auto, _ = best_of(lambda a=a, f=f: leontief(a, f), repeat)
        t_sp, _ = best_of(lambda a=a, f=f: leontief(factorize(a, method="sparse"), f), repeat)
        t_de, _ = best_of(lambda a=a, f=f: leontief(factorize(a, method="dense"), f), repeat)
        t_py = np.nan
        if calc_L is not None:
            t_py, _ = best_of(lambda a=a, f=f: pymrio_way(a)(f), repeat)
        print(
            f"{n:5d} {a.nnz:8,d} {t_auto * 1e3:11.1f} {t_sp * 1e3:13.1f} {t_de * 1e3:12.1f} "
            f"{t_py * 1e3:13.1f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=10_000, help="S for the BEA table")
    ap.add_argument("--sectors", type=int, default=4_000, help="sparse table size")
    ap.add_argument("--sparse-scenarios", type=int, default=1_000)
    ap.add_argument("--repeat", type=int, default=21, help="warm calls of each side (median)")
    ap.add_argument("--first", type=int, default=3, help="fresh interpreters of each side")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--crossover", action="store_true", help="sweep the table size")
    ap.add_argument("--large", action="store_true", help="10^4 sectors vs per-scenario solves")
    ap.add_argument("--reference-subset", type=int, default=3)
    args = ap.parse_args()
    if args.quick:
        args.scenarios, args.sectors, args.sparse_scenarios, args.repeat = 1_000, 2_000, 100, 3
    S = args.scenarios
    rng = np.random.default_rng(42)
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"pymrio {'absent' if calc_L is None else __import__('pymrio').__version__}, "
        f"date {time.strftime('%Y-%m-%d %H:%M')}"
    )

    # 1. BEA 71-industry table ------------------------------------------------------------
    a = load_bea(2023, domestic=True).technical_coefficients
    n = a.shape[0]
    f = rng.normal(size=(n, S))
    label = f"BEA {n} industries, S={S}"
    bea = compare(label, "bea", a, f, args.repeat, first=args.first)
    m = np.eye(n) - a

    def loop() -> np.ndarray:
        out = np.empty_like(f)
        for s in range(S):
            out[:, s] = np.linalg.solve(m, f[:, s])
        return out

    t_loop, _ = best_of(loop, min(args.repeat, 3))
    print(
        f"[{label}] numpy.linalg.solve per scenario: {t_loop * 1e3:9.2f} ms "
        f"({t_loop / bea['lahar']:.0f}x lahar's time)\n"
    )

    # 2. sparse table ---------------------------------------------------------------------
    ns, Ss = args.sectors, args.sparse_scenarios
    a_sp = synthetic_sparse(ns)
    f_sp = rng.normal(size=(ns, Ss))
    label = f"synthetic {ns} sectors, nnz {a_sp.nnz:,}, S={Ss}"
    sparse = compare(label, "sparse", a_sp, f_sp, min(args.repeat, 3), n=ns, first=args.first)
    x = leontief(a_sp, f_sp[:, :5])
    resid = np.abs((x - a_sp @ x) - f_sp[:, :5]).max()
    print(f"[{label}] residual of lahar's solution: {resid:.1e}")

    if args.crossover:
        crossover(1_000, min(args.repeat, 3))
    if args.large:
        large(args, rng)

    print("\nsummary (ratios of issue 15's table; goals in brackets):")
    for name, res, goal in (
        ("BEA 71, S=" + str(S), bea, ">= 1x"),
        (f"sparse {ns}", sparse, "keep 5x"),
    ):
        if "pymrio" in res:
            print(
                f"  Leontief {name}: lahar {res['lahar'] * 1e3:.2f} ms vs pymrio's way "
                f"{res['pymrio'] * 1e3:.2f} ms = {res['pymrio'] / res['lahar']:.2f}x warm, "
                f"{res['pymrio_first'] / res['lahar_first']:.2f}x first call  [{goal}]"
            )
        else:
            print(f"  Leontief {name}: lahar {res['lahar'] * 1e3:.2f} ms (pymrio absent)")


def large(args, rng) -> None:
    """The 10^4-sector table against per-scenario dense solves (extrapolated)."""
    S = args.scenarios
    n = 10_000
    a = synthetic_sparse(n)
    f = rng.normal(size=(n, S))
    t_fac, lu = best_of(lambda: factorize(a), 1)
    t_batch, x = best_of(lambda: leontief(a, f), 1)
    resid = np.abs((x[:, :5] - a @ x[:, :5]) - f[:, :5]).max()
    lnnz = lu._lu.L.nnz + lu._lu.U.nnz
    print(f"\n[synthetic {n} sectors] nnz(A) = {a.nnz:,}, nnz(L + U) = {lnnz:,}")
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


if __name__ == "__main__":
    main()
