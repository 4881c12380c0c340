"""Chart and diagram text as Chromium draws it at a 1280×720 projector resolution: ≥ 14 px on ordinary pages.

Text size is read where it is drawn: SVG text by its computed font size times the screen transform (the chart
or diagram may be scaled to its column), canvas text by hooking ``fillText`` (font size times the context's
transform, per CSS pixel).
"""

from __future__ import annotations

import pytest

from tests.browser_support import IDLE, SHOTS, collect_errors

pytestmark = pytest.mark.browser

HOOK = """(() => {
  window.__chartText = [];
  const fill = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, x, y, ...rest) {
    const c = this.canvas;
    if (c && c.closest && c.closest('[data-testid="stVegaLiteChart"]')) {
      const m = /([0-9.]+)px/.exec(this.font), t = this.getTransform();
      const perCss = c.clientWidth ? c.width / c.clientWidth : (window.devicePixelRatio || 1);
      if (m) window.__chartText.push(['vega', parseFloat(m[1]) * Math.hypot(t.a, t.b) / perCss, String(text)]);
    }
    return fill.call(this, text, x, y, ...rest);
  };
})();"""
SVG_TEXT = """() => Array.from(document.querySelectorAll(
    '[data-testid="stVegaLiteChart"] svg text, [data-testid="stGraphVizChart"] svg text')).filter(
    el => el.getBoundingClientRect().width > 0 && el.textContent.trim()).map(el => {
  const m = el.getScreenCTM();
  const kind = el.closest('[data-testid="stGraphVizChart"]') ? 'graphviz' : 'vega';
  return [kind, parseFloat(getComputedStyle(el).fontSize) * Math.hypot(m.a, m.b), el.textContent];
})"""


def _drawn_text(browser, url: str, name: str, wait_for: str) -> tuple[list, list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.add_init_script(HOOK)
    errors = collect_errors(page)
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(IDLE, timeout=120_000)
    page.wait_for_selector(wait_for, timeout=120_000)
    page.wait_for_selector(IDLE, timeout=120_000)
    page.wait_for_timeout(1500)
    texts = [t for t in page.evaluate("window.__chartText") if t[2].strip()] + page.evaluate(SVG_TEXT)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"chart-text-{name}-1280.png"))
    page.close()
    return texts, errors


def _is_number(text: str) -> bool:
    try:
        float(text.replace("−", "-").replace(",", ""))
        return True
    except ValueError:
        return False


def test_home_chart_ticks_and_neuron_diagram_are_at_least_14px(server, browser):
    texts, errors = _drawn_text(browser, server, "home", '[data-testid="stGraphVizChart"] svg text')
    ticks = [px for kind, px, text in texts if kind == "vega" and _is_number(text)]
    diagram = [px for kind, px, _ in texts if kind == "graphviz"]
    assert len(ticks) >= 6 and len(diagram) >= 6, texts
    assert min(ticks) >= 14, sorted(ticks)[:5]
    assert min(px for kind, px, _ in texts if kind == "vega") >= 14
    assert min(diagram) >= 14, sorted(diagram)[:5]
    assert errors == [], errors


def test_backprop_diagrams_are_at_least_14px(server, browser):
    texts, errors = _drawn_text(browser, f"{server}/backprop", "backprop", '[data-testid="stGraphVizChart"] svg text')
    diagram = [(round(px, 1), text) for kind, px, text in texts if kind == "graphviz"]
    assert len(diagram) >= 30, diagram  # architecture titles, the walk-through network and the graph of L
    assert min(px for px, _ in diagram) >= 14, sorted(diagram)[:5]
    assert errors == [], errors
