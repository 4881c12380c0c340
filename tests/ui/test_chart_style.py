"""One chart style: every chart and diagram a page draws reads on a projector (≥ 14 px; lecture scale ≥ 20 / 18),
the palette stays apart for deuteranopes, and the scale switch is per script run."""

import itertools

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser_support import ROOT, write_small_fashion_npz
from tests.ui.chart_checks import delta_e, dot_font_problems, dot_sources, font_problems, vega_specs
from ui.charts import theme
from ui.charts.builders import field_frame, line_chart, points_frame
from ui.charts.diagrams import neuron_dot

MIN_DELTA_E = 15.0  # CIE76 under a full deuteranopia simulation; Okabe–Ito's closest pair is ~17
PAGES = [  # (page file, query parameters): every page, and every lazily drawn section of the optimizer zoo
    ("app_pages/home.py", {}),
    ("app_pages/backprop.py", {}),
    ("app_pages/activations.py", {}),
    ("app_pages/initialization.py", {}),
    ("app_pages/optimizers.py", {}),
    ("app_pages/optimizers.py", {"tab": "Learning-rate sweep"}),
    ("app_pages/optimizers.py", {"tab": "Momentum in practice"}),
    ("app_pages/fashion_mnist.py", {}),
]
IDS = [f"{p.split('/')[1][:-3]}{'-' + q['tab'].split()[0] if q else ''}" for p, q in PAGES]


@pytest.fixture
def small_fashion_npz(tmp_path, monkeypatch):
    path = write_small_fashion_npz(tmp_path / "fashion-small.npz")
    monkeypatch.setenv("FASHION_MNIST_NPZ", str(path))
    return path


def _run_page(page: str, params: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page != "app_pages/home.py":
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _check_page(page: str, params: dict, scale: str) -> int:
    at = _run_page(page, params)
    specs, dots = vega_specs(at), dot_sources(at)
    assert specs or dots, f"{page} drew no chart"
    problems = {i: font_problems(s, theme.MIN_PX[scale]) for i, s in enumerate(specs)}
    assert not any(problems.values()), {i: p for i, p in problems.items() if p}
    dot_problems = [dot_font_problems(d, theme.MIN_DIAGRAM_PX[scale]) for d in dots]
    assert not any(dot_problems), dot_problems
    return len(specs) + len(dots)


@pytest.mark.parametrize("page, params", PAGES, ids=IDS)
def test_every_chart_a_page_draws_sets_projector_font_sizes(page, params, small_fashion_npz):
    assert _check_page(page, params, "page") >= 1


@pytest.mark.parametrize("page, params", PAGES, ids=IDS)
def test_at_lecture_scale_every_chart_is_at_least_20px_and_diagrams_18px(page, params, small_fashion_npz, monkeypatch):
    monkeypatch.setattr(theme, "DEFAULT_SCALE", "lecture")  # as if lecture mode had called use_scale for the run
    assert _check_page(page, params, "lecture") >= 1


def test_the_font_check_catches_vega_lites_defaults_and_small_overrides():
    bare = {"mark": "line", "encoding": {}}
    assert len(font_problems(bare, 14)) == 9  # every default missing
    styled = theme.style({"mark": "text", "encoding": {"x": {"axis": {"labelFontSize": 11}}}})
    assert font_problems(styled, 14) == ["/encoding/x/axis/labelFontSize = 11"]
    assert font_problems(theme.style({"layer": [{"mark": {"type": "text", "fontSize": 12}}]}), 14) == [
        "/layer[0]/mark/fontSize = 12"]
    assert dot_font_problems('digraph { node [fontsize=10]; a [fontsize=20]; }', 14) == ["fontsize=10"]
    assert dot_font_problems("digraph { a; }", 14) == ["no node fontsize"]


def test_style_owns_font_sizes_but_keeps_a_specs_other_config():
    spec = theme.style({"config": {"axis": {"labelFontSize": 9, "grid": False}, "view": {"stroke": None}}})
    assert spec["config"]["axis"]["labelFontSize"] == 14 and spec["config"]["axis"]["grid"] is False
    assert spec["config"]["view"] == {"stroke": None}


def test_scale_switch_is_per_run_and_reaches_charts_and_diagrams():
    assert theme.current_scale() == "page"
    with theme.scale("lecture"):
        assert theme.config()["axis"]["labelFontSize"] == 20
        assert not font_problems(line_chart(_frame(), "x", "y", "k").to_dict(), 20)
        assert not dot_font_problems(neuron_dot([1.0, -1.0], 0.5), 18)
        assert "fontsize=20" in neuron_dot([1.0], 0.0)
    assert theme.current_scale() == "page" and "fontsize=15" in neuron_dot([1.0], 0.0)
    with pytest.raises(ValueError, match="unknown chart scale"):
        theme.use_scale("huge")


def test_home_decision_chart_is_styled():
    import numpy as np

    from ui.home.charts import neuron_spec

    xs = np.linspace(-1, 1, 4)
    P = np.full((4, 4), 0.5)
    chart = neuron_spec(field_frame(xs, xs, P), points_frame(np.zeros((2, 2)), np.array([0, 1])), "home")
    assert not font_problems(chart, 14)


def test_palette_colours_stay_apart_for_deuteranopes():
    pairs = {(a, b): delta_e(a, b) for a, b in itertools.combinations(theme.PALETTE, 2)}
    closest = min(pairs, key=pairs.get)
    assert pairs[closest] >= MIN_DELTA_E, (closest, pairs[closest])
    # the check can fail: tableau10's red and green (the old palette) merge for a deuteranope
    assert delta_e("#e45756", "#54a24b") < MIN_DELTA_E < delta_e("#e45756", "#54a24b", deutan=False)


def test_named_colours_come_from_the_palette():
    assert set(theme.NAMED.values()) <= set(theme.PALETTE) | {theme.GREY, theme.LIGHT_GREY}
    assert theme.color(0) == theme.PALETTE[0] and theme.color(len(theme.PALETTE)) == theme.PALETTE[0]
    assert theme.dash(0) != theme.dash(len(theme.PALETTE))  # a repeated colour gets a dash


def _frame():
    import pandas as pd

    return pd.DataFrame({"x": [0, 1, 0, 1], "y": [1.0, 2.0, 2.0, 1.0], "k": ["a", "a", "b", "b"]})
