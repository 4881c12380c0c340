"""The home page's cached neuron views and the compute device, shared by every session (bounded).

They live here, not in the page script: a page script runs again on every rerun, and Streamlit then registers its
cached functions again (reading and hashing their source).
"""

from __future__ import annotations

import streamlit as st

from core.engine.datasets import make_dataset
from core.lessons.home.neuron import evaluate_neuron, fit_neuron
from ui.home.charts import field_frame, points_frame


@st.cache_data(show_spinner=False, max_entries=64)
def data(name: str, noise: float):
    X, y = make_dataset(name, n=200, noise=noise, seed=0)
    return X, y, points_frame(X, y)


@st.cache_data(show_spinner=False, max_entries=512)
def view(name: str, noise: float, w1: float, w2: float, b: float):
    """Log loss, accuracy and the probability image over the grid for these weights: one entry per setting, shared by
    every session (a class on the same sliders computes it once)."""
    X, y, _ = data(name, noise)
    shown = evaluate_neuron(X, y, (w1, w2), b)
    return shown.log_loss, shown.accuracy, field_frame(shown.xs, shown.ys, shown.P)


@st.cache_data(show_spinner=False, max_entries=64)
def best_weights(name: str, noise: float):
    X, y, _ = data(name, noise)
    (w1, w2), b = fit_neuron(X, y)
    return (w1, w2), b, evaluate_neuron(X, y, (w1, w2), b).accuracy


@st.cache_resource(show_spinner=False)
def device():
    from core.trainer.device import detect_device

    return detect_device()
