"""Home page: the single-neuron demo restores from a link and computes with the engine."""

import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.browser_support import ROOT
from core.engine.datasets import make_dataset
from core.lessons.home.neuron import evaluate_neuron, fit_neuron


def _home(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)  # page links need the navigation
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def test_link_restores_the_neuron_demo():
    at = _home({"data": "moons", "w1": "2.5", "w2": "-1.5", "b": "0.7", "noise": "0.1"})
    assert not at.exception
    assert at.selectbox(key="data").value == "moons"
    assert (at.slider(key="w1").value, at.slider(key="w2").value, at.slider(key="b").value) == (2.5, -1.5, 0.7)
    X, y = make_dataset("moons", n=200, noise=0.1, seed=0)
    view = evaluate_neuron(X, y, (2.5, -1.5), 0.7)
    assert at.metric[0].value == f"{view.log_loss:.3f}"
    assert at.metric[1].value == f"{view.accuracy:.1%}"
    assert len(at.warning) == 0


def test_bad_link_value_shows_a_notice_and_the_default():
    at = _home({"w1": "banana", "data": "nope"})
    assert not at.exception
    assert len(at.warning) == 2
    assert at.slider(key="w1").value == 1.0
    assert at.selectbox(key="data").value == "moons"


def test_neuron_is_sigmoid_of_the_linear_score():
    X, y = make_dataset("blobs", n=50, noise=0.1, seed=1)
    view = evaluate_neuron(X, y, (1.5, -0.5), 0.25)
    p = 1.0 / (1.0 + np.exp(-(1.5 * X[:, 0] - 0.5 * X[:, 1] + 0.25)))
    np.testing.assert_allclose(view.p, p, rtol=1e-12)
    expected_loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert view.log_loss == pytest.approx(expected_loss, rel=1e-9)
    assert view.accuracy == pytest.approx(np.mean((p >= 0.5) == (y == 1)))
    assert view.P.shape == (len(view.ys), len(view.xs))


def test_fitted_neuron_separates_the_blobs():
    X, y = make_dataset("blobs", n=200, noise=0.05, seed=0)
    w, b = fit_neuron(X, y)
    assert evaluate_neuron(X, y, w, b).accuracy >= 0.97


def test_use_these_weights_moves_the_sliders_to_the_fit():
    at = _home({"data": "blobs"})
    before = at.metric[1].value
    at.button[0].click().run()
    assert not at.exception
    assert at.slider(key="w1").value != 1.0 or at.slider(key="w2").value != 1.0
    assert float(at.metric[1].value.rstrip("%")) >= float(before.rstrip("%"))
    assert float(at.metric[1].value.rstrip("%")) >= 95.0


def test_use_these_weights_after_a_link_is_no_invalid_link():
    at = _home({"data": "blobs", "w1": "2", "w2": "-2"})
    at.button[0].click().run()
    assert not at.exception
    assert len(at.warning) == 0  # the URL still says w1=2 for this run: stale, not invalid
    assert at.slider(key="w1").value != 2.0


@pytest.mark.parametrize("data", ["moons", "circles", "xor", "spiral", "blobs"])
def test_the_fitted_weights_caption_fits_the_data_set(data):
    """On the spiral the caption must not suggest trying the spiral; no "-0.0" on the sliders or in the text."""
    at = _home({"data": data})
    caption = next(c.value for c in at.caption if "Gradient descent" in c.value)
    others = [d for d in ("moons", "circles", "xor", "spiral") if d != data]
    assert f"the {data}" in caption.lower()
    if data != "blobs":  # one straight boundary cannot fit these: say so, and suggest nothing
        assert "try the" not in caption and "hidden layers" in caption
    else:
        assert all(o in caption.lower() for o in others)
    assert "-0.0" not in caption
    at.button[0].click().run()
    for key in ("w1", "w2", "b"):
        value = at.slider(key=key).value
        assert math.copysign(1.0, value) == 1.0 or value != 0.0, f"{key} = -0.0 (shows as -0.00)"
