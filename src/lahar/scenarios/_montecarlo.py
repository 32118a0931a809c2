"""Monte Carlo over a scenario's uncertain quantities, in one process or on a Dask cluster.

Draws are evaluated in blocks of :data:`BLOCK` (each block one vectorised cascade), blocks are
grouped into chunks (one task each), and a draw's result depends only on (spec, data, seed,
draw): any chunk size, one process, ``workers=N`` (a ``dask.distributed.LocalCluster``) or an
existing cluster at a scheduler address give bit-identical results. The scenario's context
(network arrays, parameters, the input-output table) is sent to the workers once.
"""

from __future__ import annotations

import ctypes
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from numpy.lib.format import open_memmap
from numpy.typing import NDArray

from lahar import _numba
from lahar.contagion import CHANNELS
from lahar.data import IOTable, ParameterSet, load_network, load_parameters, scenario_table
from lahar.errors import DataError
from lahar.network import Network
from lahar.scenarios._engine import BLOCK, HEADLINES, Context, Dim, evaluate, make_context
from lahar.scenarios._spec import Scenario, scenario_hash

__all__ = ["RunResult", "run_scenario"]

_QUANTILES = (0.05, 0.5, 0.95)


@dataclass(frozen=True)
class RunResult:
    """A scenario's Monte Carlo results.

    Attributes
    ----------
    scenario : str
        The spec's name.
    spec_hash : str
        Digest of the spec (:func:`scenario_hash`).
    seed, draws : int
        The run's seed and number of draws.
    dims : tuple of Dim
        The drawn quantities (columns of ``inputs``).
    headline : pandas.DataFrame
        One row per draw: ``draw`` and the outcomes of :data:`HEADLINES`.
    inputs : pandas.DataFrame
        One row per draw: ``draw`` and the drawn value of every quantity.
    entities : pandas.DataFrame
        One row per entity and channel (and ``total``, ``client``): mean and quantiles of its
        loss over the draws, and (channel ``total``) its default probability.
    run_id : str or None
        Id in the store, if the run was recorded.
    elapsed_s : float
        Wall time of the draws and their per-entity statistics.
    """

    scenario: str
    spec_hash: str
    seed: int
    draws: int
    dims: tuple[Dim, ...]
    headline: pd.DataFrame
    inputs: pd.DataFrame
    entities: pd.DataFrame
    run_id: str | None
    elapsed_s: float

    def summary(self) -> pd.DataFrame:
        """Mean and 5/50/95 % quantiles of every headline outcome."""
        h = self.headline.drop(columns="draw")
        out = pd.DataFrame({"mean": h.mean()})
        for q in _QUANTILES:
            out[f"q{round(100 * q):02d}"] = h.quantile(q)
        out.index.name = "outcome"
        return out.reset_index()


_ARRAYS: tuple[str, ...] = (*CHANNELS, "client")
"""The per-entity loss arrays a chunk keeps, in the order of its ``losses`` file."""

_TOKEN = ".lahar-scratch"
"""File in a scratch folder holding its run's token (a worker that reads it shares the disk)."""

_RANGE_BYTES = 1 << 27
"""Memory for one range of entities when the per-entity statistics are computed (128 MiB)."""

_BYTES_PER_CELL = 8 * len(_ARRAYS) + 1
"""Scratch bytes per (entity, draw): a float64 per loss array and a bool for defaulted."""

_SCRATCH_SPARE = 1 << 26
"""Least free space a run leaves on its scratch disk (64 MiB; or 5 % of the free space)."""


_CANCEL_WAIT_S = 60
"""Longest wait, after a failure, for the run's cancelled tasks to be released."""


class _Abandoned(RuntimeError):
    """Raised in a chunk task whose run has ended (its scratch token is gone)."""


def _scratch_bytes(n: int, draws: int) -> int:
    """Bytes of the scratch folder of a run: ``n`` entities by ``draws`` draws, 57 bytes each."""
    return n * draws * _BYTES_PER_CELL


