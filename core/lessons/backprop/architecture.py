"""Counting the parameters of a dense network: W^(l) has n_{l-1}·n_l weights and b^(l) has n_l biases."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_LAYER_SIZE = 10**7


@dataclass(frozen=True)
class ParameterCount:
    """Weights and biases per layer of a dense network and their totals."""

    layer_sizes: tuple[int, ...]
    weights: tuple[int, ...]  # n_{l-1}·n_l for l = 1..L
    biases: tuple[int, ...]  # n_l for l = 1..L

    @property
    def n_weights(self) -> int:
        """Σ_l n_{l-1}·n_l."""
        return sum(self.weights)

    @property
    def n_biases(self) -> int:
        """Σ_l n_l over every layer but the input."""
        return sum(self.biases)

    @property
    def total(self) -> int:
        """Weights plus biases."""
        return self.n_weights + self.n_biases


def count_parameters(layer_sizes: Sequence[int]) -> ParameterCount:
    """Parameters of a dense network [n_0, n_1, ..., n_L]: Σ_l (n_{l-1}·n_l + n_l)."""
    sizes = tuple(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(f"a network needs at least an input and an output layer, got {list(sizes)}")
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, int) or not 1 <= s <= MAX_LAYER_SIZE:
            raise ValueError(f"layer sizes must be integers in [1, {MAX_LAYER_SIZE:,}], got {list(sizes)}")
    weights = tuple(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return ParameterCount(sizes, weights, sizes[1:])


def parse_architecture(text: str) -> tuple[int, ...]:
    """'784-512-512-10' (dashes, commas, x or spaces between sizes) -> (784, 512, 512, 10)."""
    parts = [p for p in re.split(r"[\s,x×\-–]+", str(text).strip()) if p]
    if len(parts) < 2:
        raise ValueError(f"write at least two layer sizes separated by dashes, e.g. 784-512-10; got {text!r}")
    sizes = []
    for p in parts:
        if not p.isdigit():
            raise ValueError(f"{p!r} is not a whole number: write layer sizes like 784-512-10")
        sizes.append(int(p))
    count_parameters(sizes)  # validates the range
    return tuple(sizes)


def lecture_widget_sizes(n_hidden_layers: int, nodes: int, n_inputs: int = 5, n_outputs: int = 5) -> tuple[int, ...]:
    """The lecture's 'More layers' network: [n_inputs] + [nodes]·n_hidden_layers + [n_outputs]."""
    if not 0 <= n_hidden_layers <= 6 or not 1 <= nodes <= 12:
        raise ValueError(f"hidden layers must be in 0–6 and nodes in 1–12, got {n_hidden_layers}, {nodes}")
    return (n_inputs, *([nodes] * n_hidden_layers), n_outputs)
