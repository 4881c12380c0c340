"""Momentum in practice: the same optimizers training one small MLP on a 2-D toy data set.

Every contestant starts from the same initial weights (same seed) and takes full-batch steps
on the binary cross-entropy, with its own hyper-parameters and learning-rate schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.engine.datasets import make_dataset
from core.engine.network import MLP
from core.engine.optim import make_optimizer
from core.lessons.optimizers.trajectories import RunSpec


@dataclass(frozen=True)
class MLPTask:
    """What the contestants train: data set, network shape, number of full-batch steps, seed."""

    dataset: str = "moons"
    n: int = 200
    noise: float = 0.2
    hidden: tuple[int, ...] = (16, 16)
    activation: str = "tanh"
    steps: int = 200
    seed: int = 0


BLOW_UP = 100.0  # a loss above BLOW_UP × the initial loss counts as diverged


@dataclass
class TrainingCurve:
    """Loss before each step (steps+1,), NaN after divergence; final training accuracy."""

    name: str
    loss: np.ndarray
    accuracy: float
    diverged_at: int | None = None


def train_race(specs: Sequence[RunSpec], task: MLPTask = MLPTask()) -> list[TrainingCurve]:
    """Train one copy of the same MLP per spec; returns the loss curves.

    A run stops (diverged) when its loss or gradients stop being finite or the loss exceeds BLOW_UP × its start.
    """
    if not 1 <= task.steps <= 5000:
        raise ValueError(f"steps must be in [1, 5000], got {task.steps}")
    X, y = make_dataset(task.dataset, n=task.n, noise=task.noise, seed=task.seed)
    sizes = [X.shape[1], *task.hidden, 1]
    curves = []
    for spec in specs:
        net = MLP(sizes, activation=task.activation, output="sigmoid", init="glorot_normal", seed=task.seed)
        hyper = dict(spec.hyper)
        hyper.pop("lr", None)
        lrs = spec.lr_schedule(task.steps)
        opt = make_optimizer(spec.optimizer, net.params, **hyper, lr=lrs[0])
        loss = np.full(task.steps + 1, np.nan)
        diverged = None
        with np.errstate(all="ignore"):
            for k in range(task.steps + 1):
                value, grads = net.loss_and_grads(X, y, "binary_crossentropy")
                blown = k > 0 and value > BLOW_UP * loss[0]
                if blown or not np.isfinite(value) or not all(np.all(np.isfinite(g)) for g in grads):
                    diverged = k
                    break
                loss[k] = value
                if k == task.steps:
                    break
                opt.lr = lrs[k]
                opt.step(grads)
            acc = float(np.mean(net.predict(X) == y)) if diverged is None else float("nan")
        curves.append(TrainingCurve(spec.name, loss, acc, diverged))
    return curves
