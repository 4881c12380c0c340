"""Scenes on activation functions: f and f′, gradient flow, dying ReLU, ReLU vs tanh, output activations."""

from __future__ import annotations

import streamlit as st

from core.engine.initializers import INITIALIZERS
from core.lessons.activations.boundaries import fit_boundary, lecture_moons
from core.lessons.activations.curves import activation_curves, read_off
from core.lessons.activations.dying_relu import DyingConfig, dying_relu
from core.lessons.activations.gradient_flow import gradient_flow
from core.lessons.activations.output_layer import DEFAULT_LOGITS, OUTPUT_ACTIVATIONS, output_view, parse_logits
from ui.activations.charts import boundary_chart, dying_charts, function_panel, gradient_norm_chart, output_bars
from ui.lecture.controls import Controls
from ui.lecture.figure import Figure
from ui.lecture.style import FIGURE_PX, lecture_spec, side_by_side

LECTURE_FOUR = ["sigmoid", "tanh", "relu", "leaky_relu"]  # the notebook's dropdown
FLOW = ("sigmoid", "tanh", "relu")
LEARNING_RATES = [0.01, 0.03, 0.05, 0.1, 0.3, 1.0, 2.0, 3.0]


@st.cache_data(show_spinner=False, max_entries=32)
def _curve(name: str):
    return activation_curves((name,), 6.0, threshold=0.05)[0]


@st.cache_data(show_spinner="One forward and backward pass per activation…", max_entries=32)
def _flows(depth: int, init: str):
    return gradient_flow(FLOW, depth=depth, width=64, init=init)


@st.cache_data(show_spinner="Training ReLU and leaky-ReLU nets…", max_entries=32)
def _dying(optimizer: str, lr: float, shift: float):
    return dying_relu(DyingConfig(optimizer=optimizer, lr=lr, bias_shift=shift, steps=200))


@st.cache_data(show_spinner="Training one net per activation with L-BFGS…", max_entries=16)
def _boundaries(n_layers: int):
    return [fit_boundary(name, n_layers, seed=0) for name in ("relu", "tanh")]


def function(c: Controls) -> Figure:
    """#8–9: an activation f (solid) and its derivative f′ (dashed), grey where f′ is nearly zero."""
    name = c.selectbox("Activation", LECTURE_FOUR, key="act", page_key="acts")
    z0 = c.slider("Probe z", -6.0, 6.0, 1.0, 0.1, key="z0", page_key="z0")
    curve = _curve(name)
    title = f"{name}: f(z) and f′(z); grey where |f′| < 0.05"
    spec = function_panel(curve, z0, read_off(name, z0), height=FIGURE_PX - 90)
    spec["title"] = {"text": title}
    return Figure(title, vega=lecture_spec(spec, FIGURE_PX))


def flow(c: Controls) -> Figure:
    """Extra: the gradient norm of every layer's weights in a deep MLP, one line per activation."""
    depth = c.slider("Depth (hidden layers)", 2, 30, 10, key="depth", page_key="depth")
    inits = list(INITIALIZERS)
    init = c.selectbox("Initializer", inits, index=inits.index("he_normal"), key="init", page_key="init")
    c.page(flow=list(FLOW))
    flows = _flows(depth, init)
    spec = gradient_norm_chart(flows, height=FIGURE_PX - 110)
    title = f"Gradient norm per layer: {depth} hidden layers of 64 units, {init}"
    spec["title"] = {"text": title}
    return Figure(title, vega=lecture_spec(spec, FIGURE_PX))


def dying(c: Controls) -> Figure:
    """Extra: the fraction of switched-off units while ReLU and leaky-ReLU nets train."""
    optimizer = c.selectbox("Optimizer", ["adam", "sgd", "momentum"], key="opt", page_key="dopt")
    lr = c.select_slider("Learning rate η", LEARNING_RATES, value=0.05, key="lr", page_key="dlr")
    shift = c.slider("Bias shift b += ", -5.0, 1.0, -3.0, 0.5, key="shift", page_key="shift")
    runs = _dying(optimizer, lr, shift)
    inactive, _ = dying_charts(runs, height=FIGURE_PX - 110)
    ends = ", ".join(f"{r.activation} {r.inactive[-1]:.0%}" for r in runs)
    title = f"Switched-off units during training (at the end: {ends})"
    inactive["title"] = {"text": title}
    return Figure(title, vega=lecture_spec(inactive, FIGURE_PX))


def boundaries(c: Controls) -> Figure:
    """#10: decision regions of ReLU and tanh nets on the lecture's moons, test accuracy in the titles."""
    n_layers = c.slider("Hidden layers n ([10] × n units)", 1, 4, 2, key="n", page_key="n")
    split = lecture_moons()
    parts = [boundary_chart(b, split.X_train, split.y_train, split.X_test, split.y_test) for b in _boundaries(n_layers)]
    spec = side_by_side(parts, height=FIGURE_PX - 170, width=400)
    title = f"ReLU vs tanh with [10] × {n_layers} hidden units"
    spec["title"] = {"text": title}
    return Figure(title, vega=lecture_spec(spec), answer="tanh")


def output(c: Controls) -> Figure:
    """#11: what sigmoid, softmax or no output activation make of the same logits."""
    kind = c.radio("Output activation", list(OUTPUT_ACTIVATIONS), key="out", page_key="out")
    temperature = c.slider("Temperature T", 0.1, 5.0, 1.0, 0.1, key="temp", page_key="temp")
    alpha = c.slider("Label smoothing α", 0.0, 0.5, 0.1, 0.01, key="alpha", page_key="alpha")
    view = output_view(parse_logits(DEFAULT_LOGITS), kind, 0, temperature, alpha)
    spec = output_bars(view, OUTPUT_ACTIVATIONS[kind].uses_temperature, height=FIGURE_PX - 110)
    title = f"{kind} on the logits z = ({DEFAULT_LOGITS}): loss {view.loss:.3f}"
    spec["title"] = {"text": title}
    return Figure(title, vega=lecture_spec(spec, FIGURE_PX))
