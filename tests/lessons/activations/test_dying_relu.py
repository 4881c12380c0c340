"""Dying ReLU: the inactive-unit count, and ReLU vs leaky ReLU after a negative bias shift."""

import numpy as np
import pytest

from core.lessons.activations.dying_relu import DyingConfig, dying_relu, dying_run, inactive_fraction, toy_data
from core.engine.network import MLP


def test_inactive_fraction_worked_example():
    # hidden unit 0: z = x (on for x > 0); unit 1: z = x − 10 (off on all of X); unit 2: z = −x (on for x < 0)
    W1, b1 = np.array([[1.0, 1.0, -1.0]]), np.array([0.0, -10.0, 0.0])
    W2, b2 = np.ones((3, 1)), np.zeros(1)
    net = MLP.from_params([W1, b1, W2, b2], activation="relu")
    assert inactive_fraction(net, np.array([[1.0], [2.0]])) == pytest.approx(2 / 3)  # units 1 and 2 off
    assert inactive_fraction(net, np.array([[-1.0], [2.0]])) == pytest.approx(1 / 3)  # only unit 1 off
    leaky = MLP.from_params([W1, b1, W2, b2], activation="leaky_relu")
    assert inactive_fraction(leaky, np.array([[1.0], [2.0]])) == pytest.approx(2 / 3)  # counted by z ≤ 0


def test_toy_data_is_standardised():
    X, y = toy_data(DyingConfig())
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1.0)
    assert X.shape == (200, 2) and set(np.unique(y)) == {0, 1}


def test_negative_bias_kills_relu_for_good_but_leaky_relu_recovers():
    relu, leaky = dying_relu(DyingConfig(steps=100))
    assert relu.inactive[0] == leaky.inactive[0] > 0.8  # same init and shift: most units start switched off
    assert relu.inactive.min() == relu.inactive[0]  # no dead ReLU unit ever comes back
    np.testing.assert_allclose(relu.losses, np.log(2), atol=0.01)  # …and the net stays at chance level
    assert leaky.inactive[-1] < 0.4 * leaky.inactive[0]
    assert leaky.losses[-1] < 0.5 * leaky.losses[0]
    assert relu.accuracy <= 0.6 < 0.9 <= leaky.accuracy
    assert len(relu.inactive) == len(relu.losses) + 1 == 101


def test_without_shift_few_units_start_inactive_and_the_run_is_reproducible():
    cfg = DyingConfig(bias_shift=0.0, steps=20, optimizer="sgd", lr=0.1)
    a, b = dying_run(cfg, "relu"), dying_run(cfg, "relu")
    assert a.inactive[0] < 0.2
    np.testing.assert_array_equal(a.inactive, b.inactive)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert a.status == "completed"


def test_bad_arguments():
    with pytest.raises(ValueError, match="relu"):
        dying_run(DyingConfig(steps=5), "tanh")
    with pytest.raises(ValueError, match="steps"):
        dying_run(DyingConfig(steps=0), "relu")
