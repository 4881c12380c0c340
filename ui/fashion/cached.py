"""The Fashion-MNIST page's cached data slot, model summaries and charts, shared by every session (bounded).

They live here, not in the page script: a page script runs again on every rerun, and Streamlit then registers its
cached functions again (reading and hashing their source).

Building and validating an Altair chart costs 30–150 ms; the page's replay and results charts were rebuilt on every
rerun of the page (any training setting moved), ~390 ms a rerun. Here each is a frozen spec (``ui.charts.frozen``)
keyed by its numbers (NumPy arrays, which Streamlit hashes fast) and ``scale`` (``theme.current_scale()``: the
chart style is baked into the spec).
"""

from __future__ import annotations

import threading

import numpy as np
import streamlit as st

from core.trainer import build_model, summarize
from core.trainer.data import CLASS_NAMES
from core.trainer.optim import make_lr_schedule
from ui.charts.frozen import frozen
from ui.charts.spec import Spec
from ui.fashion import charts as fc


@st.cache_resource(show_spinner=False)
def data_slot() -> dict:
    """One copy of the images per server process, shared by every session (uint8, 55 MB), and the last failed
    download: (source, time, message)."""
    return {"lock": threading.Lock(), "key": None, "data": None, "failed": None}


@st.cache_data(show_spinner=False, max_entries=64)
def model_summary(config):
    return summarize(build_model(config))


@st.cache_data(show_spinner=False, max_entries=256)
def confusion(C: np.ndarray, title: str, scale: str) -> Spec:
    """The confusion matrix ``C`` (true × predicted counts) as a heat map titled ``title``."""
    return frozen(fc.confusion_heatmap(C, CLASS_NAMES).properties(title=title).to_dict())


@st.cache_data(show_spinner=False, max_entries=64)
def per_class(accuracies: np.ndarray, overall: float | None, scale: str) -> Spec:
    """Accuracy per class with the overall accuracy as a rule."""
    return frozen(fc.per_class_bars(accuracies, CLASS_NAMES, overall).to_dict())


@st.cache_data(show_spinner=False, max_entries=256)
def probabilities(probs: np.ndarray, true: int, pred: int, scale: str) -> Spec:
    """The softmax output for one image, true class and prediction marked."""
    return frozen(fc.probability_bars(probs, CLASS_NAMES, true, pred).to_dict())


@st.cache_data(show_spinner=False, max_entries=64)
def lr_preview(config, n_train: int, scale: str) -> Spec:
    """The learning rate η over the planned run of ``config`` on ``n_train`` images, x in epochs."""
    steps = max(1, -(-n_train // config.batch_size))
    return frozen(fc.lr_preview(make_lr_schedule(config, steps), steps * config.epochs, steps))
