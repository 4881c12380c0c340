"""The SGD family (plain, momentum, Nesterov) with torch.optim's semantics, over lists of NumPy arrays.

Each optimizer owns per-parameter state and updates the arrays in ``params`` in place
through ``step(grads)``. Hyper-parameter names, defaults and update order follow
``torch.optim`` exactly, so a trajectory equals torch's step for step. ``lr`` is a plain
attribute: a schedule changes it between steps. It may also be an array that broadcasts
against the parameters (one learning rate per row, used for vectorised sweeps).
This module holds the SGD family; the adaptive methods live in ``core.engine.optim.adaptive``,
the shared step loop in ``core.engine.optim.base``, the registry in ``core.engine.optim``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.engine.optim.base import Optimizer, check_nonneg


class SGD(Optimizer):
    """torch.optim.SGD: w ← w − η·g, optionally with a momentum buffer b ← γb + (1−τ)g."""

    name = "sgd"
    label = "SGD"
    torch_name = "torch.optim.SGD"
    latex = r"\mathbf{w}_{(s+1)} = \mathbf{w}_{(s)} - \eta\,\nabla\mathcal{L}(\mathbf{w}_{(s)})"
    torch_note = "Identical to the lecture's rule. `weight_decay` λ adds λw to the gradient (L2 penalty)."
    defaults = {"lr": 1e-3, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False}

    def __init__(
        self,
        params: Sequence[np.ndarray],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        check_nonneg("momentum", momentum)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("nesterov momentum requires momentum > 0 and dampening = 0")
        self.momentum = float(momentum)
        self.dampening = float(dampening)
        self.nesterov = bool(nesterov)
        self.momentum_buffer: list[np.ndarray | None] = [None] * len(self.params)

    def _update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        if self.momentum != 0.0:
            buf = self.momentum_buffer[i]
            if buf is None:
                buf = self.momentum_buffer[i] = g.copy()  # torch: first buffer is the raw gradient
            else:
                buf *= self.momentum
                buf += (1.0 - self.dampening) * g
            g = g + self.momentum * buf if self.nesterov else buf
        p -= self.lr * g

    @property
    def velocity(self) -> list[np.ndarray]:
        """The lecture's velocity v = −η·b (the momentum buffer as a displacement); zeros before step 1."""
        return [
            np.zeros_like(p) if b is None else -np.asarray(self.lr) * b
            for p, b in zip(self.params, self.momentum_buffer)
        ]


class Momentum(SGD):
    """SGD with (heavy-ball) momentum γ, torch.optim.SGD(momentum=γ)."""

    name = "momentum"
    label = "Momentum"
    torch_name = "torch.optim.SGD(momentum=γ)"
    latex = (
        r"\mathbf{b}_{(s)} = \gamma\,\mathbf{b}_{(s-1)} + \nabla\mathcal{L}(\mathbf{w}_{(s)}),\quad "
        r"\mathbf{w}_{(s+1)} = \mathbf{w}_{(s)} - \eta\,\mathbf{b}_{(s)}"
    )
    torch_note = (
        "The lecture writes v ← γv − η∇L, w ← w + v. torch keeps the buffer b ← γb + ∇L and steps "
        "w ← w − ηb: the same path for a constant η (v = −ηb), but with a schedule torch applies the "
        "current η to the whole buffer. torch's first buffer is the raw gradient (b₁ = ∇L)."
    )
    defaults = {"lr": 1e-3, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0}

    def __init__(
        self,
        params: Sequence[np.ndarray],
        lr: float = 1e-3,
        momentum: float = 0.9,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr, momentum, dampening, weight_decay, nesterov=False)


class Nesterov(SGD):
    """SGD with Nesterov momentum, torch.optim.SGD(momentum=γ, nesterov=True)."""

    name = "nesterov"
    label = "Nesterov"
    torch_name = "torch.optim.SGD(momentum=γ, nesterov=True)"
    latex = (
        r"\mathbf{b}_{(s)} = \gamma\,\mathbf{b}_{(s-1)} + \nabla\mathcal{L}(\mathbf{w}_{(s)}),\quad "
        r"\mathbf{w}_{(s+1)} = \mathbf{w}_{(s)} - \eta\,\big(\nabla\mathcal{L}(\mathbf{w}_{(s)}) + \gamma\,\mathbf{b}_{(s)}\big)"
    )
    torch_note = (
        "The lecture evaluates the gradient at the look-ahead point w + γv. torch uses the equivalent "
        "re-parametrisation (Sutskever et al.) that only needs the gradient at the stored weights: "
        "its w is the look-ahead point, and the step is −η(∇L + γb)."
    )
    defaults = Momentum.defaults

    def __init__(
        self,
        params: Sequence[np.ndarray],
        lr: float = 1e-3,
        momentum: float = 0.9,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr, momentum, dampening, weight_decay, nesterov=True)
