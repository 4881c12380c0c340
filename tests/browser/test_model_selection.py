"""The model-selection page in Chromium: it renders without console errors, a link restores it, a slider nudge re-renders.

The first visit trains every section's default networks on the server (cold cache), so the waits are generous.
"""

from __future__ import annotations

import pytest

from tests.browser_support import CHART, IDLE, collect_errors, screenshot

pytestmark = pytest.mark.browser

LONG = 600_000  # ms: a cold first run on a busy 2-core machine


def _open(browser, url: str, name: str, width: int = 1280, height: int = 720):
    page = browser.new_page(viewport={"width": width, "height": height})
    errors = collect_errors(page)
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stMain"]', timeout=60_000)
    page.wait_for_selector(IDLE, timeout=LONG)
    page.wait_for_selector(CHART, timeout=60_000)
    page.wait_for_selector(IDLE, timeout=LONG)
    page.wait_for_timeout(500)
    screenshot(page, name)
    return page, errors


def test_page_renders_and_a_slider_nudge_rerenders(server, browser):
    page, errors = _open(browser, f"{server}/model-selection?patience=4&lam=0.01", "model-selection-link")
    try:
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stAlert"]').filter(has_text="is not valid").count() == 0
        assert page.locator('[data-testid="stVegaLiteChart"]').count() == 9
        assert page.locator('[data-testid="stGraphVizChart"]').count() == 1
        assert "patience=4" in page.url and "lam=0.01" in page.url
        metrics = page.locator('[data-testid="stMetricValue"]')
        best, stop = int(metrics.nth(0).inner_text()), int(metrics.nth(1).inner_text())
        assert stop == best + 4
        thumb = page.locator('[data-testid="stSlider"]').filter(has_text="Patience k").get_by_role("slider")
        thumb.focus()
        page.keyboard.press("ArrowLeft")  # 4 → 3 (the default 5 would leave the URL)
        page.wait_for_function("s => window.location.search.includes(s)", arg="patience=3", timeout=60_000)
        page.wait_for_selector(IDLE, timeout=LONG)
        page.wait_for_function(
            "([b]) => { const m = document.querySelectorAll('[data-testid=\"stMetricValue\"]');"
            " return m.length > 1 && Number(m[1].innerText) === Number(m[0].innerText) + 3; }",
            arg=[best], timeout=LONG)
        assert page.locator('[data-testid="stVegaLiteChart"]').count() == 9
        assert "lam=0.01" in page.url
        assert errors == [], errors
    finally:
        page.close()


@pytest.mark.parametrize("width, height", [(1280, 720), (1440, 900)])
def test_screenshots_at_projector_sizes(server, browser, width, height):
    page, errors = _open(browser, f"{server}/model-selection", f"model-selection-{width}x{height}", width, height)
    try:
        assert page.locator('[data-testid="stException"]').count() == 0
        assert errors == [], errors
    finally:
        page.close()
