"""Learning-rate sweeps: the final loss after N steps as a function of η₀, for many η₀ at once.

Every (optimizer, η₀) pair is one row of a single vectorised race (``core.lessons.optimizers.trajectories.simulate``):
the rows of one optimizer share an instance with a column of learning rates.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.engine.optim import make_optimizer
from core.engine.surfaces import Surface
from core.lessons.optimizers.trajectories import DEFAULT_PRECISION, RunSpec, check_run, check_lrs, first_divergence, precision_dtype, simulate


def lr_sweep(surface: Surface, spec: RunSpec, start: Sequence[float], steps: int,
             lrs: Sequence[float], precision: str = DEFAULT_PRECISION) -> tuple[np.ndarray, np.ndarray]:
    """Final loss after ``steps`` steps for each η₀ in ``lrs`` (the schedule scaled to start at η₀).

    Returns (final_loss (m,), diverged (m,) bool); a diverged run's loss is NaN.
    """
    final, diverged = sweep(surface, [spec], start, steps, lrs, precision)
    return final[0], diverged[0]


def sweep(surface: Surface, specs: Sequence[RunSpec], start: Sequence[float], steps: int,
          lrs: Sequence[float], precision: str = DEFAULT_PRECISION) -> tuple[np.ndarray, np.ndarray]:
    """lr_sweep for several specs at once (one gradient call per step for all of them), in ``precision``.

    Returns (final_loss (len(specs), m), diverged (len(specs), m)); the loss is f at the final points, in float64.
    """
    precision_dtype(precision)
    start_arr = check_run(steps, start)
    etas = check_lrs(lrs)
    blocks, cols = [], []
    for spec in specs:
        hyper = dict(spec.hyper)
        hyper.pop("lr", None)
        make_optimizer(spec.optimizer, [np.zeros(2)], **hyper)
        blocks.append((spec.optimizer, hyper))
        base = spec.lr_schedule(steps)
        shape = base / spec.lr if spec.lr > 0 else np.ones(steps)  # the schedule's shape, η₀ factored out
        cols.append(shape[:, None] * etas[None, :])
    m = etas.size
    if not specs:
        return np.empty((0, m)), np.empty((0, m), dtype=bool)
    H = simulate(surface, blocks, [m] * len(specs), np.concatenate(cols, axis=1), start_arr, precision=precision)
    diverged = first_divergence(surface, H) >= 0
    last = H[-1].astype(float)
    with np.errstate(all="ignore"):
        final = surface.f(last[:, 0], last[:, 1])
    final = np.where(diverged, np.nan, final)
    return final.reshape(len(specs), m), diverged.reshape(len(specs), m)


def log_lr_grid(lo: float = 1e-4, hi: float = 1.0, n: int = 41) -> np.ndarray:
    """n learning rates evenly spaced in log10 between lo and hi."""
    if not (0 < lo < hi) or n < 2:
        raise ValueError(f"need 0 < lo < hi and n ≥ 2, got lo={lo}, hi={hi}, n={n}")
    return np.logspace(np.log10(lo), np.log10(hi), n)


def sweep_summary(lrs: Sequence[float], final: np.ndarray, diverged: np.ndarray) -> dict[str, float]:
    """Best η₀ and its loss, and the smallest η₀ that diverged (NaN if none), for one run's sweep."""
    etas = np.asarray(lrs, dtype=float)
    ok = ~np.asarray(diverged) & np.isfinite(final)
    best = int(np.nanargmin(np.where(ok, final, np.nan))) if ok.any() else -1
    bad = etas[np.asarray(diverged)]
    return {
        "best_lr": float(etas[best]) if best >= 0 else float("nan"),
        "best_loss": float(final[best]) if best >= 0 else float("nan"),
        "first_diverging_lr": float(bad.min()) if bad.size else float("nan"),
    }
