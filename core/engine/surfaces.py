"""2-D loss surfaces f(x, y) with analytic gradients, for watching optimizers race.

Each formula is written once over an array namespace ``xp`` (NumPy, or torch for the
autograd check in the tests); the analytic gradient sits next to it. ``f`` and ``grad`` compute
in the inputs' floating dtype (float32 stays float32, as in torch; anything else becomes float64):
the constants are Python floats, which NumPy 2 keeps "weak".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Array = Any  # np.ndarray, float, or a torch tensor inside the tests


@dataclass(frozen=True)
class Surface:
    """A loss surface: f, its gradient, where to draw it and where the races start."""

    name: str
    label: str
    latex: str
    expr: Callable[[Array, Array, Any], Array]  # (x, y, xp) -> f; xp is numpy or torch
    grad_fn: Callable[[Array, Array], tuple[Array, Array]]
    domain: tuple[tuple[float, float], tuple[float, float]]  # ((xmin, xmax), (ymin, ymax))
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    min_value: float = 0.0  # f at the minima
    log_scale: bool = True  # colour hint: log-spaced levels read better

    def f(self, x: Array, y: Array) -> np.ndarray:
        """f(x, y), broadcast over arrays, in the inputs' floating dtype."""
        x, y = _floats(x, y)
        return self.expr(x, y, np)

    def grad(self, x: Array, y: Array) -> tuple[np.ndarray, np.ndarray]:
        """(∂f/∂x, ∂f/∂y), broadcast over arrays, in the inputs' floating dtype."""
        x, y = _floats(x, y)
        gx, gy = self.grad_fn(x, y)
        if np.shape(gx) == np.shape(gy) == x.shape == y.shape:
            return gx, gy
        shape = np.broadcast_shapes(x.shape, y.shape)
        return np.broadcast_to(gx, shape), np.broadcast_to(gy, shape)


def _floats(x: Array, y: Array) -> tuple[np.ndarray, np.ndarray]:
    """x and y as arrays of one floating dtype: their common one if both are floating (float32 stays), else float64."""
    x, y = np.asarray(x), np.asarray(y)
    dtype = np.result_type(x, y)
    if dtype.kind != "f":
        dtype = np.dtype(np.float64)
    return x.astype(dtype, copy=False), y.astype(dtype, copy=False)


# Beale: the lecture's surface. Minimum f(3, 0.5) = 0.
def _beale(x: Array, y: Array, xp: Any) -> Array:
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def _beale_grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y2 = y * y
    y3 = y2 * y
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y3
    dx = 2 * a * (y - 1) + 2 * b * (y2 - 1) + 2 * c * (y3 - 1)
    dy = 2 * x * (a + 2 * b * y + 3 * c * y2)
    return dx, dy


# Rosenbrock's banana valley, a = 1, b = 100. Minimum f(1, 1) = 0.
def _rosenbrock(x: Array, y: Array, xp: Any) -> Array:
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosenbrock_grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r = y - x * x
    return -2 * (1 - x) - 400 * x * r, 200 * r


# Himmelblau: four minima with f = 0.
def _himmelblau(x: Array, y: Array, xp: Any) -> Array:
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _himmelblau_grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a, b = x * x + y - 11, x + y * y - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


# A smooth saddle: f = x²/2 + (y² − 1)²/4. Saddle at (0, 0) (f = 1/4), minima (0, ±1) with f = 0.
def _saddle(x: Array, y: Array, xp: Any) -> Array:
    return 0.5 * x**2 + 0.25 * (y**2 - 1) ** 2


def _saddle_grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return x, y * (y * y - 1)


# Rastrigin: a bowl covered in local minima. Global minimum f(0, 0) = 0.
def _rastrigin(x: Array, y: Array, xp: Any) -> Array:
    return 20 + x**2 - 10 * xp.cos(2 * math.pi * x) + y**2 - 10 * xp.cos(2 * math.pi * y)


