"""2-D toy data sets for the explainer pages: X (n, 2) float64, y (n,) int labels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn import datasets as skd


@dataclass(frozen=True)
class Dataset:
    """A named generator ``make(n, noise, rng) -> (X, y)`` and a one-line description."""

    name: str
    make: Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]
    description: str


def _seed(rng: np.random.Generator) -> int:
    """An integer seed drawn from ``rng``, for the scikit-learn generators that want one."""
    return int(rng.integers(2**31 - 1))


def _moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    return skd.make_moons(n_samples=n, noise=noise, random_state=_seed(rng))


def _circles(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    return skd.make_circles(n_samples=n, noise=noise, factor=0.5, random_state=_seed(rng))


def _xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    X = rng.uniform(-1.0, 1.0, size=(n, 2))  # (n, 2)
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    return X + noise * rng.standard_normal(X.shape), y


def _spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n_a = n // 2
    t = np.sqrt(rng.uniform(0.0, 1.0, size=n)) * 3.0 * np.pi  # radius grows with the angle
    arm = np.r_[np.zeros(n_a, dtype=int), np.ones(n - n_a, dtype=int)]
    angle = t + np.pi * arm
    X = np.c_[t * np.cos(angle), t * np.sin(angle)] / (3.0 * np.pi)  # (n, 2) in [-1, 1]
    return X + noise * rng.standard_normal(X.shape), arm


def _blobs(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    centers = np.array([[-1.0, -1.0], [1.0, 1.0]])
    return skd.make_blobs(n_samples=n, centers=centers, cluster_std=0.3 + 2.0 * noise, random_state=_seed(rng))


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset("moons", _moons, "Two interleaving half circles."),
        Dataset("circles", _circles, "A small circle inside a larger one."),
        Dataset("xor", _xor, "Four quadrants, opposite corners share a class."),
        Dataset("spiral", _spiral, "Two intertwined spirals: hard for a linear model."),
        Dataset("blobs", _blobs, "Two Gaussian blobs: almost linearly separable."),
    )
}


def make_dataset(name: str, n: int = 200, noise: float = 0.1, seed: int | np.random.Generator = 0) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` points of the toy set ``name``: X (n, 2) float64, y (n,) int."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {sorted(DATASETS)}")
    if int(n) < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a non-negative number, got {noise}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    X, y = DATASETS[name].make(int(n), float(noise), rng)
    return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.int64)


def grid_2d(X: np.ndarray, resolution: int = 60, margin: float = 0.25) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A regular grid covering X's bounding box plus a margin: xs (r,), ys (r,), points (r*r, 2)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"grid_2d needs points of shape (n, 2), got {X.shape}")
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = margin * np.maximum(hi - lo, 1e-9)
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    XX, YY = np.meshgrid(xs, ys)
    return xs, ys, np.c_[XX.ravel(), YY.ravel()]  # points: (r*r, 2)
