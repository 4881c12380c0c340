"""K networks of one depth trained side by side as one: what a width or bottleneck sweep costs in one run.

Every net reads the same X, so their first layers concatenate: W[0] = [W₁[0] | … | W_K[0]]. Deeper layers are
block-diagonal (net k's units feed only net k's): stored as one flat parameter holding every net's W[l] (each net
sees a view of its block), and each net's 10 logits get their own softmax. The loss is the sum of the K nets'
cross-entropies, so each block's gradient is its own net's; Adam and SGD act entry by entry. Through the engine's
Trainer (same seed: same minibatches) each net follows the trajectory it follows alone, up to floating-point
rounding, while the optimizer and the loop pay the per-step overhead once instead of K times.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.engine.network import MLP
from core.engine.passes import Backward, ForwardCache

Array = np.ndarray


class Stack:
    """ReLU/softmax nets of equal depth as one network with the Trainer's interface (crossentropy loss only)."""

    def __init__(self, nets: Sequence[MLP]) -> None:
        if len({n.n_layers for n in nets}) != 1 or any(n.batchnorm or n.activation != "relu" or n.output != "softmax"
                                                       for n in nets):
            raise ValueError("stacked nets need equal depth, ReLU hidden layers, a softmax output and no batch norm")
        self.k, self.n_out = len(nets), nets[0].layer_sizes[-1]
        self.params: list[Array] = [np.concatenate([n.W[0] for n in nets], axis=1),
                                    np.concatenate([n.b[0] for n in nets])]
        self.blocks: list[list[tuple[slice, slice, Array]]] = [[]]  # per layer ≥ 1: (rows in, columns out, W view)
        for l in range(1, nets[0].n_layers):
            flat = np.concatenate([n.W[l].ravel() for n in nets])
            blocks, r, c, o = [], 0, 0, 0
            for n in nets:
                rows, cols = n.W[l].shape
                blocks.append((slice(r, r + rows), slice(c, c + cols), flat[o:o + rows * cols].reshape(rows, cols)))
                r, c, o = r + rows, c + cols, o + rows * cols
            self.params += [flat, np.concatenate([n.b[l] for n in nets])]
            self.blocks.append(blocks)
        self.layer_sizes = [self.params[0].shape[0]] + [b.size for b in self.params[1::2]]
        self.weight_index = list(range(0, len(self.params), 2))

    def forward_cache(self, X: Array, dropout: float = 0.0, rng=None, train: bool = True) -> ForwardCache:
        """Z[l] = A[l] W[l] + b[l] block by block; ReLU between layers; the last Z holds every net's logits."""
        A = np.asarray(X, dtype=np.float64)
        cache = ForwardCache([], [A])
        last = len(self.blocks) - 1
        for l, blocks in enumerate(self.blocks):
            b = self.params[2 * l + 1]
            if not blocks:
                Z = A @ self.params[0]
            else:
                Z = np.empty((A.shape[0], b.size))
                for rows, cols, W in blocks:
                    np.matmul(A[:, rows], W, out=Z[:, cols])
            Z += b
            A = np.maximum(Z, 0.0) if l < last else Z
            cache.Z.append(Z)
            cache.A.append(A)
        return cache

    def _losses(self, logits: Array, y: Array) -> tuple[Array, Array]:
        """(each net's mean cross-entropy (K,), dL/dlogits (n, K·n_out)) with L = Σ_k L_k."""
        n = logits.shape[0]
        Z = logits.reshape(n, self.k, self.n_out)
        Z = Z - Z.max(axis=2, keepdims=True)
        logp = Z - np.log(np.exp(Z).sum(axis=2, keepdims=True))  # (n, K, n_out)
        rows, labels = np.arange(n), np.asarray(y, dtype=np.int64)
        losses = -logp[rows, :, labels].mean(axis=0)  # (K,)
        dZ = np.exp(logp)
        dZ[rows, :, labels] -= 1.0
        dZ /= n
        return losses, dZ.reshape(n, -1)

    def backward(self, cache: ForwardCache, y: Array, loss: str = "crossentropy", l2: float = 0.0, l1: float = 0.0,
                 label_smoothing: float = 0.0, keep: bool = False) -> Backward:
        """dW[l] = A[l]ᵀ dZ[l] per block, db[l] = Σ_rows dZ[l], dZ[l−1] = dZ[l] W[l]ᵀ ⊙ [Z[l−1] > 0] (never keeps
        the per-layer dZ and dA)."""
        if loss != "crossentropy" or l1 or l2 or label_smoothing:
            raise ValueError("a stack trains on the plain crossentropy loss only")
        losses, dZ = self._losses(cache.Z[-1], y)
        grads: list[Array] = [None] * len(self.params)  # type: ignore[list-item]
        for l in range(len(self.blocks) - 1, -1, -1):
            A, blocks = cache.A[l], self.blocks[l]
            grads[2 * l + 1] = dZ.sum(axis=0)
            if not blocks:
                grads[0] = A.T @ dZ
                break
            grads[2 * l] = np.concatenate([(A[:, rows].T @ dZ[:, cols]).ravel() for rows, cols, _ in blocks])
            dA = np.empty_like(A)
            for rows, cols, W in blocks:
                np.matmul(dZ[:, cols], W.T, out=dA[:, rows])
            dZ = dA * (cache.Z[l - 1] > 0)
        return Backward(float(losses.sum()), grads, [], [])

    def eval_loss(self, X: Array, y: Array, loss: str = "crossentropy", l2: float = 0.0, l1: float = 0.0,
                  label_smoothing: float = 0.0) -> float:
        """Σ_k L_k(X, y), the objective the stack descends."""
        return float(self._losses(self.forward_cache(X).Z[-1], y)[0].sum())

    def accuracies(self, X: Array, y: Array) -> Array:
        """Each net's share of correct argmax predictions, (K,)."""
        logits = self.forward_cache(X).Z[-1].reshape(len(X), self.k, self.n_out)
        return (logits.argmax(axis=2) == np.asarray(y)[:, None]).mean(axis=0)
