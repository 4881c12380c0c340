"""Learning-rate schedules η(s), s = 0, 1, 2, … the step index (0 is the first step).

Each entry equals the matching torch.optim.lr_scheduler (or Keras) schedule:

- ``constant``            η₀
- ``exponential``         η₀·e^(−k·s)                 torch ExponentialLR(gamma=e^(−k)); kw ``decay_rate`` = k
- ``keras_exponential``   η₀·r^(s/n)                  Keras ExponentialDecay(η₀, decay_steps=n, decay_rate=r);
                          "×0.96 every 100 steps" is r = 0.96, n = 100 (``staircase`` floors s/n)
- ``inverse_time``        η₀/(1 + k·s)                torch LambdaLR(lambda s: 1/(1 + k·s)); kw ``decay_rate`` = k
- ``step``                η₀·γ^⌊s/step_size⌋          torch StepLR(step_size, gamma)
- ``cyclical``            triangle between η₀ and max_lr, torch CyclicLR(mode="triangular",
                          base_lr=η₀, max_lr, step_size_up=step_size)
- ``cosine_restarts``     η_min + (η₀ − η_min)(1 + cos(π T_cur/T_i))/2, torch CosineAnnealingWarmRestarts(T_0, T_mult, eta_min)

Note the two exponential forms: ``exponential``'s ``decay_rate`` is the rate k in e^(−ks);
``keras_exponential``'s ``decay_rate`` is the factor r applied every ``decay_steps`` steps
(they coincide for k = −ln(r)/n).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def _constant(base_lr: float, s: int) -> float:
    """η₀."""
    return base_lr


def _exponential(base_lr: float, s: int, decay_rate: float) -> float:
    """η₀·e^(−k·s)."""
    return base_lr * math.exp(-decay_rate * s)


def _keras_exponential(base_lr: float, s: int, decay_rate: float, decay_steps: int, staircase: bool) -> float:
    """η₀·r^(s/n), with s/n floored when staircase."""
    p = s // decay_steps if staircase else s / decay_steps
    return base_lr * decay_rate**p


def _inverse_time(base_lr: float, s: int, decay_rate: float) -> float:
    """η₀/(1 + k·s)."""
    return base_lr / (1.0 + decay_rate * s)


def _step(base_lr: float, s: int, step_size: int, gamma: float) -> float:
    """η₀·γ^⌊s/step_size⌋."""
    return base_lr * gamma ** (s // step_size)


def _cyclical(base_lr: float, s: int, max_lr: float, step_size: int) -> float:
    """η₀ + (η_max − η₀)·max(0, 1 − |s/step_size − 2c + 1|), c = ⌊1 + s/(2·step_size)⌋."""
    cycle = math.floor(1 + s / (2 * step_size))
    x = abs(s / step_size - 2 * cycle + 1)
    return base_lr + (max_lr - base_lr) * max(0.0, 1.0 - x)


def _cosine_restarts(base_lr: float, s: int, T_0: int, T_mult: int, eta_min: float) -> float:
    """η_min + (η₀ − η_min)(1 + cos(π·T_cur/T_i))/2, with T_i = T_0·T_mult^(restart index)."""
    T_i, T_cur = T_0, s
    while T_cur >= T_i:  # integer walk over the restarts: exact, no logarithms
        T_cur -= T_i
        T_i *= T_mult
    return eta_min + (base_lr - eta_min) * (1.0 + math.cos(math.pi * T_cur / T_i)) / 2.0


@dataclass(frozen=True)
class Schedule:
    """A registered schedule: η(s) = fn(base_lr, s, **kw), its formula and its keyword defaults."""

    name: str
    label: str
    latex: str
    fn: Callable[..., float]
    defaults: dict[str, Any] = field(default_factory=dict)
    torch_equivalent: str = ""


SCHEDULES: dict[str, Schedule] = {
    s.name: s
    for s in (
        Schedule("constant", "constant", r"\eta_s = \eta_0", _constant, {}, "no scheduler"),
        Schedule(
            "exponential", "exponential", r"\eta_s = \eta_0\, e^{-k s}", _exponential,
            {"decay_rate": 1e-3}, "ExponentialLR(gamma=exp(-k))",
        ),
        Schedule(
            "keras_exponential", "exponential (Keras: ×r every n steps)", r"\eta_s = \eta_0\, r^{\,s/n}",
            _keras_exponential, {"decay_rate": 0.96, "decay_steps": 100, "staircase": False},
            "Keras ExponentialDecay(η₀, decay_steps=n, decay_rate=r); torch LambdaLR(lambda s: r**(s/n))",
        ),
        Schedule(
            "inverse_time", "inverse time", r"\eta_s = \frac{\eta_0}{1 + k s}", _inverse_time,
            {"decay_rate": 1e-2}, "LambdaLR(lambda s: 1/(1 + k*s))",
        ),
        Schedule(
            "step", "step decay", r"\eta_s = \eta_0\, \gamma^{\lfloor s / T \rfloor}", _step,
            {"step_size": 100, "gamma": 0.5}, "StepLR(step_size=T, gamma=γ)",
        ),
        Schedule(
            "cyclical", "cyclical (triangular)",
            r"\eta_s = \eta_0 + (\eta_{\max}-\eta_0)\max\!\big(0,\ 1-\big|\tfrac{s}{T} - 2c + 1\big|\big),"
            r"\ c = \big\lfloor 1 + \tfrac{s}{2T} \big\rfloor",
            _cyclical, {"max_lr": 0.1, "step_size": 100},
            "CyclicLR(base_lr=η₀, max_lr, step_size_up=T, mode='triangular')",
        ),
        Schedule(
            "cosine_restarts", "cosine with warm restarts",
            r"\eta_s = \eta_{\min} + \tfrac12(\eta_0 - \eta_{\min})\big(1 + \cos\tfrac{\pi T_{cur}}{T_i}\big)",
            _cosine_restarts, {"T_0": 100, "T_mult": 1, "eta_min": 0.0},
            "CosineAnnealingWarmRestarts(T_0, T_mult, eta_min)",
        ),
    )
}

_POSITIVE_INT = {"step_size", "decay_steps", "T_0", "T_mult"}


def _validate(name: str, base_lr: float, kw: dict[str, Any]) -> None:
    """Raise ValueError for values the formula cannot use."""
    if not (math.isfinite(base_lr) and base_lr >= 0):
        raise ValueError(f"base_lr must be a finite number ≥ 0, got {base_lr!r}")
    for key, value in kw.items():
        if key in _POSITIVE_INT:
            if int(value) != value or value < 1:
                raise ValueError(f"{key} must be a positive integer, got {value!r}")
        elif key != "staircase" and not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{key} must be a finite number ≥ 0, got {value!r}")
    if name == "keras_exponential" and not 0 < kw["decay_rate"]:
        raise ValueError("decay_rate (the factor r) must be > 0")


def make_schedule(name: str, base_lr: float, **kw: Any) -> Callable[[int], float]:
    """The schedule ``name`` as a function step → learning rate (step 0 is the first)."""
    if name not in SCHEDULES:
        raise ValueError(f"unknown schedule {name!r}; valid names: {', '.join(SCHEDULES)}")
    sched = SCHEDULES[name]
    unknown = set(kw) - set(sched.defaults)
    if unknown:
        valid = ", ".join(sched.defaults) or "none"
        raise ValueError(f"unknown argument(s) {sorted(unknown)} for schedule {name!r}; valid: {valid}")
    args = {**sched.defaults, **kw}
    for key in _POSITIVE_INT & set(args):
        if isinstance(args[key], float) and args[key].is_integer():
            args[key] = int(args[key])
    _validate(name, float(base_lr), args)
    base = float(base_lr)

    def lr_at(step: int) -> float:
        return sched.fn(base, int(step), **args)

    lr_at.__doc__ = f"{name} schedule from η₀ = {base:g} with {args}"
    return lr_at
