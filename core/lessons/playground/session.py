"""One playground run: the data, the network and the engine's Trainer, advanced batch by batch and replayable.

A run is fully determined by its ``PlayConfig`` (seed included) and its step count: ``replay(config, k)``
gives the same weights as playing k batches one frame at a time, so a link can carry just the settings and k.
Training goes through the engine's one loop (``core.engine.train.Trainer``); this module only feeds it
features and records what the page plots once per epoch (full-data train/test loss, per-layer ‖∂L/∂W‖).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from core.engine import train as engine_train
from core.engine.network import MLP
from core.engine.regularizers import REGULARIZERS
from core.engine.schedules import make_schedule
from core.lessons.playground.data import DATASETS, PROBLEMS, Split, make_data, split, with_points
from core.lessons.playground.features import check_features, feature_matrix

Array = np.ndarray
MAX_STEPS = 100_000  # a link may replay at most this many batches
MAX_POINTS = 200  # points a user may add by clicking
# which Trainer penalty field each regularizer sets (biases are never penalized)
PENALTY_FIELD = {"none": None, "L1": "l1", "L2": "l2"}


def derived_seed(seed: int, purpose: int) -> int:
    """An independent 32-bit seed for one purpose (0 data, 1 split, 2 weights, 3 minibatches) from the run's seed."""
    return int(np.random.SeedSequence([int(seed), purpose]).generate_state(1)[0])


@dataclass(frozen=True)
class PlayConfig:
    """Everything that determines a run (the step count aside)."""

    problem: str = "classification"
    dataset: str = "circle"
    classes: int = 3
    noise: float = 0.0  # share in [0, 0.5]
    train_share: float = 0.5
    n: int = 500
    seed: int = 0
    features: tuple[str, ...] = ("x₁", "x₂")
    hidden: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    loss: str = "binary_crossentropy"
    optimizer: str = "sgd"
    lr: float = 0.03
    schedule: str = "constant"
    init: str = "glorot_uniform"
    batch_size: int = 10
    regularizer: str = "none"
    reg_rate: float = 0.0
    dropout: float = 0.0  # share of hidden units dropped in each training batch
    batchnorm: bool = False
    points: tuple[tuple[float, float, float], ...] = ()

    def __post_init__(self) -> None:
        problem = PROBLEMS.get(self.problem)
        if problem is None:
            raise ValueError(f"unknown problem type {self.problem!r}; valid: {', '.join(PROBLEMS)}")
        if self.dataset not in DATASETS or DATASETS[self.dataset].problem != self.problem:
            raise ValueError(f"data set {self.dataset!r} does not belong to problem type {self.problem!r}")
        if self.loss not in problem.losses:
            raise ValueError(f"loss {self.loss!r} does not fit {self.problem}; valid: {', '.join(problem.losses)}")
        check_features(self.features)
        if len(self.hidden) > 6 or any(not 1 <= h <= 8 for h in self.hidden):
            raise ValueError(f"hidden layers: 0–6 layers of 1–8 units, got {self.hidden}")
        if not 1 <= self.batch_size <= 30:
            raise ValueError(f"batch size must lie in 1..30, got {self.batch_size}")
        if self.regularizer not in REGULARIZERS:
            raise ValueError(f"unknown regularizer {self.regularizer!r}; valid: {', '.join(REGULARIZERS)}")
        if not (math.isfinite(self.lr) and self.lr > 0 and math.isfinite(self.reg_rate) and self.reg_rate >= 0):
            raise ValueError("learning rate must be > 0 and the regularization rate ≥ 0")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must lie in [0, 1), got {self.dropout}")
        if len(self.points) > MAX_POINTS:
            raise ValueError(f"at most {MAX_POINTS} added points")

    @property
    def n_outputs(self) -> int:
        """1 for binary classification and regression, k for k classes."""
        return self.classes if PROBLEMS[self.problem].many else 1

    @property
    def layer_sizes(self) -> list[int]:
        """[d, hidden…, outputs]."""
        return [len(self.features), *self.hidden, self.n_outputs]


def train_config(cfg: PlayConfig):
    """The engine's training config for a playground config."""
    penalty = PENALTY_FIELD[cfg.regularizer]
    kw = {penalty: cfg.reg_rate} if penalty else {}
    schedule = None if cfg.schedule == "constant" else make_schedule(cfg.schedule, cfg.lr)
    return engine_train.TrainConfig(loss=cfg.loss, optimizer=cfg.optimizer, lr=cfg.lr, schedule=schedule,
                                    batch_size=cfg.batch_size, dropout=cfg.dropout, seed=derived_seed(cfg.seed, 3),
                                    **kw)


