"""Scenes of the lecture's first part: one neuron, layers, the walk-through, mini-batches, the computational graph."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.engine.datasets import DATASETS, make_dataset
from core.lessons.backprop.architecture import count_parameters, lecture_widget_sizes
from core.lessons.backprop.compgraph import build_graph
from core.lessons.backprop.minibatch import REDUCTIONS, make_batch, train_curve
from core.lessons.backprop.walkthrough import MAZUR, default_numbers, params_from_rows, walkthrough
from core.lessons.home.neuron import evaluate_neuron
from ui.backprop.diagrams import architecture_dot, compgraph_dot, network_dot
from ui.charts import theme
from ui.charts.builders import line_chart
from ui.charts.frozen import frozen
from ui.home.charts import field_frame, neuron_spec, points_frame
from ui.lecture.controls import Controls
from ui.lecture.figure import Figure
from ui.lecture.style import FIGURE_PX, lecture_dot, lecture_spec

SIZES = (2, 2, 2)  # Mazur's network, the walk-through page's default
ACT, OUT, LOSS = "sigmoid", "sigmoid", "half_sse"
DATA = next(iter(DATASETS))


def _numbers() -> dict:
    d = default_numbers(SIZES)
    return {k: d[k] for k in ("W1", "b1", "W2", "b2")}


@st.cache_data(show_spinner=False, max_entries=1024)
def _neuron(w1: float, w2: float, b: float, scale: str) -> tuple[str, dict]:
    """The neuron's title and frozen picture (a hall of students moving the sliders asks for the same few values)."""
    X, y = make_dataset(DATA, n=200, noise=0.2, seed=0)
    view = evaluate_neuron(X, y, (w1, w2), b)
    title = f"ŷ = σ({w1:g}·x₁ + {w2:g}·x₂ + {b:g}): log loss {view.log_loss:.2f}, accuracy {view.accuracy:.0%}"
    field = field_frame(view.xs, view.ys, view.P)
    spec = neuron_spec(field, points_frame(X, y), title, height=FIGURE_PX - 80)  # the home page's picture
    return title, frozen(spec)


@st.cache_data(show_spinner=False, max_entries=64)
def _walk(eta: float):
    d = default_numbers(SIZES)
    return walkthrough(params_from_rows(_numbers(), 2), d["x"], d["y"], ACT, OUT, LOSS, eta, False)


@st.cache_data(show_spinner=False, max_entries=256)
def _batch_curve(n: int, eta: float, reduction: str, scale: str, k: int = 100) -> tuple[str, dict]:
    """The mini-batch scene's title and frozen loss curve."""
    d = default_numbers(SIZES)
    X, Y = make_batch(d["x"], d["y"], n, LOSS)
    curve, final = train_curve(params_from_rows(_numbers(), 2), X, Y, ACT, OUT, LOSS, eta, k, reduction)
    df = pd.DataFrame({"step": range(len(curve) + 1), "loss": [*curve, final]})
    title = f"SGD on a batch of {n}, η = {eta:g} ({reduction} of gradients): loss {curve[0]:.3f} → {final:.3f}"
    chart = line_chart(df, "step", "loss", title=title, y_title="batch loss (mean)", height=FIGURE_PX - 90)
    return title, frozen(chart.to_dict())


GRAPH_SIZES = (1, 1, 1)  # the smallest net with a hidden layer: its whole graph reads from the back of a hall


@st.cache_data(show_spinner=False, max_entries=8)
def _graph():
    d = default_numbers(GRAPH_SIZES)
    numbers = {k: d[k] for k in ("W1", "b1", "W2", "b2")}
    return build_graph(params_from_rows(numbers, 2), d["x"], d["y"], ACT, OUT, LOSS)


def neuron(c: Controls) -> Figure:
    """#1: logistic regression as one neuron; its weights turn the boundary, the bias shifts it."""
    w1 = c.slider("Weight w₁", -5.0, 5.0, 1.0, 0.1, key="w1", page_key="w1")
    w2 = c.slider("Weight w₂", -5.0, 5.0, 1.0, 0.1, key="w2", page_key="w2")
    b = c.slider("Bias b", -5.0, 5.0, 0.0, 0.1, key="b", page_key="b")
    title, spec = _neuron(w1, w2, b, theme.current_scale())
    return Figure(title, vega=lecture_spec(spec, FIGURE_PX))


def architecture(c: Controls) -> Figure:
    """#2–3: a dense net [5] + [nodes] × layers + [5], with its weight and bias count."""
    layers = c.slider("Hidden layers", 0, 6, 3, key="layers", page_key="layers")
    nodes = c.slider("Nodes per hidden layer", 1, 12, 6, key="nodes", page_key="nodes")
    arch = count_parameters(lecture_widget_sizes(layers, nodes))
    title = f"{'-'.join(map(str, arch.layer_sizes))}: {arch.n_weights:,} weights, {arch.n_biases:,} biases"
    return Figure(title, dot=lecture_dot(architecture_dot(arch.layer_sizes)))


def minibatch(c: Controls) -> Figure:
    """#4: SGD on a mini-batch of the walk-through network; sum vs mean of the per-sample gradients."""
    n = c.slider("Batch size", 1, 8, 4, key="n", page_key="n")
    eta = c.select_slider("Learning rate η", [0.05, 0.1, 0.2, 0.5, 1.0, 2.0], value=0.5, key="eta", page_key="eta")
    reduction = c.radio("Combine gradients by", REDUCTIONS, key="red", page_key="red")
    title, spec = _batch_curve(n, eta, reduction, theme.current_scale())
    return Figure(title, vega=lecture_spec(spec, FIGURE_PX))


def walk(c: Controls) -> Figure:
    """#5–7: one forward, backward and update step of Mazur's 2-2-2 network, unit by unit."""
    wt = _walk(MAZUR["eta"])
    step = c.select_slider("Step", wt.steps, value=wt.steps[0], key="step", page_key="step")
    phase, i = wt.locate(step)
    k = wt.steps.index(step)
    title = f"Step {k + 1} of {len(wt.steps)} ({phase.replace('_', ' ')}): {step}"
    return Figure(title, dot=lecture_dot(network_dot(wt, phase, i)))


def compgraph(c: Controls) -> Figure:
    """#20: the loss's computational graph; backward() fills every node's gradient."""
    grads = c.toggle("Show gradients", True, key="cg")
    title = "Graph of the loss of a 1-1-1 net" + (", after loss.backward(): grad = ∂L/∂node" if grads else "")
    return Figure(title, dot=lecture_dot(compgraph_dot(_graph(), grads), compact=True))
