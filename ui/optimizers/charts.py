"""Vega-Lite specs for the optimizer zoo: races over a surface image, arrows of one step, curves, sweeps.

Written as plain dicts (for ``st.vega_lite_chart``) rather than Altair objects: Altair's schema
validation alone costs more than the whole race on every rerun. Data travel as named
``datasets`` (DataFrames), which Streamlit ships as Arrow.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from core.engine.surfaces import Surface
from ui.optimizers.surface_image import SURFACE_RANGE

Spec = dict[str, Any]
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"

# One fixed colour per contestant (category10), distinct on the pale surface and on a projector.
SLOT_COLORS = {
    "sgd": "#1f77b4", "sgd_decay": "#17becf", "momentum": "#ff7f0e", "nesterov": "#8c564b",
    "adagrad": "#2ca02c", "rmsprop": "#9467bd", "adam": "#d62728", "sgd_cyclic": "#e377c2",
    "adamax": "#7f7f7f", "nadam": "#bcbd22", "adamw": "#111111",
}
ARROW_COLORS = {
    "previous step": "#888888", "momentum step γv": "#2ca02c", "gradient step −η∇L(w)": "#d62728",
    "look-ahead gradient step −η∇L(w+γv)": "#d62728", "steepest descent −∇L (scaled to the step)": "#d62728",
    "lecture's step v = γv − η∇L(w+γv)": "#1f77b4", "actual step": "#1f77b4", "actual step (torch)": "#111111",
}
LOSS_FLOOR = 1e-12  # log-scale charts show max(loss − f*, floor)
# Text sizes that read from the back of a lecture hall (Vega-Lite's defaults are 10–11 px).
PROJECTOR = {"axis": {"labelFontSize": 13, "titleFontSize": 14}, "legend": {"labelFontSize": 13, "titleFontSize": 13},
             "title": {"fontSize": 15}}


def log_domain(values: pd.Series, top: float) -> list[float]:
    """A fixed log-axis range in whole decades: from the smallest value up to the largest one, at most ``top``.

    Diverging runs shoot off the top (their lines are clipped) instead of squashing everyone else's curves.
    """
    finite = values[np.isfinite(values) & (values > 0)]
    if finite.empty:
        return [LOSS_FLOOR, 1.0]
    lo = 10.0 ** np.floor(np.log10(float(finite.min())))
    hi = 10.0 ** np.ceil(np.log10(min(float(finite.max()), top)))
    return [float(lo), float(max(hi, 10 * lo))]


def _xy(domain, title_x: str = "x", title_y: str = "y", x: str = "x", y: str = "y") -> Spec:
    (x0, x1), (y0, y1) = domain
    return {
        "x": {"field": x, "type": "quantitative", "title": title_x, "scale": {"domain": [x0, x1], "nice": False, "zero": False}},
        "y": {"field": y, "type": "quantitative", "title": title_y, "scale": {"domain": [y0, y1], "nice": False, "zero": False}},
    }


_SHARED = object()  # legend left to another layer that shares the scale


def run_color(names: Sequence[str], labels: Sequence[str], legend: Any = _SHARED) -> Spec:
    """Colour encoding for runs: legend labels in race order, each slot's fixed colour.

    ``legend``: a legend spec, None for no legend, or omitted when another layer of the chart draws it.
    """
    enc: Spec = {"field": "run", "type": "nominal", "title": None,
                 "scale": {"domain": list(labels), "range": [SLOT_COLORS.get(n, "#333333") for n in names]}}
    if legend is not _SHARED:
        enc["legend"] = legend
    return enc


def _legend_bottom(columns: int = 4) -> Spec:
    return {"orient": "bottom", "columns": columns, "labelLimit": 320, "symbolStrokeWidth": 4, "labelFontSize": 14,
            "symbolSize": 200}


def _legend_right() -> Spec:
    return {"orient": "right", "labelLimit": 320, "symbolStrokeWidth": 4, "labelFontSize": 13, "title": "optimizer"}


def _background(url: str, domain, cdomain, log: bool, legend: bool, gradient_length: int = 300) -> list[Spec]:
    """The surface image stretched over the domain, plus an invisible layer that carries the colour legend."""
    (x0, x1), (y0, y1) = domain
    enc = _xy(domain)
    image = {"data": {"values": [{"x": x0, "x2": x1, "y": y1, "y2": y0, "url": url}]},
             "mark": {"type": "image", "aspect": False, "align": "left", "baseline": "top"},
             "encoding": {**enc, "x2": {"field": "x2"}, "y2": {"field": "y2"}, "url": {"field": "url", "type": "nominal"}}}
    if not legend:
        return [image]
    key = {"data": {"values": [{"x": x0, "y": y0, "v": cdomain[0]}, {"x": x0, "y": y0, "v": cdomain[1]}]},
           "mark": {"type": "point", "opacity": 0},
           "encoding": {**enc, "color": {"field": "v", "type": "quantitative", "title": "log₁₀(f − f*)" if log else "f",
                                         "scale": {"domain": list(cdomain), "range": SURFACE_RANGE},
                                         "legend": {"orient": "right", "gradientLength": gradient_length}}}}
    return [image, key]


def pick_grid(domain, n: int = 45) -> pd.DataFrame:
    """Invisible points a click snaps to (the nearest one), to choose a start on the chart."""
    (x0, x1), (y0, y1) = domain
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    return pd.DataFrame({"x": X.ravel().round(4), "y": Y.ravel().round(4)})


def race_spec(url: str, surface: Surface, cdomain, paths: pd.DataFrame, heads: pd.DataFrame,
              names: Sequence[str], labels: Sequence[str], start: tuple[float, float], height: int = 540,
              pickable: bool = True) -> Spec:
    """Surface, every run's path up to the current step (white halo under a coloured line), its current
    point, the start (cross) and the minima (diamonds); a click selects the nearest grid point ("pick").
    paths/heads: run, step, x, y, loss."""
    enc = _xy(surface.domain)
    tooltip = [{"field": "run", "type": "nominal"}, {"field": "step", "type": "quantitative"},
               {"field": "x", "type": "quantitative", "format": ".4f"}, {"field": "y", "type": "quantitative", "format": ".4f"},
               {"field": "loss", "type": "quantitative", "format": ".3g"}]
    pins = [{"x": start[0], "y": start[1], "what": "start"}] + [{"x": m[0], "y": m[1], "what": "minimum"} for m in surface.minima]
    layers = _background(url, surface.domain, cdomain, surface.log_scale, True, gradient_length=160) + [
        {"data": {"name": "paths"}, "mark": {"type": "line", "clip": True, "strokeWidth": 5, "color": "white", "opacity": 0.75},
         "encoding": {**enc, "detail": {"field": "run", "type": "nominal"}, "order": {"field": "step", "type": "quantitative"}}},
        {"data": {"name": "paths"}, "mark": {"type": "line", "clip": True, "strokeWidth": 2.5},
         "encoding": {**enc, "color": run_color(names, labels, _legend_right()),
                      "order": {"field": "step", "type": "quantitative"}, "tooltip": tooltip}},
        {"data": {"name": "heads"}, "mark": {"type": "point", "filled": True, "size": 150, "opacity": 1, "stroke": "white",
                                             "strokeWidth": 1.5, "clip": True},
         "encoding": {**enc, "fill": {**run_color(names, labels), "legend": None}, "tooltip": tooltip}},
        {"data": {"values": pins}, "mark": {"type": "point", "size": 240, "filled": False, "stroke": "black",
                                            "strokeWidth": 2, "clip": True},
         "encoding": {**enc, "shape": {"field": "what", "type": "nominal", "title": None,
                                       "scale": {"domain": ["start", "minimum"], "range": ["cross", "diamond"]}},
                      "tooltip": [{"field": "what"}, {"field": "x", "type": "quantitative"}, {"field": "y", "type": "quantitative"}]}},
    ]
    datasets = {"paths": paths, "heads": heads}
    if pickable:
        datasets["grid"] = pick_grid(surface.domain)
        layers.insert(2, {"data": {"name": "grid"}, "mark": {"type": "point", "opacity": 0, "size": 10},
                          "params": [{"name": "pick", "select": {"type": "point", "on": "click", "nearest": True,
                                                                 "fields": ["x", "y"], "clear": False}}],
                          "encoding": enc})
    return {"$schema": SCHEMA, "height": height, "layer": layers, "resolve": {"scale": {"color": "independent"}},
            "datasets": datasets, "config": PROJECTOR}


def curves_spec(df: pd.DataFrame, y: str, y_title: str, names: Sequence[str], labels: Sequence[str], *,
                log_y: bool = True, x_title: str = "step s", marker: int | None = None, height: int = 280,
                title: str = "", legend: bool = True, y_domain: Sequence[float] | None = None) -> Spec:
    """Lines of ``y`` over ``step`` per run (long form: run, step, y), optional dashed rule at step ``marker``;
    ``y_domain`` fixes the y axis (lines outside it are clipped)."""
    y_scale: Spec = {"type": "log"} if log_y else {"zero": False}
    if y_domain is not None:
        y_scale["domain"] = list(y_domain)
    layers = [{"data": {"name": "curves"}, "mark": {"type": "line", "strokeWidth": 2.5, "clip": True},
               "encoding": {"x": {"field": "step", "type": "quantitative", "title": x_title},
                            "y": {"field": y, "type": "quantitative", "title": y_title, "scale": y_scale},
                            "color": run_color(names, labels, _legend_bottom() if legend else None),
                            "tooltip": [{"field": "run"}, {"field": "step", "type": "quantitative"},
                                        {"field": y, "type": "quantitative", "format": ".4g"}]}}]
    if marker is not None:
        layers.append({"data": {"values": [{"step": marker}]}, "mark": {"type": "rule", "color": "#555", "strokeDash": [4, 3]},
                       "encoding": {"x": {"field": "step", "type": "quantitative"}}})
    if legend:  # the bottom legend is drawn inside the chart's height
        height += 22 * -(-len(labels) // 4) + 50
    spec = {"$schema": SCHEMA, "height": height, "layer": layers, "datasets": {"curves": df}, "config": PROJECTOR}
    if title:
        spec["title"] = {"text": title, "anchor": "start", "fontSize": 14}
    return spec


# Rotation of a 'triangle-up' head (degrees clockwise from up), from the shaft's direction in pixels.
_HEAD_ANGLE = ("90 - atan2(scale('y', datum.y) - scale('y', datum.y2), "
               "scale('x', datum.x2) - scale('x', datum.x)) * 180 / PI")


def arrows_spec(url: str, window, arrows: pd.DataFrame, path: pd.DataFrame, size: int = 400) -> Spec:
    """Vectors of one step (what, x, y, x2, y2, dx, dy) over a zoomed window, with the path nearby."""
    enc = _xy(window)
    order = list(dict.fromkeys(arrows["what"]))
    color = {"field": "what", "type": "nominal", "title": None,
             "scale": {"domain": order, "range": [ARROW_COLORS.get(o, "#333") for o in order]}}
    layers = _background(url, window, (0, 1), True, False) + [
        {"data": {"name": "path"}, "mark": {"type": "line", "color": "#333", "strokeWidth": 1, "strokeDash": [3, 3], "clip": True,
                                            "point": {"size": 20, "color": "#333"}},
         "encoding": {**enc, "order": {"field": "step", "type": "quantitative"}}},
        {"data": {"name": "arrows"}, "mark": {"type": "rule", "strokeWidth": 3, "clip": True},
         "encoding": {**enc, "x2": {"field": "x2"}, "y2": {"field": "y2"},
                      "color": {**color, "legend": {"orient": "bottom", "columns": 1, "labelLimit": 400,
                                                    "symbolStrokeWidth": 3, "labelFontSize": 13}}}},
        {"data": {"name": "arrows"}, "mark": {"type": "point", "shape": "triangle-up", "filled": True, "size": 170, "opacity": 1, "clip": True},
         "encoding": {**_xy(window, x="x2", y="y2"), "angle": {"value": {"expr": _HEAD_ANGLE}},
                      "color": color,
                      "tooltip": [{"field": "what"}, {"field": "dx", "type": "quantitative", "format": ".4g"},
                                  {"field": "dy", "type": "quantitative", "format": ".4g"}]}},
    ]
    legend_px = 20 * len(order) + 30  # the bottom legend sits inside the chart's height
    return {"$schema": SCHEMA, "height": size + legend_px, "layer": layers, "datasets": {"arrows": arrows, "path": path},
            "config": PROJECTOR}


def sweep_spec(df: pd.DataFrame, names: Sequence[str], current: dict[str, float] | None = None, height: int = 440) -> Spec:
    """Final loss vs η₀ (log–log) per run; diverged rates as crosses along the top edge; dashed: the current η₀.

    df: run, lr, loss (NaN when diverged), diverged (bool).
    """
    ok = df[~df["diverged"]].assign(loss=lambda d: np.maximum(d["loss"], LOSS_FLOOR))
    top = float(ok["loss"].max()) * 10 if len(ok) else 1.0
    rank = {n: i for i, n in enumerate(names)}
    bad = df[df["diverged"]].copy()
    bad["loss"] = top * 1.8 ** bad["run"].map(rank).to_numpy(dtype=float)  # one row of crosses per run
    x = {"field": "lr", "type": "quantitative", "title": "learning rate η₀", "scale": {"type": "log"}}
    y = {"field": "loss", "type": "quantitative", "title": "final loss", "scale": {"type": "log"}}
    layers = [
        {"data": {"name": "ok"}, "mark": {"type": "line", "point": True, "strokeWidth": 2},
         "encoding": {"x": x, "y": y, "color": run_color(names, names, _legend_bottom()),
                      "tooltip": [{"field": "run"}, {"field": "lr", "type": "quantitative", "format": ".2g"},
                                  {"field": "loss", "type": "quantitative", "format": ".3g"}]}},
        {"data": {"name": "bad"}, "mark": {"type": "point", "shape": "cross", "size": 90, "filled": True},
         "encoding": {"x": x, "y": y, "color": run_color(names, names),
                      "tooltip": [{"field": "run"}, {"field": "lr", "type": "quantitative", "format": ".2g", "title": "diverged at η₀"}]}},
    ]
    datasets = {"ok": ok, "bad": bad}
    if current:
        datasets["now"] = pd.DataFrame({"run": list(current), "lr": list(current.values())})
        layers.append({"data": {"name": "now"}, "mark": {"type": "rule", "strokeDash": [4, 3], "strokeWidth": 1.5},
                       "encoding": {"x": {"field": "lr", "type": "quantitative"}, "color": run_color(names, names)}})
    return {"$schema": SCHEMA, "height": height, "layer": layers, "datasets": datasets, "config": PROJECTOR}
