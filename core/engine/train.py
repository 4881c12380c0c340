"""The one NumPy training loop: ``Trainer`` with callbacks, and ``train`` as its one-call wrapper.

Each step samples a minibatch (a fresh permutation per epoch; the incomplete tail of an epoch is
skipped so every batch has the same size), computes loss and gradients in training mode (batch-norm
batch statistics, dropout masks) and lets the optimizer update ``net.params`` in place. ``run(k)`` may
be called again and again: it resumes the same seeded stream, so run(k) equals k × run(1). The loop stops
cleanly when the loss or gradient stops being finite ("diverged") or when a callback calls ``stop``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.engine.callbacks import Callback, CallAfterStep
from core.engine.dropout import check_rate
from core.engine.history import History, check_data, grad_norm
from core.engine.lbfgs import train_lbfgs
from core.engine.losses import get_loss
from core.engine.network import MLP
from core.engine.optim import OPTIMIZERS, decay_groups, make_optimizer
from core.engine.optim.base import check_nonneg

Array = np.ndarray
StepCallback = Callable[[int, float, MLP], "bool | None"]  # (step, loss, net) -> True to stop


@dataclass(frozen=True)
class TrainConfig:
    """What to minimise and how: loss, optimizer (torch names and hyper-parameters), batches, penalties, seed."""

    loss: str
    optimizer: str = "adam"
    lr: float | None = None  # None: the optimizer's default
    hyper: Mapping[str, Any] = field(default_factory=dict)  # e.g. {"betas": (0.9, 0.99)}
    schedule: Callable[[int], float] | None = None  # η(step), overrides lr
    batch_size: int | None = None  # None: full batch
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0
    label_smoothing: float = 0.0
    seed: int | np.random.Generator = 0
    decay_weights_only: bool = False  # hyper's weight_decay on W only, not on b, γ, β (torch's parameter groups)


def final_loss(net: MLP, X: Array, y: Array, config: TrainConfig) -> float:
    """The objective on all of (X, y) in eval mode; nan if not finite."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        value = net.eval_loss(X, y, config.loss, config.l2, config.l1, config.label_smoothing)
    return value if math.isfinite(value) else math.nan


