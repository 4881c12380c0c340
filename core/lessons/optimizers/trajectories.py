"""Optimizer races on 2-D loss surfaces: trajectories, divergence, and one run's inner state.

All runs of a race step together: one vectorised gradient call per step for every run, and
runs that share an optimizer and its hyper-parameters (but not necessarily the learning rate)
share one ``core.engine.optim`` instance whose parameter is a block of rows, with a column of
learning rates. Rows never interact, so each row follows exactly the path a lone optimizer
would (the tests check this against a plain loop).

A race runs in one floating-point precision end to end (start point, gradients, optimizer state,
learning rates): float32 by default, as torch does, or float64. It matters at the edge of
stability: beyond η = 2/λ_max a step multiplies round-off along the stiffest direction, and
float32 round-off (~1e-7) grows to O(1) many steps before float64's (~1e-16) does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.engine.optim import OPTIMIZERS, make_optimizer
from core.engine.schedules import make_schedule
from core.engine.surfaces import Surface

MAX_STEPS = 1000
PRECISIONS: dict[str, np.dtype] = {"float32": np.dtype(np.float32), "float64": np.dtype(np.float64)}
DEFAULT_PRECISION = "float32"  # torch's default dtype, and the lecture's


def precision_dtype(precision: str) -> np.dtype:
    """The NumPy dtype of a precision name ("float32" or "float64")."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; valid names: {', '.join(PRECISIONS)}")
    return PRECISIONS[precision]


@dataclass(frozen=True)
class RunSpec:
    """One contestant: a display name, an optimizer with torch-named hyper-parameters, a schedule."""

    name: str
    optimizer: str
    hyper: tuple[tuple[str, Any], ...] = ()  # includes lr, the schedule's η₀
    schedule: str = "constant"
    schedule_kw: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def make(cls, name: str, optimizer: str, schedule: str = "constant",
             schedule_kw: dict[str, Any] | None = None, **hyper: Any) -> RunSpec:
        """RunSpec from keyword hyper-parameters: RunSpec.make("adam", "adam", lr=0.2)."""
        return cls(name, optimizer, tuple(sorted(hyper.items())), schedule, tuple(sorted((schedule_kw or {}).items())))

    @property
    def lr(self) -> float:
        """η₀: the optimizer's lr (its torch default when not given)."""
        return float(dict(self.hyper).get("lr", OPTIMIZERS[self.optimizer].defaults["lr"]))

    def lr_schedule(self, steps: int) -> np.ndarray:
        """η used at each of ``steps`` steps, shape (steps,)."""
        if self.schedule == "constant":
            make_schedule("constant", self.lr)  # validates η₀
            return np.full(steps, self.lr)
        sched = make_schedule(self.schedule, self.lr, **dict(self.schedule_kw))
        return np.array([sched(s) for s in range(steps)], dtype=float)


@dataclass
class Trajectory:
    """One run's path: points (steps+1, 2) and loss (steps+1,), NaN after divergence; lrs (steps,).

    The points are the race's values (exact in float64); the loss is f at those points, evaluated in float64.
    """

    name: str
    spec: RunSpec
    points: np.ndarray
    loss: np.ndarray
    lrs: np.ndarray
    diverged_at: int | None = None  # first step k whose point left the domain or was not finite
    precision: str = DEFAULT_PRECISION

    @property
    def final_loss(self) -> float:
        """Loss at the last step (NaN when the run diverged)."""
        return float(self.loss[-1])

    @property
    def legend(self) -> str:
        """Name for a legend, marked when the run diverged."""
        return self.name if self.diverged_at is None else f"{self.name} (diverged at step {self.diverged_at})"

    def first(self, steps: int) -> Trajectory:
        """The same run stopped after ``steps`` steps: what race(..., steps) returns, value for value (each step
        depends on the steps before it only, schedules included)."""
        if not 0 <= steps <= len(self.lrs):
            raise ValueError(f"this run has {len(self.lrs)} steps, asked for the first {steps}")
        k = self.diverged_at if self.diverged_at is not None and self.diverged_at <= steps else None
        return Trajectory(self.name, self.spec, self.points[: steps + 1].copy(), self.loss[: steps + 1].copy(),
                          self.lrs[:steps].copy(), k, self.precision)


def escape_box(surface: Surface) -> tuple[tuple[float, float], tuple[float, float]]:
    """The domain grown by one width/height on every side: leaving it counts as diverging."""
    (x0, x1), (y0, y1) = surface.domain
    w, h = x1 - x0, y1 - y0
    return (x0 - w, x1 + w), (y0 - h, y1 + h)


def first_divergence(surface: Surface, points: np.ndarray) -> np.ndarray:
    """For points (steps+1, n, 2): the first step at which each run diverged, or −1."""
    (x0, x1), (y0, y1) = escape_box(surface)
    x, y = points[..., 0], points[..., 1]
    with np.errstate(invalid="ignore"):
        inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)  # False for NaN and ±inf
    bad = ~inside
    return np.where(bad.any(axis=0), bad.argmax(axis=0), -1)


def first_reach(surface: Surface, loss: np.ndarray, tol: float) -> int | None:
    """The first step s with f(w_s) − f* < tol (NaN after a divergence never counts), or None."""
    hits = np.flatnonzero(np.nan_to_num(loss - surface.min_value, nan=np.inf) < tol)
    return int(hits[0]) if hits.size else None


