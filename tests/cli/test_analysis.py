"""`lahar rank | sensitivity | reverse | discover`: good calls, bad options named, no traceback."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from lahar.cli import EXIT_FAILED, EXIT_USAGE, app
from lahar.store import Store

runner = CliRunner()


def test_rank_prints_the_most_harmful_failures_and_records_the_run(tmp_path) -> None:
    store = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["rank", "--top", "3", "--format", "csv", "--store", str(store)])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(io.StringIO(res.stdout))
    assert got["rank"].tolist() == [1, 2, 3]
    assert (got["loss_caused"].diff().dropna() <= 0).all()
    runs = Store(store).runs()
    assert runs["command"].tolist() == ["rank"]
    table = runner.invoke(app, ["rank", "--top", "2", "--no-store"])
    assert table.exit_code == 0, table.output
    assert "Systemic importance" in table.output


def test_sensitivity_json_has_indices_and_intervals() -> None:
    res = runner.invoke(
        app,
        ["sensitivity", "capex_cut", "--n", "64", "-o", "gdp_change", "-f", "json", "--no-store"],
    )
    assert res.exit_code == 0, res.output
    rows = {r["factor"]: r for r in json.loads(res.stdout)}
    assert set(rows) == {
        "capex_cut.cut",
        "commitment_margin",
        "commitment_discount_rate",
        "status_weight_announced",
        "status_weight_committed",
        "status_weight_estimate",
        "balance_sheets",
    }
    # GDP is linear in the cut and depends on nothing else (no firm defaults in capex_cut)
    assert rows["capex_cut.cut"]["ST"] == pytest.approx(1.0, abs=0.05)
    assert abs(rows["balance_sheets"]["ST"]) < 1e-9


def test_reverse_finds_the_threshold_and_says_when_there_is_none() -> None:
    args = ["reverse", "openai_pays_40", "-q", "partial_payment.paid_share", "--no-store"]
    res = runner.invoke(
        app, [*args, "-o", "loss_commitments>100e9", "--range", "0,1", "-f", "json"]
    )
    assert res.exit_code == 0, res.output
    row = json.loads(res.stdout)[0]
    assert row["found"]
    assert row["direction"] == "below"
    assert 0 < row["threshold"] < 1
    none = runner.invoke(app, [*args, "-o", "default:microsoft"])
    assert none.exit_code == 0, none.output
    assert "does not happen" in none.output


def test_discover_prints_boxes() -> None:
    res = runner.invoke(
        app,
        [
            "discover",
            "openai_pays_40",
            "--draws",
            "128",
            "--bad",
            "loss_commitments>1e11",
            "--no-store",
            "-f",
            "csv",
        ],
    )
    assert res.exit_code == 0, res.output
    boxes = pd.read_csv(io.StringIO(res.stdout))
    assert {"box", "coverage", "density", "parameter", "low", "high"} <= set(boxes.columns)


BAD = [
    (["rank", "--top", "0", "--no-store"], EXIT_USAGE, ["'--top'", ">= 1"]),
    (["rank", "--format", "xml", "--no-store"], EXIT_USAGE, ["'--format'", "table, csv, json"]),
    (["sensitivity", "capex_cutt", "--no-store"], EXIT_USAGE, ["did you mean 'capex_cut'"]),
    (["sensitivity", "capex_cut", "--n", "100", "--no-store"], EXIT_USAGE, ["'--n'", "power"]),
    (
        ["sensitivity", "capex_cut", "-o", "gdp", "--no-store"],
        EXIT_USAGE,
        ["'--outcome'", "unknown outcome 'gdp'"],
    ),
    (
        ["reverse", "openai_pays_40", "-q", "x", "-o", "loss_total=3", "--no-store"],
        EXIT_USAGE,
        ["'--outcome'", "OUTCOME>NUMBER"],
    ),
    (
        ["reverse", "openai_pays_40", "-q", "partial_payment.paid_shar", "-o", "defaults>=1"],
        EXIT_FAILED,
        ["--quantity", "did you mean 'partial_payment.paid_share'"],
    ),
    (
        ["reverse", "openai_pays_40", "-q", "partial_payment.paid_share", "-o", "default:oracel"],
        EXIT_FAILED,
        ["--outcome", "did you mean 'oracle'"],
    ),
    (
        ["reverse", "openai_pays_40", "-q", "x", "-o", "defaults>=1", "--range", "1,0"],
        EXIT_USAGE,
        ["'--range'", "LOW < HIGH"],
    ),
    (["discover", "openai_pays_40", "--draws", "0", "--no-store"], EXIT_USAGE, ["'--draws'"]),
    (
        ["discover", "openai_pays_40", "--bad", "lost_total>1", "--no-store"],
        EXIT_USAGE,
        ["'--bad'", "did you mean 'loss_total'"],
    ),
]


@pytest.mark.parametrize(("args", "code", "fragments"), BAD)
def test_bad_options_are_named_without_a_traceback(args, code, fragments) -> None:
    if args[0] == "reverse" and "--no-store" not in args:
        args = [*args, "--no-store"]
    res = runner.invoke(app, args)
    assert res.exit_code == code, res.output
    for f in fragments:
        assert f in res.output, res.output
    assert "Traceback" not in res.output
