"""Shared machinery of the optimizers: hyper-parameter checks and the per-parameter step loop.

Public API lives in ``core.engine.optim`` (``make_optimizer``, ``OPTIMIZERS``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np


def check_nonneg(name: str, value: Any) -> None:
    """Raise ValueError unless every entry of ``value`` is finite and ≥ 0."""
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name} must be a finite number ≥ 0, got {value!r}")


def check_unit(name: str, value: float) -> None:
    """Raise ValueError unless 0 ≤ value < 1."""
    if not (0.0 <= float(value) < 1.0):
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")


def check_betas(betas: Sequence[float]) -> tuple[float, float]:
    """Validate Adam-style (β₁, β₂), each in [0, 1)."""
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    b1, b2 = float(betas[0]), float(betas[1])
    check_unit("betas[0]", b1)
    check_unit("betas[1]", b2)
    return b1, b2


class Optimizer:
    """Base class: validates params/grads and loops over parameters."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    latex: ClassVar[str] = ""
    torch_note: ClassVar[str] = ""
    torch_name: ClassVar[str] = ""  # the torch.optim call this class reproduces
    defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, params: Sequence[np.ndarray], lr: float, weight_decay: float = 0.0) -> None:
        if not isinstance(params, (list, tuple)) or not all(isinstance(p, np.ndarray) for p in params):
            raise ValueError("params must be a list of NumPy arrays (updated in place)")
        check_nonneg("lr (learning rate)", lr)
        check_nonneg("weight_decay", weight_decay)
        self.params = list(params)
        self.lr = lr
        self.weight_decay = float(weight_decay)
        self.steps = 0  # number of step() calls so far

    def step(self, grads: Sequence[np.ndarray]) -> None:
        """Apply one update to every parameter, in place."""
        if len(grads) != len(self.params):
            raise ValueError(f"got {len(grads)} gradients for {len(self.params)} parameters")
        self.steps += 1
        for i, (p, g) in enumerate(zip(self.params, grads)):
            g = np.asarray(g, dtype=p.dtype)
            if g.shape != p.shape:
                raise ValueError(f"gradient {i} has shape {g.shape}, parameter has shape {p.shape}")
            if self.weight_decay != 0.0:
                g = g + self.weight_decay * p  # L2 penalty folded into the gradient (torch's coupled form)
            self._update(i, p, g)

    def _update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError

    def effective_lr(self) -> list[np.ndarray]:
        """Per-coordinate learning rate η_i applied to the (averaged) gradient; plain η here."""
        return [np.full_like(p, self.lr) for p in self.params]  # in the parameter's dtype, like the step
