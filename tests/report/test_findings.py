"""The findings tables on the shipped data: one hand check per table, the generated doc.

Each ``test_<table>`` recomputes one figure of its table by hand from rows of
``src/lahar/data/*.csv``, named in a comment, never from the code's own output.
"""

from __future__ import annotations

import importlib.util
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lahar.analytics import circularity as circ
from lahar.data import DATA_DIR, load_network
from lahar.errors import DataError
from lahar.report.display import TITLES, display_table
from lahar.report.findings import all_tables, analyze, fact_with_basis

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def net():
    return load_network()


@pytest.fixture(scope="module")
def tables(net):
    return all_tables(net)


@pytest.fixture(scope="module")
def par() -> pd.Series:
    return pd.read_csv(DATA_DIR / "parameters.csv").set_index("id")["value"]


def _row(frame: pd.DataFrame, column: str, value: object) -> pd.Series:
    hit = frame[frame[column] == value]
    assert len(hit) == 1, (column, value)
    return hit.iloc[0]


def test_every_table_is_titled_and_displayable(tables) -> None:
    assert set(tables) == set(TITLES)
    for name, frame in tables.items():
        assert len(frame) > 0, name
        shown = display_table(name, frame)
        assert len(shown) == len(frame)


# --------------------------------------------------------------------------- circularity
def test_circularity_summary_total_flow_from_the_csv(tables, par) -> None:
    # recompute the total money flow straight from exposures.csv with the documented rules:
    # money layers, money_flow column (exclude / reverse), a row superseded by a kept row
    # dropped, market holdings of listed shares left out, amount x status weight / years
    # (term_years, else termless_years) with the status_weight_* and termless_years rows of
    # parameters.csv.
    ex = pd.read_csv(DATA_DIR / "exposures.csv")
    ents = pd.read_csv(DATA_DIR / "entities.csv").set_index("id")
    money = set(circ.FORWARD_LAYERS) | set(circ.REVERSED_LAYERS)
    keep = ex["layer"].isin(money) & (ex["money_flow"] != "exclude")
    keep &= ~ex["id"].isin(ex.loc[ex["supersedes"].notna() & keep, "supersedes"])
    listed = ex["target"].map(ents["ticker"].notna())
    holding = (ex["layer"] == "equity") & ex["status"].isin(["reported", "estimate"]) & listed
    keep &= ~(holding & (ex["money_flow"] != "reverse"))
    k = ex[keep]
    w = k["status"].map(lambda s: par[f"status_weight_{s}"])
    years = k["term_years"].fillna(par["termless_years"])
    total = (k["amount_usd"] * w / years).sum()
    summary = tables["circularity_summary"].set_index("key")["figure"]
    assert summary["total_flow"] == pytest.approx(total)
    assert summary["deals"] == len(k)


def test_circularity_firms_amd_paid_by_its_investee(tables) -> None:
    # AMD's warrant X0005 (money_flow reverse) makes OpenAI its investee; OpenAI pays AMD for
    # chips X0004: $100B, estimate (weight 0.5), over 5 years = $10B a year.
    amd = _row(tables["circularity_firms"], "entity", "amd")
    assert amd["from_investees_usd"] == pytest.approx(100e9 * 0.5 / 5)
    assert amd["ai_seller"]


def test_circularity_cycles_nvidia_openai_by_hand(tables) -> None:
    # X0002: Nvidia $30B equity in OpenAI, committed (0.5), no term: 5 years = $3B/yr;
    # X0003: OpenAI -> Nvidia $400B of chips, estimate (0.5), no term: 5 years = $40B/yr.
    # The 2-cycle's value is the smaller, $3B/yr.
    cy = _row(tables["circularity_cycles"], "cycle", "nvidia -> openai -> nvidia")
    assert cy["value_usd"] == pytest.approx(3e9)
    assert cy["deals"] == "X0002 | X0003"


