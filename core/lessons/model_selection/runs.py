"""One way to train a network on a Split: the engine's Trainer with per-epoch evaluation, on one BLAS thread."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits  # a scikit-learn dependency

from core.engine.callbacks import Callback, EvaluateEachEpoch
from core.engine.network import MLP
from core.engine.train import TrainConfig, Trainer
from core.lessons.model_selection.data import N_CLASSES, Split

Array = np.ndarray
METRICS = ("train_loss", "val_loss", "train_acc", "val_acc")


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Small matrices on a shared 2-core machine: one BLAS thread is many times faster than two that spin."""
    with threadpool_limits(1, user_api="blas"):
        yield


@dataclass(frozen=True)
class Run:
    """A finished training run: the network, the trainer (steps, minibatch losses, status) and per-epoch metrics."""

    net: MLP
    trainer: Trainer
    history: dict[str, list[float]]  # epoch, train_loss, val_loss, train_acc, val_acc


def fit(split: Split, hidden: Sequence[int], config: TrainConfig, epochs: int, *, activation: str = "relu",
        init: str = "he_normal", batchnorm: bool = False, seed: int = 0,
        callbacks: Sequence[Callback] = (), evaluate: bool = True) -> Run:
    """Train 64-hidden-10 (softmax, cross-entropy) for ``epochs`` epochs; callbacks run after the evaluation.

    With ``evaluate=False`` the metrics are measured once, after the last epoch (history holds one row).
    """
    net = MLP([split.X_train.shape[1], *hidden, N_CLASSES], activation=activation, output="softmax", init=init,
              seed=seed, batchnorm=batchnorm)
    evaluator = EvaluateEachEpoch(split.X_val, split.y_val)
    trainer = Trainer(net, split.X_train, split.y_train, config, [evaluator, *callbacks] if evaluate else callbacks)
    with one_thread():
        trainer.run(epochs * trainer.steps_per_epoch)
        if not evaluate:
            evaluator.on_epoch_end(trainer)
    return Run(net, trainer, evaluator.history)

