"""The DuckDB store: the dataset, runs and their results in one file.

Tables
------
``lahar_meta``
    ``key, value``; holds ``schema_version``.
``sources``, ``entities``, ``exposures``, ``facts``
    The dataset, column for column as in the CSV files (dates as ``DATE``).
``runs``
    ``run_id, created_at, command, params (JSON), lahar_version, dataset_digest``.
``results``
    Long format: ``run_id, name, entity, scenario, key, metric, value`` — one number per row,
    so any model's output can be queried with SQL and joined with the dataset. ``key`` holds
    a result row's other labels as JSON (e.g. ``{"layer": "debt"}``; query them with
    ``json_extract_string(key, '$.layer')``).

A dataset import replaces the four dataset tables in a single transaction: if anything fails,
every table is left as it was. The schema carries a version; :func:`migrate` brings an older
store up to date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import socket
import stat
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from lahar.data import FILES, network_from_tables, read_tables, schema
from lahar.errors import DataError, QueryError, StoreError
from lahar.network import Network

__all__ = [
    "DEFAULT_STORE",
    "MAX_ROWS",
    "SCHEMA_VERSION",
    "TIMEOUT_S",
    "QueryResult",
    "Store",
    "default_store_path",
    "sandboxed_query",
]

DEFAULT_STORE = "lahar.duckdb"
"""Store file used when neither ``--store`` nor ``LAHAR_STORE`` is given."""

_SQL_TYPE = {
    "id": "VARCHAR",
    "str": "VARCHAR",
    "enum": "VARCHAR",
    "url": "VARCHAR",
    "country": "VARCHAR",
    "float": "DOUBLE",
    "int": "INTEGER",
    "date": "DATE",
    "metric": "VARCHAR",
}
_TABLES = tuple(f.removesuffix(".csv") for f in FILES)


def _sql_type(kind: str) -> str:
    return "VARCHAR" if kind.startswith("ref:") else _SQL_TYPE[kind]


def _dataset_ddl() -> list[str]:
    stmts = []
    for file, fields in schema().items():
        cols = []
        for f in fields:
            null = " NOT NULL" if f.required else ""
            key = " PRIMARY KEY" if f.name == "id" else ""
            cols.append(f"{f.name} {_sql_type(f.type)}{null}{key}")
        stmts.append(f"CREATE TABLE {file.removesuffix('.csv')} ({', '.join(cols)})")
    return stmts


def _v2() -> list[str]:
    """Columns added to the dataset schema after version 1 (nullable until the next import)."""
    return [
        f"ALTER TABLE {file.removesuffix('.csv')} ADD COLUMN IF NOT EXISTS {f.name} "
        f"{_sql_type(f.type)}"
        for file, fields in schema().items()
        for f in fields
    ]


def _v1() -> list[str]:
    return [
        "CREATE TABLE lahar_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
        *_dataset_ddl(),
        """CREATE TABLE runs (
            run_id VARCHAR PRIMARY KEY, created_at TIMESTAMP NOT NULL, command VARCHAR NOT NULL,
            params VARCHAR NOT NULL, lahar_version VARCHAR NOT NULL, dataset_digest VARCHAR)""",
        """CREATE TABLE results (
            run_id VARCHAR NOT NULL, name VARCHAR NOT NULL, entity VARCHAR, scenario INTEGER,
            key VARCHAR, metric VARCHAR NOT NULL, value DOUBLE)""",
    ]


# Migration k brings a store from version k to k + 1; version 0 is an empty file.
def _v3() -> list[str]:
    """Run bookkeeping: status (running, done, failed), spec hash, seed, timings, process."""
    cols = (
        ("status", "VARCHAR DEFAULT 'done'"),
        ("spec_hash", "VARCHAR"),
        ("seed", "BIGINT"),
        ("finished_at", "TIMESTAMP"),
        ("elapsed_s", "DOUBLE"),
        ("pid", "INTEGER"),
        ("host", "VARCHAR"),
    )
    return [f"ALTER TABLE runs ADD COLUMN IF NOT EXISTS {c} {t}" for c, t in cols]


_MIGRATIONS = (_v1, _v2, _v3)
SCHEMA_VERSION = len(_MIGRATIONS)
"""Current schema version of the store."""


def default_store_path() -> Path:
    """Store path from ``LAHAR_STORE``, else ``./lahar.duckdb``."""
    return Path(os.environ.get("LAHAR_STORE") or DEFAULT_STORE)


class Store:
    """A lahar DuckDB store file.

    Parameters
    ----------
    path : str or Path, optional
        The file; default :func:`default_store_path`. Created (with the current schema) on the
        first write.
    read_only : bool, default False
        Open connections read-only; the file must exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from lahar.store import Store
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "demo.duckdb"
    >>> store = Store(path)
    >>> counts = store.import_dataset()          # the shipped dataset
    >>> store.load_network().n == counts["entities"]
    True
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise StoreError(
                f"Store {self.path} does not exist; create it with `lahar data import` or "
                "`lahar run`."
            )

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r}{', read_only=True' if self.read_only else ''})"

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open a connection (migrating a writable store to the current schema first)."""
        try:
            con = duckdb.connect(str(self.path), read_only=self.read_only)
        except duckdb.Error as exc:
            raise StoreError(f"Cannot open store {self.path}: {exc}") from exc
        try:
            version = _version(con)
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"Store {self.path} has schema version {version}, newer than this lahar "
                    f"({SCHEMA_VERSION}); upgrade lahar."
                )
            if version < SCHEMA_VERSION:
                if self.read_only:
                    raise StoreError(
                        f"Store {self.path} has schema version {version}; open it once "
                        f"writable (e.g. `lahar data import`) to migrate it to {SCHEMA_VERSION}."
                    )
                migrate(con)
            yield con
        finally:
            con.close()

    # ------------------------------------------------------------------ dataset
    def import_dataset(
        self, directory: str | Path | None = None, *, allow_empty: bool = False
    ) -> dict[str, int]:
        """Validate a dataset and replace the store's dataset tables with it, atomically.

        Parameters
        ----------
        directory : str or Path, optional
            Dataset folder; default: the shipped dataset.
        allow_empty : bool, default False
            Import a dataset in which a table has no rows. Off by default, because the import
            replaces every table: a header-only ``facts.csv`` would delete every fact.

        Returns
        -------
        dict of str to int
            Rows imported per table.

        Raises
        ------
        DataError
            The dataset does not validate, or a table is empty and ``allow_empty`` is False
            (nothing is changed).
        StoreError
            The write failed (nothing is changed).
        """
        tables = read_tables(directory)
        empty = [name for name, frame in tables.items() if frame.empty]
        if empty and not allow_empty:
            raise DataError(self._empty_message(empty))
        self.replace_tables(tables)
        return {name: len(frame) for name, frame in tables.items()}

    def _empty_message(self, empty: list[str]) -> str:
        held = self._row_counts() if self.path.exists() else {}
        lost = [f"{held[t]} {t}" for t in empty if held.get(t)]
        what = (
            f"importing it would replace the store's {', '.join(lost)} with none"
            if lost
            else "the store would hold no rows there"
        )
        return (
            f"The dataset has no rows in {', '.join(t + '.csv' for t in empty)}: {what}. "
            "To import it anyway: `lahar data import --allow-empty` (allow_empty=True in "
            "Python)."
        )

    def _row_counts(self) -> dict[str, int]:
        try:
            with self.connect() as con:
                return {t: _scalar(con, f"SELECT count(*) FROM {t}") for t in _TABLES}
        except (StoreError, duckdb.Error):
            return {}

    def replace_tables(self, tables: Mapping[str, pd.DataFrame]) -> None:
        """Replace the dataset tables with ``tables`` in one transaction (all or nothing)."""
        if self.read_only:
            raise StoreError(f"Store {self.path} is open read-only.")
        missing = [t for t in _TABLES if t not in tables]
        if missing:
            raise StoreError(f"replace_tables needs all dataset tables; missing {missing}.")
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                for name in reversed(_TABLES):
                    con.execute(f"DROP TABLE {name}")
                for stmt in _dataset_ddl():  # the current schema, whatever the store had
                    con.execute(stmt)
                for name in _TABLES:
                    frame = tables[name]
                    con.register("_incoming", frame)
                    cols = ", ".join(frame.columns)
                    con.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM _incoming")
                    con.unregister("_incoming")
                digest = _digest(tables)
                con.execute(
                    "INSERT OR REPLACE INTO lahar_meta VALUES ('dataset_digest', ?), ('imported_at', ?)",
                    [digest, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")],
                )
                con.execute("COMMIT")
            except Exception as exc:
                con.execute("ROLLBACK")
                if isinstance(exc, duckdb.Error):
                    raise StoreError(
                        f"Import into {self.path} failed and was rolled back: {exc}"
                    ) from exc
                raise

    def read_tables(self) -> dict[str, pd.DataFrame]:
        """The dataset tables as DataFrames, typed exactly as :func:`lahar.data.read_tables`."""
        spec = schema()
        out = {}
        with self.connect() as con:
            for file in FILES:
                name = file.removesuffix(".csv")
                fields = spec[file]
                select = ", ".join(
                    f"strftime({f.name}, '%Y-%m-%d') AS {f.name}" if f.type == "date" else f.name
                    for f in fields
                )
                frame = con.execute(f"SELECT {select} FROM {name} ORDER BY rowid").df()
                out[name] = _canonical(frame, fields)
        return out

    def load_network(self) -> Network:
        """Build the :class:`~lahar.network.Network` held in the store."""
        tables = self.read_tables()
        if tables["entities"].empty:
            raise StoreError(f"Store {self.path} holds no dataset; run `lahar data import` first.")
        return network_from_tables(tables)

    def export(
        self,
        directory: str | Path,
        *,
        fmt: str = "parquet",
        overwrite: bool = False,
        raw: bool = False,
    ) -> list[Path]:
        """Write every table to ``directory`` as Parquet or CSV files; return their paths.

        Parameters
        ----------
        directory : str or Path
            Output folder, created if needed.
        fmt : {"parquet", "csv"}
            File format.
        overwrite : bool, default False
            Replace files that already exist; otherwise refuse before writing anything.
        raw : bool, default False
            CSV only: keep text exactly as stored. By default a text cell that starts with
            ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'``, so a
            spreadsheet shows it as text instead of running it as a formula (the OWASP
            CSV-injection rule). Numbers are never changed.

        Returns
        -------
        list of Path

        Raises
        ------
        StoreError
            ``directory`` is a file, or a file exists and ``overwrite`` is False.
        """
        if fmt not in ("parquet", "csv"):
            raise ValueError(
                f"The 'fmt' parameter of Store.export must be 'parquet' or 'csv'. Got {fmt!r} instead."
            )
        directory = Path(directory)
        if directory.exists() and not directory.is_dir():
            raise StoreError(f"Export folder {directory} is a file; give a folder.")
        names = (*_TABLES, "runs", "results")
        targets = [directory / f"{name}.{fmt}" for name in names]
        existing = [p for p in targets if p.exists() or p.is_symlink()]
        if existing and not overwrite:
            shown = ", ".join(p.name for p in existing[:4]) + (" ..." if len(existing) > 4 else "")
            raise StoreError(
                f"Export would overwrite {len(existing)} file(s) in {directory} ({shown}); "
                "choose another folder, or overwrite them with `lahar data export --force` "
                "(overwrite=True in Python)."
            )
        directory.mkdir(parents=True, exist_ok=True)
        with self.connect() as con:
            for name, path in zip(names, targets, strict=True):
                if path.is_symlink():
                    path.unlink()  # replace the link itself, never the file it points to
                select = "*" if fmt == "parquet" or raw else _neutralised_columns(con, name)
                opts = "(FORMAT parquet)" if fmt == "parquet" else "(HEADER, DELIMITER ',')"
                con.execute(
                    f"COPY (SELECT {select} FROM {name} ORDER BY rowid) TO '{_sql_str(path)}' {opts}"
                )
        return targets

    # ------------------------------------------------------------------ queries
    def sql(self, query: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run a trusted query (lahar's own SQL) and return a DataFrame.

        For SQL typed by a user use :func:`sandboxed_query`: this connection can read and
        write files like any DuckDB session.
        """
        with self.connect() as con:
            try:
                return con.execute(query, params or []).df()
            except duckdb.Error as exc:
                raise StoreError(f"Query failed on {self.path}: {exc}") from exc

    # ------------------------------------------------------------------ runs
    def record_run(
        self,
        command: str,
        params: Mapping[str, Any] | None = None,
        results: Mapping[str, pd.DataFrame] | None = None,
    ) -> str:
        """Record a run and its result tables in one transaction; return the run id.

        Parameters
        ----------
        command : str
            What ran (e.g. ``"analyze circularity"``).
        params : mapping, optional
            Parameters of the run (stored as JSON).
        results : mapping of str to DataFrame, optional
            Named result tables. Columns ``entity`` (str) and ``scenario`` (int) are optional
            keys, other non-numeric columns become the JSON ``key``; every numeric column
            becomes one ``metric`` per row.

        Returns
        -------
        str
            The run id (a UUID4 string).
        """
        if self.read_only:
            raise StoreError(f"Store {self.path} is open read-only.")
        from lahar import __version__

        run_id = str(uuid.uuid4())
        long = [_long(run_id, name, frame) for name, frame in (results or {}).items()]
        with self.connect() as con:
            digest = con.execute(
                "SELECT value FROM lahar_meta WHERE key = 'dataset_digest'"
            ).fetchone()
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(
                    "INSERT INTO runs (run_id, created_at, command, params, lahar_version, "
                    "dataset_digest) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        run_id,
                        dt.datetime.now(dt.UTC).replace(tzinfo=None),
                        command,
                        json.dumps(dict(params or {}), default=str, sort_keys=True),
                        __version__,
                        None if digest is None else digest[0],
                    ],
                )
                _insert_results(con, long)
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
        return run_id

    def begin_run(
        self,
        command: str,
        params: Mapping[str, Any] | None = None,
        *,
        spec_hash: str | None = None,
        seed: int | None = None,
        run_id: str | None = None,
    ) -> str:
        """Record a run as ``running`` before it computes; return its id.

        Draw-level results go to :meth:`run_dir` while it runs; :meth:`end_run` marks it done
        or failed. A run whose process died stays ``running`` and :meth:`runs` shows it as
        ``killed``; earlier runs are never touched. ``run_id`` (a UUID string) lets a caller
        that announced the run before it started (the web API's queue) keep its id; by
        default a new UUID4 is made.

        Raises
        ------
        StoreError
            The store is read-only, ``run_id`` is not a UUID, or a run of that id exists.
        """
        if self.read_only:
            raise StoreError(f"Store {self.path} is open read-only.")
        from lahar import __version__

        if run_id is None:
            run_id = str(uuid.uuid4())
        else:
            try:
                run_id = str(uuid.UUID(run_id))
            except (TypeError, ValueError, AttributeError):
                raise StoreError(
                    f"The 'run_id' parameter of Store.begin_run() must be a UUID string. Got {run_id!r} instead."
                ) from None
        with self.connect() as con:
            digest = con.execute(
                "SELECT value FROM lahar_meta WHERE key = 'dataset_digest'"
            ).fetchone()
            if _scalar(con, "SELECT count(*) FROM runs WHERE run_id = ?", [run_id]):
                raise StoreError(f"Store {self.path} already holds a run {run_id}.")
            con.execute(
                "INSERT INTO runs (run_id, created_at, command, params, lahar_version, "
                "dataset_digest, status, spec_hash, seed, pid, host) "
                "VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)",
                [
                    run_id,
                    dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    command,
                    json.dumps(dict(params or {}), default=str, sort_keys=True),
                    __version__,
                    None if digest is None else digest[0],
                    spec_hash,
                    seed,
                    os.getpid(),
                    socket.gethostname(),
                ],
            )
        return run_id

    def end_run(
        self,
        run_id: str,
        *,
        status: str = "done",
        results: Mapping[str, pd.DataFrame] | None = None,
        elapsed_s: float | None = None,
    ) -> None:
        """Mark a run ``done`` (with its result tables) or ``failed``, in one transaction."""
        if status not in ("done", "failed"):
            raise StoreError(f"A run ends 'done' or 'failed'; got {status!r}.")
        long = [_long(run_id, name, frame) for name, frame in (results or {}).items()]
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(
                    "UPDATE runs SET status = ?, finished_at = ?, elapsed_s = ? WHERE run_id = ?",
                    [status, dt.datetime.now(dt.UTC).replace(tzinfo=None), elapsed_s, run_id],
                )
                _insert_results(con, long)
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise

    def run_dir(self, run_id: str) -> Path:
        """Folder of a run's draw-level Parquet files, beside the store (``<store>.runs/<id>``)."""
        return Path(f"{self.path}.runs") / run_id

    def runs(self, command: str | None = None) -> pd.DataFrame:
        """The runs, newest first; a ``running`` run whose process is gone reads ``killed``."""
        query = (
            "SELECT run_id, created_at, command, status, spec_hash, seed, elapsed_s, pid, host, "
            "params, lahar_version, dataset_digest FROM runs"
        )
        args: list[Any] = []
        if command is not None:
            query += " WHERE command = ?"
            args.append(command)
        frame = self.sql(query + " ORDER BY created_at DESC, rowid DESC", args)
        here = socket.gethostname()

        def alive(pid: Any) -> bool:
            try:
                os.kill(int(pid), 0)
            except (OSError, TypeError, ValueError):
                return False
            return True

        dead = (frame["status"] == "running") & frame.apply(
            lambda r: r["host"] == here and not alive(r["pid"]), axis=1
        ).astype(bool)
        frame.loc[dead, "status"] = "killed"
        return frame

    def results(self, run_id: str, name: str | None = None) -> pd.DataFrame:
        """Results of a run in long format (optionally one named table)."""
        query = "SELECT * FROM results WHERE run_id = ?"
        params: list[Any] = [run_id]
        if name is not None:
            query += " AND name = ?"
            params.append(name)
        return self.sql(query + " ORDER BY rowid", params)


