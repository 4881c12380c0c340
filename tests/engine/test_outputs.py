"""The output registry vs torch: forward, backward, the fused loss gradients, predictions, names."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.engine.losses import LOSSES
from core.engine.network import MLP
from core.engine.outputs import OUTPUTS, couples_outputs, get_output

TORCH = {"linear": lambda t: t, "sigmoid": torch.sigmoid, "softmax": lambda t: torch.softmax(t, 1)}
FUSED_REF = {
    "crossentropy": lambda Z, y: F.cross_entropy(Z, torch.tensor(y)),
    "binary_crossentropy": lambda Z, y: F.binary_cross_entropy_with_logits(Z, torch.tensor(y)),
}


def logits(seed=0, shape=(6, 3)):
    return np.random.default_rng(seed).normal(scale=3.0, size=shape)


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_forward_and_backward_equal_torch_autograd(name):
    out, Z = OUTPUTS[name], logits()
    dP = np.random.default_rng(1).normal(size=Z.shape)
    Zt = torch.tensor(Z, requires_grad=True)
    P = TORCH[name](Zt)
    P.backward(torch.tensor(dP))
    np.testing.assert_allclose(out.forward(Z), P.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(out.backward(out.forward(Z), dP), Zt.grad.numpy(), rtol=1e-9, atol=1e-14)
    if out.derivative is not None:  # element-wise: ∂a/∂z is a diagonal, its entries are g'(z)
        np.testing.assert_allclose(out.derivative(Z) * dP, Zt.grad.numpy(), rtol=1e-9, atol=1e-14)
    assert couples_outputs(name) == (out.derivative is None) and out.latex.startswith((r"\hat{y}", r"\mathrm{softmax}"))


@pytest.mark.parametrize("name,loss", [(n, l) for n, o in sorted(OUTPUTS.items()) for l in sorted(o.fused)])
def test_fused_loss_gradient_from_the_logits_equals_torch(name, loss):
    out, Z = OUTPUTS[name], logits(2)
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, size=6) if LOSSES[loss].targets == "labels" else rng.integers(0, 2, size=Z.shape).astype(float)
    Zt = torch.tensor(Z, requires_grad=True)
    ref = FUSED_REF[loss](Zt, y)
    ref.backward()
    value, dP, dZ = out.fused[loss](Z, out.forward(Z), y, 0.0)
    assert value == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(dZ, Zt.grad.numpy(), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(out.backward(out.forward(Z), dP), dZ, rtol=1e-6, atol=1e-12)  # the chain agrees
    assert LOSSES[loss].output == name  # a fused loss is the one that needs this output


def test_predictions_and_classification_flag():
    Z = logits(4)
    np.testing.assert_array_equal(OUTPUTS["softmax"].predict(OUTPUTS["softmax"].forward(Z)), Z.argmax(axis=1))
    P = OUTPUTS["sigmoid"].forward(Z[:, :1])
    np.testing.assert_array_equal(OUTPUTS["sigmoid"].predict(P), (Z[:, 0] > 0).astype(int))
    np.testing.assert_array_equal(OUTPUTS["linear"].predict(Z), Z)
    assert [o.classifies for o in OUTPUTS.values()] == [False, True, True]


def test_names_aliases_and_errors():
    assert get_output("none") is OUTPUTS["linear"] and MLP([2, 1], output="none").output == "linear"
    assert not couples_outputs("tanh") and couples_outputs("softmax")
    with pytest.raises(ValueError, match="valid: linear, sigmoid, softmax"):
        get_output("tanh")


def test_loss_targets_decide_target_shaping():
    X = np.random.default_rng(5).normal(size=(4, 2))
    soft, sig = MLP([2, 3], output="softmax", seed=0), MLP([2, 1], output="sigmoid", seed=0)
    # labels: one integer per row, floats that are whole numbers accepted
    assert soft.loss_and_grads(X, np.array([0.0, 2.0, 1.0, 1.0]), "crossentropy")[0] == pytest.approx(
        soft.loss_and_grads(X, np.array([0, 2, 1, 1]), "crossentropy")[0])
    with pytest.raises(ValueError, match="one integer class per sample"):
        soft.loss_and_grads(X, np.eye(3)[[0, 2, 1, 1]], "crossentropy")
    # probabilities / values: shaped like the output, a single output may take a flat vector
    assert sig.loss_and_grads(X, np.array([0.0, 1, 1, 0]), "binary_crossentropy")[0] == pytest.approx(
        sig.loss_and_grads(X, np.array([[0.0], [1], [1], [0]]), "binary_crossentropy")[0])
    assert {l.targets for l in LOSSES.values()} == {"labels", "probabilities", "values"}
