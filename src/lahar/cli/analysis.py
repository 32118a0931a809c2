"""``lahar rank | sensitivity | reverse | discover``: what drives a scenario's outcome.

Thin commands over :func:`lahar.scenarios.rank`, :func:`~lahar.scenarios.sensitivity`,
:func:`~lahar.scenarios.reverse_stress` and :func:`~lahar.scenarios.discover`. Each checks its
options at the edge (exit 2, naming the option), prints a table, CSV or JSON, and records the
run in the store (``--store``; ``--no-store`` to skip).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer

from lahar.cli._common import (
    DataOption,
    NoStoreOption,
    RecordStoreOption,
    console,
    fail_on_lahar_error,
    print_frame,
    usd,
)
from lahar.cli._options import FormatOption, close_matches, positive_int
from lahar.errors import DataError

__all__ = ["register"]

_SENSITIVITY_OUTCOMES = (
    "defaults",
    "loss_total",
    "loss_commitments",
    "loss_credit",
    "loss_banks_credit",
    "gdp_change",
)
"""Outcomes ``lahar sensitivity`` reports unless ``--outcome`` names others."""


def _scenario_name(ctx: typer.Context | None, param: Any, value: str | None) -> str | None:
    """Accept a shipped scenario's name (suggest the closest on a typo)."""
    from lahar.scenarios import builtin_scenarios

    if value is None:
        return value
    names = builtin_scenarios()
    if value not in names:
        raise typer.BadParameter(
            f"no shipped scenario {value!r}{close_matches(value, names)}; scenarios: "
            f"{', '.join(names)} (`lahar scenario list`)."
        )
    return value


def _outcome(ctx: typer.Context | None, param: Any, value: str | None) -> str | None:
    """Accept ``default:ENTITY`` or ``OUTCOME>NUMBER`` with a known headline outcome."""
    from lahar.scenarios import HEADLINES, parse_outcome

    if value is None:
        return value
    try:
        oc = parse_outcome(value)
    except DataError:
        raise typer.BadParameter(
            f"expected 'default:ENTITY' or 'OUTCOME>NUMBER' (operators >, >=, <, <=; e.g. "
            f"'loss_banks_credit>5e9', 'defaults>=1'); got {value!r}."
        ) from None
    if oc.kind == "headline" and oc.name not in HEADLINES:
        raise typer.BadParameter(
            f"unknown outcome {oc.name!r}{close_matches(oc.name, HEADLINES)}; outcomes: "
            f"{', '.join(HEADLINES)}."
        )
    return value


def _outcomes(ctx: typer.Context | None, param: Any, value: list[str] | None) -> list[str] | None:
    from lahar.scenarios import HEADLINES

    for v in value or []:
        if v not in HEADLINES:
            raise typer.BadParameter(
                f"unknown outcome {v!r}{close_matches(v, HEADLINES)}; outcomes: "
                f"{', '.join(HEADLINES)}."
            )
    return value


def _power_of_two(ctx: typer.Context | None, param: Any, value: int | None) -> int | None:
    if value is not None and (value < 2 or value & (value - 1)):
        raise typer.BadParameter(f"must be a power of two >= 2 (64, 128, 256, ...); got {value}.")
    return value


def _range(ctx: typer.Context | None, param: Any, value: str | None) -> str | None:
    if value is None:
        return value
    parts = value.split(",")
    try:
        lo, hi = (float(x) for x in parts)
    except ValueError:
        lo = hi = math.nan
    if len(parts) != 2 or not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise typer.BadParameter(f"expected LOW,HIGH with LOW < HIGH (e.g. 0,1); got {value!r}.")
    return value


