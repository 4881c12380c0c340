"""Adam and its relatives with torch.optim's semantics: Adam, AdamW, Adamax, NAdam.

Each keeps bias-corrected moment estimates of past gradients and reports the per-coordinate learning
rate it applied (``effective_lr``). Registered in ``core.engine.optim``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from core.engine.optim.base import Optimizer, check_betas, check_nonneg


class Adam(Optimizer):
    """torch.optim.Adam: bias-corrected first and second moments."""

    name = "adam"
    label = "Adam"
    torch_name = "torch.optim.Adam"
    latex = (
        r"\begin{gathered}g_{i,(s)} = \gamma_2\, g_{i,(s-1)} + (1-\gamma_2)\nabla\mathcal{L}(w_{i,(s)}),\quad "
        r"m_{i,(s)} = \gamma\, m_{i,(s-1)} + (1-\gamma)\nabla\mathcal{L}(w_{i,(s)})^2,\\ "
        r"\hat g_{i,(s)} = \frac{g_{i,(s)}}{1-\gamma_2^{\,s}},\quad \hat m_{i,(s)} = \frac{m_{i,(s)}}{1-\gamma^{\,s}},\quad "
        r"w_{i,(s+1)} = w_{i,(s)} - \frac{\eta}{\sqrt{\hat m_{i,(s)}}+\epsilon}\,\hat g_{i,(s)}\end{gathered}"
    )
    torch_note = (
        "torch's betas = (β₁, β₂) are the lecture's (γ₂, γ): β₁ averages the gradient, β₂ its square. "
        "The bias correction divides by 1 − βˢ (power of the step s; the lecture's slide omits the power), "
        "and ε is added outside the square root. `weight_decay` adds λw to the gradient (use AdamW for decoupled decay)."
    )
    defaults = {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False}
    decoupled = False

    def __init__(
        self,
        params: Sequence[np.ndarray],
        lr: float = 1e-3,
        betas: Sequence[float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, 0.0 if self.decoupled else weight_decay)
        check_nonneg("weight_decay", weight_decay)
        check_nonneg("eps", eps)
        self.betas = check_betas(betas)
        self.eps, self.amsgrad, self.decay = float(eps), bool(amsgrad), float(weight_decay)
        self.exp_avg = [np.zeros_like(p) for p in self.params]  # first moment (lecture's g)
        self.exp_avg_sq = [np.zeros_like(p) for p in self.params]  # second moment (lecture's m)
        self.max_exp_avg_sq = [np.zeros_like(p) for p in self.params] if self.amsgrad else []
        self._scratch = [np.empty_like(p) for p in self.params]  # one work array per parameter: no temporaries

    def _denom(self, i: int, out: np.ndarray | None = None) -> np.ndarray:
        v = self.max_exp_avg_sq[i] if self.amsgrad else self.exp_avg_sq[i]
        out = np.sqrt(v, out=out)
        out /= math.sqrt(1.0 - self.betas[1] ** max(self.steps, 1))
        out += self.eps
        return out

    def _update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        b1, b2 = self.betas
        if self.decoupled and self.decay != 0.0:
            p *= 1.0 - self.lr * self.decay
        m, v, work = self.exp_avg[i], self.exp_avg_sq[i], self._scratch[i]
        np.subtract(g, m, out=work)
        work *= 1.0 - b1
        m += work  # m ← m + (1 − β₁)(g − m)
        np.multiply(g, g, out=work)
        work *= 1.0 - b2
        v *= b2
        v += work  # v ← β₂v + (1 − β₂)g²
        if self.amsgrad:
            np.maximum(self.max_exp_avg_sq[i], v, out=self.max_exp_avg_sq[i])
        denom = self._denom(i, out=work)
        np.divide(m, denom, out=work)
        work *= self.lr / (1.0 - b1**self.steps)
        p -= work

    def effective_lr(self) -> list[np.ndarray]:
        """η/(√m̂_i + ε) per coordinate, the rate applied to the bias-corrected mean gradient ĝ."""
        return [self.lr / self._denom(i) for i in range(len(self.params))]


class AdamW(Adam):
    """torch.optim.AdamW: Adam with decoupled weight decay w ← w(1 − ηλ)."""

    name = "adamw"
    label = "AdamW"
    torch_name = "torch.optim.AdamW"
    latex = Adam.latex.replace(r"\end{gathered}", r"\\ \text{after first shrinking } w \leftarrow w\,(1-\eta\lambda)\end{gathered}")
    torch_note = (
        "As Adam, but weight decay is decoupled: the weights shrink by a factor (1 − ηλ) before the "
        "Adam step instead of adding λw to the gradient. torch's default λ is 0.01."
    )
    defaults = {**Adam.defaults, "weight_decay": 1e-2}
    decoupled = True

    def __init__(
        self,
        params: Sequence[np.ndarray],
        lr: float = 1e-3,
        betas: Sequence[float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


class Adamax(Optimizer):
    """torch.optim.Adamax: Adam with an infinity-norm second moment u ← max(β₂u, |g| + ε)."""

    name = "adamax"
    label = "Adamax"
    torch_name = "torch.optim.Adamax"
    latex = (
        r"\begin{gathered}g_{i,(s)} = \gamma_2\, g_{i,(s-1)} + (1-\gamma_2)\nabla\mathcal{L}(w_{i,(s)}),\quad "
        r"u_{i,(s)} = \max\big(\gamma\, u_{i,(s-1)},\ |\nabla\mathcal{L}(w_{i,(s)})| + \epsilon\big),\\ "
        r"w_{i,(s+1)} = w_{i,(s)} - \frac{\eta}{u_{i,(s)}}\,\hat g_{i,(s)},\quad \hat g_{i,(s)} = \frac{g_{i,(s)}}{1-\gamma_2^{\,s}}\end{gathered}"
    )
    torch_note = (
        "torch's betas = (β₁, β₂) are the lecture's (γ₂, γ). The lecture's slide writes |L|; it is the "
        "gradient's magnitude |∇L|, and torch adds ε inside the max. Only the first moment is bias-corrected."
    )
    defaults = {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0}

    def __init__(
        self,
        params: Sequence[np.ndarray],
        lr: float = 2e-3,
        betas: Sequence[float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        check_nonneg("eps", eps)
        self.betas, self.eps = check_betas(betas), float(eps)
        self.exp_avg = [np.zeros_like(p) for p in self.params]
        self.exp_inf = [np.zeros_like(p) for p in self.params]  # u

    def _update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        b1, b2 = self.betas
        m, u = self.exp_avg[i], self.exp_inf[i]
        m += (1.0 - b1) * (g - m)
        u *= b2
        np.maximum(u, np.abs(g) + self.eps, out=u)
        p -= (self.lr / (1.0 - b1**self.steps)) * m / u

    def effective_lr(self) -> list[np.ndarray]:
        """η/u_i per coordinate (applied to ĝ)."""
        return [self.lr / np.where(u > 0, u, np.nan) for u in self.exp_inf]


class NAdam(Optimizer):
    """torch.optim.NAdam: Adam with a Nesterov look-ahead on the first moment and momentum decay."""

    name = "nadam"
    label = "NAdam"
    torch_name = "torch.optim.NAdam"
    latex = (
        r"\mu_s = \beta_1\big(1 - \tfrac12\, 0.96^{\,s\psi}\big),\quad "
        r"w_{i,(s+1)} = w_{i,(s)} - \frac{\eta}{\sqrt{\hat m_{i,(s)}}+\epsilon}"
        r"\Big(\frac{(1-\mu_s)\,\nabla\mathcal{L}(w_{i,(s)})}{1-\prod_{t\le s}\mu_t} + \frac{\mu_{s+1}\, g_{i,(s)}}{1-\prod_{t\le s+1}\mu_t}\Big)"
    )
    torch_note = (
        "g and m̂ as in Adam (torch's betas = the lecture's (γ₂, γ)); ψ is torch's `momentum_decay` (4e-3). "
        "The step mixes the current gradient with the first moment, as Nesterov mixes in the look-ahead."
    )
    defaults = {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "momentum_decay": 4e-3}

    def __init__(
        self,
        params: Sequence[np.ndarray],
        lr: float = 2e-3,
        betas: Sequence[float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        check_nonneg("eps", eps)
        check_nonneg("momentum_decay", momentum_decay)
        self.betas, self.eps, self.momentum_decay = check_betas(betas), float(eps), float(momentum_decay)
        self.exp_avg = [np.zeros_like(p) for p in self.params]
        self.exp_avg_sq = [np.zeros_like(p) for p in self.params]
        self.mu_product = [1.0] * len(self.params)

    def _mu(self, s: int) -> float:
        return self.betas[0] * (1.0 - 0.5 * 0.96 ** (s * self.momentum_decay))

    def _denom(self, i: int) -> np.ndarray:
        return np.sqrt(self.exp_avg_sq[i] / (1.0 - self.betas[1] ** max(self.steps, 1))) + self.eps

    def _update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        b1, b2 = self.betas
        s = self.steps
        mu, mu_next = self._mu(s), self._mu(s + 1)
        self.mu_product[i] *= mu
        m, v = self.exp_avg[i], self.exp_avg_sq[i]
        m += (1.0 - b1) * (g - m)
        v *= b2
        v += (1.0 - b2) * g * g
        denom = self._denom(i)
        p -= (self.lr * (1.0 - mu) / (1.0 - self.mu_product[i])) * g / denom
        p -= (self.lr * mu_next / (1.0 - self.mu_product[i] * mu_next)) * m / denom

    def effective_lr(self) -> list[np.ndarray]:
        """η/(√m̂_i + ε) per coordinate."""
        return [self.lr / self._denom(i) for i in range(len(self.params))]
