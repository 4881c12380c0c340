"""Vega-Lite specs of the playground (plain dicts: Altair's validation costs more than a frame may take).

The network: every unit a small picture of its output over the plane, edges coloured by the weight's sign
and as thick as its size (hover for the value). The plane: the output picture with train and test points and
an invisible grid a click snaps to. Curves: train/test loss and per-layer gradient norms per epoch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from core.lessons.playground.data import DOMAIN
from ui.charts import theme
from ui.playground.images import CLASS_COLORS, NEGATIVE, NEUTRAL, POSITIVE

Spec = dict[str, Any]
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
NODE_PX = 44  # side of a unit's picture
ROW_PX = 66
PICK_KEY = "pg_plane"  # the plane chart's key: a click adds a point
_NO_AXIS = {"axis": None}
EPOCH_AXIS = {"field": "epoch", "type": "quantitative", "title": "epoch", "axis": {"format": "d", "tickMinStep": 1}}


Table = "pd.DataFrame | dict[str, Any] | bytes"


def arrow(table) -> bytes:
    """Arrow IPC bytes of a table given as {column: array}, a DataFrame or bytes (passed through).

    Streamlit ships chart data sets as Arrow; handing it bytes skips its pandas round trip, the largest
    part of a frame's server time.
    """
    if isinstance(table, bytes):
        return table
    t = pa.Table.from_pandas(table, preserve_index=False) if isinstance(table, pd.DataFrame) else pa.table(table)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, t.schema) as writer:
        writer.write_table(t)
    return sink.getvalue().to_pybytes()


def _finish(spec: Spec) -> Spec:
    spec["$schema"] = SCHEMA
    if "datasets" in spec:
        spec["datasets"] = {name: arrow(t) for name, t in spec["datasets"].items()}
    return theme.style(spec)


def weight_color() -> Spec:
    return {"field": "w", "type": "quantitative", "legend": None,
            "scale": {"domain": [-1, 0, 1], "range": [NEGATIVE, theme.LIGHT_GREY, POSITIVE], "clamp": True}}


def network_spec(nodes: Table, edges: Table, headers: Table, rows: int, columns: int) -> Spec:
    """Units as pictures at (col, row), edges between them; nodes: col, row, url, unit, bias; edges: x, y, x2, y2, w, edge."""
    half = (rows - 1) / 2 + 0.75
    headers = {**headers, "row": np.full(len(headers["col"]), half + 0.4)}
    x = {"field": "col", "type": "quantitative", "scale": {"domain": [-0.9, columns - 0.5]}, **_NO_AXIS}
    y = {"field": "row", "type": "quantitative", "scale": {"domain": [-half, half + 0.45]}, **_NO_AXIS}
    layers = [
        {"data": {"name": "edges"}, "mark": {"type": "rule", "strokeCap": "round", "opacity": 0.85},
         "encoding": {"x": {**x, "field": "x"}, "y": {**y, "field": "y"}, "x2": {"field": "x2"}, "y2": {"field": "y2"},
                      "color": weight_color(),
                      "strokeWidth": {"field": "w_abs", "type": "quantitative", "legend": None,
                                      "scale": {"domain": [0, 1.5], "range": [0.6, 7], "clamp": True}},
                      "tooltip": [{"field": "edge", "title": "weight"}, {"field": "w", "type": "quantitative", "format": ".3f", "title": "value"}]}},
        {"data": {"name": "nodes"}, "mark": {"type": "image", "width": NODE_PX, "height": NODE_PX, "aspect": False},
         "encoding": {"x": x, "y": y, "url": {"field": "url", "type": "nominal"},
                      "tooltip": [{"field": "unit"}, {"field": "bias", "type": "quantitative", "format": ".3f", "title": "bias b"}]}},
        {"data": {"name": "nodes"}, "mark": {"type": "square", "size": NODE_PX ** 2, "filled": False, "stroke": "#444",
                                             "strokeWidth": 1},
         "encoding": {"x": x, "y": y}},
        {"data": {"name": "nodes"}, "transform": [{"filter": "datum.col == 0"}],
         "mark": {"type": "text", "align": "right", "dx": -NODE_PX / 2 - 6},
         "encoding": {"x": x, "y": y, "text": {"field": "unit"}}},
        {"data": {"name": "headers"}, "mark": {"type": "text", "baseline": "bottom", "fontWeight": "bold"},
         "encoding": {"x": x, "y": y, "text": {"field": "text"}}},
    ]
    spec = {"height": rows * ROW_PX + 30, "layer": layers, "view": {"stroke": None},
            "datasets": {"nodes": nodes, "edges": edges, "headers": headers}}
    return _finish(spec)


def pick_layer(encoding: Spec, n: int = 49) -> Spec:
    """Invisible points a click snaps to (the nearest), 0.25 apart over the plane, generated in the browser."""
    lo, hi = DOMAIN
    d = (hi - lo) / (n - 1)
    return {"data": {"sequence": {"start": 0, "stop": n * n, "as": "i"}},
            "transform": [{"calculate": f"{lo} + (datum.i % {n}) * {d}", "as": "x"},
                          {"calculate": f"{lo} + floor(datum.i / {n}) * {d}", "as": "y"}],
            "mark": {"type": "point", "opacity": 0, "size": 10},
            "params": [{"name": "pick", "select": {"type": "point", "on": "click", "nearest": True,
                                                   "fields": ["x", "y"], "clear": False}}],
            "encoding": encoding}


def _point_color(classes: int) -> Spec:
    if classes:
        names = [str(c) for c in range(classes)]
        return {"field": "label", "type": "nominal", "title": "class",
                "scale": {"domain": names, "range": CLASS_COLORS[:classes]}}
    return {"field": "label", "type": "quantitative", "title": "target",
            "scale": {"domain": [-1, 0, 1], "range": [NEGATIVE, NEUTRAL, POSITIVE]}}


def plane_spec(url: str, points: Table, classes: int, width: int = 310, height: int = 405, pickable: bool = True) -> Spec:
    """The output picture over [−6, 6]² with the points (x, y, label, set ∈ {train, test, added}) on top.

    width and height include the axes and the legend on top: 310 × 405 leaves a square plot of about 250 px.
    """
    lo, hi = DOMAIN
    axis_x = {"field": "x", "type": "quantitative", "title": "x₁", "scale": {"domain": [lo, hi], "nice": False}}
    axis_y = {"field": "y", "type": "quantitative", "title": "x₂", "scale": {"domain": [lo, hi], "nice": False}}
    enc = {"x": axis_x, "y": axis_y}
    colour = _point_color(classes)
    layers: list[Spec] = [
        {"data": {"name": "image"},
         "mark": {"type": "image", "aspect": False, "align": "left", "baseline": "top"},
         "encoding": {**enc, "x2": {"field": "x2"}, "y2": {"field": "y2"}, "url": {"field": "url", "type": "nominal"}}},
        {"data": {"name": "points"}, "mark": {"type": "point", "filled": True, "size": 55, "opacity": 1, "strokeWidth": 1.2,
                                              "clip": True},
         "encoding": {**enc, "fill": colour,
                      "stroke": {"field": "set", "type": "nominal", "legend": None,
                                 "scale": {"domain": ["train", "test", "added"], "range": ["#FFFFFF", "#000000", "#000000"]}},
                      "shape": {"field": "set", "type": "nominal", "legend": None,
                                "scale": {"domain": ["train", "test", "added"], "range": ["circle", "circle", "diamond"]}},
                      "tooltip": [{"field": "set"}, {"field": "label", "title": "class" if classes else "target"},
                                  {"field": "x", "format": ".2f", "title": "x₁"}, {"field": "y", "format": ".2f", "title": "x₂"}]}},
    ]
    # the picture is a data set, not inline values: the spec stays the same from frame to frame, so the browser
    # swaps the data in its Vega view instead of building the chart again
    datasets = {"image": {"x": [lo], "x2": [hi], "y": [hi], "y2": [lo], "url": [url]}, "points": points}
    if pickable:
        layers.insert(1, pick_layer(enc))
    spec = {"width": width, "height": height, "layer": layers, "datasets": datasets,
            "resolve": {"scale": {"color": "independent"}},
            "config": {"legend": {"orient": "top", "direction": "horizontal"}}}
    return _finish(spec)


def loss_spec(history: Table, height: int = 280) -> Spec:
    """Train (solid) and test (dashed) loss per epoch; history: epoch, loss, set."""
    enc = {"x": EPOCH_AXIS,
           "y": {"field": "loss", "type": "quantitative", "title": "loss", "scale": {"zero": False}},
           "color": {"field": "set", "type": "nominal", "title": None,
                     "scale": {"domain": ["train", "test"], "range": [theme.NAMED["loss"], theme.VERMILLION]},
                     "legend": {"orient": "top", "symbolStrokeWidth": 3, "symbolType": "stroke"}},
           "strokeDash": {"field": "set", "type": "nominal", "legend": None,
                          "scale": {"domain": ["train", "test"], "range": [[1, 0], [6, 3]]}},
           "tooltip": [{"field": "set"}, {"field": "epoch", "type": "quantitative"},
                       {"field": "loss", "type": "quantitative", "format": ".4f"}]}
    spec = {"height": height, "data": {"name": "history"}, "mark": {"type": "line", "strokeWidth": 2.5, "clip": True},
            "encoding": enc, "datasets": {"history": history}}
    return _finish(spec)


def grad_norm_spec(norms: Table, layers: Sequence[str], height: int = 280) -> Spec:
    """Per-layer gradient norm ‖∂L/∂W[l]‖ per epoch (log scale); norms: epoch, layer, norm."""
    enc = {"x": EPOCH_AXIS,
           "y": {"field": "norm", "type": "quantitative", "title": "‖∂L/∂W‖ (log)", "scale": {"type": "log"}},
           "color": {"field": "layer", "type": "nominal", "title": None,
                     "scale": {"domain": list(layers), "range": [theme.color(i) for i in range(len(layers))]},
                     "legend": {"orient": "top", "symbolStrokeWidth": 3, "symbolType": "stroke",
                                "columns": 3, "labelLimit": 90}},
           "tooltip": [{"field": "layer"}, {"field": "epoch", "type": "quantitative"},
                       {"field": "norm", "type": "quantitative", "format": ".3g"}]}
    spec = {"height": height, "data": {"name": "norms"}, "mark": {"type": "line", "strokeWidth": 2.5, "clip": True},
            "encoding": enc, "datasets": {"norms": norms}}
    return _finish(spec)


def layer_space_spec(lines: Table, points: Table, classes: int, layer: int, height: int = 300) -> Spec:
    """Grid lines of the plane (line, t, a1, a2, family) and the training points (a1, a2, label) in layer coordinates."""
    enc = {"x": {"field": "a1", "type": "quantitative", "title": f"unit 1 of layer {layer}", "scale": {"zero": False}},
           "y": {"field": "a2", "type": "quantitative", "title": f"unit 2 of layer {layer}", "scale": {"zero": False}}}
    layers = [
        {"data": {"name": "lines"}, "mark": {"type": "line", "strokeWidth": 1, "opacity": 0.6},
         "encoding": {**enc, "detail": {"field": "line", "type": "nominal"}, "order": {"field": "t", "type": "quantitative"},
                      "color": {"field": "family", "type": "nominal", "title": "grid line",
                                "scale": {"domain": ["x₁ = const", "x₂ = const"], "range": [theme.GREY, theme.LIGHT_GREY]},
                                "legend": None}}},
        {"data": {"name": "points"}, "mark": {"type": "point", "filled": True, "size": 45, "opacity": 0.9,
                                              "stroke": "white", "strokeWidth": 0.8},
         "encoding": {**enc, "fill": {**_point_color(classes), "legend": None}}},
    ]
    spec = {"height": height, "layer": layers, "datasets": {"lines": lines, "points": points},
            "resolve": {"scale": {"color": "independent"}}}
    return _finish(spec)
