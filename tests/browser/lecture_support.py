"""Driving lecture mode in Chromium: open a scene, step with the clicker's keys, measure figures and text."""

from __future__ import annotations

import time

from tests.browser_support import IDLE, collect_errors

FIGURE = '[data-testid="stVegaLiteChart"], [data-testid="stGraphVizChart"]'
DRAWN = ('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg, '
         '[data-testid="stGraphVizChart"] svg text')
VIEWPORT = {"width": 1280, "height": 720}

# Rendered size of every non-empty <text> under a selector: font size × the element's screen scale, box height.
TEXT_SIZES_JS = """(selector) => [...document.querySelectorAll(selector + ' text')]
  .filter(t => t.textContent.trim())
  .map(t => { const m = t.getScreenCTM(); const r = t.getBoundingClientRect();
              const upright = Math.abs(m.a) >= Math.abs(m.b);  // a rotated label's height runs along x
              return [t.textContent, parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b),
                      upright ? r.height : r.width]; })"""


def new_lecture_page(browser_or_context):
    """A 1280×720 page (a projector) with its console errors collected."""
    if hasattr(browser_or_context, "new_context"):  # a browser: the page gets its own context
        page = browser_or_context.new_page(viewport=VIEWPORT)
    else:  # a context made with the viewport (and permissions) it needs
        page = browser_or_context.new_page()
    return page, collect_errors(page)


def title(page) -> str:
    return page.locator('[data-testid="stHeading"] h1').inner_text().strip()


def wait_drawn(page, scene_title: str, timeout: float = 60.0) -> None:
    """Until the script is idle, the slide title is ``scene_title`` and the scene's figure (or question) is drawn."""
    page.wait_for_function(
        """([t, drawn]) => { const h = document.querySelector('[data-testid="stHeading"] h1');
             const app = document.querySelector('[data-testid="stApp"]');
             return h && h.innerText.trim() === t && app && app.dataset.testScriptState === 'notRunning'
                    && (document.querySelector(drawn) || document.querySelector('.lecture-question')); }""",
        arg=[scene_title, DRAWN], timeout=timeout * 1000)


def open_scene(page, base: str, query: str, scene_title: str) -> None:
    page.goto(f"{base}/lecture?{query}", wait_until="domcontentloaded")
    page.wait_for_selector(IDLE, timeout=120_000)
    wait_drawn(page, scene_title, 120)


def press_and_time(page, key: str, scene_title: str) -> float:
    """Press ``key`` and return the seconds until the next scene's title and figure are on screen."""
    t0 = time.perf_counter()
    page.keyboard.press(key)
    wait_drawn(page, scene_title)
    return time.perf_counter() - t0


def figure_box(page) -> dict:
    return page.locator(FIGURE).first.bounding_box()
