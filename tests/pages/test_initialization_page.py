"""The weight-initialization page in AppTest: it runs, draws its charts, reacts to controls, restores links."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser_support import ROOT

PAGE = str(ROOT / "app_pages/initialization.py")
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


def _chart_data(at: AppTest) -> dict[str, str]:
    """{chart label: name of its data set}; data sets are named after their content, so new data means a new name."""
    out: dict[str, str] = {}
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec.get("title") or spec.get("layer", [{}])[0].get("title") or "weights"
        label = title if isinstance(title, str) else title["text"]
        label = next(f"{label} #{i}" for i in range(10) if f"{label} #{i}" not in out)
        out[label] = ",".join(d.name for d in chart.proto.datasets)
    return out


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


BOXES_A, STD_A, STD_G = "Activations a⁽ˡ⁾ #0", "Std of the activations per layer #0", "Std of the gradients per layer #0"
HEATMAP_CONSTANT, HEATMAP_RANDOM, SYMMETRY_LOSS = "weights #0", "weights #1", "Training loss #0"
RACE = "Training loss per step (circles, 200 points, full batch) #0"
CONTROLS = [  # (widget kind, key, new value, chart that must change); the A/B keys exist once A/B is on
    ("slider", "depth", 7, STD_A),
    ("select_slider", "width", 64, BOXES_A),
    ("select_slider", "batch", 32, STD_G),
    ("number_input", "seed", 3, STD_A),
    ("toggle", "ab", True, STD_A),
    ("selectbox", "act", "tanh", BOXES_A),
    ("selectbox", "init", "glorot_uniform", STD_G),
    ("selectbox", "sym", "zeros", HEATMAP_CONSTANT),
    ("slider", "c", -0.25, HEATMAP_CONSTANT),
    ("selectbox", "sym_rand", "he_uniform", HEATMAP_RANDOM),
    ("selectbox", "sym_act", "relu", HEATMAP_RANDOM),
    ("slider", "k", 50, HEATMAP_RANDOM),
    ("selectbox", "sym_data", "xor", SYMMETRY_LOSS),
    ("multiselect", "race", ["he_normal", "lecun_normal"], RACE),
    ("selectbox", "race_act", "tanh", RACE),
    ("selectbox", "race_opt", "adam", RACE),
    ("select_slider", "race_lr", 0.03, RACE),
    ("slider", "race_steps", 100, RACE),
    ("slider", "race_depth", 2, RACE),
]


@pytest.mark.parametrize("kind, key, value, chart", CONTROLS, ids=[c[1] for c in CONTROLS])
def test_every_control_changes_its_chart(kind, key, value, chart):
    at = _run()
    before = _chart_data(at)
    getattr(at, kind)(key=key).set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]
    assert getattr(at, kind)(key=key).value == value
    after = _chart_data(at)
    assert chart in before and chart in after
    assert after[chart] != before[chart]


@pytest.mark.parametrize("key, value", [("act_b", "tanh"), ("init_b", "normal_large")])
def test_the_b_side_controls_change_the_std_lines(key, value):
    at = _run(ab="true")
    before = _chart_data(at)
    at.selectbox(key=key).select(value).run()
    assert not at.exception
    after = _chart_data(at)
    assert after[STD_A] != before[STD_A] and after[STD_G] != before[STD_G]
    assert after["Activations a⁽ˡ⁾ #0"] == before["Activations a⁽ˡ⁾ #0"]  # side A is untouched
    assert after["Activations a⁽ˡ⁾ #1"] != before["Activations a⁽ˡ⁾ #1"]


@pytest.mark.parametrize("steps", [50, 100, 150, 300, 350, 500, 75])  # 75: off the slider, runs to itself
def test_the_race_at_any_steps_value_is_the_race_run_for_that_many_steps(steps):
    """The page cuts one run per horizon (ui/initialization/cached.py): every cut equals run_race with those Steps."""
    from dataclasses import asdict

    import numpy as np

    from core.lessons.initialization.init_race import RaceConfig, run_race
    from ui.initialization import cached

    inits = ("normal_large", "he_normal", "zeros")
    config = RaceConfig(inits=inits, activation="relu", optimizer="sgd", lr=0.1, steps=steps, depth=4)
    shown = cached.race(inits, "relu", "sgd", 0.1, steps, 4)
    assert cached.horizon(steps) >= steps
    for lane, alone in zip(shown, run_race(config), strict=True):
        a, b = asdict(lane), asdict(alone)
        assert np.array_equal(a.pop("losses"), b.pop("losses")) and len(lane.losses) <= steps
        np.testing.assert_equal(a, b)  # init, final loss, accuracy (nan == nan), status
