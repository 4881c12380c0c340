"""The backpropagation walk-through in Chromium: Next/Back move the step and the URL, a shape change, the reset,
a typo. Every action waits for what it uses: the script idle (fragment reruns included), a list box open."""

from __future__ import annotations

import pytest

from tests.browser_support import CHART, IDLE, collect_errors

pytestmark = pytest.mark.browser


def _idle(page) -> None:
    """Wait until a rerun (of the page or of a fragment) has started and ended."""
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=120_000)


def _pick(page, label: str, option: str) -> None:
    """Choose ``option`` in the select box labelled ``label`` with the keyboard, once its list box is open."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).get_by_role("combobox")
    listbox = page.get_by_role("listbox")
    for _ in range(5):  # a key press that lands while a rerun redraws the box only focuses it: try again
        _idle(page)
        box.focus()
        box.press("ArrowDown")
        try:
            listbox.wait_for(state="visible", timeout=5_000)
            break
        except Exception:  # noqa: BLE001 (playwright's TimeoutError)
            page.keyboard.press("Escape")
    listbox.get_by_role("option", name=option, exact=True).click()


def test_stepping_and_a_typo_in_chromium(server, browser):
    """In a real browser: Next/Back move the step and the URL, a typo shows a message, no console errors."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = collect_errors(page)
    try:
        page.goto(f"{server}/backprop?step=loss", wait_until="domcontentloaded")
        page.wait_for_selector(IDLE, timeout=120_000)
        page.wait_for_selector(CHART, timeout=60_000)
        _idle(page)
        page.get_by_role("button", name="Next ▶").click()
        page.wait_for_url("**step=dw5**", timeout=30_000)
        _idle(page)
        page.wait_for_function("document.body.innerHTML.includes('0.082167041')", timeout=30_000)  # ∂E/∂w5
        page.get_by_role("button", name="◀ Back").click()
        page.wait_for_url("**step=loss**", timeout=30_000)
        _idle(page)
        _pick(page, "Hidden units", "3")
        page.wait_for_url("**nh=3**", timeout=30_000)
        _idle(page)
        page.get_by_role("button", name="Reset to Mazur's example").click()
        page.wait_for_function("!window.location.search.includes('nh=')", timeout=30_000)
        _idle(page)
        assert page.locator('[data-testid="stAlertContentWarning"]').count() == 0  # no false "invalid link" notice
        box = page.locator('[data-testid="stTextInput"]').filter(has_text="Inputs x").locator("input")
        box.fill("0.05, oops")
        box.press("Enter")
        page.wait_for_selector('[data-testid="stAlertContentError"]', timeout=30_000)
        assert "is not a number" in page.locator('[data-testid="stAlertContentError"]').first.inner_text()
        assert page.locator('[data-testid="stException"]').count() == 0
        assert errors == [], errors
    finally:
        page.close()
