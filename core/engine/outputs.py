"""The output layer's activation g: ŷ = g(z) for the last layer, its backward, predictions and formulas.

One registry for the whole app: ``linear`` (alias ``none``: regression, ŷ = z), ``sigmoid`` (each output
its own probability) and ``softmax`` (k classes share one probability mass). Where a loss is paired with
the output (softmax + cross-entropy, sigmoid + binary cross-entropy) the gradient ∂L/∂z comes straight
from the logits ("fused"), which is exact and stable, like torch's losses on logits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit

from core.engine.activations import linear_derivative, sigmoid_derivative
from core.engine.softmax import SOFTMAX_LATEX, softmax, softmax_backward
from core.engine.losses import binary_cross_entropy, binary_cross_entropy_with_logits, class_labels
from core.engine.losses import softmax_cross_entropy

Array = np.ndarray
_TINY = np.finfo(np.float64).tiny


@dataclass(frozen=True)
class Fused:
    """A loss paired with the output, taken from the logits Z: ``grad(Z, y, ε)`` -> (L, dL/dZ), what training needs;
    ``display(P, y, ε)`` -> dL/dP on the outputs P = g(Z), what a page shows (all (n, k))."""

    grad: Callable[[Array, Array, float], tuple[float, Array]]
    display: Callable[[Array, Array, float], Array]

    def __call__(self, Z: Array, P: Array, y: Array, label_smoothing: float) -> tuple[float, Array, Array]:
        """(L, dL/dP, dL/dZ)."""
        value, dZ = self.grad(Z, y, label_smoothing)
        return value, self.display(P, y, label_smoothing), dZ


def _softmax_ce_display(P: Array, y: Array, label_smoothing: float) -> Array:
    """dL/dp = −q/(p·n) (q: smoothed one-hot)."""
    n, k = P.shape
    q = np.full((n, k), label_smoothing / k)
    q[np.arange(n), class_labels(y, n, k)] += 1.0 - label_smoothing
    return -q / (np.maximum(P, _TINY) * n)


def _bce_logits(Z: Array, y: Array, label_smoothing: float) -> tuple[float, Array]:
    return binary_cross_entropy_with_logits(Z, y)


def _bce_display(P: Array, y: Array, label_smoothing: float) -> Array:
    return binary_cross_entropy(P, y)[1]


# dL/dz = (p − q)/n from the logits (q: smoothed one-hot); dL/dz = (σ(z) − y)/N from the logits
softmax_crossentropy_fused = Fused(softmax_cross_entropy, _softmax_ce_display)
sigmoid_bce_fused = Fused(_bce_logits, _bce_display)


def _identity(Z: Array) -> Array:
    return Z


def _pass_through(P: Array, dP: Array) -> Array:
    return dP


def _sigmoid_backward(P: Array, dP: Array) -> Array:
    return dP * P * (1.0 - P)


def _threshold(P: Array) -> Array:
    labels = (P >= 0.5).astype(np.int64)
    return labels[:, 0] if labels.shape[1] == 1 else labels


def _argmax(P: Array) -> Array:
    return P.argmax(axis=1)


@dataclass(frozen=True)
class Output:
    """An output activation: forward Z → P, backward (P, dL/dP) → dL/dZ, prediction and formulas."""

    name: str
    latex: str  # ŷ = g(z)
    forward: Callable[[Array], Array]  # (n, k) -> (n, k)
    backward: Callable[[Array, Array], Array]  # (P, dP) -> dZ, all (n, k)
    predict: Callable[[Array], Array]  # outputs (n, k) -> labels (n,) or values
    derivative: Callable[[Array], Array] | None  # element-wise g'(z); None when g couples the outputs
    classifies: bool  # predictions are class labels (accuracy makes sense)
    fused: Mapping[str, Fused] = field(default_factory=dict)  # loss name -> (loss, dP, dZ) from the logits
    aliases: tuple[str, ...] = ()


OUTPUTS: dict[str, Output] = {
    o.name: o
    for o in (
        Output("linear", r"\hat{y}_i = z_i", _identity, _pass_through,
               _identity, linear_derivative, False, aliases=("none",)),
        Output("sigmoid", r"\hat{y}_i = \sigma(z_i) = \frac{1}{1+e^{-z_i}}", expit,
               _sigmoid_backward, _threshold, sigmoid_derivative, True, {"binary_crossentropy": sigmoid_bce_fused}),
        Output("softmax", SOFTMAX_LATEX, softmax, softmax_backward, _argmax, None,
               True, {"crossentropy": softmax_crossentropy_fused}),
    )
}
_BY_ALIAS = {a: o for o in OUTPUTS.values() for a in o.aliases}


def get_output(name: str) -> Output:
    """The registry entry for ``name`` (or an alias such as ``none``); ValueError listing the names otherwise."""
    try:
        return OUTPUTS[name] if name in OUTPUTS else _BY_ALIAS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown output activation {name!r}; valid: {', '.join(OUTPUTS)}") from None


def couples_outputs(name: str) -> bool:
    """True for an output activation that mixes the outputs (softmax: each ŷ_i depends on every z_j)."""
    return name in OUTPUTS and OUTPUTS[name].derivative is None
