"""``lahar data``: validate, import and export the dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lahar.cli._common import StoreOption, console, fail_on_lahar_error
from lahar.cli._options import choice, dataset_dir
from lahar.data import DATA_DIR, validate
from lahar.store import Store, default_store_path

__all__ = ["register"]

data_app = typer.Typer(help="Validate, import and export the dataset.", no_args_is_help=True)

DirArg = Annotated[
    Path | None,
    typer.Argument(
        help="Dataset folder (default: the shipped dataset).",
        show_default=False,
        callback=dataset_dir,
    ),
]


@data_app.command("validate")
def validate_cmd(directory: DirArg = None) -> None:
    """Check a dataset folder; print every problem as FILE:LINE: FIELD: message.

    At most 100 problems are listed per file (then "... and N more"); a file over 64 MiB, or
    one that is not a regular file, is refused unread. Exit code 1 when there is a problem.
    """
    where = directory or DATA_DIR
    problems = validate(where)
    for p in problems:
        typer.echo(str(p))
    if problems:
        typer.echo(f"{len(problems)} problem line(s) in {where}", err=True)
        raise typer.Exit(1)
    typer.echo(f"ok: {where} is valid")


@data_app.command("audit")
def audit_cmd(
    n: Annotated[int, typer.Option("--n", help="Rows to draw.", min=1)] = 50,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the draw.", min=0)] = 0,
    directory: DirArg = None,
) -> None:
    """Print a reproducible random sample of sourced rows (figure, source, class) to re-check."""
    from lahar.data.audit import sample_rows, source_class_shares

    with fail_on_lahar_error():
        rows = sample_rows(n, seed, directory)
        shares = source_class_shares(directory)
    for r in rows.itertuples(index=False):
        typer.echo(
            f"{r.file}:{r.id}\t{r.row}\t{r.figure:,.6g} {r.unit}\t{r.status}/{r.confidence or '-'}"
            f"\t{r.source_id} [{r.source_class}] {r.publication}, {r.date}\t{r.url}"
        )
    parts = ", ".join(f"{k} {v:.1%}" for k, v in shares.items())
    typer.echo(f"exposure and fact rows by source class: {parts}")


@data_app.command("import")
def import_cmd(
    directory: DirArg = None,
    store: StoreOption = None,
    allow_empty: Annotated[
        bool,
        typer.Option(
            "--allow-empty",
            help="Import even if a table has no rows (its rows in the store are deleted).",
        ),
    ] = False,
) -> None:
    """Validate a dataset and replace the store's dataset with it (all or nothing)."""
    path = store or default_store_path()
    with fail_on_lahar_error():
        counts = Store(path).import_dataset(directory, allow_empty=allow_empty)
    parts = ", ".join(f"{n} {name}" for name, n in counts.items())
    console.print(f"imported into {path}: {parts}", highlight=False)


@data_app.command("export")
def export_cmd(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("export"),
    fmt: Annotated[
        str,
        typer.Option("--format", help="parquet or csv.", callback=choice("parquet", "csv")),
    ] = "parquet",
    store: StoreOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files that already exist in --out.")
    ] = False,
    raw: Annotated[
        bool,
        typer.Option(
            "--raw",
            help="CSV: keep text as stored. By default a cell starting with = + - @ or a tab "
            "gets a leading ' so spreadsheets do not run it as a formula.",
        ),
    ] = False,
) -> None:
    """Write every store table to Parquet or CSV files (never overwrites without --force)."""
    with fail_on_lahar_error():
        paths = Store(store or default_store_path(), read_only=True).export(
            out, fmt=fmt, overwrite=force, raw=raw
        )
    for p in paths:
        typer.echo(str(p))


def register(app: typer.Typer) -> None:
    """Add the ``data`` group to the app."""
    app.add_typer(data_app, name="data")
