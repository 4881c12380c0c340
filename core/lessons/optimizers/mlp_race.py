"""Momentum in practice: the same optimizers training one small MLP on a 2-D toy data set.

Every contestant starts from the same initial weights (same seed) and takes full-batch steps
on the binary cross-entropy, with its own hyper-parameters and learning-rate schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.engine.datasets import make_dataset
from core.engine.callbacks import Callback
from core.engine.network import MLP
from core.engine.train import TrainConfig, Trainer
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


class BlowUp(Callback):
    """Stops a run whose loss exceeds BLOW_UP × its first one; ``at`` is that step (diverged there)."""

    at: int | None = None

    def on_step_end(self, trainer: Trainer) -> None:
        if trainer.loss > BLOW_UP * trainer.losses[0]:
            self.at = trainer.step - 1
            trainer.stop("blew up")


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
        config = TrainConfig("binary_crossentropy", spec.optimizer, lr=lrs[0], hyper=hyper, schedule=lrs.__getitem__)
        blow_up = BlowUp()
        hist = Trainer(net, X, y, config, [blow_up]).run(task.steps)
        diverged = blow_up.at if blow_up.at is not None else hist.steps if hist.diverged else None
        loss = np.full(task.steps + 1, np.nan)
        loss[: len(hist.losses) if diverged is None else diverged] = hist.losses[:diverged]
        if diverged is None:  # the loss after the last step counts too
            loss[task.steps] = hist.final_loss
            if not hist.final_loss <= BLOW_UP * loss[0]:
                diverged, loss[task.steps] = task.steps, np.nan
        with np.errstate(all="ignore"):
            acc = float(np.mean(net.predict(X) == y)) if diverged is None else float("nan")
        curves.append(TrainingCurve(spec.name, loss, acc, diverged))
    return curves
