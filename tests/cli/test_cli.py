"""The `lahar` command: run, data validate/import/export, sql."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from lahar.cli import app

from ..conftest import MINI

runner = CliRunner()


def test_run_prints_summary_and_records(tmp_path):
    store = tmp_path / "s.duckdb"
    result = runner.invoke(app, ["summary", "--data", str(MINI), "--store", str(store)])
    assert result.exit_code == 0, result.output
    for heading in ("Entities by kind", "Exposures by layer and status", "Ten largest exposures"):
        assert heading in result.output
    assert "$300.0B" in result.output  # the largest mini exposure, 3e11
    out = runner.invoke(
        app, ["sql", "SELECT count(*) AS n FROM runs", "--store", str(store), "--format", "json"]
    )
    assert json.loads(out.output) == [{"n": 1}]


def test_store_from_environment(tmp_path, monkeypatch):
    store = tmp_path / "env.duckdb"
    monkeypatch.setenv("LAHAR_STORE", str(store))
    assert runner.invoke(app, ["data", "import", str(MINI)]).exit_code == 0
    out = runner.invoke(app, ["sql", "SELECT id FROM entities ORDER BY id", "--format", "csv"])
    assert out.output.split() == ["id", "amd", "nvidia", "openai", "oracle", "stargate_spv"]


def test_sql_is_read_only(tmp_path):
    store = tmp_path / "s.duckdb"
    runner.invoke(app, ["data", "import", str(MINI), "--store", str(store)])
    out = runner.invoke(app, ["sql", "DROP TABLE entities", "--store", str(store)])
    assert out.exit_code == 1
    assert "read-only" in out.output


def test_validate_shipped_and_broken(tmp_path):
    assert runner.invoke(app, ["data", "validate"]).exit_code == 0
    (tmp_path / "sources.csv").write_text("id,publication\nS1,x\n", encoding="utf-8")
    out = runner.invoke(app, ["data", "validate", str(tmp_path)])
    assert out.exit_code == 1
    assert "sources.csv:1: title: missing column" in out.output
    assert f"entities.csv: -: file not found in {tmp_path}" in out.output


def test_export(tmp_path):
    store = tmp_path / "s.duckdb"
    runner.invoke(app, ["data", "import", str(MINI), "--store", str(store)])
    out = runner.invoke(
        app,
        ["data", "export", "--store", str(store), "--out", str(tmp_path / "x"), "--format", "csv"],
    )
    assert out.exit_code == 0
    assert (tmp_path / "x" / "facts.csv").exists()


def test_years_print_without_separators(capsys):
    import pandas as pd

    from lahar.cli._common import print_frame

    frame = pd.DataFrame({"maturity_year": [2049.0], "year": [2031], "amount": [2049.0]})
    print_frame(frame)
    out = capsys.readouterr().out
    assert "2049 " in out
    assert "2031" in out
    assert "2,049" in out  # the amount keeps its separator; years do not
    assert out.count("2,049") == 1


def test_run_summary_shows_superseded_apart(mini_dir, tmp_path):
    import csv

    path = mini_dir / "exposures.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    x7 = list(rows[4])  # X4, openai -> oracle
    x7[0], x7[rows[0].index("supersedes")] = "X7", "X4"
    rows.append(x7)
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    res = runner.invoke(
        app,
        ["summary", "--data", str(mini_dir), "--store", str(tmp_path / "s.duckdb")],
        env={"COLUMNS": "200"},
    )
    assert res.exit_code == 0, res.output
    assert "Superseded exposures" in res.output
