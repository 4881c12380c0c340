"""The lecture page in AppTest (through app.py's navigation): scenes from the address, next/previous, the scene
list, questions before the figure, bad links, and every scene's chart text at projector size."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser_support import ROOT
from ui.lecture.presenter import JUMP_KEY, NEXT_KEY, PREV_KEY
from ui.lecture.registry import SCENE_LIST, SCENES
from ui.lecture.style import CHART_TEXT_PX, FONT_KEYS

PAGE = "app_pages/lecture.py"


def _open(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def _title(at: AppTest) -> str:
    return at.title[0].value


def _specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def _fonts(node) -> list[float]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if FONT_KEYS.search(k) and isinstance(v, (int, float))] + [
            f for k, v in node.items() if k != "datasets" for f in _fonts(v)]
    if isinstance(node, list):
        return [f for v in node for f in _fonts(v)]
    return []


def test_opens_on_the_first_scene_with_one_figure():
    at = _open()
    assert SCENE_LIST[0].title in _title(at)
    assert len(at.get("vega_lite_chart")) + len(at.get("graphviz_chart")) == 1
    assert at.button(key=PREV_KEY).disabled


def test_the_address_picks_the_scene_and_next_moves_on():
    at = _open({"scene": "momentum"})
    assert SCENES["momentum"].title in _title(at)
    at.button(key=NEXT_KEY).click().run()
    following = SCENE_LIST[SCENE_LIST.index(SCENES["momentum"]) + 1]
    assert at.query_params["scene"] == following.id
    assert following.title in _title(at)
    at.button(key=PREV_KEY).click().run()
    assert at.query_params["scene"] == "momentum"


def test_the_scene_list_jumps():
    at = _open()
    at.selectbox(key=JUMP_KEY).set_value("lr-sweep").run()
    assert at.query_params["scene"] == "lr-sweep"
    assert SCENES["lr-sweep"].title in _title(at)


def test_a_bad_scene_in_the_link_shows_a_notice_and_the_first_scene():
    at = _open({"scene": "banana"})
    assert any("scene=banana" in w.value for w in at.warning)
    assert SCENE_LIST[0].title in _title(at)


def test_a_question_comes_first_then_the_answer_with_the_live_figure():
    at = _open({"scene": "zoo"})
    assert len(at.get("vega_lite_chart")) == 0
    question = SCENES["zoo"].question
    assert any(question.prompt in h.proto.body for h in at.get("html"))
    choice = next(b for b in at.button if b.label == "adam")
    choice.click().run()
    assert len(at.get("vega_lite_chart")) == 1
    verdict = " ".join(m.value for m in at.markdown)
    assert "You said **adam**" in verdict and "Within 10⁻³ of the minimum" in verdict


def test_next_on_an_open_question_reveals_it_first():
    at = _open({"scene": "symmetry"})
    assert at.button(key=NEXT_KEY).label == "Reveal"
    at.button(key=NEXT_KEY).click().run()
    assert at.query_params["scene"] == "symmetry"
    assert len(at.get("vega_lite_chart")) == 1
    assert "Answer:" in " ".join(m.value for m in at.markdown)


def test_a_link_restores_a_control_and_passes_it_to_the_full_page():
    at = _open({"scene": "sgd", "sgd-lr": "0.04"})
    assert at.select_slider(key="sgd-lr").value == 0.04
    spec = _specs(at)[0]
    assert "η = 0.04" in spec["title"]["text"]
    link = next(b for b in at.get("link_button") if "full page" in b.proto.label)
    assert link.proto.url.startswith("/optimizers?") and "sgd_lr=0.04" in link.proto.url
    at.select_slider(key="sgd-lr").set_value(0.005).run()
    assert "η = 0.005" in _specs(at)[0]["title"]["text"]


def test_a_bad_control_value_in_the_link_is_flagged():
    at = _open({"scene": "sgd", "sgd-lr": "banana"})
    assert any("sgd-lr=banana" in w.value for w in at.warning)
    assert len(_specs(at)) == 1


@pytest.mark.parametrize("scene_id", [s.id for s in SCENE_LIST])
def test_every_scenes_chart_text_is_at_least_20px(scene_id):
    at = _open({"scene": scene_id})
    if SCENES[scene_id].question:
        next(b for b in at.button if b.label.startswith("Skip")).click().run()
    specs = _specs(at)
    if not specs:
        assert len(at.get("graphviz_chart")) == 1
        return
    assert len(specs) == 1
    fonts = _fonts(specs[0])
    assert fonts and min(fonts) >= CHART_TEXT_PX, sorted(fonts)[:5]


def test_a_replayed_run_switches_and_the_full_page_link_follows():
    at = _open({"scene": "model-selection"})
    assert "the lecture's model" in _specs(at)[0]["title"]["text"]
    at.selectbox(key="model-selection-run").set_value("best").run()
    assert not at.exception, at.exception
    assert "our best MLP" in _specs(at)[0]["title"]["text"]
    link = next(b for b in at.get("link_button") if "full page" in b.proto.label)
    assert link.proto.url.startswith("/fashion-mnist?") and "replay_run=best" in link.proto.url


def test_the_dropout_question_comes_first_and_the_live_runs_answer_it():
    at = _open({"scene": "dropout-helps"})
    assert len(at.get("vega_lite_chart")) == 0
    choice = SCENES["dropout-helps"].question.choices[0]
    next(b for b in at.button if b.label == choice).click().run()
    assert len(at.get("vega_lite_chart")) == 1
    verdict = " ".join(m.value for m in at.markdown)
    assert f"You said **{choice}**" in verdict and "Validation accuracy after 40 epochs" in verdict
