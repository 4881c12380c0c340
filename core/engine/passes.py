"""What the MLP's forward pass keeps for backward, what backward returns, and the input checks they share."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.engine.batchnorm import BNCache

Array = np.ndarray


@dataclass
class ForwardCache:
    """Everything backward needs: Z[l] = A[l] W[l] + b[l] (n, sizes[l+1]); A[0] = X, A[l+1] = f(·) of layer l.

    With batch norm, hidden layer l applies f to bn[l].out = γ⊙ẑ + β instead of Z[l].
    """

    Z: list[Array]
    A: list[Array]
    masks: list[Array | None] = field(default_factory=list)  # inverted-dropout mask per layer
    bn: list[BNCache | None] = field(default_factory=list)  # batch norm per layer (None: no batch norm)
    train: bool = True  # batch statistics (True) or running statistics (False) in batch norm
    dF: list[Array | None] = field(default_factory=list)  # f'(·) per hidden layer, kept by a training pass (or None)


@dataclass
class Backward:
    """Result of backprop: loss (incl. penalties), grads aligned with params, per-layer dZ and dA.

    dZ[l] = ∂L/∂Z[l] and dA[l] = ∂L/∂A[l+1] (the gradient w.r.t. layer l's output), both (n, sizes[l+1]).
    """

    loss: float
    grads: list[Array]
    dZ: list[Array]
    dA: list[Array]
    penalty: float = 0.0  # the weight penalties in loss: λ₁·Σ|W| + λ₂/2·Σ‖W‖²


def check_sizes(layer_sizes) -> list[int]:
    """[n_in, hidden..., n_out] as ints; ValueError unless ≥ 2 positive integers."""
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs at least 2 entries (inputs, outputs), got {sizes}")
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1:
            raise ValueError(f"layer sizes must be positive integers, got {sizes}")
    return [int(s) for s in sizes]


def as_rng(seed) -> np.random.Generator:
    """A numpy Generator from an int seed (or the Generator itself)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an int or a numpy.random.Generator, got {seed!r}")
    return np.random.default_rng(seed)


def layer_slots(n_layers: int, batchnorm: bool) -> list[tuple[int, ...]]:
    """Indices into params per layer: (W, b) or, for hidden layers with batch norm, (W, b, γ, β)."""
    slots, i = [], 0
    for l in range(n_layers):
        k = 4 if batchnorm and l < n_layers - 1 else 2
        slots.append(tuple(range(i, i + k)))
        i += k
    return slots


def check_params(params: list[Array], batchnorm: bool) -> list[tuple[int, ...]]:
    """Layer slots of a [W1, b1, (γ1, β1,) W2, ...] list; ValueError on a wrong layout or shapes."""
    n = len(params)
    n_layers = (n + 2) // 4 if batchnorm else n // 2
    slots = layer_slots(n_layers, batchnorm) if n_layers else []
    if not slots or slots[-1][-1] != n - 1:
        layout = "[W1, b1, γ1, β1, ..., WL, bL]" if batchnorm else "[W1, b1, W2, b2, ...]"
        raise ValueError(f"params must be a non-empty list {layout}")
    for l, slot in enumerate(slots):
        W, b = params[slot[0]], params[slot[1]]
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(f"layer {l + 1}: W must be (fan_in, fan_out) and b (fan_out,), got {W.shape}, {b.shape}")
        if any(params[i].shape != b.shape for i in slot[2:]):
            raise ValueError(f"layer {l + 1}: γ and β must have shape {b.shape}")
        if l and W.shape[0] != params[slots[l - 1][0]].shape[1]:
            raise ValueError(f"layer {l + 1}: W has {W.shape[0]} inputs but the layer below has "
                             f"{params[slots[l - 1][0]].shape[1]} outputs")
    return slots
