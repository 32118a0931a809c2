"""The tables on the shipped data: shapes, hand checks against the CSVs, the generated doc."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lahar.analytics import circularity as circ
from lahar.analytics.findings import (
    FOCUS_FIRMS,
    SAVINGS_POOLS,
    TITLES,
    TOPICS,
    all_tables,
    annual_fact,
    display_table,
)
from lahar.data import DATA_DIR, load_network

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def net():
    return load_network()


@pytest.fixture(scope="module")
def tables(net):
    return all_tables(net)


def test_every_table_is_titled_and_displayable(tables) -> None:
    assert set(tables) == set(TITLES)
    for name, frame in tables.items():
        assert len(frame) > 0, name
        shown = display_table(name, frame)
        assert len(shown) == len(frame)


def test_all_tables_are_fast(net) -> None:
    start = time.perf_counter()
    all_tables(net)
    assert time.perf_counter() - start < 1.5  # `lahar analyze all` must finish in < 2 s


def test_focus_firms_listed_with_ai_revenue(tables) -> None:
    firms = tables["circularity_firms"].set_index("entity")
    for e in FOCUS_FIRMS:
        assert e in firms.index
        assert np.isfinite(firms.loc[e, "ai_revenue_usd"]), e
    # Microsoft's AI revenue is its fact F0009 ($37B run-rate)
    assert firms.loc["microsoft", "ai_revenue_usd"] == 37e9


def test_nvidia_openai_cycle_by_hand(tables) -> None:
    # X0002: Nvidia $30B equity in OpenAI, committed (0.5), spread over 5 years = $3B/yr;
    # X0003: OpenAI -> Nvidia $400B of chips, estimate (0.5), no term: 5 years = $40B/yr.
    # The 2-cycle's value is the smaller, $3B/yr.
    cy = tables["circularity_cycles"].set_index("cycle")
    assert cy.loc["nvidia -> openai -> nvidia", "value_usd"] == pytest.approx(3e9)
    assert cy.loc["nvidia -> openai -> nvidia", "deals"] == "X0002 | X0003"


def test_money_flow_total_from_the_csv(net, tables) -> None:
    # recompute the total money flow straight from exposures.csv with the documented rules
    ex = pd.read_csv(DATA_DIR / "exposures.csv")
    ents = pd.read_csv(DATA_DIR / "entities.csv").set_index("id")
    money = set(circ.FORWARD_LAYERS) | set(circ.REVERSED_LAYERS)
    keep = ex["layer"].isin(money) & ~ex["id"].isin(circ.DEFAULT_EXCLUDE)
    keep &= ~ex["id"].isin(ex.loc[ex["supersedes"].notna() & keep, "supersedes"])
    listed = ex["target"].map(ents["ticker"].notna())
    holding = (ex["layer"] == "equity") & ex["status"].isin(["reported", "estimate"]) & listed
    keep &= ~(holding & ~ex["id"].isin(circ.DEFAULT_REVERSE))
    k = ex[keep]
    w = k["status"].map(circ.DEFAULT_STATUS_WEIGHTS)
    years = k["term_years"].fillna(circ.DEFAULT_SPREAD_YEARS)
    total = (k["amount_usd"] * w / years).sum()
    summary = tables["circularity_summary"].set_index("item")["figure"]
    assert summary["total money flow"] == pytest.approx(total)
    assert summary["money flows counted"] == len(k)


def test_annual_fact_skips_quarters_but_keeps_run_rates(net) -> None:
    revenue, basis = annual_fact(net, "revenue")
    oracle = list(net.ids).index("oracle")
    assert revenue[oracle] == 57.4e9  # FY2025, not the FQ1 FY2026 quarter (F0053)
    ai, _ = annual_fact(net, "ai_revenue")
    assert ai[list(net.ids).index("microsoft")] == 37e9  # an annualised run-rate counts
    debt, _ = annual_fact(net, "debt")
    assert debt[list(net.ids).index("nvidia")] == 8.467e9  # a quarter-end balance counts


def test_savings_pools_match_parameters_csv() -> None:
    p = pd.read_csv(DATA_DIR / "parameters.csv").set_index("id")["value"]
    values = {name.strip(): (assets, share) for name, assets, share, _ in SAVINGS_POOLS}
    assert values["households: equities and fund shares"][0] == p["household_equity"]
    assert values["IRAs"] == (p["retirement_ira"], p["retirement_equity_share"])
    assert values["of which 401(k)"][0] == p["retirement_401k"]
    assert values["government defined-benefit pensions"] == (
        p["pension_db_government"],
        p["pension_equity_share"],
    )
    assert p["sp500_mag7_weight"] == 0.34


def test_energy_defaults_match_parameters_csv() -> None:
    from lahar.analytics.energy import DEFAULT_UTILISATION, US_ELECTRICITY_TWH

    p = pd.read_csv(DATA_DIR / "parameters.csv").set_index("id")["value"]
    assert (
        pytest.approx(p["dc_electricity_2028"] / (p["dc_capacity_2028"] * 8.76))
        == DEFAULT_UTILISATION
    )
    assert pytest.approx(p["dc_electricity_2023"]) == US_ELECTRICITY_TWH * 0.044
    assert p["coal_retirements_deferred"] == 8.5


def test_topics_registered_in_cli_in_order() -> None:
    from lahar.cli import analyze

    assert tuple(TOPICS) == analyze._TOPICS
    assert dict(circ.DEFAULT_STATUS_WEIGHTS) == analyze._STATUS_WEIGHTS
    assert analyze._SPREAD_YEARS == circ.DEFAULT_SPREAD_YEARS
    assert tuple(circ.DEFAULT_EXCLUDE) == analyze._EXCLUDE
    assert tuple(circ.DEFAULT_REVERSE) == analyze._REVERSE


def _script():
    spec = importlib.util.spec_from_file_location(
        "findings_script", ROOT / "scripts" / "findings.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_docs_findings_is_generated_and_up_to_date(tables) -> None:
    text = _script().render()
    on_disk = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    assert text == on_disk, "docs/findings.md is stale: run python scripts/findings.py"
    # the numbers in the doc are the CLI's numbers, formatted by the same functions
    firms = display_table("circularity_firms", tables["circularity_firms"])
    nvidia = firms[firms["firm"] == "nvidia"].iloc[0]
    assert f"| nvidia | {nvidia['AI revenue']} |" in on_disk
    assert nvidia["back / AI rev"] in on_disk


def test_every_source_id_cited_by_the_analytics_resolves() -> None:
    import re

    known = set(pd.read_csv(DATA_DIR / "sources.csv")["id"])
    cited: set[str] = set()
    for path in (ROOT / "src" / "lahar" / "analytics").glob("*.py"):
        cited |= set(re.findall(r"\b(?:[SPAB]\d{2,3})\b", path.read_text(encoding="utf-8")))
    cited |= set(re.findall(r"\[(S\d{3})\]", (ROOT / "docs" / "findings.md").read_text()))
    assert cited - known == set()
    assert {f"A0{k}" for k in range(1, 8)} <= cited  # every analytics source is used
