"""Weight initializers W ~ distribution(fan_in, fan_out), shape (fan_in, fan_out).

Formulas follow torch.nn.init (xavier_*, kaiming_* with nonlinearity="relu", mode="fan_in");
for a Linear layer torch's fan_in is in_features, the same as ours. Randomness comes only from
the np.random.Generator passed in.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Initializer:
    """A weight distribution: call it as init(fan_in, fan_out, rng) -> W (fan_in, fan_out)."""

    name: str
    distribution: str  # "zeros", "normal" or "uniform"
    sigma: Callable[[int, int], float]  # σ of the distribution as a function of (fan_in, fan_out)
    latex: str

    def std(self, fan_in: int, fan_out: int) -> float:
        """Theoretical standard deviation σ of one weight."""
        _check_fans(fan_in, fan_out)
        return float(self.sigma(fan_in, fan_out))

    def bound(self, fan_in: int, fan_out: int) -> float:
        """Half-width a of U(−a, a) for uniform initializers (a = √3·σ); 0 otherwise."""
        return math.sqrt(3.0) * self.std(fan_in, fan_out) if self.distribution == "uniform" else 0.0

    def __call__(self, fan_in: int, fan_out: int, rng: np.random.Generator) -> Array:
        """Sample W of shape (fan_in, fan_out) using only ``rng``."""
        _check_fans(fan_in, fan_out)
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        shape = (fan_in, fan_out)
        if self.distribution == "zeros":
            return np.zeros(shape)
        if self.distribution == "normal":
            return rng.normal(0.0, self.std(fan_in, fan_out), size=shape)
        a = self.bound(fan_in, fan_out)
        return rng.uniform(-a, a, size=shape)


def _check_fans(fan_in: int, fan_out: int) -> None:
    for label, v in (("fan_in", fan_in), ("fan_out", fan_out)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{label} must be a positive integer, got {v!r}")


INITIALIZERS: dict[str, Initializer] = {
    i.name: i
    for i in [
        Initializer("zeros", "zeros", lambda fi, fo: 0.0, r"W = 0"),
        Initializer(
            "normal_small", "normal", lambda fi, fo: 0.01, r"W \sim \mathcal{N}(0, \sigma),\ \sigma = 0.01"
        ),
        Initializer(
            "normal_large", "normal", lambda fi, fo: 1.0, r"W \sim \mathcal{N}(0, \sigma),\ \sigma = 1"
        ),
        Initializer(
            "glorot_normal",
            "normal",
            lambda fi, fo: math.sqrt(2.0 / (fi + fo)),
            r"W \sim \mathcal{N}(0, \sigma),\ \sigma = \sqrt{\frac{2}{\text{fan\_in} + \text{fan\_out}}}",
        ),
        Initializer(
            "glorot_uniform",
            "uniform",
            lambda fi, fo: math.sqrt(2.0 / (fi + fo)),
            r"W \sim U(-a, a),\ a = \sqrt{\frac{6}{\text{fan\_in} + \text{fan\_out}}}"
            r",\quad \sigma = \sqrt{\frac{2}{\text{fan\_in} + \text{fan\_out}}}",
        ),
        Initializer(
            "he_normal",
            "normal",
            lambda fi, fo: math.sqrt(2.0 / fi),
            r"W \sim \mathcal{N}(0, \sigma),\ \sigma = \sqrt{\frac{2}{\text{fan\_in}}}",
        ),
        Initializer(
            "he_uniform",
            "uniform",
            lambda fi, fo: math.sqrt(2.0 / fi),
            r"W \sim U(-a, a),\ a = \sqrt{\frac{6}{\text{fan\_in}}}"
            r",\quad \sigma = \sqrt{\frac{2}{\text{fan\_in}}}",
        ),
        Initializer(
            "lecun_normal",
            "normal",
            lambda fi, fo: math.sqrt(1.0 / fi),
            r"W \sim \mathcal{N}(0, \sigma),\ \sigma = \sqrt{\frac{1}{\text{fan\_in}}}",
        ),
        Initializer(
            "lecun_uniform",
            "uniform",
            lambda fi, fo: math.sqrt(1.0 / fi),
            r"W \sim U(-a, a),\ a = \sqrt{\frac{3}{\text{fan\_in}}}"
            r",\quad \sigma = \sqrt{\frac{1}{\text{fan\_in}}}",
        ),
    ]
}


def get_initializer(name: str) -> Initializer:
    """The registry entry for ``name``; ValueError listing the valid names otherwise."""
    try:
        return INITIALIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown initializer {name!r}; valid: {', '.join(INITIALIZERS)}"
        ) from None
