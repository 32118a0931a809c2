"""The REST API on real DuckDB stores: values from the hand-made mini dataset and from the
shipped CSV files read independently (the csv module), runs posted and polled to the end."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from lahar.data import DATA_DIR
from lahar.store import Store
from tests.web.conftest import MINI, wait_for_run


def _csv(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _get(client, url: str, status: int = 200):
    r = client.get(url)
    assert r.status_code == status, r.text
    return r.json()


def _field_error(r, *loc: str | int) -> str:
    """The message of a 422 whose ``loc`` is ``loc`` (FastAPI's validation-error shape)."""
    assert r.status_code == 422, r.text
    hits = [d for d in r.json()["detail"] if d["loc"][: len(loc)] == list(loc)]
    assert hits, f"no error at {loc}: {r.text}"
    return hits[0]["msg"]


# ---------------------------------------------------------------------------- the mini dataset
def test_mini_entity_detail_by_hand(mini_client):
    e = _get(mini_client, "/api/entities/nvidia")
    # facts.csv: book equity 100e9 (FY2025) and 60e9 (FY2024): the latest year counts
    assert e["balance_sheet"] == {"book_equity": 100e9}
    assert [(f["metric"], f["value"], f["fact_id"]) for f in e["figures"]] == [
        ("book_equity", 100e9, "F1")
    ]
    # exposures.csv: nvidia -> openai (X1, equity), nvidia -> oracle (X6, debt); in: X2, X5
    assert [(x["id"], x["target_name"], x["layer"]) for x in e["exposures_out"]] == [
        ("X1", "OpenAI", "equity"),
        ("X6", "Oracle", "debt"),
    ]
    assert [(x["id"], x["source_name"], x["amount_usd"]) for x in e["exposures_in"]] == [
        ("X2", "OpenAI", 50e9),
        ("X5", "Oracle", 40e9),
    ]
    # cited: S1 (the entity, X1, X2), S4 (F1, X6), S3 (X5); in order of first use
    assert [(s["id"], s["source_class"]) for s in e["sources"]] == [
        ("S1", "press"),
        ("S4", "primary"),
        ("S3", "press"),
    ]
    assert e["sources"][1]["url"] == "https://www.sec.gov/example"


def test_mini_entities_search_kind_and_paging(mini_client):
    page = _get(mini_client, "/api/entities?kind=chipmaker")
    assert [e["id"] for e in page["items"]] == ["nvidia", "amd"]
    assert page["total"] == 2
    page = _get(mini_client, "/api/entities?q=ORAC")  # case-insensitive, name or id
    assert [e["id"] for e in page["items"]] == ["oracle"]
    assert page["items"][0]["balance_sheet"] == {"book_equity": 20e9}
    page = _get(mini_client, "/api/entities?limit=2&offset=3")
    assert page["total"] == 5
    assert [e["id"] for e in page["items"]] == ["oracle", "stargate_spv"]
    page = _get(mini_client, "/api/entities?offset=50")
    assert (page["total"], page["items"]) == (5, [])
    spv = _get(mini_client, "/api/entities/stargate_spv")
    assert (spv["parent"], spv["note"], spv["end_investor"]) == (
        "openai",
        'fixture, "quoted" note',
        False,
    )


def test_mini_exposures_filters(mini_client):
    ids = lambda url: [x["id"] for x in _get(mini_client, url)["items"]]  # noqa: E731
    assert ids("/api/exposures?layer=chip_purchase") == ["X2", "X3", "X5"]
    assert ids("/api/exposures?entity=amd") == ["X3"]
    assert ids("/api/exposures?source=openai&status=estimate") == ["X2", "X3"]
    assert ids("/api/exposures?target=nvidia") == ["X2", "X5"]
    x6 = _get(mini_client, "/api/exposures?layer=debt")["items"][0]
    assert (x6["term_years"], x6["note"], x6["current"]) == (7.0, "multi-line\nnote", True)


def test_mini_facts_and_sources(mini_client):
    page = _get(mini_client, "/api/facts?entity=nvidia")
    assert [(f["id"], f["year"], f["value"]) for f in page["items"]] == [
        ("F1", 2025, 100e9),
        ("F2", 2024, 60e9),
    ]
    assert _get(mini_client, "/api/facts?year=2024")["total"] == 1
    assert _get(mini_client, "/api/facts?status=estimate")["items"][0]["id"] == "F4"
    s4 = _get(mini_client, "/api/sources/S4")
    # S4 is cited by X6 and by F1-F4
    assert s4["cited_by"] == {"entities": 0, "exposures": 1, "facts": 4}
    assert _get(mini_client, "/api/sources?source_class=primary")["total"] == 1
    assert [s["id"] for s in _get(mini_client, "/api/sources?q=cnbc")["items"]] == ["S3"]


def test_shipped_scenarios_do_not_fit_the_mini_dataset(mini_client):
    # the mini facts have no total_assets: the cascade needs a balance sheet of every firm
    # that holds, owes or commits (cascade_inputs), so no scenario can run on it
    scenarios = _get(mini_client, "/api/scenarios")
    assert scenarios
    assert not any(s["runnable"] for s in scenarios)
    assert all("total_assets" in s["problem"] for s in scenarios)
    r = mini_client.post("/api/runs", json={"scenario": scenarios[0]["name"], "draws": 8})
    assert "total_assets" in _field_error(r, "body", "scenario")


# ---------------------------------------------------------------------------- the shipped dataset
def test_counts_match_the_shipped_files(client):
    info = _get(client, "/api/info")
    for table in ("entities", "exposures", "facts", "sources"):
        assert info["counts"][table] == len(_csv(DATA_DIR, f"{table}.csv"))
    kinds = {r["kind"] for r in _csv(DATA_DIR, "entities.csv")}
    assert info["entity_kinds"] == sorted(kinds)


def test_paging_walks_every_entity_once(client):
    rows = _csv(DATA_DIR, "entities.csv")
    seen = []
    for offset in range(0, len(rows), 40):
        page = _get(client, f"/api/entities?limit=40&offset={offset}")
        assert page["total"] == len(rows)
        seen += [e["id"] for e in page["items"]]
    assert seen == [r["id"] for r in rows]


def test_entity_deals_match_the_shipped_files(client):
    exposures = _csv(DATA_DIR, "exposures.csv")
    # the entity with most deals, chosen from the file
    counts: dict[str, int] = {}
    for x in exposures:
        counts[x["source"]] = counts.get(x["source"], 0) + 1
    busiest = max(counts, key=lambda k: counts[k])
    e = _get(client, f"/api/entities/{busiest}")
    assert [x["id"] for x in e["exposures_out"]] == [
        x["id"] for x in exposures if x["source"] == busiest
    ]
    assert [x["id"] for x in e["exposures_in"]] == [
        x["id"] for x in exposures if x["target"] == busiest
    ]
    superseded = {x["supersedes"] for x in exposures if x["supersedes"]}
    for x in e["exposures_out"] + e["exposures_in"]:
        assert x["current"] == (x["id"] not in superseded)
    cited = {x["source_id"] for x in e["exposures_out"] + e["exposures_in"]}
    assert cited <= {s["id"] for s in e["sources"]}


def test_exposure_layer_filter_matches_the_file(client):
    exposures = _csv(DATA_DIR, "exposures.csv")
    want = [x["id"] for x in exposures if x["layer"] == "debt"]
    page = _get(client, "/api/exposures?layer=debt&limit=1000")
    assert [x["id"] for x in page["items"]] == want
    superseded = {x["supersedes"] for x in exposures if x["supersedes"]}
    page = _get(client, "/api/exposures?current=false&limit=1000")
    assert {x["id"] for x in page["items"]} == superseded


def test_analytics_tables(client):
    listing = _get(client, "/api/analytics")
    names = [t["name"] for t in listing]
    assert "gap_aggregate" in names
    raw = _get(client, "/api/analytics/leverage_wall?format=raw")
    shown = _get(client, "/api/analytics/leverage_wall?format=display")
    assert raw["total"] == shown["total"] > 0
    assert all(isinstance(v, str) for row in shown["data"] for v in row.values() if v is not None)


def test_scenarios_list_their_main_parameters(client):
    scenarios = {s["name"]: s for s in _get(client, "/api/scenarios")}
    names = sorted(p.stem for p in (DATA_DIR / "scenarios").glob("*.toml"))
    assert sorted(scenarios) == names
    assert all(s["runnable"] for s in scenarios.values())
    # capex_cut.toml: cut = { low = 0.2, high = 0.4 }
    (cut,) = scenarios["capex_cut"]["quantities"]
    assert (cut["name"], cut["low"], cut["high"], cut["drawn"], cut["share"]) == (
        "capex_cut.cut",
        0.2,
        0.4,
        True,
        True,
    )


# ---------------------------------------------------------------------------- runs
def test_post_a_run_poll_it_and_read_its_results(client):
    # capex_cut with the cut fixed at 0.3: with no default, no delay and no unpaid commitment
    # the AI-capex cut of every draw is the scenario's own cut (docs/scenarios.md, step 4)
    r = client.post(
        "/api/runs",
        json={
            "scenario": "capex_cut",
            "draws": 130,
            "seed": 7,
            "overrides": {"capex_cut.cut": {"value": 0.3}},
        },
    )
    assert r.status_code == 202, r.text
    run_id = r.json()["run_id"]
    assert r.headers["location"] == f"/api/runs/{run_id}"
    run = wait_for_run(lambda u: _get(client, u), run_id)
    assert run["status"] == "done", run
    assert run["progress"] == {"draws_done": 130, "draws_total": 130}
    assert (run["draws"], run["seed"], run["params"]["draws"]) == (130, 7, 130)
    (q,) = run["quantities"]
    assert (q["name"], q["value"], q["drawn"]) == ("capex_cut.cut", 0.3, False)
    head = {h["outcome"]: h for h in run["headline"]}
    if head["defaults"]["q95"] == 0:
        assert head["ai_capex_cut"]["q05"] == pytest.approx(0.3)
        assert head["ai_capex_cut"]["q95"] == pytest.approx(0.3)
    # the stored long results of the same run
    res = _get(client, f"/api/runs/{run_id}/results?name=headline&metric=mean&limit=1000")
    means = {row["key"]["outcome"]: row["value"] for row in res["items"]}
    assert means["loss_total"] == pytest.approx(head["loss_total"]["mean"])
    listed = _get(client, "/api/runs?scenario=capex_cut&status=done")
    assert run_id in [x["run_id"] for x in listed["items"]]
    # charts of the run: plotly JSON of the report's figures
    figs = [f["name"] for f in _get(client, f"/api/runs/{run_id}/figures")]
    assert figs[:2] == ["waterfall", "defaults"]
    assert "distribution" in figs
    wf = _get(client, f"/api/runs/{run_id}/figures/waterfall")
    (trace,) = wf["data"]
    assert trace["type"] == "waterfall"
    # the waterfall's last bar is the total, in USD billion
    assert trace["y"][-1] == pytest.approx(head["loss_total"]["mean"] / 1e9)


def test_a_run_records_the_progress_it_reports(client):
    r = client.post("/api/runs", json={"scenario": "rates_up", "draws": 640})
    run = wait_for_run(lambda u: _get(client, u), r.json()["run_id"])
    assert run["status"] == "done"
    # 640 draws in chunks of 64 (chunk_for): progress ends at the total
    assert run["progress"]["draws_done"] == 640


def test_compare_two_runs(client):
    ids = []
    for low, high in ((0.1, 0.2), (0.5, 0.6)):
        r = client.post(
            "/api/runs",
            json={
                "scenario": "capex_cut",
                "draws": 64,
                "overrides": {"capex_cut.cut": {"low": low, "high": high}},
            },
        )
        ids.append(r.json()["run_id"])
    runs = [wait_for_run(lambda u: _get(client, u), i) for i in ids]
    assert [r["status"] for r in runs] == ["done", "done"]
    fig = _get(client, f"/api/compare?a={ids[0]}&b={ids[1]}&outcome=ai_capex_cut")
    assert len(fig["data"]) >= 2
    text = json.dumps(fig["data"])
    assert ids[0][:8] in text
    assert ids[1][:8] in text


def test_the_queue_is_bounded(client):
    # max_pending=2: of four runs posted at once at most one runs and two wait
    codes = [
        client.post("/api/runs", json={"scenario": "ai_bust", "draws": 1024}).status_code
        for _ in range(4)
    ]
    assert codes.count(429) >= 1
    assert set(codes) <= {202, 429}
    for run in (
        _get(client, "/api/runs?status=queued")["items"]
        + _get(client, "/api/runs?status=running")["items"]
    ):
        wait_for_run(lambda u: _get(client, u), run["run_id"], timeout=120)


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("body", "loc", "words"),
    [
        ({"scenario": "nope"}, ("body", "scenario"), "no shipped scenario 'nope'"),
        ({"scenario": "capex_cut", "draws": 0}, ("body", "draws"), "greater than or equal to 1"),
        ({"scenario": "capex_cut", "draws": 10**6}, ("body", "draws"), "at most 4096 draws"),
        ({"scenario": "capex_cut", "seed": -1}, ("body", "seed"), "greater than or equal to 0"),
        (
            {"scenario": "capex_cut", "overrides": {"capex_cut.cut": {"value": 1.5}}},
            ("body", "overrides", "capex_cut.cut"),
            "expected values in [0, 1], got 1.5",
        ),
        (
            {"scenario": "capex_cut", "overrides": {"capex_cut.cut": {"low": 0.5}}},
            ("body", "overrides", "capex_cut.cut"),
            "low and high go together",
        ),
        (
            {"scenario": "capex_cut", "overrides": {"capex_cut.cut": {"low": 0.5, "high": 0.1}}},
            ("body", "overrides", "capex_cut.cut"),
            "expected low <= high",
        ),
        (
            {"scenario": "capex_cut", "overrides": {"nope": {"value": 0.1}}},
            ("body", "overrides"),
            "its quantities are capex_cut.cut",
        ),
        (
            {"scenario": "capex_cut", "overrides": {"capex_cut.cut": {"value": "NaN"}}},
            ("body", "overrides", "capex_cut.cut", "value"),
            "finite number",
        ),
        ({"scenario": "capex_cut", "workers": 3}, ("body", "workers"), "Extra inputs"),
    ],
)
def test_bad_run_requests_name_the_field(client, body, loc, words):
    r = client.post("/api/runs", json=body)
    assert words in _field_error(r, *loc)


