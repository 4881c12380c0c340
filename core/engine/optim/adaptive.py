"""Adaptive optimizers with torch.optim's semantics, scaling by past squared gradients: Adagrad, RMSprop.

Each keeps per-coordinate statistics of past gradients and reports the per-coordinate learning rate it
applied (``effective_lr``). Adam and its relatives (moment estimates) are in ``adam.py``; all are
registered in ``core.engine.optim``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from core.engine.optim.base import Optimizer, check_nonneg


class Adagrad(Optimizer):
    """torch.optim.Adagrad: G ← G + g², w ← w − η_s·g/(√G + ε)."""

    name = "adagrad"
    label = "Adagrad"
    torch_name = "torch.optim.Adagrad"
    latex = (
        r"G_{i,(s)} = G_{i,(s-1)} + \nabla\mathcal{L}(w_{i,(s)})^2,\quad "
        r"w_{i,(s+1)} = w_{i,(s)} - \frac{\eta}{\sqrt{G_{i,(s)}}+\epsilon}\,\nabla\mathcal{L}(w_{i,(s)})"
    )
    torch_note = (
        "torch adds ε outside the square root (√G + ε, ε = 1e-10), the lecture inside (√(G + ε)). "
        "G starts at `initial_accumulator_value`; `lr_decay` k uses η/(1 + (s−1)k) at step s."
    )
    defaults = {"lr": 1e-2, "lr_decay": 0.0, "weight_decay": 0.0, "initial_accumulator_value": 0.0, "eps": 1e-10}

    def __init__(
        self,
        params: Sequence[np.ndarray],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        check_nonneg("lr_decay", lr_decay)
        check_nonneg("initial_accumulator_value", initial_accumulator_value)
        check_nonneg("eps", eps)
        self.lr_decay, self.eps = float(lr_decay), float(eps)
        self.sum_sq = [np.full_like(p, float(initial_accumulator_value)) for p in self.params]  # G

    def _clr(self) -> Any:
        return self.lr / (1.0 + (max(self.steps, 1) - 1) * self.lr_decay)

    def _update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        G = self.sum_sq[i]
        G += g * g
        p -= self._clr() * g / (np.sqrt(G) + self.eps)

    def effective_lr(self) -> list[np.ndarray]:
        """η_s/(√G_i + ε) per coordinate."""
        return [self._clr() / (np.sqrt(G) + self.eps) for G in self.sum_sq]


class RMSprop(Optimizer):
    """torch.optim.RMSprop: m ← αm + (1−α)g², w ← w − η·g/(√m + ε)."""

    name = "rmsprop"
    label = "RMSprop"
    torch_name = "torch.optim.RMSprop"
    latex = (
        r"m_{i,(s)} = \alpha\, m_{i,(s-1)} + (1-\alpha)\,\nabla\mathcal{L}(w_{i,(s)})^2,\quad "
        r"w_{i,(s+1)} = w_{i,(s)} - \frac{\eta}{\sqrt{m_{i,(s)}}+\epsilon}\,\nabla\mathcal{L}(w_{i,(s)})"
    )
    torch_note = (
        "The lecture calls the decay γ (usually 0.9); torch calls it α (default 0.99) and adds ε "
        "outside the square root. `centered` subtracts the squared mean gradient from m; `momentum` "
        "keeps a buffer b ← μb + g/(√m + ε) and steps −ηb."
    )
    defaults = {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0, "centered": False}

    def __init__(
        self,
        params: Sequence[np.ndarray],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        check_nonneg("alpha", alpha)
        if alpha > 1:
            raise ValueError(f"alpha must be in [0, 1], got {alpha!r}")
        check_nonneg("eps", eps)
        check_nonneg("momentum", momentum)
        self.alpha, self.eps, self.momentum, self.centered = float(alpha), float(eps), float(momentum), bool(centered)
        self.square_avg = [np.zeros_like(p) for p in self.params]  # m
        self.grad_avg = [np.zeros_like(p) for p in self.params]  # mean gradient (centered only)
        self.momentum_buffer = [np.zeros_like(p) for p in self.params]

    def _denom(self, i: int) -> np.ndarray:
        m = self.square_avg[i]
        if self.centered:
            m = m - self.grad_avg[i] * self.grad_avg[i]
        return np.sqrt(m) + self.eps

    def _update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        m = self.square_avg[i]
        m *= self.alpha
        m += (1.0 - self.alpha) * g * g
        if self.centered:
            ga = self.grad_avg[i]
            ga += (1.0 - self.alpha) * (g - ga)
        denom = self._denom(i)
        if self.momentum > 0:
            buf = self.momentum_buffer[i]
            buf *= self.momentum
            buf += g / denom
            p -= self.lr * buf
        else:
            p -= self.lr * g / denom

    def effective_lr(self) -> list[np.ndarray]:
        """η/(√m_i + ε) per coordinate."""
        return [self.lr / self._denom(i) for i in range(len(self.params))]
