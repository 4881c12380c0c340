"""What the playground draws: every unit's output over the input plane, and the plane warped into a 2-unit layer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.engine.network import MLP
from core.lessons.playground.data import DOMAIN
from core.lessons.playground.features import feature_matrix

Array = np.ndarray


def plane_grid(resolution: int) -> tuple[Array, Array, Array]:
    """xs (r,), ys (r,) over the plane, and the points (r·r, 2) row by row from the top (y max) like an image."""
    lo, hi = DOMAIN
    xs = np.linspace(lo, hi, resolution)
    ys = np.linspace(hi, lo, resolution)
    XX, YY = np.meshgrid(xs, ys)
    return xs, ys, np.c_[XX.ravel(), YY.ravel()]


@dataclass(frozen=True)
class UnitPictures:
    """Activations over a r×r grid of the plane: inputs (d, r, r), each hidden layer (units, r, r), output (k, r, r)."""

    inputs: Array
    hidden: list[Array]
    output: Array


def unit_pictures(net: MLP, features: Sequence[str], resolution: int = 40) -> UnitPictures:
    """Φ(x), A[1], …, A[L] on the grid: what every unit outputs at every point of the plane."""
    _, _, P = plane_grid(resolution)
    Phi = feature_matrix(P, features)  # (r·r, d)
    cache = net.forward_cache(Phi, train=False)  # eval mode: running batch-norm statistics, no dropout
    r = resolution
    images = [A.T.reshape(A.shape[1], r, r) for A in cache.A]  # (units, r, r) per layer
    return UnitPictures(images[0], images[1:-1], images[-1])


@dataclass(frozen=True)
class LayerSpace:
    """The plane's grid lines mapped into a 2-unit layer: lines (m, p, 2) and data points (n, 2) in that layer."""

    lines: Array
    points: Array
    layer: int


def layer_activations(net: MLP, Phi: Array, layer: int) -> Array:
    """A[layer] (n, units) of hidden layer ``layer`` (1-based) for inputs Φ (n, d)."""
    if not 1 <= layer < net.n_layers:
        raise ValueError(f"layer must be a hidden layer 1..{net.n_layers - 1}, got {layer}")
    return net.forward_cache(Phi, train=False).A[layer]


def layer_space(net: MLP, features: Sequence[str], X: Array, layer: int, n_lines: int = 13, n_pts: int = 60) -> LayerSpace:
    """Grid lines x₁ = c and x₂ = c (n_lines each, n_pts points along) and points X pushed through to layer ``layer``."""
    if net.layer_sizes[layer] != 2:
        raise ValueError(f"layer {layer} has {net.layer_sizes[layer]} units; the layer-space view needs exactly 2")
    lo, hi = DOMAIN
    c = np.linspace(lo, hi, n_lines)
    t = np.linspace(lo, hi, n_pts)
    vertical = np.stack([np.c_[np.full(n_pts, ci), t] for ci in c])  # (n_lines, n_pts, 2)
    horizontal = vertical[:, :, ::-1]
    grid = np.concatenate([vertical, horizontal])  # (2·n_lines, n_pts, 2)
    flat = grid.reshape(-1, 2)
    A = layer_activations(net, feature_matrix(np.r_[flat, X], features), layer)  # (m·p + n, 2)
    lines = A[: len(flat)].reshape(grid.shape)
    return LayerSpace(lines, A[len(flat):], layer)


def two_unit_layers(net: MLP) -> list[int]:
    """The hidden layers (1-based) with exactly 2 units."""
    return [l for l in range(1, net.n_layers) if net.layer_sizes[l] == 2]
