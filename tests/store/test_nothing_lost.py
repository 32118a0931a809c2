"""Nothing is lost without asking: empty tables, overwritten exports, formula cells, stores
created by a command that only reads."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lahar.cli import app
from lahar.errors import DataError, StoreError
from lahar.store import Store

from ..conftest import MINI

runner = CliRunner()


def _count(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def _header_only(d: Path, file: str) -> None:
    head = (d / file).read_text(encoding="utf-8").splitlines()[0]
    (d / file).write_text(head + "\n", encoding="utf-8")


def test_empty_table_needs_allow_empty(mini_dir, tmp_path):
    store = tmp_path / "s.duckdb"
    Store(store).import_dataset(MINI)
    _header_only(mini_dir, "facts.csv")
    n_facts = _count(MINI / "facts.csv")  # 4 rows in the fixture
    with pytest.raises(DataError, match=rf"replace the store's {n_facts} facts with none"):
        Store(store).import_dataset(mini_dir)
    assert Store(store).read_tables()["facts"].shape[0] == n_facts

    res = runner.invoke(app, ["data", "import", str(mini_dir), "--store", str(store)])
    assert res.exit_code == 1
    assert "no rows in facts.csv" in res.output
    assert "--allow-empty" in res.output
    assert Store(store).read_tables()["facts"].shape[0] == n_facts

    res = runner.invoke(
        app, ["data", "import", str(mini_dir), "--store", str(store), "--allow-empty"]
    )
    assert res.exit_code == 0, res.output
    assert Store(store).read_tables()["facts"].shape[0] == 0


def test_empty_table_into_a_new_store(mini_dir, tmp_path):
    _header_only(mini_dir, "facts.csv")
    with pytest.raises(DataError, match="the store would hold no rows there"):
        Store(tmp_path / "new.duckdb").import_dataset(mini_dir)


def test_export_never_overwrites_without_force(tmp_path):
    store = tmp_path / "s.duckdb"
    Store(store).import_dataset(MINI)
    out = tmp_path / "out"
    out.mkdir()
    mine = out / "facts.csv"
    mine.write_text("my own file\n", encoding="utf-8")
    args = ["data", "export", "--store", str(store), "--out", str(out), "--format", "csv"]
    res = runner.invoke(app, args)
    assert res.exit_code == 1
    assert "would overwrite 1 file(s)" in res.output
    assert "--force" in res.output
    assert mine.read_text(encoding="utf-8") == "my own file\n"
    assert sorted(p.name for p in out.iterdir()) == ["facts.csv"]  # nothing half-written
    res = runner.invoke(app, [*args, "--force"])
    assert res.exit_code == 0, res.output
    assert _count(mine) == _count(MINI / "facts.csv")


def test_export_replaces_a_link_not_its_target(tmp_path):
    store = tmp_path / "s.duckdb"
    Store(store).import_dataset(MINI)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "entities.csv").symlink_to(victim)
    with pytest.raises(StoreError, match="would overwrite"):
        Store(store, read_only=True).export(out, fmt="csv")
    Store(store, read_only=True).export(out, fmt="csv", overwrite=True)
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert not (out / "entities.csv").is_symlink()


FORMULAS = ["=cmd|' /C calc'!A0", "+1+2", "-2+3", "@SUM(A1)", '=HYPERLINK("http://x")']


def test_csv_export_neutralises_formulas(mini_dir, tmp_path):
    path = mini_dir / "entities.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        data = list(csv.reader(fh))
    # one formula per entity note (5 entities): the first five forms
    for i, text in enumerate(FORMULAS[:5], start=1):
        data[i][data[0].index("note")] = text
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(data)
    store = tmp_path / "s.duckdb"
    Store(store).import_dataset(mini_dir)
    # the dataset strips surrounding blanks, so a leading tab or CR is tested on a run record
    Store(store).record_run("\tTAB")
    Store(store).record_run("\rCR")

    safe = Store(store, read_only=True).export(tmp_path / "safe", fmt="csv")
    raw = Store(store, read_only=True).export(tmp_path / "raw", fmt="csv", raw=True)

    def notes(paths: list[Path]) -> list[str]:
        ent = next(p for p in paths if p.name == "entities.csv")
        with ent.open(encoding="utf-8", newline="") as fh:
            return [r["note"] for r in csv.DictReader(fh)]

    assert notes(safe) == ["'" + t for t in FORMULAS[:5]]
    assert notes(raw) == FORMULAS[:5]
    with (tmp_path / "safe" / "runs.csv").open(encoding="utf-8", newline="") as fh:
        assert sorted(r["command"] for r in csv.DictReader(fh)) == ["'\tTAB", "'\rCR"]
    # numbers are never touched: amounts equal in both exports
    with (
        (tmp_path / "safe" / "exposures.csv").open(encoding="utf-8") as a,
        (tmp_path / "raw" / "exposures.csv").open(encoding="utf-8") as b,
    ):
        sa = [r["amount_usd"] for r in csv.DictReader(a)]
        sb = [r["amount_usd"] for r in csv.DictReader(b)]
    assert sa == sb


def test_read_only_commands_never_create_a_store(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LAHAR_STORE", raising=False)
    for args in (
        ["sql", "SELECT 1"],
        ["data", "export", "--out", str(tmp_path / "x")],
        ["analyze", "gap"],
        ["macro"],
    ):
        res = runner.invoke(app, args)
        assert res.exit_code == 1, (args, res.output)
        assert "lahar data import" in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_macro_records_its_run(tmp_path):
    store = tmp_path / "s.duckdb"
    Store(store).import_dataset(MINI)
    res = runner.invoke(
        app, ["macro", "--store", str(store), "--capex-cut", "0.2", "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    out = runner.invoke(
        app,
        [
            "sql",
            "SELECT command, params FROM runs",
            "--store",
            str(store),
            "--format",
            "json",
        ],
    )
    runs = json.loads(out.stdout)
    assert [r["command"] for r in runs] == ["macro"]
    assert json.loads(runs[0]["params"])["capex_cut"] == 0.2
    names = Store(store, read_only=True).sql("SELECT DISTINCT name FROM results")["name"]
    assert {"economy", "markets", "power", "parameters"} <= set(names)
