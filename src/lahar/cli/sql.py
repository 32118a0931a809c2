"""``lahar sql``: query the store (read-only)."""

from __future__ import annotations

from typing import Annotated

import typer

from lahar.cli._common import StoreOption, fail_on_lahar_error, print_frame, validate_format
from lahar.store import Store, default_store_path

__all__ = ["register"]


def sql_cmd(
    query: Annotated[
        str, typer.Argument(help='SQL, e.g. "SELECT kind, count(*) FROM entities GROUP BY 1".')
    ],
    store: StoreOption = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Run a SQL query on the store through a read-only connection."""
    validate_format(fmt)
    with fail_on_lahar_error():
        frame = Store(store or default_store_path(), read_only=True).sql(query)
    print_frame(frame, fmt=fmt)


def register(app: typer.Typer) -> None:
    """Add the ``sql`` command to the app."""
    app.command("sql")(sql_cmd)