@pytest.mark.parametrize(
    ("url", "loc"),
    [
        ("/api/entities?limit=0", ("query", "limit")),
        ("/api/entities?limit=1001", ("query", "limit")),
        ("/api/entities?offset=-1", ("query", "offset")),
        ("/api/entities?kind=bakery", ("query", "kind")),
        ("/api/exposures?layer=friendship", ("query", "layer")),
        ("/api/exposures?current=perhaps", ("query", "current")),
        ("/api/sources?source_class=rumour", ("query", "source_class")),
        ("/api/facts?year=1066", ("query", "year")),
        ("/api/analytics/gap_firms?format=pdf", ("query", "format")),
        ("/api/compare?a=x", ("query", "b")),
    ],
)
def test_bad_queries_name_the_field(client, url, loc):
    assert _field_error(client.get(url), *loc)


@pytest.mark.parametrize(
    "url",
    [
        "/api/entities/no_such_firm",
        "/api/sources/S_nope",
        "/api/analytics/nope",
        "/api/scenarios/nope",
        "/api/runs/nope",
        "/api/runs/00000000-0000-4000-8000-000000000000/results",
        "/api/figures/nope",
        "/api/entities/..%2F..%2Fetc%2Fpasswd",
        "/static/../pyproject.toml",
        "/static/%2e%2e/app.py",
        "/static/..%2f..%2fstore.py",
    ],
)
def test_unknown_ids_and_paths_are_404(client, url):
    assert client.get(url).status_code == 404


