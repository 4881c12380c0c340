"""The playground in headless Chromium: Play trains (epochs up, loss down on xor with a hidden layer), Pause stops,
a click on the plane adds a point, a shared link replays the run; no console errors. Screenshots: artifacts/screenshots/.

Harness and fixtures: tests/browser_support.py and conftest.py (system Chromium through Playwright).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser_support import CHART, IDLE, is_console_error, screenshot

pytestmark = pytest.mark.browser
XOR = "data=xor&layers=1&u1=4&act=tanh&lr=0.1"


def _idle(page) -> None:
    page.wait_for_timeout(400)
    page.wait_for_selector(IDLE, timeout=120_000)
    page.wait_for_timeout(300)


def _metrics(page) -> dict[str, float]:
    labels = page.locator(".pg-metric span").all_inner_texts()
    values = page.locator(".pg-metric b").all_inner_texts()
    return {label.strip(): float(value.replace(",", "")) for label, value in zip(labels, values)}


def _params(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


@pytest.fixture()
def playground(server, browser):
    """The page on xor with one hidden layer, opened through the app's navigation, idle, console errors collected."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if is_console_error(m) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server, wait_until="domcontentloaded")
    page.wait_for_selector(IDLE, timeout=120_000)
    page.goto(f"{server}/playground?{XOR}", wait_until="domcontentloaded")
    page.wait_for_selector(CHART, timeout=120_000)
    _idle(page)
    yield page, errors
    page.close()


def test_play_trains_pause_stops(playground):
    page, errors = playground
    start = _metrics(page)
    assert start["Epoch"] == 0.0
    page.get_by_text("▶ Play").click()
    page.wait_for_timeout(3000)
    playing = _metrics(page)
    assert playing["Epoch"] > 0.5, playing
    page.wait_for_timeout(1500)
    later = _metrics(page)
    assert later["Epoch"] > playing["Epoch"] and later["Training loss"] < start["Training loss"], (start, later)
    page.get_by_text("▶ Play").click()  # pause
    _idle(page)
    paused = _metrics(page)
    page.wait_for_timeout(1500)
    assert _metrics(page)["Epoch"] == paused["Epoch"]  # nothing trains while paused
    assert _params(page)["step"] == [str(int(paused["Step"]))]  # the link holds the step reached, as an int
    screenshot(page, "playground-xor-paused")

    twin = page.context.browser.new_page(viewport={"width": 1280, "height": 900})  # the link, in a fresh session
    twin.goto(page.url, wait_until="domcontentloaded")
    twin.wait_for_selector(CHART, timeout=120_000)
    _idle(twin)
    assert _metrics(twin) == _metrics(page)  # replayed to the same step: same epoch and losses
    twin.close()
    assert page.locator('[data-testid="stException"]').count() == 0
    assert errors == [], errors


def test_a_click_on_the_plane_adds_a_point(playground):
    page, errors = playground
    plane = page.locator('[data-testid="stVegaLiteChart"]').nth(1)
    plane.scroll_into_view_if_needed()
    box = plane.bounding_box()
    plane.click(position={"x": box["width"] * 0.55, "y": box["height"] * 0.5})
    _idle(page)
    pts = _params(page).get("pts", [""])[0]
    assert pts.count(",") == 2, page.url
    assert page.get_by_label("Added points (x₁,x₂,label; …)").input_value() == pts
    assert float(_params(page).get("step", ["0"])[0]) == 0  # new data: the run starts again (the default drops out of the link)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert errors == [], errors
