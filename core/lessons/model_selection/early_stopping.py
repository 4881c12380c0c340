"""Section 1: training vs validation curves of a network big enough to overfit, and early stopping on them.

One seeded run trains for all epochs while ``EarlyStopping(stop=False)`` watches it: where it would have stopped
(``patience`` epochs without improvement) and which epoch's weights it would have restored. A stopping run sees
the same minibatches, so up to the stop it *is* this run, and the restored weights are this run's at the best
epoch. The stopping rule only reads the per-epoch numbers, so another patience, monitor or moving average — or
fewer epochs — is a replay of the same history (``early_stopping_replay``), no new training.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.callbacks import Callback, EarlyStopping, early_stopping_replay
from core.engine.train import TrainConfig, Trainer
from core.lessons.model_selection.data import digits_split
from core.lessons.model_selection.runs import METRICS, Run, fit

Array = np.ndarray
MONITORS = {"val_loss": "validation loss", "val_acc": "validation accuracy"}
MAX_EPOCHS = 60  # the longest run the page offers; shorter ones are its first epochs


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
    """Per-epoch metrics of the full run and what early stopping did (or would have done) on it."""

    epochs: Array  # (E,) 1..E
    metrics: dict[str, Array]  # train_loss, val_loss, train_acc, val_acc, each (E,)
    monitored: Array  # (E,) the value EarlyStopping watched (moving average of the monitor if smooth > 1)
    best_epoch: int  # the epoch whose weights early stopping kept
    stop_epoch: int | None  # the epoch it stopped at (None: patience never ran out)
    restored_val_acc: float  # validation accuracy of the restored weights
    restored_val_loss: float
    final_val_acc: float  # validation accuracy after all epochs, without stopping
    waits: Array  # (E,) the patience counter after each epoch


def _setup(cfg: CurveConfig):
    split = digits_split(cfg.n_train, cfg.label_noise, seed=cfg.seed)
    config = TrainConfig("crossentropy", "adam", lr=cfg.lr, batch_size=cfg.batch_size, dropout=cfg.dropout,
                         seed=cfg.seed)
    return split, config, [cfg.width] * cfg.depth


def epoch_metrics(cfg: CurveConfig) -> dict[str, Array]:
    """Per-epoch train/validation loss and accuracy of one run over all ``cfg.epochs``, without early stopping."""
    split, config, hidden = _setup(cfg)
    run = fit(split, hidden, config, cfg.epochs, seed=cfg.seed)
    return {k: np.asarray(run.history[k]) for k in ("epoch", *METRICS)}


def training_curves(cfg: CurveConfig, metrics: dict[str, Array] | None = None) -> Curves:
    """Early stopping on ``cfg.monitor`` (smoothed over ``cfg.smooth`` epochs) over the first ``cfg.epochs`` epochs.

    ``metrics``: ``epoch_metrics`` of the same network and data for at least ``cfg.epochs`` epochs (a longer run
    starts the same: same seed, same minibatches); None trains it here.
    """
    if cfg.monitor not in MONITORS:
        raise ValueError(f"monitor must be one of {', '.join(MONITORS)}, got {cfg.monitor!r}")
    if metrics is None:
        metrics = epoch_metrics(cfg)
    if len(metrics["epoch"]) < cfg.epochs:
        raise ValueError(f"the recorded run has {len(metrics['epoch'])} epochs, fewer than the {cfg.epochs} asked for")
    m = {k: np.asarray(metrics[k][: cfg.epochs]) for k in METRICS}
    monitored = moving_average(m[cfg.monitor], cfg.smooth)
    watcher = early_stopping_replay(monitored, cfg.patience, mode="max" if "acc" in cfg.monitor else "min")
    best = watcher.best_epoch - 1
    return Curves(
        epochs=np.arange(1, cfg.epochs + 1),
        metrics=m,
        monitored=monitored,
        best_epoch=watcher.best_epoch,
        stop_epoch=watcher.stopped_epoch,
        restored_val_acc=float(m["val_acc"][best]),
        restored_val_loss=float(m["val_loss"][best]),
        final_val_acc=float(m["val_acc"][-1]),
        waits=np.asarray(watcher.waits),
    )


def stopping_run(cfg: CurveConfig) -> tuple[EarlyStopping, Run]:
    """The run that really stops: EarlyStopping(stop=True) with restore_best, for checking the replay against."""
    split, config, hidden = _setup(cfg)
    watched = cfg.monitor if cfg.smooth == 1 else f"{cfg.monitor}_avg"
    stopper = EarlyStopping(watched, patience=cfg.patience, restore_best=True)
    run = fit(split, hidden, config, cfg.epochs, seed=cfg.seed, callbacks=[MovingAverage(cfg.monitor, cfg.smooth), stopper])
    return stopper, run


def moving_average(values: Array, window: int) -> Array:
    """Trailing mean over ``window`` values (shorter at the start): m_t = mean(v[t−w+1..t])."""
    c = np.cumsum(np.insert(np.asarray(values, dtype=float), 0, 0.0))
    t = np.arange(1, len(values) + 1)
    lo = np.maximum(t - window, 0)
    return (c[t] - c[lo]) / (t - lo)
