"""Activation functions f(z), each with its derivative f'(z) right beside it.

Every function is elementwise on float64 arrays, numerically stable for large |z| (no overflow
warnings) and equal to ``torch.nn.functional``'s forward and autograd derivative, including the
value torch's backward picks at a kink (relu'(0) = 0, leaky_relu'(0) = 0.01, elu'(0) = 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, ndtr

from core.engine.softmax import SOFTMAX_DERIVATIVE_LATEX, SOFTMAX_LATEX, log_softmax, softmax, softmax_backward

Array = np.ndarray
__all__ = ["Activation", "ACTIVATIONS", "get_activation", "SOFTMAX_LATEX", "SOFTMAX_DERIVATIVE_LATEX", "softmax",
           "softmax_backward", "log_softmax"]  # softmax lives in core.engine.softmax (not element-wise)

LEAKY_SLOPE = 0.01
ELU_ALPHA = 1.0
# SELU constants (Klambauer et al. 2017), the same digits torch uses.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


@dataclass(frozen=True)
class Activation:
    """An elementwise activation: forward f(z), derivative df/dz and the formulas the UI shows."""

    name: str
    forward: Callable[[Array], Array]
    derivative: Callable[[Array], Array]
    latex: str
    derivative_latex: str
    kinks: tuple[float, ...] = ()  # points where f is not differentiable
    # f'(z) written in terms of the output a = f(z), where that is exact (torch's backward does
    # the same for sigmoid and tanh); lets backprop reuse the forward pass instead of recomputing f.
    derivative_from_output: Callable[[Array], Array] | None = None
    # (f(z), f'(z)) in one pass, where both share their costly part (Φ for gelu, σ for silu); the same numbers as
    # forward and derivative called apart. A training step keeps f' from its forward pass for backprop.
    with_derivative: Callable[[Array], tuple[Array, Array]] | None = None

    def __call__(self, z: Array) -> Array:
        """f(z)."""
        return self.forward(z)


def _f(z: Array) -> Array:
    return np.asarray(z, dtype=np.float64)


# --- linear: f(z) = z -------------------------------------------------------------------------
def linear(z: Array) -> Array:
    """f(z) = z."""
    return _f(z).copy()


def linear_derivative(z: Array) -> Array:
    """f'(z) = 1."""
    return np.ones_like(_f(z))


# --- sigmoid: f(z) = 1 / (1 + e^-z) ------------------------------------------------------------
def sigmoid(z: Array) -> Array:
    """f(z) = 1 / (1 + e^{-z}), via scipy's overflow-free expit."""
    return expit(_f(z))


def sigmoid_derivative(z: Array) -> Array:
    """f'(z) = σ(z)(1 − σ(z))."""
    return sigmoid_derivative_from_output(expit(_f(z)))


def sigmoid_derivative_from_output(a: Array) -> Array:
    """f' = a(1 − a) with a = σ(z)."""
    d = 1.0 - a
    d *= a
    return d


# --- tanh --------------------------------------------------------------------------------------
def tanh(z: Array) -> Array:
    """f(z) = tanh(z) = 2σ(2z) − 1."""
    return np.tanh(_f(z))


def tanh_derivative(z: Array) -> Array:
    """f'(z) = 1 − tanh²(z)."""
    return tanh_derivative_from_output(np.tanh(_f(z)))


def tanh_derivative_from_output(a: Array) -> Array:
    """f' = 1 − a² with a = tanh(z)."""
    d = a * a
    np.subtract(1.0, d, out=d)
    return d


# --- relu: f(z) = max(0, z) --------------------------------------------------------------------
def relu(z: Array) -> Array:
    """f(z) = max(0, z)."""
    return np.maximum(_f(z), 0.0)


def relu_derivative(z: Array) -> Array:
    """f'(z) = 1 if z > 0 else 0 (0 at the kink, like torch)."""
    return (_f(z) > 0.0).astype(np.float64)


relu_derivative_from_output = relu_derivative  # a > 0 exactly when z > 0


# --- leaky relu: slope 0.01 for z < 0 ----------------------------------------------------------
def leaky_relu(z: Array) -> Array:
    """f(z) = z if z > 0 else 0.01·z."""
    z = _f(z)
    return np.where(z > 0.0, z, LEAKY_SLOPE * z)


def leaky_relu_derivative(z: Array) -> Array:
    """f'(z) = 1 if z > 0 else 0.01 (0.01 at the kink, like torch)."""
    return np.where(_f(z) > 0.0, 1.0, LEAKY_SLOPE)


leaky_relu_derivative_from_output = leaky_relu_derivative  # a has the sign of z


# --- elu (α = 1) -------------------------------------------------------------------------------
def elu(z: Array) -> Array:
    """f(z) = z if z > 0 else α(e^z − 1)."""
    z = _f(z)
    return np.where(z > 0.0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0.0)))


def elu_derivative(z: Array) -> Array:
    """f'(z) = 1 if z > 0 else α·e^z."""
    z = _f(z)
    return np.where(z > 0.0, 1.0, ELU_ALPHA * np.exp(np.minimum(z, 0.0)))


# --- selu --------------------------------------------------------------------------------------
def selu(z: Array) -> Array:
    """f(z) = λ·z if z > 0 else λα(e^z − 1)."""
    z = _f(z)
    return SELU_SCALE * np.where(z > 0.0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0.0)))


