"""The Playground page in AppTest: every control changes the picture, links replay the run, buttons, bad links."""

import functools
import json
import re

import numpy as np
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from core.lessons.playground.presets import PRESETS
from core.lessons.playground.session import PlayConfig, replay
from tests.browser_support import ROOT

PAGE = str(ROOT / "app_pages/playground.py")
BASE = {"step": "60"}


def _page(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _picture(at: AppTest) -> dict:
    """Every chart's data sets as records, keyed by data set name, plus the specs (inline images included)."""
    out = {"specs": []}
    for chart in at.get("vega_lite_chart"):
        proto = chart.proto
        out["specs"].append(json.loads(proto.spec))
        for d in proto.datasets:
            out.setdefault(d.name, []).append(pa.ipc.open_stream(d.data.data).read_pandas().to_dict("records"))
    return out


def _status(at: AppTest) -> dict[str, str]:
    """The live status line (step, epoch, losses): label → shown value."""
    body = next(h.proto.body for h in at.get("html") if "pg-status" in h.proto.body)
    return dict(re.findall(r"<span>([^<]+)</span><b>([^<]+)</b>", body))


@functools.cache
def _baseline() -> dict:
    return _picture(_page(BASE))


def test_page_draws_the_network_the_plane_and_the_curves():
    at = _page(BASE)
    pic = _picture(at)
    for name in ("nodes", "edges", "headers", "points", "history", "norms", "lines"):
        assert name in pic and all(pic[name]), name
    (nodes,) = pic["nodes"]
    assert len(nodes) == 2 + 4 + 2 + 1 and all(n["url"].startswith("data:image/png;base64,") for n in nodes)
    assert len(pic["edges"][0]) == 2 * 4 + 4 * 2 + 2 * 1
    assert len(at.warning) == 0 and len(at.error) == 0
    plane = next(s for s in pic["specs"] if any(l.get("params") for l in s.get("layer", [])))
    pick = next(l for l in plane["layer"] if l.get("params"))
    assert pick["data"]["sequence"]["stop"] == 49 * 49  # the click grid is generated in the browser
    assert at.number_input(key="step").value == 60
    assert [_status(at)[k] for k in ("Step", "Epoch")] == ["60", f"{60 / 25:.1f}"]  # 250 training points, batches of 10


CONTROLS = [  # (query parameter, value, data set or "specs" that must change)
    ("problem", "regression", "points"), ("data", "xor", "points"), ("noise", "30", "points"),
    ("train", "70", "points"), ("seed", "3", "points"), ("feat", ["x₁", "x₂", "x₁x₂"], "nodes"),
    ("layers", "1", "edges"), ("u1", "6", "edges"), ("u2", "3", "edges"), ("act", "relu", "nodes"),
    ("lr", "0.3", "edges"), ("batch", "20", "edges"), ("reg", "L2", "edges"), ("opt", "adam", "edges"),
    ("sched", "inverse_time", "edges"), ("init", "he_normal", "edges"), ("loss", "mse", "edges"),
    ("test", "true", "points"), ("discrete", "true", "image"), ("pts", "1,1,0;2,-3,1", "points"),
    ("drop", "0.2", "edges"), ("bn", "true", "edges"), ("step", "61", "edges"),
]


@pytest.mark.parametrize("key, value, data", CONTROLS, ids=[c[0] for c in CONTROLS])
def test_every_control_changes_the_picture(key, value, data):
    at = _page({**BASE, key: value})
    assert len(at.warning) == 0, [w.value for w in at.warning]
    after = _picture(at)
    assert after[data] != _baseline()[data]


def test_rate_and_classes_change_the_picture_with_their_switches():
    l2 = _picture(_page({**BASE, "reg": "L2"}))
    assert _picture(_page({**BASE, "reg": "L2", "rate": "0.3"}))["edges"] != l2["edges"]
    multi = {**BASE, "problem": "multiclass", "data": "blobs", "loss": "crossentropy"}
    three = _picture(_page(multi))
    five = _picture(_page({**multi, "k": "5"}))
    assert len(three["nodes"][0]) == 2 + 4 + 2 + 3 and len(five["nodes"][0]) == 2 + 4 + 2 + 5
    assert {p["label"] for p in five["points"][0]} == {"0", "1", "2", "3", "4"}


def test_a_link_replays_the_run_to_its_step():
    params = {"data": "spiral", "noise": "10", "seed": "4", "layers": "3", "u1": "5", "u2": "3", "u3": "2",
              "act": "relu", "opt": "adam", "lr": "0.01", "batch": "8", "step": "120", "feat": ["x₁", "x₂", "sin x₁"]}
    at = _page(params)
    assert len(at.warning) == 0
    cfg = PlayConfig(dataset="spiral", noise=0.1, seed=4, hidden=(5, 3, 2), activation="relu", optimizer="adam",
                     lr=0.01, batch_size=8, features=("x₁", "x₂", "sin x₁"))
    run = replay(cfg, 120)
    pic = _picture(at)
    (nodes,), (edges,) = pic["nodes"], pic["edges"]
    assert len(nodes) == 3 + 5 + 3 + 2 + 1
    np.testing.assert_allclose([e["w"] for e in edges], np.concatenate([W.ravel() for W in run.net.W]), rtol=1e-12)
    assert at.number_input(key="step").value == 120
    assert _status(at)["Training loss"] == f"{run.history.train[-1]:.3f}"
    assert "lines" in pic  # layer 3 has 2 units: the layer-space view is on


def test_step_and_reset_buttons_and_a_changed_setting_restarts():
    at = _page()
    at.button(key="step_once").click().run()
    assert at.number_input(key="step").value == 1 and at.query_params["step"] == "1"  # the link follows, as an int
    at.button(key="step_once").click().run()
    assert at.number_input(key="step").value == 2
    edges_at_2 = _picture(at)["edges"]
    at.select_slider(key="lr").set_value(0.1).run()
    assert at.number_input(key="step").value == 0
    at.number_input(key="step").set_value(2).run()
    assert _picture(at)["edges"] != edges_at_2  # same step, another learning rate
    at.button(key="reset").click().run()
    assert at.number_input(key="step").value == 0 and not at.toggle(key="play").value


def test_a_preset_sets_its_story_and_opens_at_its_step():
    at = _page()
    at.button(key="preset_xor_product").click().run()
    assert not at.exception
    preset = PRESETS["xor_product"]
    assert any(preset.story in m.value for m in at.markdown)
    assert at.number_input(key="step").value == preset.steps
    assert at.multiselect(key="feat").value == ["x₁", "x₂", "x₁x₂"]
    assert len(_picture(at)["nodes"][0]) == 3 + 1


def test_bad_link_values_show_a_notice_and_fall_back():
    at = _page({"lr": "banana", "layers": "9", "pts": "1,2;nonsense", "step": "60"})
    notes = " ".join(w.value for w in at.warning)
    assert "lr=banana" in notes and "Added points ignored" in notes
    assert at.select_slider(key="lr").value == 0.03
    assert len(_picture(at)["nodes"][0]) in (2 + 4 + 2 + 1, 2 + 4 + 2 + 4 + 4 + 4 + 4 + 1)
    at2 = _page({"feat": ["x₉"]})
    assert any("x₉" in w.value or "Input features" in w.value for w in at2.warning)


def test_whole_number_settings_reach_the_link_as_ints():
    at = _page({"seed": "3", "layers": "1", "u1": "6"})
    at.button(key="step_once").click().run()
    assert {k: at.query_params[k] for k in ("step", "seed", "layers", "u1")} == {"step": "1", "seed": "3", "layers": "1", "u1": "6"}
    at.button(key="regen").click().run()  # next seed, back to step 0 (the default drops out of the link)
    at.button(key="step_once").click().run()
    assert (at.query_params["seed"], at.query_params["step"]) == ("4", "1")


def test_a_non_finite_whole_number_in_a_link_falls_back_with_a_notice():
    at = _page({"step": "inf", "seed": "nan", "u1": "3"})
    notes = " ".join(w.value for w in at.warning)
    assert "step=inf" in notes and "seed=nan" in notes
    assert at.number_input(key="step").value == 0 and at.number_input(key="seed").value == 0
    assert at.number_input(key="u1").value == 3  # the good values of the link stay



def test_a_non_finite_number_keeps_the_other_controls_link_notices():
    """The page reruns itself to drop `u3=NaN`: the notice about `discrete` from the run it ended must survive."""
    at = _page({"discrete": "0000", "u3": "NaN"})
    notes = " ".join(w.value for w in at.warning)
    assert "discrete=0000" in notes and "u3=NaN" in notes

def test_the_live_charts_keep_their_spec_from_step_to_step():
    """Only data sets change between frames: the browser swaps data in its Vega views instead of rebuilding them."""
    def specs(step: str) -> list[str]:
        return [json.dumps(s, sort_keys=True) for s in _picture(_page({**BASE, "step": step}))["specs"]]
    before, after = specs("60"), specs("85")
    assert len(before) == len(after) == 5 and before == after  # network, plane, loss, gradient norms, layer space
    assert _picture(_page({**BASE, "step": "85"}))["image"] != _baseline()["image"]  # the output picture moved


def test_each_unit_picture_sits_at_its_unit():
    """The pictures are coloured in one pass; each must still belong to its own unit, in network order."""
    from core.lessons.playground.pictures import unit_pictures
    from ui.playground.images import diverging_rgb, png_url
    from ui.playground.views import RESOLUTION, network_frames

    run = replay(PlayConfig(dataset="xor", hidden=(3, 2), features=("x₁", "x₂", "x₁x₂")), 40)
    pics = unit_pictures(run.net, run.config.features, RESOLUTION)
    nodes, edges, *_ = network_frames(run, pics, "output")
    x1x2 = pics.inputs[2, ::2, ::2]
    assert nodes["url"][2] == png_url(diverging_rgb(x1x2 / np.abs(x1x2).max()))
    assert nodes["url"][3 + 2] == png_url(diverging_rgb(pics.hidden[0][2, ::2, ::2]))  # layer 1, unit 3
    assert nodes["url"][6 + 1] == png_url(diverging_rgb(pics.hidden[1][1, ::2, ::2]))  # layer 2, unit 2
    assert nodes["url"][-1] == "output" and nodes["unit"][5] == "layer 1, unit 3"
    np.testing.assert_array_equal(nodes["bias"][3:6], run.net.b[0])
    assert len(edges["edge"]) == len(edges["w"]) == 3 * 3 + 3 * 2 + 2 * 1 and edges["edge"][-1] == "w2,1 of W3"
