"""The two explainer pages in Chromium: a link restores the view, a control writes the URL, a bad value is flagged.

AppTest cannot see the address bar, so these checks need the real browser (harness: tests/browser_support.py).
"""

from __future__ import annotations

import pytest

from tests.browser_support import IDLE, open_page

pytestmark = pytest.mark.browser


def _press(page, slider_label: str, key: str, expected: str) -> None:
    """Focus the slider labelled ``slider_label``, press ``key`` once, wait until the URL holds ``expected``."""
    thumb = page.locator('[data-testid="stSlider"]').filter(has_text=slider_label).get_by_role("slider")
    thumb.focus()
    page.keyboard.press(key)
    page.wait_for_function("s => window.location.search.includes(s)", arg=expected, timeout=30_000)
    page.wait_for_selector(IDLE, timeout=120_000)


@pytest.mark.parametrize("path, params, slider, key, expected", [
    ("activations", "depth=12&acts=elu&acts=relu&n=3&logits=1,2,3,4&cls=3", "Depth (hidden layers)", "ArrowRight",
     "depth=13"),
    ("initialization", "depth=7&ab=true&init_b=normal_large", "Training steps k", "ArrowLeft", "k=190"),
])
def test_link_restores_the_view_and_a_moved_control_reaches_the_url(server, browser, path, params, slider, key,
                                                                     expected):
    page, errors = open_page(browser, f"{server}/{path}?{params}", f"{path}-link")
    try:
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stAlert"]').filter(has_text="is not valid").count() == 0
        for pair in params.split("&"):
            name, value = pair.split("=")
            assert f"{name}={value.replace(',', '%2C')}" in page.url or f"{name}={value}" in page.url
        _press(page, slider, key, expected)
        assert expected in page.url, page.url
        for pair in params.split("&"):  # the rest of the view is still in the link
            assert pair.split("=")[0] + "=" in page.url
        assert errors == [], errors
    finally:
        page.close()


@pytest.mark.parametrize("path, bad", [("activations", "out=tanh"), ("initialization", "init=xavier")])
def test_bad_link_value_is_flagged_in_the_browser(server, browser, path, bad):
    page, errors = open_page(browser, f"{server}/{path}?{bad}", f"{path}-bad-link")
    try:
        assert page.locator('[data-testid="stAlert"]').filter(has_text=bad).count() == 1
        assert page.locator('[data-testid="stException"]').count() == 0
        assert errors == [], errors
    finally:
        page.close()
