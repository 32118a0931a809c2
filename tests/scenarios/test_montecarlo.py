"""Monte Carlo: bit-identical for any chunking, in one process, on a LocalCluster and on a
scheduler started by address; runs recorded in a real DuckDB store with Parquet beside it."""

from __future__ import annotations

import json
import pickle
import re
import shlex
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
from lahar.errors import DataError
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
        assert _tuned(client) == [0, 0]  # not told the cluster is ours: malloc left alone
        _same(local, _run(chunk=64, client=client, tune_workers=True))
        assert max(_tuned(client)) == 1  # once per worker process, and the same bits


def _tuned(client) -> list[int]:
    """How often each worker changed its malloc settings (calls of the cached function)."""
    from lahar.scenarios._montecarlo import _keep_freed_arrays

    return sorted(client.run(lambda: _keep_freed_arrays.cache_info().misses).values())


@contextmanager
def _cluster_by_address(tmp_path: Path, *worker_prefixes: tuple[str, ...]) -> Iterator[str]:
    """A scheduler and workers (one per prefix; default one) started as separate processes;
    yields the address."""
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
        for prefix in worker_prefixes or ((),):
            procs.append(
                subprocess.Popen(
                    [*prefix, *worker],
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
        assert _tuned(client) == [0]  # someone else's cluster: its malloc settings stay


def _private_dir(path: Path, size: str | None = None) -> tuple[str, ...] | None:
    """A command prefix that runs a process which sees its own empty folder at ``path`` (a
    tmpfs of ``size``, e.g. ``64m``, mounted in a Linux mount namespace of an unprivileged
    user namespace; the rest of the file system, the virtual environment included, stays
    visible), or None where the system does not allow it."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    options = "" if size is None else f"-o size={size} "
    prefix = (
        unshare,
        "--map-root-user",
        "--mount",
        "sh",
        "-c",
        f'mount -t tmpfs {options}none {shlex.quote(str(path))} && exec "$0" "$@"',
    )
    probe = subprocess.run([*prefix, "ls", str(path)], capture_output=True, text=True, check=False)
    if probe.returncode != 0 or probe.stdout.strip():
        return None
    return prefix


def test_a_worker_that_does_not_see_our_disk_gives_the_same_bits(local, tmp_path) -> None:
    """A worker that sees another folder at our path (as on another machine) cannot write the
    chunk files and Parquet files in the client's folders: it sends the arrays back, the
    client writes them, and the results and files are the same."""
    from dask.distributed import Client

    prefix = _private_dir(tmp_path)
    if prefix is None:
        pytest.skip("no unprivileged mount namespaces here (unshare)")
    st = Store(tmp_path / "s.duckdb")
    st.import_dataset()
    with (
        _cluster_by_address(tmp_path, prefix) as address,
        Client(address, timeout=30) as client,
    ):
        client.wait_for_workers(1, timeout=60)
        assert not any(client.run((tmp_path / "s.duckdb").exists).values())  # not our files
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


def test_a_mixed_cluster_gives_the_same_bits(local, tmp_path) -> None:
    """One worker sees our disk, one another folder at our path: whichever ran the chunks, an
    entity-range task on the worker that does not see the chunk files hands its range back
    (None) and the client reduces it, with the same function and the same bits."""
    from dask.distributed import Client

    from lahar.scenarios._montecarlo import _TOKEN, _entity_range

    prefix = _private_dir(tmp_path)
    if prefix is None:
        pytest.skip("no unprivileged mount namespaces here (unshare)")
    marker = tmp_path / "marker"
    marker.touch()
    with (
        _cluster_by_address(tmp_path, (), prefix) as address,
        Client(address, timeout=30) as client,
    ):
        client.wait_for_workers(2, timeout=60)
        sees = client.run(marker.exists)
        assert sorted(sees.values()) == [False, True]
        blind = next(w for w, seen in sees.items() if not seen)
        (tmp_path / _TOKEN).write_text("ours")
        task = client.submit(
            _entity_range, str(tmp_path), "ours", [0], 0, 10, workers=[blind], pure=False
        )
        assert task.result() is None
        for chunk in (DRAWS, DRAWS, 64):  # one chunk: on the seeing worker half of the time
            _same(local, _run(chunk=chunk, client=client))


class _Stop(Exception):
    pass


def _scratch_left(st: Store) -> list[str]:
    return sorted(
        str(p.relative_to(st.path.parent))
        for p in Path(f"{st.path}.runs").glob("*/*")
        if p.is_dir() or p.name.startswith(".")
    )


def test_a_failed_cluster_run_cancels_its_tasks_and_leaves_no_scratch(tmp_path) -> None:
    """The client fails while 15 chunk tasks are pending or running on two workers: they
    are cancelled (the scheduler holds none), the scratch folder is gone, the run is marked
    failed, and tasks that were running when it failed leave nothing behind either."""
    from dask.distributed import Client, LocalCluster

    st = Store(tmp_path / "s.duckdb")
    st.import_dataset()

    def stop(done: int, total: int) -> None:
        raise _Stop

    def executing(dask_worker) -> int:
        return int(dask_worker.state.executing_count)

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        with pytest.raises(_Stop):
            run_scenario(
                SPEC,
                draws=16 * 64,
                seed=11,
                network=NET,
                params=P,
                table=TABLE,
                chunk=64,
                client=client,
                store=st,
                progress=stop,
            )
        held = client.run_on_scheduler(
            lambda dask_scheduler: [str(k) for k in dask_scheduler.tasks if "_chunk" in str(k)]
        )
        assert held == []
        assert _scratch_left(st) == []
        for _ in range(600):  # the workers finish what they had started
            if not any(client.run(executing).values()):
                break
            time.sleep(0.1)
        assert not any(client.run(executing).values())
        assert _scratch_left(st) == []
    runs = st.runs()
    assert list(runs["status"]) == ["failed"]
    assert (runs["command"] == f"run {SPEC.name}").all()


def test_scratch_bytes_are_the_bytes_a_chunk_writes(tmp_path) -> None:
    """57 bytes per entity and draw: seven float64 loss arrays and one bool array, counted
    from the files a chunk task writes; the shipped network (121 entities) at the CLI's
    largest --draws (10^7) needs 69 GB."""
    from lahar.scenarios import make_context
    from lahar.scenarios._montecarlo import _TOKEN, _chunk, _scratch_bytes

    ctx = make_context(SPEC, NET, P, TABLE, seed=11)
    (tmp_path / _TOKEN).write_text("ours")
    _chunk(ctx, 0, 64, str(tmp_path), "ours")
    written = sum(np.load(f, mmap_mode="r").nbytes for f in tmp_path.glob("*.npy"))
    assert written == NET.n * 64 * (7 * 8 + 1) == _scratch_bytes(NET.n, 64)
    assert _scratch_bytes(121, 10**7) == 68_970_000_000


def test_the_scratch_check_keeps_a_spare() -> None:
    from lahar.scenarios._montecarlo import _check_scratch

    gib, mib = 1 << 30, 1 << 20
    # 10 GiB free: 5 % (0.5 GiB, above the 64 MiB floor) stays spare, 9.5 GiB of room
    _check_scratch(int(9.5 * gib), 10 * gib, draws=1, where="/x")
    with pytest.raises(DataError, match="must be at most 950 here"):
        _check_scratch(int(9.5 * gib) + 1, 10 * gib, draws=951, where="/x")
    # 1000 draws that need 10 GiB: 9.5 GiB of room holds 950 of them
    msg = (
        r"^The 'draws' parameter of run_scenario\(\) must be at most 950 here: 1000 draws "
        r"need 10\.00 GiB of scratch space in /x, which has 10\.00 GiB free \(keeping "
        r"0\.50 GiB spare\)\. Got 1000 instead\.$"
    )
    with pytest.raises(DataError, match=msg):
        _check_scratch(10 * gib, 10 * gib, draws=1000, where="/x")
    # 100 MiB free: the 64 MiB floor stays spare, 36 MiB of room
    _check_scratch(36 * mib, 100 * mib, draws=1, where="/x")
    with pytest.raises(DataError, match="at most 0 here"):
        _check_scratch(36 * mib + 1, 100 * mib, draws=1, where="/x")
    with pytest.raises(DataError, match="at most 0 here"):  # less free than the spare
        _check_scratch(1, 10 * mib, draws=1, where="/x")


def test_a_run_too_large_for_the_disk_is_refused_before_it_starts(tmp_path) -> None:
    """10^15 draws of 121 entities need 6.9 EB of scratch space: refused before the run is
    recorded or any folder made; ordinary runs pass the same check (the tests above)."""
    st = Store(tmp_path / "s.duckdb")
    st.import_dataset()
    with pytest.raises(DataError, match=r"'draws' .* at most \d+ here: 1000000000000000 draws"):
        run_scenario(SPEC, draws=10**15, seed=11, network=NET, params=P, table=TABLE, store=st)
    assert st.runs(f"run {SPEC.name}").empty
    assert not Path(f"{st.path}.runs").exists()


def test_the_cli_names_draws_when_the_scratch_disk_is_too_small(tmp_path) -> None:
    """`lahar run` with its store on a real 64 MiB tmpfs (a private folder): 10^5 draws of 121
    entities need 0.64 GiB of scratch space; one line naming --draws, exit code 1."""
    small = tmp_path / "small"
    small.mkdir()
    prefix = _private_dir(small, "64m")
    if prefix is None:
        pytest.skip("no unprivileged mount namespaces here (unshare)")
    lahar = shutil.which("lahar", path=str(Path(sys.executable).parent))
    assert lahar is not None
    args = ["run", "-s", SPEC.name, "--draws", "100000", "--store", str(small / "s.duckdb")]
    out = subprocess.run(
        [*prefix, lahar, *args, "--no-report"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert out.returncode == 1, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert re.fullmatch(
        r"error: Invalid value for --draws: must be at most \d+ here: 100000 draws need "
        r"0\.64 GiB of scratch space in " + re.escape(str(small)) + r", which has [\d.]+ GiB "
        r"free \(keeping 0\.06 GiB "
        r"spare\)\. Got 100000 instead\.",
        lines[0],
    ), lines[0]
