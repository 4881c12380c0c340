"""Optimizer zoo page in AppTest: the default lecture race, interactions, presets, links and bad links."""

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from tests.browser_support import ROOT
from core.lessons.optimizers.presets import PRESETS, SLOTS
from core.lessons.optimizers.step_anatomy import anatomy
from core.engine.surfaces import SURFACES, get_surface
from core.lessons.optimizers.trajectories import MAX_STEPS, RunSpec, race
from ui.optimizers.controls import HYPER_KEY, LR_GRID

PAGE = str(ROOT / "app_pages/optimizers.py")


def _page(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=30)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def _summary(at: AppTest):
    return at.table[0].value.set_index("optimizer")


def _datasets(at: AppTest, chart: int = 0) -> dict:
    proto = at.get("vega_lite_chart")[chart].proto
    return {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in proto.datasets}


def _expected(surface, specs, start, steps, precision="float32"):
    return {t.name: t for t in race(surface, specs, start, steps, precision)}


def _link_notices(at: AppTest) -> list[str]:
    """The page's notices about unusable link values (not the divergence notice)."""
    return [w.value for w in at.warning if "link's value" in w.value]


def _divergence_notice(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning if w.value.startswith("Diverged"))


def test_default_view_is_the_lecture_race():
    """Beale, (0.8, 1.6), 100 steps, the eight, in float32 like torch: sgd_cyclic blows up near step 90, marked so."""
    at = _page()
    assert not at.exception and _link_notices(at) == []
    assert at.multiselect(key="opts").value == list(PRESETS["lecture"].slots)
    assert at.selectbox(key="surface").value == "beale" and at.slider(key="steps").value == 100
    assert at.radio(key="prec").value == "float32"
    assert len(at.get("vega_lite_chart")) >= 4  # race, loss, learning rate, inside one step
    expected = _expected(SURFACES["beale"], PRESETS["lecture"].specs(), (0.8, 1.6), 100)
    summary = _summary(at)
    for name, t in expected.items():
        if t.diverged_at is None:
            assert summary.loc[name, "final loss"] == pytest.approx(t.final_loss, rel=1e-12)
            assert pd.isna(summary.loc[name, "diverged at step"])
    k = expected["sgd_cyclic"].diverged_at
    assert 85 <= k <= 97 and summary.loc["sgd_cyclic", "diverged at step"] == k
    assert f"**sgd_cyclic** at step {k}" in _divergence_notice(at)
    paths = _datasets(at)["paths"]
    assert set(paths["run"]) == {t.legend for t in expected.values()}
    assert f"sgd_cyclic (diverged at step {k})" in set(paths["run"]) and paths["step"].max() == 100
    cyclic = paths[paths["run"].str.startswith("sgd_cyclic")]
    assert cyclic["step"].max() <= k and np.isfinite(cyclic[["x", "y"]].to_numpy()).all()
    note = " ".join(i.value for i in at.info)
    assert "The lecture's race" in note and "float32" in note and r"2/\lambda_{\max}" in note
    assert [b.proto.type for b in at.button if b.key.startswith("preset_")] == ["primary"] + ["secondary"] * 4


def test_loss_chart_keeps_its_axes_when_a_run_diverges():
    """The diverging run leaves through the top of a fixed log axis instead of stretching it to 10¹²."""
    at = _page()
    spec = json.loads(at.get("vega_lite_chart")[1].proto.spec)
    lo, hi = spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    start_loss = SURFACES["beale"].f(0.8, 1.6)
    assert lo <= 1e-3 and start_loss < hi <= 1000 * start_loss
    assert _datasets(at, 1)["curves"]["loss_plot"].max() > 1e6  # the data still hold the blow-up


def test_the_loss_and_learning_rate_plots_start_at_one_height():
    """Side by side, the learning-rate chart's note (momentum = nesterov use one rate) must not push its plot below
    the loss chart's: both reserve the same number of subtitle lines."""
    at = _page()
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")[1:3]]
    loss, lr = (s["title"] for s in specs)
    assert (loss["text"], lr["text"]) == ("Loss", "Learning rate used") and specs[0]["height"] == specs[1]["height"]
    assert "momentum = nesterov" in " ".join(lr["subtitle"]) and len(lr["subtitle"]) >= 2
    assert len(loss["subtitle"]) == len(lr["subtitle"]) and not "".join(loss["subtitle"]).strip()


