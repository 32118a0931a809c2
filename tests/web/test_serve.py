"""``lahar serve``: the real command in a subprocess, on loopback; its errors in one line."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from lahar.cli import app

LAHAR = [sys.executable, "-c", "from lahar.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_listens_on_loopback_and_creates_the_store(tmp_path: Path):
    store = tmp_path / "new.duckdb"
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*LAHAR, "serve", "--port", str(port), "--store", str(store)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "LAHAR_STORE": ""},
        )
    try:
        deadline = time.monotonic() + 60
        info = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/info", timeout=2) as r:
                    info = json.loads(r.read())
                    break
            except OSError:
                time.sleep(0.2)
        assert info is not None, log.read_text()
        assert info["store"] == "new.duckdb"
        assert info["counts"]["entities"] > 0  # the shipped dataset, imported on start
        assert store.exists()
        listening = [
            c.laddr
            for c in psutil.Process(proc.pid).net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN
        ]
        assert [(a.ip, a.port) for a in listening] == [("127.0.0.1", port)]
    finally:
        proc.terminate()
        proc.wait(10)
    assert f"http://127.0.0.1:{port}/" in log.read_text()


def test_bad_port_names_the_option():
    res = CliRunner().invoke(app, ["serve", "--port", "70000"])
    assert res.exit_code == 2
    assert "--port" in res.output
    assert "65535" in res.output


def test_a_port_in_use_is_one_line(tmp_path: Path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        res = subprocess.run(
            [*LAHAR, "serve", "--port", str(port), "--store", str(tmp_path / "s.duckdb")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert res.returncode == 1
    assert res.stderr.strip() == (
        f"error: port {port} on 127.0.0.1 is in use; choose another with --port"
    )


@pytest.mark.parametrize("missing", ["fastapi", "uvicorn"])
def test_without_the_web_extra_the_error_says_what_to_install(missing: str, tmp_path: Path):
    code = (
        f"import sys; sys.modules[{missing!r}] = None; "
        "from lahar.cli import main; sys.argv = ['lahar', 'serve', '--store', "
        f"{str(tmp_path / 's.duckdb')!r}]; main()"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 1
    assert res.stderr.strip() == (
        "error: lahar serve needs FastAPI and uvicorn: pip install 'lahar[web]'"
    )
    assert not (tmp_path / "s.duckdb").exists()
