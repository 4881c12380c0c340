"""Callbacks for ``core.engine.train.Trainer``: hooks at each step end and epoch end that watch or stop training.

``EvaluateEachEpoch`` records train/validation loss and accuracy per epoch and publishes the latest in
``trainer.metrics``; ``EarlyStopping`` watches one of those numbers and stops after ``patience`` epochs
without improvement, restoring the best weights. Put the evaluation before the early stopping.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from core.engine.network import MLP
    from core.engine.train import Trainer

Array = np.ndarray


class Callback:
    """Base class: override what you need; call ``trainer.stop(reason)`` to end training."""

    def on_step_end(self, trainer: Trainer) -> None:
        """After each optimizer step (trainer.step already counts it)."""

    def on_epoch_end(self, trainer: Trainer) -> None:
        """After the last step of each epoch (trainer.epoch already counts it)."""


class CallAfterStep(Callback):
    """Adapts a plain function fn(step, loss, net) -> True-to-stop (the ``train(callback=...)`` form)."""

    def __init__(self, fn: Callable[[int, float, MLP], bool | None]) -> None:
        self.fn = fn

    def on_step_end(self, trainer: Trainer) -> None:
        if self.fn(trainer.step - 1, trainer.loss, trainer.net):
            trainer.stop("stopped by callback")


def accuracy(net: MLP, X: Array, y: Array) -> float:
    """Share of samples whose predicted class equals y (eval mode); nan for a linear (regression) output."""
    if not net.out.classifies:
        return math.nan
    pred = net.predict(X)
    y = np.asarray(y)
    if pred.ndim == 1 and y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    return float(np.mean(pred == y))


class EvaluateEachEpoch(Callback):
    """Per epoch: loss (eval mode, incl. the penalties) and accuracy on the training set and on (X_val, y_val)."""

    def __init__(self, X_val: Array, y_val: Array) -> None:
        self.X_val, self.y_val = np.asarray(X_val, dtype=np.float64), np.asarray(y_val)
        self.history: dict[str, list[float]] = {k: [] for k in ("epoch", "train_loss", "val_loss", "train_acc", "val_acc")}

    def on_epoch_end(self, trainer: Trainer) -> None:
        net, c = trainer.net, trainer.config
        with np.errstate(all="ignore"):
            row = {
                "epoch": trainer.epoch,
                "train_loss": net.eval_loss(trainer.X, trainer.y, c.loss, c.l2, c.l1, c.label_smoothing),
                "val_loss": net.eval_loss(self.X_val, self.y_val, c.loss, c.l2, c.l1, c.label_smoothing),
                "train_acc": accuracy(net, trainer.X, trainer.y),
                "val_acc": accuracy(net, self.X_val, self.y_val),
            }
        for k, v in row.items():
            self.history[k].append(v)
        trainer.metrics = row


class EarlyStopping(Callback):
    """Stop once ``monitor`` has not improved for ``patience`` epochs; keep (and restore) the best weights.

    ``mode`` "min" for losses, "max" for accuracies ("auto": max if the name contains "acc").
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 5, restore_best: bool = True,
                 mode: str = "auto", min_delta: float = 0.0) -> None:
        if int(patience) < 1:
            raise ValueError(f"patience must be ≥ 1 epoch, got {patience!r}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.monitor, self.patience, self.restore_best = monitor, int(patience), restore_best
        self.sign = 1.0 if mode == "max" or (mode == "auto" and "acc" in monitor) else -1.0
        self.min_delta = float(min_delta)
        self.best = -math.inf  # sign·value of the best epoch so far
        self.best_epoch = 0  # epoch whose weights are kept (0: none yet)
        self.best_params: list[Array] | None = None
        self.best_stats: list | None = None
        self.stopped_epoch: int | None = None
        self.wait = 0

    @property
    def best_value(self) -> float:
        """The monitored value at the best epoch."""
        return self.sign * self.best

    def on_epoch_end(self, trainer: Trainer) -> None:
        metrics = trainer.metrics
        if self.monitor not in metrics:
            raise ValueError(f"EarlyStopping monitors {self.monitor!r}, which no earlier callback provides "
                             f"(have: {', '.join(metrics) or 'nothing'}; put EvaluateEachEpoch first)")
        value = self.sign * metrics[self.monitor]
        if value > self.best + self.min_delta:
            self.best, self.best_epoch, self.wait = value, trainer.epoch, 0
            self.best_params = [p.copy() for p in trainer.net.params]
            self.best_stats = [s.copy() for s in trainer.net.stats]
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = trainer.epoch
            if self.restore_best:
                self.restore(trainer.net)
            trainer.stop(f"early stopping (best epoch {self.best_epoch})")

    def restore(self, net: MLP) -> None:
        """Copy the best epoch's weights (and batch-norm running statistics) back into ``net``, in place."""
        if self.best_params is None:
            return
        for p, best in zip(net.params, self.best_params):
            p[...] = best
        net.stats = [s.copy() for s in self.best_stats]
