"""The model-selection page's lesson calls and chart views, cached by their settings for every session (bounded).

Each view returns its chart as a frozen spec (data as Arrow bytes, ``ui.charts.frozen``) with the numbers the page
prints beside it, so a rerun whose settings any student asked for before costs the server no training, no frame
building and no conversion. ``scale`` (``theme.current_scale()``) is part of every view's key: the style is baked in.
Section 1 trains each (width, label noise, dropout) once for MAX_EPOCHS; epochs, patience, the monitor and the
moving average only replay early stopping on that history (``training_curves(cfg, metrics)``).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import streamlit as st

from core.lessons.model_selection.batchnorm import DeepRun, deep_sigmoid
from core.lessons.model_selection.capacity import Memorization, bottleneck_sweep, memorization, width_sweep
from core.lessons.model_selection.early_stopping import MAX_EPOCHS, CurveConfig, Curves, epoch_metrics, moving_average, training_curves
from core.lessons.model_selection.dropout import DIAGRAMS, expected_activation, masks_for_iteration
from core.lessons.model_selection.penalties import SMALL, compare_penalties, weight_decay_vs_l2
from ui.charts.frozen import frozen
from ui.charts.spec import Spec, cached_spec
from ui.model_selection import charts, frames
from ui.model_selection.diagram import dropout_dot

Array = np.ndarray


@st.cache_data(show_spinner="Training all epochs once for this network and label noise…", max_entries=64)
def metrics(width: int, noise: float, dropout: float = 0.0) -> dict[str, Array]:
    """Per-epoch metrics of section 1's network over MAX_EPOCHS epochs, without stopping."""
    return epoch_metrics(CurveConfig(width=width, label_noise=noise, dropout=dropout, epochs=MAX_EPOCHS))


@st.cache_data(show_spinner=False, max_entries=512)
def early_stopping(width: int, epochs: int, patience: int, noise: float, monitor: str, smooth: int, kind: str,
                   scale: str) -> tuple[Spec, Curves]:
    """Section 1: the curves with the best epoch, the stop and the patience window; early stopping replayed."""
    cfg = CurveConfig(width=width, epochs=epochs, patience=patience, label_noise=noise, monitor=monitor, smooth=smooth)
    c = training_curves(cfg, metrics(width, noise))
    curves, marks = frames.curve_frames(c, "loss" if kind == "loss" else "acc", patience, smooth)
    title = "cross-entropy loss" if kind == "loss" else "accuracy"
    return frozen(cached_spec(charts.curves, title, smooth > 1, data={"curves": curves, "marks": marks})), c


@st.cache_data(show_spinner="Training one network per width…", max_entries=32)
def sweep(epochs: int, noise: float, scale: str) -> Spec:
    s = width_sweep(epochs=epochs, label_noise=noise)
    return frozen(cached_spec(charts.accuracy_sweep, "hidden units w (network 64-w-10, log scale)",
                              data={"sweep": frames.sweep_frame(s)}))


@st.cache_data(show_spinner="Training on true and on shuffled labels…", max_entries=32)
def memorizing(width: int, n_train: int, scale: str) -> tuple[Spec, Memorization]:
    mem = memorization(width=width, n_train=n_train)
    return frozen(cached_spec(charts.memorization, data={"memo": frames.memorization_frame(mem)})), mem


@st.cache_data(show_spinner="Training one network per bottleneck…", max_entries=16)
def bottleneck(first: int, scale: str) -> Spec:
    neck = bottleneck_sweep(first=first)
    return frozen(cached_spec(charts.accuracy_sweep, f"bottleneck units k (network 64-{first}-k-10, log scale)",
                              data={"sweep": frames.sweep_frame(neck)}))


def _pct(x: float) -> str:
    return f"{x:.1%}"


@st.cache_data(show_spinner="Training with no penalty, L1, L2 and proximal L1…", max_entries=32)
def penalties(lam: float, epochs: int, scale: str) -> tuple[Spec, pa.Table]:
    """Section 3: the weight histograms, and per penalty the small/zero shares and accuracies as a table."""
    runs = compare_penalties(lam=lam, epochs=epochs)
    spec = frozen(cached_spec(charts.weight_histogram, data={"hist": frames.histogram_frame(runs)}))
    table = pa.table({"penalty": [r.name for r in runs], f"|w| < {SMALL:g}": [_pct(r.small_share) for r in runs],
                      "w = 0": [_pct(r.zero_share) for r in runs], "train acc.": [_pct(r.train_acc) for r in runs],
                      "val. acc.": [_pct(r.val_acc) for r in runs]})
    return spec, table


