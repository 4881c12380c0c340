"""Inverted dropout vs torch's nn.Dropout given the same mask; eval is the identity; backward uses the mask."""

import numpy as np
import pytest
import torch

from core.engine.dropout import dropout_backward, dropout_forward, dropout_mask


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_same_mask_gives_torch_forward_and_backward(p):
    rng = np.random.default_rng(0)
    A, dOut = rng.normal(size=(20, 7)), rng.normal(size=(20, 7))
    mask = dropout_mask(A.shape, p, np.random.default_rng(1))
    assert set(np.unique(mask)) <= {0.0, 1.0 / (1.0 - p)} and (mask == 0).any()
    out = dropout_forward(A, mask)
    # torch's nn.Dropout(p) computes A * bernoulli(1 − p) / (1 − p): the same mask reproduces it
    torch.manual_seed(0)
    drop = torch.nn.Dropout(p).train()
    At = torch.tensor(A, requires_grad=True)
    ref = drop(At)
    keep = (ref.detach() != 0) | (At.detach() == 0)
    np.testing.assert_allclose(ref.detach().numpy(), A * keep.numpy() / (1 - p), rtol=1e-15)
    tmask = torch.tensor(mask)
    At2 = torch.tensor(A, requires_grad=True)
    torch_out = At2 * tmask  # nn.Dropout's own formula with our mask
    torch_out.backward(torch.tensor(dOut))
    np.testing.assert_allclose(out, torch_out.detach().numpy(), rtol=1e-15)
    np.testing.assert_allclose(dropout_backward(dOut, mask), At2.grad.numpy(), rtol=1e-15)
    np.testing.assert_array_equal(dropout_backward(dOut, mask)[mask == 0], 0.0)


def test_eval_is_identity_like_torch():
    A = np.random.default_rng(2).normal(size=(5, 3))
    assert dropout_forward(A, None) is A
    np.testing.assert_array_equal(torch.nn.Dropout(0.5).eval()(torch.tensor(A)).numpy(), A)


def test_keep_rate_and_expected_activation():
    mask = dropout_mask((200_000,), 0.3, np.random.default_rng(3))
    assert (mask > 0).mean() == pytest.approx(0.7, abs=0.005)
    assert mask.mean() == pytest.approx(1.0, abs=0.01)  # E[mask·a] = a


def test_bad_input():
    with pytest.raises(ValueError, match="rng"):
        dropout_mask((2, 2), 0.5, None)
