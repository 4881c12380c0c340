"""Section 4: dropout — this iteration's masks on a small network, and the expected activation under both scalings.

Inverted dropout (torch, the engine) scales the kept activations by 1/(1 − p) during training and does nothing
at test time; the lecture's version keeps them unscaled during training and multiplies by (1 − p) at test time.
Either way the activation the next layer expects is the same at training and at test time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.engine.dropout import dropout_forward, dropout_mask

Array = np.ndarray
DIAGRAMS = {"2-3-1 (lecture)": (2, 3, 1), "4-8-8-2": (4, 8, 8, 2)}


def masks_for_iteration(sizes: Sequence[int], p: float, iteration: int, seed: int = 0) -> list[Array]:
    """The dropout mask of each hidden layer at ``iteration`` (one sample): entries 0 (dropped) or 1/(1 − p)."""
    rng = np.random.default_rng([seed, iteration])
    return [dropout_mask((1, n), p, rng)[0] for n in sizes[1:-1]]


@dataclass(frozen=True)
class Expectation:
    """One scaling scheme: what a unit with activation a passes on during training (mean over draws) and at test time."""

    scheme: str
    train_formula: str
    test_formula: str
    train_one_draw: float
    train_mean: float  # mean over ``draws`` training passes
    train_expected: float  # the exact expectation
    test_value: float


def expected_activation(a: float = 0.8, p: float = 0.5, draws: int = 10_000, seed: int = 0) -> list[Expectation]:
    """Inverted dropout vs the lecture's (1 − p) test-time scaling, measured with the engine's masks."""
    rng = np.random.default_rng(seed)
    mask = dropout_mask((draws,), p, rng)  # 0 or 1/(1 − p)
    inverted = dropout_forward(np.full(draws, a), mask)  # m/(1 − p)·a
    plain = inverted * (1.0 - p)  # m·a, the lecture's training pass
    return [
        Expectation("inverted (torch, this engine)", r"\tfrac{m}{1-p}\,a", "a", float(inverted[0]),
                    float(inverted.mean()), a, a),
        Expectation("lecture: scale at test time", r"m\,a", r"(1-p)\,a", float(plain[0]), float(plain.mean()),
                    (1.0 - p) * a, (1.0 - p) * a),
    ]