def _rastrigin_grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    k = 20 * math.pi
    return 2 * x + k * np.sin(2 * math.pi * x), 2 * y + k * np.sin(2 * math.pi * y)


def make_quadratic(condition: float = 10.0, angle: float = 0.0) -> Surface:
    """Ill-conditioned bowl f = ½(u² + κv²), (u, v) = (x, y) rotated by ``angle`` degrees; κ = condition."""
    if not (math.isfinite(condition) and condition >= 1.0):
        raise ValueError(f"condition number must be a finite number ≥ 1, got {condition!r}")
    kappa = float(condition)
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))

    def expr(x: Array, y: Array, xp: Any) -> Array:
        u, v = c * x + s * y, -s * x + c * y
        return 0.5 * (u**2 + kappa * v**2)

    def grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        u, v = c * x + s * y, -s * x + c * y
        du, dv = u, kappa * v  # ∂f/∂u, ∂f/∂v; chain rule back through the rotation
        return c * du - s * dv, s * du + c * dv

    rot = "" if angle == 0 else rf",\ (u, v) = R_{{{angle:g}^\circ}}(x, y)"
    return Surface(
        name="quadratic",
        label=f"Ill-conditioned bowl (κ = {kappa:g})",
        latex=rf"f(u, v) = \tfrac12\left(u^2 + \kappa v^2\right),\ \kappa = {kappa:g}" + rot,
        expr=expr,
        grad_fn=grad,
        domain=((-4.0, 4.0), (-2.0, 2.0)),
        start=(-3.5, 1.5),
        minima=((0.0, 0.0),),
    )


SURFACES: dict[str, Surface] = {
    s.name: s
    for s in (
        Surface(
            "beale", "Beale (the lecture's)",
            r"f(x,y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
            _beale, _beale_grad, ((-2.0, 3.5), (-3.5, 2.0)), (0.8, 1.6), ((3.0, 0.5),),
        ),
        Surface(
            "rosenbrock", "Rosenbrock's valley", r"f(x,y) = (1 - x)^2 + 100\,(y - x^2)^2",
            _rosenbrock, _rosenbrock_grad, ((-2.0, 2.0), (-1.0, 3.0)), (-1.5, 2.5), ((1.0, 1.0),),
        ),
        Surface(
            "himmelblau", "Himmelblau (four minima)", r"f(x,y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
            _himmelblau, _himmelblau_grad, ((-5.0, 5.0), (-5.0, 5.0)), (-0.5, -0.5),
            (
                (3.0, 2.0),
                (-2.805118086952745, 3.131312518250573),
                (-3.779310253377747, -3.283185991286170),
                (3.584428340330492, -1.848126526964404),
            ),
        ),
        make_quadratic(),
        Surface(
            "saddle", "Saddle point", r"f(x,y) = \tfrac12 x^2 + \tfrac14\,(y^2 - 1)^2",
            _saddle, _saddle_grad, ((-2.0, 2.0), (-1.6, 1.6)), (-1.8, 0.01), ((0.0, 1.0), (0.0, -1.0)),
        ),
        Surface(
            "rastrigin", "Rastrigin (many local minima)",
            r"f(x,y) = 20 + x^2 - 10\cos 2\pi x + y^2 - 10\cos 2\pi y",
            _rastrigin, _rastrigin_grad, ((-5.12, 5.12), (-5.12, 5.12)), (-4.3, 3.7), ((0.0, 0.0),),
            log_scale=False,
        ),
    )
}


def get_surface(name: str, condition: float | None = None) -> Surface:
    """SURFACES[name]; the quadratic is rebuilt for a given condition number."""
    if name not in SURFACES:
        raise ValueError(f"unknown surface {name!r}; valid names: {', '.join(SURFACES)}")
    if name == "quadratic" and condition is not None:
        return make_quadratic(condition)
    return SURFACES[name]
