"""Deep links and the browser console: the only 404s a deep link logs are Streamlit's own base-path probe.

Streamlit's frontend, opened at /<page>, first tries /<page>/ as the server's base path: it asks
/<page>/_stcore/health and /<page>/_stcore/host-config (404) and then falls back to /. The frontend decides this
before any app code runs (upstream: streamlit/streamlit#7074, open; #11537 added window.__streamlit.MAIN_PAGE_BASE_URL,
which only a server that rewrites index.html could set). These tests show that a bare two-page Streamlit app logs
exactly the same two 404s, and that the console check filters those two and nothing else. That every page of this
app logs exactly those two and nothing else is checked where each page is opened (tests/browser/test_pages.py).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.browser_support import IDLE, is_console_error, serve_app

pytestmark = pytest.mark.browser

BARE_APP = '''
import streamlit as st

def home():
    st.title("home")

def other():
    st.title("other")

st.navigation([st.Page(home, title="Home", default=True), st.Page(other, title="Other", url_path="other")]).run()
'''


def _not_found(browser, url: str) -> tuple[list[str], list[str]]:
    """(paths that answered 404, console errors as the suite counts them) while opening ``url``."""
    page = browser.new_page()
    missing: list[str] = []
    errors: list[str] = []
    page.on("response", lambda r: missing.append(r.url.split("//", 1)[1].split("/", 1)[1]) if r.status == 404 else None)
    page.on("console", lambda m: errors.append(f"{m.text} ({m.location.get('url', '')})") if is_console_error(m) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector(IDLE, timeout=120_000)
        page.locator("h1").first.wait_for(timeout=60_000)
        page.wait_for_timeout(500)
    finally:
        page.close()
    return sorted(missing), errors


def test_a_bare_streamlit_app_logs_the_same_two_404s_on_a_deep_link(browser, tmp_path):
    script = tmp_path / "bare_app.py"
    script.write_text(BARE_APP)
    with serve_app(script=script) as url:
        missing, errors = _not_found(browser, f"{url}/other")
        root_missing, _ = _not_found(browser, url)
    assert missing == ["other/_stcore/health", "other/_stcore/host-config"]
    assert root_missing == []  # the probe only happens one path segment deep
    assert errors == [], errors  # exactly those two are filtered


@pytest.mark.parametrize("url, text, counted", [
    ("http://127.0.0.1:1/other/_stcore/health", "Failed to load resource: 404 (Not Found)", False),
    ("http://127.0.0.1:1/other/_stcore/host-config", "Failed to load resource: 404 (Not Found)", False),
    ("http://127.0.0.1:1/_stcore/health", "Failed to load resource: 404 (Not Found)", True),  # the root must answer
    ("http://127.0.0.1:1/a/b/_stcore/health", "Failed to load resource: 404 (Not Found)", True),
    ("http://127.0.0.1:1/other/_stcore/stream", "Failed to load resource: 404 (Not Found)", True),
    ("http://127.0.0.1:1/other/_stcore/health", "Failed to load resource: 500 (Internal Server Error)", True),
    ("http://127.0.0.1:1/static/app.js", "Uncaught TypeError: x is undefined", True),
])
def test_the_console_filter_lets_through_everything_but_the_probe(url, text, counted):
    message = SimpleNamespace(type="error", text=text, location={"url": url})
    assert is_console_error(message) is counted
