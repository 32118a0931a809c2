"""``lahar abm``: simulate the agent-based boom and bust, store the paths, print the bust odds."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import typer

from lahar.cli._common import (
    StoreOption,
    console,
    fail_on_lahar_error,
    print_frame,
    usd,
    validate_format,
)
from lahar.simulation import AbmResult, AbmSummary, simulate, summarize
from lahar.store import Store, default_store_path

__all__ = ["paths_table", "register", "runs_dir"]


def runs_dir(store: Path) -> Path:
    """Folder of draw-level files beside a store: ``<store>.runs``."""
    return store.with_name(store.name + ".runs")


def paths_table(result: AbmResult) -> pa.Table:
    """The ``(runs, quarters)`` paths as one long Arrow table (run, quarter, one column each)."""
    runs, quarters = result.runs, result.quarters
    cols: dict[str, pa.Array] = {
        "run": pa.array(np.repeat(np.arange(runs, dtype=np.int32), quarters)),
        "quarter": pa.array(np.tile(np.arange(quarters, dtype=np.int32), runs)),
    }
    for name, arr in result.paths().items():
        cols[name] = pa.array(arr.reshape(-1))
    return pa.table(cols)


def _summary_frame(s: AbmSummary) -> pd.DataFrame:
    rows = [
        (f"Bust probability within {s.quarters} quarters", s.bust_probability, "share of runs"),
        ("Any builder defaults", s.default_probability, "share of runs"),
        ("Bust quarter, mean", s.bust_quarter_mean, "quarter (1 = first)"),
        ("Bust quarter, median", s.bust_quarter_median, "quarter (1 = first)"),
        ("Capex fall from peak, median of busts", s.capex_depth, "fraction"),
        ("Index drawdown, median of busts", s.price_depth, "log points"),
        ("Lenders' credit loss, mean", s.credit_loss_mean, "USD"),
        ("Network (DebtRank) loss, mean", s.network_loss_mean, "USD"),
        ("Credit + network loss, 95th percentile", s.loss_p95, "USD"),
    ]
    return pd.DataFrame(rows, columns=["item", "value", "unit"])


def _fmt(row_unit: pd.Series) -> list[str]:
    out = []
    for v, u in zip(row_unit["value"], row_unit["unit"], strict=True):
        if v != v:
            out.append("-")
        elif u == "USD":
            out.append(usd(v))
        elif u == "share of runs":
            out.append(f"{v:.1%}")
        else:
            out.append(f"{v:.2f}")
    return out


def abm_cmd(
    runs: Annotated[int, typer.Option("--runs", min=1, help="Independent runs (>= 1).")] = 1000,
    quarters: Annotated[
        int, typer.Option("--quarters", min=1, help="Quarters per run (>= 1).")
    ] = 40,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Root seed (>= 0).")] = 0,
    store: StoreOption = None,
    fmt: Annotated[
        str,
        typer.Option("--format", help="table or json (the summary as JSON on stdout)."),
    ] = "table",
) -> None:
    """Simulate the agent-based boom and bust; print the odds, timing, depth and losses of a bust.

    The paths go to ``<store>.runs/<run_id>/abm_paths.parquet`` and a run row to the store.
    """
    fmt = validate_format(fmt, ("table", "json"))
    path = Path(store or default_store_path())
    with fail_on_lahar_error():
        result = simulate(runs=runs, quarters=quarters, seed=seed)
        summary = summarize(result)
        table = paths_table(result)
        st = Store(path)
        folder = runs_dir(path)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".abm_paths.{os.getpid()}.parquet"
        pq.write_table(table, tmp)
        try:
            builders = pd.DataFrame(
                {
                    "entity": list(summary.builder_default_probability),
                    "default_probability": list(summary.builder_default_probability.values()),
                }
            )
            frame = _summary_frame(summary)
            run_id = st.record_run(
                "abm",
                {"runs": runs, "quarters": quarters, "seed": seed},
                {
                    "abm_summary": frame[["item", "value"]].rename(columns={"value": "estimate"}),
                    "abm_builders": builders,
                },
            )
            final = folder / run_id / "abm_paths.parquet"
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp.replace(final)
        finally:
            tmp.unlink(missing_ok=True)
    if fmt == "json":
        out = summary.to_dict() | {"run_id": run_id, "paths": str(final)}
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return
    shown = frame.assign(value=_fmt(frame))
    print_frame(
        shown, title=f"Agent-based boom and bust: {runs} runs x {quarters} quarters, seed {seed}"
    )
    builders = builders.sort_values("default_probability", ascending=False)
    print_frame(
        builders[builders["default_probability"] > 0].head(10),
        title="Builders most likely to default",
        formats={"default_probability": lambda x: f"{x:.1%}"},
    )
    console.print(f"run {run_id} recorded in {path}; paths in {final}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``abm`` command to the app."""
    app.command("abm")(abm_cmd)
