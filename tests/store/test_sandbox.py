"""``sandboxed_query`` / ``lahar sql``: hostile statements and file tricks are refused.

Each statement runs against a real store in a temporary folder that also holds a "secret"
file, a user CSV and a second lahar store. After each one, every file in the folder must be
byte-for-byte as before (nothing written, nothing created), the secret must not appear in any
output, and the refusal must say why. HOME points into the folder, so an extension download
would show up as a new file.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lahar.cli import app
from lahar.errors import QueryError, StoreError
from lahar.store import Store, sandboxed_query

from ..conftest import MINI

SECRET = "TOPSECRET-7f3a"

# (statement, fragment the refusal must contain); {d} is the folder, {s} the store file
HOSTILE = [
    ("COPY entities TO '{d}/out.csv'", "read-only queries only"),
    ("COPY (SELECT * FROM entities) TO '{d}/victim.csv'", "read-only queries only"),
    ("COPY entities TO '{d}/other.duckdb' (FORMAT parquet)", "read-only queries only"),
    ("COPY entities FROM '{d}/victim.csv'", "read-only queries only"),
    ("COPY entities TO '/dev/stdout'", "read-only queries only"),
    ("/* hi */ COPY entities TO '{d}/out.csv'", "read-only queries only"),
    ("EXPORT DATABASE '{d}/exp'", "read-only queries only"),
    ("IMPORT DATABASE '{d}'", "read-only queries only"),
    ("SELECT * FROM read_csv('{d}/secret.txt')", "read_csv() is refused"),
    ("SELECT * FROM read_csv_auto('/etc/passwd')", "read_csv_auto() is refused"),
    ("SELECT * FROM read_text('{d}/secret.txt')", "read_text() is refused"),
    ("SELECT * FROM read_blob('{d}/secret.txt')", "read_blob() is refused"),
    ("SELECT * FROM read_text('{s}')", "read_text() is refused"),
    ("SELECT * FROM read_json('{d}/secret.txt')", "read_json() is refused"),
    ("SELECT * FROM read_parquet('{d}/x.parquet')", "read_parquet() is refused"),
    ("SELECT * FROM parquet_metadata('{d}/x.parquet')", "parquet_metadata() is refused"),
    ("SELECT * FROM sniff_csv('{d}/victim.csv')", "sniff_csv() is refused"),
    ("SELECT * FROM glob('{d}/*')", "glob() is refused"),
    ("SELECT * FROM glob('/etc/*')", "glob() is refused"),
    ("SELECT * FROM '{d}/secret.txt'", "does not exist"),
    ("SELECT * FROM '{d}/victim.csv'", "disabled by configuration"),
    ("SELECT * FROM read_csv('https://example.com/x.csv')", "read_csv() is refused"),
    ("SELECT * FROM 'https://example.com/x.parquet'", "disabled by configuration"),
    (
        "WITH x AS (SELECT 1) SELECT * FROM read_text('{d}/secret.txt')",
        "read_text() is refused",
    ),
    (
        "SELECT * FROM entities WHERE id IN (SELECT content FROM read_text('{d}/secret.txt'))",
        "read_text() is refused",
    ),
    ("SELECT * FROM query('SELECT * FROM read_text(''{d}/secret.txt'')')", "query() is refused"),
    ("SELECT * FROM query_table('entities')", "query_table() is refused"),
    ("SELECT getenv('HOME')", "getenv() is refused"),
    ("DESCRIBE SELECT * FROM read_text('{d}/secret.txt')", "read_text() is refused"),
    ("INSTALL httpfs", "read-only queries only"),
    ("FORCE INSTALL httpfs", "read-only queries only"),
    ("INSTALL spatial FROM community", "read-only queries only"),
    ("LOAD httpfs", "read-only queries only"),
    ("LOAD '{d}/evil.duckdb_extension'", "read-only queries only"),
    ("ATTACH '{d}/other.duckdb' AS o", "read-only queries only"),
    ("ATTACH '{d}/new.duckdb' AS n", "read-only queries only"),
    ("ATTACH ':memory:' AS m", "read-only queries only"),
    ("DETACH lahar", "read-only queries only"),
    ("USE memory", "read-only queries only"),
    ("SET enable_external_access = true", "read-only queries only"),
    ("RESET enable_external_access", "read-only queries only"),
    ("SET allow_community_extensions = true", "read-only queries only"),
    ("SET temp_directory = '{d}/tmp'", "read-only queries only"),
    ("SET profiling_output = '{d}/prof.txt'", "read-only queries only"),
    ("PRAGMA enable_profiling", "catalogue PRAGMAs"),
    ("PRAGMA profiling_output = '{d}/prof.txt'", "got a SET statement"),
    ("PRAGMA table_info = 'x'", "catalogue PRAGMAs"),
    ("CREATE TABLE x AS SELECT 1", "read-only queries only"),
    ("CREATE TEMP TABLE x AS SELECT * FROM entities", "read-only queries only"),
    ("CREATE SECRET (TYPE s3, KEY_ID 'k', SECRET 's')", "read-only queries only"),
    ("CREATE MACRO m(x) AS x", "read-only queries only"),
    ("DROP TABLE entities", "read-only queries only"),
    ("DELETE FROM facts", "read-only queries only"),
    ("UPDATE entities SET name = 'x'", "read-only queries only"),
    ("INSERT INTO runs SELECT * FROM runs", "read-only queries only"),
    ("CHECKPOINT", "read-only queries only"),
    ("VACUUM", "read-only queries only"),
    ("CALL pragma_version()", "read-only queries only"),
    ("PREPARE p AS SELECT 1", "read-only queries only"),
    ("BEGIN TRANSACTION", "read-only queries only"),
    ("SELECT 1; COPY entities TO '{d}/out.csv'", "one statement at a time"),
    ("SELECT 1; DROP TABLE entities", "one statement at a time"),
    ("EXPLAIN COPY entities TO '{d}/out.csv'", "read-only queries only"),
    ("EXPLAIN ANALYZE COPY entities TO '{d}/out.csv'", "read-only queries only"),
    ("PIVOT entities ON kind", "read-only queries only"),
    ("", "needs a query"),
    ("   ;  ", "needs a query"),
    ("-- only a comment", "needs a query"),
    ("SELEC 1", "not valid SQL"),
]


def _snapshot(folder: Path) -> dict[str, str]:
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink():
            out[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            out[str(p.relative_to(folder))] = "dir" if p.is_dir() else "other"
    return out


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A folder with a store, a secret, a user CSV and a second store."""
    d = tmp_path_factory.mktemp("sandbox")
    store = d / "store.duckdb"
    Store(store).import_dataset(MINI)
    other = d / "other.duckdb"
    Store(other).import_dataset(MINI)
    (d / "secret.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    (d / "victim.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (d / "home").mkdir()
    return d, store


@pytest.fixture
def jailed(sandbox, monkeypatch) -> tuple[Path, Path]:
    d, store = sandbox
    monkeypatch.setenv("HOME", str(d / "home"))
    monkeypatch.chdir(d / "home")
    return d, store


def test_at_least_forty_hostile_statements():
    assert len(HOSTILE) >= 40
    assert len({sql for sql, _ in HOSTILE}) == len(HOSTILE)


@pytest.mark.parametrize(("template", "fragment"), HOSTILE)
def test_hostile_statement_is_refused_and_touches_nothing(jailed, template, fragment):
    d, store = jailed
    sql = template.format(d=d, s=store)
    before = _snapshot(d)
    with pytest.raises(QueryError) as info:
        sandboxed_query(store, sql)
    message = str(info.value)
    assert fragment in message
    assert SECRET not in message
    assert "\n" not in message.strip()
    assert _snapshot(d) == before


@pytest.mark.parametrize(
    "template",
    [
        "COPY entities TO '{d}/out.csv'",
        "SELECT * FROM read_text('{d}/secret.txt')",
        "INSTALL httpfs",
        "ATTACH '{d}/other.duckdb' AS o",
        "",
    ],
)
def test_cli_refuses_with_one_line_and_exit_1(jailed, template):
    d, store = jailed
    before = _snapshot(d)
    res = CliRunner().invoke(app, ["sql", template.format(d=d), "--store", str(store)])
    assert res.exit_code == 1
    assert res.output.startswith("error: ")
    assert len(res.output.strip().splitlines()) == 1
    assert "Traceback" not in res.output
    assert SECRET not in res.output
    assert _snapshot(d) == before


def test_engine_settings_are_on_and_locked(sandbox):
    _, store = sandbox
    sql = (
        "SELECT current_setting('enable_external_access') AS ext, "
        "current_setting('lock_configuration') AS locked, "
        "current_setting('autoinstall_known_extensions') AS install"
    )
    row = sandboxed_query(store, sql).frame.iloc[0]
    assert [str(v).lower() for v in row] == ["false", "true", "false"]


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * FROM read_text('{d}/secret.txt')",
        "COPY entities TO '{d}/out.csv'",
        "ATTACH '{d}/other.duckdb' AS o",
        "SET enable_external_access = true",
        "INSTALL httpfs",
    ],
)
def test_engine_refuses_even_without_the_statement_filter(jailed, template):
    # second line of defence: the DuckDB settings alone, with the parse/classify step skipped
    import duckdb

    from lahar.store import _SANDBOX_CONFIG

    d, store = jailed
    before = _snapshot(d)
    con = duckdb.connect(str(store), read_only=True, config=dict(_SANDBOX_CONFIG))
    try:
        with pytest.raises(duckdb.Error, match="disabled|locked|read-only|Permission"):
            con.execute(template.format(d=d)).fetchall()
    finally:
        con.close()
    assert _snapshot(d) == before


