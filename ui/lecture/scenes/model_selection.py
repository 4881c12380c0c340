"""Scenes of the lecture's model-selection chapter: early stopping, capacity, memorization, L1/L2, dropout, batch norm.

Each calls the model-selection page's lesson functions (``core.lessons.model_selection``) and draws the page's own
chart builders (``ui.model_selection``), on scikit-learn's digits, trained live by the NumPy engine.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.lessons.model_selection.batchnorm import deep_sigmoid
from core.lessons.model_selection.capacity import memorization, width_sweep
from core.lessons.model_selection.data import CHANCE
from core.lessons.model_selection.dropout import DIAGRAMS, masks_for_iteration
from core.lessons.model_selection.early_stopping import CurveConfig, epoch_metrics, moving_average, training_curves
from core.lessons.model_selection.penalties import SMALL, compare_penalties
from ui.charts.spec import cached_spec
from ui.lecture.controls import Controls
from ui.lecture.figure import Figure
from ui.lecture.style import FIGURE_PX, lecture_dot, lecture_spec
from ui.model_selection import charts, frames
from ui.model_selection.diagram import dropout_dot

PLOT_PX = FIGURE_PX - 130  # the builders' plot height; lecture_spec fits title, axes and legend into FIGURE_PX
WIDTHS = [16, 32, 64, 128, 256]
LAMBDAS = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2]
BN_RATES = [0.03, 0.1, 0.3, 1.0]
BN_STEPS = [100, 300, 600]
DROPOUT_ANSWERS = ("Yes: better validation accuracy", "No: worse validation accuracy", "It makes no difference")
SAME = 0.01  # final validation accuracies closer than this count as "no difference"


@st.cache_data(show_spinner="Training with and without early stopping…", max_entries=32)
def _curves(cfg: CurveConfig):
    return training_curves(cfg)


@st.cache_data(show_spinner="Training with dropout…", max_entries=16)
def _dropout_metrics(cfg: CurveConfig):
    return epoch_metrics(cfg)


@st.cache_data(show_spinner="Training one network per width…", max_entries=16)
def _sweep(epochs: int, label_noise: float):
    return width_sweep(epochs=epochs, label_noise=label_noise)


@st.cache_data(show_spinner="Training on true and on shuffled labels…", max_entries=16)
def _memorization(width: int, n_train: int):
    return memorization(width=width, n_train=n_train)


@st.cache_data(show_spinner="Training with no penalty, L1, L2 and proximal L1…", max_entries=16)
def _penalties(lam: float, epochs: int):
    return compare_penalties(lam=lam, epochs=epochs)


@st.cache_data(show_spinner="Training the deep sigmoid network with and without batch norm…", max_entries=16)
def _deep(depth: int, lr: float, steps: int):
    checkpoints = (0, steps // 10, steps)  # the page's checkpoints: its cache and this one hold the same runs
    return [deep_sigmoid(bn, depth=depth, lr=lr, steps=steps, checkpoints=checkpoints) for bn in (False, True)]


def _figure(spec: dict, title: str, note: str = "", answer: str | None = None) -> Figure:
    spec["title"] = {"text": title}
    return Figure(title, vega=lecture_spec(spec, FIGURE_PX), note=note, answer=answer)


def early_stopping(c: Controls) -> Figure:
    """Training vs validation loss per epoch; the best epoch, the patience window and the stop."""
    width = c.select_slider("Width (2 hidden layers)", WIDTHS, value=64, key="width", page_key="width")
    patience = c.slider("Patience k (epochs)", 1, 15, 5, key="patience", page_key="patience")
    noise = c.slider("Label noise", 0.0, 0.5, 0.2, 0.05, key="noise", page_key="noise")
    curves = _curves(CurveConfig(width=width, patience=patience, label_noise=noise))
    data, marks = frames.curve_frames(curves, "loss", patience, 1)
    spec = cached_spec(charts.curves, "cross-entropy loss", False, height=PLOT_PX,
                       data={"curves": data, "marks": marks})
    stop = f"stopped at epoch {curves.stop_epoch}" if curves.stop_epoch else "patience never ran out"
    title = f"Early stopping: best epoch {curves.best_epoch}, {stop} (64-{width}-{width}-10 on the digits)"
    note = (f"Validation accuracy with the restored weights {curves.restored_val_acc:.1%}; "
            f"after all {int(curves.epochs[-1])} epochs {curves.final_val_acc:.1%}.")
    return _figure(spec, title, note)


def capacity(c: Controls) -> Figure:
    """Final training and validation accuracy against the hidden width: underfitting, the sweet spot, overfitting."""
    epochs = c.slider("Epochs per network", 5, 20, 10, 5, key="epochs", page_key="sweep_epochs")
    noise = c.slider("Label noise", 0.0, 0.5, 0.0, 0.1, key="noise", page_key="sweep_noise")
    sweep = _sweep(epochs, noise)
    spec = cached_spec(charts.accuracy_sweep, "hidden units w (network 64-w-10, log scale)", height=PLOT_PX,
                       data={"sweep": frames.sweep_frame(sweep)})
    best = int(np.argmax(sweep.val_acc))
    title = f"Capacity: accuracy after {epochs} epochs vs hidden width (digits, {noise:.0%} label noise)"
    note = (f"Best validation accuracy {sweep.val_acc[best]:.1%} at w = {sweep.widths[best]} "
            f"({sweep.n_params[best]:,} parameters); w = {sweep.widths[0]}: {sweep.val_acc[0]:.1%}.")
    return _figure(spec, title, note)


def memorize(c: Controls) -> Figure:
    """Accuracy per epoch with true and with shuffled labels: a wide net memorizes noise."""
    width = c.select_slider("Hidden units", [32, 64, 128, 256, 512], value=256, key="width", page_key="mem_width")
    n_train = c.slider("Training images", 50, 300, 150, 50, key="n", page_key="mem_n")
    mem = _memorization(width, n_train)
    spec = cached_spec(charts.memorization, height=PLOT_PX, data={"memo": frames.memorization_frame(mem)})
    title = f"Memorization: 64-{width}-10 ({mem.n_params:,} parameters) on {n_train} images"
    note = (f"Shuffled labels: training accuracy {mem.shuffled_train[-1]:.0%}, validation {mem.shuffled_val[-1]:.0%} "
            f"(chance {CHANCE:.0%}); true labels: validation {mem.true_val[-1]:.0%}.")
    return _figure(spec, title, note)


def penalties(c: Controls) -> Figure:
    """Histograms of log₁₀|w| after training with no penalty, L1, L2 and proximal L1."""
    lam = c.select_slider("Strength λ", LAMBDAS, value=3e-3, key="lam", page_key="lam")
    epochs = c.slider("Epochs", 10, 40, 30, 10, key="epochs", page_key="pen_epochs")
    runs = _penalties(lam, epochs)
    spec = cached_spec(charts.weight_histogram, height=PLOT_PX, data={"hist": frames.histogram_frame(runs)})
    title = f"L1 vs L2: the weights of 64-128-10 after {epochs} epochs, λ = {lam:g}"
    shares = ", ".join(f"{r.name} {r.small_share:.0%}" for r in runs)
    note = f"Share of weights with |w| < {SMALL:g}: {shares}. Validation accuracy: " + ", ".join(
        f"{r.name} {r.val_acc:.0%}" for r in runs) + "."
    return _figure(spec, title, note)


def dropout(c: Controls) -> Figure:
    """#22: the lecture's small network with this iteration's dropped units greyed out."""
    shape = c.selectbox("Network", list(DIAGRAMS), key="net", page_key="net")
    p = c.slider("Dropout rate p", 0.1, 0.9, 0.5, 0.1, key="p", page_key="p")
    iteration = c.slider("Iteration", 1, 100, 3, key="it", page_key="it")
    sizes = DIAGRAMS[shape]
    masks = masks_for_iteration(sizes, p, iteration)
    dropped = sum(int((m == 0).sum()) for m in masks)
    hidden = sum(sizes[1:-1])
    title = f"Dropout, iteration {iteration}: {dropped} of {hidden} hidden units dropped (p = {p:g}); kept ones × 1/(1 − p)"
    return Figure(title, dot=lecture_dot(dropout_dot(sizes, masks)))


