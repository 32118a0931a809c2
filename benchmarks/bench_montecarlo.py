"""Monte Carlo of a scenario: cascade draws per second, batched vs a per-draw loop, 1 vs 2 workers.

For the shipped network (the ``ai_bust`` scenario) and a synthetic network (a partial-payment
scenario on its 100 largest buyers, with drawn parameters), it prints:

* draws per second of the batched engine (:func:`lahar.scenarios.run_scenario`, blocks of 64
  draws, each one vectorised full cascade) in one process;
* draws per second of a per-draw loop of the same cascade (``evaluate`` one draw at a time: what
  a user without a batched engine would write) and the ratio (goal >= 20x);
* draws per second on a 2-worker ``dask.distributed.LocalCluster`` and the ratio to one
  process (goal >= 1.8x on the large network; the machine has 2 cores);
* peak resident memory of the process.

Usage::

    python benchmarks/bench_montecarlo.py            # synthetic(10**5, 10**6)
    python benchmarks/bench_montecarlo.py --quick    # synthetic(10**4, 10**5)
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np

from lahar import _numba
from lahar.data import load_bea, load_network, load_parameters
from lahar.network import synthetic
from lahar.scenarios import builtin_scenario, evaluate, make_context, parse_scenario, run_scenario


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def synthetic_spec(net, k: int = 100) -> str:
    """A partial-payment scenario on the k largest buyers of commitments."""
    codes = np.isin(net.layer_codes, [2, 3, 4, 5])
    spend = np.bincount(net.source[codes], weights=net.amount[codes], minlength=net.n)
    buyers = [str(net.ids[i]) for i in np.argsort(-spend)[:k]]
    quoted = ", ".join(f'"{b}"' for b in buyers)
    return (
        'name = "synthetic_bust"\ntitle = "The largest buyers pay part of their commitments"\n\n'
        f'[[shocks]]\nkind = "partial_payment"\nentities = [{quoted}]\n'
        "paid_share = { low = 0.2, high = 0.8 }\n"
    )


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def bench(label: str, spec, net, params, table, draws: int, loop_draws: int, workers: bool):
    print(f"\n== {label}: {net.n:,} entities, {net.m:,} exposures, {draws} draws")
    print(f"   load average at start: {load()}")
    ctx = make_context(spec, net, params, table, seed=1)
    print(f"   drawn quantities: {ctx.d}")
    # warm up the compiled kernels
    evaluate(ctx, 0, 2)
    t = time.perf_counter()
    c = time.process_time()
    res = run_scenario(
        spec, draws=draws, seed=1, network=net, params=params, table=table, chunk=256
    )
    batched = time.perf_counter() - t
    batched_cpu = time.process_time() - c
    rate = draws / batched
    # the same run with numba's parallel kernels on one thread (on a busy 2-core machine the
    # OpenMP threads of the default spin and wait for each other)
    t = time.perf_counter()
    c = time.process_time()
    with _numba.at_most_threads(1):
        res1 = run_scenario(
            spec, draws=draws, seed=1, network=net, params=params, table=table, chunk=256
        )
    single = time.perf_counter() - t
    single_cpu = time.process_time() - c
    assert res1.headline.equals(res.headline)
    t = time.perf_counter()
    c = time.process_time()
    for s in range(loop_draws):
        evaluate(ctx, s, s + 1)
    loop = (time.perf_counter() - t) / loop_draws
    loop_cpu = (time.process_time() - c) / loop_draws
    print(f"   batched: {batched:8.2f} s  {rate:10.1f} draws/s  (CPU {batched_cpu:.2f} s)")
    print(
        f"   per-draw loop: {loop * 1e3:8.1f} ms/draw ({1 / loop:8.1f} draws/s, {loop_draws} draws"
        f" timed; CPU {loop_cpu * 1e3:.1f} ms/draw)"
    )
    print(
        f"   batched, numba on 1 thread: {single:8.2f} s  {draws / single:10.1f} draws/s  "
        f"(CPU {single_cpu:.2f} s)"
    )
    best = min(batched, single)
    print(
        f"   batched / loop: {loop * draws / best:6.1f}x wall (best of the two), "
        f"{loop_cpu * draws / min(batched_cpu, single_cpu):6.1f}x CPU  (goal >= 20x)"
    )
    out = {"rate": rate, "ratio_loop": loop * draws / best}
    if workers:
        from dask.distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cl,
            Client(cl) as client,
        ):
            # warm up both workers (numba kernels loaded from the cache) on a small network
            small = synthetic(2000, 10_000, seed=3)
            run_scenario(
                parse_scenario(synthetic_spec(small, k=20)),
                draws=128,
                seed=2,
                network=small,
                params=params,
                table=table,
                chunk=64,
                client=client,
                tune_workers=True,
            )
            t = time.perf_counter()
            dres = run_scenario(
                spec,
                draws=draws,
                seed=1,
                network=net,
                params=params,
                table=table,
                chunk=max(64, draws // 8),
                client=client,
                tune_workers=True,
            )
            dt = time.perf_counter() - t
        same = dres.headline.equals(res.headline) and dres.entities.equals(res.entities)
        print(
            f"   2-worker LocalCluster: {dt:8.2f} s  {draws / dt:10.1f} draws/s  "
            f"ratio to 1 process {batched / dt:5.2f}x, to 1 process on 1 numba thread "
            f"{single / dt:5.2f}x (goal >= 1.8x); bit-identical: {same}"
        )
        out["ratio_dask"] = batched / dt
    print(f"   peak RSS so far: {peak_rss_gib():.2f} GiB; load average at end: {load()}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="synthetic(10**4, 10**5)")
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--draws", type=int, help="draws on the synthetic network (256 / 512)")
    ap.add_argument("--loop-draws", type=int, help="draws of the per-draw loop (8 / 4)")
    ap.add_argument("--no-shipped", action="store_true", help="skip the shipped network")
    args = ap.parse_args()
    params = load_parameters()
    table = load_bea(2023, domestic=True)
    net = load_network(params=params)
    print(f"lahar Monte Carlo benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs)")
    if not args.no_shipped:
        bench(
            "shipped network, ai_bust",
            builtin_scenario("ai_bust"),
            net,
            params,
            table,
            draws=2048,
            loop_draws=64,
            workers=not args.no_dask,
        )
    n, m = (10**4, 10**5) if args.quick else (10**5, 10**6)
    big = synthetic(n, m, seed=7)
    spec = parse_scenario(synthetic_spec(big))
    bench(
        f"synthetic({n:.0e}, {m:.0e})",
        spec,
        big,
        params,
        table,
        draws=args.draws or (256 if args.quick else 512),
        loop_draws=args.loop_draws or (8 if args.quick else 4),
        workers=not args.no_dask,
    )


if __name__ == "__main__":
    main()
