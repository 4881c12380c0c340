"""ReLU vs tanh decision regions on the lecture's moons, trained with L-BFGS like MLPClassifier(solver="lbfgs")."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

from core.engine.datasets import grid_2d
from core.engine.network import MLP
from core.engine.train import train_lbfgs

SKLEARN_ALPHA = 1e-4  # MLPClassifier's default L2 strength α; its penalty is α/(2n)·Σ‖W‖²
MAX_ITER = 200  # MLPClassifier's default max_iter
GTOL = 1e-4  # MLPClassifier's default tol, passed to L-BFGS as gtol


@dataclass(frozen=True)
class Split:
    """The lecture's data: make_moons(100, noise=0.25, random_state=3), stratified 75/25 split (random_state=42)."""

    X_train: np.ndarray  # (75, 2)
    X_test: np.ndarray  # (25, 2)
    y_train: np.ndarray  # (75,)
    y_test: np.ndarray  # (25,)


@dataclass(frozen=True)
class Boundary:
    """One trained classifier: its probability field over the grid, test accuracy and fit time."""

    activation: str
    n_layers: int
    xs: np.ndarray  # (r,)
    ys: np.ndarray  # (r,)
    P: np.ndarray  # P(class 1) on the grid, (r, r) rows = ys
    train_accuracy: float
    test_accuracy: float
    fit_seconds: float
    iterations: int


def lecture_moons() -> Split:
    """The moons data and split of the lecture's "ReLU vs Tanh" slide."""
    X, y = make_moons(n_samples=100, noise=0.25, random_state=3)
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=42)
    return Split(X_train, X_test, y_train, y_test)


def fit_boundary(activation: str, n_layers: int, *, seed: int = 0, resolution: int = 50) -> Boundary:
    """Train [2, 10·n_layers hidden, 1] (sigmoid output, BCE + sklearn's L2) with L-BFGS; evaluate on the test split."""
    if not 1 <= int(n_layers) <= 10:
        raise ValueError(f"n_layers must lie in [1, 10], got {n_layers}")
    split = lecture_moons()
    sizes = [2] + [10] * int(n_layers) + [1]
    # glorot_uniform is MLPClassifier's initialisation for relu and tanh
    net = MLP(sizes, activation=activation, output="sigmoid", init="glorot_uniform", seed=seed)
    l2 = SKLEARN_ALPHA / len(split.y_train)
    t0 = time.perf_counter()
    history = train_lbfgs(net, split.X_train, split.y_train.astype(np.float64), "binary_crossentropy",
                          max_iter=MAX_ITER, l2=l2, gtol=GTOL)
    fit_seconds = time.perf_counter() - t0
    X_all = np.r_[split.X_train, split.X_test]
    xs, ys, grid = grid_2d(X_all, resolution, margin=0.1)
    P = net.forward(grid)[:, 0].reshape(len(ys), len(xs))
    return Boundary(
        activation, int(n_layers), xs, ys, P,
        float(np.mean(net.predict(split.X_train) == split.y_train)),
        float(np.mean(net.predict(split.X_test) == split.y_test)),
        fit_seconds, history.steps,
    )
