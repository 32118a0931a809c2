"""The server under concurrent requests, hostile Host headers and broken stores: no 5xx where the
client is at fault, no traceback, and the caches shared by the server's threads stay whole."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from lahar.cli import serve
from lahar.web import app as web_app
from lahar.web import create_app
from tests.web.conftest import TestClient, served, wait_for_run


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=60) as res:
            res.read()
            return res.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_concurrent_chart_requests_never_fail(tmp_path, monkeypatch):
    # caches far smaller than the charts asked for: nearly every request evicts another's entry
    # while other threads read theirs (the unlocked dicts raised KeyError/RuntimeError: a 500)
    monkeypatch.setattr(web_app, "_KEEP_RUNS", 1)
    monkeypatch.setattr(web_app, "_KEEP_FIGURES", 2)
    with served(create_app(tmp_path / "busy.duckdb")) as live:
        ids = [
            live.post("/api/runs", {"scenario": "capex_cut", "draws": 64, "seed": seed})["run_id"]
            for seed in (1, 2, 3)
        ]
        assert [wait_for_run(live.get, i)["status"] for i in ids] == ["done"] * 3
        urls = [f"{live.url}/api/runs/{i}/figures" for i in ids]
        urls += [
            f"{live.url}/api/runs/{i}/figures/{f['name']}"
            for i in ids
            for f in live.get(f"/api/runs/{i}/figures")
        ]
        urls += [f"{live.url}/api/compare?a={ids[0]}&b={ids[2]}"]
        urls += [f"{live.url}/api/figures/{f['name']}" for f in live.get("/api/figures")]
        # the server runs in this process: switching threads every few microseconds (not every
        # 5 ms) lets a thread stop between a cache's check and its read, as on a busy machine
        old = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)
        try:
            with ThreadPoolExecutor(12) as pool:
                codes = list(pool.map(_status, urls * 6))
        finally:
            sys.setswitchinterval(old)
    assert codes == [200] * len(codes), sorted(set(codes))


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.evil.example"])
def test_a_foreign_host_header_is_refused(client, host):
    # DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1 sends its own
    # name as Host; the server must not answer it with the store's data
    for url in ("/api/info", "/", "/api/entities"):
        r = client.get(url, headers={"Host": host})
        assert r.status_code == 400, (url, r.status_code)
        assert "entities" not in r.text


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:8765", "localhost:8765", "[::1]:8765"])
def test_loopback_host_headers_are_answered_with_a_policy(client, host):
    r = client.get("/", headers={"Host": host})
    assert r.status_code == 200
    policy = dict(d.strip().split(" ", 1) for d in r.headers["content-security-policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert "unsafe-eval" not in r.headers["content-security-policy"]
    assert "script-src" not in policy  # scripts fall back to 'self' only: no inline script
    assert client.get("/api/info", headers={"Host": host}).status_code == 200


def test_a_chosen_host_is_answered(shipped_store):
    app = create_app(shipped_store, allowed_hosts=["lab.internal"])
    with TestClient(app, base_url="http://lab.internal:8765") as c:
        assert c.get("/api/info").status_code == 200
        assert c.get("/api/info", headers={"Host": "localhost"}).status_code == 200
        assert c.get("/api/info", headers={"Host": "evil.example"}).status_code == 400


@pytest.mark.parametrize(
    ("bound", "names"),
    [("127.0.0.1", []), ("::1", []), ("192.0.2.7", ["192.0.2.7"]), ("fd00::7", ["[fd00::7]"])],
)
def test_serve_allows_the_host_it_binds(bound, names):
    assert serve._host_names(bound) == names


def test_a_store_held_by_another_process_is_503_in_one_line(tmp_path):
    path = tmp_path / "held.duckdb"
    app = create_app(path)  # creates the store, then lets it go
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "print('holding', flush=True); time.sleep(120)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
            assert c.get("/api/entities?limit=1").status_code == 200  # read at start, kept
            for r in (
                c.get("/api/runs"),
                c.get("/api/runs/abc"),
                c.post("/api/sql", json={"sql": "SELECT 1 AS one"}),
            ):
                assert r.status_code == 503, (r.request.url, r.text)
                detail = r.json()["detail"]
                assert detail.startswith("The store is unavailable: ")
                assert "lock" in detail.lower()
                assert "\\n" not in detail
                assert "Traceback" not in detail
                assert r.headers["retry-after"] == "5"
    finally:
        holder.kill()
        holder.wait(10)
        if holder.stdout is not None:
            holder.stdout.close()


@pytest.mark.parametrize(
    ("overrides", "name"),
    [
        ({"nope": {"value": 0.3}}, "nope"),
        ({"capex_cut.cut": {"value": 0.3}, "capex_cut.nope": {"value": 1}}, "capex_cut.nope"),
    ],
)
def test_an_unknown_override_is_named_in_loc(client, overrides, name):
    r = client.post(
        "/api/runs", json={"scenario": "capex_cut", "draws": 64, "overrides": overrides}
    )
    assert r.status_code == 422, r.text
    (err,) = r.json()["detail"]
    assert err["loc"] == ["body", "overrides", name]
    assert repr(name) in err["msg"]
    assert "capex_cut.cut" in err["msg"]  # the quantity the scenario has


def test_a_long_sql_query_is_stopped_at_the_api_limit_and_others_then_answer(client):
    # a query that would count for hours holds the store lock only up to the API's limit (2 s,
    # docs/web.md); a store-backed request sent meanwhile is answered once it is stopped
    endless = "SELECT count(*) AS n FROM range(10000000000000)"
    with ThreadPoolExecutor(2) as pool:
        slow = pool.submit(client.post, "/api/sql", json={"sql": endless})
        listed = pool.submit(client.get, "/api/runs?limit=1")
        r, other = slow.result(), listed.result()
    assert r.status_code == 422, r.text
    (err,) = r.json()["detail"]
    assert err["loc"] == ["body", "sql"]
    assert "time limit of 2 s" in err["msg"]
    assert other.status_code == 200, other.text
