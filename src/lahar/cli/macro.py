"""``lahar macro``: GDP, jobs, markets, savings and power effects of an AI-capex cut."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer

from lahar.cli._common import (
    NoStoreOption,
    RecordStoreOption,
    console,
    fail_on_lahar_error,
    print_frame,
    usd,
)
from lahar.cli._options import FormatOption, choice, float_in, positive_int, share
from lahar.data import ParameterSet, load_network, load_parameters, scenario_table
from lahar.scenarios import MacroSummary, capex_bust, firm_repricing, power_bust

__all__ = ["register"]

_ENERGY_PARAMS = (
    "pjm_dc_load_growth",
    "pjm_peak_load",
    "pjm_reserve_margin_cleared",
    "pjm_reserve_margin_target",
    "pjm_capacity_price_2027",
    "pjm_capacity_price_cap",
    "pjm_price_slope",
    "pjm_capacity_price_2026",
    "pjm_capacity_cost_2026",
    "pjm_customers",
    "talen_amazon_value",
    "crane_restart_cost",
    "coal_retirements_deferred",
    "utility_capex_2025",
    "dc_share_utility_capex",
)


def _economy(s: MacroSummary) -> pd.DataFrame:
    rows = [
        ("US AI capex change", s.capex_change[0], "USD"),
        ("GDP change", s.gdp_change[0], "USD"),
        ("GDP change", s.gdp_change_pct[0], "% of 2025 GDP"),
        ("  of which capex round", s.gdp_change_capex[0], "USD"),
        ("  of which consumption round", s.gdp_change_consumption[0], "USD"),
        ("Jobs (FTE)", s.jobs_change[0], "jobs"),
        ("Household consumption (wealth effect)", s.consumption_change[0], "USD per year"),
    ]
    return pd.DataFrame(rows, columns=["item", "value", "unit"])


def _markets(s: MacroSummary) -> pd.DataFrame:
    sv = s.savings
    rows = [
        ("AI cohort price change", 100 * s.ai_cohort_return[0], "%"),
        ("S&P 500", 100 * s.sp500_return[0], "%"),
        ("Nasdaq-100", 100 * s.ndx_return[0], "%"),
        ("Households' equities and funds", float(np.asarray(sv.households)[0]), "USD"),
        (
            "IRAs + DC plans (overlaps households)",
            float(np.asarray(sv.retirement_accounts)[0]),
            "USD",
        ),
        ("  of which 401(k)", float(np.asarray(sv.k401)[0]), "USD"),
        ("Defined-benefit pensions", float(np.asarray(sv.db_pensions)[0]), "USD"),
    ]
    return pd.DataFrame(rows, columns=["item", "value", "unit"])


def _jobs(s: MacroSummary, top: int) -> pd.DataFrame:
    jobs = s.jobs_change_by_industry[:, 0]
    order = np.argsort(jobs)[:top]
    return pd.DataFrame(
        {
            "code": [s.industries[i] for i in order],
            "industry": [s.industry_names[i] for i in order],
            "jobs": jobs[order].round(0),
            "value_added_usd": s.value_added_change[order, 0],
            "output_usd": s.output_change[order, 0],
        }
    )


def _firms(cut: float, params: ParameterSet, which: str) -> pd.DataFrame:
    r = firm_repricing(load_network(params=params), cut, params, which=which)
    return pd.DataFrame(
        {
            "ticker": r["ticker"],
            "kind": r["kind"],
            "ai_exposure": r["ai_exposure"],
            "price_change_pct": 100 * r["price_change"],
            "market_cap_usd": r["market_cap_usd"],
            "value_change_usd": r["value_change_usd"],
        }
    )


def _power(cut: float, p: ParameterSet, which: str) -> pd.DataFrame:
    b = power_bust([cut], p, which=which)
    rows = [
        ("PJM data-centre peak load change", b.load_change_gw[0], "GW"),
        ("PJM reserve margin, 2027/28 auction", 100 * b.reserve_margin_before, "%"),
        ("PJM reserve margin after the bust", 100 * b.reserve_margin_after[0], "%"),
        ("PJM shortfall vs 20% target (after)", b.shortfall_gw[0], "GW"),
        ("PJM capacity price, 2027/28 (capped)", b.price_before, "USD/MW-day"),
        ("PJM capacity price after the bust", b.price_after[0], "USD/MW-day"),
        ("PJM capacity cost change", b.cost_change[0], "USD per year"),
        ("  per customer", b.cost_change_per_customer[0], "USD per year"),
        ("Boom, no bust, no cap: capacity cost vs cap", b.boom_cost_over_cap, "USD per year"),
        ("  per customer", b.boom_cost_over_cap_per_customer, "USD per year"),
        ("PPA revenue at risk (Talen-Amazon)", b.ppa_revenue_at_risk[0], "USD"),
        ("Restart capex at risk (Crane)", b.restart_capex_at_risk[0], "USD"),
        ("Coal retirements that can resume", b.coal_retirements_resumed_gw[0], "GW"),
        ("Utility capex for data centres at risk", b.utility_capex_at_risk[0], "USD per year"),
    ]
    return pd.DataFrame(rows, columns=["item", "value", "unit"])


def _display(frame: pd.DataFrame) -> pd.DataFrame:
    """Format the value column of an item/value/unit frame by its unit, for the table view."""

    def fmt(x: float, unit: str) -> str:
        if unit.startswith("USD/") or unit.startswith("%") or unit == "GW":
            return f"{x:,.2f}"
        if unit.startswith("USD"):
            return usd(x)
        if unit == "jobs":
            return f"{x:,.0f}"
        return f"{x:,.4g}"

    out = frame.copy()
    out["value"] = [fmt(x, u) for x, u in zip(frame["value"], frame["unit"], strict=True)]
    return out


def macro_cmd(
    capex_cut: Annotated[
        float,
        typer.Option("--capex-cut", help="Fraction of AI capex cut, in [0, 1].", callback=share),
    ] = 0.3,
    which: Annotated[
        str,
        typer.Option(
            "--range",
            help="Parameter values: value (central), low or high.",
            callback=choice("value", "low", "high"),
        ),
    ] = "value",
    spillover: Annotated[
        float,
        typer.Option(
            "--spillover",
            help="Return of non-AI stocks, in [-1, 1] (e.g. -0.05 = a 5% fall); default 0.",
            callback=float_in(-1.0, 1.0, meaning="a return: -1 = everything lost"),
        ),
    ] = 0.0,
    top: Annotated[
        int, typer.Option("--top", help="Industries to list (>= 1).", callback=positive_int)
    ] = 10,
    fmt: FormatOption = "table",
    store: RecordStoreOption = None,
    no_store: NoStoreOption = False,
) -> None:
    """GDP, jobs by industry, equity wealth, consumption and power effects of an AI-capex cut.

    Uses BEA's 2023 input-output table (imports removed), and the sourced parameters in
    lahar/data/parameters.csv; every parameter's source is printed at the end. Money is 2025
    USD; negative numbers are losses.
    """
    with fail_on_lahar_error():
        params = load_parameters()
        table = scenario_table()
        s = capex_bust(capex_cut, table=table, params=params, which=which, rest_return=spillover)
        sections: dict[str, pd.DataFrame] = {
            "economy": _economy(s),
            "markets": _markets(s),
            "jobs_by_industry": _jobs(s, top),
            "power": _power(capex_cut, params, which),
        }
        sections["listed_firms"] = _firms(capex_cut, params, which)
    used = list(dict.fromkeys([*s.parameter_ids, "utility_dc_sales_share", *_ENERGY_PARAMS]))
    sources = pd.DataFrame(
        {
            "parameter": used,
            "value": [params.value(k, which) for k in used],
            "unit": [params[k].unit for k in used],
            "status": [params[k].status for k in used],
            "source_id": [params[k].source_id for k in used],
            "source": [params[k].citation for k in used],
        }
    )
    note = _record(sections, sources, capex_cut, which, spillover, store, no_store)
    if fmt == "json":
        out = {k: json.loads(v.to_json(orient="records")) for k, v in sections.items()}
        out["parameters"] = json.loads(sources.to_json(orient="records"))
        out["capex_cut"] = capex_cut
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        if not no_store:
            typer.echo(note, err=True)
        return
    if fmt == "csv":
        long = []
        for name, frame in [*sections.items(), ("parameters", sources)]:
            f = frame.copy()
            f.insert(0, "section", name)
            long.append(f)
        sys.stdout.write(pd.concat(long, ignore_index=True).to_csv(index=False))
        if not no_store:
            typer.echo(note, err=True)
        return
    pct = f"{100 * capex_cut:g}%"
    console.print(
        f"[bold]AI-capex cut of {pct}[/bold] (2025 USD; BEA 2023 IO table, imports removed; "
        f"parameters at '{which}')",
        highlight=False,
    )
    for name, title in (("economy", "Economy"), ("markets", "Equity markets and savings")):
        print_frame(_display(sections[name]), title=title)
    print_frame(
        sections["jobs_by_industry"],
        title=f"Jobs by industry (largest {top} losses, FTE)",
        formats={"value_added_usd": usd, "output_usd": usd, "jobs": lambda x: f"{x:,.0f}"},
    )
    if "listed_firms" in sections:
        print_frame(
            sections["listed_firms"],
            title="Listed firms of the shipped network (fundamental repricing)",
            formats={
                "market_cap_usd": usd,
                "value_change_usd": usd,
                "price_change_pct": lambda x: f"{x:.1f}",
            },
        )
    print_frame(_display(sections["power"]), title="Power (PJM)")
    console.print("[bold]Sources[/bold]", highlight=False)
    for k in used:
        console.print(f"  {k}: {params[k].cite()}", highlight=False, soft_wrap=True)
    console.print(f"[dim]{note}[/]", highlight=False)


def _record(
    sections: dict[str, pd.DataFrame],
    sources: pd.DataFrame,
    capex_cut: float,
    which: str,
    spillover: float,
    store: Path | None,
    no_store: bool,
) -> str:
    """Record the macro run in the store (unless --no-store); return a note for the user."""
    if no_store:
        return "not stored"
    from lahar.store import Store

    with fail_on_lahar_error():
        run_id = Store(store).record_run(
            "macro",
            {"capex_cut": capex_cut, "range": which, "spillover": spillover},
            {**sections, "parameters": sources},
        )
    return f"run {run_id} recorded in {store or 'the default store'}"


def register(app: typer.Typer) -> None:
    """Add the ``macro`` command to the app."""
    app.command("macro")(macro_cmd)
