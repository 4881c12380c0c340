"""Section 5: batch norm — a deep sigmoid network that stalls without it, pre-activations per layer, running statistics.

A probe callback records, at chosen steps, quantiles of what enters each hidden layer's sigmoid on a fixed
batch as training sees it (Z[l] without batch norm, BN(Z[l]) with the batch's own statistics, on a copy of the
network so the running statistics stay untouched), and after every step layer 1's batch mean of Z and its
running mean, so the page can show both converging.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.callbacks import Callback
from core.engine.network import MLP
from core.engine.train import TrainConfig, Trainer
from core.lessons.model_selection.data import digits_split
from core.lessons.model_selection.runs import one_thread

Array = np.ndarray
QUANTILES = (0.01, 0.25, 0.5, 0.75, 0.99)


class Probe(Callback):
    """Quantiles (layer, q) of each hidden layer's sigmoid input on X_probe at ``at_steps``; layer ``unit_layer``'s
    batch mean and running mean of unit ``unit`` after every step."""

    def __init__(self, X_probe: Array, at_steps: tuple[int, ...], unit_layer: int = 0, unit: int = 0) -> None:
        self.X, self.at_steps, self.layer, self.unit = X_probe, set(at_steps), unit_layer, unit
        self.quantiles: dict[int, Array] = {}  # step → (hidden layers, len(QUANTILES))
        self.batch_mean: list[float] = []
        self.running_mean: list[float] = []
        self.batch_var: list[float] = []
        self.running_var: list[float] = []

    def record(self, net: MLP, step: int) -> None:
        """Quantiles of f's input per hidden layer, from a training-mode pass (batch statistics) over X_probe."""
        cache = net.copy().forward_cache(self.X, train=True)
        inputs = [z if bn is None else bn.out for z, bn in zip(cache.Z[:-1], cache.bn[:-1] or [None] * len(cache.Z))]
        self.quantiles[step] = np.array([np.quantile(z, QUANTILES) for z in inputs])

    def on_step_end(self, trainer: Trainer) -> None:
        net = trainer.net
        if net.batchnorm:
            Z = trainer.cache.Z[self.layer][:, self.unit]  # this minibatch's pre-activations of the unit
            self.batch_mean.append(float(Z.mean()))
            self.batch_var.append(float(Z.var(ddof=1)))
            self.running_mean.append(float(net.stats[self.layer].mean[self.unit]))
            self.running_var.append(float(net.stats[self.layer].var[self.unit]))
        if trainer.step in self.at_steps:
            self.record(net, trainer.step)


@dataclass(frozen=True)
class DeepRun:
    """A deep sigmoid network trained with or without batch norm."""

    batchnorm: bool
    losses: Array  # (steps,) minibatch loss
    val_acc: float
    quantiles: dict[int, Array]  # step → (hidden layers, len(QUANTILES)) of the sigmoid's input
    batch_mean: Array  # (steps,) layer-1 unit-0 batch mean of Z (batch norm only)
    running_mean: Array
    batch_var: Array
    running_var: Array


def deep_sigmoid(batchnorm: bool, depth: int = 8, width: int = 32, steps: int = 300, lr: float = 0.1,
                 checkpoints: tuple[int, ...] = (0, 30, 300), seed: int = 0) -> DeepRun:
    """64-[width]×depth-10 sigmoid net, Glorot init, plain SGD (η = lr), batches of 30, with or without batch norm."""
    split = digits_split(1000, 0.0, seed=seed)
    net = MLP([64, *[width] * depth, 10], activation="sigmoid", output="softmax", init="glorot_normal",
              seed=seed, batchnorm=batchnorm)
    probe = Probe(split.X_val[:200], tuple(checkpoints))
    config = TrainConfig("crossentropy", "sgd", lr=lr, batch_size=30, seed=seed)
    trainer = Trainer(net, split.X_train, split.y_train, config, [probe])
    with one_thread():
        if 0 in probe.at_steps:
            probe.record(net, 0)
        trainer.run(steps)
        val_acc = float(np.mean(net.predict(split.X_val) == split.y_val))
    return DeepRun(batchnorm, np.asarray(trainer.losses), val_acc, probe.quantiles, np.asarray(probe.batch_mean),
                   np.asarray(probe.running_mean), np.asarray(probe.batch_var), np.asarray(probe.running_var))
