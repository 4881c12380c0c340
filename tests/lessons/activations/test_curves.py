"""Activation curves with saturation zones, and gradient flow through deep nets per activation."""

import numpy as np
import pytest

from core.lessons.activations.curves import activation_curves, read_off, saturation_zones
from core.engine.activations import ACTIVATIONS
from core.lessons.activations.gradient_flow import gradient_flow


def test_saturation_zones_worked_example():
    z = np.arange(7.0)  # 0..6
    df = np.array([0.0, 0.01, 0.5, 0.9, 0.02, 0.3, 0.0])
    assert saturation_zones(z, df, 0.05) == ((0.0, 1.0), (4.0, 4.0), (6.0, 6.0))
    assert saturation_zones(z, df, 0.0) == ()


def test_curves_come_from_the_registry():
    curves = activation_curves(["sigmoid", "relu"], z_max=4.0, n_points=81, threshold=0.05)
    sig, relu = curves
    np.testing.assert_allclose(sig.z, np.linspace(-4, 4, 81))
    np.testing.assert_array_equal(sig.f, ACTIVATIONS["sigmoid"].forward(sig.z))
    np.testing.assert_array_equal(relu.df, ACTIVATIONS["relu"].derivative(relu.z))
    # σ′(z) < 0.05 for |z| > 2.94: two symmetric tails; ReLU is flat for all z ≤ 0
    (lo0, lo1), (hi0, hi1) = sig.saturated
    assert lo0 == -4.0 and hi1 == 4.0 and lo1 == pytest.approx(-hi0) and 2.9 < hi0 < 3.1
    assert relu.saturated == ((-4.0, 0.0),)
    assert activation_curves(["tanh"], threshold=0.0)[0].saturated == ()


def test_read_off():
    assert read_off("tanh", 0.0) == (0.0, 1.0)
    f, df = read_off("sigmoid", 2.0)
    assert f == pytest.approx(1 / (1 + np.exp(-2))) and df == pytest.approx(f * (1 - f))


def test_bad_input():
    with pytest.raises(ValueError, match="valid"):
        activation_curves(["nope"])
    with pytest.raises(ValueError, match="z_max"):
        activation_curves(["relu"], z_max=0)


def test_sigmoid_gradient_vanishes_where_relu_keeps_flowing():
    sig, relu, tanh = gradient_flow(["sigmoid", "relu", "tanh"], depth=10, width=64, init="he_normal")
    assert len(sig.weight_grad_norms) == 11 and len(sig.dead_fraction) == 10
    # first-layer gradient relative to the output layer's: sigmoid loses orders of magnitude, ReLU does not
    assert sig.weight_grad_norms[0] / sig.weight_grad_norms[-1] < 1e-4
    assert relu.weight_grad_norms[0] / relu.weight_grad_norms[-1] > 1e-2
    assert np.all(sig.dead_fraction == 0) and np.all(tanh.dead_fraction == 0)
    assert relu.dead_fraction.max() > 0  # some ReLU units output 0 for the whole batch


def test_zero_init_gives_zero_hidden_gradients():
    (flow,) = gradient_flow(["tanh"], depth=3, width=8, init="zeros")
    np.testing.assert_array_equal(flow.weight_grad_norms[:-1], 0.0)
