"""Section 2: capacity and memorization — a width sweep, training on shuffled labels, and bottleneck layers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from core.engine.network import MLP
from core.engine.train import TrainConfig, Trainer
from core.lessons.model_selection.data import N_CLASSES, digits_split, shuffled_labels
from core.lessons.model_selection.runs import fit, one_thread
from core.lessons.model_selection.stacked import Stack

Array = np.ndarray
WIDTHS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
BOTTLENECKS = (2, 4, 8, 16, 32)
MEMO_VAL = 200  # validation images of the memorization curves


def _config(lr: float, batch_size: int | None, seed: int) -> TrainConfig:
    return TrainConfig("crossentropy", "adam", lr=lr, batch_size=batch_size, seed=seed)


@dataclass(frozen=True)
class Sweep:
    """Final training and validation accuracy per network, with its number of parameters."""

    labels: list[str]  # e.g. "64-32-10"
    widths: list[int]  # the varied layer's width
    n_params: list[int]
    train_acc: list[float]
    val_acc: list[float]


def _sweep(hidden_per_run: Sequence[Sequence[int]], varied: Sequence[int], n_train: int, epochs: int,
           label_noise: float, seed: int, lr: float = 1e-2, batch_size: int = 30) -> Sweep:
    """Each 64-hidden-10 net (ReLU, He init, Adam) as ``fit`` trains it alone, all in one stacked run."""
    split = digits_split(n_train, label_noise, seed=seed)
    nets = [MLP([split.X_train.shape[1], *hidden, N_CLASSES], activation="relu", output="softmax", init="he_normal",
                seed=seed) for hidden in hidden_per_run]
    n_params = [net.n_params for net in nets]
    stack = Stack(nets)
    trainer = Trainer(stack, split.X_train, split.y_train, _config(lr, batch_size, seed))
    with one_thread():
        trainer.run(epochs * trainer.steps_per_epoch)
        train_acc, val_acc = stack.accuracies(split.X_train, split.y_train), stack.accuracies(split.X_val, split.y_val)
    labels = ["-".join(map(str, [64, *hidden, 10])) for hidden in hidden_per_run]
    return Sweep(labels, list(varied), n_params, [float(a) for a in train_acc], [float(a) for a in val_acc])


def width_sweep(widths: Sequence[int] = WIDTHS, n_train: int = 360, epochs: int = 10, label_noise: float = 0.0,
                seed: int = 0) -> Sweep:
    """64-w-10 for each width w: underfitting at small w, training accuracy → 100 % as capacity grows."""
    return _sweep([[w] for w in widths], widths, n_train, epochs, label_noise, seed)


def bottleneck_sweep(first: int = 256, bottlenecks: Sequence[int] = BOTTLENECKS, n_train: int = 360,
                     epochs: int = 10, seed: int = 0) -> Sweep:
    """64-first-k-10 for each bottleneck k: what a k-unit layer lets through to the 10 outputs."""
    return _sweep([[first, k] for k in bottlenecks], bottlenecks, n_train, epochs, 0.0, seed)


@dataclass(frozen=True)
class Memorization:
    """Per-epoch training and validation accuracy with the true and with shuffled training labels."""

    epochs: Array  # (E,)
    true_train: Array
    true_val: Array
    shuffled_train: Array
    shuffled_val: Array
    n_params: int
    n_train: int


def memorization(width: int = 256, n_train: int = 150, epochs: int = 60, lr: float = 1e-2,
                 seed: int = 0) -> Memorization:
    """64-width-10 trained full-batch on n_train digits, once with their labels and once with the labels permuted;
    validation accuracy on the first MEMO_VAL validation images."""
    full = digits_split(n_train, 0.0, seed=seed)
    split = replace(full, X_val=full.X_val[:MEMO_VAL], y_val=full.y_val[:MEMO_VAL])  # evaluated every epoch: keep it small
    true = fit(split, [width], _config(lr, None, seed), epochs, seed=seed)
    shuffled = fit(shuffled_labels(split, seed), [width], _config(lr, None, seed), epochs, seed=seed)
    return Memorization(np.asarray(true.history["epoch"]), np.asarray(true.history["train_acc"]),
                        np.asarray(true.history["val_acc"]), np.asarray(shuffled.history["train_acc"]),
                        np.asarray(shuffled.history["val_acc"]), true.net.n_params, n_train)
