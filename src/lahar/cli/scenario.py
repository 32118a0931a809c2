"""``lahar run``, ``lahar results`` and ``lahar scenario``: the main job and its results."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from lahar.cli._common import StoreOption, console, fail_on_lahar_error, print_frame
from lahar.cli._options import FormatOption
from lahar.errors import DataError

__all__ = ["register"]

scenario_app = typer.Typer(help="List, show and validate scenario specs.", no_args_is_help=True)


def _check_format(fmt: str) -> str:
    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter(
            f"expected one of table, csv, json; got {fmt!r}", param_hint="--format"
        )
    return fmt


def run_cmd(
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            "--scenario",
            "-s",
            help="Shipped scenario name (repeatable; default: every shipped scenario).",
            show_default=False,
        ),
    ] = None,
    file: Annotated[
        list[Path] | None,
        typer.Option("--file", help="A scenario spec file (TOML; repeatable).", show_default=False),
    ] = None,
    draws: Annotated[
        int | None,
        typer.Option(
            "--draws",
            "-n",
            min=1,
            max=10**7,
            help="Monte Carlo draws per scenario (default: the spec's).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the quasi-random draws.")] = 0,
    chunk: Annotated[
        int, typer.Option("--chunk", min=1, help="Draws per task (speed only).")
    ] = 256,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=256,
            help="Run on a local Dask cluster of W worker processes.",
            show_default=False,
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Run on an existing Dask cluster (tcp://HOST:PORT).",
            show_default=False,
        ),
    ] = None,
    store: StoreOption = None,
    fmt: FormatOption = "table",
    detail: Annotated[
        bool, typer.Option("--detail", help="Channels and firms of every scenario.")
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Folder of the HTML report of the runs (default: lahar-report beside the store).",
            show_default=False,
            file_okay=False,
        ),
    ] = None,
    no_report: Annotated[
        bool, typer.Option("--no-report", help="Do not write the HTML report.")
    ] = False,
) -> None:
    """Run scenarios with Monte Carlo on the shipped data, store them and print the headlines.

    Ends by writing the HTML report of the runs (`lahar report`) and printing where it is.
    """
    from lahar.data import load_network, load_parameters, scenario_table
    from lahar.report import defaults_table, headline_table, scenarios_table
    from lahar.scenarios import builtin_scenario, builtin_scenarios, load_scenario, run_scenario
    from lahar.store import Store, default_store_path

    if workers is not None and scheduler is not None:
        raise typer.BadParameter("give --workers or --scheduler, not both", param_hint="--workers")
    path = store or default_store_path()
    with fail_on_lahar_error():
        specs = [builtin_scenario(n) for n in (scenario or [])]
        specs += [load_scenario(f) for f in (file or [])]
        if not specs:
            specs = [builtin_scenario(n) for n in builtin_scenarios()]
        params = load_parameters()
        net = load_network(params=params)
        table = scenario_table()
        st = Store(path)
        if st.sql("SELECT count(*) AS n FROM entities")["n"].iloc[0] == 0:
            st.import_dataset()
        client = cluster = None
        if scheduler is not None or workers is not None:
            try:
                from dask.distributed import Client, LocalCluster
            except ImportError:
                raise DataError(
                    "--workers and --scheduler need dask.distributed: pip install 'lahar[dask]'"
                ) from None
            if scheduler is not None:
                try:
                    client = Client(scheduler, timeout=10)
                except OSError as exc:
                    raise DataError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
            else:
                cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
                )
                client = Client(cluster)
        results = []
        try:
            quiet = fmt != "table"
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                disable=quiet,
                transient=True,
            ) as bar:
                batch = uuid.uuid4().hex  # the runs of this invocation: the report's default
                for spec in specs:
                    task = bar.add_task(f"{spec.name}", total=None)

                    def tick(done: int, total: int, task: TaskID = task) -> None:
                        bar.update(task, completed=done, total=total)

                    results.append(
                        run_scenario(
                            spec,
                            draws=draws,
                            seed=seed,
                            chunk=chunk,
                            network=net,
                            params=params,
                            table=table,
                            client=client,
                            store=st,
                            progress=tick,
                            tune_workers=cluster is not None,
                            batch=batch,
                        )
                    )
        finally:
            if client is not None:
                client.close()
            if cluster is not None:
                cluster.close()
    names = dict(zip(net.ids, net.entities["name"], strict=True))
    if fmt != "table":
        frames = []
        for r in results:
            s = r.summary()
            s.insert(0, "run_id", r.run_id)
            s.insert(1, "scenario", r.scenario)
            frames.append(s)
        print_frame(pd.concat(frames, ignore_index=True), fmt=fmt)
        if not no_report:  # stdout holds the table: say where the report is on stderr
            typer.echo(_write_report(st, results, report, Path(path)), err=True)
        return
    if len(results) > 2 and not detail:
        print_frame(
            scenarios_table([(r.scenario, r.summary()) for r in results]),
            title=f"What if the music stops? Means over {results[0].draws} draws",
        )
        console.print(
            "Channels, firms and sources of each: `lahar run -s NAME` or `lahar results RUN_ID`; "
            "`lahar scenario show NAME` says what a scenario represents.",
            highlight=False,
        )
    for r, spec in zip(results, specs, strict=True):
        if len(results) > 2 and not detail:
            break
        console.print(
            f"\n[bold]{spec.title}[/] ({r.scenario}: {r.draws} draws, seed {r.seed}, "
            f"{r.elapsed_s:.1f} s; run {r.run_id})",
            highlight=False,
        )
        print_frame(headline_table(r.summary()))
        d = defaults_table(r.entities, names, top=8)
        if len(d):
            print_frame(d, title="Who loses and who defaults")
    console.print(
        f"\n{len(results)} scenario run(s) recorded in {path}; draw-level Parquet in "
        f"{path}.runs/. See one again with `lahar results latest`.",
        highlight=False,
    )
    if not no_report:
        with console.status("writing the report"):
            line = _write_report(st, results, report, Path(path))
        console.print(line, highlight=False, soft_wrap=True)


def _write_report(st: Any, results: list[Any], out: Path | None, store: Path) -> str:
    """Write the HTML report of ``results``; return the line saying where it is."""
    from lahar.cli.report import default_report_dir, report_written
    from lahar.report.html import write_report

    with fail_on_lahar_error():
        written = write_report(st, [r.run_id for r in results], out or default_report_dir(store))
    return report_written(written)


def results_cmd(
    run_id: Annotated[str, typer.Argument(help="A run id, or 'latest'.")] = "latest",
    store: StoreOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Print the stored headline results of a run (quantiles of every outcome, who defaults)."""
    from lahar.report import headline_table
    from lahar.store import Store, default_store_path

    path = store or default_store_path()
    if not Path(path).exists():
        typer.echo(f"error: no store at {path}; run `lahar run` first.", err=True)
        raise typer.Exit(1)
    with fail_on_lahar_error():
        st = Store(path)
        runs = st.runs()
        runs = runs[runs["command"].str.startswith("run ")]
        if run_id == "latest":
            if runs.empty:
                raise DataError(f"no scenario run in {path}; run `lahar run` first.")
            row = runs.iloc[0]
        else:
            hit = runs[runs["run_id"] == run_id]
            if hit.empty:
                raise DataError(f"no scenario run {run_id!r} in {path}; `lahar results latest`?")
            row = hit.iloc[0]
        rid = row["run_id"]
        head = st.results(rid, "headline")
    head = head.assign(outcome=[json.loads(k)["outcome"] for k in head["key"]])
    wide = head.pivot_table(index="outcome", columns="metric", values="value").reset_index()
    if fmt != "table":
        print_frame(wide, fmt=fmt)
        return
    params = json.loads(row["params"])
    console.print(
        f"[bold]{params.get('scenario')}[/] run {rid} ({row['status']}; "
        f"{params.get('draws')} draws, seed {params.get('seed')}, spec {row['spec_hash']})",
        highlight=False,
    )
    print_frame(headline_table(wide))