def test_store_file_tricks(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "nope.duckdb"
    with pytest.raises(StoreError, match="does not exist; create it with `lahar data import`"):
        sandboxed_query(missing, "SELECT 1")
    assert not missing.exists()
    link = tmp_path / "zero.duckdb"
    link.symlink_to("/dev/zero")
    with pytest.raises(StoreError, match="not a regular file"):
        sandboxed_query(link, "SELECT 1")
    fifo = tmp_path / "fifo.duckdb"
    os.mkfifo(fifo)
    with pytest.raises(StoreError, match="not a regular file"):
        sandboxed_query(fifo, "SELECT 1")
    with pytest.raises(StoreError, match="not a regular file"):
        sandboxed_query(tmp_path, "SELECT 1")
    text = tmp_path / "text.duckdb"
    text.write_text("hello\n", encoding="utf-8")
    with pytest.raises(StoreError, match="Cannot open store"):
        sandboxed_query(text, "SELECT 1")
    assert text.read_text(encoding="utf-8") == "hello\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "fifo.duckdb",
        "text.duckdb",
        "zero.duckdb",
    ]


@pytest.mark.parametrize(
    ("sql", "rows"),
    [
        ("SELECT id FROM entities ORDER BY id", 5),
        ("WITH e AS (SELECT * FROM entities) SELECT count(*) AS n FROM e", 1),
        ("FROM entities", 5),
        ("VALUES (1), (2)", 2),
        ("DESCRIBE entities", None),
        ("SHOW TABLES", None),
        ("SUMMARIZE exposures", None),
        ("PRAGMA table_info('entities')", None),
        ("PRAGMA show_tables", None),
        ("EXPLAIN SELECT * FROM entities", None),
        ("-- a comment\nSELECT 1 AS x;", 1),
    ],
)
def test_read_statements_run(sandbox, sql, rows):
    _, store = sandbox
    out = sandboxed_query(store, sql)
    assert not out.truncated
    assert len(out.frame) > 0
    if rows is not None:
        assert len(out.frame) == rows


