"""Every subcommand given bad arguments: non-zero exit, the option and its range named, no
traceback (through typer's CliRunner, and a few through a real ``lahar`` process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lahar.cli import EXIT_FAILED, EXIT_USAGE, app

from ..conftest import MINI

runner = CliRunner()

# (arguments, exit code, fragments the output must contain); {tmp} is a fresh folder,
# {file} a plain file in it, {store} a store holding the mini dataset
CASES = [
    # analyze
    (["analyze", "bubbles", "--no-store"], EXIT_USAGE, ["'topic'", "must be one of"]),
    (["analyze", "circularty", "--no-store"], EXIT_USAGE, ["did you mean 'circularity'"]),
    (
        ["analyze", "circularity", "--no-store", "--spread-years", "-1"],
        EXIT_USAGE,
        ["'--spread-years'", "finite number >= 0", "got -1"],
    ),
    (
        ["analyze", "circularity", "--no-store", "--spread-years", "nan"],
        EXIT_USAGE,
        ["'--spread-years'", "finite number >= 0", "got nan"],
    ),
    (
        ["analyze", "circularity", "--no-store", "--spread-years", "inf"],
        EXIT_USAGE,
        ["'--spread-years'", "got inf"],
    ),
    (
        ["analyze", "circularity", "--no-store", "--spread-years", "abc"],
        EXIT_USAGE,
        ["'--spread-years'"],
    ),
    (
        ["analyze", "circularity", "--no-store", "--exclude", "X0019,X9999"],
        EXIT_USAGE,
        ["'--exclude'", "unknown exposure id 'X9999'"],
    ),
    (
        ["analyze", "circularity", "--no-store", "--reverse", "nvidia"],
        EXIT_USAGE,
        ["'--reverse'", "unknown exposure id 'nvidia'"],
    ),
    (
        ["analyze", "circularity", "--no-store", "--weights", "committed=-0.5"],
        EXIT_USAGE,
        ["'--weights'", "finite number >= 0"],
    ),
    (
        ["analyze", "circularity", "--no-store", "--weights", "drawn=nan"],
        EXIT_USAGE,
        ["'--weights'", "finite number >= 0"],
    ),
    (
        ["analyze", "circularity", "--no-store", "--weights", "comitted=1"],
        EXIT_USAGE,
        ["'--weights'", "did you mean 'committed'"],
    ),
    (
        ["analyze", "circularity", "--no-store", "--weights", "committed"],
        EXIT_USAGE,
        ["'--weights'", "status=weight"],
    ),
    (["analyze", "gap", "--no-store", "-f", "xml"], EXIT_USAGE, ["'--format'", "table, csv, json"]),
    (
        ["analyze", "gap", "--no-store", "--data", "{file}"],
        EXIT_USAGE,
        ["'--data'", "is a file"],
    ),
    (
        ["analyze", "gap", "--no-store", "--data", "{tmp}/nowhere"],
        EXIT_USAGE,
        ["'--data'", "no such folder"],
    ),
    (["analyze", "gap"], EXIT_FAILED, ["No store at", "lahar data import", "--no-store"]),
    (["analyze", "gap", "--no-store", "--bogus"], EXIT_USAGE, ["--bogus"]),
    # macro
    (
        ["macro", "--no-store", "--capex-cut", "1.5"],
        EXIT_USAGE,
        ["'--capex-cut'", "[0, 1]", "got 1.5"],
    ),
    (["macro", "--no-store", "--capex-cut", "-0.1"], EXIT_USAGE, ["'--capex-cut'", "[0, 1]"]),
    (["macro", "--no-store", "--capex-cut", "nan"], EXIT_USAGE, ["'--capex-cut'", "got nan"]),
    (
        ["macro", "--no-store", "--spillover", "-2"],
        EXIT_USAGE,
        ["'--spillover'", "[-1, 1]", "got -2"],
    ),
    (["macro", "--no-store", "--spillover", "nan"], EXIT_USAGE, ["'--spillover'", "got nan"]),
    (["macro", "--no-store", "--spillover", "inf"], EXIT_USAGE, ["'--spillover'", "got inf"]),
    (["macro", "--no-store", "--top", "0"], EXIT_USAGE, ["'--top'", "integer >= 1"]),
    (["macro", "--no-store", "--top", "x"], EXIT_USAGE, ["'--top'"]),
    (["macro", "--no-store", "--range", "mid"], EXIT_USAGE, ["'--range'", "value, low, high"]),
    (["macro", "--no-store", "--format", "xml"], EXIT_USAGE, ["'--format'", "table, csv, json"]),
    (["macro"], EXIT_FAILED, ["No store at", "lahar data import"]),
    # sql
    (["sql", "", "--store", "{store}"], EXIT_FAILED, ["needs a query"]),
    (["sql", "DROP TABLE entities", "--store", "{store}"], EXIT_FAILED, ["read-only queries"]),
    (["sql", "SELECT 1", "--store", "{tmp}/none.duckdb"], EXIT_FAILED, ["does not exist"]),
    (["sql", "SELECT 1", "--store", "{file}"], EXIT_FAILED, ["Cannot open store"]),
    (["sql", "SELECT 1", "--store", "{tmp}"], EXIT_FAILED, ["not a regular file"]),
    (["sql", "SELECT 1", "--store", "{store}", "--max-rows", "0"], EXIT_USAGE, ["'--max-rows'"]),
    (
        ["sql", "SELECT 1", "--store", "{store}", "--timeout", "-3"],
        EXIT_USAGE,
        ["'--timeout'", "> 0"],
    ),
    (
        ["sql", "SELECT 1", "--store", "{store}", "--timeout", "nan"],
        EXIT_USAGE,
        ["'--timeout'", "got nan"],
    ),
    (["sql", "SELECT 1", "--store", "{store}", "--format", "xls"], EXIT_USAGE, ["'--format'"]),
    (["sql"], EXIT_USAGE, ["Missing argument"]),
    # data
    (["data", "validate", "{file}"], EXIT_USAGE, ["is a file"]),
    (["data", "validate", "{tmp}/nowhere"], EXIT_USAGE, ["no such folder"]),
    (["data", "validate", "{tmp}"], EXIT_FAILED, ["file not found"]),
    (["data", "import", "{file}", "--store", "{tmp}/s.duckdb"], EXIT_USAGE, ["is a file"]),
    (["data", "import", "{tmp}", "--store", "{tmp}/s.duckdb"], EXIT_FAILED, ["file not found"]),
    (
        ["data", "export", "--store", "{store}", "--out", "{file}"],
        EXIT_FAILED,
        ["is a file; give a folder"],
    ),
    (
        ["data", "export", "--store", "{tmp}/none.duckdb", "--out", "{tmp}/x"],
        EXIT_FAILED,
        ["does not exist", "lahar data import"],
    ),
    (
        ["data", "export", "--store", "{store}", "--format", "xlsx", "--out", "{tmp}/x"],
        EXIT_USAGE,
        ["'--format'", "parquet, csv"],
    ),
    (["data", "nothing"], EXIT_USAGE, ["No such command"]),
    # summary
    (
        ["summary", "--data", "{file}", "--store", "{tmp}/s.duckdb"],
        EXIT_USAGE,
        ["'--data'", "is a file"],
    ),
    (["summary", "--data", "{tmp}", "--store", "{tmp}/s.duckdb"], EXIT_FAILED, ["file not found"]),
    (["summary", "--store", "{tmp}"], EXIT_FAILED, ["{tmp}"]),
    # run, results, scenario
    (["run", "--draws", "0"], EXIT_USAGE, ["'--draws'", "greater than or equal to 1"]),
    (["run", "--workers", "0"], EXIT_USAGE, ["'--workers'"]),
    (["run", "--seed", "-1"], EXIT_USAGE, ["'--seed'"]),
    (["run", "--format", "xml"], EXIT_USAGE, ["'--format'", "table"]),
    (
        ["run", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"],
        EXIT_USAGE,
        ["--workers or --scheduler"],
    ),
    (
        ["run", "-s", "openai_pays_4", "--store", "{tmp}/s.duckdb"],
        EXIT_FAILED,
        ["No shipped scenario 'openai_pays_4'", "Did you mean openai_pays_40"],
    ),
    (
        ["run", "--file", "{tmp}/none.toml", "--store", "{tmp}/s.duckdb"],
        EXIT_FAILED,
        ["cannot read"],
    ),
    (["run", "--file", "{file}", "--store", "{tmp}/s.duckdb"], EXIT_FAILED, ["invalid TOML"]),
    (["results", "latest", "--store", "{tmp}/none.duckdb"], EXIT_FAILED, ["no store", "lahar run"]),
    (["results", "nope", "--store", "{store}"], EXIT_FAILED, ["no scenario run"]),
    (["scenario", "show", "ai_bus"], EXIT_FAILED, ["Did you mean ai_bust"]),
    (["report", "--store", "{tmp}/none.duckdb"], EXIT_FAILED, ["no store", "lahar run"]),
    (["report", "nope", "--store", "{store}"], EXIT_FAILED, ["no finished scenario run"]),
    (["report", "--store", "{store}", "--out", "{file}"], EXIT_USAGE, ["'--out'", "is a file"]),
    (["scenario", "validate", "{file}"], EXIT_FAILED, ["invalid TOML"]),
    # the root
    (["bogus"], EXIT_USAGE, ["No such command"]),
    (["--bogus"], EXIT_USAGE, ["--bogus"]),
]


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    from lahar.store import Store

    base = tmp_path_factory.mktemp("bad")
    store = base / "mini.duckdb"
    Store(store).import_dataset(MINI)
    return {"store": str(store), "base": str(base)}


def _fill(args: list[str], folders: dict[str, str], tmp: Path) -> list[str]:
    (tmp / "file.txt").write_text("not a folder\n", encoding="utf-8")
    subs = {"{tmp}": str(tmp), "{file}": str(tmp / "file.txt"), "{store}": folders["store"]}
    out = []
    for a in args:
        for k, v in subs.items():
            a = a.replace(k, v)
        out.append(a)
    return out


def test_every_command_is_covered():
    covered = {tuple(a[:2]) if a[0] == "data" else (a[0],) for a, *_ in CASES}
    assert {("analyze",), ("macro",), ("sql",), ("run",), ("summary",), ("results",)} <= covered
    assert {("scenario",), ("report",)} <= covered
    assert {("data", "validate"), ("data", "import"), ("data", "export")} <= covered


@pytest.mark.parametrize(("args", "code", "fragments"), CASES, ids=lambda x: str(x)[:60])
def test_bad_arguments(folders, tmp_path, monkeypatch, args, code, fragments):
    monkeypatch.chdir(tmp_path)  # no ./lahar.duckdb here
    monkeypatch.delenv("LAHAR_STORE", raising=False)
    args = _fill(args, folders, tmp_path)
    res = runner.invoke(app, args)
    assert res.exit_code == code, res.output
    for fragment in fragments:
        assert fragment.replace("{tmp}", str(tmp_path)) in res.output, res.output
    assert "Traceback" not in res.output
    assert not isinstance(res.exception, Exception) or isinstance(res.exception, SystemExit)
    assert not (tmp_path / "lahar.duckdb").exists()


def _lahar() -> list[str]:
    """The installed ``lahar`` console script (its entry point is ``lahar.cli:main``)."""
    script = Path(sys.executable).with_name("lahar")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from lahar.cli import main; main()"]


SUBPROCESS_CASES = [
    (["macro", "--spillover", "-2"], EXIT_USAGE, "'--spillover'"),
    (["analyze", "circularity", "--no-store", "--spread-years", "nan"], EXIT_USAGE, "--spread"),
    (["sql", ""], EXIT_FAILED, "needs a query"),
    (["sql", "SELECT 1"], EXIT_FAILED, "does not exist"),
    (["data", "validate", "{file}"], EXIT_USAGE, "is a file"),
    (["data", "export", "--out", "{file}"], EXIT_FAILED, "does not exist"),
]


@pytest.mark.parametrize(("args", "code", "fragment"), SUBPROCESS_CASES)
def test_real_process(folders, tmp_path, args, code, fragment):
    args = _fill(args, folders, tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("LAHAR_STORE", "LAHAR_DEBUG")}
    proc = subprocess.run(
        [*_lahar(), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == code, out
    assert fragment in out
    assert "Traceback" not in out
    assert not (tmp_path / "lahar.duckdb").exists()


def test_debug_shows_the_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "LAHAR_STORE"}
    proc = subprocess.run(
        [*_lahar(), "--debug", "sql", "SELECT 1"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr
    assert "StoreError" in proc.stderr


def test_version_and_short_help():
    from lahar import __version__

    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0
    assert res.output.strip() == f"lahar {__version__}"
    for args in (["-h"], ["sql", "-h"], ["data", "export", "-h"], ["macro", "-h"]):
        res = runner.invoke(app, args)
        assert res.exit_code == 0, args
        assert "Usage:" in res.output


def test_library_message_names_the_option():
    from lahar.cli._options import option_for_parameter

    msg = "The 'rest_return' parameter of savings_losses() must be in [-1, 1]. Got -2 instead."
    assert option_for_parameter(msg, {"spillover": -2.0}) == (
        "Invalid value for --spillover: must be in [-1, 1]. Got -2 instead."
    )
    assert option_for_parameter(msg, {"capex_cut": 0.3}) == msg
