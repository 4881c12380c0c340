"""Curves of activation functions f(z) and their derivatives f'(z), with the zones where f' is small."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.engine.activations import get_activation

Array = np.ndarray


@dataclass(frozen=True)
class ActivationCurve:
    """f and f' of one activation sampled on z, plus the saturated intervals where |f'(z)| < threshold."""

    name: str
    z: Array  # (n_points,)
    f: Array  # f(z) (n_points,)
    df: Array  # f'(z) (n_points,)
    saturated: tuple[tuple[float, float], ...]  # [(z_start, z_end), ...]


def saturation_zones(z: Array, df: Array, threshold: float) -> tuple[tuple[float, float], ...]:
    """Maximal intervals of the sorted grid z where |f'(z)| < threshold, as (first z, last z) pairs."""
    small = np.abs(np.asarray(df)) < threshold  # (n_points,)
    edges = np.diff(np.r_[0, small.astype(np.int8), 0])
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    return tuple((float(z[s]), float(z[e])) for s, e in zip(starts, ends))


def activation_curves(names: Sequence[str], z_max: float = 6.0, n_points: int = 241,
                      threshold: float = 0.05) -> list[ActivationCurve]:
    """f(z), f'(z) and saturation zones for each registry name over z ∈ [−z_max, z_max]."""
    if not np.isfinite(z_max) or z_max <= 0:
        raise ValueError(f"z_max must be a positive number, got {z_max}")
    if int(n_points) < 2:
        raise ValueError(f"n_points must be at least 2, got {n_points}")
    if threshold < 0:
        raise ValueError(f"threshold must be ≥ 0, got {threshold}")
    z = np.linspace(-z_max, z_max, int(n_points))
    curves = []
    for name in names:
        act = get_activation(name)
        df = act.derivative(z)
        curves.append(ActivationCurve(name, z, act.forward(z), df, saturation_zones(z, df, threshold)))
    return curves


def read_off(name: str, z0: float) -> tuple[float, float]:
    """(f(z0), f'(z0)) of the registry activation ``name``."""
    act = get_activation(name)
    z = np.array([float(z0)])
    return float(act.forward(z)[0]), float(act.derivative(z)[0])
