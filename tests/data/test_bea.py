"""Tests of lahar.data's BEA loaders: BEA's published tables, the bridges and their checks.

The coefficients are checked against BEA's own published requirements tables (same release,
and across vintages), accounting identities, and hand-made broken copies of the shipped files.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import lahar.data._bea as bea
from lahar.data import (
    capex_bridge,
    capex_categories,
    industry_of_kind,
    load_bea,
    load_parameters,
    published_requirements,
)
from lahar.errors import DataError
from lahar.macro.input_output import total_requirements, type_i_multipliers, type_ii_multipliers
from lahar.network import KINDS

_CACHES = (bea._numbered, bea._codes, bea._raw, bea._bridge, bea._kinds)


@pytest.fixture(scope="module")
def bea2023():
    return load_bea(2023)


@pytest.fixture(scope="module")
def bea2017():
    return load_bea(2017)


@pytest.fixture
def bea_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A writable copy of the shipped BEA folder that the loaders read instead."""
    d = tmp_path / "bea"
    shutil.copytree(bea.BEA_DIR, d)
    monkeypatch.setattr(bea, "BEA_DIR", d)
    for c in _CACHES:
        c.cache_clear()
    yield d
    monkeypatch.undo()
    for c in _CACHES:
        c.cache_clear()


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


# ---------------------------------------------------------------- BEA tables


def test_bea_direct_requirements_match_published(bea2023):
    # Our B = U diag(g)^-1 from the 2023 use table vs BEA's published CxI direct requirements
    # (same 2024 release): within 1e-4 (BEA rounds the use table to $1M).
    pub = published_requirements("direct", 2023)
    assert np.abs(bea2023.direct_requirements - pub[:73]).max() < 1e-4
    assert np.abs(bea2023.value_added_coefficients - pub[73:].sum(axis=0)).max() < 1e-4
    assert np.abs(bea2023.compensation_coefficients - pub[73]).max() < 1e-4


def test_bea_total_requirements_same_vintage(bea2023):
    a, ell = bea2023.technical_coefficients, bea2023.total_requirements
    np.testing.assert_allclose(ell @ (np.eye(71) - a), np.eye(71), atol=1e-12)
    # from BEA's published (rounded) direct requirements instead of the use table
    pub = published_requirements("direct", 2023)[:73]
    ell_pub = total_requirements(bea2023.market_shares @ pub)
    assert np.abs(ell_pub - ell).max() < 1e-4
    assert (np.diag(ell) >= 1).all()


def test_bea_2017_reproduces_published_total_requirements_across_vintages(bea2017):
    # The published 2017 IxI TR is the 2021 release (2012 benchmark); our 2017 tables are the
    # 2024 release (2017 benchmark). Agreement is as close as the revisions allow: see
    # docs/macro.md for the report (python -m lahar.data._bea_revisions).
    pub = published_requirements("total", 2017, vintage=2021)
    diff = np.abs(bea2017.total_requirements - pub)
    assert np.median(diff) < 1e-3
    assert np.quantile(diff, 0.95) < 0.02
    assert np.abs(np.diag(bea2017.total_requirements) - np.diag(pub)).max() < 0.1
    m_ours, m_pub = bea2017.total_requirements.sum(axis=0), pub.sum(axis=0)
    assert np.corrcoef(m_ours, m_pub)[0, 1] > 0.95
    assert np.abs(m_ours / m_pub - 1).max() < 0.2


def test_bea_table_shapes_and_accounting(bea2023):
    t = bea2023
    assert t.n == 71
    assert len(t.commodities) == 73
    assert t.industries[:3] == ("111CA", "113FF", "211")
    assert t.industries[-1] == "GSLE"
    # value added = output - intermediate inputs (all 73 commodity rows), to BEA's rounding
    inter = t.direct_requirements.sum(axis=0) * t.output
    assert np.abs(t.output - inter - t.value_added).max() <= 10
    # market shares: each comparable commodity's output fully attributed
    np.testing.assert_allclose(t.market_shares[:, :71].sum(axis=0) > 0.99, True)
    # NIPA 6.5D lines cover all domestic industries exactly once (line 2, 2017: 136,483k)
    assert t.employment.sum() == pytest.approx(136_483e3)
    assert (t.employment_coefficients >= 0).all()
    assert t.pce_shares().sum() == pytest.approx(1.0)