def test_charts_of_an_unknown_or_other_run(client, shipped_store):
    r = client.get("/api/runs/nope/figures")
    assert r.status_code == 404
    posted = client.post("/api/runs", json={"scenario": "grid_cap", "draws": 64}).json()
    done = wait_for_run(lambda u: _get(client, u), posted["run_id"])["run_id"]
    assert client.get(f"/api/runs/{done}/figures/nope").status_code == 404
    # a run that is not a scenario run (here recorded by another writer) has no charts: 409
    other = Store(shipped_store).record_run("analyze gap", {"topic": "gap"})
    listed = _get(client, f"/api/runs/{other}")
    assert (listed["status"], listed["scenario"], listed["headline"]) == ("done", None, [])
    r = client.get(f"/api/runs/{other}/figures")
    assert r.status_code == 409
    assert "not a scenario run" in r.json()["detail"]


# ---------------------------------------------------------------------------- SQL sandbox
def test_sql_runs_in_the_sandbox(client, shipped_store, tmp_path):
    r = client.post("/api/sql", json={"sql": "SELECT count(*) AS n FROM entities"})
    assert r.status_code == 200
    assert r.json()["rows"] == [[len(_csv(DATA_DIR, "entities.csv"))]]
    r = client.post("/api/sql", json={"sql": "SELECT id FROM sources", "max_rows": 3})
    assert (len(r.json()["rows"]), r.json()["truncated"]) == (3, True)
    target = tmp_path / "leak.csv"
    for sql, words in [
        (f"COPY entities TO '{target}'", "read-only queries only"),
        ("SELECT * FROM read_csv('/etc/passwd')", "read_csv() is refused"),
        (f"ATTACH '{tmp_path / 'x.duckdb'}' AS x", "read-only queries only"),
        ("SELECT 1; SELECT 2", "one statement at a time"),
        ("DELETE FROM entities", "read-only queries only"),
        ("INSTALL httpfs", "read-only queries only"),
    ]:
        msg = _field_error(client.post("/api/sql", json={"sql": sql}), "body", "sql")
        assert words in msg, (sql, msg)
    assert not target.exists()
    assert not (tmp_path / "x.duckdb").exists()
    # the store is untouched: same entity count as the file
    r = client.post("/api/sql", json={"sql": "SELECT count(*) FROM entities"})
    assert r.json()["rows"] == [[len(_csv(DATA_DIR, "entities.csv"))]]


