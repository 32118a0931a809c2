"""Fixtures of the web tests: real DuckDB stores, the app in-process, and the app served by
uvicorn on 127.0.0.1 (a free port) for the browser tests."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from lahar.store import Store
from lahar.web import create_app

with warnings.catch_warnings():
    # starlette's TestClient warns that it will move from httpx to httpx2; httpx is what the
    # dev extra installs (FastAPI documents it) and the client works the same.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"


@pytest.fixture(scope="session")
def shipped_store(tmp_path_factory) -> Path:
    """A store file holding the shipped dataset."""
    path = tmp_path_factory.mktemp("web") / "shipped.duckdb"
    Store(path).import_dataset()
    return path


@pytest.fixture(scope="session")
def mini_store(tmp_path_factory) -> Path:
    """A store file holding the hand-made mini dataset (5 entities, 6 exposures)."""
    path = tmp_path_factory.mktemp("web") / "mini.duckdb"
    Store(path).import_dataset(MINI)
    return path


@pytest.fixture(scope="session")
def client(shipped_store):
    """The app over the shipped store, called in-process."""
    app = create_app(shipped_store, max_draws=4096, max_pending=2)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture(scope="session")
def mini_client(mini_store):
    """The app over the mini store."""
    with TestClient(create_app(mini_store), base_url="http://127.0.0.1") as c:
        yield c


def wait_for_run(get: Any, run_id: str, timeout: float = 60.0) -> dict[str, Any]:
    """Poll GET /api/runs/{id} until the run is done or failed; return the last answer."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        run = get(f"/api/runs/{run_id}")
        seen.append(run["status"])
        if run["status"] in ("done", "failed", "killed"):
            run["_seen"] = seen
            return run
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s: {seen[-5:]}")


class Live:
    """The app served by uvicorn in a thread: its base URL and a JSON client."""

    def __init__(self, url: str) -> None:
        self.url = url

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=30) as res:
            return json.loads(res.read())

    def post(self, path: str, body: Any) -> Any:
        req = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=30) as res:
            return json.loads(res.read())


@contextmanager
def served(app: Any) -> Iterator[Live]:
    """Serve ``app`` with uvicorn in a thread on 127.0.0.1 (a free port), as `lahar serve` does."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield Live(f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """`lahar serve` in-process: uvicorn on 127.0.0.1, a free port, a store of its own."""
    path = tmp_path_factory.mktemp("live") / "live.duckdb"
    # creates the store with the shipped dataset, as `lahar serve` does
    with served(create_app(path)) as live:
        yield live
