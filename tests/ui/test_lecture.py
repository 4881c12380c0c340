"""Lecture mode's scene registry: slide order, at most three controls, projector-size text, exports, short links."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from ui.lecture.controls import MAX_CONTROLS, Controls, DefaultControls
from ui.lecture.export import standalone, to_png, to_svg
from ui.lecture.registry import SCENE_LIST, SCENES
from ui.lecture.style import CHART_TEXT_PX, DIAGRAM_TEXT_PX, FONT_KEYS, lecture_dot, lecture_spec

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


@pytest.mark.parametrize("scene_id", ["momentum", "relu-tanh", "init-race"])
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
    assert {s.id for s in asked} >= {"zoo", "symmetry", "relu-tanh"}
    for scene in asked:
        figure, _ = _figure(scene.id)
        assert figure.answer in scene.question.choices, (scene.id, figure.answer)