def _check_scratch(needed: int, free: int, *, draws: int, where: str) -> None:
    """Refuse a run whose scratch files would not fit in the free space of their disk.

    The run keeps ``max(64 MiB, free / 20)`` of the free space spare.

    Parameters
    ----------
    needed : int
        Bytes of the scratch files (:func:`_scratch_bytes`).
    free : int
        Free bytes on the scratch disk (``shutil.disk_usage(where).free``).
    draws : int
        The run's draws (for the message: the option to lower).
    where : str
        The scratch location (for the message).

    Raises
    ------
    lahar.errors.DataError
        ``needed`` exceeds ``free`` less the spare.
    """
    spare = max(_SCRATCH_SPARE, free // 20)
    room = max(0, free - spare)
    if needed <= room:
        return
    most = room * draws // needed if needed else 0
    msg = (
        f"The 'draws' parameter of run_scenario() must be at most {most} here: {draws} draws "
        f"need {_gib(needed)} of scratch space in {where}, which has {_gib(free)} free "
        f"(keeping {_gib(spare)} spare). Got {draws} instead."
    )
    raise DataError(msg)


def _gib(b: int) -> str:
    return f"{b / (1 << 30):.2f} GiB"


def _scratch_base(store: Any) -> Path:
    """The existing folder whose disk holds a run's scratch folder."""
    base = Path(f"{store.path}.runs") if store is not None else Path(tempfile.gettempdir())
    base = base.absolute()
    while not base.exists() and base != base.parent:
        base = base.parent
    return base


def _paths(scratch: Path, start: int) -> tuple[Path, Path]:
    return scratch / f"losses-{start:09d}.npy", scratch / f"defaulted-{start:09d}.npy"


def _sees(scratch: str, token: str) -> bool:
    """Whether this process sees the client's scratch folder (same disk, same run)."""
    try:
        return (Path(scratch) / _TOKEN).read_text() == token
    except OSError:
        return False


def _worker_threads() -> int | None:
    """Threads of the Dask worker running this task (None outside a worker)."""
    try:
        from distributed import get_worker
    except ImportError:  # pragma: no cover - dask is an optional dependency
        return None
    try:
        return int(get_worker().state.nthreads)
    except ValueError:
        return None


@cache
def _keep_freed_arrays() -> None:
    """Let this process reuse the memory of freed arrays instead of returning it at once.

    It changes glibc's malloc settings for the rest of the process's life, so a chunk task
    calls it only on a cluster started for lahar (``run_scenario(..., tune_workers=True)``,
    as ``lahar run --workers`` does), never on a cluster someone else owns.

    Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which also freezes
    glibc's mmap threshold at 128 KiB: every temporary array of a cascade round (megabytes
    each) is then mapped fresh and unmapped when freed, and touching the new pages costs as
    much as the arithmetic (a block of 64 draws on the 10^4-entity benchmark network takes
    twice as long). This raises both thresholds to the glibc maximum for the mmap threshold
    (32 MiB) and 256 MiB for trimming. Once per process; nothing on other C libraries.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 256 << 20)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):  # not glibc: nothing to do
        return


def _chunk(
    ctx: Context,
    start: int,
    stop: int,
    scratch: str | None = None,
    token: str = "",
    parquet: str | None = None,
    tune: bool = False,
) -> dict[str, Any]:
    """Evaluate draws ``start .. stop-1`` block by block (the unit of determinism).

    The per-entity arrays (losses by channel, client losses, defaults: (n, S) each) go to
    ``.npy`` files in the client's ``scratch`` folder and the draw-level Parquet files to
    ``parquet`` when this process sees them (one machine, or a shared disk): the task then
    returns kilobytes (per-draw outcomes and drawn values). Otherwise it returns the arrays
    for the client to write. A task writing to ``scratch`` stops (:class:`_Abandoned`) at the
    next block once the run has ended and the token is gone. ``tune``: on a Dask worker, call
    :func:`_keep_freed_arrays` (only on a cluster started for lahar).
    """
    n = ctx.inputs.system.n
    s = stop - start
    on_disk = scratch is not None and _sees(scratch, token)
    losses: NDArray[np.float64]
    dflt: NDArray[np.bool_]
    if on_disk:
        lpath, dpath = _paths(Path(cast(str, scratch)), start)
        losses = open_memmap(lpath, mode="w+", dtype=np.float64, shape=(len(_ARRAYS), n, s))
        dflt = open_memmap(dpath, mode="w+", dtype=np.bool_, shape=(n, s))
    else:
        losses = np.empty((len(_ARRAYS), n, s))
        dflt = np.empty((n, s), dtype=bool)
    threads = _worker_threads()
    if threads is not None and tune:
        _keep_freed_arrays()
    heads: list[dict[str, NDArray[np.float64]]] = []
    xs = []
    with nullcontext() if threads is None else _numba.at_most_threads(threads):
        for a in range(start, stop, BLOCK):
            if a > start:
                _still_on(on_disk, scratch, token)
            b = min(a + BLOCK, stop)
            part = evaluate(ctx, a, b)
            cols = slice(a - start, b - start)
            for k, c in enumerate(CHANNELS):
                losses[k, :, cols] = part["channels"][c]
            losses[-1, :, cols] = part["client"]
            dflt[:, cols] = part["defaulted"]
            heads.append(part["headline"])
            xs.append(part["x"])
    out: dict[str, Any] = {
        "start": start,
        "draw": np.arange(start, stop),
        "x": np.vstack(xs),
        "headline": {k: np.concatenate([h[k] for h in heads]) for k in HEADLINES},
        "arrays": None,
        "parquet": False,
    }
    _still_on(on_disk, scratch, token)
    if on_disk and parquet is not None:
        _write_parquet(ctx, out, losses, dflt, Path(parquet))
        out["parquet"] = True
    if on_disk:
        cast(np.memmap, losses).flush()
        cast(np.memmap, dflt).flush()
        del losses, dflt
    else:
        out["arrays"] = (losses, dflt)
    return out


def _still_on(on_disk: bool, scratch: str | None, token: str) -> None:
    """Stop a chunk task writing to a run's scratch folder once the run has ended."""
    if on_disk and not _sees(cast(str, scratch), token):
        msg = "the run has ended (its scratch folder is gone)"
        raise _Abandoned(msg)


def _write_parquet(
    ctx: Context,
    part: dict[str, Any],
    losses: NDArray[np.float64],
    dflt: NDArray[np.bool_],
    folder: Path,
) -> None:
    """Draw-level tables of a chunk: one row per draw, one row per (draw, entity) hit."""
    draws = pd.DataFrame({"draw": part["draw"], **part["headline"]})
    for k, d in enumerate(ctx.dims):
        draws[f"x.{d.name}"] = part["x"][:, k]
    n, s = dflt.shape
    hit = (losses[: len(CHANNELS)].sum(axis=0) > 0) | (losses[-1] > 0) | dflt
    ent_idx, col = np.nonzero(hit)
    ent = pd.DataFrame(
        {
            "draw": part["draw"][col],
            "entity": ctx.inputs.ids[ent_idx],
            **{c: losses[k][ent_idx, col] for k, c in enumerate(_ARRAYS)},
            "defaulted": dflt[ent_idx, col],
        }
    )
    draws.to_parquet(folder / f"draws-{part['start']:09d}.parquet", index=False)
    ent.to_parquet(folder / f"entities-{part['start']:09d}.parquet", index=False)


def _entity_range(
    scratch: str, token: str, starts: list[int], lo: int, hi: int
) -> dict[str, tuple[NDArray[np.float64], ...]] | None:
    """Mean, quantiles and default probability over all draws of entities ``lo .. hi-1``.

    Reads the rows of every chunk's files (in draw order) and reduces each entity's row on
    its own, so the numbers do not depend on how entities or draws were split. None when
    this process does not see the scratch folder (a worker on another disk): the client then
    reduces the range itself, with this same function.
    """
    if not _sees(scratch, token):
        return None
    folder = Path(scratch)
    loss_parts, dflt_parts = [], []
    for a in starts:
        lpath, dpath = _paths(folder, a)
        loss_parts.append(np.load(lpath, mmap_mode="r")[:, lo:hi, :])
        dflt_parts.append(np.load(dpath, mmap_mode="r")[lo:hi, :])
    losses = np.concatenate(loss_parts, axis=2)
    dflt = np.concatenate(dflt_parts, axis=1)
    stacked = {c: losses[k] for k, c in enumerate(CHANNELS)}
    first, *rest = CHANNELS
    stacked["total"] = sum((stacked[c] for c in rest), stacked[first])
    stacked["client"] = losses[len(CHANNELS)]
    out: dict[str, tuple[NDArray[np.float64], ...]] = {}
    for name, arr in stacked.items():
        qs = np.quantile(arr, _QUANTILES, axis=1)
        out[name] = (arr.mean(axis=1), *qs)
    out["default_probability"] = (dflt.mean(axis=1),)
    return out


def _entity_stats(
    ctx: Context, ranges: list[dict[str, tuple[NDArray[np.float64], ...]]]
) -> pd.DataFrame:
    """The ``entities`` table from the statistics of consecutive ranges of entities."""
    ids = ctx.inputs.ids
    dp = np.concatenate([r["default_probability"][0] for r in ranges])
    rows = []
    for name in (*CHANNELS, "total", "client"):
        cols = [np.concatenate([r[name][k] for r in ranges]) for k in range(1 + len(_QUANTILES))]
        frame = pd.DataFrame(
            {
                "entity": ids,
                "channel": name,
                "mean": cols[0],
                **{f"q{round(100 * q):02d}": cols[1 + k] for k, q in enumerate(_QUANTILES)},
                "default_probability": dp if name == "total" else np.nan,
            }
        )
        rows.append(frame[(frame["mean"] > 0) | (frame["default_probability"] > 0)])
    return pd.concat(rows, ignore_index=True)


def _entity_ranges(n: int, draws: int, at_least: int = 1) -> list[tuple[int, int]]:
    per = max(1, _RANGE_BYTES // (8 * (len(_ARRAYS) + 2) * max(draws, 1)))
    k = max(at_least, -(-n // per))
    bounds = np.linspace(0, n, min(k, max(n, 1)) + 1).astype(int)
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _chunks(draws: int, chunk: int) -> list[tuple[int, int]]:
    size = max(BLOCK, -(-chunk // BLOCK) * BLOCK)
    return [(a, min(a + size, draws)) for a in range(0, draws, size)]


def run_scenario(
    spec: Scenario,
    *,
    draws: int | None = None,
    seed: int = 0,
    chunk: int = 256,
    network: Network | None = None,
    params: ParameterSet | None = None,
    table: IOTable | None = None,
    client: Any = None,
    store: Any = None,
    progress: Callable[[int, int], None] | None = None,
    run_id: str | None = None,
    tune_workers: bool = False,
    batch: str | None = None,
) -> RunResult:
    """Run a scenario's Monte Carlo: every draw one column of a vectorised full cascade.

    Parameters
    ----------
    spec : Scenario
        The scenario (:func:`load_scenario`, :func:`builtin_scenario`).
    draws : int, optional
        Number of draws (default: the spec's ``draws``).
    seed : int, default 0
        Seed of the scrambled Sobol sequence; results depend only on (spec, data, seed).
    chunk : int, default 256
        Draws per task (rounded up to a multiple of :data:`BLOCK`); changes speed, never
        results.
    network, params, table : optional
        The data (default: the shipped network, parameters and BEA 2023 domestic table).
    client : dask.distributed.Client, optional
        Evaluate the chunks on this cluster (the context is scattered once).
    store : lahar.store.Store, optional
        Record the run (status, spec hash, seed, timings), write draw-level Parquet files per
        chunk to ``store.run_dir(run_id)`` as they finish, and the per-entity and headline
        statistics to the ``results`` table.
    progress : callable, optional
        Called as ``progress(done, total)`` after each chunk.
    run_id : str, optional
        Id to record the run under (a UUID string; default a new one); only with ``store``.
    tune_workers : bool, default False
        Only for a cluster started for this work (``lahar run --workers`` passes True): let
        the chunk tasks raise glibc's mmap and trim thresholds on its workers for the rest of
        their lives, which halves the time of a block on large networks (Dask's nanny sets
        ``MALLOC_TRIM_THRESHOLD_``). Leave False on a cluster someone else owns.
    batch : str, optional
        A label recorded with the run (``params.batch``) that groups the runs of one
        invocation (``lahar run`` gives each invocation its own; ``lahar report`` shows the
        latest batch by default); only with ``store``.

    Returns
    -------
    RunResult

    Raises
    ------
    lahar.errors.DataError
        The spec does not fit the data (unknown entities, parameters), bad options, or the
        scratch files (about 57 bytes per entity and draw, beside the store or in the temporary
        folder) would not fit in the free space of their disk.

    Notes
    -----
    The per-entity arrays of all draws are written to a scratch folder (removed at the end),
    so a run needs ``57 * n * draws`` bytes of free disk there: 6.4 GiB for 10^6 draws of 120
    entities. On failure (an error, an interrupt) the pending tasks are cancelled and the
    running ones stop at their next block.
    """
    n_draws = spec.draws if draws is None else int(draws)
    if n_draws < 1:
        msg = f"The 'draws' parameter of run_scenario() must be an int >= 1. Got {draws!r} instead."
        raise DataError(msg)
    if chunk < 1:
        msg = f"The 'chunk' parameter of run_scenario() must be an int >= 1. Got {chunk!r} instead."
        raise DataError(msg)
    p = load_parameters() if params is None else params
    net = load_network(params=p) if network is None else network
    io = scenario_table() if table is None else table
    ctx = make_context(spec, net, p, io, seed=seed)
    h = scenario_hash(spec)
    if run_id is not None and store is None:
        msg = "The 'run_id' parameter of run_scenario() needs a store to record the run in."
        raise DataError(msg)
    base = _scratch_base(store)
    _check_scratch(
        _scratch_bytes(ctx.inputs.system.n, n_draws),
        shutil.disk_usage(base).free,
        draws=n_draws,
        where=str(base),
    )
    out_dir: Path | None = None
    if store is not None:
        run_id = store.begin_run(
            f"run {spec.name}",
            {"scenario": spec.name, "draws": n_draws, "seed": seed, "spec": spec.model_dump()}
            | ({"batch": batch} if batch is not None else {}),
            spec_hash=h,
            seed=seed,
            run_id=run_id,
        )
        out_dir = store.run_dir(run_id)
        out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    spans = _chunks(n_draws, chunk)
    # Per-entity arrays go to a scratch folder (beside the store when there is one) as .npy
    # files, written by whoever evaluates the chunk; the statistics are then computed by
    # ranges of entities. A task returns kilobytes, and no process holds all draws at once.
    if out_dir is not None:
        scratch = out_dir / f".scratch-{secrets.token_hex(4)}"
        scratch.mkdir()
    else:
        scratch = Path(tempfile.mkdtemp(prefix="lahar-run-"))
    token = secrets.token_hex(16)
    (scratch / _TOKEN).write_text(token)
    heads: list[dict[str, Any]] = []
    workers_wrote = True
    futures: list[Any] = []
    try:
        if client is None:
            results = (
                _chunk(ctx, a, b, str(scratch), token, None if out_dir is None else str(out_dir))
                for a, b in spans
            )
        else:
            from dask.distributed import as_completed

            shared = client.scatter(ctx, broadcast=True)
            futures = [
                client.submit(
                    _chunk,
                    shared,
                    a,
                    b,
                    str(scratch),
                    token,
                    None if out_dir is None else str(out_dir),
                    tune_workers,
                    pure=False,
                )
                for a, b in spans
            ]
            results = (f.result() for f in as_completed(futures))
        for part in results:
            arrays = part.pop("arrays")
            if arrays is not None:  # the worker does not see our disk: write its arrays here
                workers_wrote = False
                losses, dflt = arrays
                lpath, dpath = _paths(scratch, part["start"])
                np.save(lpath, losses)
                np.save(dpath, dflt)
                if out_dir is not None and not part["parquet"]:
                    _write_parquet(ctx, part, losses, dflt, out_dir)
                del arrays, losses, dflt
            heads.append(part)
            if progress is not None:
                progress(len(heads), len(spans))
        heads.sort(key=lambda q: q["start"])
        starts = [q["start"] for q in heads]
        n = ctx.inputs.system.n
        if client is not None and workers_wrote:
            workers = max(1, len(client.scheduler_info().get("workers", {})))
            ranges = _entity_ranges(n, n_draws, at_least=2 * workers)
            futures = [
                client.submit(_entity_range, str(scratch), token, starts, lo, hi, pure=False)
                for lo, hi in ranges
            ]
            # a worker that ran no chunk may not see the scratch folder: reduce its ranges here
            stats = [
                _entity_range(str(scratch), token, starts, lo, hi) if got is None else got
                for got, (lo, hi) in zip(client.gather(futures), ranges, strict=True)
            ]
        else:
            stats = [
                _entity_range(str(scratch), token, starts, lo, hi)
                for lo, hi in _entity_ranges(n, n_draws)
            ]
        if any(r is None for r in stats):  # pragma: no cover - we wrote the token ourselves
            msg = f"the scratch folder {scratch} changed during the run"
            raise RuntimeError(msg)
        elapsed = time.perf_counter() - t0
        headline = pd.DataFrame(
            {
                "draw": np.concatenate([q["draw"] for q in heads]),
                **{k: np.concatenate([q["headline"][k] for q in heads]) for k in HEADLINES},
            }
        )
        xs = np.vstack([q["x"] for q in heads])
        inputs = pd.DataFrame({"draw": headline["draw"]})
        for k, d in enumerate(ctx.dims):
            inputs[d.name] = xs[:, k]
        entities = _entity_stats(ctx, cast(list[dict[str, Any]], stats))
        res = RunResult(
            scenario=spec.name,
            spec_hash=h,
            seed=seed,
            draws=n_draws,
            dims=ctx.dims,
            headline=headline,
            inputs=inputs,
            entities=entities,
            run_id=run_id,
            elapsed_s=elapsed,
        )
        if store is not None:
            summary = res.summary()
            store.end_run(
                run_id,
                status="done",
                elapsed_s=elapsed,
                results={
                    "headline": summary,
                    "entity_losses": entities,
                },
            )
    except BaseException:
        if store is not None and run_id is not None:
            store.end_run(run_id, status="failed", elapsed_s=time.perf_counter() - t0)
        raise
    finally:
        _remove_scratch(scratch, client, futures)
    return res


def _remove_scratch(scratch: Path, client: Any, futures: list[Any]) -> None:
    """Remove a run's scratch folder, also while tasks of the run are still running.

    The token goes first (a running chunk task stops writing at its next block), the pending
    tasks are cancelled and waited for, and the folder is renamed before it is removed: a task
    that has not yet stopped can then create no file in it (it reaches files by the old path),
    so nothing half-removed stays behind.
    """
    (scratch / _TOKEN).unlink(missing_ok=True)
    if client is not None and futures:
        from dask.distributed import wait

        try:
            client.cancel(futures)
            wait(futures, timeout=_CANCEL_WAIT_S)
        except Exception:  # a lost cluster: the rename below still holds
            pass
    gone = scratch.with_name(f"{scratch.name}.removing")
    try:
        scratch.rename(gone)
    except OSError:  # pragma: no cover - the folder was already gone
        gone = scratch
    shutil.rmtree(gone, ignore_errors=True)
