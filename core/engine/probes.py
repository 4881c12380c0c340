"""One forward and backward pass through a deep MLP, summarised per layer (signal and gradient flow)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits  # a scikit-learn dependency

from core.engine.network import MLP


@dataclass(frozen=True)
class DepthProbe:
    """Per-layer view of one pass. Hidden layers are 1..L-1; the last weight layer is the output layer.

    activations[l], grads[l]: A and ∂L/∂A of hidden layer l+1, each (n_samples, width).
    weight_grad_norms[l] = ‖∂L/∂W^(l+1)‖_F for every weight layer, output layer included.
    """

    activations: list[np.ndarray]
    grads: list[np.ndarray]
    weight_grad_norms: np.ndarray  # (n_layers,)
    activation_std: np.ndarray  # (n_hidden,)
    grad_std: np.ndarray  # (n_hidden,)
    dead_fraction: np.ndarray  # (n_hidden,)
    loss: float


def dead_fraction(A: np.ndarray) -> float:
    """Fraction of units whose output is exactly 0 for every sample: mean_j [A[:, j] == 0 for all rows]."""
    A = np.asarray(A)
    if A.ndim != 2:
        raise ValueError(f"dead_fraction needs activations of shape (n_samples, n_units), got {A.shape}")
    return float(np.mean(np.all(A == 0.0, axis=0)))


def frobenius(M: np.ndarray) -> float:
    """‖M‖_F = √(Σ_ij M_ij²), without BLAS (a level-1 BLAS call stalls when the cores are busy)."""
    return float(np.sqrt(np.einsum("ij,ij->", M, M)))


def probe_depth(
    X: np.ndarray,
    y: np.ndarray,
    *,
    depth: int,
    width: int,
    activation: str,
    init: str,
    n_outputs: int = 1,
    output: str = "linear",
    loss: str = "half_sse",
    seed: int | np.random.Generator = 0,
) -> DepthProbe:
    """Build an MLP with ``depth`` hidden layers of ``width`` units, run one forward/backward pass on (X, y)."""
    if int(depth) < 1 or int(width) < 1:
        raise ValueError(f"depth and width must be at least 1, got depth={depth}, width={width}")
    sizes = [X.shape[1]] + [int(width)] * int(depth) + [int(n_outputs)]
    return probe(MLP(sizes, activation=activation, output=output, init=init, seed=seed), X, y, loss)


def probe(net: MLP, X: np.ndarray, y: np.ndarray, loss: str = "half_sse") -> DepthProbe:
    """One forward and backward pass of ``net`` on (X, y), summarised per layer."""
    # One BLAS thread: the matrices are small, and on a busy machine OpenBLAS's spinning worker
    # threads made this pass 3–10× slower than one thread does (the same reason as in train_lbfgs).
    with threadpool_limits(1, user_api="blas"), np.errstate(over="ignore", invalid="ignore"):  # exploding is a result
        cache = net.forward_cache(X)
        back = net.backward(cache, y, loss)
        hidden_A = cache.A[1:-1]  # (n, width) each
        hidden_dA = back.dA[:-1]  # ∂L/∂A of the same layers
        return DepthProbe(
            activations=hidden_A,
            grads=hidden_dA,
            weight_grad_norms=np.array([frobenius(dW) for dW in back.grads[0::2]]),
            activation_std=np.array([A.std() for A in hidden_A]),
            grad_std=np.array([dA.std() for dA in hidden_dA]),
            dead_fraction=np.array([dead_fraction(A) for A in hidden_A]),
            loss=float(back.loss),
        )
