"""``lahar report``: the HTML report of the dataset and scenario runs held in a store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lahar.cli._common import StoreOption, console, fail_on_lahar_error
from lahar.errors import StoreError

__all__ = ["ReportDirOption", "default_report_dir", "register", "report_written"]

ReportDirOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Folder of the report (default: lahar-report beside the store).",
        show_default=False,
        file_okay=False,
    ),
]


def default_report_dir(store: Path) -> Path:
    """``lahar-report`` in the store's folder (./lahar-report for the default store)."""
    return store.parent / "lahar-report"


def report_written(path: Path) -> str:
    """The line that says where the report is and how to open it."""
    size = path.stat().st_size / 1e6
    return f"report: {path} ({size:.1f} MB; open {path.resolve().as_uri()} in a browser)"


def report_cmd(
    run_id: Annotated[
        list[str] | None,
        typer.Argument(
            help="Scenario run ids (or unique prefixes), or 'latest' (default: the runs of "
            "the latest `lahar run`).",
            show_default=False,
        ),
    ] = None,
    out: ReportDirOption = None,
    store: StoreOption = None,
) -> None:
    """Write the HTML report (one file, opens offline) of the dataset and scenario runs."""
    from lahar.report.html import write_report
    from lahar.store import Store, default_store_path

    path = store or default_store_path()
    with fail_on_lahar_error():
        if not Path(path).exists():
            raise StoreError(f"no store at {path}; run `lahar run` first.")
        with console.status("writing the report"):
            written = write_report(
                Store(path, read_only=True), run_id, out or default_report_dir(Path(path))
            )
    console.print(report_written(written), highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to the app."""
    app.command("report")(report_cmd)