def test_circularity_sensitivity_amd_without_the_reversal(tables) -> None:
    # AMD's only outgoing money is the reversed warrant X0005 (its other rows, X0004, X0063,
    # X0135, pay AMD; the chip export X0115 is paid by Humain): counted forward, AMD pays
    # nothing into the network, so nothing comes back.
    t = tables["circularity_sensitivity"]
    forward = t[t["assumptions"].str.startswith("reversed deals") & (t["entity"] == "amd")]
    assert forward["returned_usd"].tolist() == [0.0]


# --------------------------------------------------------------------------- leverage
def test_leverage_firms_oracle_adjusted_debt(tables) -> None:
    # Oracle: debt F0049 $101.25B + lease commitments F0052 $248B = $349.25B
    oracle = _row(tables["leverage_firms"], "entity", "oracle")
    assert oracle["adj_debt_usd"] == pytest.approx(101.25e9 + 248e9)


def test_leverage_collateral_by_hand(tables) -> None:
    # economic value after one year = (1 - g), g from the gpu_rent_* rows of parameters.csv:
    # $4.70 (2023.5) -> $2.35 (2026.2), 1 - g = 0.5 ** (1 / 2.7)
    coll = _row(tables["leverage_collateral"], "year", 1.0)
    assert coll["economic"] == pytest.approx(0.5 ** (1 / 2.7))


def test_leverage_wall_2029(tables) -> None:
    # loans maturing in 2029: X0085 $38B (2025 + 4 years), X0092 $4.953967B, X0098 $1B and
    # X0183 $0.25663B (notes name 2029)
    wall = _row(tables["leverage_wall"], "year", "2029")
    assert wall["due_usd"] == pytest.approx(38e9 + 4.953967e9 + 1e9 + 0.25663e9)


def test_leverage_loans_maturity_from_date_and_term(tables) -> None:
    # X0073: dated 2025-10-16, term 23.6 years -> 2025 + 24 = 2049
    loan = _row(tables["leverage_loans"], "id", "X0073")
    assert loan["maturity_year"] == 2049


# --------------------------------------------------------------------------- gap
def test_gap_aggregate_sequoia_by_hand(tables) -> None:
    # chip spend = Nvidia Data Center run-rate F4000 ($51.2B x 4) x 2 (sequoia_tco_multiplier)
    # / 0.5 (sequoia_gross_margin) = $819.2B
    agg = tables["gap_aggregate"].set_index("key")["figure"]
    assert agg["required"] == pytest.approx(4 * 51.2e9 * 2 / 0.5)


def test_gap_firms_oracle(tables) -> None:
    # Oracle capex FY2025 F0047 $21.2B / 0.5 margin = $42.4B needed; AI revenue F4002 $13.2B
    oracle = _row(tables["gap_firms"], "entity", "oracle")
    assert oracle["ai_revenue_pct_needed"] == pytest.approx(100 * 13.2 / 42.4)


def test_gap_years_exponential_by_hand(tables) -> None:
    # AI revenue facts F0009 $37B + F0083 $13.1B + F0090 $9B = $59.1B growing 123% a year
    # (ai_revenue_growth_fast) reaches $819.2B in ln(819.2 / 59.1) / ln(2.23) years
    gy = tables["gap_years"]
    row = gy[(gy["curve"] == "exponential") & (gy["growth_per_year"] == 1.23)].iloc[0]
    assert row["years_to_sequoia"] == pytest.approx(math.log(819.2 / 59.1) / math.log(2.23))


# --------------------------------------------------------------------------- concentration
def test_concentration_index_2024_top_share(tables) -> None:
    # 2024 index weights F0065 6.55, F0100 7.02, F0101 6.18, F0102 4.45, F0103 3.94,
    # F0104 2.45, F0105 1.4 (percent): the top 7 hold 31.99%
    row = _row(tables["concentration_index"], "year", 2024)
    assert row["top7_share"] == pytest.approx(0.3199)


def test_concentration_savings_401k(tables) -> None:
    # retirement_401k $9.3T x retirement_equity_share 0.75 x sp500_mag7_weight 0.34
    row = _row(tables["concentration_savings"], "parameter", "retirement_401k")
    assert row["riding_on_top7_usd"] == pytest.approx(9.3e12 * 0.75 * 0.34)


