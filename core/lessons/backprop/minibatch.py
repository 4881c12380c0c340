"""A small batch for the walk-through network: tensor-form forward pass, per-sample gradients, k SGD steps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.losses import get_loss
from core.engine.network import MLP
from core.engine.train import train
from core.lessons.backprop.walkthrough import weight_names

Array = np.ndarray
REDUCTIONS = ("mean", "sum")


def make_batch(x, y, n: int, loss: str, seed: int = 0) -> tuple[Array, Array]:
    """The walk-through sample as row 1, then n − 1 random samples (2 decimals); targets fit the loss."""
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if not 1 <= n <= 16:
        raise ValueError(f"batch size must be in 1–16, got {n}")
    rng = np.random.default_rng(seed)
    spec = get_loss(loss)
    X = np.round(rng.uniform(0.0, 1.0, size=(n, x.size)), 2)  # (n, n_in)
    if spec.targets == "probabilities":  # yes/no targets
        Y = rng.integers(0, 2, size=(n, y.size)).astype(np.float64)
    elif spec.targets == "labels":  # a class per row, as a one-hot row
        Y = np.eye(y.size)[rng.integers(0, y.size, size=n)]
    else:
        Y = np.round(rng.uniform(0.0, 1.0, size=(n, y.size)), 2)  # (n, n_out)
    X[0], Y[0] = x, y
    return X, Y


def engine_targets(loss: str, Y: Array) -> Array:
    """Rows of target values as the engine wants them: class labels (argmax of each row) for a loss on labels."""
    return Y.argmax(axis=1) if get_loss(loss).targets == "labels" else Y


@dataclass(frozen=True)
class LayerOps:
    """Z = A·W + 1·bᵀ for one layer, then A' = f(Z) element-wise; all (n, ·) arrays from the engine."""

    A_in: Array  # (n, fan_in)
    W: Array  # (fan_in, fan_out)
    AW: Array  # (n, fan_out)
    B: Array  # (n, fan_out): b repeated on every row (broadcasting)
    Z: Array  # (n, fan_out)
    A_out: Array  # (n, fan_out)
    activation: str


def tensor_ops(params, X, activation: str, output: str) -> list[LayerOps]:
    """The forward pass of a batch as tensor operations, layer by layer."""
    net = MLP.from_params(params, activation, output)
    cache = net.forward_cache(X)
    ops = []
    for l in range(net.n_layers):
        W, b = net.W[l], net.b[l]
        f = activation if l < net.n_layers - 1 else output
        ops.append(LayerOps(cache.A[l], W, cache.A[l] @ W, np.broadcast_to(b, cache.Z[l].shape), cache.Z[l],
                            cache.A[l + 1], f))
    return ops


@dataclass(frozen=True)
class BatchGradients:
    """∂L(x_s, y_s)/∂θ per sample s and parameter θ, their sum and mean, and the engine's batch gradient."""

    names: tuple[str, ...]  # per layer: w's in the walk-through's numbering, then b_<unit>
    per_sample: Array  # (n_params, n)
    batch: Array  # (n_params,) backward on the whole batch: the engine's mean reduction
    losses: Array  # (n,) per-sample losses

    @property
    def total(self) -> Array:
        """Σ_s ∂L(x_s, y_s)/∂θ."""
        return self.per_sample.sum(axis=1)

    @property
    def mean(self) -> Array:
        """(1/n) Σ_s ∂L(x_s, y_s)/∂θ."""
        return self.per_sample.mean(axis=1)


def _flat_names(layer_sizes, unit_names) -> list[str]:
    names = []
    for l, W in enumerate(weight_names(layer_sizes)):
        names += list(W.T.ravel())  # by receiving unit, then sending unit: w1, w2, w3, ...
        names += [f"b_{u}" for u in unit_names[l + 1]]
    return names


def _flat(grads: list[Array]) -> Array:
    """[dW1, db1, ...] as one vector in the order of ``_flat_names``."""
    return np.concatenate([(g.T if g.ndim == 2 else g).ravel() for g in grads])


def batch_gradients(params, X, Y, activation: str, output: str, loss: str, unit_names) -> BatchGradients:
    """Per-sample gradients from backward on each row alone, next to backward on the whole batch."""
    net = MLP.from_params(params, activation, output)
    T = engine_targets(loss, Y)
    cols, losses = [], []
    for s in range(X.shape[0]):
        value, grads = net.loss_and_grads(X[s : s + 1], T[s : s + 1], loss)
        cols.append(_flat(grads))
        losses.append(value)
    _, grads = net.loss_and_grads(X, T, loss)
    return BatchGradients(tuple(_flat_names(net.layer_sizes, unit_names)), np.stack(cols, axis=1),
                          _flat(grads), np.array(losses))


def train_curve(params, X, Y, activation: str, output: str, loss: str, eta: float, steps: int,
                reduction: str = "mean") -> tuple[Array, float]:
    """Full-batch SGD for k steps; 'sum' adds the per-sample gradients (the same as η·n on the mean).

    Returns the loss before each step and the loss after the last one (the engine's mean loss).
    """
    if reduction not in REDUCTIONS:
        raise ValueError(f"unknown reduction {reduction!r}; valid: {', '.join(REDUCTIONS)}")
    net = MLP.from_params(params, activation, output)
    lr = eta * (X.shape[0] if reduction == "sum" else 1.0)
    history = train(net, X, engine_targets(loss, Y), loss, optimizer="sgd", steps=int(steps), lr=lr)
    return np.array(history.losses), float(history.final_loss)
