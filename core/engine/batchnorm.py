"""Batch normalization of a pre-activation Z (n, m), like torch's ``nn.BatchNorm1d``, backward beside forward.

Training: x̂ = (Z − μ_B)/√(σ²_B + ε) with the batch mean μ_B and biased variance σ²_B, output γ⊙x̂ + β,
and the running estimates move by r ← (1 − momentum)·r + momentum·batch value (the running variance uses
the unbiased batch variance, n/(n−1)·σ²_B). Eval: the running estimates replace μ_B and σ²_B.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Array = np.ndarray

MOMENTUM = 0.1
EPS = 1e-5

LATEX = (r"\hat{z}_{ij} = \frac{z_{ij} - \mu_j}{\sqrt{\sigma_j^2 + \epsilon}},\quad "
         r"\mathrm{BN}(z)_{ij} = \gamma_j\,\hat{z}_{ij} + \beta_j")


@dataclass
class RunningStats:
    """Running mean (m,) and variance (m,) of one layer, for eval mode; starts at 0 and 1 like torch."""

    mean: Array
    var: Array
    momentum: float = MOMENTUM
    eps: float = EPS

    @classmethod
    def fresh(cls, m: int) -> RunningStats:
        """Mean 0, variance 1 for m units."""
        return cls(np.zeros(m), np.ones(m))

    def copy(self) -> RunningStats:
        """An independent copy."""
        return RunningStats(self.mean.copy(), self.var.copy(), self.momentum, self.eps)

    def update(self, mu: Array, var: Array, n: int) -> None:
        """r ← (1 − momentum)·r + momentum·(μ_B, n/(n−1)·σ²_B), in place."""
        self.mean *= 1.0 - self.momentum
        self.mean += self.momentum * mu
        self.var *= 1.0 - self.momentum
        self.var += self.momentum * var * (n / (n - 1))


@dataclass(frozen=True)
class BNCache:
    """What the backward pass needs: x̂ (n, m), 1/√(σ² + ε) (m,), and the output γ⊙x̂ + β (n, m)."""

    x_hat: Array
    inv_std: Array
    out: Array


def batchnorm_forward(Z: Array, gamma: Array, beta: Array, stats: RunningStats | None = None,
                      train: bool = True) -> BNCache:
    """γ⊙(Z − μ)/√(σ² + ε) + β with batch statistics (train, updating ``stats``) or the running ones (eval)."""
    if train:
        n = Z.shape[0]
        if n < 2:
            raise ValueError("batch norm needs more than 1 sample per batch in training mode")
        mu = Z.mean(axis=0)  # (m,)
        var = Z.var(axis=0)  # (m,) biased
        if stats is not None:
            stats.update(mu, var, n)
        eps = EPS if stats is None else stats.eps
    else:
        if stats is None:
            raise ValueError("eval-mode batch norm needs running statistics")
        mu, var, eps = stats.mean, stats.var, stats.eps
    inv_std = 1.0 / np.sqrt(var + eps)  # (m,)
    x_hat = (Z - mu) * inv_std  # (n, m)
    return BNCache(x_hat, inv_std, x_hat * gamma + beta)


def batchnorm_backward(dY: Array, cache: BNCache, gamma: Array) -> tuple[Array, Array, Array]:
    """(dZ, dγ, dβ) for training mode: dZ = (1/√(σ²+ε))/n·(n·dx̂ − Σdx̂ − x̂·Σ(dx̂⊙x̂)), dx̂ = dY⊙γ."""
    n = dY.shape[0]
    d_gamma = np.sum(dY * cache.x_hat, axis=0)  # (m,)
    d_beta = dY.sum(axis=0)  # (m,)
    dx_hat = dY * gamma  # (n, m)
    dZ = n * dx_hat - dx_hat.sum(axis=0) - cache.x_hat * np.sum(dx_hat * cache.x_hat, axis=0)
    dZ *= cache.inv_std / n
    return dZ, d_gamma, d_beta


def batchnorm_eval_backward(dY: Array, cache: BNCache, gamma: Array) -> tuple[Array, Array, Array]:
    """(dZ, dγ, dβ) for eval mode, where μ and σ² are constants: dZ = dY⊙γ/√(σ²+ε)."""
    return dY * (gamma * cache.inv_std), np.sum(dY * cache.x_hat, axis=0), dY.sum(axis=0)
