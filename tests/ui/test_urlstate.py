"""The shared URL-state helper: links restore widgets; bad link values fall back with a visible notice."""

import pytest
from streamlit.testing.v1 import AppTest

from ui.urlstate import url_value_accepted


def _script():
    import streamlit as st

    from ui.urlstate import bound

    act = bound(st.selectbox, "Activation", ["relu", "tanh"], key="act", format_func=str.upper)
    depth = bound(st.slider, "Depth", 2, 30, 10, key="depth")
    lr = bound(st.slider, "Learning rate", 0.001, 1.0, 0.1, key="lr")
    show = bound(st.checkbox, "Show gradients", key="grad")
    picks = bound(st.multiselect, "Compare", ["a", "b", "c"], default=["a"], key="cmp")
    st.markdown(f"state: {act} {depth} {lr} {show} {'+'.join(picks)}")


def _run(params: dict) -> AppTest:
    at = AppTest.from_function(_script, default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_defaults_without_a_link():
    at = _run({})
    assert not at.exception
    assert at.markdown[-1].value == "state: relu 10 0.1 False a"
    assert len(at.warning) == 0


def test_a_link_restores_every_control():
    at = _run({"act": "TANH", "depth": "25", "lr": "0.5", "grad": "true", "cmp": ["b", "c"]})
    assert not at.exception
    assert at.markdown[-1].value == "state: tanh 25 0.5 True b+c"
    assert len(at.warning) == 0


@pytest.mark.parametrize(
    "params, bad_key",
    [
        ({"depth": "99"}, "depth"),  # out of range
        ({"depth": "ten"}, "depth"),  # not a number
        ({"lr": "nan"}, "lr"),
        ({"act": "softmax"}, "act"),  # unknown option
        ({"cmp": ["b", "zz"]}, "cmp"),  # one unknown item
        ({"grad": "maybe"}, "grad"),
    ],
)
def test_bad_link_values_fall_back_with_a_notice(params, bad_key):
    at = _run(params)
    assert not at.exception
    assert len(at.warning) == 1
    assert f"`{bad_key}=" in at.warning[0].value
    assert at.markdown[-1].value.startswith("state:")


def test_widget_change_after_a_bad_link_keeps_working():
    at = _run({"depth": "ten"})
    at.slider(key="depth").set_value(12).run()
    assert not at.exception
    assert "12" in at.markdown[-1].value


@pytest.mark.parametrize(
    "raw, value, ok",
    [(["3"], 3, True), (["1"], 1.0, True), (["2.5"], 2, False), (["true"], True, True), (["a", "b"], ["a", "b"], True), (["a"], ["a", "b"], False)],
)
def test_url_value_accepted(raw, value, ok):
    assert url_value_accepted(raw, value) is ok


def _ranged():
    import streamlit as st

    from ui.urlstate import bound

    steps = bound(st.slider, "Steps", 10, 100, 100, 10, key="steps")
    k = bound(st.slider, "Step s", 0, steps - 1, min(10, steps - 1), key="k")  # its range follows Steps
    lr = bound(st.select_slider, "Rate", [0.01, 0.1, 1.0], value=0.1, key="lr")
    x0 = bound(st.number_input, "Start x", value=None, min_value=-5.0, max_value=5.0, key="x0")
    st.markdown(f"state: {steps} {k} {lr} {x0}")


def _run_ranged(params: dict) -> AppTest:
    at = AppTest.from_function(_ranged, default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


@pytest.mark.parametrize("steps", [[100, 20, 10], [100, 90, 50, 30, 20, 10], [10]])
def test_a_range_that_shrinks_clamps_the_held_value_silently(steps):
    """The optimizer page's crash: Steps 100 → 20 → 10 left Step s at 10 with max 9 (StreamlitValueAboveMaxError)."""
    at = _run_ranged({})
    at.slider(key="k").set_value(10 if steps[0] > 11 else 9).run()
    for s in steps:
        at.slider(key="steps").set_value(s).run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.slider(key="k").value <= s - 1
    assert at.slider(key="k").value == min(10, steps[-1] - 1)
    assert len(at.warning) == 0  # no link asked for anything


def test_a_stale_link_value_after_the_range_shrank_is_no_notice():
    at = _run_ranged({"steps": "20", "k": "15"})
    assert not at.exception and len(at.warning) == 0
    at.slider(key="steps").set_value(10).run()
    assert not at.exception and at.slider(key="k").value == 9 and len(at.warning) == 0


@pytest.mark.parametrize("params, expected, words", [
    ({"steps": "5000"}, "state: 100 10 0.1 None", "outside the range of **Steps** (10 to 100); showing the nearest limit, `100`"),
    ({"steps": "-3"}, "state: 10 9 0.1 None", "nearest limit, `10`"),
    ({"steps": "30", "k": "99"}, "state: 30 29 0.1 None", "outside the range of **Step s** (0 to 29)"),
    ({"lr": "7"}, "state: 100 10 1.0 None", "showing the nearest limit, `1`"),
    ({"lr": "0.02"}, "state: 100 10 0.01 None", "not one of the values of **Rate**; showing the nearest one, `0.01`"),
    ({"x0": "-1e9"}, "state: 100 10 0.1 -5.0", "nearest limit, `-5`"),
])
def test_out_of_range_link_numbers_clamp_to_the_nearest_limit_with_a_notice(params, expected, words):
    at = _run_ranged(params)
    assert not at.exception
    assert at.markdown[-1].value == expected
    assert len(at.warning) == 1 and words in at.warning[0].value, at.warning


def test_an_empty_default_is_named_as_such_not_as_none():
    at = _run_ranged({"x0": "banana"})
    assert len(at.warning) == 1
    assert "None" not in at.warning[0].value and "leaving it empty (its default)" in at.warning[0].value


def test_a_negative_zero_link_is_plain_zero():
    """`?noise=-0` gave -0.0, which NumPy rejects as a negative scale (the home page crashed; found by the fuzzer)."""
    at = _run_ranged({"x0": "-0"})
    assert not at.exception
    assert at.markdown[-1].value == "state: 100 10 0.1 0.0"


def _unbound_ranged():
    import streamlit as st

    from ui.urlstate import fit_state

    layers = st.slider("Hidden layers", 1, 4, 3, key="layers")
    fit_state("freeze", (0, layers))  # a control outside the URL whose range follows another one
    freeze = st.slider("Freeze", 0, layers, 0, key="freeze")
    st.markdown(f"state: {layers} {freeze}")


def test_fit_state_clamps_an_unbound_widget_whose_range_shrank():
    """The Fashion page's Freeze slider (max = hidden layers) held 3 when the model went down to one layer."""
    at = AppTest.from_function(_unbound_ranged, default_timeout=30).run()
    at.slider(key="freeze").set_value(3).run()
    at.slider(key="layers").set_value(1).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.slider(key="freeze").value == 1


def _script_with_unknown_notice():
    import streamlit as st

    from ui.urlstate import bound, expect_link_keys, unknown_link_notice

    slot = st.empty()
    bound(st.slider, "Depth", 2, 30, 10, key="depth")
    if bound(st.checkbox, "More", key="more"):
        bound(st.slider, "Width", 1, 9, 3, key="width")
    expect_link_keys("later")  # a control in a closed section
    unknown_link_notice(slot)


def _unknown(params: dict) -> AppTest:
    at = AppTest.from_function(_script_with_unknown_notice, default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_unknown_link_keys_get_one_notice_naming_them():
    at = _unknown({"depth": "12", "foo": "1", "b`ad": "x", "later": "3", "scene": "momentum", "embed": "true",
                   "embed_options": "light_theme"})
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "Ignored unknown link settings: `foo`, `b?ad` (no control on this page uses them)."]
    at.slider(key="depth").set_value(14).run()  # named once per session
    assert len(at.warning) == 0


def test_known_embed_scene_and_expected_keys_get_no_notice():
    at = _unknown({"depth": "12", "later": "3", "scene": "momentum", "embed": "true", "embed_options": "show_toolbar"})
    assert not at.exception and len(at.warning) == 0


def test_a_key_whose_control_is_not_drawn_is_named_as_ignored():
    at = _unknown({"width": "5"})  # Width exists only while "More" is on
    assert [w.value for w in at.warning] == ["Ignored unknown link setting: `width` (no control on this page uses it)."]
    at = _unknown({"width": "5", "more": "true"})
    assert len(at.warning) == 0 and at.slider(key="width").value == 5


@pytest.mark.parametrize(("key", "shown"), [("foo", "foo"), ("a`b", "a?b"), ("x\ny", "x?y"), ("k" * 50, "k" * 39 + "…")])
def test_shown_key(key, shown):
    from ui.urlstate import shown_key

    assert shown_key(key) == shown
