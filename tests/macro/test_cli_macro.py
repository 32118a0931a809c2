"""The ``lahar macro`` command (typer CliRunner)."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from lahar.cli import app

runner = CliRunner()


def test_macro_table():
    res = runner.invoke(app, ["macro", "--capex-cut", "0.3", "--no-store"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    for text in (
        "GDP change",
        "% of 2025 GDP",
        "Jobs by industry",
        "S&P 500",
        "Nasdaq-100",
        "401(k)",
        "Power (PJM)",
        "Sources",
        "mpc_stock_wealth",
        "[P15]",
        "gdp_2025",
    ):
        assert text in res.output


def test_macro_json_matches_library():
    from lahar.data import load_bea, load_parameters
    from lahar.scenarios import capex_bust

    res = runner.invoke(
        app, ["macro", "--capex-cut", "0.25", "--format", "json", "--top", "5", "--no-store"]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["capex_cut"] == 0.25
    assert len(out["jobs_by_industry"]) == 5
    gdp = next(
        r["value"] for r in out["economy"] if r["unit"] == "USD" and r["item"] == "GDP change"
    )
    s = capex_bust(0.25, table=load_bea(2023, domestic=True), params=load_parameters())
    assert gdp == pytest.approx(s.gdp_change[0])
    assert all(p["source_id"] for p in out["parameters"])


def test_macro_csv():
    res = runner.invoke(app, ["macro", "--capex-cut", "0.5", "--format", "csv", "--no-store"])
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(io.StringIO(res.output))
    assert {"economy", "markets", "jobs_by_industry", "power", "parameters"} <= set(frame.section)


def test_macro_bad_options():
    res = runner.invoke(app, ["macro", "--capex-cut", "1.5"])
    assert res.exit_code != 0
    res = runner.invoke(app, ["macro", "--format", "xml"])
    assert res.exit_code != 0
    assert "Invalid value for '--format' / '-f': must be one of table, csv, json" in res.output
