"""Loss functions L(ŷ, y), each returning (loss, dL/dinput) with the gradient beside the value.

Every loss is a mean like torch's default ``reduction="mean"``:
``crossentropy`` = nn.CrossEntropyLoss (from logits, integer labels, optional label smoothing),
``mse`` = nn.MSELoss, ``binary_crossentropy`` = nn.BCELoss (logs clamped at −100), and
``half_sse`` = ½·Σ_outputs (y − ŷ)², averaged over the batch (the lecture's and Mazur's loss).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from core.engine.softmax import log_softmax

Array = np.ndarray

_LOG_CLAMP = -100.0  # torch's BCELoss clamps each log term at −100
# torch's BCELoss backward divides by max(p(1 − p), ε) with ε = 1e-12 held as a float32
_BCE_EPS = float(np.float32(1e-12))


def _as_pair(y_hat: Array, y: Array, name: str) -> tuple[Array, Array]:
    y_hat = np.asarray(y_hat, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if y_hat.shape != y.shape:
        raise ValueError(f"{name}: prediction shape {y_hat.shape} != target shape {y.shape}")
    if y_hat.size == 0:
        raise ValueError(f"{name}: empty input")
    return y_hat, y


def class_labels(y: Array, n: int, k: int) -> Array:
    """Integer class labels (n,) in [0, k); ValueError on wrong shape, non-integers or range."""
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(f"labels must have shape ({n},) (one integer class per sample), got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        if not np.issubdtype(y.dtype, np.number) or not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            raise ValueError("labels must be integer class indices")
        y = y.astype(np.int64)
    if n and (y.min() < 0 or y.max() >= k):
        raise ValueError(f"labels must lie in [0, {k - 1}] for {k} classes, got [{y.min()}, {y.max()}]")
    return y


def softmax_cross_entropy(logits: Array, y: Array, label_smoothing: float = 0.0) -> tuple[float, Array]:
    """L = −(1/n) Σ_i Σ_k q_ik log softmax(z_i)_k with q = (1−ε)·onehot(y) + ε/K; dL/dz = (p − q)/n."""
    Z = np.asarray(logits, dtype=np.float64)  # (n, K)
    if Z.ndim != 2 or Z.shape[0] == 0 or Z.shape[1] == 0:
        raise ValueError(f"logits must have shape (n_samples, n_classes), got {Z.shape}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must lie in [0, 1], got {label_smoothing}")
    n, k = Z.shape
    labels = class_labels(y, n, k)
    logp = log_softmax(Z)  # (n, K)
    rows = np.arange(n)
    nll = -logp[rows, labels].mean()
    loss = (1.0 - label_smoothing) * nll
    if label_smoothing:
        loss += label_smoothing * (-logp.mean(axis=1)).mean()
    dZ = np.exp(logp)  # softmax p
    if label_smoothing:
        dZ -= label_smoothing / k
    dZ[rows, labels] -= 1.0 - label_smoothing
    dZ /= n
    return float(loss), dZ


def mse(y_hat: Array, y: Array) -> tuple[float, Array]:
    """L = (1/N) Σ (ŷ − y)² over all N elements; dL/dŷ = 2(ŷ − y)/N."""
    y_hat, y = _as_pair(y_hat, y, "mse")
    diff = y_hat - y
    loss = float(np.mean(diff * diff))
    diff *= 2.0 / diff.size
    return loss, diff


def half_sse(y_hat: Array, y: Array) -> tuple[float, Array]:
    """L = (1/n) Σ_i ½ Σ_j (y_ij − ŷ_ij)² (n = batch size); dL/dŷ = (ŷ − y)/n."""
    y_hat, y = _as_pair(y_hat, y, "half_sse")
    n = y_hat.shape[0] if y_hat.ndim else 1
    diff = y_hat - y
    loss = float(0.5 * np.sum(diff * diff) / n)
    diff /= n
    return loss, diff


def binary_cross_entropy(p: Array, y: Array) -> tuple[float, Array]:
    """L = −(1/N) Σ [y·log p + (1−y)·log(1−p)] (logs clamped at −100); dL/dp = (p − y)/(p(1−p))/N."""
    p, y = _as_pair(p, y, "binary_crossentropy")
    if np.any((p < 0.0) | (p > 1.0)):  # NaN passes through, as in the other losses
        raise ValueError("binary_crossentropy: probabilities p must lie in [0, 1]")
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), _LOG_CLAMP)
        log_1mp = np.maximum(np.log1p(-p), _LOG_CLAMP)
    loss = float(-np.mean(y * log_p + (1.0 - y) * log_1mp))
    dp = (p - y) / np.maximum(p * (1.0 - p), _BCE_EPS) / p.size
    return loss, dp


def binary_cross_entropy_with_logits(z: Array, y: Array) -> tuple[float, Array]:
    """BCE of σ(z), stably: L = mean(max(z,0) − z·y + ln(1 + e^{−|z|})); dL/dz = (σ(z) − y)/N."""
    z, y = _as_pair(z, y, "binary_crossentropy")
    loss = float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))
    dz = expit(z)
    dz -= y
    dz /= z.size
    return loss, dz


@dataclass(frozen=True)
class Loss:
    """A loss: fn(prediction, y) -> (loss, grad), the output it needs, how its targets look, its formula.

    ``fn`` takes the network's outputs, except ``crossentropy``, which takes the logits (the network
    always fuses it with its softmax output, see ``core.engine.outputs``).
    """

    name: str
    fn: Callable[..., tuple[float, Array]]
    latex: str
    output: str | None  # output activation the network must use, None = any
    targets: str  # "labels" (integer classes (n,)), "probabilities" (in [0, 1]) or "values", both shaped like the output


LOSSES: dict[str, Loss] = {
    l.name: l
    for l in [
        Loss(
            "mse",
            mse,
            r"\mathcal{L} = \frac{1}{N}\sum_{i,j} \left(\hat{y}_{ij} - y_{ij}\right)^2",
            None,
            "values",
        ),
        Loss(
            "half_sse",
            half_sse,
            r"\mathcal{L} = \frac{1}{n}\sum_{i=1}^{n} \frac{1}{2}\sum_{j} \left(y_{ij} - \hat{y}_{ij}\right)^2",
            None,
            "values",
        ),
        Loss(
            "binary_crossentropy",
            binary_cross_entropy,
            r"\mathcal{L} = -\frac{1}{N}\sum_{i} \left[y_i \log \hat{y}_i + (1 - y_i)\log(1 - \hat{y}_i)\right]",
            "sigmoid",
            "probabilities",
        ),
        Loss(
            "crossentropy",
            softmax_cross_entropy,
            r"\mathcal{L} = -\frac{1}{n}\sum_{i=1}^{n} \sum_{k=1}^{K} y_{ik} \log \mathrm{softmax}(\mathbf{z}_i)_k",
            "softmax",
            "labels",
        ),
    ]
}


def get_loss(name: str) -> Loss:
    """The registry entry for ``name``; ValueError listing the valid names otherwise."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; valid: {', '.join(LOSSES)}") from None
