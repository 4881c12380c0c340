"""Section 1: training vs validation curves of a network big enough to overfit, and early stopping on them.

The same seeded run is trained twice: once with ``EarlyStopping`` (it stops after ``patience`` epochs without
improvement and restores the best epoch's weights) and once for all epochs, to show what stopping avoided.
Both see the same minibatches, so their curves agree up to the stop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.callbacks import Callback, EarlyStopping, accuracy
from core.engine.train import TrainConfig, Trainer
from core.lessons.model_selection.data import digits_split
from core.lessons.model_selection.runs import METRICS, fit

Array = np.ndarray
MONITORS = {"val_loss": "validation loss", "val_acc": "validation accuracy"}


class MovingAverage(Callback):
    """Publishes ``<monitor>_avg``, the mean of the last ``window`` epochs' ``monitor``, for EarlyStopping to watch."""

    def __init__(self, monitor: str, window: int) -> None:
        if int(window) < 1:
            raise ValueError(f"window must be ≥ 1 epoch, got {window!r}")
        self.monitor, self.window, self.values = monitor, int(window), []

    def on_epoch_end(self, trainer: Trainer) -> None:
        self.values.append(trainer.metrics[self.monitor])
        trainer.metrics = {**trainer.metrics, f"{self.monitor}_avg": float(np.mean(self.values[-self.window:]))}


@dataclass(frozen=True)
class CurveConfig:
    """Network, data and stopping rule of section 1 (and of the dropout comparison in section 4)."""

    width: int = 64
    depth: int = 2  # hidden layers of ``width`` units
    epochs: int = 40
    patience: int = 5
    label_noise: float = 0.2
    monitor: str = "val_loss"
    smooth: int = 1  # epochs in the moving average EarlyStopping watches (1: the raw value)
    dropout: float = 0.0
    n_train: int = 360
    batch_size: int = 30
    lr: float = 5e-3
    seed: int = 0


@dataclass(frozen=True)
class Curves:
    """Per-epoch metrics of the full run and what early stopping did on the same run."""

    epochs: Array  # (E,) 1..E
    metrics: dict[str, Array]  # train_loss, val_loss, train_acc, val_acc, each (E,)
    monitored: Array  # (E,) the value EarlyStopping watched (moving average of the monitor if smooth > 1)
    best_epoch: int  # the epoch whose weights early stopping kept
    stop_epoch: int | None  # the epoch it stopped at (None: patience never ran out)
    restored_val_acc: float  # validation accuracy of the restored weights
    restored_val_loss: float
    final_val_acc: float  # validation accuracy after all epochs, without stopping
    minibatch_losses: Array  # (steps,) the full run's minibatch losses
    steps_per_epoch: int


def _setup(cfg: CurveConfig):
    split = digits_split(cfg.n_train, cfg.label_noise, seed=cfg.seed)
    config = TrainConfig("crossentropy", "adam", lr=cfg.lr, batch_size=cfg.batch_size, dropout=cfg.dropout,
                         seed=cfg.seed)
    return split, config, [cfg.width] * cfg.depth


def epoch_metrics(cfg: CurveConfig) -> dict[str, Array]:
    """Per-epoch train/validation loss and accuracy of one run over all epochs, without early stopping."""
    split, config, hidden = _setup(cfg)
    run = fit(split, hidden, config, cfg.epochs, seed=cfg.seed)
    return {k: np.asarray(run.history[k]) for k in ("epoch", *METRICS)}


def training_curves(cfg: CurveConfig) -> Curves:
    """Train with and without early stopping; early stopping monitors ``cfg.monitor`` (smoothed over ``cfg.smooth`` epochs)."""
    if cfg.monitor not in MONITORS:
        raise ValueError(f"monitor must be one of {', '.join(MONITORS)}, got {cfg.monitor!r}")
    split, config, hidden = _setup(cfg)
    watched = cfg.monitor if cfg.smooth == 1 else f"{cfg.monitor}_avg"
    average = MovingAverage(cfg.monitor, cfg.smooth)
    stopper = EarlyStopping(watched, patience=cfg.patience, restore_best=True)
    stopped = fit(split, hidden, config, cfg.epochs, seed=cfg.seed, callbacks=[average, stopper])
    full = fit(split, hidden, config, cfg.epochs, seed=cfg.seed)
    restored = stopped.net
    return Curves(
        epochs=np.asarray(full.history["epoch"]),
        metrics={k: np.asarray(full.history[k]) for k in METRICS},
        monitored=moving_average(full.history[cfg.monitor], cfg.smooth),
        best_epoch=stopper.best_epoch,
        stop_epoch=stopper.stopped_epoch,
        restored_val_acc=accuracy(restored, split.X_val, split.y_val),
        restored_val_loss=restored.eval_loss(split.X_val, split.y_val, "crossentropy"),
        final_val_acc=full.history["val_acc"][-1],
        minibatch_losses=np.asarray(full.trainer.losses),
        steps_per_epoch=full.trainer.steps_per_epoch,
    )


def moving_average(values: Array, window: int) -> Array:
    """Trailing mean over ``window`` values (shorter at the start): m_t = mean(v[t−w+1..t])."""
    c = np.cumsum(np.insert(np.asarray(values, dtype=float), 0, 0.0))
    t = np.arange(1, len(values) + 1)
    lo = np.maximum(t - window, 0)
    return (c[t] - c[lo]) / (t - lo)