class Trainer:
    """θ ← optimizer(θ, ∇L(minibatch)) step after step; callbacks see every step end and epoch end."""

    def __init__(self, net: MLP, X: Array, y: Array, config: TrainConfig, callbacks: Sequence[Callback] = ()):
        self.net, self.config = net, config
        self.X, self.y = check_data(net, X, y)
        n = self.X.shape[0]
        if config.batch_size is not None and int(config.batch_size) < 1:
            raise ValueError(f"batch_size must be ≥ 1 (or None for full batch), got {config.batch_size!r}")
        get_loss(config.loss)
        check_rate(config.dropout)
        check_nonneg("l1", config.l1)
        check_nonneg("l2", config.l2)
        self.batch_size = n if config.batch_size is None else min(int(config.batch_size), n)
        self.steps_per_epoch = n // self.batch_size
        self.rng = config.seed if isinstance(config.seed, np.random.Generator) else np.random.default_rng(config.seed)
        lr = {} if config.lr is None else {"lr": config.lr}
        self.optimizer = make_optimizer(config.optimizer, *self._param_groups(), **lr, **dict(config.hyper))
        self.callbacks = list(callbacks)
        self.step = 0  # optimizer steps taken
        self.epoch = 0  # epochs completed
        self.losses: list[float] = []
        self.lrs: list[float] = []
        self.grad_norms: list[float] = []
        self.loss = math.nan  # the latest minibatch loss (before its update)
        self.grads: list[Array] = []  # the latest gradients, aligned with net.params
        self.cache = None  # the latest training-mode forward cache (dropout masks, batch-norm statistics)
        self.batch: Array | None = None  # sample indices of the latest minibatch (None: full batch)
        self.metrics: dict[str, float] = {}  # the latest per-epoch numbers callbacks publish (EvaluateEachEpoch)
        self.status = "ready"
        self._stop: str | None = None
        self._order, self._pos = self.rng.permutation(n), 0

    def _param_groups(self) -> tuple[list, list | None]:
        """(params or groups, gradient order) for make_optimizer: with decay_weights_only, λ on the W group only."""
        c, net = self.config, self.net
        if not c.decay_weights_only:
            return net.params, None
        cls = OPTIMIZERS.get(c.optimizer)
        decay = c.hyper.get("weight_decay", cls.defaults.get("weight_decay", 0.0) if cls else 0.0)
        return decay_groups(net.params, net.weight_index, decay), net.params

    @property
    def finished(self) -> bool:
        """True once training diverged or a callback stopped it; run() then does nothing."""
        return self._stop is not None or self.status.startswith("diverged")

    @property
    def layer_grad_norms(self) -> list[float]:
        """‖∂L/∂W[l]‖₂ per layer for the latest step."""
        return [grad_norm([self.grads[i]]) for i in self.net.weight_index] if self.grads else []

    def stop(self, reason: str = "stopped by callback") -> None:
        """Ask the loop to stop after the current step; the status becomes '<reason> at step k'."""
        self._stop = reason

    def _next_batch(self) -> tuple[Array, Array]:
        n, bs = self.X.shape[0], self.batch_size
        if bs == n:
            self.batch = None
            return self.X, self.y
        if self._pos + bs > n:
            self._order, self._pos = self.rng.permutation(n), 0
        self.batch = self._order[self._pos : self._pos + bs]
        self._pos += bs
        return self.X[self.batch], self.y[self.batch]

    def _one_step(self) -> bool:
        """One update; False (and the status set) when the loss or gradient is not finite."""
        c, net, step = self.config, self.net, self.step
        if c.schedule is not None:
            self.optimizer.lr = c.schedule(step)
        Xb, yb = self._next_batch()
        self.cache = net.forward_cache(Xb, c.dropout, self.rng)
        bw = net.backward(self.cache, yb, c.loss, c.l2, c.l1, c.label_smoothing, keep=False)
        norm = grad_norm(bw.grads)
        if not (math.isfinite(bw.loss) and math.isfinite(norm)):
            self.status = f"diverged at step {step}"
            return False
        self.loss, self.grads = bw.loss, bw.grads
        self.losses.append(bw.loss)
        self.lrs.append(float(np.mean(self.optimizer.lr)))
        self.grad_norms.append(norm)
        self.optimizer.step(bw.grads)
        self.step += 1
        return True

    def run(self, steps: int) -> History:
        """Take up to ``steps`` more optimizer steps (fewer if training diverges or is stopped)."""
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
            raise ValueError(f"steps must be an integer ≥ 0, got {steps!r}")
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            for _ in range(steps):
                if self.finished or not self._one_step():
                    break
                self.status = "running"
                for cb in self.callbacks:
                    cb.on_step_end(self)
                if self.step % self.steps_per_epoch == 0:
                    self.epoch += 1
                    for cb in self.callbacks:
                        if self._stop is None:
                            cb.on_epoch_end(self)
                if self._stop is not None:
                    self.status = f"{self._stop} at step {self.step - 1}"
                    break
        if not self.finished:
            self.status = "completed"
        return self.history()

    def history(self) -> History:
        """The losses, learning rates and gradient norms so far, the status and the loss on all of (X, y)."""
        final = final_loss(self.net, self.X, self.y, self.config)
        status = self.status
        if math.isnan(final) and status == "completed" and self.step:
            status = f"diverged at step {self.step}"
        return History(list(self.losses), list(self.lrs), list(self.grad_norms), status, self.step, final,
                       optimizer=self.config.optimizer, n_evals=self.step,
                       extra={"epochs": self.epoch})


def train(
    mlp: MLP,
    X: Array,
    y: Array,
    loss: str,
    optimizer: str = "adam",
    steps: int = 200,
    batch_size: int | None = None,
    lr: float | None = None,
    schedule: Callable[[int], float] | None = None,
    seed: int | np.random.Generator = 0,
    callback: StepCallback | None = None,
    l2: float = 0.0,
    dropout: float = 0.0,
    label_smoothing: float = 0.0,
    l1: float = 0.0,
    **hyper,
) -> History:
    """Minimise L(X, y) by ``steps`` steps of ``optimizer``; θ ← optimizer(θ, ∇L(minibatch)), in place."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be an integer ≥ 0, got {steps!r}")
    config = TrainConfig(loss, optimizer, lr, hyper, schedule, batch_size, l1, l2, dropout, label_smoothing, seed)
    callbacks = () if callback is None else (CallAfterStep(callback),)
    return Trainer(mlp, X, y, config, callbacks).run(steps)

__all__ = ["TrainConfig", "Trainer", "History", "train", "train_lbfgs", "grad_norm", "check_data"]
