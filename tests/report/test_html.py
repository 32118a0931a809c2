"""The HTML report: one file, plotly.js once, provenance printed, sources linked, data escaped,
and (in Debian's chromium) no console error, no request to another host, every chart drawn."""

from __future__ import annotations

import csv
import html
import os
import re
import shutil
from pathlib import Path

import pytest

from lahar import __version__
from lahar.data import DATA_DIR, FILES, load_parameters
from lahar.errors import DataError, StoreError
from lahar.report.html import write_report
from lahar.scenarios import builtin_scenario, run_scenario
from lahar.store import Store

HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_TITLE = "<img src=x onerror=alert(2)>"
SCENARIOS = ("openai_pays_40", "capex_cut")


def _rewrite(path: Path, column: str, value: str) -> str:
    """Set ``column`` of the first data row of a CSV to ``value``; return that row's id."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return rows[1][0]


def _make(base: Path, *, hostile: bool) -> dict:
    data = base / "data"
    data.mkdir()
    for f in FILES:
        shutil.copy(DATA_DIR / f, data / f)
    entity = source = ""
    if hostile:
        entity = _rewrite(data / "entities.csv", "name", HOSTILE_NAME)
        source = _rewrite(data / "sources.csv", "title", HOSTILE_TITLE)
    store = Store(base / "s.duckdb")
    store.import_dataset(data)
    net, params = store.load_network(), load_parameters()
    runs = [
        run_scenario(builtin_scenario(n), draws=64, network=net, params=params, store=store)
        for n in SCENARIOS
    ]
    path = write_report(store, None, base / "out")
    return {
        "path": path,
        "html": path.read_text(encoding="utf-8"),
        "runs": runs,
        "store": store,
        "entity": entity,
        "source": source,
        "base": base,
    }


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A report of two short runs on a copy of the shipped dataset with hostile text in it."""
    return _make(tmp_path_factory.mktemp("report"), hostile=True)


def test_one_file_with_plotly_embedded_once(report) -> None:
    from plotly.offline import get_plotlyjs

    text = report["html"]
    assert report["path"].name == "report.html"
    assert list(report["path"].parent.iterdir()) == [report["path"]]
    assert text.count(get_plotlyjs()[:200]) == 1  # the library's opening bytes, once
    assert text.count("<script") == 3  # plotly.js, the charts' JSON, the loader
    rest = text.replace(get_plotlyjs(), "")
    assert not re.search(
        r"<(img|link|iframe|object|embed)\b|<[a-z][^>]*\bsrc=", rest
    )  # nothing loaded
    outside = re.findall(r'<a href="(https?://[^"]*)"( rel="noreferrer")?', rest)
    assert outside  # the sources' addresses, as plain links a reader may follow
    assert all(rel for _, rel in outside)


def test_provenance_of_every_run_is_printed(report) -> None:
    text = report["html"]
    assert f"lahar version: {__version__}" in text
    for r in report["runs"]:
        assert f"run id: {r.run_id}" in text
        assert f"spec hash: {r.spec_hash}" in text
    digest = report["store"].sql("SELECT dataset_digest FROM runs")["dataset_digest"]
    assert digest.nunique() == 1
    assert f"dataset hash: {digest.iloc[0]}" in text


def test_numbers_link_to_their_source_rows(report) -> None:
    text = report["html"]
    sources = report["store"].read_tables()["sources"]
    cited = set(re.findall(r'href="#src-([^"]+)"', text))
    listed = set(re.findall(r'<tr id="src-([^"]+)"', text))
    assert cited
    assert cited == listed  # every link resolves, every listed source is cited
    for sid in sorted(cited):
        row = sources[sources["id"] == sid].iloc[0]
        listed_row = re.search(rf'<tr id="src-{re.escape(sid)}">(.*?)</tr>', text).group(1)
        assert f'href="{html.escape(row["url"], quote=True)}"' in listed_row  # its address
        assert f"<td>{html.escape(str(row['date']))}</td>" in listed_row
        assert f"<td>{html.escape(row['source_class'])}</td>" in listed_row
    params = set(re.findall(r'href="#par-([^"]+)"', text))
    assert params == set(re.findall(r'<tr id="par-([^"]+)"', text))
    assert text.count("Assumptions and limits.") == text.count('class="plot"')
    assert "Estimate: computed by lahar" in text


