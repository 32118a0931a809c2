"""``lahar analyze``: the article's claims as tables, printed and recorded in the store.

``lahar analyze circularity`` (or leverage, gap, concentration, energy, geopolitics,
governance, all) builds the topic's tables on the shipped dataset (or ``--data``), prints them
(rich tables, ``--format csv`` or ``json``) and records them in the store under a new run id
(skip with ``--no-store``). The money-flow assumptions of the circularity tables are options.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated

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
from lahar.errors import LaharError

__all__ = ["parse_weights", "register"]

# kept in step with lahar.analytics (tests check); the analytics load only when the command runs
_TOPICS = ("circularity", "leverage", "gap", "concentration", "energy", "geopolitics", "governance")
_TOPIC_HELP = ", ".join([*_TOPICS, "all"])
_STATUS_WEIGHTS = {
    "announced": 0.25,
    "committed": 0.5,
    "drawn": 1.0,
    "reported": 1.0,
    "estimate": 0.5,
}
_SPREAD_YEARS = 5.0
_EXCLUDE = ("X0019", "X0179")
_REVERSE = ("X0005",)


def parse_weights(text: str) -> dict[str, float]:
    """Parse ``"announced=0.25,committed=0.5"`` into a status → weight mapping.

    Unnamed statuses keep their default weight (:data:`DEFAULT_STATUS_WEIGHTS`); ``"1"``
    alone sets every weight to 1 (headline amounts).

    Examples
    --------
    >>> parse_weights("announced=0,committed=1")["committed"]
    1.0
    >>> parse_weights("1") == dict.fromkeys(_STATUS_WEIGHTS, 1.0)
    True
    """
    text = text.strip()
    if text in ("1", "1.0"):
        return dict.fromkeys(_STATUS_WEIGHTS, 1.0)
    out = dict(_STATUS_WEIGHTS)
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


def _ids(text: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if text is None:
        return default
    return tuple(x.strip() for x in text.split(",") if x.strip())


def analyze_cmd(
    topic: Annotated[
        str,
        typer.Argument(
            help=f"One of: {_TOPIC_HELP}.", show_default=False, callback=choice(*_TOPICS, "all")
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
        float,
        typer.Option(
            "--spread-years",
            help="Years over which one-off amounts (no term) are spread, a number >= 0; "
            "0 = count them whole.",
            callback=float_in(0.0, meaning="0 = count one-off amounts whole"),
        ),
    ] = _SPREAD_YEARS,
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
            help="Comma-separated exposure ids left out; replaces the default "
            f"{','.join(_EXCLUDE)} ('' for none).",
            show_default=False,
            callback=known_ids("exposure", exposure_ids),
        ),
    ] = None,
    reverse: Annotated[
        str | None,
        typer.Option(
            "--reverse",
            help="Comma-separated exposure ids whose money goes target -> source; replaces "
            f"the default {','.join(_REVERSE)} ('' for none).",
            show_default=False,
            callback=known_ids("exposure", exposure_ids),
        ),
    ] = None,
) -> None:
    """Print (and store) the tables of one topic, or of all."""
    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter(f"--format must be table, csv or json; got {fmt!r}")
    if topic != "all" and topic not in _TOPICS:
        raise typer.BadParameter(f"TOPIC must be one of {_TOPIC_HELP}; got {topic!r}")
    assumptions = {
        "annualize": not no_annualize,
        "status_weights": parse_weights(weights) if weights else dict(_STATUS_WEIGHTS),
        "spread_years": spread_years if spread_years > 0 else None,
        "holdings": holdings,
        "exclude": _ids(exclude, tuple(_EXCLUDE)),
        "reverse": _ids(reverse, tuple(_REVERSE)),
    }
    started = time.perf_counter()
    with fail_on_lahar_error():
        from lahar.analytics.findings import TOPICS
        from lahar.data import load_network

        try:
            net = load_network(data)
            tables = {}
            for name in TOPICS if topic == "all" else [topic]:
                func = TOPICS[name]
                tables.update(func(net, **assumptions) if name == "circularity" else func(net))
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

    from lahar.analytics.findings import DISPLAY, TITLES, display_table

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
