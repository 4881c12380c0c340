"""Losses vs torch.nn (values and autograd gradients) and central differences."""

import numpy as np
import pytest
import torch

from core.engine.losses import (
    LOSSES,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    get_loss,
    half_sse,
    mse,
    softmax_cross_entropy,
)


def torch_loss_and_grad(module, inp, target):
    t = torch.tensor(inp, dtype=torch.float64, requires_grad=True)
    out = module(t, torch.as_tensor(target))
    (g,) = torch.autograd.grad(out, t)
    return out.item(), g.numpy()


def central_diff(f, x, h=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        g[i] = (f(xp) - f(xm)) / (2 * h)
    return g


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.3])
@pytest.mark.parametrize("shape", [(1, 2), (7, 3), (16, 10)])
def test_softmax_cross_entropy_matches_torch(smoothing, shape):
    rng = np.random.default_rng(0)
    logits = rng.normal(size=shape) * 3
    y = rng.integers(0, shape[1], size=shape[0])
    loss, dZ = softmax_cross_entropy(logits, y, label_smoothing=smoothing)
    ref_loss, ref_grad = torch_loss_and_grad(
        torch.nn.CrossEntropyLoss(label_smoothing=smoothing), logits, torch.tensor(y)
    )
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(dZ, ref_grad, rtol=1e-10, atol=1e-15)
    numeric = central_diff(lambda z: softmax_cross_entropy(z, y, smoothing)[0], logits)
    np.testing.assert_allclose(dZ, numeric, rtol=1e-5, atol=1e-9)


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1000.0, 0.0, -1000.0], [-800.0, 800.0, 0.0]])
    y = np.array([2, 1])
    loss, dZ = softmax_cross_entropy(logits, y)
    ref_loss, ref_grad = torch_loss_and_grad(torch.nn.CrossEntropyLoss(), logits, torch.tensor(y))
    assert np.isfinite(loss) and loss == pytest.approx(ref_loss)
    np.testing.assert_allclose(dZ, ref_grad, atol=1e-15)


@pytest.mark.parametrize("shape", [(5,), (6, 1), (4, 3)])
def test_mse_matches_torch(shape):
    rng = np.random.default_rng(1)
    y_hat, y = rng.normal(size=shape), rng.normal(size=shape)
    loss, d = mse(y_hat, y)
    ref_loss, ref_grad = torch_loss_and_grad(torch.nn.MSELoss(), y_hat, torch.tensor(y))
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(d, ref_grad, rtol=1e-12)
    np.testing.assert_allclose(d, central_diff(lambda v: mse(v, y)[0], y_hat), rtol=1e-6)


@pytest.mark.parametrize("shape", [(1, 2), (6, 1), (4, 3)])
def test_half_sse_vs_torch_and_definition(shape):
    rng = np.random.default_rng(2)
    y_hat, y = rng.normal(size=shape), rng.normal(size=shape)
    loss, d = half_sse(y_hat, y)
    sum_sse = lambda a, b: 0.5 * torch.nn.functional.mse_loss(a, b, reduction="sum") / shape[0]  # noqa: E731
    ref_loss, ref_grad = torch_loss_and_grad(sum_sse, y_hat, torch.tensor(y))
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(d, ref_grad, rtol=1e-12)
    np.testing.assert_allclose(d, central_diff(lambda v: half_sse(v, y)[0], y_hat), rtol=1e-6)
    # with one sample and 2 outputs it is Mazur's E_total = Σ ½(target − out)²
    if shape == (1, 2):
        assert loss == pytest.approx(0.5 * ((y - y_hat) ** 2).sum())


def test_half_sse_mazur_outputs():
    loss, _ = half_sse(np.array([[0.75136507, 0.772928465]]), np.array([[0.01, 0.99]]))
    assert loss == pytest.approx(0.298371109, abs=1e-9)


@pytest.mark.parametrize("shape", [(8,), (5, 1), (4, 3)])
def test_bce_matches_torch(shape):
    rng = np.random.default_rng(3)
    p = rng.uniform(0.01, 0.99, size=shape)
    y = rng.uniform(0, 1, size=shape).round()  # hard labels
    y.flat[0] = 0.3  # soft labels are allowed too
    loss, d = binary_cross_entropy(p, y)
    ref_loss, ref_grad = torch_loss_and_grad(torch.nn.BCELoss(), p, torch.tensor(y))
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(d, ref_grad, rtol=1e-12)
    np.testing.assert_allclose(d, central_diff(lambda v: binary_cross_entropy(v, y)[0], p), rtol=1e-5)


def test_bce_clamps_logs_like_torch():
    p = np.array([0.0, 1.0, 0.0, 1.0, 1e-50])
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    loss, d = binary_cross_entropy(p, y)
    ref_loss, ref_grad = torch_loss_and_grad(torch.nn.BCELoss(), p, torch.tensor(y))
    assert loss == pytest.approx(ref_loss)  # log(0) clamped at −100
    np.testing.assert_allclose(d, ref_grad, rtol=1e-12)


def test_bce_with_logits_matches_torch():
    rng = np.random.default_rng(4)
    z = rng.normal(size=(6, 2)) * 4
    z[0, 0], z[1, 1] = 800.0, -800.0
    y = rng.integers(0, 2, size=(6, 2)).astype(float)
    loss, dz = binary_cross_entropy_with_logits(z, y)
    ref_loss, ref_grad = torch_loss_and_grad(torch.nn.BCEWithLogitsLoss(), z, torch.tensor(y))
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(dz, ref_grad, rtol=1e-12, atol=1e-17)


def test_registry():
    assert set(LOSSES) == {"mse", "half_sse", "binary_crossentropy", "crossentropy"}
    for name, entry in LOSSES.items():
        assert entry.name == name and entry.latex.startswith(r"\mathcal{L}")
    assert LOSSES["crossentropy"].fn is softmax_cross_entropy and LOSSES["crossentropy"].output == "softmax"
    with pytest.raises(ValueError, match="valid: mse, half_sse, binary_crossentropy, crossentropy"):
        get_loss("hinge")


def test_bad_input():
    with pytest.raises(ValueError, match="shape"):
        mse(np.zeros((3, 1)), np.zeros(3))
    with pytest.raises(ValueError, match="shape"):
        half_sse(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        binary_cross_entropy(np.array([1.2]), np.array([1.0]))
    with pytest.raises(ValueError, match="n_samples, n_classes"):
        softmax_cross_entropy(np.zeros(3), np.array([0]))
    with pytest.raises(ValueError, match="shape \\(2,\\)"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([[0], [1]]))
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="integer"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="label_smoothing"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1]), label_smoothing=1.5)
