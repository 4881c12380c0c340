"""Gradient flow through a deep MLP for several activations on the same toy batch (via core.engine.probes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.engine.datasets import make_dataset
from core.engine.probes import probe_depth


@dataclass(frozen=True)
class LayerFlow:
    """Per-layer summary of one forward/backward pass for one activation (small enough to cache)."""

    activation: str
    weight_grad_norms: np.ndarray  # ‖∂L/∂W^(l)‖_F, l = 1..depth+1 (output layer last)
    dead_fraction: np.ndarray  # per hidden layer l = 1..depth
    activation_std: np.ndarray  # per hidden layer
    loss: float


def gradient_flow(activations: Sequence[str], *, depth: int, width: int, init: str, n_samples: int = 200,
                  data: str = "moons", seed: int = 0) -> list[LayerFlow]:
    """One pass per activation through the same net shape, init seed and batch of toy data (half-SSE loss)."""
    X, y = make_dataset(data, n=n_samples, noise=0.1, seed=seed)  # (n, 2), (n,)
    X = (X - X.mean(axis=0)) / X.std(axis=0)  # standardised inputs, as one would feed a real net
    flows = []
    for name in activations:
        p = probe_depth(X, y[:, None].astype(np.float64), depth=depth, width=width, activation=name, init=init,
                        seed=seed)
        flows.append(LayerFlow(name, p.weight_grad_norms, p.dead_fraction, p.activation_std, p.loss))
    return flows
