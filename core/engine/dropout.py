"""Inverted dropout: keep each unit with probability 1 − p and scale the kept ones by 1/(1 − p).

The expected activation is unchanged, so eval mode is the identity. Backward multiplies by the same
mask that forward used: ∂L/∂A = mask ⊙ ∂L/∂(mask ⊙ A).
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray

LATEX = r"\tilde{a}_j = \frac{m_j}{1-p}\,a_j,\quad m_j \sim \mathrm{Bernoulli}(1-p)"


def check_rate(p: float) -> float:
    """The drop probability p as a float; ValueError unless 0 ≤ p < 1."""
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout must lie in [0, 1), got {p}")
    return float(p)


def dropout_mask(shape: tuple[int, ...], p: float, rng: np.random.Generator) -> Array:
    """mask = [u ≥ p]/(1 − p) with u ~ U[0, 1): entries 0 or 1/(1 − p)."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError("dropout needs rng, a numpy.random.Generator")
    return (rng.random(shape) >= p) / (1.0 - p)


def dropout_forward(A: Array, mask: Array | None) -> Array:
    """mask ⊙ A (A itself when there is no mask: eval mode or p = 0)."""
    return A if mask is None else A * mask


def dropout_backward(dA: Array, mask: Array | None) -> Array:
    """∂L/∂A = mask ⊙ ∂L/∂Ã, with the mask of the forward pass."""
    return dA if mask is None else dA * mask
