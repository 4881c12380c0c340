"""One forward–backward–update cycle of a small MLP on one sample, step by step, from the engine.

Every number comes from ``core.engine.network``: z and a from ``forward_cache``, the chain-rule factors
∂L/∂a (red), ∂a/∂z (blue) and ∂z/∂w (green) from ``backward``'s dA, the activation's derivative at
Z and the activations A of the layer below, ∂L/∂w from ``backward().grads``, and the update from
``core.engine.optim``' SGD. Each ∂L/∂w is checked against a central finite difference of the loss.

Names and numbers (Mazur's example, unit and weight names, the step list) are in ``numbering.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.losses import get_loss
from core.engine.network import MLP
from core.engine.optim import make_optimizer
from core.lessons.backprop.numbering import (  # noqa: F401  (re-exported for the page and tests)
    MAZUR, default_numbers, params_from_rows, step_names, unit_names, weight_names,
)

Array = np.ndarray

FD_STEP = 1e-6


@dataclass(frozen=True)
class NeuronForward:
    """z_j = Σ_i w_ij·a_i + b_j and a_j = f(z_j) for one unit, with the engine's numbers."""

    layer: int  # weight layer l = 1..L
    unit: int  # j, 0-based
    name: str
    inputs: tuple[str, ...]  # names of the units below
    weight_names: tuple[str, ...]
    weights: tuple[float, ...]  # W^(l)[:, j]
    a_below: tuple[float, ...]  # A^(l-1)[0, :]
    bias: float
    z: float
    a: float
    activation: str


@dataclass(frozen=True)
class GradientStep:
    """∂L/∂w = ∂L/∂a_j (red) · ∂a_j/∂z_j (blue) · ∂z_j/∂w (green), with a finite-difference check."""

    param: str  # "w5" or "b_o1"
    layer: int
    unit: int
    source: int | None  # sending unit i, None for a bias
    unit_name: str
    source_name: str | None
    red: float  # ∂L/∂a_j, the engine's dA
    red_terms: tuple[tuple[str, float, str, float], ...]  # hidden units: (unit k above, δ_k, w name, w_jk)
    blue: float | None  # f'(z_j); None for softmax outputs, where ∂a/∂z couples all outputs
    green: float  # a_i of the layer below (1 for a bias)
    z: float
    delta: float  # ∂L/∂z_j, the engine's dZ
    grad: float  # ∂L/∂w from backward().grads
    numeric: float  # (L(w + h) − L(w − h)) / 2h


@dataclass(frozen=True)
class UpdateRow:
    """w_new = w − η·∂L/∂w (or w unchanged when this parameter is not updated)."""

    param: str
    old: float
    grad: float
    new: float
    updated: bool


@dataclass(frozen=True)
class Walkthrough:
    """All steps of one forward–backward–update cycle on a single sample."""

    layer_sizes: tuple[int, ...]
    unit_names: tuple[tuple[str, ...], ...]
    weight_names: tuple[Array, ...]  # per layer, same shape as W^(l) (fan_in, fan_out)
    activation: str
    output: str
    loss: str
    x: Array  # (n_in,)
    y: Array  # (n_out,) targets as given
    label: int | None  # class label used by crossentropy (argmax y)
    outputs: Array  # ŷ (n_out,)
    loss_terms: tuple[float, ...]  # per-output contributions to the loss (one term for crossentropy)
    loss_before: float
    forward: tuple[NeuronForward, ...]
    backward: tuple[GradientStep, ...]
    eta: float
    update_biases: bool
    update: tuple[UpdateRow, ...]
    outputs_after: Array
    loss_terms_after: tuple[float, ...]
    loss_after: float
    forward_after: tuple[NeuronForward, ...]  # the forward pass again, with the updated parameters
    params_after: tuple[Array, ...]
    params: tuple[Array, ...]  # [W1, b1, W2, b2, ...] before the update, W (fan_in, fan_out)

    @property
    def steps(self) -> list[str]:
        """Step names in order: z_<unit> per unit, loss, d<param> per parameter, update, new_loss."""
        return step_names(self.layer_sizes)

    def locate(self, step: str) -> tuple[str, int]:
        """(phase, index) of a step name; phase is forward, loss, backward, update or new_loss."""
        steps = self.steps
        if step not in steps:
            raise ValueError(f"unknown step {step!r}; valid: {', '.join(steps)}")
        k = steps.index(step)
        nf, nb = len(self.forward), len(self.backward)
        if k < nf:
            return "forward", k
        if k == nf:
            return "loss", 0
        if k <= nf + nb:
            return "backward", k - nf - 1
        return ("update", 0) if step == "update" else ("new_loss", 0)


def loss_terms(loss: str, outputs: Array, y: Array, label: int | None) -> tuple[float, ...]:
    """Each output's share of the loss, from the engine's loss function on that output alone."""
    spec = get_loss(loss)
    if spec.targets == "labels":  # one term: −log ŷ of the class
        return ()
    n_out = outputs.size
    share = 1.0 if loss == "half_sse" else 1.0 / n_out  # mse and BCE average over the outputs
    return tuple(spec.fn(outputs[j : j + 1], y[j : j + 1])[0] * share for j in range(n_out))


def targets_for(loss: str, y: Array) -> tuple[Array, int | None]:
    """The engine's target for one sample: a (1, n_out) row, or the class argmax y for a loss on labels."""
    if get_loss(loss).targets == "labels":
        label = int(np.argmax(y))
        return np.array([label]), label
    return y[None, :], None


