"""Signal through depth: how an initializer scales activations a^(l) and gradients ∂L/∂a^(l) layer by layer.

A batch of standard-normal inputs X (batch, width) goes through ``depth`` hidden layers of
``width`` units, so every hidden weight matrix is square (fan_in = fan_out = width), and then a
softmax output over N_CLASSES classes with random labels and the cross-entropy loss. The output
gradient (p − onehot(y))/n stays O(1/n) whatever the forward scale, so what happens to ∂L/∂a^(l)
on the way down is the backward pass's own doing. One forward and backward pass
(core.depth.probe_depth) gives every layer's values; this module boils them down to a few numbers
per layer (quantiles for box plots, std, RMS) so the page never ships raw samples to the browser.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.activations import get_activation
from core.depth import probe_depth
from core.initializers import get_initializer

N_CLASSES = 10
QUANTILES = (0.01, 0.25, 0.5, 0.75, 0.99)  # whisker, box, median, box, whisker
MAX_VALUES = 32_768  # quantiles from at most this many values per layer (whole rows of the batch)
DEPTH_RANGE = (1, 30)
WIDTH_RANGE = (2, 1024)
BATCH_RANGE = (2, 1024)


@dataclass(frozen=True)
class SignalConfig:
    """One pass: depth hidden layers of width units, activation f, initializer, batch of N(0, 1) inputs."""

    depth: int = 10
    width: int = 256
    activation: str = "relu"
    init: str = "he_normal"
    batch: int = 128
    seed: int = 0

    def __post_init__(self) -> None:
        get_activation(self.activation)  # ValueError naming the valid choices
        get_initializer(self.init)
        for name, (lo, hi) in (("depth", DEPTH_RANGE), ("width", WIDTH_RANGE), ("batch", BATCH_RANGE)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
                raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {value!r}")


@dataclass(frozen=True)
class LayerSummary:
    """Per-layer statistics of one quantity (activations or gradients) over all batch × unit values.

    Row l describes hidden layer l+1. Non-finite values (overflow) make that layer's entries NaN.
    """

    quantiles: np.ndarray  # (n_layers, len(QUANTILES))
    std: np.ndarray  # (n_layers,) σ = sqrt(mean((v − mean v)²))
    rms: np.ndarray  # (n_layers,) sqrt(mean(v²)): the second moment He init keeps constant under ReLU
    mean: np.ndarray  # (n_layers,)

    @property
    def n_layers(self) -> int:
        return len(self.std)


@dataclass(frozen=True)
class SignalReport:
    """What the "signal through depth" section shows for one configuration."""

    config: SignalConfig
    sigma: float  # σ of one weight for fan_in = fan_out = width
    activations: LayerSummary  # a^(l), l = 1..depth
    gradients: LayerSummary  # ∂L/∂a^(l), l = 1..depth
    dead_fraction: np.ndarray  # (depth,) units that output exactly 0 for every input
    loss: float

    @property
    def first_overflow(self) -> int | None:
        """The first hidden layer (1-based) whose activations or gradients stopped being finite, else None."""
        bad = ~np.isfinite(self.activations.std) | ~np.isfinite(self.gradients.std)
        return int(np.argmax(bad)) + 1 if bad.any() else None


def summarize_layers(values: list[np.ndarray], max_values: int = MAX_VALUES) -> LayerSummary:
    """std, RMS and mean over all values of each layer; QUANTILES over its first ⌈max_values/width⌉ rows."""
    if not values:
        raise ValueError("summarize_layers needs at least one layer")
    qs, stds, rmss, means = [], [], [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for V in values:
            V = np.asarray(V, dtype=np.float64)  # (n_samples, n_units)
            if V.ndim != 2 or V.size == 0:
                raise ValueError(f"each layer must be a non-empty (n_samples, n_units) array, got {V.shape}")
            if not np.all(np.isfinite(V)):
                qs.append(np.full(len(QUANTILES), np.nan))
                for stat in (stds, rmss, means):
                    stat.append(np.nan)
                continue
            rows = max(1, -(-max_values // V.shape[1]))  # the batch rows are i.i.d., so any rows are a fair sample
            qs.append(np.quantile(V[:rows], QUANTILES))
            means.append(float(V.mean()))
            rmss.append(float(np.sqrt(np.mean(V * V))))
            stds.append(float(V.std()))
    return LayerSummary(np.array(qs), np.array(stds), np.array(rmss), np.array(means))


def standard_normal_batch(batch: int, width: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs X (batch, width) with i.i.d. N(0, 1) entries and random labels y (batch,) in [0, N_CLASSES)."""
    rng = np.random.default_rng([int(seed), 0])
    return rng.standard_normal((batch, width)), rng.integers(0, N_CLASSES, size=batch)


def signal_through_depth(config: SignalConfig) -> SignalReport:
    """One forward/backward pass of the configured MLP on N(0, 1) inputs, summarised per hidden layer.

    The same seed gives the same X, y and the same underlying random numbers for the weights, so
    two configurations with the same seed see the same inputs and labels, and two normal (or two uniform)
    initializers draw the same random numbers, only scaled by their own σ.
    """
    X, y = standard_normal_batch(config.batch, config.width, config.seed)
    probe = probe_depth(
        X, y, depth=config.depth, width=config.width, activation=config.activation, init=config.init,
        n_outputs=N_CLASSES, output="softmax", loss="crossentropy", seed=np.random.default_rng([int(config.seed), 1]),
    )
    return SignalReport(
        config=config,
        sigma=get_initializer(config.init).std(config.width, config.width),
        activations=summarize_layers(probe.activations),
        gradients=summarize_layers(probe.grads),
        dead_fraction=np.asarray(probe.dead_fraction, dtype=np.float64),
        loss=float(probe.loss),
    )


def spread(values: np.ndarray) -> float:
    """max/min of a positive per-layer statistic: 1 means perfectly preserved; inf if any layer is 0 or NaN."""
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0 or not np.all(np.isfinite(v)) or np.any(v <= 0):
        return float("inf")
    return float(v.max() / v.min())
