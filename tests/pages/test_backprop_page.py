"""The backpropagation page in AppTest: it runs, steps, recomputes on edits, restores from a link, rejects bad input."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser_support import ROOT
from core.lessons.backprop.walkthrough import MAZUR, default_numbers, params_from_rows, walkthrough
from ui.backprop.inputs import format_numbers, parse_numbers


def _page(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages/backprop.py"), default_timeout=300)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def _latex(at: AppTest) -> str:
    return "\n".join(e.value for e in at.latex)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_page_runs_with_diagrams_charts_and_mazurs_defaults():
    at = _page()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("graphviz_chart")) == 3  # architecture, walk-through network, computational graph
    assert len(at.get("vega_lite_chart")) == 1  # the training curve
    assert len(at.error) == 0 and len(at.warning) == 0
    assert _metrics(at)["Parameters"] == "155"  # the lecture's widget: 5-6-6-6-5
    assert any("669,706" in m and "401,920 + 262,656 + 5,130" in m for m in at.markdown.values)  # fc1, fc2, fc3
    assert at.select_slider(key="step").value == "z_h1"
    assert "0.593269992" in _latex(at)  # out_h1, Mazur's first forward step
    assert {"w1, w2; w3, w4", "w5, w6; w7, w8"} <= set(at.caption.values)  # which typed number is which weight
    assert r"\xrightarrow{\text{broadcast: repeat on all 4 rows}}" in _latex(at)  # b (2) → 1·bᵀ (4×2)
    assert len(at.info) == 0  # the note on his printed error waits for the last step


def test_stepping_forward_and_backward():
    at = _page()
    for expected in ["z_h2", "z_o1", "z_o2", "loss", "dw5"]:
        at.button(key="next").click().run()
        assert at.select_slider(key="step").value == expected
    tex = _latex(at)
    assert "0.082167041" in tex and "0.74136507" in tex and "0.186815602" in tex  # red · blue · green for w5
    assert "the delta passed down to the layer below" in tex
    at.button(key="back").click().run()
    assert at.select_slider(key="step").value == "loss"
    assert "0.298371109" in _latex(at)
    at.select_slider(key="step").set_value("dw1").run()
    assert "0.036350306" in _latex(at) and "0.000438568" in _latex(at)
    assert r"= x_{1} = 0.05" in _latex(at) and "the inputs need no delta" in _latex(at)
    at.select_slider(key="step").set_value("update").run()
    assert "0.35891648" in _latex(at) and "0.149780716" in _latex(at)  # w5⁺ and w1⁺
    at.select_slider(key="step").set_value("new_loss").run()
    metrics = _metrics(at)
    assert (metrics["Loss before"], metrics["Loss after"]) == ("0.298371109", "0.291027774")
    wt = walkthrough(params_from_rows(MAZUR, 2), MAZUR["x"], MAZUR["y"])
    new_loss = _latex(at).split(r"\mathcal{L} &=")[-1]  # the loss again, with the updated network's outputs
    assert f"{wt.outputs_after[0]:.9f}" in new_loss and "= 0.291027774 \\end{aligned}" in new_loss
    assert any("0.291027924" in i and "9-digit weights" in i for i in at.info.values)
    assert at.button(key="next").disabled and not at.button(key="back").disabled


def test_editing_a_weight_recomputes_with_the_engine():
    at = _page({"step": "new_loss"})
    at.text_input(key="W2").input("0.1, 0.45; 0.5, -0.55").run()
    assert not at.exception and len(at.error) == 0
    numbers = dict(MAZUR, W2=((0.1, 0.45), (0.5, -0.55)))
    wt = walkthrough(params_from_rows(numbers, 2), MAZUR["x"], MAZUR["y"], eta=0.5)
    metrics = _metrics(at)
    assert metrics["Loss before"] == f"{wt.loss_before:.9f}".rstrip("0")
    assert metrics["Loss after"] == f"{wt.loss_after:.9f}".rstrip("0")
    assert metrics["Loss before"] != "0.298371109"
    assert len(at.info) == 0  # not Mazur's example any more: no note at this step
    at.checkbox(key="ub").check().run()  # the biases move too: the new loss changes again
    both = walkthrough(params_from_rows(numbers, 2), MAZUR["x"], MAZUR["y"], eta=0.5, update_biases=True)
    assert _metrics(at)["Loss after"] == f"{both.loss_after:.9f}".rstrip("0")


def test_link_restores_network_and_step():
    at = _page({"ni": "3", "nh": "3", "no": "1", "act": "tanh", "out": "linear", "loss": "mse", "eta": "0.2",
                "x": "1, -1, 0.5", "y": "0.3", "W2": "0.5, -0.25, 1", "step": "dw3"})
    assert not at.exception and len(at.warning) == 0 and len(at.error) == 0
    assert (at.selectbox(key="ni").value, at.selectbox(key="nh").value, at.selectbox(key="act").value) == (3, 3, "tanh")
    assert at.select_slider(key="step").value == "dw3"
    d = default_numbers((3, 3, 1))
    numbers = dict(d, W2=((0.5, -0.25, 1.0),))
    wt = walkthrough(params_from_rows(numbers, 2), (1, -1, 0.5), (0.3,), "tanh", "linear", "mse", 0.2)
    g = next(g for g in wt.backward if g.param == "w3")
    assert f"{g.grad:.9f}".rstrip("0") in _latex(at)
    assert at.text_input(key="W1").value == format_numbers(d["W1"])


def test_bad_entries_get_a_message_and_keep_the_last_valid_value():
    at = _page({"step": "loss"})
    at.text_input(key="x").input("0.5, 0.25").run()
    good = walkthrough(params_from_rows(MAZUR, 2), (0.5, 0.25), MAZUR["y"]).loss_before
    assert f"{good:.9f}".rstrip("0") in _latex(at)
    at.text_input(key="x").input("0.5, banana").run()
    assert not at.exception
    assert len(at.error) == 1 and "`banana` is not a number" in at.error[0].value and "0.5, 0.25" in at.error[0].value
    assert f"{good:.9f}".rstrip("0") in _latex(at)  # still computed with the last valid inputs
    at.text_input(key="x").input("0.5, 99").run()
    assert "outside the allowed range [-10, 10]" in at.error[0].value
    at.text_input(key="x").input("0.5").run()
    assert "needs 2 numbers, got 1" in at.error[0].value
    at.text_input(key="arch").input("784-512-ten").run()
    assert any("not a whole number" in e.value for e in at.error)


def test_bad_link_values_are_flagged():
    at = _page({"W1": "abc", "eta": "-4", "ni": "7"})
    assert not at.exception
    assert any("`abc` is not a number" in e.value and "the default" in e.value for e in at.error)
    assert len(at.warning) >= 2  # eta and ni fall back to their defaults, with the link notice
    assert at.selectbox(key="ni").value == 2


def test_shape_change_gives_fresh_numbers_and_reset_restores_mazur():
    at = _page()
    at.selectbox(key="nh").select(4).run()
    assert not at.exception and len(at.error) == 0
    assert parse_numbers(at.text_input(key="W1").value, 4, 2, -10, 10) == default_numbers((2, 4, 2))["W1"]
    assert len(at.select_slider(key="step").options) == 6 + 1 + (8 + 4 + 8 + 2) + 2
    at.selectbox(key="loss").select("crossentropy").run()
    assert any("needs a **softmax** output" in i for i in at.info.values)
    at.button[0].click().run()  # reset to Mazur's example
    assert at.selectbox(key="nh").value == 2 and at.selectbox(key="loss").value == "half_sse"
    assert at.text_input(key="W1").value == format_numbers(MAZUR["W1"])


@pytest.mark.parametrize("nh,step,kept", [(3, "db_o1", True), (1, "dw8", False), (4, "dw8", True)])
def test_a_new_shape_keeps_the_step_if_it_still_exists(nh, step, kept):
    at = _page({"step": step})
    at.selectbox(key="nh").select(nh).run()
    assert not at.exception
    assert at.select_slider(key="step").value == (step if kept else "z_h1")  # 2-1-2 has only w1..w4


@pytest.mark.parametrize("layers,expected", [(0, "30"), (6, "281")])
def test_architecture_count_follows_the_sliders(layers, expected):
    at = _page()
    at.slider(key="layers").set_value(layers).run()
    assert _metrics(at)["Parameters"] == expected  # 5-5: 25 + 5; 5-6×6-5: 30 + 5·36 + 30 weights + 6·6 + 5 biases
