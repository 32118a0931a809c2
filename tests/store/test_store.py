"""The DuckDB store: exact round trips, atomic replacement, read-only queries, runs, export."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from lahar.data import load_network, read_tables
from lahar.errors import StoreError
from lahar.network import LAYERS
from lahar.store import SCHEMA_VERSION, Store

from ..conftest import MINI


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "t.duckdb")
    s.import_dataset(MINI)
    return s


def test_dataset_store_network_round_trip_is_exact(store):
    csv_tables = read_tables(MINI)
    db_tables = store.read_tables()
    for name, frame in csv_tables.items():
        pd.testing.assert_frame_equal(db_tables[name], frame, check_exact=True)
    # the multi-line, quoted note survives
    assert db_tables["exposures"].loc[5, "note"] == "multi-line\nnote"
    net_csv, net_db = load_network(MINI), store.load_network()
    assert net_db.equals(net_csv)
    for layer in LAYERS:
        assert (net_db.layer(layer) != net_csv.layer(layer)).nnz == 0


def test_shipped_dataset_round_trip(tmp_path):
    s = Store(tmp_path / "shipped.duckdb")
    counts = s.import_dataset()
    assert counts["entities"] >= 60
    assert counts["exposures"] >= 150
    assert s.load_network().equals(load_network())


def test_schema_version_and_types(store):
    assert store.sql("SELECT value FROM lahar_meta WHERE key = 'schema_version'").iloc[0, 0] == str(
        SCHEMA_VERSION
    )
    types = dict(store.sql("DESCRIBE exposures")[["column_name", "column_type"]].values)
    assert types["amount_usd"] == "DOUBLE"
    assert types["date"] == "DATE"


def test_failed_write_rolls_back_every_table(store):
    before = store.read_tables()
    bad = read_tables(MINI)
    # duplicate primary key in the last table written: the first tables were already replaced
    # inside the transaction when it fails
    bad["facts"] = pd.concat([bad["facts"], bad["facts"].iloc[[0]]], ignore_index=True)
    bad["entities"] = bad["entities"].iloc[:2]
    with pytest.raises(StoreError, match="rolled back"):
        store.replace_tables(bad)
    after = store.read_tables()
    for name in before:
        pd.testing.assert_frame_equal(after[name], before[name])


def test_read_only_connection_refuses_writes(store):
    ro = Store(store.path, read_only=True)
    assert ro.sql("SELECT count(*) AS n FROM entities").iloc[0, 0] == 5
    with pytest.raises(StoreError, match="read-only"):
        ro.sql("DELETE FROM entities")
    with pytest.raises(StoreError, match="read-only"):
        ro.record_run("x")
    with pytest.raises(StoreError, match="does not exist"):
        Store(store.path.parent / "missing.duckdb", read_only=True)


def test_newer_schema_and_foreign_database_are_refused(tmp_path, store):
    con = duckdb.connect(str(store.path))
    con.execute("UPDATE lahar_meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(StoreError, match="newer than this lahar"):
        store.sql("SELECT 1")
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a lahar store"):
        Store(other).sql("SELECT 1")


def test_record_run_and_results(store):
    frame = pd.DataFrame(
        {
            "entity": ["nvidia", "oracle"],
            "scenario": [0, 1],
            "loss": [1.5, 2.5],
            "layer": ["debt", "equity"],
        }
    )
    run_id = store.record_run("test", {"alpha": 0.5}, {"losses": frame})
    res = store.results(run_id, "losses")
    assert list(res["metric"]) == ["loss", "loss"]
    np.testing.assert_array_equal(res["value"], [1.5, 2.5])
    assert list(res["entity"]) == ["nvidia", "oracle"]
    layer = store.sql(
        "SELECT json_extract_string(key, '$.layer') AS layer FROM results WHERE run_id = ? ORDER BY rowid",
        [run_id],
    )
    assert list(layer["layer"]) == ["debt", "equity"]
    runs = store.sql("SELECT command, params FROM runs")
    assert runs.iloc[0]["params"] == '{"alpha": 0.5}'
    with pytest.raises(ValueError, match="no numeric column"):
        store.record_run("bad", results={"t": pd.DataFrame({"entity": ["a"]})})


def test_export_parquet_and_csv(store, tmp_path):
    paths = store.export(tmp_path / "pq", fmt="parquet")
    ents = pq.read_table(tmp_path / "pq" / "entities.parquet").to_pandas()
    assert list(ents["id"]) == list(read_tables(MINI)["entities"]["id"])
    assert {p.name for p in paths} >= {"exposures.parquet", "facts.parquet", "runs.parquet"}
    store.export(tmp_path / "csv", fmt="csv")
    exps = pd.read_csv(tmp_path / "csv" / "exposures.csv")
    np.testing.assert_array_equal(exps["amount_usd"], read_tables(MINI)["exposures"]["amount_usd"])
    with pytest.raises(ValueError, match="'parquet' or 'csv'"):
        store.export(tmp_path, fmt="xlsx")


def test_migration_upgrades_existing_store_and_keeps_data(store, monkeypatch):
    import lahar.store as st

    before = store.read_tables()

    def step() -> list[str]:
        return ["ALTER TABLE runs ADD COLUMN note VARCHAR"]

    old = st.SCHEMA_VERSION
    monkeypatch.setattr(st, "_MIGRATIONS", (*st._MIGRATIONS, step))
    monkeypatch.setattr(st, "SCHEMA_VERSION", old + 1)
    # a read-only open of an old store must not migrate it
    with pytest.raises(StoreError, match=f"schema version {old}"):
        Store(store.path, read_only=True).sql("SELECT 1")
    cols = store.sql("DESCRIBE runs")["column_name"].tolist()
    assert "note" in cols
    assert store.sql("SELECT value FROM lahar_meta WHERE key = 'schema_version'").iloc[0, 0] == str(
        old + 1
    )
    after = store.read_tables()
    for name in before:
        pd.testing.assert_frame_equal(after[name], before[name])