def test_openapi_schema_lists_every_endpoint(client):
    spec = _get(client, "/openapi.json")
    paths = set(spec["paths"])
    assert {
        "/api/entities",
        "/api/entities/{entity_id}",
        "/api/exposures",
        "/api/sources",
        "/api/facts",
        "/api/analytics",
        "/api/scenarios",
        "/api/runs",
        "/api/runs/{run_id}",
        "/api/runs/{run_id}/results",
        "/api/runs/{run_id}/figures/{name}",
        "/api/sql",
    } <= paths
    # no path parameter names a file; the only POST bodies are a run and a query
    assert {p for p, ops in spec["paths"].items() for m in ops if m == "post"} == {
        "/api/runs",
        "/api/sql",
    }
    layer = next(
        q for q in spec["paths"]["/api/exposures"]["get"]["parameters"] if q["name"] == "layer"
    )
    assert "debt" in json.dumps(layer)


def test_dashboard_assets_are_local(client):
    html = client.get("/").text
    assert 'src="/vendor/plotly.min.js"' in html
    # an inline icon: chromium's /favicon.ico request would be a 404 and a console error
    assert '<link rel="icon" href="data:,">' in html
    assert "http://" not in html.replace('href="/openapi.json"', "")
    assert "https://" not in html
    js = client.get("/vendor/plotly.min.js")
    assert js.status_code == 200
    assert js.headers["content-type"].startswith("application/javascript")
    import plotly

    bundled = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert js.content == bundled.read_bytes()
    for asset in ("/static/app.js", "/static/style.css"):
        body = client.get(asset).text
        assert "http://" not in body, asset
        assert "https://" not in body, asset
    assert client.get("/docs").status_code == 404  # Swagger UI would load from a CDN


