"""Activations vs torch.nn.functional (values and autograd derivatives) and central differences."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.engine.activations import ACTIVATIONS, get_activation, log_softmax, softmax, softmax_backward

TORCH = {
    "linear": lambda t: t * 1.0,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "leaky_relu": lambda t: F.leaky_relu(t, 0.01),
    "elu": lambda t: F.elu(t, alpha=1.0),
    "selu": F.selu,
    "gelu": lambda t: F.gelu(t, approximate="none"),
    "silu": F.silu,
    "softplus": F.softplus,
}

REQUIRED = set(TORCH)
# softplus: above z = 20 torch returns z itself (and derivative 1); the exact values differ by < 2e-9
ATOL = {name: 3e-9 if name == "softplus" else 1e-15 for name in TORCH}
# kinks, both zeros, tiny, moderate and huge magnitudes (overflow territory for naive exp)
Z_POINTS = np.concatenate(
    [
        [0.0, -0.0, 1e-12, -1e-12, 0.5, -0.5, 1.0, -1.0, 3.7, -3.7, 19.9, 20.5, -20.5, 37.0, -37.0],
        [100.0, -100.0, 750.0, -750.0, 1e4, -1e4],
        np.linspace(-8, 8, 161),
    ]
)


def torch_value_and_grad(name: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    out = TORCH[name](t)
    (g,) = torch.autograd.grad(out.sum(), t)
    return out.detach().numpy(), g.numpy()


def test_registry_has_required_keys():
    assert REQUIRED <= set(ACTIVATIONS)
    assert set(TORCH) == set(ACTIVATIONS)  # every entry is checked against torch below


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_forward_matches_torch(name):
    act = ACTIVATIONS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow / invalid warnings, even at |z| = 1e4
        ours = act.forward(Z_POINTS)
    ref, _ = torch_value_and_grad(name, Z_POINTS)
    assert ours.dtype == np.float64 and ours.shape == Z_POINTS.shape
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=ATOL[name])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_torch_autograd(name):
    act = ACTIVATIONS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = act.derivative(Z_POINTS)
    _, ref = torch_value_and_grad(name, Z_POINTS)
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=ATOL[name])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_at_kink_is_torchs_exactly(name):
    act = ACTIVATIONS[name]
    z = np.array([0.0, -0.0])
    _, ref = torch_value_and_grad(name, z)
    np.testing.assert_array_equal(act.derivative(z), ref)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_vs_central_differences(name):
    act = ACTIVATIONS[name]
    rng = np.random.default_rng(1)
    z = rng.uniform(-6, 6, size=400)
    z = z[np.all(np.abs(z[:, None] - np.array(act.kinks or [np.inf])) > 1e-3, axis=1)]
    h = 1e-6
    numeric = (act.forward(z + h) - act.forward(z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(z), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(n for n, a in ACTIVATIONS.items() if a.derivative_from_output))
def test_derivative_from_output_equals_derivative(name):
    act = ACTIVATIONS[name]
    np.testing.assert_allclose(act.derivative_from_output(act.forward(Z_POINTS)), act.derivative(Z_POINTS), rtol=1e-15, atol=0)


@pytest.mark.parametrize("name", sorted(n for n, a in ACTIVATIONS.items() if a.with_derivative))
def test_forward_with_derivative_is_forward_and_derivative_to_the_bit(name):
    act = ACTIVATIONS[name]
    z = np.concatenate([Z_POINTS, np.random.default_rng(0).normal(scale=5, size=200)])
    a, da = act.with_derivative(z)
    np.testing.assert_array_equal(a, act.forward(z))
    np.testing.assert_array_equal(da, act.derivative(z))


def test_a_training_pass_keeps_the_derivative_where_it_shares_work():
    assert {n for n, a in ACTIVATIONS.items() if a.with_derivative} >= {"gelu", "silu"}


def test_named_points():
    np.testing.assert_allclose(ACTIVATIONS["relu"].derivative(np.array([-1.0, 0.0, 1.0])), [0, 0, 1])
    np.testing.assert_allclose(ACTIVATIONS["leaky_relu"].forward(np.array([-2.0])), [-0.02])
    assert ACTIVATIONS["sigmoid"].forward(np.array([0.0]))[0] == 0.5
    assert ACTIVATIONS["relu"].kinks == (0.0,)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_entries_carry_latex_and_are_elementwise(name):
    act = ACTIVATIONS[name]
    assert act.name == name
    assert act.latex.startswith("f(z)") and act.derivative_latex.startswith("f'(z)")
    Z = np.linspace(-3, 3, 12).reshape(3, 4)
    np.testing.assert_array_equal(act.forward(Z), act.forward(Z.ravel()).reshape(3, 4))
    np.testing.assert_array_equal(act(Z), act.forward(Z))


def test_softmax_matches_torch_and_is_stable():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(5, 4)) * 3
    Z[0] += 1000.0  # would overflow without the max shift
    Z[1] -= 1000.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        S = softmax(Z)
    ref = torch.softmax(torch.tensor(Z), dim=1).numpy()
    np.testing.assert_allclose(S, ref, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(S.sum(axis=1), 1.0)
    np.testing.assert_allclose(log_softmax(Z), torch.log_softmax(torch.tensor(Z), dim=1).numpy(), atol=1e-12)


def test_softmax_backward_matches_autograd():
    rng = np.random.default_rng(2)
    Z, dS = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    t = torch.tensor(Z, requires_grad=True)
    (ref,) = torch.autograd.grad(torch.softmax(t, dim=1), t, grad_outputs=torch.tensor(dS))
    np.testing.assert_allclose(softmax_backward(softmax(Z), dS), ref.numpy(), atol=1e-14)


def test_softmax_rejects_1d():
    with pytest.raises(ValueError, match="2-D"):
        softmax(np.zeros(3))


def test_get_activation_unknown_lists_valid_names():
    assert get_activation("tanh") is ACTIVATIONS["tanh"]
    with pytest.raises(ValueError, match="valid: .*relu.*softplus"):
        get_activation("swishy")
