"""The output layer: logits z -> outputs ŷ (sigmoid, softmax or none), a smoothed target and the loss.

The output activations themselves come from the engine's one registry (``core.engine.outputs``);
this lesson adds the loss each is paired with here and what smoothing and temperature do to it.

Temperature T divides the logits before the output activation (ŷ = g(z / T)); label smoothing
replaces the one-hot target y by (1 − α)·y + α/k, as in the lecture and torch's CrossEntropyLoss.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.engine.losses import binary_cross_entropy_with_logits, mse
from core.engine.outputs import Output, get_output
from core.engine.softmax import log_softmax

Array = np.ndarray
MIN_CLASSES, MAX_CLASSES = 2, 10
DEFAULT_LOGITS = "2.0, 1.0, 0.1"


def _xlogx(q: Array) -> Array:
    """q·log q with 0·log 0 = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(q > 0, q * np.log(np.where(q > 0, q, 1.0)), 0.0)


def _softmax_loss(z: Array, q: Array) -> float:
    """H(q, p) = −Σ_i q_i log softmax(z)_i."""
    return float(-np.sum(q * log_softmax(z[None, :])[0]))


def _sigmoid_loss(z: Array, q: Array) -> float:
    """Mean binary cross-entropy of σ(z_i) against q_i, each output its own yes/no question."""
    return binary_cross_entropy_with_logits(z, q)[0]


def _mse_loss(z: Array, q: Array) -> float:
    return mse(z, q)[0]


def _entropy(q: Array) -> float:
    """H(q) = −Σ q log q: the lowest reachable cross-entropy, at softmax(z) = q."""
    return float(-np.sum(_xlogx(q)))


def _binary_entropy(q: Array) -> float:
    """Mean −[q log q + (1 − q) log(1 − q)]: the lowest reachable BCE, at σ(z_i) = q_i."""
    return float(-np.mean(_xlogx(q) + _xlogx(1.0 - q)))


def _zero(q: Array) -> float:
    return 0.0


@dataclass(frozen=True)
class OutputActivation:
    """One choice of output activation (an engine ``Output``) with the loss it pairs with here, the task it serves."""

    name: str  # the key on the page: softmax, sigmoid, none
    output: Output  # the engine's entry: forward g, formula
    task: str
    loss_latex: str
    loss: Callable[[Array, Array], float]  # (scaled logits (k,), target (k,)) -> loss
    min_loss: Callable[[Array], float]  # target (k,) -> the loss if ŷ equalled the target
    smooth_over: Callable[[int], int]  # number of classes the smoothing spreads α over
    uses_temperature: bool

    @property
    def latex(self) -> str:
        """ŷ = g(z), from the engine's registry."""
        return self.output.latex

    def outputs(self, z: Array) -> Array:
        """ŷ = g(z) for one sample's logits (k,) -> (k,)."""
        return np.array(self.output.forward(np.asarray(z, dtype=np.float64)[None, :])[0])


OUTPUT_ACTIVATIONS: dict[str, OutputActivation] = {
    o.name: o
    for o in (
        OutputActivation(
            "softmax", get_output("softmax"), "k classes (one label)",
            r"\mathcal{L} = -\sum_{i=1}^{k} y_i \log \hat{y}_i", _softmax_loss, _entropy, lambda k: k, True,
        ),
        OutputActivation(
            "sigmoid", get_output("sigmoid"), "binary (each output a yes/no)",
            r"\mathcal{L} = -\frac{1}{k}\sum_{i=1}^{k} \left[y_i \log \hat{y}_i + (1 - y_i)\log(1 - \hat{y}_i)\right]",
            _sigmoid_loss, _binary_entropy, lambda k: 2, True,
        ),
        OutputActivation(
            "none", get_output("none"), "regression",
            r"\mathcal{L} = \frac{1}{k}\sum_{i=1}^{k} \left(\hat{y}_i - y_i\right)^2", _mse_loss, _zero, lambda k: 1, False,
        ),
    )
}


@dataclass(frozen=True)
class OutputView:
    """What the output layer makes of one sample's logits."""

    logits: Array  # z (k,)
    outputs: Array  # ŷ (k,)
    target: Array  # smoothed target (k,)
    loss: float
    min_loss: float  # the loss if ŷ equalled the target exactly (entropy of the target for softmax)


def parse_logits(text: str) -> Array:
    """Comma- or space-separated numbers -> z (k,); ValueError unless 2 ≤ k ≤ 10 finite numbers."""
    parts = [p for p in str(text).replace(",", " ").replace(";", " ").split() if p]
    try:
        z = np.array([float(p) for p in parts], dtype=np.float64)
    except ValueError:
        raise ValueError(f"logits must be numbers separated by commas, got {text!r}") from None
    if not MIN_CLASSES <= z.size <= MAX_CLASSES or not np.all(np.isfinite(z)):
        raise ValueError(f"give between {MIN_CLASSES} and {MAX_CLASSES} finite logits, got {z.size}")
    return z


def smoothed_target(true_class: int, k: int, alpha: float, spread: int | None = None) -> Array:
    """(1 − α)·onehot(true_class) + α/spread (spread = k by default): the lecture's y_smooth."""
    if not MIN_CLASSES <= int(k) <= MAX_CLASSES:
        raise ValueError(f"k must lie in [{MIN_CLASSES}, {MAX_CLASSES}], got {k}")
    if not 0 <= int(true_class) < k:
        raise ValueError(f"true_class must lie in [0, {k - 1}], got {true_class}")
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"label smoothing α must lie in [0, 1], got {alpha}")
    y = np.zeros(int(k))
    y[int(true_class)] = 1.0
    return (1.0 - alpha) * y + alpha / (spread or k)


def output_view(logits: Sequence[float], kind: str, true_class: int, temperature: float = 1.0,
                alpha: float = 0.0) -> OutputView:
    """Outputs ŷ = g(z/T), the smoothed target and the loss for the output activation ``kind``."""
    if kind not in OUTPUT_ACTIVATIONS:
        raise ValueError(f"unknown output activation {kind!r}; valid: {', '.join(OUTPUT_ACTIVATIONS)}")
    if not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature T must be > 0, got {temperature}")
    spec = OUTPUT_ACTIVATIONS[kind]
    z = np.asarray(logits, dtype=np.float64)  # (k,)
    k = z.size
    q = smoothed_target(true_class, k, alpha if spec.smooth_over(k) > 1 else 0.0, spec.smooth_over(k))
    zt = z / temperature if spec.uses_temperature else z
    return OutputView(z, spec.outputs(zt), q, spec.loss(zt, q), spec.min_loss(q))
