"""The `lahar abm` command: summary, stored paths and run row, option checks."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from lahar.cli import app
from lahar.simulation import simulate, summarize

runner = CliRunner()


def test_abm_json_matches_the_library_and_stores_paths(tmp_path):
    store = tmp_path / "s.duckdb"
    args = ["abm", "--runs", "6", "--quarters", "10", "--seed", "4", "--store", str(store)]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    res = simulate(runs=6, quarters=10, seed=4)
    expected = summarize(res).to_dict()
    for key, value in expected.items():
        assert out[key] == value, key
    # the Parquet paths beside the store hold every run and quarter of the same simulation
    table = pq.read_table(out["paths"]).to_pandas()
    assert str(store.name + ".runs") in out["paths"]
    assert len(table) == 6 * 10
    capex = table.pivot(index="run", columns="quarter", values="capex").to_numpy()
    np.testing.assert_array_equal(capex, res.capex)
    with duckdb.connect(str(store), read_only=True) as con:
        rows = con.execute("SELECT run_id, command FROM runs").fetchall()
    assert rows == [(out["run_id"], "abm")]


def test_abm_table_output(tmp_path):
    store = tmp_path / "s.duckdb"
    result = runner.invoke(
        app, ["abm", "--runs", "3", "--quarters", "4", "--seed", "1", "--store", str(store)]
    )
    assert result.exit_code == 0, result.output
    assert "Bust probability within 4 quarters" in result.output
    assert "recorded in" in result.output


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--runs", "0"], "--runs"),
        (["--quarters", "0"], "--quarters"),
        (["--seed", "-1"], "--seed"),
        (["--format", "xml"], "expected one of table, json"),
    ],
)
def test_abm_rejects_bad_options(tmp_path, args, match):
    result = runner.invoke(app, ["abm", *args, "--store", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 2
    assert match in result.output
    assert not (tmp_path / "s.duckdb").exists()
