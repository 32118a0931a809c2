"""Tests of the parameters file and of the GDP / jobs / savings summary."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

from lahar.data import PARAMETERS_FILE, capex_categories, load_bea, load_parameters
from lahar.errors import DataError
from lahar.network import AI_KINDS
from lahar.scenarios import ai_exposure_of_kind, capex_bust

P = load_parameters()
T = load_bea(2023, domestic=True)


def test_every_parameter_is_sourced():
    sources = PARAMETERS_FILE.parent / "sources.csv"
    with sources.open(newline="") as fh:
        ids = {r["id"] for r in csv.DictReader(fh)}
    for p in P.values():
        assert p.source_id in ids, p.id
        assert p.low <= p.value <= p.high
        assert p.status in ("reported", "derived", "estimate")
    shares = sum(P.value(f"capex_share_{c}") for c in capex_categories())
    assert shares == pytest.approx(1.0)


def test_bad_parameters_file_lists_every_problem(tmp_path: Path):
    bad = tmp_path / "parameters.csv"
    shutil.copy(PARAMETERS_FILE.parent / "sources.csv", tmp_path / "sources.csv")
    bad.write_text(
        "id,model,name,value,low,high,unit,status,source_id,note\n"
        "a,markets,x,2,1,3,USD,reported,P01,\n"
        "b,markets,x,5,1,3,USD,reported,P01,\n"
        "c,weather,x,1,1,1,USD,guess,NOPE,\n"
        "a,markets,x,abc,1,3,USD,reported,P01,\n"
    )
    with pytest.raises(DataError) as err:
        load_parameters(bad)
    msg = str(err.value)
    assert "parameters.csv:3: value: b: expected low <= value <= high" in msg
    assert "parameters.csv:4: model" in msg
    assert "parameters.csv:4: status" in msg
    assert "parameters.csv:4: source_id: c: source 'NOPE' not in sources.csv" in msg
    assert "parameters.csv:5: id: duplicate id 'a'" in msg
    assert "expected a finite number, got 'abc'" in msg
    with pytest.raises(KeyError, match="Unknown parameter 'zzz'"):
        P["zzz"]


def test_capex_bust_zero_cut_is_zero():
    s = capex_bust(0.0, table=T, params=P)
    assert s.gdp_change[0] == 0.0
    assert s.jobs_change[0] == 0.0
    assert s.savings.households[0] == 0.0


def test_capex_bust_linear_and_monotone():
    cuts = np.array([0.1, 0.2, 0.3, 1.0])
    s = capex_bust(cuts, table=T, params=P)
    assert (np.diff(s.gdp_change) < 0).all()
    assert (np.diff(s.jobs_change) < 0).all()
    np.testing.assert_allclose(s.gdp_change / cuts, s.gdp_change[0] / 0.1)  # linear model
    # batched column equals the single run
    one = capex_bust(0.3, table=T, params=P)
    np.testing.assert_allclose(one.gdp_change[0], s.gdp_change[2])
    np.testing.assert_allclose(one.jobs_change_by_industry[:, 0], s.jobs_change_by_industry[:, 2])
    # accounting: rounds add up; GDP loss smaller than the final-demand loss (imports leak)
    np.testing.assert_allclose(s.gdp_change, s.gdp_change_capex + s.gdp_change_consumption)
    np.testing.assert_allclose(s.value_added_change.sum(axis=0), s.gdp_change)
    assert (-s.gdp_change_capex < -s.capex_change).all()
    # hand check of the market round: -c * 0.58 * 0.43 on the S&P 500
    np.testing.assert_allclose(s.sp500_return, -cuts * 0.58 * 0.43)
    np.testing.assert_allclose(s.consumption_change, 0.032 * 51.2e12 * s.sp500_return)
    np.testing.assert_allclose(s.gdp_change_pct, 100 * s.gdp_change / 30762.1e9)


def test_capex_bust_ranges_and_errors():
    lo = capex_bust(0.3, table=T, params=P, which="low")
    mid = capex_bust(0.3, table=T, params=P)
    assert lo.consumption_change[0] != mid.consumption_change[0]
    hi = capex_bust(0.3, table=T, params=P, which="high")
    assert hi.capex_change[0] < mid.capex_change[0] < lo.capex_change[0]
    with pytest.raises(ValueError, match="must be a fraction in \\[0, 1\\]"):
        capex_bust(1.2, table=T, params=P)


def test_ai_exposure_by_kind():
    for k in AI_KINDS:
        assert ai_exposure_of_kind(k, P) == P.value("ai_premium_share")
    assert ai_exposure_of_kind("pension", P) == 0.0
