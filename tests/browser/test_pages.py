"""Real-browser smoke test: `streamlit run app.py` on loopback, every page opened in headless Chromium, on a server
that served other pages and as the first visit after a restart; each time the console is clean and the only 404s
are Streamlit's deep-link probe (tests/browser/test_deep_links.py shows a bare Streamlit app logs the same two).

Harness and fixtures: tests/browser_support.py and conftest.py (system Chromium through Playwright).
"""

from __future__ import annotations

import pytest

from tests.browser_support import CHART, open_page, settle, start_page
from ui.navigation import existing_pages

pytestmark = pytest.mark.browser

PAGES = existing_pages()
IDS = [p.url_path or "home" for p in PAGES]


def _probe(info) -> list[str]:
    """The only 404s a page's link may cause: Streamlit's base-path probe one segment deep (tests/browser/test_deep_links.py)."""
    return [f"{info.url_path}/_stcore/health", f"{info.url_path}/_stcore/host-config"] if info.url_path else []


def _assert_app_page(page, info, errors, not_found) -> None:
    """The page ran inside app.py's frame: no exception, a chart, a title, the app's own navigation, no console errors
    and no request answered 404 but Streamlit's own probe."""
    where = f"/{info.url_path}"
    assert sorted(not_found) == _probe(info), (where, not_found)
    assert page.locator('[data-testid="stException"]').count() == 0, (where, page.locator('[data-testid="stException"]').first.inner_text())
    assert page.locator(CHART).count() >= 1, where
    assert page.locator("h1").first.inner_text().strip(), where
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert info.title in nav and "Home" in nav, (where, nav)  # the app's navigation, not a bare listing of page files
    assert page.title() == "How to Train Your Neurons", (where, page.title())  # set_page_config in app.py ran
    assert errors == [], (where, errors)


@pytest.mark.parametrize("info", PAGES, ids=IDS)
def test_page_renders_in_chromium(server, browser, info):
    not_found: list[str] = []
    page, errors = open_page(browser, f"{server}/{info.url_path}", info.url_path or "home", not_found)
    try:
        _assert_app_page(page, info, errors, not_found)
    finally:
        page.close()


def test_shared_links_are_the_first_visits_after_a_restart(fresh_server, browser):
    """Every page's link opened at once on a server no one has visited (a class clicking the slide's links right after
    a restart, before anyone loaded '/'): each page still runs inside app.py's navigation."""
    linked = [p for p in PAGES if p.url_path]
    tabs = {info.url_path: (info, []) for info in linked}
    opened = {path: start_page(browser, f"{fresh_server}/{path}", not_found) for path, (_, not_found) in tabs.items()}
    try:
        for path, (page, errors) in opened.items():
            info, not_found = tabs[path]
            try:  # one server computes eight first runs while Chromium loads eight tabs: on a busy CI machine the
                settle(page, None, patience=4)  # first chart took over a minute; how long it takes is bench/load.py's
            except Exception as e:  # noqa: BLE001 (playwright's TimeoutError; Playwright may not be installed)
                pytest.fail(f"/{path} drew no chart on a fresh server: {e}")
            _assert_app_page(page, info, errors, not_found)
    finally:
        for page, _ in opened.values():
            page.close()


def test_link_restores_the_home_demo_and_flags_bad_values(server, browser):
    page, errors = open_page(browser, f"{server}/?w1=-3.5&b=1.2&data=xor&w2=oops", "home-link")
    try:
        assert page.get_by_text("-3.50").count() >= 1  # the w₁ slider's value
        assert page.get_by_text("w2=oops").count() == 1  # the notice names the rejected value
        assert page.locator('[data-testid="stException"]').count() == 0
        assert "w1=-3.5" in page.url and "data=xor" in page.url
        assert errors == [], errors
    finally:
        page.close()
