"""``lahar analyze``: the article's claims as tables, printed and recorded in the store.

``lahar analyze circularity`` (or leverage, gap, concentration, energy, geopolitics,
governance, all) builds the topic's tables on the shipped dataset (or ``--data``) with
:func:`lahar.report.findings.analyze`, prints them (rich tables, ``--format csv`` or ``json``)
and records them in the store under a new run id (skip with ``--no-store``). The money-flow
assumptions of the circularity tables are options; their defaults are the dataset's
(``parameters.csv``, the ``money_flow`` column of ``exposures.csv``).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated, Any

import typer

from lahar.cli._common import (
    DataOption,
    NoStoreOption,
    RecordStoreOption,
    console,
    fail_on_lahar_error,
)
from lahar.cli._options import (
    FormatOption,
    choice,
    exposure_ids,
    exposure_statuses,
    float_in,
    known_ids,
    status_weights,
)
from lahar.data import status_weights as dataset_status_weights
from lahar.errors import LaharError
from lahar.report.findings import TOPICS, analyze

__all__ = ["parse_weights", "register"]

_TOPIC_HELP = ", ".join([*TOPICS, "all"])


def parse_weights(text: str, defaults: dict[str, float] | None = None) -> dict[str, float]:
    """Parse ``"announced=0.25,committed=0.5"`` into a status → weight mapping.

    Unnamed statuses keep their default weight (``defaults``, default the dataset's table
    :func:`lahar.data.status_weights`); ``"1"`` alone sets every weight to 1 (headline amounts).

    Examples
    --------
    >>> parse_weights("announced=0,committed=1")["committed"]
    1.0
    >>> parse_weights("1") == dict.fromkeys(dataset_status_weights(), 1.0)
    True
    """
    base = dataset_status_weights() if defaults is None else dict(defaults)
    text = text.strip()
    if text in ("1", "1.0"):
        return dict.fromkeys(base, 1.0)
    out = dict(base)
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep or key.strip() not in out:
            raise typer.BadParameter(
                f"expected status=weight with a status in {', '.join(out)}; got {part!r}"
            )
        try:
            out[key.strip()] = float(value)
        except ValueError:
            raise typer.BadParameter(
                f"weight of {key.strip()!r} is not a number: {value!r}"
            ) from None
        if out[key.strip()] < 0:
            raise typer.BadParameter(f"weight of {key.strip()!r} must be >= 0; got {value}")
    return out


def _ids(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(x.strip() for x in text.split(",") if x.strip())


def analyze_cmd(
    topic: Annotated[
        str,
        typer.Argument(
            help=f"One of: {_TOPIC_HELP}.", show_default=False, callback=choice(*TOPICS, "all")
        ),
    ],
    fmt: FormatOption = "table",
    data: DataOption = None,
    store: RecordStoreOption = None,
    no_store: NoStoreOption = False,
    weights: Annotated[
        str | None,
        typer.Option(
            "--weights",
            help="Status weights, each a finite number >= 0, e.g. 'announced=0.25,committed=0.5' "
            "(others keep defaults); '1' = headline amounts.",
            show_default=False,
            callback=status_weights(exposure_statuses),
        ),
    ] = None,
    spread_years: Annotated[
        float | None,
        typer.Option(
            "--spread-years",
            help="Years over which one-off amounts (no term) are spread, a number >= 0 (default: "
            "the dataset's termless_years); 0 = count them whole.",
            callback=float_in(0.0, meaning="0 = count one-off amounts whole"),
            show_default=False,
        ),
    ] = None,
    no_annualize: Annotated[
        bool, typer.Option("--no-annualize", help="Whole amounts, not per year.")
    ] = False,
    holdings: Annotated[
        bool,
        typer.Option("--holdings", help="Count market holdings of listed shares as money paid."),
    ] = False,
    exclude: Annotated[
        str | None,
        typer.Option(
            "--exclude",
            help="Comma-separated exposure ids left out; replaces the default (the rows whose "
            "money_flow is exclude; '' for none).",
            show_default=False,
            callback=known_ids("exposure", exposure_ids),
        ),
    ] = None,
    reverse: Annotated[
        str | None,
        typer.Option(
            "--reverse",
            help="Comma-separated exposure ids whose money goes target -> source; replaces the "
            "default (the rows whose money_flow is reverse; '' for none).",
            show_default=False,
            callback=known_ids("exposure", exposure_ids),
        ),
    ] = None,
) -> None:
    """Print (and store) the tables of one topic, or of all."""
    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter(f"--format must be table, csv or json; got {fmt!r}")
    if topic != "all" and topic not in TOPICS:
        raise typer.BadParameter(f"TOPIC must be one of {_TOPIC_HELP}; got {topic!r}")
    assumptions: dict[str, Any] = {
        "annualize": not no_annualize,
        "status_weights": parse_weights(weights) if weights else None,
        # 0 (or less) counts one-off amounts whole in the year, as before
        "termless_years": None if spread_years is None else max(spread_years, 0.0) or 1.0,
        "holdings": holdings,
        "exclude": _ids(exclude),
        "reverse": _ids(reverse),
    }
    started = time.perf_counter()
    with fail_on_lahar_error():
        try:
            tables = analyze(topic, data=data, **assumptions)
        except ValueError as exc:
            if isinstance(exc, LaharError):
                raise
            raise LaharError(str(exc)) from exc
        run_id = None
        if not no_store:
            from lahar.store import Store

            run_id = Store(store).record_run(
                f"analyze {topic}",
                {**assumptions, "data": str(data) if data else "shipped"},
                tables,
            )
    _emit(tables, fmt)
    elapsed = time.perf_counter() - started
    note = f"run {run_id} recorded in {store or 'the default store'}" if run_id else "not stored"
    if fmt == "table":
        console.print(f"[dim]{len(tables)} tables in {elapsed:.2f} s; {note}[/]", highlight=False)
    else:
        typer.echo(f"{note}", err=True)


def _emit(tables: dict, fmt: str) -> None:
    if fmt == "json":
        payload = {
            name: json.loads(frame.to_json(orient="records")) for name, frame in tables.items()
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    if fmt == "csv":
        for name, frame in tables.items():
            sys.stdout.write(f"# {name}\n")
            sys.stdout.write(frame.to_csv(index=False))
        return
    from rich.table import Table

    from lahar.report.display import DISPLAY, TITLES, display_table

    for name, frame in tables.items():
        shown = display_table(name, frame)
        back = {v: k for k, v in DISPLAY.get(name, {}).items()}
        table = Table(title=f"{TITLES.get(name, name)}  [dim]({name})[/]", title_justify="left")
        for col in shown.columns:
            src = back.get(col, col)
            numeric = src in frame.columns and frame[src].dtype.kind in "fiu"
            table.add_column(str(col), justify="right" if numeric else "left", overflow="fold")
        for row in shown.itertuples(index=False):
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)


def register(app: typer.Typer) -> None:
    """Add the ``analyze`` command to the app."""
    app.command("analyze")(analyze_cmd)