def check_run(steps: int, start: Sequence[float]) -> np.ndarray:
    """Validate a race's step count (1 … MAX_STEPS) and 2-D start point; the start as an array."""
    if not (isinstance(steps, (int, np.integer)) and 1 <= steps <= MAX_STEPS):
        raise ValueError(f"steps must be an integer in [1, {MAX_STEPS}], got {steps!r}")
    start_arr = np.asarray(start, dtype=float)
    if start_arr.shape != (2,) or not np.all(np.isfinite(start_arr)):
        raise ValueError(f"start must be a finite point (x, y), got {start!r}")
    return start_arr


def simulate(surface: Surface, blocks: Sequence[tuple[str, dict[str, Any]]], sizes: Sequence[int],
             lrs: np.ndarray, start: Sequence[float], callback=None,
             precision: str = DEFAULT_PRECISION) -> np.ndarray:
    """Step every run together in ``precision``; returns points (steps+1, n, 2) of that dtype.

    Runs come in consecutive blocks: block j has ``sizes[j]`` rows sharing one optimizer
    ``blocks[j] = (name, hyper)`` whose parameter is a view of those rows; lrs (steps, n) holds
    each row's η per step (rounded to the precision, as torch rounds a Python-float lr to the
    parameter's dtype). ``callback(k, opts, G)`` (optional) sees the optimizers after step k
    and the gradients G (n, 2) they used.
    """
    dtype = precision_dtype(precision)
    steps, n = lrs.shape
    P = np.tile(np.asarray(start, dtype=float).astype(dtype), (n, 1))  # (n, 2); each block updates its rows in place
    H = np.empty((steps + 1, n, 2), dtype=dtype)
    H[0] = P
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    rows = [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]
    etas = lrs.astype(dtype)
    opts = [make_optimizer(name, [P[r]], **{**hyper, "lr": etas[0, r][:, None]}) for (name, hyper), r in zip(blocks, rows)]
    cols = [etas[:, r][:, :, None] for r in rows]  # per block: (steps, rows, 1)
    with np.errstate(all="ignore"):  # diverging rows turn into inf/NaN; the others are unaffected
        for k in range(steps):
            G = np.empty((n, 2), dtype=dtype)
            G[:, 0], G[:, 1] = surface.grad_fn(P[:, 0], P[:, 1])  # Surface.grad without its checks: P is already typed
            for opt, r, col in zip(opts, rows, cols):
                opt.lr = col[k]
                opt.step([G[r]])
            H[k + 1] = P
            if callback is not None:
                callback(k, opts, G)
    return H


def check_lrs(lrs: Sequence[float]) -> np.ndarray:
    """Validate a learning-rate grid: a non-empty 1-D list of finite η ≥ 0."""
    etas = np.asarray(lrs, dtype=float)
    if etas.ndim != 1 or etas.size == 0 or np.any(etas < 0) or not np.all(np.isfinite(etas)):
        raise ValueError("lrs must be a non-empty list of finite learning rates ≥ 0")
    return etas


def run_rows(surface: Surface, optimizer: str, hyper: dict[str, Any], lrs: np.ndarray,
             start: Sequence[float], callback=None, precision: str = DEFAULT_PRECISION) -> np.ndarray:
    """Rows sharing one optimizer, each with its own η column of lrs (steps, n): points (steps+1, n, 2)."""
    return simulate(surface, [(optimizer, hyper)], [lrs.shape[1]], lrs, start, callback, precision)


def race(surface: Surface, specs: Sequence[RunSpec], start: Sequence[float], steps: int,
         precision: str = DEFAULT_PRECISION) -> list[Trajectory]:
    """Run every spec from ``start`` for ``steps`` steps on ``surface`` in ``precision``; divergent runs stop at step k."""
    precision_dtype(precision)
    start_arr = check_run(steps, start)
    groups: dict[tuple, list[int]] = {}
    for i, spec in enumerate(specs):
        hyper = dict(spec.hyper)
        hyper.pop("lr", None)
        make_optimizer(spec.optimizer, [np.zeros(2)], **hyper)  # validates names and values early
        groups.setdefault((spec.optimizer, tuple(sorted(hyper.items()))), []).append(i)
    order = [i for idx in groups.values() for i in idx]  # runs regrouped into consecutive blocks
    lrs = np.empty((steps, len(specs)))
    for i, spec in enumerate(specs):
        lrs[:, i] = spec.lr_schedule(steps)
    blocks = [(name, dict(hyper)) for name, hyper in groups]
    grouped = simulate(surface, blocks, [len(idx) for idx in groups.values()], lrs[:, order], start_arr,
                       precision=precision)
    points = np.empty(grouped.shape)
    points[:, order] = grouped  # exact: every float32 is a float64
    div = first_divergence(surface, points)
    with np.errstate(all="ignore"):
        loss = surface.f(points[..., 0], points[..., 1])  # (steps+1, n)
    out = []
    for i, spec in enumerate(specs):
        p, f = points[:, i].copy(), loss[:, i].copy()
        k = int(div[i])
        if k >= 0:
            p[k + 1:] = np.nan
            f[k + 1:] = np.nan
            if not (np.all(np.isfinite(p[k])) and np.isfinite(f[k])):
                p[k], f[k] = np.nan, np.nan
        out.append(Trajectory(spec.name, spec, p, f, lrs[:, i].copy(), None if k < 0 else k, precision))
    return out
