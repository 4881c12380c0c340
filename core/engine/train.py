"""Training loops for the NumPy MLP: first-order optimizers over minibatches, and L-BFGS.

``train`` runs ``steps`` optimizer steps; each step samples a minibatch (a fresh permutation per
epoch, the incomplete tail of an epoch is skipped so every batch has the same size), computes
loss and gradients with the engine and lets the optimizer update ``mlp.params`` in place. It
stops cleanly when the loss or the gradient stops being finite. Progress goes to ``callback``.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from core.engine.network import MLP
from core.engine.optim import make_optimizer

try:  # a scikit-learn dependency
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

Array = np.ndarray
# callback(step, loss, mlp) after each optimizer step; return True to stop early
Callback = Callable[[int, float, MLP], "bool | None"]


@dataclass(frozen=True)
class History:
    """What happened during training, one entry per step (per iteration for L-BFGS)."""

    losses: list[float]  # minibatch loss at step s, before the update it drove (incl. L2 penalty)
    lrs: list[float]  # learning rate used at step s (empty for L-BFGS)
    grad_norms: list[float]  # ‖∇L‖₂ over all parameters at step s
    status: str  # "completed", "diverged at step k", "stopped by callback at step k", or L-BFGS's message
    steps: int  # optimizer steps (L-BFGS iterations) actually taken
    final_loss: float  # loss on all of (X, y) with the final parameters; nan if not finite
    optimizer: str = ""
    n_evals: int = 0  # loss/gradient evaluations
    extra: dict = field(default_factory=dict)

    @property
    def diverged(self) -> bool:
        """True when training stopped because the loss or gradient became NaN/inf."""
        return self.status.startswith("diverged")


def grad_norm(grads: list[Array]) -> float:
    """‖g‖₂ over all arrays; inf/nan only if some entry is, not when the squares overflow."""
    with np.errstate(over="ignore", invalid="ignore"):
        sq = sum(float(np.dot(g.ravel(), g.ravel())) for g in grads)
        if math.isfinite(sq):
            return math.sqrt(sq)
        scale = max(float(np.max(np.abs(g))) for g in grads)
        if not math.isfinite(scale):
            return scale
        return scale * math.sqrt(sum(float(np.sum((g / scale) ** 2)) for g in grads))


def _check_data(mlp: MLP, X: Array, y: Array) -> tuple[Array, Array]:
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must have shape (n_samples, {mlp.layer_sizes[0]}), got {X.shape}")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} samples but y has {y.shape[0]}")
    return X, y


def _full_loss(mlp: MLP, X: Array, y: Array, loss: str, l2: float, label_smoothing: float) -> float:
    value, _ = mlp.loss_and_grads(X, y, loss, l2=l2, label_smoothing=label_smoothing)
    return value if math.isfinite(value) else math.nan


def train(
    mlp: MLP,
    X: Array,
    y: Array,
    loss: str,
    optimizer: str = "adam",
    steps: int = 200,
    batch_size: int | None = None,
    lr: float | None = None,
    schedule: Callable[[int], float] | None = None,
    seed: int | np.random.Generator = 0,
    callback: Callback | None = None,
    l2: float = 0.0,
    dropout: float = 0.0,
    label_smoothing: float = 0.0,
    **hyper,
) -> History:
    """Minimise L(X, y) by ``steps`` steps of ``optimizer``; θ ← optimizer(θ, ∇L(minibatch)), in place."""
    X, y = _check_data(mlp, X, y)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be an integer ≥ 0, got {steps!r}")
    n = X.shape[0]
    bs = n if batch_size is None else int(batch_size)
    if bs < 1:
        raise ValueError(f"batch_size must be ≥ 1 (or None for full batch), got {batch_size!r}")
    bs = min(bs, n)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    opt = make_optimizer(optimizer, mlp.params, **({} if lr is None else {"lr": lr}), **hyper)
    losses: list[float] = []
    lrs: list[float] = []
    norms: list[float] = []
    status = "completed"
    order, pos = rng.permutation(n), 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for step in range(steps):
            if schedule is not None:
                opt.lr = schedule(step)
            if bs == n:
                Xb, yb = X, y
            else:
                if pos + bs > n:
                    order, pos = rng.permutation(n), 0
                idx = order[pos : pos + bs]
                pos += bs
                Xb, yb = X[idx], y[idx]
            value, grads = mlp.loss_and_grads(
                Xb, yb, loss, l2=l2, label_smoothing=label_smoothing, dropout=dropout, rng=rng
            )
            gnorm = grad_norm(grads)
            if not (math.isfinite(value) and math.isfinite(gnorm)):
                status = f"diverged at step {step}"
                break
            losses.append(value)
            lrs.append(float(np.mean(opt.lr)))
            norms.append(gnorm)
            opt.step(grads)
            if callback is not None and callback(step, value, mlp):
                status = f"stopped by callback at step {step}"
                break
        final = _full_loss(mlp, X, y, loss, l2, label_smoothing)
    if math.isnan(final) and status == "completed" and steps:
        status = f"diverged at step {len(losses)}"
    return History(
        losses, lrs, norms, status, len(losses), final, optimizer=optimizer, n_evals=len(losses)
    )


def train_lbfgs(
    mlp: MLP,
    X: Array,
    y: Array,
    loss: str,
    max_iter: int = 200,
    l2: float = 0.0,
    gtol: float = 1e-5,
    callback: Callback | None = None,
) -> History:
    """Minimise L(θ) + λ/2·Σ‖W‖² with scipy's L-BFGS-B over the flattened parameters (in place).

    sklearn's MLPClassifier(alpha=α) penalises α/(2n)·Σ‖W‖², i.e. l2 = α/n here.
    """
    X, y = _check_data(mlp, X, y)
    if int(max_iter) < 1:
        raise ValueError(f"max_iter must be ≥ 1, got {max_iter!r}")
    losses: list[float] = []
    norms: list[float] = []
    last = {"norm": math.nan, "evals": 0}

    def fun(theta: Array) -> tuple[float, Array]:
        mlp.set_flat(theta)
        value, grads = mlp.loss_and_grads(X, y, loss, l2=l2)
        flat = np.concatenate([g.ravel() for g in grads])
        last["norm"], last["evals"] = float(np.linalg.norm(flat)), last["evals"] + 1
        return value, flat

    def on_iter(intermediate_result) -> None:
        losses.append(float(intermediate_result.fun))
        norms.append(last["norm"])  # gradient at the latest evaluation, the accepted iterate
        if callback is not None:
            mlp.set_flat(intermediate_result.x)
            if callback(len(losses) - 1, losses[-1], mlp):
                raise StopIteration

    # numpy and scipy ship separate OpenBLAS thread pools; interleaving the two (each L-BFGS step
    # is a tiny scipy BLAS call between numpy matmuls) makes them spin against each other, ~40x slower.
    one_thread = threadpool_limits(1, user_api="blas") if threadpool_limits else contextlib.nullcontext()
    with one_thread, np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        res = minimize(
            fun, mlp.get_flat(), jac=True, method="L-BFGS-B", callback=on_iter,
            options={"maxiter": int(max_iter), "gtol": gtol},
        )
        mlp.set_flat(res.x)
        final = _full_loss(mlp, X, y, loss, l2, 0.0)
    status = str(res.message)
    if math.isnan(final):
        status = f"diverged at step {len(losses)}"
    return History(
        losses, [], norms, status, int(res.nit), final, optimizer="lbfgs", n_evals=int(res.nfev),
        extra={"success": bool(res.success)},
    )