# --------------------------------------------------------------------------- energy
def test_energy_load_coreweave(tables) -> None:
    # F0077: CoreWeave 850 MW at LBNL's 2028 utilisation (dc_electricity_2028 452.5 TWh on
    # dc_capacity_2028 103 GW) = 0.85 x 452.5 / 103 TWh; share of 176 / 0.044 TWh
    row = _row(tables["energy_load"], "basis", "fact F0077")
    assert row["twh_per_year"] == pytest.approx(0.85 * 452.5 / 103)
    assert row["share_of_us"] == pytest.approx(0.85 * 452.5 / 103 / (176 / 0.044))


def test_energy_plants_crane_price(tables) -> None:
    # X0105: $14.8B over 20 years for 835 MW at ppa_capacity_factor 0.90
    row = _row(tables["energy_plants"], "deal", "X0105")
    assert row["usd_per_mwh"] == pytest.approx(14.8e9 / 20 / (835 * 8760 * 0.9))


# --------------------------------------------------------------------------- geopolitics
def test_geopolitics_deals_weighted(tables) -> None:
    # X0150: $23B of Nvidia chips to China, estimate (status_weight_estimate 0.5)
    row = _row(tables["geopolitics_deals"], "deal", "X0150")
    assert row["weighted_usd"] == pytest.approx(11.5e9)


def test_geopolitics_ledger_uae_chips(tables) -> None:
    # chips to the UAE: X0117 35,000 (G42) + X0119 60,400 (licensed to Microsoft, destination
    # AE) + X0120 100,000 (G42)
    row = _row(tables["geopolitics_ledger"], "country", "AE")
    assert row["chip_units"] == 35_000 + 60_400 + 100_000


# --------------------------------------------------------------------------- governance
def test_governance_paths_dollars(tables) -> None:
    # Lutnick -> Cantor (X0121, no dollars) -> Tether: Cantor's $0.6B stake X0125
    row = _row(tables["governance_paths"], "path", "howard_lutnick -> cantor_fitzgerald -> tether")
    assert row["known_usd"] == pytest.approx(0.6e9)


# --------------------------------------------------------------------------- conventions
def test_fact_with_basis_uses_the_network_convention(net) -> None:
    # Oracle revenue: FY2025 F0044 $57.4B, not the later quarter F0053 ($14.9B)
    revenue, basis = fact_with_basis(net, "revenue")
    k = int(net.index_of("oracle"))
    assert revenue[k] == 57.4e9
    assert basis[k].startswith("F0044 2025")


def test_analyze_rejects_an_unknown_topic() -> None:
    with pytest.raises(DataError, match=r"'topic' parameter of analyze\(\) must be one of"):
        analyze("bubbles")


def test_user_ai_revenue_overrides_the_facts(net) -> None:
    # Nvidia's AI revenue given by hand: returned / AI revenue scales by 204.8 / 100
    base = all_tables(net)["circularity_firms"].set_index("entity")
    got = all_tables(net, ai_revenue_usd={"nvidia": 100e9})["circularity_firms"]
    got = got.set_index("entity")
    assert got.loc["nvidia", "returned_pct_ai_revenue"] == pytest.approx(
        base.loc["nvidia", "returned_pct_ai_revenue"] * 204.8 / 100
    )
    assert got.loc["nvidia", "ai_revenue_basis"] == "given by the user"


# --------------------------------------------------------------------------- the document
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


def test_every_source_id_cited_resolves() -> None:
    known = set(pd.read_csv(DATA_DIR / "sources.csv")["id"])
    cited: set[str] = set()
    for folder in ("analytics", "report"):
        for path in (ROOT / "src" / "lahar" / folder).glob("*.py"):
            cited |= set(re.findall(r"\b[SPAB]\d{2,4}\b", path.read_text(encoding="utf-8")))
    doc = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    cited |= set(re.findall(r"\b([SPA]\d{2,4})\b", doc))
    assert cited - known == set()
    assert np.isin(["A06", "A07", "P04", "P17"], sorted(cited)).all()