def finite_differences(net: MLP, X: Array, t: Array, loss: str, h: float = FD_STEP) -> list[Array]:
    """Central differences (L(θ + h·e_k) − L(θ − h·e_k)) / 2h for every parameter, shaped like params."""
    probe = net.copy()
    theta = probe.get_flat()
    flat = np.empty_like(theta)
    for k in range(theta.size):
        old = theta[k]
        theta[k] = old + h
        probe.set_flat(theta)
        up = probe.backward(probe.forward_cache(X), t, loss).loss
        theta[k] = old - h
        probe.set_flat(theta)
        down = probe.backward(probe.forward_cache(X), t, loss).loss
        theta[k] = old
        flat[k] = (up - down) / (2 * h)
    out, i = [], 0
    for p in net.params:
        out.append(flat[i : i + p.size].reshape(p.shape))
        i += p.size
    return out


def _neurons(net: MLP, cache, names, wnames) -> tuple[NeuronForward, ...]:
    """Each unit's z = Σ w·a + b and a = f(z) for sample 0, read from the engine's forward cache."""
    L, sizes = net.n_layers, net.layer_sizes
    return tuple(
        NeuronForward(l + 1, j, names[l + 1][j], names[l], tuple(wnames[l][:, j]), tuple(net.W[l][:, j]),
                      tuple(cache.A[l][0]), float(net.b[l][j]), float(cache.Z[l][0, j]), float(cache.A[l + 1][0, j]),
                      net.activation if l < L - 1 else net.output)
        for l in range(L) for j in range(sizes[l + 1]))


def walkthrough(
    params, x, y, activation: str = "sigmoid", output: str = "sigmoid", loss: str = "half_sse",
    eta: float = 0.5, update_biases: bool = False,
) -> Walkthrough:
    """Forward unit by unit, backward parameter by parameter, one SGD step with η, the new loss."""
    net = MLP.from_params(params, activation, output)
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    sizes = net.layer_sizes
    if x.size != sizes[0] or y.size != sizes[-1]:
        raise ValueError(f"x needs {sizes[0]} numbers and y {sizes[-1]}, got {x.size} and {y.size}")
    if not eta > 0:
        raise ValueError(f"the learning rate η must be > 0, got {eta}")
    X = x[None, :]  # (1, n_in)
    t, label = targets_for(loss, y)
    cache = net.forward_cache(X)
    bw = net.backward(cache, t, loss)
    names, wnames = unit_names(sizes), weight_names(sizes)
    L = net.n_layers
    fwd = _neurons(net, cache, names, wnames)
    numeric = finite_differences(net, X, t, loss)
    back = []
    for l in range(L - 1, -1, -1):
        g = net.out.derivative  # None when the output activation couples the outputs (softmax)
        dadz = net.act.derivative(cache.Z[l]) if l < L - 1 else None if g is None else g(cache.Z[l])
        for j in range(sizes[l + 1]):
            terms = ()
            if l < L - 1:  # ∂L/∂a_j collects δ_k·w_jk from every unit k above
                terms = tuple((names[l + 2][k], float(bw.dZ[l + 1][0, k]), wnames[l + 1][j, k],
                               float(net.W[l + 1][j, k])) for k in range(sizes[l + 2]))
            common = dict(layer=l + 1, unit=j, unit_name=names[l + 1][j], red=float(bw.dA[l][0, j]),
                          red_terms=terms, blue=None if dadz is None else float(dadz[0, j]),
                          z=float(cache.Z[l][0, j]), delta=float(bw.dZ[l][0, j]))
            for i in range(sizes[l]):
                back.append(GradientStep(param=wnames[l][i, j], source=i, source_name=names[l][i],
                                         green=float(cache.A[l][0, i]), grad=float(bw.grads[2 * l][i, j]),
                                         numeric=float(numeric[2 * l][i, j]), **common))
            back.append(GradientStep(param=f"b_{names[l + 1][j]}", source=None, source_name=None, green=1.0,
                                     grad=float(bw.grads[2 * l + 1][j]), numeric=float(numeric[2 * l + 1][j]),
                                     **common))
    after = net.copy()
    chosen = [k for k in range(2 * L) if k % 2 == 0 or update_biases]
    make_optimizer("sgd", [after.params[k] for k in chosen], lr=eta).step([bw.grads[k] for k in chosen])
    rows = []
    for l in range(L):
        for j in range(sizes[l + 1]):
            for i in range(sizes[l]):
                rows.append(UpdateRow(wnames[l][i, j], float(net.W[l][i, j]), float(bw.grads[2 * l][i, j]),
                                      float(after.W[l][i, j]), True))
        for j in range(sizes[l + 1]):
            rows.append(UpdateRow(f"b_{names[l + 1][j]}", float(net.b[l][j]), float(bw.grads[2 * l + 1][j]),
                                  float(after.b[l][j]), update_biases))
    cache_after = after.forward_cache(X)
    outputs_after = cache_after.A[-1][0].copy()
    return Walkthrough(
        tuple(sizes), names, wnames, activation, output, loss, x, y, label, cache.A[-1][0].copy(),
        loss_terms(loss, cache.A[-1][0], y, label), float(bw.loss), fwd, tuple(back), float(eta),
        bool(update_biases), tuple(rows), outputs_after, loss_terms(loss, outputs_after, y, label),
        float(after.backward(cache_after, t, loss).loss), _neurons(after, cache_after, names, wnames),
        tuple(p.copy() for p in after.params), tuple(p.copy() for p in net.params))
