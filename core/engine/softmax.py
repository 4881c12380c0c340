"""Softmax, the row-wise output activation (not element-wise like the others), its backward and log-softmax."""

from __future__ import annotations

import numpy as np

Array = np.ndarray

SOFTMAX_LATEX = r"\mathrm{softmax}(\mathbf{z})_i = \frac{e^{z_i}}{\sum_{j=1}^{k} e^{z_j}}"
SOFTMAX_DERIVATIVE_LATEX = (
    r"\frac{\partial\, \mathrm{softmax}_i}{\partial z_j} = s_i(\delta_{ij} - s_j)"
)


def softmax(Z: Array) -> Array:
    """softmax(Z)_ij = e^{Z_ij − max_j Z_ij} / Σ_k e^{Z_ik − max_j Z_ij}, row-wise; (n, k) -> (n, k)."""
    Z = np.asarray(Z, dtype=np.float64)
    if Z.ndim != 2:
        raise ValueError(f"softmax expects a 2-D array (n_samples, n_classes), got shape {Z.shape}")
    E = Z - Z.max(axis=1, keepdims=True)
    np.exp(E, out=E)
    E /= E.sum(axis=1, keepdims=True)
    return E


def softmax_backward(S: Array, dS: Array) -> Array:
    """dZ = S ⊙ (dS − Σ_j dS_j S_j): the softmax Jacobian applied row-wise, from the output S."""
    return S * (dS - np.sum(dS * S, axis=1, keepdims=True))


def log_softmax(Z: Array) -> Array:
    """log softmax(Z) = Z − max − ln Σ e^{Z − max}, row-wise and stable."""
    Z = np.asarray(Z, dtype=np.float64)
    shifted = Z - Z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
