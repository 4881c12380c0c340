"""L1 and L2 penalties: gradients vs central differences and vs torch autograd of the explicit penalty."""

import numpy as np
import pytest
import torch

from core.engine.regularizers import REGULARIZERS, get_regularizer

TORCH_PENALTY = {
    "none": lambda Ws, lam: torch.zeros((), dtype=torch.float64),
    "L1": lambda Ws, lam: lam * sum(W.abs().sum() for W in Ws),
    "L2": lambda Ws, lam: 0.5 * lam * sum((W**2).sum() for W in Ws),
}


def weights(seed=0):
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(size=(3, 4)), rng.normal(size=(4, 2))]
    Ws[0][0, 0] = 0.0  # the kink of |w|: torch's subgradient is 0 there
    return Ws


@pytest.mark.parametrize("name", sorted(REGULARIZERS))
@pytest.mark.parametrize("lam", [0.0, 0.01, 0.7])
def test_penalty_and_gradient_equal_torch_autograd(name, lam):
    reg, Ws = REGULARIZERS[name], weights()
    Wt = [torch.tensor(W, requires_grad=True) for W in Ws]
    ref = TORCH_PENALTY[name](Wt, lam)
    if ref.requires_grad:
        ref.backward()
    assert reg.penalty(Ws, lam) == pytest.approx(ref.item(), rel=1e-12, abs=1e-15)
    for g, t in zip(reg.grad(Ws, lam), Wt):
        np.testing.assert_allclose(g, np.zeros_like(g) if t.grad is None else t.grad.numpy(), rtol=1e-12, atol=0)
    assert reg.latex and reg.grad_latex and reg.label


@pytest.mark.parametrize("name", sorted(REGULARIZERS))
def test_gradient_vs_central_differences(name):
    reg, Ws, lam, h = REGULARIZERS[name], weights(1), 0.3, 1e-6
    for l, W in enumerate(Ws):
        numeric = np.zeros_like(W)
        for i in np.ndindex(W.shape):
            old = W[i]
            W[i] = old + h
            up = reg.penalty(Ws, lam)
            W[i] = old - h
            down = reg.penalty(Ws, lam)
            W[i] = old
            numeric[i] = (up - down) / (2 * h)
        mask = np.abs(W) > 1e-3  # away from L1's kink, where a central difference sees the average slope 0
        np.testing.assert_allclose(reg.grad(Ws, lam)[l][mask], numeric[mask], rtol=1e-6, atol=1e-9)


def test_l1_subgradient_is_zero_at_zero_and_unknown_name():
    assert REGULARIZERS["L1"].grad([np.zeros((2, 2))], 1.0)[0].tolist() == [[0.0, 0.0], [0.0, 0.0]]
    with pytest.raises(ValueError, match="valid: none, L1, L2"):
        get_regularizer("L3")
