"""Weight penalties R(W) added to the loss, each with its gradient beside it: none, L1 and L2.

Only weight matrices are penalized, never biases (or batch norm's γ, β). L1 uses torch's
subgradient sign(W), which is 0 at W = 0, so autograd of λ·Σ|W| gives exactly the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


def l1_penalty(Ws: Sequence[Array], lam: float) -> float:
    """R = λ·Σ_l Σ |W[l]|."""
    return float(lam * sum(float(np.sum(np.abs(W))) for W in Ws))


def l1_grad(Ws: Sequence[Array], lam: float) -> list[Array]:
    """∂R/∂W = λ·sign(W), with sign(0) = 0 (torch's subgradient)."""
    return [lam * np.sign(W) for W in Ws]


def l2_penalty(Ws: Sequence[Array], lam: float) -> float:
    """R = λ/2·Σ_l ‖W[l]‖²."""
    return sum(0.5 * lam * float(np.sum(W * W)) for W in Ws)


def l2_grad(Ws: Sequence[Array], lam: float) -> list[Array]:
    """∂R/∂W = λ·W."""
    return [lam * W for W in Ws]


def _no_penalty(Ws: Sequence[Array], lam: float) -> float:
    return 0.0


def _no_grad(Ws: Sequence[Array], lam: float) -> list[Array]:
    return [np.zeros_like(W) for W in Ws]


@dataclass(frozen=True)
class Regularizer:
    """A weight penalty: R(W, λ), its gradient and the formulas the UI shows."""

    name: str
    label: str
    latex: str
    grad_latex: str
    penalty: Callable[[Sequence[Array], float], float]
    grad: Callable[[Sequence[Array], float], list[Array]]


REGULARIZERS: dict[str, Regularizer] = {
    r.name: r
    for r in (
        Regularizer("none", "no penalty", r"R(W) = 0", r"\frac{\partial R}{\partial W} = 0", _no_penalty, _no_grad),
        Regularizer(
            "L1", "L1 (lasso)", r"R(W) = \lambda \sum_{l} \sum_{i,j} |w^{(l)}_{ij}|",
            r"\frac{\partial R}{\partial w_{ij}} = \lambda\,\mathrm{sign}(w_{ij})", l1_penalty, l1_grad,
        ),
        Regularizer(
            "L2", "L2 (weight decay)", r"R(W) = \frac{\lambda}{2} \sum_{l} \lVert W^{(l)} \rVert_F^2",
            r"\frac{\partial R}{\partial w_{ij}} = \lambda\, w_{ij}", l2_penalty, l2_grad,
        ),
    )
}


def get_regularizer(name: str) -> Regularizer:
    """The registry entry for ``name``; ValueError listing the valid names otherwise."""
    try:
        return REGULARIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown regularizer {name!r}; valid: {', '.join(REGULARIZERS)}") from None
