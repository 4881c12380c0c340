"""Lecture mode's scene registry: slide order, at most three controls, projector-size text, exports, short links."""

import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from ui.lecture.controls import MAX_CONTROLS, Controls, DefaultControls
from ui.lecture.export import standalone, to_png, to_svg
from ui.lecture.registry import SCENE_LIST, SCENES
from core.trainer.data import CLASS_NAMES as CLASS_NAMES_ALL
from ui.lecture.style import CHART_TEXT_PX, DIAGRAM_TEXT_PX, FIGURE_PX, FONT_KEYS, lecture_dot, lecture_spec

IDS = [s.id for s in SCENE_LIST]
FIGURES = {}  # scene id -> (figure, controls), each scene drawn once for the whole module


def _figure(scene_id: str):
    if scene_id not in FIGURES:
        controls = DefaultControls(scene_id)
        FIGURES[scene_id] = (SCENES[scene_id].draw(controls), controls)
    return FIGURES[scene_id]


def _font_sizes(node, path="") -> list[tuple[str, float]]:
    """Every (path, value) of a fontSize/*FontSize key in a spec (data sets left out)."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "datasets":
                continue
            if FONT_KEYS.search(key) and isinstance(value, (int, float)):
                found.append((f"{path}.{key}", value))
            else:
                found += _font_sizes(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found += _font_sizes(item, f"{path}[{i}]")
    return found


def test_scenes_follow_the_lectures_slide_order():
    numbers = [int(re.match(r"#(\d+)", s.slide).group(1)) for s in SCENE_LIST if s.slide != "extra"]
    assert numbers == sorted(numbers)
    assert numbers[0] == 1 and len(SCENE_LIST) >= 20
    assert len(set(IDS)) == len(IDS)
    assert all(re.fullmatch(r"[a-z0-9-]+", i) for i in IDS)


@pytest.mark.parametrize("scene_id", IDS)
def test_every_scene_draws_one_figure_with_lecture_size_text(scene_id):
    figure, controls = _figure(scene_id)
    assert controls.used <= MAX_CONTROLS
    assert figure.title
    if figure.vega is not None:
        sizes = _font_sizes(figure.vega)
        config = figure.vega["config"]
        for group, key in (("axis", "labelFontSize"), ("axis", "titleFontSize"), ("legend", "labelFontSize"),
                           ("legend", "titleFontSize"), ("title", "fontSize"), ("text", "fontSize"), ("mark", "fontSize")):
            assert config[group][key] >= CHART_TEXT_PX, (group, key)
        small = [(p, v) for p, v in sizes if v < CHART_TEXT_PX]
        assert not small, small
    else:
        sizes = [float(v) for v in re.findall(r"fontsize\s*=\s*\"?([0-9.]+)", figure.dot)]
        assert sizes and min(sizes) >= DIAGRAM_TEXT_PX, sizes


def test_lecture_spec_raises_every_font_and_keeps_the_data():
    spec = {"mark": {"type": "text", "fontSize": 9}, "encoding": {"color": {"legend": {"labelFontSize": 11}}},
            "layer": [{"title": {"text": "t", "fontSize": 12}}], "config": {"axis": {"labelFontSize": 13}},
            "datasets": {"d": [{"x": 1}]}}
    out = lecture_spec(spec, 480)
    assert min(v for _, v in _font_sizes(out)) >= CHART_TEXT_PX
    assert out["height"] == 480 and out["datasets"]["d"] is spec["datasets"]["d"]
    assert spec["mark"]["fontSize"] == 9  # the page's spec is not changed


def test_lecture_dot_raises_fontsizes():
    dot = lecture_dot('digraph g {\n  node [fontsize=9]; a [label="x", fontsize=12]; b -> a [fontsize=30];\n}')
    assert sorted(float(v) for v in re.findall(r"fontsize=([0-9.]+)", dot)) == [18, 18, 18, 18, 30]


def test_three_controls_at_most():
    controls = Controls("x", [None] * 5)
    for _ in range(MAX_CONTROLS):
        controls._next_column()
    with pytest.raises(RuntimeError, match="more than 3 controls"):
        controls._next_column()


@pytest.mark.parametrize("scene_id", IDS)
def test_short_link_and_full_page_link(scene_id):
    scene = SCENES[scene_id]
    assert len(f"https://example.org/lecture?scene={scene.id}") <= 80
    _, controls = _figure(scene_id)
    url = scene.page_url(controls.page_params)
    assert url.startswith(f"/{scene.page}")
    for key, values in controls.page_params.items():
        assert all(f"{key}=" in url for _ in values)


@pytest.mark.parametrize("scene_id", ["neuron", "minibatch", "momentum", "relu-tanh", "init-race", "fashion",
                                      "why-layers", "capacity", "new-model", "confusion"])
def test_svg_export_is_valid_svg_with_the_charts_title(scene_id):
    figure, _ = _figure(scene_id)
    svg = to_svg(figure.vega)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    texts = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert figure.title in texts
    font_sizes = [float(m) for m in re.findall(r'font-size="([0-9.]+)px"', svg)]
    assert font_sizes and min(font_sizes) >= CHART_TEXT_PX


def test_png_export_is_a_png():
    figure, _ = _figure("output")
    assert to_png(figure.vega).startswith(b"\x89PNG\r\n\x1a\n")


def test_standalone_spec_is_plain_json():
    figure, _ = _figure("zoo")
    text = json.dumps(standalone(figure.vega))
    assert "NaN" not in text and '"datasets"' in text


def test_question_scenes_name_a_choice_as_their_answer():
    asked = [s for s in SCENE_LIST if s.question]
    assert {s.id for s in asked} >= {"zoo", "symmetry", "relu-tanh", "dropout-helps"}
    for scene in asked:
        figure, _ = _figure(scene.id)
        assert figure.answer in scene.question.choices, (scene.id, figure.answer)


def test_the_chapters_after_the_optimizers_have_their_scenes_in_order():
    order = [s.id for s in SCENE_LIST]
    chapter = ["fashion", "compgraph", "model-selection", "early-stopping", "capacity", "memorization", "l1-l2",
               "l1-prunes", "dropout", "dropout-helps", "batch-norm", "new-model", "confusion"]
    assert order[order.index("fashion"):] == chapter
    assert order.index("why-layers") == order.index("layers") + 1
    assert {SCENES[i].slide for i in ("fashion", "model-selection", "dropout", "new-model")} == {"#19", "#21", "#22", "#23"}


def _legends(node) -> list[dict]:
    if isinstance(node, dict):
        own = [node["legend"]] if isinstance(node.get("legend"), dict) else []
        return own + [x for k, v in node.items() if k not in ("datasets", "config") for x in _legends(v)]
    if isinstance(node, list):
        return [x for v in node for x in _legends(v)]
    return []


@pytest.mark.parametrize("scene_id", ["zoo", "momentum", "adaptive"])
def test_race_legends_stand_beside_the_plot_so_it_keeps_its_height(scene_id):
    figure, _ = _figure(scene_id)
    legends = _legends(figure.vega)
    assert legends and all(legend.get("orient") == "right" for legend in legends), legends
    assert all(legend.get("columns", 1) == 1 for legend in legends)
    assert figure.vega["height"] == FIGURE_PX and figure.vega["width"] <= 1225


@pytest.mark.parametrize("scene_id", ["model-selection", "new-model"])
def test_replayed_curves_show_the_lectures_number_beside_ours(scene_id):
    from core.trainer.replays import LECTURE_RUNS

    figure, controls = _figure(scene_id)
    run = controls.page_params["replay_run"][0]
    lecture = LECTURE_RUNS[run].lecture_max_val_accuracy
    assert f"lecture {lecture:.4f}" in figure.note and "ours 0." in figure.note
    rules = [layer for layer in figure.vega["layer"] if layer.get("mark", {}).get("type") == "rule"
             and layer.get("data", {}).get("values", [{}])[0].get("value") == lecture]
    assert rules, "the lecture's Max Val Acc is drawn as a rule"


def test_confusion_scene_names_the_pair_the_matrix_mixes_up_most():
    from core.trainer.data import CLASS_NAMES
    from ui.lecture.scenes.fashion import _confusion_spec

    figure, _ = _figure("confusion")
    _, C = _confusion_spec("best")
    off = C - np.diag(np.diag(C))
    i, j = np.unravel_index(off.argmax(), off.shape)
    assert f"**{CLASS_NAMES[i]}** taken for **{CLASS_NAMES[j]}** ({off[i, j]} of" in figure.note


def test_fashion_images_fall_back_clearly_without_the_data(monkeypatch, tmp_path):
    from core.trainer.download import NPZ_ENV
    from ui.lecture.scenes import fashion

    monkeypatch.setenv(NPZ_ENV, str(tmp_path / "absent.npz"))
    figure = fashion.images(DefaultControls("fashion"))
    assert "not on this server" in figure.title and "not on this server" in figure.note
    names = list(figure.vega["datasets"]["gallery"]["name"])
    assert names == list(CLASS_NAMES_ALL) and set(figure.vega["datasets"]["gallery"]["url"]) == {""}
    assert str(tmp_path) not in json.dumps(figure.vega, default=str) + figure.note  # no server path shown


def test_fashion_images_show_one_image_per_class(tmp_path, monkeypatch):
    from core.trainer.download import NPZ_ENV
    from tests.browser_support import write_small_fashion_npz
    from ui.lecture.scenes import fashion

    monkeypatch.setenv(NPZ_ENV, str(write_small_fashion_npz(tmp_path / "small.npz", per_class=3)))
    figure = fashion.images(DefaultControls("fashion"))
    gallery = figure.vega["datasets"]["gallery"]
    assert list(gallery["name"]) == list(CLASS_NAMES_ALL)
    assert all(u.startswith("data:image/png;base64,") for u in gallery["url"])


def test_why_layers_draws_every_unit_of_the_preset_network():
    from core.lessons.playground.presets import PRESETS

    figure, controls = _figure("why-layers")
    preset = PRESETS["spiral_deep"]
    network, plane = figure.vega["hconcat"]
    nodes = next(v for k, v in figure.vega["datasets"].items() if "unit" in getattr(v, "columns", []))
    assert len(nodes) == sum(preset.config.layer_sizes)
    images = [layer["mark"] for layer in network["layer"] if layer["mark"]["type"] == "image"]
    rows = max(preset.config.layer_sizes)
    assert images and images[0]["width"] >= 0.85 * network["height"] / (rows + 1)  # pictures fill their rows
    assert controls.page_params["layers"] == ["3"] and controls.page_params["u3"] == ["6"]


def test_l1_keeps_only_the_squared_features_of_the_circle():
    figure, controls = _figure("l1-prunes")
    assert controls.page_params["reg"] == ["L1"]
    assert figure.note.startswith("Input weights with |w| ≥ 0.05: x₁², x₂² (2 of 7)")


def test_dropout_question_is_answered_by_the_live_runs():
    from ui.lecture.scenes.model_selection import DROPOUT_ANSWERS

    figure, _ = _figure("dropout-helps")
    without, with_ = [float(v.rstrip("%")) for v in re.findall(r"([0-9.]+)%", figure.note)[:2]]
    expected = 2 if abs(with_ - without) < 1 else (0 if with_ > without else 1)
    assert figure.answer == DROPOUT_ANSWERS[expected]
