"""The playground's data sets on the plane [−6, 6]², TensorFlow Playground's and this app's, keyed by the shown name.

Every generator ``make(n, noise, k, rng)`` returns X (n, 2) float64 and y (n,): integer classes for
classification (the same number of points in every class) or a target in [−1, 1] for regression.
``noise`` ∈ [0, 0.5] is TF Playground's noise share: jitter of the points relative to the picture.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.datasets import make_moons

Array = np.ndarray
R = 6.0  # the plane is [−R, R]²
DOMAIN = (-R, R)


@dataclass(frozen=True)
class Problem:
    """A problem type: the output layer, the losses that fit it, and whether targets are classes."""

    name: str
    output: str
    losses: tuple[str, ...]  # engine loss names, the first is the default
    classes: bool
    latex: str  # the output layer's formula
    many: bool = False  # k classes, k from the Classes control

    def n_classes(self, k: int) -> int:
        """Classes of this problem when the Classes control says k; 0 for regression."""
        return k if self.many else (2 if self.classes else 0)


PROBLEMS: dict[str, Problem] = {
    p.name: p
    for p in (
        Problem("classification", "sigmoid", ("binary_crossentropy", "mse"), True, r"\hat{y} = \sigma(z)"),
        Problem("regression", "linear", ("mse", "half_sse"), False, r"\hat{y} = z"),
        Problem("multiclass", "softmax", ("crossentropy",), True, r"\hat{y}_k = \mathrm{softmax}(\mathbf{z})_k",
                many=True),
    )
}


@dataclass(frozen=True)
class DataSet:
    """A generator make(n, noise, k, rng) -> (X (n, 2), y (n,)) for one problem type."""

    name: str
    problem: str
    make: Callable[[int, float, int, np.random.Generator], tuple[Array, Array]]
    description: str


def _per_class(n: int, k: int) -> int:
    return max(1, n // k)


def _labels(m: int, k: int) -> Array:
    return np.repeat(np.arange(k), m)  # (k·m,) balanced classes


def _polar(r: Array, t: Array) -> Array:
    return np.c_[r * np.cos(t), r * np.sin(t)]


def _circle(n: int, noise: float, k: int, rng: np.random.Generator) -> tuple[Array, Array]:
    m = _per_class(n, 2)
    outer = _polar(rng.uniform(3.5, 5.0, m), rng.uniform(0, 2 * np.pi, m))  # class 0
    inner = _polar(rng.uniform(0, 2.5, m), rng.uniform(0, 2 * np.pi, m))  # class 1
    X = np.r_[outer, inner] + noise * rng.uniform(-5, 5, (2 * m, 2))
    return X, _labels(m, 2)


def _xor(n: int, noise: float, k: int, rng: np.random.Generator) -> tuple[Array, Array]:
    m = _per_class(n, 2)
    parts = []
    for same in (False, True):  # class 1: x₁x₂ > 0
        u, v = rng.uniform(0.3, 5, m), rng.uniform(0.3, 5, m)
        s = rng.choice([-1.0, 1.0], m)
        parts.append(np.c_[s * u, (s if same else -s) * v])
    X = np.concatenate(parts) + noise * rng.uniform(-5, 5, (2 * m, 2))
    return X, _labels(m, 2)


def _gaussian(n: int, noise: float, k: int, rng: np.random.Generator) -> tuple[Array, Array]:
    m = _per_class(n, 2)
    sd = 0.5 + 3.5 * noise  # 0.5 … 2.25
    X = np.r_[rng.normal(-2, sd, (m, 2)), rng.normal(2, sd, (m, 2))]
    return X, _labels(m, 2)


def _arms(n: int, noise: float, k: int, rng: np.random.Generator) -> tuple[Array, Array]:
    m = _per_class(n, k)
    i = np.tile(np.arange(m), k) / m  # (k·m,) position along the arm
    arm = _labels(m, k)
    r = 5.0 * i
    t = 1.75 * i * 2 * np.pi + 2 * np.pi * arm / k
    X = _polar(r, t) + noise * 2 * rng.uniform(-1, 1, (k * m, 2))
    return X, arm


def _moons(n: int, noise: float, k: int, rng: np.random.Generator) -> tuple[Array, Array]:
    m = _per_class(n, 2)
    X, y = make_moons((m, m), noise=noise, random_state=int(rng.integers(2**31 - 1)))
    return (X - [0.5, 0.25]) * 3.0, y


def _blobs(n: int, noise: float, k: int, rng: np.random.Generator) -> tuple[Array, Array]:
    m = _per_class(n, k)
    angle = np.pi / 2 + 2 * np.pi * np.arange(k) / k
    centres = 3.5 * np.c_[np.cos(angle), np.sin(angle)]  # (k, 2)
    y = _labels(m, k)
    return centres[y] + rng.normal(0, 0.6 + 3 * noise, (k * m, 2)), y


def _plane(n: int, noise: float, k: int, rng: np.random.Generator) -> tuple[Array, Array]:
    X = rng.uniform(-R, R, (n, 2))
    Xn = X + noise * rng.uniform(-R, R, (n, 2))
    return X, np.clip((Xn[:, 0] + Xn[:, 1]) / 10.0, -1, 1)


_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], float)


def _bumps(n: int, noise: float, k: int, rng: np.random.Generator) -> tuple[Array, Array]:
    X = rng.uniform(-R, R, (n, 2))
    Xn = X + noise * rng.uniform(-R, R, (n, 2))
    d = np.linalg.norm(Xn[:, None, :] - _BUMPS[None, :, :2], axis=2)  # (n, 6)
    height = _BUMPS[:, 2] * np.clip(1 - d / 2, 0, 1)  # each bump falls from ±1 to 0 over distance 2
    return X, height[np.arange(n), np.abs(height).argmax(axis=1)]


DATASETS: dict[str, DataSet] = {
    d.name: d
    for d in (
        DataSet("circle", "classification", _circle, "A disc of one class inside a ring of the other."),
        DataSet("xor", "classification", _xor, "Opposite quadrants share a class: x₁x₂ > 0 or not."),
        DataSet("gaussian", "classification", _gaussian, "Two Gaussian clouds; noise widens them."),
        DataSet("spiral", "classification", _arms, "Two intertwined spiral arms."),
        DataSet("moons", "classification", _moons, "Two interleaving half moons (the lecture's data)."),
        DataSet("plane", "regression", _plane, "y = (x₁ + x₂)/10: a tilted plane."),
        DataSet("gaussian bumps", "regression", _bumps, "Six bumps of height ±1."),
        DataSet("blobs", "multiclass", _blobs, "k Gaussian blobs on a circle."),
        DataSet("spiral arms", "multiclass", _arms, "k intertwined spiral arms."),
    )
}


def datasets_for(problem: str) -> list[str]:
    """Names of the data sets of one problem type, in registry order."""
    return [d.name for d in DATASETS.values() if d.problem == problem]


@dataclass(frozen=True)
class Split:
    """Train and test points: X (n, 2), y (n,)."""

    X_train: Array
    y_train: Array
    X_test: Array
    y_test: Array


def make_data(name: str, n: int = 500, noise: float = 0.0, classes: int = 2, seed: int = 0) -> tuple[Array, Array]:
    """n points of the data set ``name`` with noise share ``noise`` ∈ [0, 0.5], drawn from ``seed``."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; valid: {', '.join(DATASETS)}")
    if not 0.0 <= noise <= 0.5:
        raise ValueError(f"noise must lie in [0, 0.5], got {noise}")
    problem = PROBLEMS[DATASETS[name].problem]
    if problem.many and not 2 <= classes <= 8:
        raise ValueError(f"classes must lie in 2..8, got {classes}")
    if n < 4:
        raise ValueError(f"n must be at least 4, got {n}")
    k = problem.n_classes(classes) or 2
    X, y = DATASETS[name].make(int(n), float(noise), int(k), np.random.default_rng(seed))
    X = np.clip(np.asarray(X, dtype=np.float64), -R, R)
    y = np.asarray(y, dtype=np.int64 if PROBLEMS[DATASETS[name].problem].classes else np.float64)
    return X, y


def split(X: Array, y: Array, train_share: float, seed: int) -> Split:
    """A seeded random split with round(share·n) training points (at least one on each side)."""
    if not 0.0 < train_share < 1.0:
        raise ValueError(f"the training share must lie in (0, 1), got {train_share}")
    n = len(X)
    order = np.random.default_rng(seed).permutation(n)
    n_train = min(max(1, round(train_share * n)), n - 1)
    tr, te = order[:n_train], order[n_train:]
    return Split(X[tr], y[tr], X[te], y[te])


def with_points(X: Array, y: Array, points: Sequence[tuple[float, float, float]]) -> tuple[Array, Array]:
    """X, y with the user's added points (x₁, x₂, label) appended."""
    if not points:
        return X, y
    P = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    return np.r_[X, P[:, :2]], np.r_[y, P[:, 2].astype(y.dtype)]
