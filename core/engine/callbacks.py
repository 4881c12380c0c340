"""Callbacks for ``core.engine.train.Trainer``: hooks at each step end and epoch end that watch or stop training.

``EvaluateEachEpoch`` records train/validation loss and accuracy per epoch (one eval-mode forward pass per set
gives both) and publishes the latest in ``trainer.metrics``; ``EarlyStopping`` watches one of those numbers and
stops after ``patience`` epochs without improvement, restoring the best weights — or, with ``stop=False``, only
records where it would have stopped and lets training run on. Put the evaluation before the early stopping.
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


def evaluate(net: MLP, X: Array, y: Array, loss: str, l2: float = 0.0, l1: float = 0.0,
             label_smoothing: float = 0.0) -> tuple[float, float]:
    """(L(X, y) + penalties, accuracy) from one eval-mode forward pass; accuracy nan for a regression output."""
    cache = net.forward_cache(X, train=False)
    value = net._output_grads(cache, y, loss, label_smoothing)[0] + net._penalize(None, l1, l2)
    if not net.out.classifies:
        return value, math.nan
    pred, y = net.out.predict(cache.A[-1]), np.asarray(y)
    if pred.ndim == 1 and y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    return value, float(np.mean(pred == y))


class EvaluateEachEpoch(Callback):
    """Per epoch: loss (eval mode, incl. the penalties) and accuracy on the training set and on (X_val, y_val)."""

    def __init__(self, X_val: Array, y_val: Array) -> None:
        self.X_val, self.y_val = np.asarray(X_val, dtype=np.float64), np.asarray(y_val)
        self.history: dict[str, list[float]] = {k: [] for k in ("epoch", "train_loss", "val_loss", "train_acc", "val_acc")}

    def on_epoch_end(self, trainer: Trainer) -> None:
        net, c = trainer.net, trainer.config
        with np.errstate(all="ignore"):
            train_loss, train_acc = evaluate(net, trainer.X, trainer.y, c.loss, c.l2, c.l1, c.label_smoothing)
            val_loss, val_acc = evaluate(net, self.X_val, self.y_val, c.loss, c.l2, c.l1, c.label_smoothing)
        row = {"epoch": trainer.epoch, "train_loss": train_loss, "val_loss": val_loss, "train_acc": train_acc,
               "val_acc": val_acc}
        for k, v in row.items():
            self.history[k].append(v)
        trainer.metrics = row


class EarlyStopping(Callback):
    """Stop once ``monitor`` has not improved for ``patience`` epochs; keep (and restore) the best weights.

    ``mode`` "min" for losses, "max" for accuracies ("auto": max if the name contains "acc"). With ``stop=False``
    it only watches: training runs on, and ``stopped_epoch``, ``best_epoch`` and the kept weights are frozen at the
    epoch where it would have stopped. ``waits`` holds the patience counter after every epoch.
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 5, restore_best: bool = True,
                 mode: str = "auto", min_delta: float = 0.0, stop: bool = True) -> None:
        if int(patience) < 1:
            raise ValueError(f"patience must be ≥ 1 epoch, got {patience!r}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.monitor, self.patience, self.restore_best, self.stop = monitor, int(patience), restore_best, bool(stop)
        self.sign = 1.0 if mode == "max" or (mode == "auto" and "acc" in monitor) else -1.0
        self.min_delta = float(min_delta)
        self.best = -math.inf  # sign·value of the best epoch so far
        self.best_epoch = 0  # epoch whose weights are kept (0: none yet)
        self.best_params: list[Array] | None = None
        self.best_stats: list | None = None
        self.stopped_epoch: int | None = None  # the epoch patience ran out (training ended there if stop)
        self.wait = 0
        self.waits: list[int] = []  # the patience counter after each epoch

    @property
    def best_value(self) -> float:
        """The monitored value at the best epoch."""
        return self.sign * self.best

    def observe(self, epoch: int, value: float) -> bool:
        """Take one epoch's monitored value; True when it is a new best (while still watching)."""
        if self.stopped_epoch is not None:  # patience ran out before: what it kept stays
            self.waits.append(self.wait)
            return False
        value = self.sign * value
        improved = value > self.best + self.min_delta
        if improved:
            self.best, self.best_epoch, self.wait = value, epoch, 0
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
        self.waits.append(self.wait)
        return improved

    def on_epoch_end(self, trainer: Trainer) -> None:
        metrics = trainer.metrics
        if self.monitor not in metrics:
            raise ValueError(f"EarlyStopping monitors {self.monitor!r}, which no earlier callback provides "
                             f"(have: {', '.join(metrics) or 'nothing'}; put EvaluateEachEpoch first)")
        watching = self.stopped_epoch is None
        if self.observe(trainer.epoch, metrics[self.monitor]):
            self.best_params = [p.copy() for p in trainer.net.params]
            self.best_stats = [s.copy() for s in trainer.net.stats]
        elif watching and self.stopped_epoch is not None and self.stop:
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


def early_stopping_replay(values, patience: int, mode: str = "min", min_delta: float = 0.0) -> EarlyStopping:
    """EarlyStopping(stop=False) fed a recorded per-epoch series (epoch 1, 2, …): best epoch, stop epoch, waits."""
    watcher = EarlyStopping("replay", patience, restore_best=False, mode=mode, min_delta=min_delta, stop=False)
    for epoch, value in enumerate(values, start=1):
        watcher.observe(epoch, float(value))
    return watcher