def dropout_helps(c: Controls) -> Figure:
    """Extra: section 1's network trained with and without dropout; the live answer to 'does dropout help here?'."""
    rate = c.slider("Dropout rate p", 0.1, 0.7, 0.5, 0.1, key="p", page_key="drop_train")
    cfg = CurveConfig()
    base, dropped = _curves(cfg).metrics, _dropout_metrics(CurveConfig(dropout=rate))
    data = frames.runs_frame({"no dropout": {"training": base["train_loss"], "validation": base["val_loss"]},
                              f"dropout p = {rate:g}": {"training": dropped["train_loss"],
                                                        "validation": dropped["val_loss"]}}, dropped["epoch"])
    spec = cached_spec(charts.run_curves, "cross-entropy loss", height=PLOT_PX, data={"runs": data})
    without, with_ = float(base["val_acc"][-1]), float(dropped["val_acc"][-1])
    answer = DROPOUT_ANSWERS[2] if abs(with_ - without) < SAME else DROPOUT_ANSWERS[0 if with_ > without else 1]
    title = f"Dropout against overfitting: 64-{cfg.width}-{cfg.width}-10, {cfg.label_noise:.0%} label noise, {cfg.epochs} epochs"
    note = (f"Validation accuracy after {cfg.epochs} epochs: {without:.1%} without dropout, {with_:.1%} with p = {rate:g}; "
            f"lowest validation loss {base['val_loss'].min():.3f} vs {dropped['val_loss'].min():.3f}.")
    return _figure(spec, title, note, answer)


def batchnorm(c: Controls) -> Figure:
    """Extra: a deep sigmoid network's training loss with and without batch norm."""
    depth = c.slider("Hidden layers (32 sigmoid units)", 4, 10, 8, key="depth", page_key="depth")
    lr = c.select_slider("Learning rate η", BN_RATES, value=0.3, key="lr", page_key="bn_lr")
    steps = c.select_slider("Steps", BN_STEPS, value=300, key="steps", page_key="bn_steps")
    runs = _deep(depth, lr, steps)
    data = frames.runs_frame({("with" if r.batchnorm else "without") + " batch norm":
                              {"training": moving_average(r.losses, 10)} for r in runs}, np.arange(1, steps + 1))
    spec = cached_spec(charts.run_curves, "training loss (10-step average)", "step", ("training",), height=PLOT_PX,
                       data={"runs": data})
    title = f"Batch norm: {depth} sigmoid layers, plain SGD η = {lr:g}"
    note = (f"Validation accuracy after {steps} steps: {runs[0].val_acc:.0%} without batch norm, "
            f"{runs[1].val_acc:.0%} with it (chance {CHANCE:.0%}).")
    return _figure(spec, title, note)
