"""Monte Carlo: bit-identical for any chunking, in one process, on a LocalCluster and on a
scheduler started by address; runs recorded in a real DuckDB store with Parquet beside it."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def _cluster_by_address(tmp_path: Path, worker_prefix: tuple[str, ...] = ()) -> Iterator[str]:
    """A scheduler and a worker started as separate processes; yields the address."""
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
        address = json.loads(sched_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        worker = [dask, "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard"]
        procs.append(
            subprocess.Popen(
                [*worker_prefix, *worker],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        yield address
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)


def test_a_scheduler_started_by_address_gives_the_same_bits(local, tmp_path) -> None:
    """A scheduler and a worker started as separate processes, reached by their address."""
    from dask.distributed import Client

    with _cluster_by_address(tmp_path) as address, Client(address, timeout=30) as client:
        client.wait_for_workers(1, timeout=60)
        _same(local, _run(chunk=64, client=client))


def _private_tmp() -> tuple[str, ...] | None:
    """A command prefix that runs a process with its own empty /tmp (a Linux mount namespace
    of an unprivileged user namespace), or None where the system does not allow it."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    prefix = (
        unshare,
        "--map-root-user",
        "--mount",
        "sh",
        "-c",
        'mount -t tmpfs none /tmp && exec "$0" "$@"',
    )
    probe = subprocess.run([*prefix, "ls", "/tmp"], capture_output=True, text=True, check=False)
    if probe.returncode != 0 or probe.stdout.strip():
        return None
    return prefix


def test_a_worker_that_does_not_see_our_disk_gives_the_same_bits(local, tmp_path) -> None:
    """A worker with its own /tmp (as on another machine) cannot write the chunk files and
    Parquet files in the client's folders: it sends the arrays back, the client writes them,
    and the results and files are the same."""
    from dask.distributed import Client

    prefix = _private_tmp()
    if prefix is None:
        pytest.skip("no unprivileged mount namespaces here (unshare)")
    assert str(tmp_path).startswith("/tmp/")
    st = Store(tmp_path / "s.duckdb")
    st.import_dataset()
    with (
        _cluster_by_address(tmp_path, prefix) as address,
        Client(address, timeout=30) as client,
    ):
        client.wait_for_workers(1, timeout=60)
        assert not any(client.run(Path(tmp_path).exists).values())  # it cannot see our files
        res = _run(chunk=64, client=client, store=st)
    _same(local, res)
    glob = str(st.run_dir(res.run_id) / "entities-*.parquet")
    assert len(list(st.run_dir(res.run_id).glob("entities-*.parquet"))) == 3
    n = duckdb.sql(f"SELECT count(DISTINCT draw) FROM read_parquet('{glob}')").fetchall()[0][0]
    assert n == DRAWS


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


def test_a_chunk_task_returns_kilobytes_when_it_sees_the_disk(tmp_path) -> None:
    """What a chunk task sends back grows with its draws, not with entities x draws: the
    (n, S) arrays stay in the scratch folder; a process that does not see the folder (its
    token differs) sends them instead."""
    from lahar.scenarios import make_context
    from lahar.scenarios._montecarlo import _TOKEN, _chunk

    ctx = make_context(SPEC, NET, P, TABLE, seed=11)
    (tmp_path / _TOKEN).write_text("ours")
    part = _chunk(ctx, 0, 64, str(tmp_path), "ours")
    assert part["arrays"] is None
    per_draw = 8 * (ctx.d + len(part["headline"]) + 1)
    assert len(pickle.dumps(part)) < 64 * per_draw + 4096
    assert sorted(p.name for p in tmp_path.glob("*.npy")) == [
        "defaulted-000000000.npy",
        "losses-000000000.npy",
    ]
    elsewhere = _chunk(ctx, 0, 64, str(tmp_path), "theirs")
    losses, dflt = elsewhere["arrays"]
    assert losses.shape == (7, NET.n, 64)
    np.testing.assert_array_equal(losses, np.load(tmp_path / "losses-000000000.npy"))
    np.testing.assert_array_equal(dflt, np.load(tmp_path / "defaulted-000000000.npy"))
