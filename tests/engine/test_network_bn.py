"""The MLP with batch norm, dropout and L1/L2 vs a torch model with the same weights, masks and batches."""

import numpy as np
import pytest
import torch

from core.engine.network import MLP
from core.engine.optim import OPTIMIZERS, make_optimizer
from tests.engine.torch_mlp import TorchTwin

TOL = dict(rtol=1e-6, atol=1e-9)
CASES = [  # (activation, output, loss, dropout, l1, l2)
    ("relu", "softmax", "crossentropy", 0.3, 0.01, 0.0),
    ("tanh", "sigmoid", "binary_crossentropy", 0.0, 0.005, 0.02),
    ("sigmoid", "linear", "mse", 0.5, 0.0, 0.1),
]


def data(sizes, loss, n=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, sizes[0]))
    if loss == "crossentropy":
        return X, rng.integers(0, sizes[-1], size=n)
    if loss == "binary_crossentropy":
        return X, rng.integers(0, 2, size=(n, sizes[-1])).astype(float)
    return X, rng.normal(size=(n, sizes[-1]))


def perturbed(net, seed=1):
    rng = np.random.default_rng(seed)
    for g, b, bt in zip(net.gamma, net.b, net.beta):  # γ, β, b away from their starting values
        g += rng.uniform(-0.5, 0.5, size=g.shape)
        bt += rng.normal(size=bt.shape) * 0.3
        b += rng.normal(size=b.shape) * 0.3
    return net


@pytest.mark.parametrize("activation,output,loss,p,l1,l2", CASES)
def test_whole_network_gradients_equal_torch(activation, output, loss, p, l1, l2):
    sizes = [4, 6, 5, 3]
    net = perturbed(MLP(sizes, activation, output, init="glorot_normal", seed=2, batchnorm=True))
    X, y = data(sizes, loss)
    twin = TorchTwin(net)  # before the forward pass: the running statistics start alike
    cache = net.forward_cache(X, dropout=p, rng=np.random.default_rng(3))
    bw = net.backward(cache, y, loss, l2=l2, l1=l1)
    ref = twin.loss(X, y, loss, cache.masks, l1, l2)
    ref.backward()
    assert bw.loss == pytest.approx(ref.item(), rel=1e-9)
    assert len(bw.grads) == len(net.params) == 4 + 4 + 2
    for g, t, p_ in zip(bw.grads, twin.params, net.params):
        assert g.shape == p_.shape
        np.testing.assert_allclose(g, t.grad.numpy(), **TOL)
    for s, (mean, var) in zip(net.stats, twin.running):  # one training forward moved both alike
        np.testing.assert_allclose(s.mean, mean.numpy(), **TOL)
        np.testing.assert_allclose(s.var, var.numpy(), **TOL)


@pytest.mark.parametrize("activation,output,loss,p,l1,l2", CASES)
def test_eval_mode_uses_running_statistics_and_no_dropout(activation, output, loss, p, l1, l2):
    sizes = [4, 6, 3]
    net = perturbed(MLP(sizes, activation, output, seed=4, batchnorm=True))
    X, y = data(sizes, loss, n=20, seed=5)
    for _ in range(3):  # move the running statistics
        net.forward_cache(X * 2 + 1, dropout=p, rng=np.random.default_rng(0))
    twin = TorchTwin(net)
    with torch.no_grad():
        _, P = twin.forward(X, train=False)
    np.testing.assert_allclose(net.forward(X), P.numpy(), **TOL)
    stats = [s.mean.copy() for s in net.stats]
    np.testing.assert_array_equal(net.forward(X), net.forward(X))  # deterministic: no dropout in eval
    assert all(np.array_equal(a, s.mean) for a, s in zip(stats, net.stats))  # eval never moves them
    value, grads = net.loss_and_grads(X, y, loss, l1=l1, l2=l2, train=False)
    ref = twin.loss(X, y, loss, None, l1, l2, train=False)
    ref.backward()
    assert value == pytest.approx(ref.item(), rel=1e-9) == pytest.approx(net.eval_loss(X, y, loss, l2, l1), rel=1e-12)
    for g, t in zip(grads, twin.params):
        np.testing.assert_allclose(g, t.grad.numpy(), **TOL)


