"""core.engine.probes: dead units, and per-layer summaries that agree with the network's own pass."""

import numpy as np
import pytest

from core.engine.probes import dead_fraction, frobenius, probe, probe_depth
from core.engine.network import MLP


@pytest.mark.parametrize(
    "A, expected",
    [
        (np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]), 2 / 3),  # unit 2 fires once: alive
        (np.zeros((4, 5)), 1.0),
        (np.ones((4, 5)), 0.0),
        (np.array([[-0.01, 0.0]]), 0.5),  # leaky negatives are not dead
    ],
)
def test_dead_fraction(A, expected):
    assert dead_fraction(A) == pytest.approx(expected)


def test_dead_fraction_rejects_non_matrix():
    with pytest.raises(ValueError, match="n_samples, n_units"):
        dead_fraction(np.zeros(3))


def test_probe_matches_a_manual_pass():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((32, 5)), rng.standard_normal((32, 1))
    probe = probe_depth(X, y, depth=3, width=7, activation="tanh", init="glorot_normal", seed=4)
    net = MLP([5, 7, 7, 7, 1], activation="tanh", init="glorot_normal", seed=4)
    cache = net.forward_cache(X)
    back = net.backward(cache, y, "half_sse")
    assert len(probe.activations) == 3 and probe.weight_grad_norms.shape == (4,)
    np.testing.assert_allclose(probe.activation_std, [A.std() for A in cache.A[1:-1]])
    np.testing.assert_allclose(probe.weight_grad_norms, [np.linalg.norm(g) for g in back.grads[0::2]])
    assert probe.loss == pytest.approx(back.loss)


def test_sigmoid_gradients_vanish_toward_the_input_while_relu_flows():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((128, 32)), rng.standard_normal((128, 1))
    sig = probe_depth(X, y, depth=15, width=64, activation="sigmoid", init="glorot_normal")
    relu = probe_depth(X, y, depth=15, width=64, activation="relu", init="he_normal")
    assert sig.weight_grad_norms[0] / sig.weight_grad_norms[-1] < 1e-6
    assert relu.weight_grad_norms[0] / relu.weight_grad_norms[-1] > 1e-2


def test_bad_depth():
    with pytest.raises(ValueError, match="depth"):
        probe_depth(np.zeros((2, 2)), np.zeros((2, 1)), depth=0, width=3, activation="relu", init="he_normal")


def test_frobenius_norm():
    assert frobenius(np.array([[3.0, 0.0], [0.0, -4.0]])) == 5.0
    M = np.random.default_rng(2).standard_normal((7, 5))
    assert frobenius(M) == pytest.approx(np.linalg.norm(M), rel=1e-14)


def test_probe_of_a_given_net_equals_probe_depth():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((16, 4)), rng.standard_normal((16, 1))
    built = probe_depth(X, y, depth=2, width=6, activation="relu", init="he_uniform", seed=9)
    given = probe(MLP([4, 6, 6, 1], activation="relu", init="he_uniform", seed=9), X, y)
    np.testing.assert_array_equal(built.weight_grad_norms, given.weight_grad_norms)
    np.testing.assert_array_equal(built.dead_fraction, given.dead_fraction)
    assert built.loss == given.loss
