"""Monte Carlo over a scenario's uncertain quantities, in one process or on a Dask cluster.

Draws are evaluated in blocks of :data:`BLOCK` (each block one vectorised cascade), blocks are
grouped into chunks (one task each), and a draw's result depends only on (spec, data, seed,
draw): any chunk size, one process, ``workers=N`` (a ``dask.distributed.LocalCluster``) or an
existing cluster at a scheduler address give bit-identical results. The scenario's context
(network arrays, parameters, the input-output table) is sent to the workers once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lahar.contagion import CHANNELS
from lahar.data import IOTable, ParameterSet, load_bea, load_network, load_parameters
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
        Wall time of the draws.
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


def _chunk(ctx: Context, start: int, stop: int) -> dict[str, Any]:
    """Evaluate draws ``start .. stop-1`` block by block (the unit of determinism)."""
    parts = [evaluate(ctx, a, min(a + BLOCK, stop)) for a in range(start, stop, BLOCK)]
    return {
        "start": start,
        "draw": np.concatenate([p["draw"] for p in parts]),
        "x": np.vstack([p["x"] for p in parts]),
        "headline": {k: np.concatenate([p["headline"][k] for p in parts]) for k in HEADLINES},
        "channels": {c: np.hstack([p["channels"][c] for p in parts]) for c in CHANNELS},
        "client": np.hstack([p["client"] for p in parts]),
        "defaulted": np.hstack([p["defaulted"] for p in parts]),
    }


def _frames(ctx: Context, part: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw-level tables of a chunk: one row per draw, one row per (draw, entity)."""
    draws = pd.DataFrame({"draw": part["draw"], **part["headline"]})
    for k, d in enumerate(ctx.dims):
        draws[f"x.{d.name}"] = part["x"][:, k]
    n, s = part["client"].shape
    ent = pd.DataFrame(
        {
            "draw": np.tile(part["draw"], n),
            "entity": np.repeat(ctx.inputs.ids, s),
            **{c: part["channels"][c].ravel() for c in CHANNELS},
            "client": part["client"].ravel(),
            "defaulted": part["defaulted"].ravel(),
        }
    )
    ent = ent[
        (ent[list(CHANNELS)].to_numpy().sum(axis=1) > 0) | ent["client"].gt(0) | ent["defaulted"]
    ]
    return draws, ent.reset_index(drop=True)


def _entity_stats(ctx: Context, parts: list[dict[str, Any]]) -> pd.DataFrame:
    ids = ctx.inputs.ids
    rows = []
    stacked = {c: np.hstack([p["channels"][c] for p in parts]) for c in CHANNELS}
    first, *rest = CHANNELS
    stacked["total"] = sum((stacked[c] for c in rest), stacked[first])
    stacked["client"] = np.hstack([p["client"] for p in parts])
    dflt = np.hstack([p["defaulted"] for p in parts])
    for name, arr in stacked.items():
        qs = np.quantile(arr, _QUANTILES, axis=1)
        frame = pd.DataFrame(
            {
                "entity": ids,
                "channel": name,
                "mean": arr.mean(axis=1),
                **{f"q{round(100 * q):02d}": qs[k] for k, q in enumerate(_QUANTILES)},
                "default_probability": dflt.mean(axis=1) if name == "total" else np.nan,
            }
        )
        rows.append(frame[(frame["mean"] > 0) | (frame["default_probability"] > 0)])
    return pd.concat(rows, ignore_index=True)


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

    Returns
    -------
    RunResult

    Raises
    ------
    lahar.errors.DataError
        The spec does not fit the data (unknown entities, parameters), or bad options.
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
    io = load_bea(2023, domestic=True) if table is None else table
    ctx = make_context(spec, net, p, io, seed=seed)
    h = scenario_hash(spec)
    if run_id is not None and store is None:
        msg = "The 'run_id' parameter of run_scenario() needs a store to record the run in."
        raise DataError(msg)
    out_dir: Path | None = None
    if store is not None:
        run_id = store.begin_run(
            f"run {spec.name}",
            {"scenario": spec.name, "draws": n_draws, "seed": seed, "spec": spec.model_dump()},
            spec_hash=h,
            seed=seed,
            run_id=run_id,
        )
        out_dir = store.run_dir(run_id)
        out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    spans = _chunks(n_draws, chunk)
    parts: list[dict[str, Any]] = []
    try:
        if client is None:
            results = (_chunk(ctx, a, b) for a, b in spans)
        else:
            from dask.distributed import as_completed

            shared = client.scatter(ctx, broadcast=True)
            futures = [client.submit(_chunk, shared, a, b, pure=False) for a, b in spans]
            results = (f.result() for f in as_completed(futures))
        for part in results:
            parts.append(part)
            if out_dir is not None:
                dframe, eframe = _frames(ctx, part)
                dframe.to_parquet(out_dir / f"draws-{part['start']:09d}.parquet", index=False)
                eframe.to_parquet(out_dir / f"entities-{part['start']:09d}.parquet", index=False)
            if progress is not None:
                progress(len(parts), len(spans))
        parts.sort(key=lambda q: q["start"])
        elapsed = time.perf_counter() - t0
        headline = pd.DataFrame(
            {
                "draw": np.concatenate([q["draw"] for q in parts]),
                **{k: np.concatenate([q["headline"][k] for q in parts]) for k in HEADLINES},
            }
        )
        xs = np.vstack([q["x"] for q in parts])
        inputs = pd.DataFrame({"draw": headline["draw"]})
        for k, d in enumerate(ctx.dims):
            inputs[d.name] = xs[:, k]
        entities = _entity_stats(ctx, parts)
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
    return res