def test_gradients_with_batchnorm_vs_central_differences():
    sizes = [3, 5, 4, 2]
    net = perturbed(MLP(sizes, "tanh", "softmax", seed=6, batchnorm=True))
    X, y = data(sizes, "crossentropy", n=8, seed=7)
    _, grads = net.loss_and_grads(X, y, "crossentropy", l2=0.01)
    theta0, h = net.get_flat(), 1e-6
    numeric = np.zeros_like(theta0)
    for i in range(theta0.size):
        for sign in (1, -1):
            theta = theta0.copy()
            theta[i] += sign * h
            net.set_flat(theta)
            numeric[i] += sign * net.loss_and_grads(X, y, "crossentropy", l2=0.01)[0] / (2 * h)
    net.set_flat(theta0)
    np.testing.assert_allclose(np.concatenate([g.ravel() for g in grads]), numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizers_step_gamma_and_beta_like_any_parameter(name):
    sizes = [3, 5, 2]
    net = MLP(sizes, "relu", "softmax", seed=8, batchnorm=True)
    X, y = data(sizes, "crossentropy", n=10, seed=9)
    twin = TorchTwin(net)
    opt = make_optimizer(name, net.params, lr=0.05)
    topt = {"sgd": lambda p: torch.optim.SGD(p, lr=0.05), "momentum": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
            "nesterov": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
            "adagrad": lambda p: torch.optim.Adagrad(p, lr=0.05), "rmsprop": lambda p: torch.optim.RMSprop(p, lr=0.05),
            "adam": lambda p: torch.optim.Adam(p, lr=0.05), "adamax": lambda p: torch.optim.Adamax(p, lr=0.05),
            "nadam": lambda p: torch.optim.NAdam(p, lr=0.05), "adamw": lambda p: torch.optim.AdamW(p, lr=0.05)}[name](twin.params)
    for _ in range(4):
        opt.step(net.loss_and_grads(X, y, "crossentropy")[1])
        topt.zero_grad()
        twin.loss(X, y, "crossentropy").backward()
        topt.step()
    assert not np.allclose(net.gamma[0], 1.0) and not np.allclose(net.beta[0], 0.0)
    for i, (p, t) in enumerate(zip(net.params, twin.params)):
        if i == 1:  # b before batch norm: BN subtracts the batch mean, so its gradient is 0 up to rounding,
            # which adaptive optimizers scale up to ~1e-8 steps on both sides; it stays at 0 all the same
            assert np.abs(p).max() < 1e-6 and np.abs(t.detach().numpy()).max() < 1e-6
            continue
        np.testing.assert_allclose(p, t.detach().numpy(), **TOL)


def test_layout_views_copy_and_without_batchnorm_nothing_changes():
    plain, bn = MLP([2, 4, 3, 1], seed=0), MLP([2, 4, 3, 1], seed=0, batchnorm=True)
    assert len(plain.params) == 6 and len(bn.params) == 10 and bn.weight_index == [0, 4, 8]
    for a, b in zip(plain.W + plain.b, bn.W + bn.b):
        np.testing.assert_array_equal(a, b)  # the same initial weights
    assert bn.W[1] is bn.params[4] and bn.gamma[1] is bn.params[6] and plain.gamma == []
    assert [g.tolist() for g in bn.gamma] == [[1.0] * 4, [1.0] * 3] and not any(b.any() for b in bn.beta)
    assert bn.layer_sizes == [2, 4, 3, 1] and bn.n_params == plain.n_params + 2 * (4 + 3)
    X = np.random.default_rng(0).normal(size=(5, 2))
    bn.forward_cache(X)
    clone = bn.copy()
    np.testing.assert_array_equal(clone.forward(X), bn.forward(X))
    clone.stats[0].mean += 1.0
    clone.params[2] += 1.0
    assert not np.array_equal(clone.stats[0].mean, bn.stats[0].mean) and not np.array_equal(clone.gamma[0], bn.gamma[0])
    rebuilt = MLP.from_params(bn.params, "relu", "linear", batchnorm=True)
    assert rebuilt.batchnorm and rebuilt.weight_index == [0, 4, 8]
    with pytest.raises(ValueError, match="non-empty list"):
        MLP.from_params(bn.params[:-1], batchnorm=True)
    with pytest.raises(ValueError, match="more than 1 sample"):
        bn.forward_cache(X[:1])
    assert bn.forward(X[:1]).shape == (1, 1)  # eval mode works on one sample


def test_output_alias_none_is_linear():
    assert MLP([2, 1], output="none").output == "linear"
