"""The page's data: scikit-learn's bundled digits (1,797 8×8 images, no download), split and optionally corrupted."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sklearn.datasets import load_digits

Array = np.ndarray

N_CLASSES = 10
CHANCE = 1.0 / N_CLASSES  # accuracy of guessing on 10 balanced classes
N_VAL = 500  # validation images, always the same ones


@dataclass(frozen=True)
class Split:
    """Training and validation sets: X (n, 64) pixel values in [0, 1], y (n,) class labels 0–9."""

    X_train: Array
    y_train: Array
    X_val: Array
    y_val: Array
    corrupted: Array  # (n_train,) bool: training labels replaced by noise


@lru_cache(maxsize=1)
def _digits() -> tuple[Array, Array]:
    """All 1,797 digits in one fixed random order: X (1797, 64) scaled to [0, 1], y (1797,)."""
    data = load_digits()
    order = np.random.default_rng(1234).permutation(len(data.target))
    X = data.data[order] / 16.0
    X.setflags(write=False)
    y = data.target[order].astype(np.int64)
    y.setflags(write=False)
    return X, y


def digits_split(n_train: int = 360, label_noise: float = 0.0, seed: int = 0) -> Split:
    """The first ``n_train`` digits for training (a share ``label_noise`` of their labels drawn at random), the last N_VAL for validation."""
    X, y = _digits()
    if not 10 <= n_train <= len(y) - N_VAL:
        raise ValueError(f"n_train must lie in [10, {len(y) - N_VAL}], got {n_train}")
    if not 0.0 <= label_noise <= 1.0:
        raise ValueError(f"label_noise must lie in [0, 1], got {label_noise}")
    rng = np.random.default_rng(seed)
    y_train = y[:n_train].copy()
    corrupted = rng.random(n_train) < label_noise
    y_train[corrupted] = rng.integers(0, N_CLASSES, int(corrupted.sum()))  # may hit the true class by chance
    return Split(X[:n_train], y_train, X[-N_VAL:], y[-N_VAL:], corrupted)


def shuffled_labels(split: Split, seed: int = 0) -> Split:
    """The same images with the training labels permuted: no pixel says anything about its label any more."""
    rng = np.random.default_rng(seed)
    return Split(split.X_train, rng.permutation(split.y_train), split.X_val, split.y_val,
                 np.ones(len(split.y_train), dtype=bool))
