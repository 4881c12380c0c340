"""The backprop page's cached lesson calls, one entry per network for every session.

They live here, not in the page script: a page script runs again on every rerun, and Streamlit then registers its
cached functions again (reading and hashing their source).
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import streamlit as st

from core.lessons.backprop.compgraph import build_graph
from core.lessons.backprop.minibatch import batch_gradients, make_batch, tensor_ops, train_curve
from core.lessons.backprop.walkthrough import params_from_rows, walkthrough
from ui.backprop import views as v
from ui.backprop.inputs import Network
from ui.charts.builders import line_chart
from ui.charts.frozen import frozen
from ui.charts.theme import style

BY_KEY = {Network: Network.key}  # hash the network by its plain values, not by pickling it


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=BY_KEY)
def walk(net: Network):
    return walkthrough(params_from_rows(net.numbers, 2), net.x, net.y, net.act, net.out, net.loss, net.eta,
                       net.update_biases)


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=BY_KEY)
def graph(net: Network):
    return build_graph(params_from_rows(net.numbers, 2), net.x, net.y, net.act, net.out, net.loss)


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=BY_KEY)
def batch(net: Network, n: int):
    """(tensor operations per layer, per-sample gradients as a table) for the batch of n samples."""
    X, Y = make_batch(net.x, net.y, n, net.loss)
    params = params_from_rows(net.numbers, 2)
    grads = batch_gradients(params, X, Y, net.act, net.out, net.loss, walk(net).unit_names)
    return tensor_ops(params, X, net.act, net.out), pa.Table.from_pandas(v.batch_frame(grads), preserve_index=False)


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=BY_KEY)
def train(net: Network, n: int, k: int, reduction: str, scale: str):
    """(chart of the batch loss over k SGD steps, first loss, final loss), the chart as a frozen spec."""
    X, Y = make_batch(net.x, net.y, n, net.loss)
    curve, final = train_curve(params_from_rows(net.numbers, 2), X, Y, net.act, net.out, net.loss, net.eta, k, reduction)
    df = pd.DataFrame({"step": range(len(curve) + 1), "loss": [*curve, final]})
    chart = line_chart(df, "step", "loss", title=f"SGD on the batch, η = {net.eta:g} ({reduction} of gradients)",
                       y_title="batch loss (mean)")
    return frozen(style(chart.to_dict())), (curve[0] if len(curve) else None), final