def _positive_float(ctx: typer.Context | None, param: Any, value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise typer.BadParameter(f"must be a finite number > 0; got {value}.")
    return value


def _context(name: str, data: Path | None, seed: int = 0) -> Any:
    from lahar.data import load_network, load_parameters, scenario_table
    from lahar.scenarios import builtin_scenario, make_context

    params = load_parameters()
    net = load_network(data, params=params)
    return make_context(builtin_scenario(name), net, params, scenario_table(), seed=seed)


def _record(
    command: str,
    params: dict[str, Any],
    results: dict[str, pd.DataFrame],
    store: Path | None,
    no_store: bool,
) -> str:
    """Record the run (unless --no-store); return a note for the user."""
    if no_store:
        return "not stored"
    from lahar.store import Store

    # the store's 'scenario' key is a draw number: a scenario's name is a label
    tables = {
        k: v.rename(columns={"scenario": "scenario_name"}) if "scenario" in v.columns else v
        for k, v in results.items()
    }
    with fail_on_lahar_error():
        run_id = Store(store).record_run(command, params, tables)
    return f"run {run_id} recorded in {store or 'the default store'}"


def _note(fmt: str, text: str) -> None:
    if fmt == "table":
        console.print(text, highlight=False)


TopOption = Annotated[
    int, typer.Option("--top", help="Rows to print (>= 1).", callback=positive_int)
]


def rank_cmd(
    top: TopOption = 20,
    data: DataOption = None,
    fmt: FormatOption = "table",
    store: RecordStoreOption = None,
    no_store: NoStoreOption = False,
) -> None:
    """Systemic importance: every firm failing alone, ranked by the losses it causes others."""
    from lahar.data import load_network, load_parameters
    from lahar.scenarios import rank

    with fail_on_lahar_error():
        params = load_parameters()
        table = rank(load_network(data, params=params), params)
    shown = table.head(top)
    note = _record(
        "rank", {"data": str(data) if data else "shipped"}, {"rank": table}, store, no_store
    )
    if fmt != "table":
        print_frame(shown, fmt=fmt)
        return
    short = {
        "rank": "rank",
        "entity": "entity",
        "loss_caused": "caused",
        "loss_commitments": "commitments",
        "loss_equity_stakes": "stakes",
        "loss_credit": "credit",
        "defaults_caused": "defaults",
        "most_hit": "hits most",
    }
    print_frame(
        shown[list(short)].rename(columns=short),
        title=f"Systemic importance: each firm failing alone ({len(table)} firms; losses to "
        "others, clients' money included; --format csv for every channel and kind)",
        formats={k: usd for k in ("caused", "commitments", "stakes", "credit")},
    )
    _note(fmt, note)


ScenarioArg = Annotated[
    str, typer.Argument(help="A shipped scenario (`lahar scenario list`).", callback=_scenario_name)
]
SeedOption = Annotated[int, typer.Option("--seed", min=0, help="Seed of the design.")]


def sensitivity_cmd(
    name: ScenarioArg,
    n: Annotated[
        int,
        typer.Option("--n", help="Base sample size (a power of two).", callback=_power_of_two),
    ] = 256,
    outcome: Annotated[
        list[str] | None,
        typer.Option(
            "--outcome",
            "-o",
            help="Headline outcome (repeatable; default: defaults, losses, GDP).",
            callback=_outcomes,
            show_default=False,
        ),
    ] = None,
    seed: SeedOption = 0,
    data: DataOption = None,
    fmt: FormatOption = "table",
    store: RecordStoreOption = None,
    no_store: NoStoreOption = False,
) -> None:
    """Sobol indices (first and total order, 95 % intervals) of a scenario's outcomes."""
    from lahar.scenarios import sensitivity

    outcomes = list(outcome or _SENSITIVITY_OUTCOMES)
    with fail_on_lahar_error():
        res = sensitivity(_context(name, data), outcomes=outcomes, n=n, seed=seed)
    frame = res.indices
    note = _record(
        f"sensitivity {name}",
        {"scenario": name, "n": n, "seed": seed, "outcomes": outcomes},
        {"sobol": frame},
        store,
        no_store,
    )
    if fmt != "table":
        print_frame(frame, fmt=fmt)
        return
    flat = frame[frame["S1"].isna()]["outcome"].unique().tolist()
    shown = frame.dropna(subset=["S1"]).copy()
    for k in ("S1", "ST"):
        shown[k] = [f"{v:.2f} ± {c:.2f}" for v, c in zip(shown[k], shown[f"{k}_conf"], strict=True)]
    print_frame(
        shown[["outcome", "factor", "S1", "ST"]],
        title=f"Sobol indices of {name} ({res.evaluations} cascades; ± {res.conf_level:.0%} "
        "interval)",
    )
    if flat:
        _note(fmt, f"constant over the design (no variance to share): {', '.join(flat)}")
    _note(fmt, note)


def reverse_cmd(
    name: ScenarioArg,
    quantity: Annotated[
        str,
        typer.Option(
            "--quantity", "-q", help="A drawn quantity (e.g. partial_payment.paid_share)."
        ),
    ],
    outcome: Annotated[
        str,
        typer.Option(
            "--outcome",
            "-o",
            help="'default:ENTITY' or 'OUTCOME>NUMBER' (>, >=, <, <=).",
            callback=_outcome,
        ),
    ],
    within: Annotated[
        str | None,
        typer.Option(
            "--range",
            help="Search LOW,HIGH instead of the scenario's range of the quantity.",
            callback=_range,
            show_default=False,
        ),
    ] = None,
    tol: Annotated[
        float, typer.Option("--tol", help="Precision of the threshold.", callback=_positive_float)
    ] = 1e-6,
    data: DataOption = None,
    fmt: FormatOption = "table",
    store: RecordStoreOption = None,
    no_store: NoStoreOption = False,
) -> None:
    """Reverse stress test: the value of one quantity at which a named outcome starts."""
    from lahar.scenarios import reverse_stress

    bounds = None
    if within is not None:
        lo, hi = within.split(",")
        bounds = (float(lo), float(hi))
    with fail_on_lahar_error():
        r = reverse_stress(_context(name, data), quantity, outcome, tol=tol, bounds=bounds)
    row = {
        "scenario": name,
        "quantity": quantity,
        "outcome": outcome,
        "found": r is not None,
        "threshold": np.nan if r is None else r.threshold,
        "direction": "" if r is None else r.direction,
        "low": np.nan if r is None else r.low,
        "high": np.nan if r is None else r.high,
        "exact": bool(r is not None and r.exact),
    }
    frame = pd.DataFrame([row])
    note = _record(
        f"reverse {name}",
        {"scenario": name, "quantity": quantity, "outcome": outcome, "range": within, "tol": tol},
        {"reverse": frame},
        store,
        no_store,
    )
    if fmt != "table":
        print_frame(frame, fmt=fmt)
        return
    if r is None:
        console.print(
            f"{outcome} does not happen for {quantity} anywhere in its range "
            f"(others at their central values); widen it with --range LOW,HIGH.",
            highlight=False,
        )
    else:
        at = "or below" if r.direction == "below" else "or above"
        how = "exact (monotone)" if r.exact else "not monotone: other switch points exist"
        console.print(
            f"[bold]{outcome}[/] happens at {quantity} = {r.threshold:.6g} {at} "
            f"(searched {r.low:g}..{r.high:g}; {how}; other quantities at central values)",
            highlight=False,
        )
    _note(fmt, note)


def discover_cmd(
    name: ScenarioArg,
    draws: Annotated[
        int, typer.Option("--draws", "-n", help="Monte Carlo draws.", callback=positive_int)
    ] = 1024,
    bad: Annotated[
        str,
        typer.Option(
            "--bad",
            help="The bad outcome: 'default:ENTITY' or 'OUTCOME>NUMBER' (>, >=, <, <=).",
            callback=_outcome,
        ),
    ] = "defaults>=1",
    depth: Annotated[
        int, typer.Option("--depth", help="Most restrictions per box.", callback=positive_int)
    ] = 3,
    seed: SeedOption = 0,
    data: DataOption = None,
    fmt: FormatOption = "table",
    store: RecordStoreOption = None,
    no_store: NoStoreOption = False,
) -> None:
    """Scenario discovery: which ranges of the drawn quantities produce a bad outcome."""
    from lahar.scenarios import BLOCK, discover, evaluate, parse_outcome

    with fail_on_lahar_error():
        ctx = _context(name, data, seed)
        oc = parse_outcome(bad)
        oc.check(ctx, "discover()")
        xs, hits = [], []
        for a in range(0, draws, BLOCK):
            out = evaluate(ctx, a, min(a + BLOCK, draws))
            xs.append(out["x"])
            hits.append(oc.holds(ctx, out))
        x, b = np.vstack(xs), np.concatenate(hits)
        boxes = discover(x, b, [d.name for d in ctx.dims], max_depth=depth, seed=seed)
    note = _record(
        f"discover {name}",
        {"scenario": name, "draws": draws, "bad": bad, "depth": depth, "seed": seed},
        {"boxes": boxes},
        store,
        no_store,
    )
    if fmt != "table":
        print_frame(boxes, fmt=fmt)
        return
    console.print(
        f"{bad}: {int(b.sum())} of {draws} draws of {name} ({b.mean():.0%})", highlight=False
    )
    if boxes.empty:
        console.print("no draw has the bad outcome: no box to find.", highlight=False)
    else:
        print_frame(
            boxes,
            title="Boxes where the bad outcome concentrates (coverage: share of bad draws "
            "inside; density: share of draws inside that are bad)",
        )
    _note(fmt, note)


def register(app: typer.Typer) -> None:
    """Add ``rank``, ``sensitivity``, ``reverse`` and ``discover`` to the app."""
    app.command("rank")(rank_cmd)
    app.command("sensitivity")(sensitivity_cmd)
    app.command("reverse")(reverse_cmd)
    app.command("discover")(discover_cmd)