def test_float64_link_restores_the_longer_lived_cyclical_run():
    at = _page({"prec": "float64"})
    assert not at.exception and _link_notices(at) == [] and _divergence_notice(at) == ""
    expected = _expected(SURFACES["beale"], PRESETS["lecture"].specs(), (0.8, 1.6), 100, "float64")
    summary = _summary(at)
    for name, t in expected.items():
        assert summary.loc[name, "final loss"] == pytest.approx(t.final_loss, rel=1e-12), name
    assert 0.001 < summary.loc["sgd_cyclic", "final loss"] < 0.002
    assert "The lecture's race" in " ".join(i.value for i in at.info)  # the note explains both precisions
    at.radio(key="prec").set_value("float32").run()
    assert "**sgd_cyclic** at step" in _divergence_notice(at)


def _open_hyper_parameters(at: AppTest) -> AppTest:
    """Open the "Hyper-parameters and learning-rate schedules" expander, as a click on it does."""
    at.session_state[HYPER_KEY] = True
    return at.run()


def _drawn_and_default_specs():
    import streamlit as st

    from core.lessons.optimizers.presets import SLOTS
    from ui.optimizers.controls import default_spec, slot_controls

    st.session_state["drawn"] = {n: repr(slot_controls(s, st.container())) for n, s in SLOTS.items()}
    st.session_state["default"] = {n: repr(default_spec(s)) for n, s in SLOTS.items()}


def test_a_contestants_default_spec_is_what_its_fresh_widgets_give():
    """Until the expander is opened the widgets are not drawn: the race must be exactly the one they would give
    (the same values, of the same types: the cache key is the specs' repr)."""
    at = AppTest.from_function(_drawn_and_default_specs).run()
    assert not at.exception
    assert at.session_state["drawn"] == at.session_state["default"] and len(at.session_state["drawn"]) == len(SLOTS)


def test_the_hyper_parameter_widgets_are_drawn_once_opened_and_change_nothing():
    at = _page()
    assert not at.exception and not any(w.key == "momentum_lr" for w in at.select_slider)
    before = _summary(at)
    _open_hyper_parameters(at)
    assert at.select_slider(key="momentum_lr").value == SLOTS["momentum"].hyper["lr"]
    pd.testing.assert_frame_equal(_summary(at), before)
    at.session_state[HYPER_KEY] = False  # closed again: still drawn (hidden), so their values stay bound
    at.run()
    assert at.select_slider(key="momentum_lr").value == SLOTS["momentum"].hyper["lr"]


def test_changing_a_learning_rate_reruns_that_race():
    at = _open_hyper_parameters(_page())
    at.select_slider(key="momentum_lr").set_value(0.002).run()
    assert not at.exception
    specs = PRESETS["lecture"].specs()
    specs[2] = SLOTS["momentum"].spec(lr=0.002)
    expected = _expected(SURFACES["beale"], specs, (0.8, 1.6), 100)
    summary = _summary(at)
    assert summary.loc["momentum", "final loss"] == pytest.approx(expected["momentum"].final_loss, rel=1e-12)
    assert summary.loc["adam", "final loss"] == pytest.approx(expected["adam"].final_loss, rel=1e-12)


def test_scrubbing_the_iteration_reslices_the_paths():
    at = _page()
    at.slider(key="it").set_value(30).run()
    assert not at.exception
    data = _datasets(at)
    assert data["paths"]["step"].max() == 30
    assert (data["heads"]["step"] == 30).all() and len(data["heads"]) == 8
    t = _expected(SURFACES["beale"], PRESETS["lecture"].specs(), (0.8, 1.6), 100)["nesterov"]
    head = data["heads"].set_index("run").loc["nesterov"]
    np.testing.assert_allclose([head["x"], head["y"]], t.points[30], rtol=1e-12)


def test_the_whole_race_drawn_once_equals_the_race_sliced_at_its_last_step():
    """At the last iteration the page draws the race from a cached, frozen chart; one step earlier it slices the paths
    live. Both must draw the same race, and a longer race cut to these steps (its horizon) the same paths."""
    at = _page({"steps": "120"})
    whole = _datasets(at)
    assert at.slider(key="it").value == 120
    at.slider(key="it").set_value(119).run()
    sliced = _datasets(at)
    expected = _expected(SURFACES["beale"], PRESETS["lecture"].specs(), (0.8, 1.6), 120)
    for name in ("paths", "heads"):
        assert set(whole[name]["run"]) == {t.legend for t in expected.values()}
    for run, t in expected.items():
        drawn = whole["paths"][whole["paths"]["run"] == t.legend]
        np.testing.assert_array_equal(drawn[["x", "y"]].to_numpy(), t.points[: len(drawn)])
        head = whole["heads"].set_index("run").loc[t.legend]
        assert head["step"] == len(drawn) - 1
    pd.testing.assert_frame_equal(sliced["paths"].reset_index(drop=True),
                                  whole["paths"][whole["paths"]["step"] <= 119].reset_index(drop=True))


