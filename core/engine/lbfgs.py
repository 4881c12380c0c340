"""Full-batch L-BFGS for the NumPy MLP through scipy (its own loop: scipy decides the steps)."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable

import numpy as np
from scipy.optimize import minimize

from core.engine.history import History, check_data
from core.engine.network import MLP

try:  # a scikit-learn dependency
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

Array = np.ndarray


def train_lbfgs(
    mlp: MLP,
    X: Array,
    y: Array,
    loss: str,
    max_iter: int = 200,
    l2: float = 0.0,
    gtol: float = 1e-5,
    callback: Callable[[int, float, MLP], "bool | None"] | None = None,
) -> History:
    """Minimise L(θ) + λ/2·Σ‖W‖² with scipy's L-BFGS-B over the flattened parameters (in place).

    sklearn's MLPClassifier(alpha=α) penalises α/(2n)·Σ‖W‖², i.e. l2 = α/n here.
    """
    X, y = check_data(mlp, X, y)
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
        final = mlp.eval_loss(X, y, loss, l2=l2)
    final = final if math.isfinite(final) else math.nan
    status = str(res.message)
    if math.isnan(final):
        status = f"diverged at step {len(losses)}"
    return History(
        losses, [], norms, status, int(res.nit), final, optimizer="lbfgs", n_evals=int(res.nfev),
        extra={"success": bool(res.success)},
    )
