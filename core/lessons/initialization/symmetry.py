"""Symmetry: hidden units that start equal get equal gradients and so stay equal, however long we train.

Hidden unit j of layer l is described by its incoming weights W^(l)[:, j], its bias b^(l)[j] and
its outgoing weights W^(l+1)[j, :]. If two units agree on all three, they compute the same a_j for
every input and receive the same ∂L/∂W, so gradient descent keeps them equal: the layer behaves
like a single unit. A constant start (W = c, or W = 0) makes every unit of a layer equal; random
weights break the tie.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.activations import get_activation
from core.engine.datasets import make_dataset
from core.engine.initializers import INITIALIZERS, get_initializer
from core.engine.network import MLP
from core.engine.train import train

CONSTANT = "constant"  # W = c everywhere, b = 0: not a registry entry since nobody should use it
STARTS = (CONSTANT, *INITIALIZERS)
LOSS = "crossentropy"  # on a 2-class softmax: the same as sigmoid + BCE, and NaN-safe when training diverges


@dataclass(frozen=True)
class SymmetryConfig:
    """A small binary classifier on a toy set, trained with plain full-batch gradient descent."""

    start: str = CONSTANT  # "constant" or a registry initializer name
    value: float = 0.5  # c for the constant start
    hidden: tuple[int, ...] = (6, 6)
    activation: str = "tanh"
    steps: int = 100
    lr: float = 0.5
    dataset: str = "moons"
    n: int = 200
    noise: float = 0.2
    seed: int = 0

    def __post_init__(self) -> None:
        if self.start not in STARTS:
            raise ValueError(f"unknown start {self.start!r}; valid: {', '.join(STARTS)}")
        get_activation(self.activation)
        if not self.hidden or any(int(h) < 1 for h in self.hidden):
            raise ValueError(f"hidden must list at least one positive layer width, got {self.hidden!r}")
        if int(self.steps) < 0:
            raise ValueError(f"steps must be ≥ 0, got {self.steps!r}")
        if not np.isfinite(self.value):
            raise ValueError(f"the constant c must be finite, got {self.value!r}")


@dataclass(frozen=True)
class SymmetryRun:
    """Weights before and after training, distinct hidden units per hidden layer, and the loss curve."""

    config: SymmetryConfig
    before: list[np.ndarray]  # W^(l) (fan_in, fan_out), l = 1..L
    after: list[np.ndarray]
    distinct_before: list[int]  # one count per hidden layer
    distinct_after: list[int]
    losses: np.ndarray  # (steps,)
    accuracy: float  # training accuracy after training


def initial_params(layer_sizes: list[int], start: str, value: float = 0.5, seed: int = 0) -> list[np.ndarray]:
    """[W1, b1, W2, b2, ...]: W = c (start "constant") or drawn from the registry initializer; b = 0."""
    if start not in STARTS:
        raise ValueError(f"unknown start {start!r}; valid: {', '.join(STARTS)}")
    rng = np.random.default_rng(seed)
    params: list[np.ndarray] = []
    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        if start == CONSTANT:
            params.append(np.full((fan_in, fan_out), float(value)))  # W (fan_in, fan_out)
        else:
            params.append(get_initializer(start)(fan_in, fan_out, rng))
        params.append(np.zeros(fan_out))  # b (fan_out,)
    return params


def distinct_units(W_in: np.ndarray, b: np.ndarray, W_out: np.ndarray, tol: float = 1e-6) -> int:
    """Number of groups of equal units, unit j ↦ (W_in[:, j], b[j], W_out[j, :]), equal within tol·max(1, max|w|)."""
    U = np.column_stack([np.asarray(W_in).T, np.asarray(b)[:, None], np.asarray(W_out)])  # (n_units, ...)
    scale = max(1.0, float(np.max(np.abs(U)))) if U.size else 1.0
    representatives: list[np.ndarray] = []
    for u in U:
        if not any(np.max(np.abs(u - r)) <= tol * scale for r in representatives):
            representatives.append(u)
    return len(representatives)


def count_distinct_units(params: list[np.ndarray], tol: float = 1e-6) -> list[int]:
    """distinct_units for every hidden layer of [W1, b1, W2, b2, ...]."""
    Ws, bs = params[0::2], params[1::2]
    return [distinct_units(Ws[l], bs[l], Ws[l + 1], tol) for l in range(len(Ws) - 1)]


def run_symmetry(config: SymmetryConfig) -> SymmetryRun:
    """Train from the configured start for config.steps steps of full-batch SGD; count distinct units."""
    X, y = make_dataset(config.dataset, n=config.n, noise=config.noise, seed=config.seed)
    sizes = [X.shape[1], *[int(h) for h in config.hidden], 2]
    params = initial_params(sizes, config.start, config.value, config.seed)
    net = MLP.from_params(params, activation=config.activation, output="softmax")
    history = train(net, X, y, LOSS, optimizer="sgd", steps=int(config.steps),
                    lr=config.lr, seed=config.seed)
    accuracy = float(np.mean(net.predict(X) == y))
    return SymmetryRun(
        config=config,
        before=[W.copy() for W in params[0::2]],
        after=[W.copy() for W in net.W],
        distinct_before=count_distinct_units(params),
        distinct_after=count_distinct_units(net.params),
        losses=np.asarray(history.losses),
        accuracy=accuracy,
    )
