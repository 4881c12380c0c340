"""A multi-layer perceptron in NumPy: forward pass with a cache, backward pass beside it.

Layer l (0-based) computes Z[l] = A[l] @ W[l] + b[l] and A[l+1] = f(Z[l]), with A[0] = X,
f the hidden activation for every layer but the last and the output activation g for the last.
With ``batchnorm=True`` every hidden layer computes Z → BN → f (``core.engine.batchnorm``); with
dropout, a hidden layer's output is multiplied by an inverted-dropout mask (``core.engine.dropout``).
Shapes: X (n, sizes[0]); W[l] (sizes[l], sizes[l+1]); b[l], γ[l], β[l] (sizes[l+1],); Z[l], A[l+1] (n, sizes[l+1]).
``params`` = [W1, b1, (γ1, β1,) W2, b2, ...]. Backward never changes the weights: optimizers do, through ``params``.
``forward`` is eval mode (running batch-norm statistics, no dropout); ``forward_cache`` is training mode by default.
"""

from __future__ import annotations

import numpy as np

from core.engine.activations import Activation, get_activation
from core.engine.batchnorm import RunningStats, batchnorm_backward, batchnorm_eval_backward, batchnorm_forward
from core.engine.dropout import check_rate, dropout_backward, dropout_forward, dropout_mask
from core.engine.initializers import get_initializer
from core.engine.losses import LOSSES, Loss, class_labels, get_loss
from core.engine.outputs import OUTPUTS, Output, get_output
from core.engine.passes import Backward, ForwardCache, as_rng, check_params, check_sizes
from core.engine.regularizers import REGULARIZERS

Array = np.ndarray

__all__ = ["MLP", "OUTPUTS", "ForwardCache", "Backward"]