@scenario_app.command("list")
def list_cmd(fmt: FormatOption = "table") -> None:
    """The shipped scenarios."""
    from lahar.scenarios import builtin_scenario, builtin_scenarios

    with fail_on_lahar_error():
        rows = [
            {
                "name": n,
                "title": (s := builtin_scenario(n)).title,
                "shocks": ", ".join(x.kind for x in s.shocks),
            }
            for n in builtin_scenarios()
        ]
    print_frame(pd.DataFrame(rows), fmt=fmt, title="Shipped scenarios")


@scenario_app.command("show")
def show_cmd(name: Annotated[str, typer.Argument(help="A shipped scenario.")]) -> None:
    """A shipped scenario: what it represents, its shocks and their ranges."""
    from lahar.scenarios import SCENARIO_DIR, builtin_scenario

    with fail_on_lahar_error():
        spec = builtin_scenario(name)
    console.print(f"[bold]{spec.title}[/] ({spec.name})\n", highlight=False)
    console.print(spec.description.strip(), highlight=False)
    console.print("")
    sys.stdout.write((SCENARIO_DIR / f"{name}.toml").read_text(encoding="utf-8"))


@scenario_app.command("validate")
def validate_cmd(file: Annotated[Path, typer.Argument(help="A scenario spec (TOML).")]) -> None:
    """Check a scenario spec against the schema and the data; print every problem."""
    from lahar.data import load_network, load_parameters, scenario_table
    from lahar.scenarios import load_scenario, make_context

    with fail_on_lahar_error():
        spec = load_scenario(file)
        params = load_parameters()
        make_context(spec, load_network(params=params), params, scenario_table())
    typer.echo(f"ok: {file} is a valid scenario ({spec.name}: {len(spec.shocks)} shocks)")


def register(app: typer.Typer) -> None:
    """Add ``run``, ``results`` and ``scenario`` to the app."""
    app.command("run")(run_cmd)
    app.command("results")(results_cmd)
    app.add_typer(scenario_app, name="scenario")
