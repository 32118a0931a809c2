"""The browser fixture itself: it sees console errors and catches requests to outside hosts."""

import pytest

pytestmark = pytest.mark.browser


def test_clean_local_page_records_nothing(watched, tmp_path):
    f = tmp_path / "p.html"
    f.write_text("<html><body><h1 id=t>hello</h1></body></html>")
    watched.page.goto(f.as_uri())
    assert watched.page.inner_text("#t") == "hello"
    assert watched.errors == []
    assert watched.outside == []


def test_outside_request_and_console_error_are_caught(watched, tmp_path):
    f = tmp_path / "p.html"
    f.write_text("<html><body><img src='https://example.com/x.png'></body></html>")
    watched.page.goto(f.as_uri())
    watched.page.evaluate("console.error('boom')")
    assert watched.outside == ["https://example.com/x.png"]
    assert "boom" in watched.errors
