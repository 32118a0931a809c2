"""Monte Carlo: bit-identical for any chunking, in one process, on a LocalCluster and on a
scheduler started by address; runs recorded in a real DuckDB store with Parquet beside it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from lahar.data import load_bea, load_network, load_parameters
from lahar.scenarios import builtin_scenario, run_scenario
from lahar.store import Store

P = load_parameters()
NET = load_network(params=P)
TABLE = load_bea(2023, domestic=True)
SPEC = builtin_scenario("ai_bust")
DRAWS = 192


def _run(**kw):
    return run_scenario(SPEC, draws=DRAWS, seed=11, network=NET, params=P, table=TABLE, **kw)


@pytest.fixture(scope="module")
def local():
    return _run(chunk=DRAWS)


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(a.headline, b.headline, check_exact=True)
    pd.testing.assert_frame_equal(a.inputs, b.inputs, check_exact=True)
    pd.testing.assert_frame_equal(a.entities, b.entities, check_exact=True)


def test_chunk_size_changes_nothing(local) -> None:
    for chunk in (1, 64, 100, 128):
        _same(local, _run(chunk=chunk))


def test_seed_changes_the_draws(local) -> None:
    other = run_scenario(SPEC, draws=DRAWS, seed=12, network=NET, params=P, table=TABLE)
    assert not np.array_equal(local.inputs.to_numpy(), other.inputs.to_numpy())


def test_a_local_cluster_gives_the_same_bits(local) -> None:
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        _same(local, _run(chunk=64, client=client))


def test_a_scheduler_started_by_address_gives_the_same_bits(local, tmp_path) -> None:
    """A scheduler and a worker started as separate processes, reached by their address."""
    from dask.distributed import Client

    dask = shutil.which("dask", path=str(Path(sys.executable).parent))
    assert dask is not None
    sched_file = tmp_path / "scheduler.json"
    procs = [
        subprocess.Popen(
            [
                dask,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(sched_file),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        for _ in range(300):
            if sched_file.exists() and sched_file.stat().st_size:
                break
            time.sleep(0.1)
        import json

        address = json.loads(sched_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        procs.append(
            subprocess.Popen(
                [dask, "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        with Client(address, timeout=30) as client:
            client.wait_for_workers(1, timeout=60)
            _same(local, _run(chunk=64, client=client))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)


def test_runs_are_recorded_with_parquet_beside_the_store(local, tmp_path) -> None:
    st = Store(tmp_path / "s.duckdb")
    st.import_dataset()
    res = _run(chunk=64, store=st)
    _same(local, res)
    runs = st.runs()
    row = runs.iloc[0]
    assert (row["run_id"], row["status"], row["seed"]) == (res.run_id, "done", 11)
    assert row["spec_hash"] == res.spec_hash
    files = sorted(st.run_dir(res.run_id).glob("draws-*.parquet"))
    assert len(files) == 3  # one per chunk of 64
    glob = str(st.run_dir(res.run_id) / "draws-*.parquet")
    n, mean = duckdb.sql(
        f"SELECT count(*), avg(loss_total) FROM read_parquet('{glob}')"
    ).fetchall()[0]
    assert n == DRAWS
    np.testing.assert_allclose(mean, res.headline["loss_total"].mean(), rtol=1e-12)
    head = st.results(res.run_id, "headline")
    key = '{"outcome": "loss_total"}'
    stored = head[(head["key"] == key) & (head["metric"] == "mean")]["value"].iloc[0]
    np.testing.assert_allclose(stored, res.headline["loss_total"].mean(), rtol=1e-12)


def test_a_failed_run_is_marked_and_earlier_runs_stay(tmp_path) -> None:
    st = Store(tmp_path / "s.duckdb")
    st.import_dataset()
    good = _run(chunk=64, store=st)

    def boom(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _run(chunk=64, store=st, progress=boom)
    runs = st.runs().set_index("run_id")
    assert runs.loc[good.run_id, "status"] == "done"
    assert (runs["status"] == "failed").sum() == 1
