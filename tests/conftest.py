"""Shared fixtures: the hand-made mini dataset and temporary copies of it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs a fixed set of examples (no flaky red builds); locally hypothesis explores afresh.
# A failure found locally goes into the test as an @example so CI keeps checking it.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture
def mini_dir(tmp_path: Path) -> Path:
    """A writable copy of the mini dataset (5 entities, 6 exposures)."""
    dest = tmp_path / "mini"
    shutil.copytree(MINI, dest)
    return dest


# --- a real browser: Debian's chromium, headless, driven by Playwright ------------------------
# Playwright's own browser download needs the open internet; lahar's tests use the system's
# chromium (.ci/run installs it). Without it the browser tests skip locally and fail on CI.
CHROMIUM = os.environ.get("LAHAR_CHROMIUM") or shutil.which("chromium")
# Background networking off: chromium's own update, sync and safe-browsing calls would be
# counted as requests to outside hosts (and the closed network refuses them).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
LOCAL_HOSTS = {"", "127.0.0.1", "localhost"}


@pytest.fixture(scope="session")
def browser():
    """A headless chromium (the system's), shared by one test process."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run installs Debian's package")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Watched:
    """A page with what it said and asked for: console errors, page errors, outside requests."""

    def __init__(self, page) -> None:
        from urllib.parse import urlsplit

        self.page = page
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

        def route(r):
            url = r.request.url
            scheme = urlsplit(url).scheme
            if scheme in ("data", "blob", "about") or urlsplit(url).hostname in LOCAL_HOSTS | {
                None
            }:
                r.continue_()
            else:
                self.outside.append(url)
                r.abort()

        page.route("**/*", route)


@pytest.fixture
def watched(browser):
    """A fresh page (1280x900) in its own context, watched for errors and outside requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield Watched(page)
    context.close()
