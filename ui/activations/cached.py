"""The activations page's lesson calls and chart views, cached by their settings for every session (bounded).

Each view is a frozen spec (data as Arrow bytes, ``ui.charts.frozen``) plus the numbers printed beside it, so a
rerun whose settings any student asked for before builds no frame and converts nothing. ``scale``
(``theme.current_scale()``) is part of every key: the chart style is baked into the spec.
"""

from __future__ import annotations

import streamlit as st

from core.lessons.activations.boundaries import fit_boundary, lecture_moons
from core.lessons.activations.curves import activation_curves, read_off
from core.lessons.activations.dying_relu import DyingConfig, DyingRun, dying_relu
from core.lessons.activations.gradient_flow import gradient_flow
from core.lessons.activations.output_layer import output_view
from ui.activations.charts import (boundary_chart, dead_units_chart, dying_charts, function_panel,
                                   gradient_norm_chart, output_bars)
from ui.charts.frozen import frozen
from ui.charts.spec import Spec


@st.cache_data(show_spinner=False, max_entries=1024)
def panel(name: str, z_max: float, threshold: float, z0: float, scale: str) -> Spec:
    """Section 1: f and f′ of ``name`` with the probe z0 read off."""
    curve = activation_curves((name,), z_max, threshold=threshold)[0]
    return frozen(function_panel(curve, z0, read_off(name, z0)))


@st.cache_data(show_spinner="One forward and backward pass per activation…", max_entries=64)
def flows(names: tuple[str, ...], depth: int, width: int, init: str, scale: str) -> tuple[Spec, Spec, str]:
    """Section 2: gradient norms per layer, dead units per layer, and the first/last gradient-norm ratios."""
    f = gradient_flow(names, depth=depth, width=width, init=init)
    ratios = ", ".join(f"{x.activation} {x.weight_grad_norms[0] / x.weight_grad_norms[-1]:.1e}"
                       for x in f if x.weight_grad_norms[-1] > 0)
    return frozen(gradient_norm_chart(f)), frozen(dead_units_chart(f)), ratios


@st.cache_data(show_spinner="Training ReLU and leaky-ReLU nets…", max_entries=64)
def dying(optimizer: str, lr: float, bias_shift: float, steps: int, scale: str) -> tuple[Spec, Spec, list[DyingRun]]:
    """Section 3: switched-off units and the loss over the steps, per activation."""
    runs = dying_relu(DyingConfig(optimizer=optimizer, lr=lr, bias_shift=bias_shift, steps=steps))
    inactive, losses = dying_charts(runs)
    return frozen(inactive), frozen(losses), runs


@st.cache_data(show_spinner="Training one net per activation with L-BFGS…", max_entries=64)
def boundaries(n_layers: int, seed: int, scale: str) -> list[tuple[Spec, float, int]]:
    """Section 4: (chart, training accuracy, L-BFGS iterations) for ReLU and for tanh."""
    split = lecture_moons()
    out = []
    for name in ("relu", "tanh"):
        b = fit_boundary(name, n_layers, seed=seed)
        out.append((frozen(boundary_chart(b, split.X_train, split.y_train, split.X_test, split.y_test)),
                    b.train_accuracy, b.iterations))
    return out


@st.cache_data(show_spinner=False, max_entries=1024)
def outputs(logits: tuple[float, ...], kind: str, true_class: int, temperature: float, alpha: float,
            uses_temperature: bool, scale: str) -> tuple[Spec, float, float]:
    """Section 5: (bars of ŷ against the target, the sample's loss, the lowest reachable loss)."""
    view = output_view(list(logits), kind, true_class, temperature, alpha)
    return frozen(output_bars(view, uses_temperature)), view.loss, view.min_loss
