"""Section 3: L1 vs L2 on the same network — where the weights end up, what validation says, weight decay ⇔ L2.

L1 descends λ·sign(w) (torch's subgradient): a weight near 0 is pushed across it by η·λ each step and jitters
there instead of settling at exactly 0. A proximal step — soft-thresholding after each update,
w ← sign(w)·max(|w| − η·λ, 0) — lands on exactly 0; it runs here as a callback after the optimizer's step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.callbacks import Callback
from core.engine.network import MLP
from core.engine.train import TrainConfig, Trainer
from core.lessons.model_selection.data import digits_split
from core.lessons.model_selection.runs import fit, one_thread

Array = np.ndarray
SMALL = 1e-3  # |w| below this counts as "zero" for the subgradient method
PENALTIES = ("none", "L1", "L2", "L1 proximal")
HIDDEN = (128,)
LR = 0.1  # plain SGD: the proximal step is exact for it


class SoftThreshold(Callback):
    """After each step: w ← sign(w)·max(|w| − η·λ, 0) on every weight matrix (the proximal step of λ·Σ|w|)."""

    def __init__(self, lam: float) -> None:
        self.lam = float(lam)

    def on_step_end(self, trainer: Trainer) -> None:
        shrink = trainer.optimizer.lr * self.lam
        for W in trainer.net.W:
            np.copyto(W, np.sign(W) * np.maximum(np.abs(W) - shrink, 0.0))


@dataclass(frozen=True)
class PenaltyRun:
    """One trained network: all its weights (flattened), their small/zero shares, accuracies."""

    name: str
    weights: Array  # (n_weights,) every entry of every W, biases excluded
    small_share: float  # share with |w| < SMALL
    zero_share: float  # share exactly 0
    train_acc: float
    val_acc: float
    train_loss: float  # data loss only, without the penalty


def compare_penalties(lam: float = 1e-3, epochs: int = 30, label_noise: float = 0.2, n_train: int = 360,
                      seed: int = 0) -> list[PenaltyRun]:
    """64-128-10 with plain SGD (η = 0.1) and no penalty, L1, L2 and proximal L1, all at the same λ."""
    if lam < 0:
        raise ValueError(f"λ must be ≥ 0, got {lam}")
    split = digits_split(n_train, label_noise, seed=seed)
    runs = []
    for name in PENALTIES:
        penalty = {"L1": {"l1": lam}, "L2": {"l2": lam}}.get(name, {})
        config = TrainConfig("crossentropy", "sgd", lr=LR, batch_size=30, seed=seed, **penalty)
        callbacks = [SoftThreshold(lam)] if name == "L1 proximal" else []
        run = fit(split, HIDDEN, config, epochs, seed=seed, callbacks=callbacks, evaluate=False)
        w = np.concatenate([W.ravel() for W in run.net.W])
        runs.append(PenaltyRun(name, w, float(np.mean(np.abs(w) < SMALL)), float(np.mean(w == 0.0)),
                               run.history["train_acc"][-1], run.history["val_acc"][-1],
                               run.net.eval_loss(split.X_train, split.y_train, "crossentropy")))
    return runs


@dataclass(frozen=True)
class DecayCheck:
    """Two ways to regularize, trained side by side: the largest weight and bias differences after ``steps`` steps."""

    left: str
    right: str
    steps: int
    max_dW: float
    max_db: float


DECAY_PAIRS = (  # (label, optimizer, penalty in the loss?, decay on W only?) × 2: the same λ as weight_decay or as l2
    (("SGD, weight_decay = λ", "sgd", False, False), ("SGD, loss + λ/2·‖W‖²", "sgd", True, False)),
    (("Adam, weight_decay = λ", "adam", False, False), ("Adam, loss + λ/2·‖W‖²", "adam", True, False)),
    (("AdamW, weight_decay = λ", "adamw", False, False), ("Adam, loss + λ/2·‖W‖²", "adam", True, False)),
    (("SGD, weight_decay = λ on W only", "sgd", False, True), ("SGD, loss + λ/2·‖W‖²", "sgd", True, False)),
    (("Adam, weight_decay = λ on W only", "adam", False, True), ("Adam, loss + λ/2·‖W‖²", "adam", True, False)),
)


def weight_decay_vs_l2(lam: float = 1e-2, steps: int = 50, lr: float = 0.05, seed: int = 0) -> list[DecayCheck]:
    """Train 64-32-10 twice per pair from the same start and minibatches: torch-style weight_decay (on W and b, or
    with parameter groups on W only) vs the l2 penalty (on W only)."""
    split = digits_split(360, 0.0, seed=seed)
    out = []
    for left, right in DECAY_PAIRS:
        nets = []
        for _, optimizer, in_loss, weights_only in (left, right):
            net = MLP([64, 32, 10], output="softmax", seed=seed)
            config = TrainConfig("crossentropy", optimizer, lr=lr, batch_size=30, seed=seed,
                                 l2=lam if in_loss else 0.0, hyper={} if in_loss else {"weight_decay": lam},
                                 decay_weights_only=weights_only)
            with one_thread():
                Trainer(net, split.X_train, split.y_train, config).run(steps)
            nets.append(net)
        a, b = nets
        out.append(DecayCheck(left[0], right[0], steps,
                              max(float(np.max(np.abs(x - y))) for x, y in zip(a.W, b.W)),
                              max(float(np.max(np.abs(x - y))) for x, y in zip(a.b, b.b))))
    return out