@st.cache_data(show_spinner=False, max_entries=32)
def decay(lam: float, steps: int) -> pa.Table:
    """Section 3: weight decay against the L2 penalty, largest weight and bias differences after ``steps``."""
    rows = weight_decay_vs_l2(lam=lam, steps=steps)
    return pa.table({f"weight_decay = {lam:g}": [r.left for r in rows], "vs": [r.right for r in rows],
                     "max |ΔW|": [f"{r.max_dW:.2e}" for r in rows], "max |Δb|": [f"{r.max_db:.2e}" for r in rows]})


@st.cache_data(show_spinner=False, max_entries=1024)
def dropout_diagram(shape: str, p: float, iteration: int) -> str:
    """Section 4: the network with this iteration's dropped units greyed out (DOT)."""
    sizes = DIAGRAMS[shape]
    return dropout_dot(sizes, masks_for_iteration(sizes, p, iteration))


@st.cache_data(show_spinner=False, max_entries=1024)
def expectation(a: float, p: float) -> pa.Table:
    """Section 4: what a unit passes on under both dropout scalings, one draw, the mean of 10,000, at test time."""
    rows = expected_activation(a, p)
    return pa.table({"scheme": [r.scheme for r in rows], "training, one draw": [f"{r.train_one_draw:.3f}" for r in rows],
                     "training, mean of 10,000": [f"{r.train_mean:.3f}" for r in rows],
                     "test": [f"{r.test_value:.3f}" for r in rows]})


@st.cache_data(show_spinner="Training with dropout…", max_entries=64)
def dropout_curves(rate: float, scale: str) -> tuple[Spec, dict[str, float]]:
    """Section 4: section 1's default network with and without dropout, all of section 1's default epochs."""
    cfg = CurveConfig()
    base = {k: v[: cfg.epochs] for k, v in metrics(cfg.width, cfg.label_noise).items()}
    dropped = {k: v[: cfg.epochs] for k, v in metrics(cfg.width, cfg.label_noise, rate).items()}
    data = frames.runs_frame({"no dropout": {"training": base["train_loss"], "validation": base["val_loss"]},
                              f"dropout p = {rate:g}": {"training": dropped["train_loss"],
                                                        "validation": dropped["val_loss"]}}, dropped["epoch"])
    numbers = {"base_best": float(base["val_loss"].min()), "drop_best": float(dropped["val_loss"].min()),
               "base_acc": float(base["val_acc"][-1]), "drop_acc": float(dropped["val_acc"][-1])}
    return frozen(cached_spec(charts.run_curves, "cross-entropy loss", data={"runs": data})), numbers


@st.cache_data(show_spinner="Training the deep sigmoid network with and without batch norm…", max_entries=32)
def deep(depth: int, lr: float, steps: int) -> list[DeepRun]:
    checkpoints = (0, steps // 10, steps)
    return [deep_sigmoid(bn, depth=depth, lr=lr, steps=steps, checkpoints=checkpoints) for bn in (False, True)]


@st.cache_data(show_spinner=False, max_entries=64)
def deep_losses(depth: int, lr: float, steps: int, scale: str) -> tuple[Spec, tuple[float, float]]:
    runs = deep(depth, lr, steps)
    data = frames.runs_frame({("with" if r.batchnorm else "without") + " batch norm":
                              {"training": moving_average(r.losses, 10)} for r in runs}, np.arange(1, steps + 1))
    spec = cached_spec(charts.run_curves, "training loss (10-step average)", "step", ("training",), data={"runs": data})
    return frozen(spec), (runs[0].val_acc, runs[1].val_acc)


@st.cache_data(show_spinner=False, max_entries=128)
def running(depth: int, lr: float, steps: int, stat: str, scale: str) -> Spec:
    bn = deep(depth, lr, steps)[1]
    batch, run = (bn.batch_mean, bn.running_mean) if stat == "mean" else (bn.batch_var, bn.running_var)
    return frozen(cached_spec(charts.running_stats, f"{stat} of z", data={"stats": frames.stats_frame(batch, run)}))


@st.cache_data(show_spinner=False, max_entries=128)
def boxes(depth: int, lr: float, steps: int, step: int, scale: str) -> Spec:
    return frozen(cached_spec(charts.layer_boxes, data={"boxes": frames.boxes_frame(deep(depth, lr, steps), step)}))
