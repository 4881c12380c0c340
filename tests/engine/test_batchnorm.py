"""Batch norm vs torch's nn.BatchNorm1d in float64: outputs, gradients, running statistics, eval mode."""

import numpy as np
import pytest
import torch

from core.engine.batchnorm import RunningStats, batchnorm_backward, batchnorm_eval_backward, batchnorm_forward

TOL = dict(rtol=1e-6, atol=1e-6)


def torch_bn(m, gamma, beta):
    bn = torch.nn.BatchNorm1d(m, dtype=torch.float64)
    with torch.no_grad():
        bn.weight.copy_(torch.tensor(gamma))
        bn.bias.copy_(torch.tensor(beta))
    return bn


def data(n, m, seed):
    rng = np.random.default_rng(seed)
    Z = rng.normal(loc=rng.normal(size=m) * 3, scale=rng.uniform(0.1, 4, size=m), size=(n, m))
    return Z, rng.uniform(0.5, 2.0, size=m), rng.normal(size=m), rng.normal(size=(n, m))


@pytest.mark.parametrize("n,m,seed", [(2, 1, 0), (5, 3, 1), (32, 7, 2), (128, 16, 3)])
def test_training_forward_and_backward_equal_torch(n, m, seed):
    Z, gamma, beta, dY = data(n, m, seed)
    stats = RunningStats.fresh(m)
    cache = batchnorm_forward(Z, gamma, beta, stats, train=True)
    dZ, dgamma, dbeta = batchnorm_backward(dY, cache, gamma)
    bn = torch_bn(m, gamma, beta).train()
    Zt = torch.tensor(Z, requires_grad=True)
    out = bn(Zt)
    out.backward(torch.tensor(dY))
    np.testing.assert_allclose(cache.out, out.detach().numpy(), **TOL)
    np.testing.assert_allclose(dZ, Zt.grad.numpy(), **TOL)
    np.testing.assert_allclose(dgamma, bn.weight.grad.numpy(), **TOL)
    np.testing.assert_allclose(dbeta, bn.bias.grad.numpy(), **TOL)
    np.testing.assert_allclose(stats.mean, bn.running_mean.numpy(), **TOL)
    np.testing.assert_allclose(stats.var, bn.running_var.numpy(), **TOL)


@pytest.mark.parametrize("k", [1, 3, 10])
def test_running_statistics_after_k_steps_and_eval_mode_equal_torch(k):
    m = 4
    rng = np.random.default_rng(k)
    gamma, beta = rng.uniform(0.5, 2, size=m), rng.normal(size=m)
    stats = RunningStats.fresh(m)
    bn = torch_bn(m, gamma, beta).train()
    for _ in range(k):
        Z = rng.normal(loc=2.0, scale=3.0, size=(16, m))
        batchnorm_forward(Z, gamma, beta, stats, train=True)
        bn(torch.tensor(Z))
    np.testing.assert_allclose(stats.mean, bn.running_mean.numpy(), **TOL)
    np.testing.assert_allclose(stats.var, bn.running_var.numpy(), **TOL)
    assert not np.allclose(stats.mean, 0.0)  # they moved
    bn.eval()
    Z = rng.normal(size=(9, m))
    before = (stats.mean.copy(), stats.var.copy())
    cache = batchnorm_forward(Z, gamma, beta, stats, train=False)
    Zt = torch.tensor(Z, requires_grad=True)
    out = bn(Zt)
    dY = rng.normal(size=(9, m))
    out.backward(torch.tensor(dY))
    np.testing.assert_allclose(cache.out, out.detach().numpy(), **TOL)
    dZ, dgamma, dbeta = batchnorm_eval_backward(dY, cache, gamma)
    np.testing.assert_allclose(dZ, Zt.grad.numpy(), **TOL)
    np.testing.assert_allclose(dgamma, bn.weight.grad.numpy(), **TOL)
    np.testing.assert_allclose(dbeta, bn.bias.grad.numpy(), **TOL)
    np.testing.assert_array_equal(stats.mean, before[0])  # eval leaves the running statistics alone
    np.testing.assert_array_equal(stats.var, before[1])


def test_backward_vs_central_differences():
    Z, gamma, beta, dY = data(6, 3, 7)
    dZ, dgamma, dbeta = batchnorm_backward(dY, batchnorm_forward(Z, gamma, beta), gamma)
    h = 1e-6

    def L(Z, gamma, beta):
        return float(np.sum(batchnorm_forward(Z, gamma, beta).out * dY))

    for arr, grad in ((Z, dZ), (gamma, dgamma), (beta, dbeta)):
        numeric = np.zeros_like(arr)
        for i in np.ndindex(arr.shape):
            old = arr[i]
            arr[i] = old + h
            up = L(Z, gamma, beta)
            arr[i] = old - h
            down = L(Z, gamma, beta)
            arr[i] = old
            numeric[i] = (up - down) / (2 * h)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


def test_normalized_batch_has_zero_mean_unit_variance_and_bad_input():
    Z, gamma, beta, _ = data(50, 4, 9)
    x_hat = batchnorm_forward(Z, gamma, beta).x_hat
    np.testing.assert_allclose(x_hat.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(x_hat.var(axis=0), 1.0, rtol=1e-4)
    with pytest.raises(ValueError, match="more than 1 sample"):
        batchnorm_forward(Z[:1], gamma, beta)
    with pytest.raises(ValueError, match="running statistics"):
        batchnorm_forward(Z, gamma, beta, None, train=False)
