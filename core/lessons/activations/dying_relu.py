"""Dying ReLU: train the same small net with ReLU and leaky ReLU and count the units that switched off.

A hidden unit is *inactive* when its pre-activation z ≤ 0 for every training sample. Under ReLU such a
unit outputs 0 and gets a zero gradient, so nothing can revive it (it is dead); under leaky ReLU it
still passes 0.01·z and a gradient 0.01·∂L/∂a, so training can bring it back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.engine.datasets import make_dataset
from core.engine.network import MLP
from core.engine.train import train


@dataclass(frozen=True)
class DyingConfig:
    """One experiment: data, net shape, optimizer, learning rate η and the shift added to every hidden bias."""

    optimizer: str = "adam"
    lr: float = 0.05
    bias_shift: float = -3.0
    steps: int = 200
    hidden: tuple[int, ...] = (32, 32)
    data: str = "spiral"
    noise: float = 0.05
    n_samples: int = 200
    init: str = "he_normal"
    seed: int = 0


@dataclass(frozen=True)
class DyingRun:
    """Per-step record of one training run."""

    activation: str
    inactive: np.ndarray  # (steps_taken + 1,) inactive fraction before training and after every step
    losses: np.ndarray  # (steps_taken,) training loss at each step
    accuracy: float  # training accuracy at the end
    status: str  # the engine's History.status ("completed", "diverged at step k")


def inactive_fraction(net: MLP, X: np.ndarray) -> float:
    """Fraction of all hidden units with z ≤ 0 for every row of X: dead_fraction(max(0, Z)) over the hidden layers."""
    A, inactive, units = np.asarray(X, dtype=np.float64), 0, 0
    for W, b in zip(net.W[:-1], net.b[:-1]):  # hidden layers only: the output layer cannot be inactive
        Z = A @ W + b  # (n, width)
        inactive += int(np.count_nonzero(np.all(Z <= 0.0, axis=0)))  # NaN is not ≤ 0: a NaN unit is not dead
        units += Z.shape[1]
        A = net.act.forward(Z)
    return inactive / units


def toy_data(config: DyingConfig) -> tuple[np.ndarray, np.ndarray]:
    """The experiment's data set, standardised per feature: X (n, 2), y (n,)."""
    X, y = make_dataset(config.data, n=config.n_samples, noise=config.noise, seed=config.seed)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def dying_run(config: DyingConfig, activation: str) -> DyingRun:
    """Train [2, *hidden, 2] (softmax, cross-entropy, full batch) with hidden biases shifted by bias_shift."""
    if activation not in ("relu", "leaky_relu"):
        raise ValueError(f"activation must be 'relu' or 'leaky_relu', got {activation!r}")
    if config.steps < 1:
        raise ValueError(f"steps must be at least 1, got {config.steps}")
    X, y = toy_data(config)
    net = MLP([2, *config.hidden, 2], activation=activation, output="softmax", init=config.init, seed=config.seed)
    for b in net.b[:-1]:
        b += config.bias_shift
    inactive = [inactive_fraction(net, X)]

    def record(step: int, loss: float, mlp: MLP) -> None:
        inactive.append(inactive_fraction(mlp, X))

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        history = train(net, X, y, "crossentropy", optimizer=config.optimizer, steps=config.steps, lr=config.lr,
                        seed=config.seed, callback=record)
        accuracy = float(np.mean(net.predict(X) == y)) if not history.diverged else float("nan")
    return DyingRun(activation, np.array(inactive), np.array(history.losses), accuracy, history.status)


def dying_relu(config: DyingConfig, activations: Sequence[str] = ("relu", "leaky_relu")) -> list[DyingRun]:
    """The same experiment (same data, init seed and shift) once per activation."""
    return [dying_run(config, a) for a in activations]
