"""Every page in the navigation runs in AppTest without an exception, draws a chart and survives a widget change."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser_support import write_small_fashion_npz
from tests.browser_support import ROOT
from ui.navigation import PAGES, existing_pages

CHART_TYPES = ("vega_lite_chart", "graphviz_chart")
PAGE_IDS = [p.url_path or "home" for p in existing_pages()]


@pytest.fixture
def small_fashion_npz(tmp_path, monkeypatch):
    """A tiny stand-in for the Fashion-MNIST file, so the trainer page has data without the 30 MB download."""
    path = write_small_fashion_npz(tmp_path / "fashion-small.npz")
    monkeypatch.setenv("FASHION_MNIST_NPZ", str(path))
    return path


def _open(page_file: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    if page_file != "app_pages/home.py":
        at.switch_page(page_file)
        at.run()
    return at


def _charts(at: AppTest) -> int:
    return sum(len(at.get(kind)) for kind in CHART_TYPES)


def _change_a_widget(at: AppTest) -> str:
    """Move the first enabled slider (or pick another option of the first enabled select box) and rerun."""
    sliders = [w for w in at.slider if not w.proto.disabled]
    boxes = [w for w in at.selectbox if not w.proto.disabled]
    if sliders:
        slider = sliders[0]
        lo, hi = slider.min, slider.max
        slider.set_value(hi if slider.value != hi else lo)
        label = slider.label
    elif boxes:
        box = boxes[0]
        other = next(o for o in box.options if o != box.value)
        box.select(other)
        label = box.label
    else:
        pytest.fail("page has no slider or select box to change")
    at.run()
    return label


def test_navigation_lists_exactly_the_existing_pages():
    existing = existing_pages()
    assert existing[0].file == "app_pages/home.py" and existing[0].url_path == ""
    assert {p.url_path for p in PAGES} >= {"activations", "initialization", "optimizers", "backprop", "fashion-mnist"}
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception


@pytest.mark.parametrize("page", existing_pages(), ids=PAGE_IDS)
def test_page_runs_draws_charts_and_survives_a_widget_change(page, small_fashion_npz):
    at = _open(page.file)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.title) >= 1
    assert _charts(at) >= 1, f"{page.title} drew no chart"
    label = _change_a_widget(at)
    assert not at.exception, f"changing {label!r}: {[e.value for e in at.exception]}"
    assert _charts(at) >= 1
