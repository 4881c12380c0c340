"""Training race: the same network, data, seed and optimizer, once per initializer; only W's start differs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.engine.activations import get_activation
from core.engine.datasets import make_dataset
from core.engine.initializers import get_initializer
from core.engine.network import MLP
from core.engine.optim import OPTIMIZERS
from core.engine.history import History
from core.engine.train import TrainConfig, Trainer

LOSS = "crossentropy"  # on a 2-class softmax: the same as sigmoid + BCE, and NaN-safe when training diverges


@dataclass(frozen=True)
class RaceConfig:
    """depth hidden layers of width units, 2-class softmax output, cross-entropy on a 2-D toy set."""

    inits: tuple[str, ...] = ("zeros", "normal_small", "normal_large", "glorot_normal", "he_normal")
    dataset: str = "circles"
    n: int = 200
    noise: float = 0.1
    depth: int = 6
    width: int = 32
    activation: str = "relu"
    optimizer: str = "sgd"
    lr: float = 0.1
    steps: int = 300
    batch_size: int | None = None  # None: full batch, so the curves show the loss on all the data
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.inits:
            raise ValueError("choose at least one initializer")
        for name in self.inits:
            get_initializer(name)  # ValueError naming the valid choices
        get_activation(self.activation)
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; valid: {', '.join(OPTIMIZERS)}")
        if int(self.depth) < 1 or int(self.width) < 1 or int(self.steps) < 1:
            raise ValueError(f"depth, width and steps must be ≥ 1, got {self.depth}, {self.width}, {self.steps}")


@dataclass(frozen=True)
class Lane:
    """One initializer's run: minibatch loss per step, loss and accuracy on all the data afterwards."""

    init: str
    losses: np.ndarray  # (steps taken,)
    final_loss: float  # nan when training diverged
    accuracy: float
    status: str


def _network(config: RaceConfig, init: str, X: np.ndarray) -> MLP:
    sizes = [X.shape[1]] + [int(config.width)] * int(config.depth) + [2]
    return MLP(sizes, activation=config.activation, output="softmax", init=init, seed=config.seed)


def _lane(init: str, net: MLP, X: np.ndarray, y: np.ndarray, history: History) -> Lane:
    with np.errstate(invalid="ignore"):
        accuracy = float(np.mean(net.predict(X) == y)) if not history.diverged else float("nan")
    return Lane(init, np.asarray(history.losses), float(history.final_loss), accuracy, history.status)


def run_lane(config: RaceConfig, init: str, X: np.ndarray, y: np.ndarray) -> Lane:
    """Train one network from ``init`` for config.steps; the network seed and the minibatch order come from config.seed."""
    return run_lane_at(config, init, X, y, [int(config.steps)])[int(config.steps)]


def run_lane_at(config: RaceConfig, init: str, X: np.ndarray, y: np.ndarray, steps: Sequence[int]) -> dict[int, Lane]:
    """The lane after each of ``steps`` updates, from one run of max(steps): ``run_lane`` with config.steps = s, for
    every s (a step depends only on the steps before it, and ``Trainer.run`` resumes the same seeded stream)."""
    net = _network(config, init, X)
    trainer = Trainer(net, X, y, TrainConfig(LOSS, config.optimizer, config.lr, batch_size=config.batch_size,
                                             seed=config.seed))
    lanes: dict[int, Lane] = {}
    for s in sorted(set(int(s) for s in steps)):
        if s < 1:
            raise ValueError(f"steps must be ≥ 1, got {s}")
        lanes[s] = _lane(init, net, X, y, trainer.run(s - trainer.step))  # a diverged run takes no more steps
    return lanes


def race_data(config: RaceConfig) -> tuple[np.ndarray, np.ndarray]:
    """The race's data set (X (n, 2), y (n,)), drawn from config.seed: the same for every lane."""
    return make_dataset(config.dataset, n=config.n, noise=config.noise, seed=config.seed)


def run_race(config: RaceConfig) -> list[Lane]:
    """One Lane per initializer in config.inits, all on the same data drawn from config.seed."""
    X, y = race_data(config)
    return [run_lane(config, init, X, y) for init in dict.fromkeys(config.inits)]
