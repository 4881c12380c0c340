"""What a training run reports (``History``) and the helpers both training loops share."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from core.engine.network import MLP

Array = np.ndarray


@dataclass(frozen=True)
class History:
    """What happened during training, one entry per step (per iteration for L-BFGS)."""

    losses: list[float]  # minibatch loss at step s, before the update it drove (incl. penalties)
    lrs: list[float]  # learning rate used at step s (empty for L-BFGS)
    grad_norms: list[float]  # ‖∇L‖₂ over all parameters at step s
    status: str  # "completed", "diverged at step k", "stopped by callback at step k", or L-BFGS's message
    steps: int  # optimizer steps (L-BFGS iterations) actually taken
    final_loss: float  # loss on all of (X, y) with the final parameters (eval mode); nan if not finite
    optimizer: str = ""
    n_evals: int = 0  # loss/gradient evaluations
    extra: dict = field(default_factory=dict)

    @property
    def diverged(self) -> bool:
        """True when training stopped because the loss or gradient became NaN/inf."""
        return self.status.startswith("diverged")


def grad_norm(grads: Sequence[Array]) -> float:
    """‖g‖₂ over all arrays; inf/nan only if some entry is, not when the squares overflow."""
    with np.errstate(over="ignore", invalid="ignore"):
        sq = sum(float(np.dot(g.ravel(), g.ravel())) for g in grads)
        if math.isfinite(sq):
            return math.sqrt(sq)
        scale = max(float(np.max(np.abs(g))) for g in grads)
        if not math.isfinite(scale):
            return scale
        return scale * math.sqrt(sum(float(np.sum((g / scale) ** 2)) for g in grads))


def check_data(net: MLP, X: Array, y: Array) -> tuple[Array, Array]:
    """X as float64 (n, n_in) and y with n rows; ValueError otherwise."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must have shape (n_samples, {net.layer_sizes[0]}), got {X.shape}")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} samples but y has {y.shape[0]}")
    return X, y


