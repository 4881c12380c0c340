"""Input features of the playground: functions of the point (x₁, x₂), keyed by the name the page shows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Feature:
    """One input unit: fn(X (n, 2)) -> (n,), and its formula."""

    name: str
    latex: str
    fn: Callable[[Array], Array]


FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature("x₁", r"x_1", lambda X: X[:, 0]),
        Feature("x₂", r"x_2", lambda X: X[:, 1]),
        Feature("x₁²", r"x_1^2", lambda X: X[:, 0] ** 2),
        Feature("x₂²", r"x_2^2", lambda X: X[:, 1] ** 2),
        Feature("x₁x₂", r"x_1 x_2", lambda X: X[:, 0] * X[:, 1]),
        Feature("sin x₁", r"\sin x_1", lambda X: np.sin(X[:, 0])),
        Feature("sin x₂", r"\sin x_2", lambda X: np.sin(X[:, 1])),
    )
}


def check_features(names: Sequence[str]) -> tuple[str, ...]:
    """The names in registry order; ValueError when empty or unknown."""
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown}; valid: {', '.join(FEATURES)}")
    if not names:
        raise ValueError("pick at least one input feature")
    return tuple(n for n in FEATURES if n in names)


def feature_matrix(X: Array, names: Sequence[str]) -> Array:
    """Φ(X) = [φ_1(X), …, φ_d(X)], (n, d) for points X (n, 2)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {X.shape}")
    return np.stack([FEATURES[n].fn(X) for n in check_features(names)], axis=1)  # (n, d)