def test_mini_fixture_is_what_the_tests_read():
    # the hand values above come from these rows
    facts = _csv(MINI, "facts.csv")
    assert [(f["id"], f["entity"], f["value"]) for f in facts[:2]] == [
        ("F1", "nvidia", "100000000000"),
        ("F2", "nvidia", "60000000000"),
    ]


def test_network_chart_sizes_nodes_by_systemic_importance(client, mini_client) -> None:
    from lahar.data import load_network, load_parameters
    from lahar.scenarios import rank

    fig = _get(client, "/api/figures/network")  # the shipped dataset
    nodes = [t for t in fig["data"] if t.get("name", "").endswith("(firms)")]
    sizes = [
        (s, text) for t in nodes for s, text in zip(t["marker"]["size"], t["text"], strict=True)
    ]
    biggest = max(sizes)[1]
    params = load_parameters()
    top = rank(load_network(params=params), params).iloc[0]["entity"]
    assert f"({top}, " in biggest  # the firm whose failure alone hurts most is the largest node
    # the mini dataset has no balance sheets: no ranking, every node the same size
    mini = _get(mini_client, "/api/figures/network")
    mini_sizes = {
        s
        for t in mini["data"]
        if t.get("name", "").endswith("(firms)")
        for s in t["marker"]["size"]
    }
    assert len(mini_sizes) == 1