def build_net(cfg: PlayConfig) -> MLP:
    """The network of a config, initialized from its seed."""
    output = PROBLEMS[cfg.problem].output
    return MLP(cfg.layer_sizes, activation=cfg.activation, output=output, init=cfg.init, seed=derived_seed(cfg.seed, 2),
               batchnorm=cfg.batchnorm)


def build_data(cfg: PlayConfig) -> Split:
    """The config's train/test split, with the added points in the training set."""
    X, y = make_data(cfg.dataset, cfg.n, cfg.noise, cfg.classes, derived_seed(cfg.seed, 0))
    sp = split(X, y, cfg.train_share, derived_seed(cfg.seed, 1))
    X_train, y_train = with_points(sp.X_train, sp.y_train, cfg.points)
    return Split(X_train, y_train, sp.X_test, sp.y_test)


@dataclass
class History:
    """One entry per recorded epoch: step, epoch, train loss, test loss, per-layer gradient norms."""

    steps: list[int] = field(default_factory=list)
    epochs: list[float] = field(default_factory=list)
    train: list[float] = field(default_factory=list)
    test: list[float] = field(default_factory=list)
    grad_norms: list[list[float]] = field(default_factory=list)  # [record][layer]


class PlayRun:
    """A live run: ``advance(k)`` trains k more batches through the engine's Trainer."""

    def __init__(self, cfg: PlayConfig) -> None:
        self.config = cfg
        self.data = build_data(cfg)
        self.Phi_train = feature_matrix(self.data.X_train, cfg.features)  # (n_train, d)
        self.Phi_test = feature_matrix(self.data.X_test, cfg.features)  # (n_test, d)
        self.net = build_net(cfg)
        self.trainer = engine_train.Trainer(self.net, self.Phi_train, self.data.y_train, train_config(cfg))
        self.steps_per_epoch = max(1, len(self.Phi_train) // min(cfg.batch_size, len(self.Phi_train)))
        self.history = History()
        self._record()

    @property
    def step(self) -> int:
        """Batches trained so far."""
        return int(self.trainer.step)

    @property
    def epoch(self) -> float:
        """Passes over the training set so far (steps / steps per epoch)."""
        return self.step / self.steps_per_epoch

    @property
    def diverged(self) -> bool:
        """Whether the loss or a gradient stopped being finite."""
        return str(getattr(self.trainer, "status", "")).startswith("diverged")

    def advance(self, steps: int) -> int:
        """Train up to ``steps`` more batches (recording at every epoch's end); the number actually trained."""
        start = self.step
        target = min(start + max(0, int(steps)), MAX_STEPS)
        while self.step < target and not self.diverged:
            before = self.step
            to_record = self.steps_per_epoch - self.step % self.steps_per_epoch
            self.trainer.run(min(to_record, target - self.step))
            if self.step == before:
                break
            if self.step % self.steps_per_epoch == 0 or self.diverged:
                self._record()
        return self.step - start

    def losses(self) -> tuple[float, float, list[float]]:
        """(train loss, test loss, ‖∂L_train/∂W[l]‖ per layer) of the current weights: full data, eval mode
        (running batch-norm statistics, no dropout), no penalty."""
        cfg, net = self.config, self.net
        with np.errstate(all="ignore"):
            train, grads = net.loss_and_grads(self.Phi_train, self.data.y_train, cfg.loss, train=False)
            test = net.eval_loss(self.Phi_test, self.data.y_test, cfg.loss) if len(self.Phi_test) else math.nan
            norms = [float(np.linalg.norm(grads[i])) for i in net.weight_index]
        return float(train), float(test), norms

    def _record(self) -> None:
        if self.history.steps and self.history.steps[-1] == self.step:
            return
        train, test, norms = self.losses()
        h = self.history
        h.steps.append(self.step)
        h.epochs.append(self.epoch)
        h.train.append(train)
        h.test.append(test)
        h.grad_norms.append(norms)


def replay(cfg: PlayConfig, steps: int) -> PlayRun:
    """A fresh run of ``cfg`` trained ``steps`` batches: what a link with that step count shows."""
    run = PlayRun(cfg)
    run.advance(steps)
    return run