def _scalar(con: duckdb.DuckDBPyConnection, query: str, params: list[Any] | None = None) -> Any:
    """First column of the first row of a query that always returns one row (an aggregate)."""
    row = con.execute(query, params).fetchone()
    if row is None:
        raise StoreError(f"The query returned no row: {query}")
    return row[0]


def _version(con: duckdb.DuckDBPyConnection) -> int:
    exists = _scalar(
        con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'lahar_meta'"
    )
    if not exists:
        tables = _scalar(con, "SELECT count(*) FROM information_schema.tables")
        if tables:
            raise StoreError(
                "The file is a DuckDB database but not a lahar store (no lahar_meta table)."
            )
        return 0
    row = con.execute("SELECT value FROM lahar_meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply the pending migrations in one transaction; return the new schema version."""
    version = _version(con)
    con.execute("BEGIN TRANSACTION")
    try:
        for step in _MIGRATIONS[version:]:
            for stmt in step():
                con.execute(stmt)
        con.execute(
            "INSERT OR REPLACE INTO lahar_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION


def _canonical(frame: pd.DataFrame, fields: list) -> pd.DataFrame:
    out = {}
    for f in fields:
        col = frame[f.name]
        if f.type == "float":
            out[f.name] = col.astype("float64")
        elif f.type == "int":
            out[f.name] = col.astype("int64")
        else:
            out[f.name] = pd.Series(
                [
                    None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                    for v in col
                ],
                dtype="str",
            )
    return pd.DataFrame(out)


def _digest(tables: Mapping[str, pd.DataFrame]) -> str:
    h = hashlib.sha256()
    for name in _TABLES:
        h.update(name.encode())
        h.update(pd.util.hash_pandas_object(tables[name], index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]


def _insert_results(con: duckdb.DuckDBPyConnection, long: list[pd.DataFrame]) -> None:
    """Append long-format result tables (inside the caller's transaction)."""
    for frame in long:
        con.register("_incoming", frame)
        con.execute(
            "INSERT INTO results SELECT run_id, name, entity, scenario, key, metric, value "
            "FROM _incoming"
        )
        con.unregister("_incoming")


def _long(run_id: str, name: str, frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    special = [c for c in ("entity", "scenario") if c in frame.columns]
    labels = [
        c for c in frame.columns if c not in special and not pd.api.types.is_numeric_dtype(frame[c])
    ]
    metrics = [c for c in frame.columns if c not in special and c not in labels]
    if not metrics:
        raise ValueError(f"Result table {name!r} has no numeric column to store.")
    work = frame[special + metrics].copy()
    work["key"] = (
        [
            json.dumps(dict(zip(labels, map(str, row), strict=True)))
            for row in frame[labels].itertuples(index=False)
        ]
        if labels
        else None
    )
    long = work.melt(  # temporary names: a result table may have columns "metric"/"value"
        id_vars=[*special, "key"], value_vars=metrics, var_name="_metric", value_name="_value"
    ).rename(columns={"_metric": "metric", "_value": "value"})
    long.insert(0, "name", name)
    long.insert(0, "run_id", run_id)
    for col in ("entity", "scenario"):
        if col not in long:
            long[col] = None
    long["entity"] = long["entity"].astype("str")
    long["scenario"] = long["scenario"].astype("Int64")
    long["value"] = long["value"].astype("float64")
    return long


_FORMULA_START = r"^[=+\-@\t\r]"


def _neutralised_columns(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Select list of ``table`` with text cells that look like formulas prefixed by ``'``."""
    cols = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    out = []
    for col, kind in cols:
        q = f'"{col}"'
        if kind == "VARCHAR":
            out.append(
                f"CASE WHEN regexp_matches({q}, '{_FORMULA_START}') THEN '''' || {q} "
                f"ELSE {q} END AS {q}"
            )
        else:
            out.append(q)
    return ", ".join(out)


def _sql_str(path: Path) -> str:
    return str(path).replace("'", "''")


# ---------------------------------------------------------------------- sandboxed user SQL
MAX_ROWS = 10_000
"""Default row limit of :func:`sandboxed_query`."""
TIMEOUT_S = 30.0
"""Default time limit of :func:`sandboxed_query`, in seconds."""
_MEMORY_LIMIT = "1GB"

# Settings from DuckDB's "Securing DuckDB" guide: no file or network access except the store
# itself, no extensions, nothing spilled to disk, and the configuration locked so a query
# cannot SET any of it back.
_SANDBOX_CONFIG: dict[str, str | int | float | list[str]] = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "temp_directory": "",
    "lock_configuration": True,
}
# PRAGMAs that only describe the catalogue.
_READ_PRAGMAS = frozenset(
    {
        "table_info",
        "show",
        "show_tables",
        "show_tables_expanded",
        "database_list",
        "database_size",
        "version",
        "platform",
        "functions",
        "collations",
        "storage_info",
    }
)
# Table and scalar functions that read files, run SQL text or reach the network. The engine
# refuses them too (external access is off); this list gives the clearer message first.
_FILE_FUNCTION = re.compile(
    r"^(read_\w*|glob|sniff_csv|parquet_\w*|iceberg_\w*|delta_scan|sqlite_\w*|postgres_\w*"
    r"|mysql_\w*|http\w*|query|query_table|getenv|load_aws_credentials|duckdb_secrets"
    r"|duckdb_extensions)$",
    re.IGNORECASE,
)
_LEADING = r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*"
_EXPLAIN = re.compile(rf"^{_LEADING}EXPLAIN\s+(?:ANALYZE\s+)?(?P<rest>.*)$", re.I | re.S)
_PRAGMA = re.compile(rf"^{_LEADING}PRAGMA\s+(?P<name>\w+)\s*(?P<after>.?)", re.I | re.S)
_ALLOWED = "SELECT, WITH, VALUES, FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN or PRAGMA table_info"


@dataclass(frozen=True)
class QueryResult:
    """The answer of :func:`sandboxed_query`.

    Attributes
    ----------
    frame : DataFrame
        At most ``max_rows`` rows.
    truncated : bool
        True when the query had more rows than ``max_rows`` (only the first are kept).
    max_rows : int
        The row limit the query ran under.
    elapsed_s : float
        Wall-clock seconds the query took.
    """

    frame: pd.DataFrame
    truncated: bool
    max_rows: int
    elapsed_s: float


def sandboxed_query(
    path: str | Path,
    sql: str,
    *,
    max_rows: int = MAX_ROWS,
    timeout_s: float = TIMEOUT_S,
    memory_limit: str = _MEMORY_LIMIT,
) -> QueryResult:
    """Run one untrusted read-only SQL statement on a store, in a sandbox.

    The store is opened read-only with DuckDB's external access disabled (no other file, no
    network, no extension can be read, written or installed), spilling to disk off and the
    configuration locked. Only one statement is accepted, and only a read: ``SELECT``,
    ``WITH``, ``VALUES``, ``FROM``, ``DESCRIBE``, ``SHOW``, ``SUMMARIZE``, ``EXPLAIN`` of
    one of those, or a catalogue ``PRAGMA`` (``table_info``, ``show_tables``, ...). Functions
    that read files or run SQL text (``read_csv``, ``read_text``, ``glob``, ``query``...) are
    refused by name. The query is interrupted after ``timeout_s`` seconds and at most
    ``max_rows`` rows are fetched.

    Parameters
    ----------
    path : str or Path
        An existing store file (never created).
    sql : str
        The statement.
    max_rows : int, default :data:`MAX_ROWS`
        Rows kept; more are not fetched and ``truncated`` is set. Must be >= 1.
    timeout_s : float, default :data:`TIMEOUT_S`
        Time limit in seconds; must be > 0.
    memory_limit : str, default "1GB"
        DuckDB memory limit of the query.

    Returns
    -------
    QueryResult

    Raises
    ------
    QueryError
        The statement is empty, not a single read, uses a file function, fails, or runs past
        the time limit.
    StoreError
        The store does not exist, is not a regular file or is not a lahar store.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from lahar.store import Store, sandboxed_query
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "demo.duckdb"
    >>> _ = Store(path).import_dataset()
    >>> sandboxed_query(path, "SELECT count(*) > 0 AS ok FROM entities").frame["ok"].item()
    True
    >>> sandboxed_query(path, "COPY entities TO 'x.csv'")
    Traceback (most recent call last):
    ...
    lahar.errors.QueryError: lahar sql runs read-only queries only (SELECT, WITH, VALUES, FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN or PRAGMA table_info); got a COPY statement.
    """
    if not isinstance(max_rows, int) or isinstance(max_rows, bool) or max_rows < 1:
        raise QueryError(
            f"The 'max_rows' parameter of sandboxed_query() must be an int >= 1. Got {max_rows!r} instead."
        )
    if not (isinstance(timeout_s, int | float) and np.isfinite(timeout_s) and timeout_s > 0):
        raise QueryError(
            f"The 'timeout_s' parameter of sandboxed_query() must be a finite number > 0. Got {timeout_s!r} instead."
        )
    _check_read_only(sql)
    path = _existing_store_file(path)
    try:
        con = duckdb.connect(
            str(path), read_only=True, config={**_SANDBOX_CONFIG, "memory_limit": memory_limit}
        )
    except duckdb.Error as exc:
        raise StoreError(f"Cannot open store {path}: {exc}") from exc
    try:
        _version(con)  # refuses a DuckDB file that is not a lahar store
        return _run_limited(con, sql, max_rows=max_rows, timeout_s=timeout_s)
    finally:
        con.close()


def _existing_store_file(path: str | Path) -> Path:
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise StoreError(
            f"Store {path} does not exist; create it with `lahar data import` or `lahar run`."
        ) from None
    except OSError as exc:
        raise StoreError(f"Cannot open store {path}: {exc.strerror}.") from None
    if not stat.S_ISREG(mode):
        raise StoreError(f"Store {path} is not a regular file.")
    return path


def _check_read_only(sql: str) -> None:
    """Refuse anything but one read statement (parsed by DuckDB, not guessed)."""
    if not isinstance(sql, str) or not sql.strip():
        raise QueryError('lahar sql needs a query, e.g. "SELECT * FROM entities LIMIT 5".')
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(f"Query is not valid SQL: {_first_line(exc)}") from None
    if not statements:
        raise QueryError("lahar sql needs a query; got only comments or semicolons.")
    if len(statements) > 1:
        raise QueryError(f"lahar sql runs one statement at a time; got {len(statements)}.")
    stmt = statements[0]
    kind = stmt.type
    if kind == duckdb.StatementType.EXPLAIN:
        m = _EXPLAIN.match(sql)
        if m is None:
            raise QueryError(f"Only EXPLAIN of a read query is accepted; got {sql.strip()!r}.")
        _check_read_only(m["rest"])
        return
    if kind == duckdb.StatementType.PRAGMA:
        m = _PRAGMA.match(sql)
        if m is None:  # DuckDB parses IMPORT DATABASE as a PRAGMA
            words = " ".join(sql.split()[:2])
            raise QueryError(f"lahar sql runs read-only queries only ({_ALLOWED}); got {words!r}.")
        name = m["name"].lower()
        if name not in _READ_PRAGMAS or m["after"] == "=":
            raise QueryError(
                f"lahar sql accepts only catalogue PRAGMAs ({', '.join(sorted(_READ_PRAGMAS))}); "
                f"got PRAGMA {name}."
            )
        return
    if kind != duckdb.StatementType.SELECT:
        raise QueryError(
            f"lahar sql runs read-only queries only ({_ALLOWED}); got a {kind.name} statement."
        )
    for name in _function_names(sql):
        if _FILE_FUNCTION.match(name):
            raise QueryError(
                f"lahar sql reads the store's tables only; the function {name}() is refused."
            )


def _function_names(sql: str) -> list[str]:
    with duckdb.connect(config=dict(_SANDBOX_CONFIG)) as con:
        tree = json.loads(_scalar(con, "SELECT json_serialize_sql(?)", [sql]))
    if tree.get("error"):
        raise QueryError(f"Query is not valid SQL: {tree.get('error_message', 'parse error')}")
    names: list[str] = []
    todo: list[Any] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            if isinstance(node.get("function_name"), str):
                names.append(node["function_name"])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return names


def _run_limited(
    con: duckdb.DuckDBPyConnection, sql: str, *, max_rows: int, timeout_s: float
) -> QueryResult:
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        con.interrupt()

    timer = threading.Timer(timeout_s, stop)
    started = time.perf_counter()
    timer.start()
    try:
        result = con.execute(sql)
        columns = [d[0] for d in result.description or []]
        rows = result.fetchmany(max_rows + 1)
    except duckdb.Error as exc:
        if timed_out.is_set():
            raise QueryError(
                f"Query stopped after the time limit of {timeout_s:g} s; narrow it (WHERE, "
                "LIMIT) or raise the limit (--timeout)."
            ) from None
        if isinstance(exc, duckdb.OutOfMemoryException):
            raise QueryError(
                "Query needs more memory than the sandbox allows; narrow it (WHERE, LIMIT)."
            ) from None
        raise QueryError(f"Query failed: {_first_line(exc)}") from None
    finally:
        timer.cancel()
    elapsed = time.perf_counter() - started
    truncated = len(rows) > max_rows
    frame = pd.DataFrame.from_records(rows[:max_rows], columns=columns)
    return QueryResult(frame, truncated, max_rows, elapsed)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
