"""The dashboard in a real browser: Debian's chromium, headless, against the app served by
uvicorn on 127.0.0.1. Every test ends with no console error and no request to another host."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from lahar.data import DATA_DIR
from tests.web.conftest import wait_for_run

pytestmark = pytest.mark.browser

README_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "img" / "dashboard.png"
"""Where the screenshot goes with LAHAR_SCREENSHOTS=1 (the README's picture)."""
CHART = ".js-plotly-plot .main-svg"


def _clean(watched) -> None:
    assert watched.errors == [], watched.errors
    assert watched.outside == [], watched.outside


def _biggest_with_balance_sheet() -> tuple[str, str]:
    """(id, name) of the entity with the largest total_assets row in facts.csv."""
    with (DATA_DIR / "facts.csv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["metric"] == "total_assets"]
    top = max(rows, key=lambda r: float(r["value"]))["entity"]
    with (DATA_DIR / "entities.csv").open(encoding="utf-8", newline="") as fh:
        name = next(r["name"] for r in csv.DictReader(fh) if r["id"] == top)
    return top, name


def test_search_an_entity_and_see_its_balance_sheet_deals_and_sources(live, watched):
    page = watched.page
    page.goto(live.url + "/")
    entity, name = _biggest_with_balance_sheet()
    page.fill("#entity-search", name)
    page.click(f'#entity-results button[data-id="{entity}"]')
    page.wait_for_selector("#entity-detail:not([hidden])")
    assert page.inner_text("#entity-name") == name
    sheet = page.inner_text("#balance-sheet tbody")
    assert "total assets" in sheet
    detail = live.get(f"/api/entities/{entity}")
    rows = page.locator("#deals-out tbody tr").count() + page.locator("#deals-in tbody tr").count()
    assert rows == len(detail["exposures_out"]) + len(detail["exposures_in"])
    # every source shown with its class and a link to its address
    shown = page.locator("#entity-sources tbody tr")
    assert shown.count() == len(detail["sources"]) > 0
    first = detail["sources"][0]
    row = page.locator(f"#source-{first['id']}")
    assert first["source_class"] in row.inner_text()
    assert row.locator("a").get_attribute("href") == first["url"]
    _clean(watched)


def _run_in_browser(page, scenario: str, draws: int) -> str:
    page.click("#tab-scenarios")
    page.select_option("#scenario-select", scenario)
    page.fill("#draws", str(draws))
    # move the first slider: the high end of the first quantity's range, down
    page.eval_on_selector(
        '#q-0 input[data-end="high"]',
        "el => { el.value = String(Number(el.value) - 0.05);"
        " el.dispatchEvent(new Event('input', {bubbles: true})); }",
    )
    page.click("#run-button")
    page.wait_for_selector("#run-charts[data-drawn]", timeout=60_000)
    return page.inner_text("#run-status")


def test_run_a_scenario_and_see_its_charts(live, watched, tmp_path):
    page = watched.page
    page.goto(live.url + "/")
    status = _run_in_browser(page, "ai_bust", 128)
    assert "done" in status
    assert "128 of 128 draws" in status
    charts = page.locator("#run-charts .js-plotly-plot")
    assert charts.count() == len(
        live.get(f"/api/runs/{page.get_attribute('#run-charts', 'data-drawn')}/figures")
    )
    assert charts.count() >= 3
    assert page.locator(f"#run-charts {CHART}").count() >= 3
    assert page.locator("#headline tbody tr").count() > 10
    # the run the browser posted carries the moved slider: ai_bust.toml's first quantity,
    # openai_paid_share = { low = 0.3, high = 0.6 }, its high end moved to 0.55
    run_id = next(r["run_id"] for r in live.get("/api/runs?scenario=ai_bust&status=done")["items"])
    q = live.get(f"/api/runs/{run_id}")["quantities"][0]
    assert (q["name"], q["low"], q["high"]) == ("openai_paid_share", 0.3, pytest.approx(0.55))
    page.set_viewport_size({"width": 1280, "height": 1400})
    shot = README_IMAGE if os.environ.get("LAHAR_SCREENSHOTS") else tmp_path / "dashboard.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot))
    assert 20_000 < shot.stat().st_size < 400_000
    _clean(watched)


def test_compare_two_runs_side_by_side(live, watched):
    ids = []
    for high in (0.3, 0.6):
        run = live.post(
            "/api/runs",
            {
                "scenario": "mag7_repricing",
                "draws": 64,
                "overrides": {"repricing.fall": {"low": 0.1, "high": high}},
            },
        )
        ids.append(run["run_id"])
    for run_id in ids:
        assert wait_for_run(live.get, run_id)["status"] == "done"
    page = watched.page
    page.goto(live.url + "/")
    page.click("#tab-compare")
    page.wait_for_function(
        "ids => ids.every(id => document.querySelector(`#compare-a option[value='${id}']`))",
        arg=ids,
    )
    page.select_option("#compare-a", ids[0])
    page.select_option("#compare-b", ids[1])
    page.click("#compare-button")
    page.wait_for_selector(f'#compare-result[data-drawn="{ids[0]} {ids[1]}"]', timeout=30_000)
    for div in ("#compare-fan", "#compare-chart-a", "#compare-chart-b"):
        assert page.locator(f"{div}.js-plotly-plot .main-svg").count() >= 1, div
    params = page.inner_text("#compare-params")
    assert "0.1 to 0.3" in params
    assert "0.1 to 0.6" in params
    assert page.locator("#compare-table tbody tr").count() > 10
    _clean(watched)


def test_dataset_charts(live, watched):
    page = watched.page
    page.goto(live.url + "/")
    page.click("#tab-charts")
    page.wait_for_selector(f"#dataset-chart{CHART.split(' ')[0]} .main-svg", timeout=30_000)
    names = [f["name"] for f in live.get("/api/figures")]
    assert page.locator("#dataset-figure option").count() == len(names)
    page.select_option("#dataset-figure", "circular_flows")
    page.wait_for_function(
        "() => document.querySelector('#dataset-chart .sankey') !== null", timeout=30_000
    )
    _clean(watched)


def test_a_source_address_that_is_not_http_is_shown_as_text(mini_store, tmp_path, watched):
    # the importer accepts only http(s) addresses; a store written by other means may hold any,
    # and a javascript: link would run in the dashboard's origin when clicked
    import shutil

    import duckdb

    from lahar.web import create_app
    from tests.web.conftest import served

    path = tmp_path / "odd.duckdb"
    shutil.copy(mini_store, path)
    bad = "javascript:alert(document.domain)"
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE sources SET url = ? WHERE id = 'S1'", [bad])
    with served(create_app(path)) as live:
        page = watched.page
        page.goto(live.url + "/")
        page.fill("#entity-search", "Nvidia")
        page.click('#entity-results button[data-id="nvidia"]')
        page.wait_for_selector("#entity-detail:not([hidden])")
        # mini sources.csv: S1 (now javascript:) and S4 (https://www.sec.gov/example) cited
        s1, s4 = page.locator("#source-S1"), page.locator("#source-S4")
        assert s1.locator("a").count() == 0
        assert bad in s1.inner_text()
        assert s4.locator("a").get_attribute("href") == "https://www.sec.gov/example"
    _clean(watched)
