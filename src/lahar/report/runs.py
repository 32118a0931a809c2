"""Scenario runs read back from a store: which runs a report shows, and their results."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from lahar.errors import DataError
from lahar.scenarios import Scenario
from lahar.store import Store

__all__ = ["StoredRun", "latest_batch", "load_run", "resolve_runs"]

_RUN_PREFIX = "run "  # the command of a scenario run (lahar.scenarios.run_scenario)


def _scenario_runs(store: Store) -> pd.DataFrame:
    runs = store.runs()
    return runs[runs["command"].str.startswith(_RUN_PREFIX) & (runs["status"] == "done")]


def _batch_of(params: Any) -> str | None:
    try:
        got = json.loads(params).get("batch") if isinstance(params, str) else None
    except (ValueError, AttributeError):
        return None
    return got if isinstance(got, str) else None


def latest_batch(store: Store) -> list[str]:
    """Run ids of the latest ``lahar run``: the newest scenario run and those of its batch.

    A ``lahar run`` records its scenarios with one ``batch`` label (``params.batch``); the
    batch is the newest finished scenario run and every run with its label, oldest first.
    Runs without a label (from Python, or an older lahar) group by process id and host: the
    newest and the runs just before it from the same process.

    Raises
    ------
    lahar.errors.DataError
        The store holds no finished scenario run.
    """
    runs = _scenario_runs(store).reset_index(drop=True)
    if runs.empty:
        raise DataError(f"no finished scenario run in {store.path}; run `lahar run` first.")
    first = runs.iloc[0]
    label = _batch_of(first["params"])
    if label is not None:
        same = runs[[_batch_of(p) == label for p in runs["params"]]]
        return list(same["run_id"])[::-1]
    batch = [first["run_id"]]
    for _, row in runs.iloc[1:].iterrows():
        if row["pid"] != first["pid"] or row["host"] != first["host"]:
            break
        batch.append(row["run_id"])
    return batch[::-1]


def resolve_runs(store: Store, ids: list[str] | None = None) -> list[str]:
    """Full run ids from ids, unique prefixes or ``latest`` (default: :func:`latest_batch`).

    Raises
    ------
    lahar.errors.DataError
        An id matches no finished scenario run (the message lists close matches) or more
        than one.
    """
    if not ids or ids == ["latest"]:
        return latest_batch(store)
    known = list(_scenario_runs(store)["run_id"])
    out: list[str] = []
    for given in ids:
        if given == "latest":
            out += [r for r in latest_batch(store) if r not in out]
            continue
        hits = [r for r in known if r.startswith(given)]
        if len(hits) > 1:
            raise DataError(
                f"run id {given!r} matches {len(hits)} runs in {store.path}; give more of it."
            )
        if not hits:
            close = difflib.get_close_matches(given, known, n=3, cutoff=0.5)
            hint = f"; close: {', '.join(close)}" if close else ""
            raise DataError(
                f"no finished scenario run {given!r} in {store.path}{hint} "
                "(`lahar results latest` shows the latest)."
            )
        if hits[0] not in out:
            out.append(hits[0])
    return out


@dataclass(frozen=True)
class StoredRun:
    """A scenario run as the store holds it.

    Attributes
    ----------
    run_id, scenario, spec_hash, dataset_digest, lahar_version, created_at : str
        Provenance (``dataset_digest`` may be empty for a store without an import digest).
    draws, seed : int
        Monte Carlo draws and seed.
    spec : Scenario
        The spec the run used.
    summary : pandas.DataFrame
        :meth:`lahar.scenarios.RunResult.summary` (``outcome, mean, q05, q50, q95``).
    entities : pandas.DataFrame
        :attr:`lahar.scenarios.RunResult.entities`.
    draws_table : pandas.DataFrame
        One row per draw (outcomes and ``x.<quantity>`` columns) from the run's Parquet
        files; empty if they are gone.
    """

    run_id: str
    scenario: str
    spec_hash: str
    dataset_digest: str
    lahar_version: str
    created_at: str
    draws: int
    seed: int
    spec: Scenario
    summary: pd.DataFrame
    entities: pd.DataFrame
    draws_table: pd.DataFrame


def _wide(long: pd.DataFrame, index: list[str]) -> pd.DataFrame:
    return (
        long.pivot_table(index=index, columns="metric", values="value", dropna=False, sort=False)
        .reset_index()
        .rename_axis(columns=None)
    )


def load_run(store: Store, run_id: str, *, runs: pd.DataFrame | None = None) -> StoredRun:
    """Read a finished scenario run back: provenance, summary, per-entity losses, draws.

    Parameters
    ----------
    store : Store
        The store.
    run_id : str
        A full run id (:func:`resolve_runs`).
    runs : pandas.DataFrame, optional
        ``store.runs()`` if the caller has it (saves a query per run).

    Raises
    ------
    lahar.errors.DataError
        No finished scenario run has this id.
    """
    runs = _scenario_runs(store) if runs is None else runs
    hit = runs[(runs["run_id"] == run_id) & runs["command"].str.startswith(_RUN_PREFIX)]
    if hit.empty:
        raise DataError(f"no finished scenario run {run_id!r} in {store.path}.")
    row = hit.iloc[0]
    params: dict[str, Any] = json.loads(row["params"])
    both = store.results(run_id)
    head = both[both["name"] == "headline"]
    head = head.assign(outcome=[json.loads(k)["outcome"] for k in head["key"]])
    summary = _wide(head, ["outcome"])[["outcome", "mean", "q05", "q50", "q95"]]
    ent = both[both["name"] == "entity_losses"]
    ent = ent.assign(channel=[json.loads(k)["channel"] for k in ent["key"]])
    entities = _wide(ent, ["entity", "channel"])
    folder = store.run_dir(run_id)
    files = sorted(folder.glob("draws-*.parquet")) if folder.is_dir() else []
    draws_table = (
        pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
        if files
        else pd.DataFrame()
    )

    def text(v: Any) -> str:
        return "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)

    return StoredRun(
        run_id=run_id,
        scenario=str(params.get("scenario", row["command"][len(_RUN_PREFIX) :])),
        spec_hash=text(row["spec_hash"]),
        dataset_digest=text(row["dataset_digest"]),
        lahar_version=text(row["lahar_version"]),
        created_at=text(row["created_at"]),
        draws=int(params.get("draws", len(draws_table))),
        seed=int(params.get("seed", 0)),
        spec=Scenario.model_validate(params["spec"]),
        summary=summary,
        entities=entities,
        draws_table=draws_table,
    )
