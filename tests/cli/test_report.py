"""``lahar report`` and the report written by ``lahar run``: where it goes, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lahar.cli import app
from lahar.cli._options import EXIT_FAILED, EXIT_OK

runner = CliRunner()


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("cli_report")
    store = base / "s.duckdb"
    res = runner.invoke(
        app,
        [
            "run",
            "-s",
            "openai_pays_40",
            "-n",
            "64",
            "--store",
            str(store),
            "--report",
            str(base / "r"),
        ],
    )
    return {"base": base, "store": store, "out": res.output, "code": res.exit_code}


def test_run_ends_by_saying_where_the_report_is(ran) -> None:
    assert ran["code"] == EXIT_OK, ran["out"]
    last = ran["out"].strip().splitlines()[-1]
    path = ran["base"] / "r" / "report.html"
    assert last.startswith(f"report: {path}")
    assert path.is_file()


def test_report_of_the_latest_run_and_of_a_run_prefix(ran) -> None:
    from lahar.store import Store

    rid = Store(ran["store"]).runs()["run_id"].iloc[0]
    for args, out in ((["latest"], "a"), ([rid[:8]], "b"), ([], "c")):
        res = runner.invoke(
            app, ["report", *args, "--store", str(ran["store"]), "--out", str(ran["base"] / out)]
        )
        assert res.exit_code == EXIT_OK, res.output
        text = (ran["base"] / out / "report.html").read_text(encoding="utf-8")
        assert f"run id: {rid}" in text


def test_unknown_run_id_is_one_line_with_close_matches(ran) -> None:
    from lahar.store import Store

    rid = Store(ran["store"]).runs()["run_id"].iloc[0]
    res = runner.invoke(app, ["report", rid[:-2] + "zz", "--store", str(ran["store"])])
    assert res.exit_code == EXIT_FAILED
    lines = res.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: no finished scenario run")
    assert f"close: {rid}" in lines[0]


def test_unwritable_out_is_one_line(ran) -> None:
    blocker = ran["base"] / "file"
    blocker.write_text("x", encoding="utf-8")
    res = runner.invoke(
        app, ["report", "--store", str(ran["store"]), "--out", str(blocker / "sub")]
    )
    assert res.exit_code == EXIT_FAILED
    assert res.output.strip().splitlines() == [
        f"error: cannot write the report to {blocker / 'sub'}: Not a directory; choose another "
        "folder (--out)."
    ]


def test_no_report_writes_none(tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        [
            "run",
            "-s",
            "capex_cut",
            "-n",
            "64",
            "--store",
            str(tmp_path / "s.duckdb"),
            "--no-report",
        ],
    )
    assert res.exit_code == EXIT_OK, res.output
    assert "report:" not in res.output
    assert not (tmp_path / "lahar-report").exists()