def test_bea_domestic_table(bea2023):
    dom = load_bea(2023, domestic=True)
    assert (
        np.abs(dom.technical_coefficients) <= np.abs(bea2023.technical_coefficients) + 1e-15
    ).all()
    i = dom.commodities.index("334")
    assert 0.3 < dom.import_shares[i] < 0.9  # most computer hardware is imported
    assert 0.9 < dom.pce_shares().sum() < 1.0
    # domestic multipliers are smaller
    assert (
        type_i_multipliers(dom.technical_coefficients) < bea2023.total_requirements.sum(0)
    ).all()


def test_bea_type_ii_household_closure():
    t = load_bea(2023, domestic=True)
    hr, hc = t.household_closure(0.6)
    m1 = type_i_multipliers(t.technical_coefficients)
    m2 = type_ii_multipliers(t.technical_coefficients, hr, hc)
    assert (m2 > m1).all()
    assert (m2 / m1 < 2).all()
    with pytest.raises(DataError, match="consumption_per_income"):
        t.household_closure(-1.0)


def test_bea_unknown_year_raises():
    with pytest.raises(
        DataError, match=r"'year' parameter of load_bea\(\) must be one of \[2017, 2023\]"
    ):
        load_bea(1999)
    with pytest.raises(DataError, match=r"'table' parameter of published_requirements\(\)"):
        published_requirements("inverse", 2023)
    with pytest.raises(DataError, match=r"'year' parameter of published_requirements\(\)"):
        published_requirements("total", 2023)


def test_capex_bridge_is_one_commodity_per_category(bea2023):
    m = capex_bridge(bea2023)
    cats = capex_categories()
    assert m.shape == (73, len(cats)) == (73, 8)
    np.testing.assert_array_equal(m.sum(axis=0), 1.0)
    bought = {c: bea2023.commodities[int(m[:, k].argmax())] for k, c in enumerate(cats)}
    # the NAICS assignments of data/bea/ai_capex_bridge.csv, read from the file by hand
    assert bought == {
        "it_equipment": "334",
        "construction": "23",
        "electrical_equipment": "335",
        "mechanical_equipment": "333",
        "software": "511",
        "it_services": "5415",
        "cloud_services": "514",
        "utilities": "22",
    }
    np.testing.assert_array_equal(capex_bridge(), m)  # default: BEA's commodity order
    # every category has its sourced share of AI capex
    params = load_parameters()
    assert all(f"capex_share_{c}" in params for c in cats)


def test_industry_of_kind():
    assert industry_of_kind("utility") == "22"
    assert industry_of_kind("neocloud") == "514"
    assert industry_of_kind("bank") == "521CI"
    assert industry_of_kind("sovereign_fund") is None
    assert all(k in KINDS for k in bea._kinds())
    with pytest.raises(DataError, match=r"'kind' parameter of industry_of_kind\(\) must be one of"):
        industry_of_kind("dragon")


def test_index_of_an_unknown_code(bea2023):
    with pytest.raises(KeyError, match="valid codes"):
        bea2023.index("9999")


def test_a_bridge_to_an_unknown_commodity_names_file_line_and_field(bea_copy):
    _replace(bea_copy / "ai_capex_bridge.csv", "\nconstruction,23,", "\nconstruction,2X,")
    with pytest.raises(DataError, match=r"ai_capex_bridge\.csv:3: commodity: '2X' is not a BEA"):
        capex_categories()


def test_a_duplicate_category_is_refused(bea_copy):
    _replace(bea_copy / "ai_capex_bridge.csv", "\nconstruction,23,", "\nit_equipment,23,")
    with pytest.raises(DataError, match=r"ai_capex_bridge\.csv:3: category: duplicate"):
        capex_bridge()


def test_a_kind_map_with_unknown_names_names_file_line_and_field(bea_copy):
    _replace(bea_copy / "kind_industries.csv", "\nchipmaker,334,", "\nchipmaker,3340,")
    _replace(bea_copy / "kind_industries.csv", "\nneocloud,514,", "\nneo_cloud,514,")
    with pytest.raises(DataError) as info:
        industry_of_kind("chipmaker")
    msg = str(info.value)
    assert "kind_industries.csv:3: industry: '3340' is not a BEA summary industry code" in msg
    assert "kind_industries.csv:4: kind: 'neo_cloud' is not an entity kind" in msg


def test_an_unproductive_table_is_refused(bea_copy):
    # a use table whose intermediate inputs of one industry exceed its output: no Leontief
    # inverse with a meaning (spectral radius of A >= 1)
    text = (bea_copy / "use.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("2023,334,334,"))
    lines[i] = "2023,334,334,9000000"
    (bea_copy / "use.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"use\.csv: musd: the 2023 table is not productive"):
        load_bea(2023)
