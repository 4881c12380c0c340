"""Lecture mode in Chromium at 1280×720 (a projector): every scene's figure on the first screen and ≥ 430 px tall,
the clicker's keys, short links in a fresh browser, the Copy link button, SVG export, rendered text sizes.

One server and one browser for the module; scenes are stepped through with the keys, as a lecturer would.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.browser.lecture_support import (FIGURE, TEXT_SIZES_JS, VIEWPORT, figure_box, new_lecture_page,
                                           open_scene, press_and_time, title, wait_drawn)
from tests.browser_support import SHOTS
from ui.lecture.registry import SCENE_LIST, SCENES
from ui.lecture.style import CHART_TEXT_PX, DIAGRAM_TEXT_PX

pytestmark = pytest.mark.browser
MIN_FIGURE_PX = 430  # 60 % of a 720-px screen
KEYS = ["ArrowRight", "PageDown", " "]  # what a clicker sends for "next", used in turn


def _check_figure(page, scene_id: str, errors: list[str]) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, scene_id
    box = figure_box(page)
    assert box is not None, scene_id
    assert box["y"] < VIEWPORT["height"], (scene_id, box)
    assert box["height"] >= MIN_FIGURE_PX, (scene_id, box)
    assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORT["width"] + 1, (scene_id, box)
    assert errors == [], (scene_id, errors)


def _check_links(page, scene) -> None:
    """The scene's short link (≤ 80 characters) and its "open this in the full page" link."""
    short = page.locator("code").filter(has_text="/lecture?scene=").inner_text().strip()
    assert short.endswith(f"/lecture?scene={scene.id}") and len(short) <= 80, (scene.id, short)
    href = page.get_by_role("link", name="Open in the full page").get_attribute("href")
    assert re.search(rf"^(https?://[^/]+)?/{re.escape(scene.page)}(\?|$)", href), (scene.id, href)


def test_every_scene_fills_the_first_screen_and_the_clicker_steps_through(server, browser):
    page, errors = new_lecture_page(browser)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        open_scene(page, server, f"scene={SCENE_LIST[0].id}", SCENE_LIST[0].title)
        for i, scene in enumerate(SCENE_LIST):
            if i:
                press_and_time(page, KEYS[i % len(KEYS)], scene.title)
            if scene.question:  # the question first, no figure; → reveals the live answer
                assert page.locator(".lecture-question").inner_text() == scene.question.prompt
                assert page.locator(FIGURE).count() == 0
                page.keyboard.press("ArrowRight")
                page.wait_for_selector(".lecture-question", state="detached")
                wait_drawn(page, scene.title)
            page.wait_for_timeout(300)
            assert f"scene={scene.id}" in page.url or (i == 0 and "scene=" in page.url), page.url
            _check_figure(page, scene.id, errors)
            _check_links(page, scene)
            page.screenshot(path=str(SHOTS / f"lecture-{i + 1:02d}-{scene.id}.png"))
        press_and_time(page, "PageUp", SCENE_LIST[-2].title)  # back one
        assert f"scene={SCENE_LIST[-2].id}" in page.url
    finally:
        page.close()


def test_the_short_link_shows_the_same_scene_in_a_fresh_browser(server, browser):
    scene = SCENES["momentum-step"]
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page, errors = new_lecture_page(context)
        open_scene(page, server, f"scene={scene.id}", scene.title)
        short = page.locator("code").filter(has_text="/lecture?scene=").inner_text().strip()
        assert short.endswith(f"/lecture?scene={scene.id}") and len(short) <= 80, short
    finally:
        context.close()
    fresh = browser.new_context(viewport=VIEWPORT)
    try:
        page, errors = new_lecture_page(fresh)
        page.goto(short, wait_until="domcontentloaded")
        wait_drawn(page, scene.title, 120)
        assert title(page) == scene.title
        _check_figure(page, scene.id, errors)
    finally:
        fresh.close()


