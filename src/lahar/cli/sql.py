"""``lahar sql``: one read-only query on the store, in a sandbox.

The query runs through :func:`lahar.store.sandboxed_query`: no file other than the store can
be read or written, nothing is downloaded, only one read statement is accepted, and the row
and time limits below apply. The safety rules are listed in ``docs/cli.md``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from lahar.cli._common import StoreOption, fail_on_lahar_error, print_frame
from lahar.cli._options import FormatOption, positive_float, positive_int
from lahar.store import MAX_ROWS, TIMEOUT_S, default_store_path, sandboxed_query

__all__ = ["register"]


def sql_cmd(
    query: Annotated[
        str, typer.Argument(help='SQL, e.g. "SELECT kind, count(*) FROM entities GROUP BY 1".')
    ],
    store: StoreOption = None,
    fmt: FormatOption = "table",
    max_rows: Annotated[
        int,
        typer.Option(
            "--max-rows",
            help="Rows printed at most (an integer >= 1); more are cut with a note.",
            callback=positive_int,
        ),
    ] = MAX_ROWS,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            help="Seconds before the query is stopped (a number > 0).",
            callback=positive_float,
        ),
    ] = TIMEOUT_S,
) -> None:
    """Run one read-only SQL query on the store (sandboxed: no other file, no network)."""
    with fail_on_lahar_error():
        result = sandboxed_query(
            store or default_store_path(), query, max_rows=max_rows, timeout_s=timeout
        )
    print_frame(result.frame, fmt=fmt)
    if result.truncated:
        typer.echo(
            f"note: only the first {result.max_rows} rows are shown; add LIMIT or raise "
            "--max-rows.",
            err=True,
        )


def register(app: typer.Typer) -> None:
    """Add the ``sql`` command to the app."""
    app.command("sql")(sql_cmd)
