"""The shipped dataset: sizes, sourcing, and data for every theme of DESIGN.md."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from lahar.data import DATA_DIR, load_network, read_tables, validate

MAG7 = ["apple", "microsoft", "nvidia", "alphabet", "amazon", "meta", "tesla"]


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return read_tables()


@pytest.fixture(scope="module")
def net():
    return load_network()


def test_valid_and_large_enough(tables):
    assert validate() == []
    assert len(tables["entities"]) >= 60
    assert len(tables["exposures"]) >= 150
    assert tables["sources"]["url"].nunique() >= 60


def test_every_source_is_used_and_every_reference_resolves(tables):
    """Every source_id resolves, and every source row is cited somewhere in the shipped data.

    A citation is a ``source_id`` cell of any shipped CSV, or the id quoted in a note, a data
    README (e.g. the BEA tables' provenance) or a model's docstring (the source of a default
    assumption, e.g. GPU rental prices in ``lahar.analytics.leverage``).
    """
    for name in ("entities", "exposures", "facts"):
        assert tables[name]["source_id"].notna().all()
    known = set(tables["sources"]["id"])
    cited: set[str] = set()
    for path in DATA_DIR.parent.rglob("*"):
        if path.name in ("sources.csv", "schema.csv") or path.suffix not in (".csv", ".md", ".py"):
            continue
        if path.suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            if "source_id" in frame.columns:
                ids = {x for cell in frame["source_id"] for x in cell.replace(";", " ").split()}
                assert ids <= known, (path.name, sorted(ids - known))
                cited |= ids
        text = path.read_text(encoding="utf-8")
        cited |= set(re.findall(r"\b[A-Z]\d{2,4}\b", text)) & known
    assert known - cited == set()


def test_status_is_graded(tables):
    counts = tables["exposures"]["status"].value_counts()
    for status in ("announced", "committed", "drawn", "reported", "estimate"):
        assert counts.get(status, 0) > 0, status


def edge(net, layer, a, b) -> float:
    return float(net.layer(layer)[net.index_of(a), net.index_of(b)])


def test_circular_deals(net):
    # chip and cloud giants invest in labs that buy their chips and cloud
    assert edge(net, "equity", "nvidia", "openai") > 0
    assert edge(net, "chip_purchase", "openai", "nvidia") > 0
    assert edge(net, "equity", "microsoft", "openai") > 0
    assert edge(net, "cloud_contract", "openai", "microsoft") > 0
    assert edge(net, "cloud_contract", "openai", "oracle") > 0
    assert edge(net, ("equity", "chip_purchase"), "openai", "amd") > 0
    assert edge(net, "equity", "amazon", "anthropic") > 0
    assert (
        net.layer(("equity", "cloud_contract", "guarantee", "lease"))[
            :, net.index_of("coreweave")
        ].sum()
        > 0
    )


def test_second_tier_leverage_and_spvs(net):
    debt = net.layer("debt")
    for borrower in ("coreweave", "oracle", "meta_hyperion_spv", "xai_gpu_spv"):
        assert debt[:, net.index_of(borrower)].sum() > 0, borrower
    assert (net.kinds == "spv").sum() >= 3
    assert (net.kinds == "private_credit").sum() >= 2


def test_capex_revenue_gap_facts(tables):
    facts = tables["facts"]
    for metric in ("capex", "revenue"):
        have = set(facts.loc[facts["metric"] == metric, "entity"])
        assert {"microsoft", "alphabet", "amazon", "meta", "oracle"} <= have, metric
    assert (facts["metric"] == "ai_revenue").sum() >= 2


def test_power_gulf_governance_and_concentration(net, tables):
    assert net.layer("power_purchase").nnz >= 2
    assert (net.kinds == "power_plant").sum() >= 3
    pledges = net.layer("investment_pledge")
    assert pledges[net.index_of(["uae_government", "mgx", "saudi_government", "pif"]), :].sum() > 0
    exports = net.layer("chip_export")
    assert exports[:, net.index_of(["g42", "humain"])].nnz >= 2
    assert net.layer("governance")[net.index_of("howard_lutnick"), :].nnz >= 2
    weights = tables["facts"].query("metric == 'index_weight'")
    assert set(MAG7) <= set(weights["entity"])
    index_holders = net.kinds == "index_fund"
    assert net.layer("equity")[index_holders][:, net.index_of(MAG7)].sum() > 0


def test_two_speed_economy_psychology_and_adoption(tables):
    """DESIGN.md themes 1, 8 and 9: AI capex carrying growth, bubble sentiment, adoption gap."""
    facts = tables["facts"]

    def has(entity: str, metric: str) -> bool:
        return bool(((facts["entity"] == entity) & (facts["metric"] == metric)).any())

    assert has("us_economy", "gdp_growth_share")
    assert has("us_economy", "gdp_growth_contribution")
    assert has("global_fund_managers", "survey_share")
    assert has("sp500", "valuation_ratio")
    # fast consumer adoption against slow enterprise adoption
    assert has("openai", "weekly_active_users")
    assert has("us_businesses", "adoption_rate")
    shares = facts.query("metric in ['adoption_rate', 'survey_share', 'gdp_growth_share']")["value"]
    assert shares.between(0, 100).all()
