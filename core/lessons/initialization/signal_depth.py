"""Signal through depth: how an initializer scales activations a^(l) and gradients ∂L/∂a^(l) layer by layer.

A batch of standard-normal inputs X (batch, width) goes through ``depth`` hidden layers of
``width`` units, so every hidden weight matrix is square (fan_in = fan_out = width), and then a
softmax output over N_CLASSES classes with random labels and the cross-entropy loss. The output
gradient (p − onehot(y))/n stays O(1/n) whatever the forward scale, so what happens to ∂L/∂a^(l)
on the way down is the backward pass's own doing. One forward and backward pass
(core.engine.probes.probe) gives every layer's values; this module boils them down to a few numbers
per layer (quantiles for box plots, std, RMS) so the page never ships raw samples to the browser.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import numpy as np

from core.engine.activations import get_activation
from core.engine.probes import probe
from core.engine.initializers import get_initializer
from core.engine.network import MLP

N_CLASSES = 10
QUANTILES = (0.01, 0.25, 0.5, 0.75, 0.99)  # whisker, box, median, box, whisker
MAX_VALUES = 8_192  # quantiles from at most this many values per layer (whole rows of the batch): 1–99 % boxes need no more
DEPTH_RANGE = (1, 30)
WIDTH_RANGE = (2, 1024)
BATCH_RANGE = (2, 1024)
STREAM_BYTES = 16 << 20  # keep a (width, init, seed)'s drawn weights while its deepest stack fits in this


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


class WeightStream:
    """Hidden weights W^(1), W^(2), … of one (width, init, seed), drawn in order and kept.

    Layer l gets the same matrix at every depth, so a deeper net only draws the layers it adds.
    """

    def __init__(self, width: int, init: str, seed: int) -> None:
        self._draw = functools.partial(get_initializer(init), width, width)  # rng -> W (width, width)
        self._rng = np.random.default_rng([int(seed), 1])
        self._W: list[np.ndarray] = []
        self._lock = threading.Lock()  # sessions share the cached streams

    def first(self, depth: int) -> list[np.ndarray]:
        """[W^(1), …, W^(depth)], drawing the ones not drawn yet."""
        with self._lock:
            while len(self._W) < depth:
                self._W.append(self._draw(self._rng))
            return self._W[:depth]


@functools.lru_cache(maxsize=4)
def _kept_stream(width: int, init: str, seed: int) -> WeightStream:
    return WeightStream(width, init, seed)


def hidden_weights(width: int, init: str, seed: int, depth: int) -> list[np.ndarray]:
    """The first ``depth`` square weight matrices of the (width, init, seed) stream; small streams are kept."""
    small = DEPTH_RANGE[1] * width * width * 8 <= STREAM_BYTES
    return (_kept_stream if small else WeightStream)(width, init, seed).first(depth)


def signal_through_depth(config: SignalConfig) -> SignalReport:
    """One forward/backward pass of the configured MLP on N(0, 1) inputs, summarised per hidden layer.

    The same seed gives the same X, y and the same underlying random numbers for the weights, so
    two configurations with the same seed see the same inputs and labels, two normal (or two uniform)
    initializers draw the same random numbers, only scaled by their own σ, and a deeper net starts
    with the shallower one's layers. The output layer has a stream of its own.
    """
    X, y = standard_normal_batch(config.batch, config.width, config.seed)
    W_out = get_initializer(config.init)(config.width, N_CLASSES, np.random.default_rng([int(config.seed), 2]))
    Ws = [*hidden_weights(config.width, config.init, config.seed, config.depth), W_out]
    net = MLP.from_params([p for W in Ws for p in (W, np.zeros(W.shape[1]))], config.activation, "softmax")
    result = probe(net, X, y, "crossentropy")
    return SignalReport(
        config=config,
        sigma=get_initializer(config.init).std(config.width, config.width),
        activations=summarize_layers(result.activations),
        gradients=summarize_layers(result.grads),
        dead_fraction=np.asarray(result.dead_fraction, dtype=np.float64),
        loss=float(result.loss),
    )


def spread(values: np.ndarray) -> float:
    """max/min of a positive per-layer statistic: 1 means perfectly preserved; inf if any layer is 0 or NaN."""
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0 or not np.all(np.isfinite(v)) or np.any(v <= 0):
        return float("inf")
    return float(v.max() / v.min())
