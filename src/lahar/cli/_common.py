"""Helpers shared by the CLI command modules: options, output formats, error handling."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from lahar.cli._options import dataset_dir
from lahar.errors import StoreError

__all__ = [
    "DataOption",
    "NoStoreOption",
    "RecordStoreOption",
    "StoreOption",
    "console",
    "fail_on_lahar_error",
    "print_frame",
    "usd",
]

console = Console()

StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        envvar="LAHAR_STORE",
        help="DuckDB store file (default ./lahar.duckdb; env LAHAR_STORE).",
        show_default=False,
    ),
]


def _recording_store(ctx: typer.Context, param: Any, value: Path | None) -> Path | None:
    """Refuse to create the default store implicitly: say how to create one, or --no-store."""
    if value is not None or ctx.params.get("no_store"):
        return value
    from lahar.store import default_store_path

    path = default_store_path()
    if not path.exists():
        raise StoreError(
            f"No store at {path} to record this run in: create one with `lahar data import` "
            "(or `lahar run`), name one with --store, or add --no-store."
        )
    return value


DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Dataset folder (default: the shipped dataset).",
        show_default=False,
        is_eager=True,  # parsed first: --exclude/--reverse check ids against this dataset
        callback=dataset_dir,
    ),
]
"""``--data``: a dataset folder, checked to exist and be a folder."""

RecordStoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        envvar="LAHAR_STORE",
        help="DuckDB store the run is recorded in (default ./lahar.duckdb, which must exist; "
        "a store named here is created if needed; env LAHAR_STORE).",
        show_default=False,
        callback=_recording_store,
    ),
]
"""``--store`` of a command that computes and records its run (analyze, macro)."""

NoStoreOption = Annotated[
    bool, typer.Option("--no-store", help="Do not record the run in the store.")
]


def usd(x: float) -> str:
    """Format a USD amount compactly: $1.23T, $45.6B, $789M, $12K."""
    if x is None or pd.isna(x):
        return "-"
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(x) >= scale:
            return f"${x / scale:,.{3 if scale == 1e12 else 1}f}{suffix}"
    return f"${x:,.0f}"


def print_frame(
    frame: pd.DataFrame,
    *,
    title: str | None = None,
    fmt: str = "table",
    formats: dict[str, Callable[[Any], str]] | None = None,
) -> None:
    """Print a DataFrame as a rich table, CSV or JSON (records)."""
    if fmt == "csv":
        sys.stdout.write(frame.to_csv(index=False))
        return
    if fmt == "json":
        sys.stdout.write(
            json.dumps(json.loads(frame.to_json(orient="records", date_format="iso")), indent=2)
            + "\n"
        )
        return
    table = Table(title=title, title_justify="left", show_lines=False)
    formats = formats or {}
    for col in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[col])
        table.add_column(str(col), justify="right" if numeric else "left", overflow="fold")
    for row in frame.itertuples(index=False):
        cells = []
        for col, value in zip(frame.columns, row, strict=True):
            if col in formats:
                cells.append(formats[col](value))
            elif value is None or (not isinstance(value, str) and pd.isna(value)):
                cells.append("")
            elif _is_year(str(col)) and isinstance(value, int | float):
                cells.append(f"{value:.0f}")  # 2049, never 2,049
            elif isinstance(value, float):
                cells.append(f"{value:,.4g}")
            else:
                cells.append(str(value))
        table.add_row(*cells)
    console.print(table)


def _is_year(column: str) -> bool:
    """A column of calendar years (``year``, ``maturity_year``, ``year_end``...)."""
    return column == "year" or column.endswith("_year") or column.startswith("year_")


@contextmanager
def fail_on_lahar_error() -> Iterator[None]:
    """Mark a block whose :class:`~lahar.errors.LaharError` is an expected failure.

    The errors pass through unchanged: the root group of :mod:`lahar.cli` is the one place
    that prints them (``error: ...``, exit code 1, naming the option where a library message
    names a parameter) or, with ``--debug``, shows the traceback.
    """
    yield


def validate_format(fmt: str, allowed: tuple[str, ...] = ("table", "csv", "json")) -> str:
    """Check an output format option."""
    if fmt not in allowed:
        raise typer.BadParameter(f"expected one of {', '.join(allowed)}; got {fmt!r}")
    return fmt