class MLP:
    """Fully connected network: hidden layers use ``activation`` (optionally after batch norm), the last ``output``."""

    def __init__(
        self,
        layer_sizes,
        activation: str = "relu",
        output: str = "linear",
        init: str = "he_normal",
        seed: int | np.random.Generator = 0,
        batchnorm: bool = False,
    ) -> None:
        sizes = check_sizes(layer_sizes)
        self._set_functions(activation, output)
        initializer = get_initializer(init)
        self.init = init
        rng = as_rng(seed)
        params: list[Array] = []
        for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            params.append(initializer(fan_in, fan_out, rng))  # W (fan_in, fan_out)
            params.append(np.zeros(fan_out))  # b (fan_out,)
            if batchnorm and l < len(sizes) - 2:
                params += [np.ones(fan_out), np.zeros(fan_out)]  # γ, β (fan_out,)
        self._set_params(params, bool(batchnorm))

    def _set_functions(self, activation: str, output: str) -> None:
        self.act: Activation = get_activation(activation)
        self.activation = activation
        self.out: Output = get_output(output)
        self.output = self.out.name

    def _set_params(self, params: list[Array], batchnorm: bool) -> None:
        self.params = params
        self.batchnorm = batchnorm
        self._slots = check_params(params, batchnorm)
        self.stats: list[RunningStats] = [RunningStats.fresh(params[s[1]].size) for s in self._slots[:-1]] \
            if batchnorm else []

    @classmethod
    def from_params(cls, params, activation: str = "relu", output: str = "linear", batchnorm: bool = False) -> MLP:
        """A network with copies of the given [W1, b1, (γ1, β1,) W2, b2, ...] (W (fan_in, fan_out), b (fan_out,))."""
        params = [np.array(p, dtype=np.float64, copy=True) for p in params]
        net = cls.__new__(cls)
        net._set_functions(activation, output)
        net.init = "given"
        net._set_params(params, bool(batchnorm))
        return net

    def copy(self) -> MLP:
        """An independent copy (same architecture, copied parameters and running statistics)."""
        net = MLP.from_params(self.params, self.activation, self.output, self.batchnorm)
        net.init = self.init
        net.stats = [s.copy() for s in self.stats]
        return net

    # --- views ---------------------------------------------------------------------------------
    @property
    def W(self) -> list[Array]:
        """Weight matrices W[l] (sizes[l], sizes[l+1]) — the same arrays as in params."""
        return [self.params[s[0]] for s in self._slots]

    @property
    def b(self) -> list[Array]:
        """Bias vectors b[l] (sizes[l+1],) — the same arrays as in params."""
        return [self.params[s[1]] for s in self._slots]

    @property
    def gamma(self) -> list[Array]:
        """Batch norm scales γ[l] (sizes[l+1],) of the hidden layers (empty without batch norm)."""
        return [self.params[s[2]] for s in self._slots if len(s) == 4]

    @property
    def beta(self) -> list[Array]:
        """Batch norm shifts β[l] (sizes[l+1],) of the hidden layers (empty without batch norm)."""
        return [self.params[s[3]] for s in self._slots if len(s) == 4]

    @property
    def weight_index(self) -> list[int]:
        """Position of each W[l] in params (and in the gradients aligned with them)."""
        return [s[0] for s in self._slots]

    @property
    def n_layers(self) -> int:
        """Number of weight layers (len(layer_sizes) − 1)."""
        return len(self._slots)

    @property
    def layer_sizes(self) -> list[int]:
        """[n_inputs, hidden..., n_outputs]."""
        Ws = self.W
        return [Ws[0].shape[0]] + [W.shape[1] for W in Ws]

    @property
    def n_params(self) -> int:
        """Number of trainable numbers (weights, biases, γ and β)."""
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
        bn = ", batchnorm=True" if self.batchnorm else ""
        return f"MLP({self.layer_sizes}, activation={self.activation!r}, output={self.output!r}{bn})"

    # --- forward -------------------------------------------------------------------------------
    def _inputs(self, X: Array) -> Array:
        X = np.asarray(X, dtype=np.float64)
        n_in = self.params[0].shape[0]
        if X.ndim == 1:
            X = X[:, None] if n_in == 1 else X[None, :]
        if X.ndim != 2 or X.shape[1] != n_in:
            raise ValueError(f"X must have shape (n_samples, {n_in}), got {X.shape}")
        return X

    def forward_cache(
        self, X: Array, dropout: float = 0.0, rng: np.random.Generator | None = None, train: bool = True
    ) -> ForwardCache:
        """Forward pass keeping every Z[l] and A[l]; training mode: batch statistics (updating the running
        ones) and inverted dropout on hidden activations; eval mode (train=False): running statistics, no dropout."""
        dropout = check_rate(dropout) if train else 0.0
        A = self._inputs(X)  # (n, sizes[0])
        cache = ForwardCache([], [A], [], [], train)
        last = self.n_layers - 1
        for l, slot in enumerate(self._slots):
            Z = A @ self.params[slot[0]]  # (n, sizes[l+1])
            Z += self.params[slot[1]]
            mask = bn = None
            if l < last:
                if len(slot) == 4:
                    bn = batchnorm_forward(Z, self.params[slot[2]], self.params[slot[3]], self.stats[l], train)
                pre = Z if bn is None else bn.out
                if train and self.act.with_derivative is not None:
                    A, dF = self.act.with_derivative(pre)  # f and f' share their costly part
                else:
                    A, dF = self.act.forward(pre), None
                cache.dF.append(dF)
                if dropout:
                    mask = dropout_mask(A.shape, dropout, rng)
                    A = dropout_forward(A, mask)
            else:
                A = self.out.forward(Z)
            cache.Z.append(Z)
            cache.A.append(A)
            cache.masks.append(mask)
            cache.bn.append(bn)
        return cache

    def forward(self, X: Array) -> Array:
        """Network output after the output activation, (n, sizes[-1]), in eval mode."""
        if self.batchnorm:
            return self.forward_cache(X, train=False).A[-1]
        A = self._inputs(X)
        last = self.n_layers - 1
        for l, (W, b) in enumerate(zip(self.params[0::2], self.params[1::2])):
            Z = A @ W
            Z += b
            A = self.act.forward(Z) if l < last else self.out.forward(Z)
        return A

    __call__ = forward

    def predict(self, X: Array) -> Array:
        """Class labels for softmax (argmax) and sigmoid (p ≥ 0.5) outputs; raw outputs for linear."""
        return self.out.predict(self.forward(X))

    # --- backward ------------------------------------------------------------------------------
    @staticmethod
    def _targets(y: Array, spec: Loss, out_shape: tuple[int, int]) -> Array:
        """Targets as the loss reads them: class labels (n,) or values shaped like the output (n, k)."""
        if spec.targets == "labels":
            return class_labels(y, *out_shape)
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 1 and out_shape[1] == 1:
            y = y[:, None]
        if y.shape != out_shape:
            raise ValueError(f"targets must have the output's shape {out_shape}, got {y.shape}")
        return y

    def _output_grads(self, cache: ForwardCache, y: Array, loss: str, label_smoothing: float, display: bool = True):
        """(loss, dA_out, dZ_out) for the last layer, from the logits where the output fuses with the loss (there
        dA_out, for display only, is None unless ``display``)."""
        spec = get_loss(loss)
        if spec.output is not None and spec.output != self.output:
            raise ValueError(f"loss {loss!r} needs output={spec.output!r}, the network has output={self.output!r}")
        Z, P = cache.Z[-1], cache.A[-1]  # logits and outputs, (n, n_out)
        y = self._targets(y, spec, P.shape)
        fused = self.out.fused.get(loss)
        if fused is not None:
            if display:
                return fused(Z, P, y, label_smoothing)
            value, dZ = fused.grad(Z, y, label_smoothing)
            return value, None, dZ
        value, dA = spec.fn(P, y)
        return value, dA, self.out.backward(P, dA)

    def backward(
        self, cache: ForwardCache, y: Array, loss: str, l2: float = 0.0, l1: float = 0.0,
        label_smoothing: float = 0.0, keep: bool = True,
    ) -> Backward:
        """Backprop: dZ[l] = dA[l] ⊙ f'(Z[l]), dW[l] = A[l]ᵀ dZ[l], db[l] = Σ_rows dZ[l], dA[l−1] = dZ[l] W[l]ᵀ.
        ``keep=False``: loss and gradients only (empty dZ and dA lists), what a training step needs."""
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; valid: {', '.join(LOSSES)}")
        if l2 < 0 or l1 < 0:
            raise ValueError(f"l1 and l2 must be ≥ 0, got l1={l1}, l2={l2}")
        if label_smoothing and loss != "crossentropy":
            raise ValueError("label_smoothing applies to the 'crossentropy' loss only")
        value, dA, dZ = self._output_grads(cache, y, loss, label_smoothing, display=keep)
        L = self.n_layers
        grads: list[Array] = [None] * len(self.params)  # type: ignore[list-item]
        dAs: list[Array] = [None] * L  # type: ignore[list-item]
        dZs: list[Array] = [None] * L  # type: ignore[list-item]
        dAs[-1], dZs[-1] = dA, dZ
        for l in range(L - 1, -1, -1):
            slot = self._slots[l]
            grads[slot[0]] = cache.A[l].T @ dZ  # dW (sizes[l], sizes[l+1])
            grads[slot[1]] = dZ.sum(axis=0)  # db (sizes[l+1],)
            if l == 0:
                break
            dA = dZ @ self.params[slot[0]].T  # ∂L/∂A[l] (n, sizes[l])
            dAs[l - 1] = dA
            mask = cache.masks[l - 1] if cache.masks else None
            bn = cache.bn[l - 1] if cache.bn else None
            dF = cache.dF[l - 1] if cache.dF else None
            if dF is not None:  # kept by the forward pass
                dZ = dropout_backward(dF, mask) * dA
            elif mask is None and self.act.derivative_from_output is not None:
                dZ = self.act.derivative_from_output(cache.A[l])  # f'(Z) from A = f(Z), no recompute
                dZ *= dA
            else:
                dZ = dropout_backward(self.act.derivative(cache.Z[l - 1] if bn is None else bn.out), mask)
                dZ *= dA
            if bn is not None:  # dZ so far is ∂L/∂BN(Z); through batch norm to ∂L/∂Z, γ and β
                below = self._slots[l - 1]
                bn_backward = batchnorm_backward if cache.train else batchnorm_eval_backward
                dZ, grads[below[2]], grads[below[3]] = bn_backward(dZ, bn, self.params[below[2]])
            dZs[l - 1] = dZ
        penalty = self._penalize(grads, l1, l2)
        return Backward(value + penalty, grads, dZs if keep else [], dAs if keep else [], penalty)

    def loss_and_grads(
        self, X: Array, y: Array, loss: str, l2: float = 0.0, l1: float = 0.0, dropout: float = 0.0,
        rng: np.random.Generator | None = None, label_smoothing: float = 0.0, train: bool = True,
    ) -> tuple[float, list[Array]]:
        """(L(X, y) + λ₁·Σ|W| + λ₂/2·Σ‖W‖², [dW1, db1, (dγ1, dβ1,) dW2, ...]), in training mode by default."""
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; valid: {', '.join(LOSSES)}")
        bw = self.backward(self.forward_cache(X, dropout, rng, train), y, loss, l2, l1, label_smoothing, keep=False)
        return bw.loss, bw.grads

    def eval_loss(self, X: Array, y: Array, loss: str, l2: float = 0.0, l1: float = 0.0,
                  label_smoothing: float = 0.0) -> float:
        """L(X, y) + λ₁·Σ|W| + λ₂/2·Σ‖W‖² in eval mode (running statistics, no dropout), without gradients."""
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; valid: {', '.join(LOSSES)}")
        value = self._output_grads(self.forward_cache(X, train=False), y, loss, label_smoothing, display=False)[0]
        return value + self._penalize(None, l1, l2)

    def _penalize(self, grads: list[Array] | None, l1: float, l2: float) -> float:
        """λ₁·Σ|W| + λ₂/2·Σ‖W‖²; adds each penalty's gradient to the dW entries of ``grads`` (if given)."""
        if l2 < 0 or l1 < 0:
            raise ValueError(f"l1 and l2 must be ≥ 0, got l1={l1}, l2={l2}")
        penalty = 0.0
        for name, lam in (("L1", l1), ("L2", l2)):
            if lam:
                reg = REGULARIZERS[name]
                penalty += reg.penalty(self.W, lam)
                if grads is not None:
                    for i, dW in zip(self.weight_index, reg.grad(self.W, lam)):
                        grads[i] += dW
        return penalty
