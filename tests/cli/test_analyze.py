"""`lahar analyze`: tables printed, formats, assumptions as options, runs in the store."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from lahar.cli import app
from lahar.data import load_network
from lahar.report.findings import circularity_tables

runner = CliRunner()


def _csv_tables(text: str) -> dict[str, pd.DataFrame]:
    out, name, buf = {}, None, []
    for line in text.splitlines(keepends=True):
        if line.startswith("# "):
            if name:
                out[name] = pd.read_csv(io.StringIO("".join(buf)))
            name, buf = line[2:].strip(), []
        else:
            buf.append(line)
    if name:
        out[name] = pd.read_csv(io.StringIO("".join(buf)))
    return out


def test_circularity_table_output() -> None:
    res = runner.invoke(app, ["analyze", "circularity", "--no-store"])
    assert res.exit_code == 0, res.output
    assert "Round-tripped and circulating money per firm" in res.output
    assert "nvidia" in res.output
    assert "not stored" in res.output


def test_csv_numbers_match_the_library() -> None:
    res = runner.invoke(app, ["analyze", "circularity", "--no-store", "--format", "csv"])
    assert res.exit_code == 0, res.output
    got = _csv_tables(res.stdout)
    want = circularity_tables(load_network())
    assert set(got) == set(want)
    g = got["circularity_firms"].set_index("entity")
    w = want["circularity_firms"].set_index("entity")
    pd.testing.assert_series_equal(
        g["returned_usd"], w["returned_usd"], check_names=False, rtol=1e-12
    )


def test_assumptions_change_the_numbers() -> None:
    base = runner.invoke(app, ["analyze", "circularity", "--no-store", "-f", "json"])
    heads = runner.invoke(
        app,
        [
            "analyze",
            "circularity",
            "--no-store",
            "-f",
            "json",
            "--weights",
            "1",
            "--spread-years",
            "0",
        ],
    )
    a = json.loads(base.stdout)["circularity_summary"]
    b = json.loads(heads.stdout)["circularity_summary"]
    total = {r["item"]: r["figure"] for r in a}["largest circulation"]
    total_h = {r["item"]: r["figure"] for r in b}["largest circulation"]
    assert total_h > total
    want = circularity_tables(
        load_network(),
        status_weights=dict.fromkeys(
            ["announced", "committed", "drawn", "reported", "estimate"], 1.0
        ),
        termless_years=1.0,
        sensitivity=False,
    )
    assert total_h == pytest.approx(
        want["circularity_summary"].set_index("item").loc["largest circulation", "figure"]
    )


def test_all_topics_recorded_in_the_store(tmp_path) -> None:
    store = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["analyze", "all", "--store", str(store), "-f", "csv"])
    assert res.exit_code == 0, res.output
    names = set(_csv_tables(res.stdout))
    assert {
        "circularity_firms",
        "leverage_firms",
        "gap_aggregate",
        "concentration_index",
        "energy_load",
        "geopolitics_ledger",
        "governance_paths",
    } <= names
    out = runner.invoke(
        app,
        [
            "sql",
            "SELECT r.command, count(DISTINCT x.name) AS n FROM runs r JOIN results x "
            "USING (run_id) GROUP BY r.command",
            "--store",
            str(store),
            "--format",
            "json",
        ],
    )
    rows = json.loads(out.stdout)
    assert rows == [{"command": "analyze all", "n": len(names)}]


def test_bad_options() -> None:
    res = runner.invoke(app, ["analyze", "bubbles", "--no-store"])
    assert res.exit_code == 2
    assert "Invalid value for 'topic': must be one of circularity" in res.output
    res = runner.invoke(app, ["analyze", "circularity", "--no-store", "--weights", "rumour=1"])
    assert res.exit_code == 2
    assert "Invalid value for '--weights': unknown status 'rumour'" in res.output
    res = runner.invoke(app, ["analyze", "gap", "--no-store", "--format", "xml"])
    assert res.exit_code == 2


def test_all_topics_run_on_a_small_dataset_with_gaps(tmp_path) -> None:
    # the test fixture has five entities, no AI revenue, no index weights: tables may be empty
    # or partly NaN, but every topic runs
    from pathlib import Path

    mini = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
    res = runner.invoke(app, ["analyze", "all", "--data", str(mini), "--no-store", "-f", "json"])
    assert res.exit_code == 0, res.output
    assert "circularity_firms" in json.loads(res.stdout)


def test_money_flow_curation_defaults_from_data_and_overrides() -> None:
    # default: X0019, X0159 and X0179 excluded (money_flow column); --exclude '' counts all
    # three, and X0019 (kept now) supersedes the cash row X0018: base + 3 - 1 deals
    def deals(*extra: str) -> float:
        res = runner.invoke(app, ["analyze", "circularity", "--no-store", "-f", "json", *extra])
        assert res.exit_code == 0, res.output
        rows = json.loads(res.stdout)["circularity_summary"]
        return {r["key"]: r["figure"] for r in rows}["deals"]

    base = deals()
    assert (
        base
        == circularity_tables(load_network(), sensitivity=False)["circularity_summary"]
        .set_index("key")
        .loc["deals", "figure"]
    )
    assert deals("--exclude", "") == base + 2