def test_play_steps_through_the_iterations():
    at = _page({"steps": "100", "it": "10"})
    at.toggle(key="play").set_value(True).run()
    first = at.slider(key="it").value
    at.run()
    assert not at.exception and first == 12 and at.slider(key="it").value == 14  # stride = steps // 50
    assert _link_notices(at) == []  # the link still says it=10: stale, not invalid


def test_a_preset_over_a_link_shows_no_false_notice():
    """After a preset, the address bar holds the old values for one run; that is not a bad link."""
    at = _page({"steps": "200", "sgd_lr": "0.003", "opts": ["sgd", "adam"]})
    at.button(key="preset_valley").click().run()
    assert not at.exception and len(at.warning) == 0  # no link notice, and nothing diverges in the valley
    assert at.slider(key="steps").value == 300 and at.select_slider(key="sgd_lr").value == PRESETS["valley"].overrides["sgd"]["lr"]


@pytest.mark.parametrize("preset", list(PRESETS))
def test_preset_button_sets_up_the_race(preset):
    at = _page({"prec": "float64", "adam_lr": "0.05"})
    at.button(key=f"preset_{preset}").click().run()
    assert not at.exception and _link_notices(at) == []
    p = PRESETS[preset]
    assert at.selectbox(key="surface").value == p.surface
    assert at.multiselect(key="opts").value == list(p.slots)
    assert at.slider(key="steps").value == p.steps
    assert at.radio(key="prec").value == p.precision == "float32"
    assert [i.value for i in at.info] == [f"**{p.title}.** {p.note}"]  # the page recognises the preset's race
    expected = _expected(get_surface(p.surface, p.condition), p.specs(), p.start, p.steps)
    summary = _summary(at)
    for name, t in expected.items():
        if t.diverged_at is None:
            assert summary.loc[name, "final loss"] == pytest.approx(t.final_loss, rel=1e-12), name
        else:
            assert summary.loc[name, "diverged at step"] == t.diverged_at
    if preset == "too_high":
        notice = " ".join(w.value for w in at.warning)
        assert "**sgd** at step 2" in notice and "sgd_cyclic" in notice
        legend = _datasets(at)["paths"]["run"].unique()
        assert any("diverged at step" in label for label in legend)


def test_link_restores_a_race():
    params = {"surface": "quadratic", "cond": "50", "opts": ["sgd", "adam"], "sgd_lr": "0.03", "adam_lr": "0.1",
              "adam_b1": "0.8", "steps": "120", "x0": "-3", "y0": "1"}
    at = _page(params)
    assert not at.exception and len(at.warning) == 0
    assert at.info == [] or "Adaptive methods" not in at.info[0].value  # the bowl preset's note only for its race
    specs = [RunSpec.make("sgd", "sgd", lr=0.03), RunSpec.make("adam", "adam", lr=0.1, betas=(0.8, 0.999), eps=1e-8)]
    expected = _expected(get_surface("quadratic", 50.0), specs, (-3.0, 1.0), 120)
    summary = _summary(at)
    for name, t in expected.items():
        assert summary.loc[name, "final loss"] == pytest.approx(t.final_loss, rel=1e-12)


def test_link_with_a_schedule_restores_it():
    at = _page({"opts": ["adam"], "adam_sch": "step", "adam_ss": "20", "adam_g": "0.5"})
    assert not at.exception
    spec = RunSpec.make("adam", "adam", "step", {"step_size": 20, "gamma": 0.5}, lr=0.2, betas=(0.9, 0.999), eps=1e-8)
    t = race(SURFACES["beale"], [spec], (0.8, 1.6), 100)[0]
    assert _summary(at).loc["adam", "final loss"] == pytest.approx(t.final_loss, rel=1e-12)
    lrs = _datasets(at, 2)["curves"]
    assert lrs["lr"].iloc[0] == pytest.approx(0.2) and lrs["lr"].iloc[-1] == pytest.approx(0.2 * 0.5**4)


def test_bad_link_values_show_notices_and_defaults():
    at = _page({"sgd_lr": "banana", "surface": "moon", "steps": "5000", "tab": "nowhere", "prec": "float16"})
    assert not at.exception
    assert len(_link_notices(at)) >= 5
    assert at.radio(key="prec").value == "float32"
    assert at.selectbox(key="surface").value == "beale"
    assert at.select_slider(key="sgd_lr").value == 0.01
    assert at.slider(key="steps").value == MAX_STEPS  # out of range: the nearest limit, with the notice
    assert any("`steps=5000` is outside the range of **Steps**" in n for n in _link_notices(at))


