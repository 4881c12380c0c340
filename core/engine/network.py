"""A multi-layer perceptron in NumPy: forward pass with a cache, backward pass beside it.

Layer l (0-based) computes Z[l] = A[l] @ W[l] + b[l] and A[l+1] = f(Z[l]), with A[0] = X,
f the hidden activation for every layer but the last and the output activation for the last.
Shapes: X (n, sizes[0]); W[l] (sizes[l], sizes[l+1]); b[l] (sizes[l+1],); Z[l], A[l+1] (n, sizes[l+1]).
Backward never changes the weights: optimizers do, in place, through ``params``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit

from core.engine.activations import Activation, get_activation, softmax, softmax_backward
from core.engine.initializers import get_initializer
from core.engine.losses import LOSSES, binary_cross_entropy, binary_cross_entropy_with_logits, class_labels
from core.engine.losses import get_loss, softmax_cross_entropy

Array = np.ndarray

OUTPUTS = ("linear", "sigmoid", "softmax")
_TINY = np.finfo(np.float64).tiny


@dataclass
class ForwardCache:
    """Everything backward needs: Z[l] pre-activations (n, sizes[l+1]); A[0] = X, A[l+1] = f(Z[l])."""

    Z: list[Array]
    A: list[Array]
    masks: list[Array | None] = field(default_factory=list)  # inverted-dropout mask per layer


@dataclass
class Backward:
    """Result of backprop: loss (incl. L2 penalty), grads aligned with params, per-layer dZ and dA.

    dZ[l] = ∂L/∂Z[l] and dA[l] = ∂L/∂A[l+1] (the gradient w.r.t. layer l's output), both (n, sizes[l+1]).
    """

    loss: float
    grads: list[Array]
    dZ: list[Array]
    dA: list[Array]
    penalty: float = 0.0  # the L2 part of loss: λ/2·Σ‖W‖²


def _check_sizes(layer_sizes) -> list[int]:
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs at least 2 entries (inputs, outputs), got {sizes}")
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1:
            raise ValueError(f"layer sizes must be positive integers, got {sizes}")
    return [int(s) for s in sizes]


def _check_output(output: str) -> str:
    if output not in OUTPUTS:
        raise ValueError(f"unknown output activation {output!r}; valid: {', '.join(OUTPUTS)}")
    return output


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an int or a numpy.random.Generator, got {seed!r}")
    return np.random.default_rng(seed)


class MLP:
    """Fully connected network: hidden layers use ``activation``, the last layer uses ``output``."""

    def __init__(
        self,
        layer_sizes,
        activation: str = "relu",
        output: str = "linear",
        init: str = "he_normal",
        seed: int | np.random.Generator = 0,
    ) -> None:
        sizes = _check_sizes(layer_sizes)
        self._set_functions(activation, output)
        initializer = get_initializer(init)
        self.init = init
        rng = _rng(seed)
        self.params: list[Array] = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            self.params.append(initializer(fan_in, fan_out, rng))  # W (fan_in, fan_out)
            self.params.append(np.zeros(fan_out))  # b (fan_out,)

    def _set_functions(self, activation: str, output: str) -> None:
        self.act: Activation = get_activation(activation)
        self.activation = activation
        self.output = _check_output(output)

    @classmethod
    def from_params(cls, params, activation: str = "relu", output: str = "linear") -> MLP:
        """A network with copies of the given [W1, b1, W2, b2, ...] (W (fan_in, fan_out), b (fan_out,))."""
        params = [np.array(p, dtype=np.float64, copy=True) for p in params]
        if len(params) < 2 or len(params) % 2:
            raise ValueError("params must be a non-empty list [W1, b1, W2, b2, ...]")
        for l, (W, b) in enumerate(zip(params[0::2], params[1::2])):
            if W.ndim != 2 or b.shape != (W.shape[1],):
                raise ValueError(f"layer {l + 1}: W must be (fan_in, fan_out) and b (fan_out,), got {W.shape}, {b.shape}")
            if l and W.shape[0] != params[2 * l - 2].shape[1]:
                raise ValueError(f"layer {l + 1}: W has {W.shape[0]} inputs but the layer below has "
                                 f"{params[2 * l - 2].shape[1]} outputs")
        net = cls.__new__(cls)
        _check_sizes([params[0].shape[0]] + [W.shape[1] for W in params[0::2]])
        net._set_functions(activation, output)
        net.init = "given"
        net.params = params
        return net

    def copy(self) -> MLP:
        """An independent copy (same architecture, copied parameters)."""
        net = MLP.from_params(self.params, self.activation, self.output)
        net.init = self.init
        return net

    # --- views ---------------------------------------------------------------------------------
    @property
    def W(self) -> list[Array]:
        """Weight matrices W[l] (sizes[l], sizes[l+1]) — the same arrays as in params."""
        return self.params[0::2]

    @property
    def b(self) -> list[Array]:
        """Bias vectors b[l] (sizes[l+1],) — the same arrays as in params."""
        return self.params[1::2]

    @property
    def n_layers(self) -> int:
        """Number of weight layers (len(layer_sizes) − 1)."""
        return len(self.params) // 2

    @property
    def layer_sizes(self) -> list[int]:
        """[n_inputs, hidden..., n_outputs]."""
        return [self.params[0].shape[0]] + [W.shape[1] for W in self.params[0::2]]

    @property
    def n_params(self) -> int:
        """Number of weights plus biases."""
        return sum(p.size for p in self.params)

    def get_flat(self) -> Array:
        """All parameters concatenated into one vector (a copy)."""
        return np.concatenate([p.ravel() for p in self.params])

    def set_flat(self, theta: Array) -> None:
        """Copy a flat vector back into the parameter arrays, in place."""
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != (self.n_params,):
            raise ValueError(f"flat parameters must have shape ({self.n_params},), got {theta.shape}")
        i = 0
        for p in self.params:
            p[...] = theta[i : i + p.size].reshape(p.shape)
            i += p.size

    def __repr__(self) -> str:
        return f"MLP({self.layer_sizes}, activation={self.activation!r}, output={self.output!r})"

    # --- forward -------------------------------------------------------------------------------
    def _inputs(self, X: Array) -> Array:
        X = np.asarray(X, dtype=np.float64)
        n_in = self.params[0].shape[0]
        if X.ndim == 1:
            X = X[:, None] if n_in == 1 else X[None, :]
        if X.ndim != 2 or X.shape[1] != n_in:
            raise ValueError(f"X must have shape (n_samples, {n_in}), got {X.shape}")
        return X

    def _out(self, Z: Array) -> Array:
        if self.output == "softmax":
            return softmax(Z)
        if self.output == "sigmoid":
            return expit(Z)
        return Z

    def forward_cache(
        self, X: Array, dropout: float = 0.0, rng: np.random.Generator | None = None
    ) -> ForwardCache:
        """Forward pass keeping every Z[l] and A[l]; optional inverted dropout on hidden activations."""
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must lie in [0, 1), got {dropout}")
        if dropout and not isinstance(rng, np.random.Generator):
            raise ValueError("dropout needs rng, a numpy.random.Generator")
        A = self._inputs(X)  # (n, sizes[0])
        Zs: list[Array] = []
        As: list[Array] = [A]
        masks: list[Array | None] = []
        last = self.n_layers - 1
        for l, (W, b) in enumerate(zip(self.params[0::2], self.params[1::2])):
            Z = A @ W  # (n, sizes[l+1])
            Z += b
            mask = None
            if l < last:
                A = self.act.forward(Z)
                if dropout:
                    mask = (rng.random(A.shape) >= dropout) / (1.0 - dropout)
                    A = A * mask
            else:
                A = self._out(Z)
            Zs.append(Z)
            As.append(A)
            masks.append(mask)
        return ForwardCache(Zs, As, masks)

    def forward(self, X: Array) -> Array:
        """Network output after the output activation, (n, sizes[-1])."""
        A = self._inputs(X)
        last = self.n_layers - 1
        for l, (W, b) in enumerate(zip(self.params[0::2], self.params[1::2])):
            Z = A @ W
            Z += b
            A = self.act.forward(Z) if l < last else self._out(Z)
        return A

    __call__ = forward

    def predict(self, X: Array) -> Array:
        """Class labels for softmax (argmax) and sigmoid (p ≥ 0.5) outputs; raw outputs for linear."""
        out = self.forward(X)
        if self.output == "softmax":
            return out.argmax(axis=1)
        if self.output == "sigmoid":
            labels = (out >= 0.5).astype(np.int64)
            return labels[:, 0] if labels.shape[1] == 1 else labels
        return out

    # --- backward ------------------------------------------------------------------------------
    def _targets(self, y: Array, out_shape: tuple[int, int]) -> Array:
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 1 and out_shape[1] == 1:
            y = y[:, None]
        if y.shape != out_shape:
            raise ValueError(f"targets must have the output's shape {out_shape}, got {y.shape}")
        return y

    def _output_grads(self, cache: ForwardCache, y: Array, loss: str, label_smoothing: float):
        """(loss, dA_out, dZ_out) for the last layer, from the logits where the loss allows it."""
        spec = get_loss(loss)
        if spec.output is not None and spec.output != self.output:
            raise ValueError(f"loss {loss!r} needs output={spec.output!r}, the network has output={self.output!r}")
        Z, P = cache.Z[-1], cache.A[-1]  # logits and outputs, (n, n_out)
        if loss == "crossentropy":
            value, dZ = softmax_cross_entropy(Z, y, label_smoothing)
            n, k = Z.shape
            q = np.full((n, k), label_smoothing / k)
            q[np.arange(n), class_labels(y, n, k)] += 1.0 - label_smoothing
            dA = -q / (np.maximum(P, _TINY) * n)
            return value, dA, dZ
        y = self._targets(y, P.shape)
        if loss == "binary_crossentropy":
            value, dZ = binary_cross_entropy_with_logits(Z, y)
            _, dA = binary_cross_entropy(P, y)
            return value, dA, dZ
        value, dA = spec.fn(P, y)
        if self.output == "softmax":
            dZ = softmax_backward(P, dA)
        elif self.output == "sigmoid":
            dZ = dA * P * (1.0 - P)
        else:
            dZ = dA
        return value, dA, dZ

    def backward(
        self, cache: ForwardCache, y: Array, loss: str, l2: float = 0.0, label_smoothing: float = 0.0
    ) -> Backward:
        """Backprop: dZ[l] = dA[l] ⊙ f'(Z[l]), dW[l] = A[l]ᵀ dZ[l], db[l] = Σ_rows dZ[l], dA[l−1] = dZ[l] W[l]ᵀ."""
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; valid: {', '.join(LOSSES)}")
        if l2 < 0:
            raise ValueError(f"l2 must be ≥ 0, got {l2}")
        if label_smoothing and loss != "crossentropy":
            raise ValueError("label_smoothing applies to the 'crossentropy' loss only")
        value, dA, dZ = self._output_grads(cache, y, loss, label_smoothing)
        L = self.n_layers
        grads: list[Array] = [None] * (2 * L)  # type: ignore[list-item]
        dAs: list[Array] = [None] * L  # type: ignore[list-item]
        dZs: list[Array] = [None] * L  # type: ignore[list-item]
        dAs[-1], dZs[-1] = dA, dZ
        for l in range(L - 1, -1, -1):
            W = self.params[2 * l]
            grads[2 * l] = cache.A[l].T @ dZ  # dW (sizes[l], sizes[l+1])
            grads[2 * l + 1] = dZ.sum(axis=0)  # db (sizes[l+1],)
            if l == 0:
                break
            dA = dZ @ W.T  # ∂L/∂A[l] (n, sizes[l])
            dAs[l - 1] = dA
            mask = cache.masks[l - 1] if cache.masks else None
            if mask is None and self.act.derivative_from_output is not None:
                dZ = self.act.derivative_from_output(cache.A[l])  # f'(Z) from A = f(Z), no recompute
            else:
                dZ = self.act.derivative(cache.Z[l - 1])
                if mask is not None:
                    dZ *= mask
            dZ *= dA
            dZs[l - 1] = dZ
        penalty = 0.0
        if l2:
            for l, W in enumerate(self.params[0::2]):
                penalty += 0.5 * l2 * float(np.sum(W * W))
                grads[2 * l] += l2 * W
        return Backward(value + penalty, grads, dZs, dAs, penalty)

    def loss_and_grads(
        self, X: Array, y: Array, loss: str, l2: float = 0.0, label_smoothing: float = 0.0,
        dropout: float = 0.0, rng: np.random.Generator | None = None,
    ) -> tuple[float, list[Array]]:
        """(L(X, y) + λ/2·Σ‖W‖², [dW1, db1, dW2, db2, ...])."""
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; valid: {', '.join(LOSSES)}")
        bw = self.backward(self.forward_cache(X, dropout, rng), y, loss, l2, label_smoothing)
        return bw.loss, bw.grads
