"""Logistic regression drawn as one neuron: ŷ = σ(w₁x₁ + w₂x₂ + b), computed with the engine."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.datasets import grid_2d
from core.engine.network import MLP


@dataclass(frozen=True)
class NeuronView:
    """What the home page draws: the probability over a grid, and how well the weights fit the data."""

    xs: np.ndarray  # (r,)
    ys: np.ndarray  # (r,)
    P: np.ndarray  # (r, r) P(class 1) on the grid, rows follow ys
    p: np.ndarray  # (n,) P(class 1) for each sample
    log_loss: float
    accuracy: float


def neuron(w: tuple[float, float], b: float) -> MLP:
    """A 2-input sigmoid neuron as a network with no hidden layer: W (2, 1), b (1,)."""
    W = np.asarray(w, dtype=np.float64).reshape(2, 1)
    return MLP.from_params([W, np.array([float(b)])], activation="linear", output="sigmoid")


def evaluate_neuron(X: np.ndarray, y: np.ndarray, w: tuple[float, float], b: float, resolution: int = 60) -> NeuronView:
    """Probabilities σ(Xw + b) on the data and on a grid; log loss −mean(y log p + (1−y) log(1−p)) and accuracy."""
    net = neuron(w, b)
    xs, ys, grid = grid_2d(X, resolution)
    P = net.forward(grid).reshape(len(ys), len(xs))
    Y = np.asarray(y, dtype=np.float64).reshape(-1, 1)  # (n, 1)
    log_loss, _ = net.loss_and_grads(X, Y, "binary_crossentropy")
    p = net.forward(X)[:, 0]
    return NeuronView(xs, ys, P, p, float(log_loss), float(np.mean((p >= 0.5) == (y == 1))))


def fit_neuron(X: np.ndarray, y: np.ndarray, steps: int = 300, lr: float = 0.1, seed: int = 0) -> tuple[tuple[float, float], float]:
    """Weights and bias found by Adam on the log loss, starting from zero."""
    from core.engine.train import train

    net = neuron((0.0, 0.0), 0.0)
    train(net, X, np.asarray(y, dtype=np.float64).reshape(-1, 1), "binary_crossentropy", optimizer="adam", steps=steps, lr=lr, seed=seed)
    W, b = net.params
    return (float(W[0, 0]), float(W[1, 0])), float(b[0])