def test_a_start_far_off_the_surface_is_explained_not_raised():
    at = _page({"x0": "100", "y0": "-100", "opts": ["sgd", "adam"]})
    assert not at.exception
    assert any("lies far outside this surface" in w.value for w in at.warning)
    assert list(_summary(at)["diverged at step"]) == [0, 0]
    assert len(at.get("vega_lite_chart")) >= 3  # the race, loss and rate charts still draw (empty paths)


def test_changing_the_surface_moves_the_start():
    at = _page({"x0": "0.5", "y0": "0.5", "opts": ["sgd"]})
    at.selectbox(key="surface").select("himmelblau").run()
    assert not at.exception and at.number_input(key="x0").value is None
    t = race(SURFACES["himmelblau"], [SLOTS["sgd"].spec()], SURFACES["himmelblau"].start, 100)[0]
    assert _summary(at).loc["sgd", "final loss"] == pytest.approx(t.final_loss, rel=1e-12)


def test_inside_one_step_arrows_and_effective_rates():
    at = _page({"inspect": "nesterov", "k": "5"})
    assert not at.exception
    arrows = next(d["arrows"] for i in range(len(at.get("vega_lite_chart"))) if "arrows" in (d := _datasets(at, i)))
    assert list(arrows["what"]) == ["momentum step γv", "look-ahead gradient step −η∇L(w+γv)",
                                    "lecture's step v = γv − η∇L(w+γv)", "actual step (torch)"]
    at = _page({"inspect": "adam", "k": "7"})
    an = anatomy(SURFACES["beale"], SLOTS["adam"].spec(), (0.8, 1.6), 100)
    assert at.metric[0].value == f"{an.eff_lr[7, 0]:.4g}" and at.metric[1].value == f"{an.eff_lr[7, 1]:.4g}"


@pytest.mark.parametrize("tab, element", [("Learning-rate sweep", "vega_lite_chart"), ("Update rules", "latex"),
                                          ("Momentum in practice", "vega_lite_chart")])
def test_each_section_renders(tab, element):
    at = _page({"tab": tab, "opts": ["sgd", "momentum", "adam"], "mlp_steps": "40"})
    assert not at.exception and len(at.warning) == 0
    assert len(at.get(element)) >= (3 if element == "latex" else 4)
    if tab == "Learning-rate sweep":
        sweep = _datasets(at, 3)
        assert set(sweep["ok"]["run"]) | set(sweep["bad"]["run"]) == {"sgd", "momentum", "adam"}


def test_every_default_and_preset_value_is_on_the_widget_grids():
    lrs = [s.hyper["lr"] for s in SLOTS.values()] + [o["lr"] for p in PRESETS.values() for o in p.overrides.values()]
    lrs += [s.schedule_kw["max_lr"] for s in SLOTS.values() if "max_lr" in s.schedule_kw]
    assert all(lr in LR_GRID for lr in lrs)


@pytest.mark.parametrize("path", [[20, 10], [90, 70, 50, 30, 20, 10], [10]])
def test_fewer_steps_never_leave_the_step_or_iteration_out_of_range(path):
    """Steps 100 → 20 → 10 used to raise StreamlitValueAboveMaxError from "Step s" (k = 10, max 9)."""
    at = _page()
    for steps in path:
        at.slider(key="steps").set_value(steps).run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.slider(key="k").value <= steps - 1 and at.slider(key="it").value <= steps
    assert _link_notices(at) == []


def test_the_iteration_at_the_end_stays_at_the_end_when_steps_change():
    """A student who sees the whole race and asks for more steps sees the whole longer race, not its first part; an
    iteration they scrubbed to stays where it is."""
    at = _page()
    at.slider(key="steps").set_value(200).run()
    assert at.slider(key="it").value == 200 and _datasets(at)["paths"]["step"].max() == 200
    at.slider(key="steps").set_value(50).run()
    assert at.slider(key="it").value == 50
    at.slider(key="it").set_value(20).run()
    at.slider(key="steps").set_value(300).run()
    assert at.slider(key="it").value == 20 and _datasets(at)["paths"]["step"].max() == 20
    assert not at.exception and _link_notices(at) == []


def test_a_preset_opens_inside_one_step_on_a_step_that_exists():
    at = _page()
    at.button(key="preset_too_high").click().run()
    assert not at.exception
    assert not any("pick an earlier step" in w.value for w in at.warning)
