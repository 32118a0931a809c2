"""Balance sheets of the unlisted entities that an exposure touches (labs, SPVs, funds, states).

Every unlisted entity (no ``ticker`` in entities.csv) that is the source or target of an exposure
needs ``total_assets`` and ``book_equity`` for the contagion models; a figure is either reported or
an estimate that says its range. A few figures are checked by hand against the document they cite.
"""

from __future__ import annotations

import pandas as pd
import pytest

from lahar.data import load_network, read_tables

BALANCE = ("total_assets", "book_equity")


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return read_tables()


@pytest.fixture(scope="module")
def unlisted_touched(tables) -> list[str]:
    ent = tables["entities"]
    ticker = ent.set_index("id")["ticker"].fillna("").astype(str)
    ex = tables["exposures"]
    touched = set(ex["source"]) | set(ex["target"])
    return sorted(e for e in touched if ticker[e].strip() == "")


@pytest.fixture(scope="module")
def facts(tables) -> pd.DataFrame:
    f = tables["facts"].copy()
    for col in ("value", "low", "high"):
        f[col] = pd.to_numeric(f[col], errors="coerce")
    return f


def _one(facts: pd.DataFrame, entity: str, metric: str) -> pd.Series:
    rows = facts[(facts["entity"] == entity) & (facts["metric"] == metric)]
    assert len(rows) >= 1, (entity, metric)
    return rows.iloc[-1]


def test_the_set_is_the_one_the_exposures_define(unlisted_touched):
    # The labs, the SPVs, a sovereign fund, a government, a person and an aggregate are all in it;
    # a listed firm (Nvidia) is not.
    for e in ("openai", "meta_hyperion_spv", "adq", "us_government", "howard_lutnick"):
        assert e in unlisted_touched
    assert "bond_investors" in unlisted_touched
    assert "nvidia" not in unlisted_touched
    assert len(unlisted_touched) >= 50


@pytest.mark.parametrize("metric", BALANCE)
def test_every_unlisted_entity_has_a_balance_sheet(unlisted_touched, facts, metric):
    have = set(facts.loc[facts["metric"] == metric, "entity"])
    missing = [e for e in unlisted_touched if e not in have]
    assert missing == []


@pytest.mark.parametrize("metric", BALANCE)
def test_each_figure_is_reported_or_a_ranged_estimate(unlisted_touched, facts, metric):
    rows = facts[(facts["metric"] == metric) & facts["entity"].isin(unlisted_touched)]
    for _, r in rows.iterrows():
        assert r["status"] in ("reported", "estimate"), r["id"]
        assert r["basis"] == "point", r["id"]
        assert r["period_end"], r["id"]
        if r["status"] == "estimate":
            assert pd.notna(r["low"]), r["id"]
            assert pd.notna(r["high"]), r["id"]
            assert r["low"] <= r["value"] <= r["high"], r["id"]
            assert r["confidence"] in ("low", "medium"), r["id"]
            assert len(str(r["note"])) > 20, r["id"]  # the method, in one line


def test_new_sources_are_classified(tables, facts, unlisted_touched):
    rows = facts[facts["metric"].isin(BALANCE) & facts["entity"].isin(unlisted_touched)]
    src = tables["sources"].set_index("id")
    cls = src.loc[sorted(set(rows["source_id"])), "source_class"].fillna("")
    fresh = [i for i in cls.index if i.startswith("S2") and len(i) == 5]
    assert fresh, "the bs-private sources S2500-S2999 are cited"
    assert set(cls[fresh]) <= {"primary", "press", "secondary"}
    # a figure resting on a secondary page is never 'high'
    secondary = set(cls[cls == "secondary"].index)
    assert not ((rows["source_id"].isin(secondary)) & (rows["confidence"] == "high")).any()


def test_hand_checked_us_government_fy2025():
    # Financial Report of the US Government FY2025 (balance sheet at 30 Sep 2025), as relayed by
    # https://www.thedupreereport.com/2026/03/treasury-fy2025-fiscal-gap-gao (S2500):
    # assets $6.06T, liabilities $47.78T, "a negative net position of $41.72 trillion".
    # Hand check: 6.06 - 47.78 = -41.72.
    f = read_tables()["facts"]
    f = f[f["entity"] == "us_government"].set_index("metric")
    assets = float(f.loc["total_assets", "value"])
    net = float(f.loc["book_equity", "value"])
    assert assets == pytest.approx(6.06e12)
    assert net == pytest.approx(6.06e12 - 47.78e12)
    assert f.loc["book_equity", "period_end"] == "2025-09-30"


def test_hand_checked_calpers_and_pif(facts):
    # CalPERS release of 14 Jul 2025 (S2503, https://www.calpers.ca.gov/newsroom/calpers-news/2025/
    # calpers-announces-preliminary-116-return-for-2024-25-fiscal-year): "total assets under
    # management to approximately $556.2 billion" at 30 Jun 2025.
    assert _one(facts, "calpers", "total_assets")["value"] == pytest.approx(556.2e9)
    # PIF 2024 statements (S2502): total assets SAR 4.321 trillion; the riyal is pegged at 3.75
    # per dollar, so 4.321e12 / 3.75 = 1.1523e12 USD; borrowings SAR 570B / 3.75 = 152.0e9 USD.
    assert _one(facts, "pif", "total_assets")["value"] == pytest.approx(4.321e12 / 3.75, rel=1e-3)
    assert _one(facts, "pif", "debt")["value"] == pytest.approx(570e9 / 3.75, rel=1e-3)


def test_hand_checked_hyperion_spv_adds_up(facts):
    # Beignet Investor LLC (Meta Hyperion): $27.3B of 144A notes (FT Alphaville, S028) and ~$2.5B
    # of equity (S038), so assets = 27.3 + 2.5 = 29.8 ($B) and assets - debt = equity.
    assets = _one(facts, "meta_hyperion_spv", "total_assets")["value"]
    debt = _one(facts, "meta_hyperion_spv", "debt")["value"]
    equity = _one(facts, "meta_hyperion_spv", "book_equity")["value"]
    assert debt == pytest.approx(27.3e9)
    assert assets == pytest.approx(27.3e9 + 2.5e9)
    assert assets - debt == pytest.approx(equity)


def test_balance_sheets_are_coherent(unlisted_touched, facts):
    # Where an entity has both, equity never exceeds assets (negative net positions are allowed:
    # governments), and an estimate's range brackets a positive asset figure.
    for e in unlisted_touched:
        a = _one(facts, e, "total_assets")
        q = _one(facts, e, "book_equity")
        assert a["value"] > 0, e
        assert q["value"] <= a["value"] * (1 + 1e-9), e


def test_balance_sheets_hold_what_the_network_says(unlisted_touched):
    # A balance sheet must be able to carry the exposures the network gives it: what an entity
    # lends or holds in the network (debt and equity layers, every status, as the models count
    # them) fits in its total assets, and what it borrows fits in its liabilities (assets minus
    # book equity); otherwise the contagion model would find it insolvent before any shock.
    net = load_network()
    debt = net.layer("debt").toarray()
    stakes = net.layer("equity").toarray()
    assets = net.fact("total_assets")
    equity = net.fact("book_equity")
    ids = list(net.ids)
    for e in unlisted_touched:
        i = ids.index(e)
        held = debt[i].sum() + stakes[i].sum()
        owed = debt[:, i].sum()
        assert held <= assets[i] * (1 + 1e-9), (e, held, assets[i])
        assert owed <= (assets[i] - equity[i]) * (1 + 1e-9) or equity[i] < 0, (e, owed)