def selu_derivative(z: Array) -> Array:
    """f'(z) = λ if z > 0 else λα·e^z."""
    z = _f(z)
    return SELU_SCALE * np.where(z > 0.0, 1.0, SELU_ALPHA * np.exp(np.minimum(z, 0.0)))


# --- gelu (exact): f(z) = z·Φ(z) ---------------------------------------------------------------
def gelu(z: Array) -> Array:
    """f(z) = z·Φ(z) = ½z(1 + erf(z/√2)); Φ via ndtr, accurate in both tails."""
    z = _f(z)
    return z * ndtr(z)


def gelu_derivative(z: Array) -> Array:
    """f'(z) = Φ(z) + z·φ(z)."""
    return gelu_with_derivative(z)[1]


def gelu_with_derivative(z: Array) -> tuple[Array, Array]:
    """(z·Φ(z), Φ(z) + z·φ(z)), Φ computed once."""
    z = _f(z)
    Phi = ndtr(z)
    return z * Phi, Phi + z * _INV_SQRT_2PI * np.exp(-0.5 * z * z)


# --- silu (swish): f(z) = z·σ(z) ---------------------------------------------------------------
def silu(z: Array) -> Array:
    """f(z) = z·σ(z)."""
    z = _f(z)
    return z * expit(z)


def silu_derivative(z: Array) -> Array:
    """f'(z) = σ(z)(1 + z(1 − σ(z)))."""
    return silu_with_derivative(z)[1]


def silu_with_derivative(z: Array) -> tuple[Array, Array]:
    """(z·σ(z), σ(z)(1 + z(1 − σ(z)))), σ computed once."""
    z = _f(z)
    s = expit(z)
    return z * s, s * (1.0 + z * (1.0 - s))


# --- softplus: f(z) = ln(1 + e^z) --------------------------------------------------------------
def softplus(z: Array) -> Array:
    """f(z) = ln(1 + e^z) = max(z, 0) + ln(1 + e^{−|z|}) (overflow-free)."""
    z = _f(z)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def softplus_derivative(z: Array) -> Array:
    """f'(z) = σ(z)."""
    return expit(_f(z))


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation(
            "linear", linear, linear_derivative, r"f(z) = z", r"f'(z) = 1",
            derivative_from_output=linear_derivative,
        ),
        Activation(
            "sigmoid",
            sigmoid,
            sigmoid_derivative,
            r"f(z) = \frac{1}{1+e^{-z}}",
            r"f'(z) = f(z)\,\bigl(1 - f(z)\bigr)",
            derivative_from_output=sigmoid_derivative_from_output,
        ),
        Activation(
            "tanh",
            tanh,
            tanh_derivative,
            r"f(z) = \tanh(z) = \frac{2}{1+e^{-2z}} - 1",
            r"f'(z) = 1 - \tanh^2(z)",
            derivative_from_output=tanh_derivative_from_output,
        ),
        Activation(
            "relu",
            relu,
            relu_derivative,
            r"f(z) = \max(0, z)",
            r"f'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}",
            kinks=(0.0,),
            derivative_from_output=relu_derivative_from_output,
        ),
        Activation(
            "leaky_relu",
            leaky_relu,
            leaky_relu_derivative,
            r"f(z) = \begin{cases} z & z > 0 \\ 0.01\,z & z \le 0 \end{cases}",
            r"f'(z) = \begin{cases} 1 & z > 0 \\ 0.01 & z \le 0 \end{cases}",
            kinks=(0.0,),
            derivative_from_output=leaky_relu_derivative_from_output,
        ),
        Activation(
            "elu",
            elu,
            elu_derivative,
            r"f(z) = \begin{cases} z & z > 0 \\ \alpha\,(e^{z} - 1) & z \le 0 \end{cases},\ \alpha = 1",
            r"f'(z) = \begin{cases} 1 & z > 0 \\ \alpha\, e^{z} & z \le 0 \end{cases}",
        ),
        Activation(
            "selu",
            selu,
            selu_derivative,
            r"f(z) = \lambda \begin{cases} z & z > 0 \\ \alpha\,(e^{z} - 1) & z \le 0 \end{cases},"
            r"\ \lambda \approx 1.0507,\ \alpha \approx 1.6733",
            r"f'(z) = \lambda \begin{cases} 1 & z > 0 \\ \alpha\, e^{z} & z \le 0 \end{cases}",
            kinks=(0.0,),
        ),
        Activation(
            "gelu",
            gelu,
            gelu_derivative,
            r"f(z) = z\,\Phi(z) = \frac{z}{2}\left(1 + \mathrm{erf}\!\left(\frac{z}{\sqrt{2}}\right)\right)",
            r"f'(z) = \Phi(z) + z\,\frac{e^{-z^2/2}}{\sqrt{2\pi}}",
            with_derivative=gelu_with_derivative,
        ),
        Activation(
            "silu",
            silu,
            silu_derivative,
            r"f(z) = z\,\sigma(z) = \frac{z}{1+e^{-z}}",
            r"f'(z) = \sigma(z)\,\bigl(1 + z\,(1 - \sigma(z))\bigr)",
            with_derivative=silu_with_derivative,
        ),
        Activation(
            "softplus",
            softplus,
            softplus_derivative,
            r"f(z) = \ln\left(1 + e^{z}\right)",
            r"f'(z) = \frac{1}{1+e^{-z}} = \sigma(z)",
        ),
    ]
}


def get_activation(name: str) -> Activation:
    """The registry entry for ``name``; ValueError listing the valid names otherwise."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r}; valid: {', '.join(ACTIVATIONS)}"
        ) from None
