"""Inside one step: the gradient, momentum buffer and effective learning rates of one run, step by step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from core.engine.optim import OPTIMIZERS, SGD, make_optimizer
from core.engine.surfaces import Surface
from core.lessons.optimizers.trajectories import DEFAULT_PRECISION, RunSpec, check_run, first_divergence, precision_dtype, run_rows


@dataclass
class Anatomy:
    """One run's inner state at every step k (the step from points[k] to points[k+1]).

    grads (steps, 2): ∇L(w_k); buffers (steps, 2): momentum buffer b_k after step k (SGD family);
    eff_lr (steps, 2): per-coordinate effective η of step k; lrs (steps,): η_k as applied (rounded to the
    precision). All stored as float64; the arrows are exact sums of these values, the steps were taken in ``precision``.
    """

    spec: RunSpec
    points: np.ndarray
    grads: np.ndarray
    lrs: np.ndarray
    buffers: np.ndarray | None = None
    eff_lr: np.ndarray | None = None
    momentum: float = 0.0
    nesterov: bool = False
    diverged_at: int | None = None
    precision: str = DEFAULT_PRECISION

    def first(self, steps: int) -> Anatomy:
        """The same run stopped after ``steps`` steps: what anatomy(..., steps) returns, value for value (as
        ``Trajectory.first``: each step depends on the steps before it only, schedules included)."""
        if not 0 <= steps <= len(self.grads):
            raise ValueError(f"this run has {len(self.grads)} steps, asked for the first {steps}")
        k = self.diverged_at if self.diverged_at is not None and self.diverged_at <= steps else None
        cut = (lambda a: None if a is None else a[:steps].copy())  # noqa: E731
        return replace(self, points=self.points[: steps + 1].copy(), grads=cut(self.grads), lrs=cut(self.lrs),
                       buffers=cut(self.buffers), eff_lr=cut(self.eff_lr), diverged_at=k)

    def arrows(self, k: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """The vectors of step k as (label, tail, head), in the lecture's picture.

        Plain SGD: the gradient step −η_k∇L(w_k) (= the step). Adaptive methods: the steepest-descent
        direction scaled to the step's length, against the step actually taken.
        Momentum (torch): the step −η_k b_k = γv + (−η_k∇L(w_k)) with momentum step γv = −η_kγ b_{k−1}.
        Nesterov (torch stores the look-ahead point w_k = w̃ + γv): from the lecture's weights
        w̃ = w_k − γv the momentum step γv reaches w_k, where the look-ahead gradient is taken;
        the lecture's velocity v_k = γv − η_k∇L(w_k); torch's step lands on the next look-ahead point.
        """
        if not 0 <= k < len(self.grads):
            return []
        w, g, eta, gamma = self.points[k], self.grads[k], self.lrs[k], self.momentum
        grad_step = -eta * g
        actual = self.points[k + 1] - w
        prev = [("previous step", self.points[k - 1], w)] if k > 0 else []
        if self.buffers is None:  # adaptive: compare directions; −η∇L itself can be far longer than the step
            norm = float(np.hypot(*g))
            scaled = -g / norm * float(np.hypot(*actual)) if norm > 0 else np.zeros(2)
            return prev + [("steepest descent −∇L (scaled to the step)", w, w + scaled), ("actual step", w, w + actual)]
        if gamma == 0.0:
            return prev + [("gradient step −η∇L(w)", w, w + grad_step), ("actual step", w, w + actual)]
        b_prev = self.buffers[k - 1] if k > 0 else np.zeros(2)
        mom = -eta * gamma * b_prev  # γv with v = −η b
        if not self.nesterov:
            return prev + [
                ("momentum step γv", w, w + mom),
                ("gradient step −η∇L(w)", w, w + grad_step),
                ("actual step", w, w + actual),
            ]
        w_lec = w - mom
        return [
            ("momentum step γv", w_lec, w),
            ("look-ahead gradient step −η∇L(w+γv)", w, w + grad_step),
            ("lecture's step v = γv − η∇L(w+γv)", w_lec, w_lec + mom + grad_step),
            ("actual step (torch)", w, w + actual),
        ]


def anatomy(surface: Surface, spec: RunSpec, start: Sequence[float], steps: int,
            precision: str = DEFAULT_PRECISION) -> Anatomy:
    """Replay one run in ``precision``, recording the gradient and the optimizer state of every step (stored as float64)."""
    dtype = precision_dtype(precision)
    start_arr = check_run(steps, start)
    hyper = dict(spec.hyper)
    hyper.pop("lr", None)
    lrs = spec.lr_schedule(steps)
    is_sgd = issubclass(OPTIMIZERS[spec.optimizer], SGD)
    grads = np.empty((steps, 2))
    state = np.zeros((steps, 2))  # SGD family: the momentum buffer; adaptive methods: the effective rates

    def record(k: int, opts: list[Any], G: np.ndarray) -> None:
        opt = opts[0]
        grads[k] = G[0]
        if not is_sgd:
            state[k] = opt.effective_lr()[0][0]
        elif opt.momentum_buffer[0] is not None:
            state[k] = opt.momentum_buffer[0][0]

    H = run_rows(surface, spec.optimizer, hyper, lrs[:, None], start_arr, callback=record, precision=precision)
    probe = make_optimizer(spec.optimizer, [np.zeros(2)], **hyper)
    k = int(first_divergence(surface, H)[0])
    return Anatomy(
        spec=spec, points=H[:, 0].astype(float), grads=grads, lrs=lrs.astype(dtype).astype(float),
        buffers=state if is_sgd else None, eff_lr=None if is_sgd else state,
        momentum=getattr(probe, "momentum", 0.0) if is_sgd else 0.0,
        nesterov=bool(getattr(probe, "nesterov", False)),
        diverged_at=None if k < 0 else k, precision=precision,
    )
