"""The weight-initialization page in AppTest: it runs, draws its charts, reacts to controls, restores links."""

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT

PAGE = str(ROOT / "pages/initialization.py")
SIGNAL_CHARTS = 4  # activation boxes, gradient boxes, two std-per-layer lines
OTHER_CHARTS = 3  # symmetry heatmaps ×2 (one per start), race losses; the symmetry loss chart when k > 0


def _run(**params) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _charts(at: AppTest) -> int:
    return len(at.get("vega_lite_chart"))


def _std_caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith("std of a"))


def test_page_runs_with_title_formula_and_all_charts():
    at = _run()
    assert at.title[0].value == "Weight initialization"
    assert [h.value for h in at.header][:3] == ["Signal through depth", "Symmetry: why not start from zero?",
                                                "Training race"]
    assert _charts(at) == SIGNAL_CHARTS + OTHER_CHARTS + 1
    assert any(r"\sqrt{\frac{2}{\text{fan\_in}}}" in l.value for l in at.latex)  # he_normal, from the registry
    assert any("σ = 0.08839 for fan_in = fan_out = 256" == c.value for c in at.caption)
    assert len(at.warning) == 0


def test_controls_rerender_the_signal_section():
    at = _run()
    assert "layer 1 → 20" in _std_caption(at)
    at.slider(key="depth").set_value(7).run()
    assert "layer 1 → 7" in _std_caption(at)
    at.selectbox(key="init").select("normal_small").run()
    assert not at.exception
    shrink = float(_std_caption(at).split("(×")[1].split(")")[0])
    assert shrink < 1e-3  # normal_small collapses the signal
    assert any("σ = 0.01 for fan_in" in c.value for c in at.caption)
    assert _charts(at) == SIGNAL_CHARTS + OTHER_CHARTS + 1


def test_symmetry_and_race_controls_rerender():
    at = _run()
    at.selectbox(key="sym").select("zeros").run()
    metrics = [m.value for m in at.metric]
    assert metrics[0] == "1 / 1" and metrics[2] == "6 / 6"
    at.multiselect(key="race").set_value([]).run()
    assert any("at least one initializer" in i.value for i in at.info)
    at.slider(key="k").set_value(0).run()
    assert not at.exception and _charts(at) == SIGNAL_CHARTS + 2  # heatmaps only: no race, no loss curve


def test_link_restores_an_ab_view():
    at = _run(depth="12", width="64", batch="32", ab="true", act="tanh", init="glorot_normal",
              act_b="tanh", init_b="normal_large")
    assert at.slider(key="depth").value == 12
    assert at.select_slider(key="width").value == 64
    assert at.toggle(key="ab").value is True
    assert (at.selectbox(key="act_b").value, at.selectbox(key="init_b").value) == ("tanh", "normal_large")
    assert _charts(at) == 2 * 2 + 2 + OTHER_CHARTS + 1  # boxes per side, shared std lines
    captions = [c.value for c in at.caption]
    assert "σ = 0.125 for fan_in = fan_out = 64" in captions  # glorot: √(2/128)
    assert "σ = 1 for fan_in = fan_out = 64" in captions
    assert len(at.warning) == 0


@pytest.mark.parametrize("key, value", [("init", "xavier"), ("depth", "99"), ("race", "he")])
def test_invalid_link_value_shows_a_notice_and_the_page_still_works(key, value):
    at = _run(**{key: value})
    assert any(f"`{key}=" in w.value for w in at.warning)
    assert _charts(at) >= SIGNAL_CHARTS