def test_text_from_the_data_is_escaped(report) -> None:
    text = report["html"]
    assert HOSTILE_NAME not in text
    assert HOSTILE_TITLE not in text
    assert "&lt;img src=x onerror=alert(2)&gt;" in text  # the source's title, escaped
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in text  # the name in chart JSON


def test_unknown_run_id_names_close_matches(report) -> None:
    rid = report["runs"][0].run_id
    with pytest.raises(DataError, match=rf"no finished scenario run '{rid[:-1]}x'.*close: {rid}"):
        write_report(report["store"], [rid[:-1] + "x"], report["base"] / "x")
    path = write_report(report["store"], [rid[:8]], report["base"] / "prefix")
    assert f"run id: {rid}" in path.read_text(encoding="utf-8")


def test_unwritable_folder_is_one_clear_error(report) -> None:
    blocker = report["base"] / "a-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(StoreError, match="cannot write the report to .*a-file"):
        write_report(report["store"], None, blocker / "out")


def test_two_runs_of_one_scenario_are_two_entries(report, tmp_path) -> None:
    store = report["store"]
    again = run_scenario(builtin_scenario("capex_cut"), draws=32, seed=5, store=store)
    first = next(r for r in report["runs"] if r.scenario == "capex_cut")
    text = write_report(store, [first.run_id, again.run_id], tmp_path).read_text("utf-8")
    for run in (first, again):
        assert f"capex_cut ({run.run_id[:8]})" in text


def test_a_run_without_a_bad_draw_gets_no_empty_box_chart(report) -> None:
    # capex_cut moves no firm's balance sheet: no draw has a default, so no box can be found
    run = next(r for r in report["runs"] if r.scenario == "capex_cut")
    assert run.summary().set_index("outcome").loc["defaults", "q95"] == 0
    assert f"0 of {run.draws} draws have defaults >= 1" in report["html"]


def test_analyses_are_left_out_when_the_dataset_changed(report, tmp_path) -> None:
    # a copy of the store and its runs, then another dataset imported into it
    base = report["store"].path
    for suffix in ("", ".runs"):
        src = Path(f"{base}{suffix}")
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / f"s.duckdb{suffix}")
    data = tmp_path / "data"
    data.mkdir()
    for f in FILES:
        shutil.copy(DATA_DIR / f, data / f)
    _rewrite(data / "entities.csv", "name", "Renamed Inc.")
    store = Store(tmp_path / "s.duckdb")
    store.import_dataset(data)
    run = report["runs"][0]
    text = write_report(store, [run.run_id], tmp_path / "out").read_text("utf-8")
    assert "they are left out here" in text
    assert "Sobol indices" not in text.split(f'id="run-{run.run_id}"')[1]


@pytest.mark.browser
def test_report_opens_offline_in_chromium(report, watched) -> None:
    page = watched.page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(report["path"].as_uri())
    charts = report["html"].count('class="plot"')
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot svg.main-svg').length >= {charts}",
        timeout=60_000,
    )
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('.plot')).filter("
        "e => e.classList.contains('js-plotly-plot') && e.querySelector('svg')).length"
    )
    assert drawn == charts
    page.hover("#fig-0")  # the hostile name is in this chart's hover text
    assert watched.errors == []
    assert watched.outside == []
    assert dialogs == []


@pytest.mark.browser
@pytest.mark.skipif(
    not os.environ.get("LAHAR_SCREENSHOTS"), reason="makes docs/img/report.png: LAHAR_SCREENSHOTS=1"
)
def test_screenshot_of_the_report(watched, tmp_path) -> None:
    """The README's picture: the top of a report of the shipped dataset, 1280x900."""
    made = _make(tmp_path, hostile=False)
    page = watched.page
    page.goto(made["path"].as_uri())
    page.wait_for_selector("#fig-0 svg.main-svg")
    page.wait_for_timeout(500)
    out = Path(__file__).resolve().parents[2] / "docs" / "img" / "report.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out))
    assert watched.errors == []
    assert watched.outside == []
    assert out.stat().st_size < 400_000
