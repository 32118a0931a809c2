"""``lahar summary``: validate, load and summarise a dataset (the store is created if needed)."""

from __future__ import annotations

from typing import Annotated

import typer

from lahar.cli._common import (
    DataOption,
    StoreOption,
    console,
    fail_on_lahar_error,
    print_frame,
    usd,
)
from lahar.report import dataset_summary
from lahar.store import Store, default_store_path

__all__ = ["register"]


def run_cmd(
    data: DataOption = None,
    store: StoreOption = None,
    allow_empty: Annotated[
        bool,
        typer.Option(
            "--allow-empty",
            help="Import even if a table has no rows (its rows in the store are deleted).",
        ),
    ] = False,
) -> None:
    """Validate the dataset, load it into the store and print a summary."""
    path = store or default_store_path()
    with fail_on_lahar_error():
        st = Store(path)
        counts = st.import_dataset(data, allow_empty=allow_empty)
        summary = dataset_summary(st)
        run_id = st.record_run(
            "run",
            {"data": str(data) if data else "shipped", "store": str(path)},
            {
                "entities_by_kind": summary.entities_by_kind,
                "exposures_by_layer": summary.exposures_by_layer,
                "sourced": summary.sourced,
            },
        )
    console.print(
        f"[bold]lahar[/] dataset valid and loaded into {path}: "
        + ", ".join(f"{n} {k}" for k, n in counts.items()),
        highlight=False,
    )
    print_frame(summary.entities_by_kind, title="Entities by kind")
    print_frame(
        summary.exposures_by_layer,
        title="Exposures by layer and status (nominal USD, not annualised; superseded rows "
        "left out)",
        formats={"amount_usd": usd},
    )
    print_frame(
        summary.sourced,
        title="Sourced rows (source id resolves to a source with a URL)",
        formats={"sourced_share": lambda x: f"{x:.0%}"},
    )
    print_frame(
        summary.confidence,
        title="Exposures by confidence",
        formats={"amount_usd": usd, "amount_share": lambda x: f"{x:.0%}"},
    )
    print_frame(
        summary.largest,
        title="Ten largest exposures",
        formats={"amount_usd": usd, "term_years": lambda x: "" if x != x else f"{x:g}"},
    )
    if not summary.superseded.empty:
        print_frame(
            summary.superseded,
            title="Superseded exposures (replaced by a later row; not counted above)",
            formats={"amount_usd": usd},
        )
    console.print(f"run {run_id} recorded in {path}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``summary`` command (dataset summary) to the app."""
    app.command("summary")(run_cmd)
