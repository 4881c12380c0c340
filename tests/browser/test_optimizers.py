"""The optimizer zoo in headless Chromium: the lecture race, scrubbing, play, a learning rate, precision, a preset,
a click on the surface and every section, with no console errors; screenshots go to artifacts/screenshots/.

Harness and fixtures: tests/browser_support.py and conftest.py (system Chromium through Playwright).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser_support import CHART, IDLE, SHOTS, is_console_error

pytestmark = pytest.mark.browser


def _idle(page) -> None:
    page.wait_for_timeout(400)  # let a widget change reach the server before waiting for the run to end
    page.wait_for_selector(IDLE, timeout=120_000)
    page.wait_for_timeout(300)


def _params(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def _until(page, ready, what: str, timeout_s: float = 60.0) -> None:
    """Wait until ``ready()`` holds (a change reached the server, its run ended and the address followed): on a busy
    machine that can take longer than any fixed pause."""
    for _ in range(int(timeout_s / 0.25)):
        if ready():
            return
        page.wait_for_timeout(250)
    _idle(page)
    assert ready(), f"{what}: {page.url}"


def _iteration(page) -> int:
    return int(page.get_by_role("slider", name="Iteration").get_attribute("aria-valuetext"))


def _warnings(page) -> str:
    return " ".join(page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts())


def _shot(page, name: str) -> None:
    height = page.evaluate('document.querySelector(\'[data-testid="stMain"]\').scrollHeight')
    page.set_viewport_size({"width": 1400, "height": min(max(int(height), 1000), 12000)})
    page.wait_for_timeout(300)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})


@pytest.fixture()
def zoo(server, browser):
    """The page opened through the app's navigation, idle, with its console errors collected."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if is_console_error(m) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/optimizers", wait_until="domcontentloaded")  # a deep link works as the first visit
    page.wait_for_selector(CHART, timeout=120_000)
    _idle(page)
    yield page, errors
    page.close()


def test_lecture_race_scrub_play_and_precision(zoo):
    page, errors = zoo
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Optimizer zoo" in page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert re.search(r"sgd_cyclic at step 9\d", _warnings(page)), _warnings(page)  # float32, as torch
    assert page.get_by_text("The lecture's race.").count() == 1  # the preset's note
    _shot(page, "optimizers-race")

    slider = page.get_by_role("slider", name="Iteration")
    slider.focus()
    page.keyboard.press("Home")
    _until(page, lambda: _params(page).get("it") == ["0"], "it=0 in the address")
    _idle(page)
    assert _iteration(page) == 0
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    _until(page, lambda: _params(page).get("it") == ["5"], "it=5 in the address")
    assert _iteration(page) == 5

    page.get_by_text("▶ Play").click()
    # the fragment advances the frame every 0.3 s once the play toggle's full run has ended (seconds on a busy machine)
    _until(page, lambda: _iteration(page) > 5, "Play advances the Iteration slider")
    page.get_by_text("▶ Play").click()
    _idle(page)

    page.get_by_role("radio", name="float64").check(force=True)
    _until(page, lambda: _params(page).get("prec") == ["float64"], "prec=float64 in the address")
    _idle(page)
    assert "sgd_cyclic" not in _warnings(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert errors == [], errors


def test_learning_rate_preset_and_click_reach_the_url(zoo):
    page, errors = zoo
    page.get_by_text("Hyper-parameters and learning-rate schedules").click()
    page.get_by_role("tab", name="momentum", exact=True).click()  # tabs of the racing contestants only
    lr = page.get_by_role("slider", name="Learning rate η₀")  # only the open tab's widgets are visible
    lr.focus()
    page.keyboard.press("ArrowRight")
    _until(page, lambda: _params(page).get("momentum_lr") == ["0.006"], "momentum_lr=0.006 in the address")

    page.locator('[data-testid="stButton"] button', has_text="Too high a learning rate").first.click()
    _until(page, lambda: _params(page).get("steps") == ["150"] and "sgd at step 2" in _warnings(page),
           "the preset's steps=150 and its divergence warning")
    assert page.get_by_text("Too high a learning rate.").count() == 1

    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    box = chart.bounding_box()
    chart.click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.6})
    _until(page, lambda: {"x0", "y0"} <= set(_params(page)), "the clicked start x0, y0 in the address")
    _idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert errors == [], errors

    page.get_by_role("radio", name="float64").check(force=True)  # one more setting, then share the link
    _until(page, lambda: _params(page).get("prec") == ["float64"], "prec=float64 in the address")
    _idle(page)
    race = page.locator('[data-testid="stTable"]').first.inner_text()
    twin = page.context.browser.new_page(viewport={"width": 1400, "height": 1000})  # a fresh session
    twin.goto(page.url, wait_until="domcontentloaded")
    twin.wait_for_selector(CHART, timeout=120_000)
    _idle(twin)
    assert twin.locator('[data-testid="stTable"]').first.inner_text() == race  # the link restores the exact race
    assert _warnings(twin) == _warnings(page)
    twin.close()


@pytest.mark.parametrize("section", ["Inside one step", "Learning-rate sweep", "Update rules", "Momentum in practice"])
def test_every_section_renders(zoo, section):
    page, errors = zoo
    page.get_by_role("tab", name=section).click()
    _idle(page)
    page.wait_for_timeout(500)
    assert page.locator('[data-testid="stException"]').count() == 0
    if section == "Update rules":
        assert page.locator(".katex-display").count() >= 8
    else:
        assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 4
    _shot(page, "optimizers-" + section.lower().replace(" ", "-"))
    assert errors == [], errors
