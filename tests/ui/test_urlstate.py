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