def test_row_limit(sandbox):
    _, store = sandbox
    out = sandboxed_query(store, "SELECT * FROM range(1000000000) t(i)", max_rows=7)
    assert out.truncated
    assert out.frame["i"].tolist() == list(range(7))
    res = CliRunner().invoke(
        app, ["sql", "SELECT * FROM range(50) t(i)", "--store", str(store), "--max-rows", "3"]
    )
    assert res.exit_code == 0
    assert "only the first 3 rows are shown" in res.output


def test_time_limit(sandbox):
    _, store = sandbox
    # ~10^13 rows: far beyond any limit; the interrupt is what stops it
    with pytest.raises(QueryError, match=re.escape("time limit of 0.2 s")):
        sandboxed_query(
            store, "SELECT count(*) FROM range(10000000000000) t(i) WHERE i % 7 = 3", timeout_s=0.2
        )
    # the store still answers afterwards
    assert sandboxed_query(store, "SELECT 1 AS x").frame["x"].item() == 1


@pytest.mark.parametrize(
    ("kw", "value"), [("max_rows", 0), ("timeout_s", -1.0), ("timeout_s", float("nan"))]
)
def test_bad_limits(sandbox, kw, value):
    _, store = sandbox
    with pytest.raises(QueryError, match=f"The '{kw}' parameter of sandboxed_query"):
        sandboxed_query(store, "SELECT 1", **{kw: value})