def test_copy_link_puts_a_link_on_the_clipboard_that_restores_the_view(server, browser):
    context = browser.new_context(viewport=VIEWPORT, permissions=["clipboard-read", "clipboard-write"])
    try:
        page, errors = new_lecture_page(context)
        open_scene(page, server, "scene=sgd&sgd-lr=0.04&sgd-steps=100", SCENES["sgd"].title)
        page.get_by_role("button", name="Copy link").click()
        page.wait_for_function("() => document.querySelector('.copy-link-done').textContent.includes('copied')")
        link = page.evaluate("() => navigator.clipboard.readText()")
        assert link.startswith(server) and "scene=sgd" in link and "sgd-lr=0.04" in link, link
        assert errors == [], errors
    finally:
        context.close()
    fresh = browser.new_context(viewport=VIEWPORT)
    try:
        page, errors = new_lecture_page(fresh)
        page.goto(link, wait_until="domcontentloaded")
        wait_drawn(page, SCENES["sgd"].title, 120)
        thumb = '[data-testid="stSliderThumbValue"]'
        assert page.locator(f".st-key-sgd-lr {thumb}").inner_text().strip() == "0.04"
        assert page.locator(f".st-key-sgd-steps {thumb}").inner_text().strip() == "100"
        assert page.locator('[data-testid="stAlert"]').count() == 0  # no "invalid link" notice
        assert errors == [], errors
    finally:
        fresh.close()


def test_svg_export_is_valid_svg_with_the_charts_title(server, browser, tmp_path):
    page, errors = new_lecture_page(browser)
    try:
        open_scene(page, server, "scene=sgd&sgd-lr=0.04", SCENES["sgd"].title)
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="SVG").click()
        path = Path(tmp_path / "figure.svg")
        download.value.save_as(path)
        svg = path.read_text()
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg")
        texts = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
        assert "SGD with η = 0.04" in texts, texts[:300]
        assert errors == [], errors
    finally:
        page.close()


# one chart per lecture part (scene module): foundations, activations, initialization, optimizers, playground,
# Fashion-MNIST (images; replayed curves), model selection
CHART_FAMILIES = ["neuron", "activation", "init-race", "zoo", "why-layers", "fashion", "model-selection", "capacity"]
DIAGRAMS = ["layers", "walkthrough", "dropout"]


@pytest.mark.parametrize("scene_id", CHART_FAMILIES)
def test_rendered_chart_text_is_at_least_20px(server, browser, tmp_path, scene_id):
    """The exported SVG of the scene's chart, shown 1:1 in the browser: every text's em height on screen ≥ 20 px
    (its box, which depends on the font's ascent and descent, at least 90 % of that)."""
    page, errors = new_lecture_page(browser)
    try:
        scene = SCENES[scene_id]
        open_scene(page, server, f"scene={scene_id}", scene.title)
        if scene.question:
            page.get_by_role("button", name="Skip the question, show the figure").click()
            wait_drawn(page, scene.title)
            page.wait_for_selector(".lecture-question", state="detached")
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="SVG").click()
        path = Path(tmp_path / "chart.svg")
        download.value.save_as(path)
        page.set_content(f"<html><body style='margin:0'>{path.read_text()}</body></html>")
        sizes = page.evaluate(TEXT_SIZES_JS, "svg")
        assert sizes, scene_id
        small = [s for s in sizes if s[1] < CHART_TEXT_PX - 0.01 or s[2] < 0.9 * CHART_TEXT_PX]
        assert not small, (scene_id, small[:5])
    finally:
        page.close()


@pytest.mark.parametrize("scene_id", DIAGRAMS)
def test_rendered_diagram_text_is_at_least_18px(server, browser, scene_id):
    page, errors = new_lecture_page(browser)
    try:
        open_scene(page, server, f"scene={scene_id}", SCENES[scene_id].title)
        page.wait_for_selector('[data-testid="stGraphVizChart"] svg text', timeout=60_000)
        sizes = page.evaluate(TEXT_SIZES_JS, '[data-testid="stGraphVizChart"]')
        assert sizes
        small = [s for s in sizes if s[1] < DIAGRAM_TEXT_PX - 0.01]
        assert not small, (scene_id, small[:5])
        assert errors == [], errors
    finally:
        page.close()
