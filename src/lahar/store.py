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
import socket
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from lahar.data import FILES, network_from_tables, read_tables, schema
from lahar.errors import StoreError
from lahar.network import Network

__all__ = [
    "DEFAULT_STORE",
    "SCHEMA_VERSION",
    "Store",
    "default_store_path",
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
                f"Store {self.path} does not exist; create it with `lahar data import`."
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
    def import_dataset(self, directory: str | Path | None = None) -> dict[str, int]:
        """Validate a dataset and replace the store's dataset tables with it, atomically.

        Parameters
        ----------
        directory : str or Path, optional
            Dataset folder; default: the shipped dataset.

        Returns
        -------
        dict of str to int
            Rows imported per table.

        Raises
        ------
        DataError
            The dataset does not validate (nothing is changed).
        StoreError
            The write failed (nothing is changed).
        """
        tables = read_tables(directory)
        self.replace_tables(tables)
        return {name: len(frame) for name, frame in tables.items()}

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

    def export(self, directory: str | Path, *, fmt: str = "parquet") -> list[Path]:
        """Write every table to ``directory`` as Parquet or CSV files; return their paths."""
        if fmt not in ("parquet", "csv"):
            raise ValueError(
                f"The 'fmt' parameter of Store.export must be 'parquet' or 'csv'. Got {fmt!r} instead."
            )
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        paths = []
        with self.connect() as con:
            for name in (*_TABLES, "runs", "results"):
                path = directory / f"{name}.{fmt}"
                opts = "(FORMAT parquet)" if fmt == "parquet" else "(HEADER, DELIMITER ',')"
                con.execute(
                    f"COPY (SELECT * FROM {name} ORDER BY rowid) TO '{_sql_str(path)}' {opts}"
                )
                paths.append(path)
        return paths

    # ------------------------------------------------------------------ queries
    def sql(self, query: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run a query and return a DataFrame (use ``Store(path, read_only=True)`` for safety)."""
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
                for frame in long:
                    con.register("_incoming", frame)
                    con.execute(
                        "INSERT INTO results SELECT run_id, name, entity, scenario, key, metric, value FROM _incoming"
                    )
                    con.unregister("_incoming")
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
    ) -> str:
        """Record a run as ``running`` before it computes; return its id.

        Draw-level results go to :meth:`run_dir` while it runs; :meth:`end_run` marks it done
        or failed. A run whose process died stays ``running`` and :meth:`runs` shows it as
        ``killed``; earlier runs are never touched.
        """
        if self.read_only:
            raise StoreError(f"Store {self.path} is open read-only.")
        from lahar import __version__

        run_id = str(uuid.uuid4())
        with self.connect() as con:
            digest = con.execute(
                "SELECT value FROM lahar_meta WHERE key = 'dataset_digest'"
            ).fetchone()
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
                for frame in long:
                    con.register("_incoming", frame)
                    con.execute(
                        "INSERT INTO results SELECT run_id, name, entity, scenario, key, metric, value FROM _incoming"
                    )
                    con.unregister("_incoming")
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


def _version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'lahar_meta'"
    ).fetchone()[0]
    if not exists:
        tables = con.execute("SELECT count(*) FROM information_schema.tables").fetchone()[0]
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
    long = work.melt(
        id_vars=[*special, "key"], value_vars=metrics, var_name="metric", value_name="value"
    )
    long.insert(0, "name", name)
    long.insert(0, "run_id", run_id)
    for col in ("entity", "scenario"):
        if col not in long:
            long[col] = None
    long["entity"] = long["entity"].astype("str")
    long["scenario"] = long["scenario"].astype("Int64")
    long["value"] = long["value"].astype("float64")
    return long


def _sql_str(path: Path) -> str:
    return str(path).replace("'", "''")
