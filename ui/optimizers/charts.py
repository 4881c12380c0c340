"""Vega-Lite specs for the optimizer zoo: races over a surface image, arrows of one step, curves, sweeps.

Written as plain dicts (for ``st.vega_lite_chart``) rather than Altair objects: Altair's schema
validation alone costs more than the whole race on every rerun. Data travel as named
``datasets`` (DataFrames), which Streamlit ships as Arrow. Every spec leaves through ``theme.style``
(sizes, palette), like the cached Altair specs of ui/charts/spec.py.

The race's click-to-start: the "pick" selection lives on an invisible grid layer; Streamlit reports it
only while the chart keeps its identity and the grid stays the topmost layer that takes clicks (tests in
tests/ui/test_chart_style.py and tests/browser/test_optimizers.py).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from core.engine.surfaces import Surface
from ui.charts import theme
from ui.charts.theme import BLACK, BLUE, GREEN, GREY, ORANGE, PURPLE, SKY, VERMILLION
from ui.optimizers.surface_image import SURFACE_RANGE

Spec = dict[str, Any]
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
NOTE_CHARS = 50  # a subtitle line's length that fits a half-width chart at 1280 × 720

# One fixed colour and dash per contestant (Okabe–Ito; a colour used twice gets a dashed second line).
SOLID, DASHED = theme.DASHES[0], theme.DASHES[1]
SLOT_STYLES = {
    "sgd": (BLUE, SOLID), "sgd_decay": (SKY, SOLID), "momentum": (ORANGE, SOLID), "nesterov": (VERMILLION, SOLID),
    "adagrad": (GREEN, SOLID), "rmsprop": (PURPLE, SOLID), "adam": (BLACK, SOLID), "sgd_cyclic": (BLUE, DASHED),
    "adamax": (GREEN, DASHED), "nadam": (VERMILLION, DASHED), "adamw": (BLACK, DASHED),
}
SLOT_COLORS = {name: c for name, (c, _) in SLOT_STYLES.items()}
ARROW_COLORS = {
    "previous step": GREY, "momentum step γv": GREEN, "gradient step −η∇L(w)": VERMILLION,
    "look-ahead gradient step −η∇L(w+γv)": VERMILLION, "steepest descent −∇L (scaled to the step)": VERMILLION,
    "lecture's step v = γv − η∇L(w+γv)": BLUE, "actual step": BLUE, "actual step (torch)": BLACK,
}
LOSS_FLOOR = 1e-12  # log-scale charts show max(loss − f*, floor)


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


def run_dash(names: Sequence[str], labels: Sequence[str], dashes: Sequence[list[int]] | None = None) -> Spec:
    """Dash encoding for runs (legend merged with run_color's): each slot's dash, or ``dashes`` in race order."""
    dashes = list(dashes) if dashes is not None else [SLOT_STYLES.get(n, (None, SOLID))[1] for n in names]
    return {"field": "run", "type": "nominal", "title": None, "scale": {"domain": list(labels), "range": dashes}}


def coincident_runs(df: pd.DataFrame, y: str, labels: Sequence[str]) -> list[list[str]]:
    """Groups of runs (≥ 2, in race order) whose ``y`` over ``step`` is the same: lines hiding each other."""
    ordered = df.sort_values(["run", "step"], kind="stable")
    by_run = dict(iter(ordered.groupby("run", sort=False)[y]))
    series = {lab: by_run[lab].to_numpy(dtype=float) if lab in by_run else np.empty(0) for lab in labels}
    groups: list[list[str]] = []
    for lab in labels:
        for group in groups:
            ref = series[group[0]]
            if ref.shape == series[lab].shape and np.allclose(ref, series[lab], rtol=1e-9, atol=0, equal_nan=True):
                group.append(lab)
                break
        else:
            groups.append([lab])
    return [g for g in groups if len(g) > 1]


def _legend_bottom(columns: int = 4) -> Spec:
    return {"orient": "bottom", "columns": columns, "labelLimit": 320, "symbolStrokeWidth": 4, "symbolSize": 260}


def _legend_right() -> Spec:
    return {"orient": "right", "labelLimit": 320, "symbolStrokeWidth": 4, "title": "optimizer"}


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


def race_spec(url: str, surface: Surface, cdomain, paths: pd.DataFrame | bytes, heads: pd.DataFrame | bytes,
              names: Sequence[str], labels: Sequence[str], start: tuple[float, float], height: int = 540,
              pickable: bool = True, grid: pd.DataFrame | bytes | None = None) -> Spec:
    """Surface, every run's path up to the current step (white halo under a coloured line), its current
    point, the start (cross) and the minima (diamonds); a click selects the nearest grid point ("pick").
    paths/heads: run, step, x, y, loss (tables, or their Arrow bytes); ``grid``: pick_grid's, if already made."""
    enc = _xy(surface.domain)
    tooltip = [{"field": "run", "type": "nominal"}, {"field": "step", "type": "quantitative"},
               {"field": "x", "type": "quantitative", "format": ".4f"}, {"field": "y", "type": "quantitative", "format": ".4f"},
               {"field": "loss", "type": "quantitative", "format": ".3g"}]
    pins = [{"x": start[0], "y": start[1], "what": "start"}] + [{"x": m[0], "y": m[1], "what": "minimum"} for m in surface.minima]
    background = _background(url, surface.domain, cdomain, surface.log_scale, True, gradient_length=160)
    layers = background + [
        {"data": {"name": "paths"}, "mark": {"type": "line", "clip": True, "strokeWidth": 5, "color": "white", "opacity": 0.75},
         "encoding": {**enc, "detail": {"field": "run", "type": "nominal"}, "order": {"field": "step", "type": "quantitative"}}},
        {"data": {"name": "paths"}, "mark": {"type": "line", "clip": True, "strokeWidth": 2.5},
         "encoding": {**enc, "color": run_color(names, labels, _legend_right()), "strokeDash": run_dash(names, labels),
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
        datasets["grid"] = pick_grid(surface.domain) if grid is None else grid
        # right above the background: below it, the surface image would take every click
        layers.insert(len(background), {"data": {"name": "grid"}, "mark": {"type": "point", "opacity": 0, "size": 10},
                          "params": [{"name": "pick", "select": {"type": "point", "on": "click", "nearest": True,
                                                                 "fields": ["x", "y"], "clear": False}}],
                          "encoding": enc})
    return theme.style({"$schema": SCHEMA, "height": height, "layer": layers,
                        "resolve": {"scale": {"color": "independent"}}, "datasets": datasets})


def curves_spec(df: pd.DataFrame, y: str, y_title: str, names: Sequence[str], labels: Sequence[str], *,
                log_y: bool = True, x_title: str = "step s", marker: int | None = None, height: int = 280,
                title: str = "", legend: bool = True, y_domain: Sequence[float] | None = None,
                same: list[list[str]] | None = None, subtitle_lines: int = 0) -> Spec:
    """Lines of ``y`` over ``step`` per run (long form: run, step, y), optional dashed rule at step ``marker``;
    ``y_domain`` fixes the y axis (lines outside it are clipped). Runs with identical curves get different dashes
    and a subtitle that says they coincide (``same``: coincident_runs's groups, when the caller has them cached),
    padded to ``subtitle_lines`` lines (charts side by side pass the same count, so their plots line up)."""
    same = coincident_runs(df, y, labels) if same is None else same
    dashes = [SLOT_STYLES.get(n, (None, SOLID))[1] for n in names]
    for group in same:
        for j, lab in enumerate(group):
            dashes[list(labels).index(lab)] = theme.DASHES[j % len(theme.DASHES)]
    y_scale: Spec = {"type": "log"} if log_y else {"zero": False}
    if y_domain is not None:
        y_scale["domain"] = list(y_domain)
    layers = [{"data": {"name": "curves"}, "mark": {"type": "line", "strokeWidth": 2.5, "clip": True},
               "encoding": {"x": {"field": "step", "type": "quantitative", "title": x_title},
                            "y": {"field": y, "type": "quantitative", "title": y_title, "scale": y_scale},
                            "color": run_color(names, labels, _legend_bottom() if legend else None),
                            "strokeDash": run_dash(names, labels, dashes),
                            "tooltip": [{"field": "run"}, {"field": "step", "type": "quantitative"},
                                        {"field": y, "type": "quantitative", "format": ".4g"}]}}]
    if marker is not None:
        layers.append(marker_layer(marker))
    if legend:  # the bottom legend is drawn inside the chart's height
        height += 22 * -(-len(labels) // 4) + 50
    spec = {"$schema": SCHEMA, "height": height, "layer": layers, "datasets": {"curves": df}}
    lines = note_lines(same)
    lines += [" "] * (subtitle_lines - len(lines))  # blank lines: the plot starts as low as its neighbour's
    spec["height"] += round(1.25 * theme.sizes().tick * len(lines))  # the chart fits its height: keep the plot's
    if title or lines:
        spec["title"] = {"text": title or " ", "anchor": "start", **({"subtitle": lines} if lines else {})}
    return theme.style(spec)


def note_lines(same: list[list[str]]) -> list[str]:
    """The subtitle saying which runs coincide, in lines that fit a half-width chart at 1280 px (a long line was cut
    off there); none when no two runs coincide."""
    note = "; ".join(" = ".join(g) + ": identical curves, drawn dashed over each other" for g in same)
    return textwrap.wrap(note, NOTE_CHARS, break_on_hyphens=False)


def marker_layer(step: int) -> Spec:
    """A dashed vertical rule at ``step``: where the Iteration slider is."""
    return {"data": {"values": [{"step": step}]}, "mark": {"type": "rule", "color": "#555", "strokeDash": [4, 3]},
            "encoding": {"x": {"field": "step", "type": "quantitative"}}}


def with_marker(spec: Spec, step: int) -> Spec:
    """A copy of a curves_spec (drawn without a marker) with the rule at ``step`` added; ``spec`` is left as it is,
    so a cached (frozen) spec serves every Iteration value."""
    return {**spec, "layer": [*spec["layer"], marker_layer(step)]}


# Rotation of a 'triangle-up' head (degrees clockwise from up), from the shaft's direction in pixels.
_HEAD_ANGLE = ("90 - atan2(scale('y', datum.y) - scale('y', datum.y2), "
               "scale('x', datum.x2) - scale('x', datum.x)) * 180 / PI")


def tip_to_tail(arrows: pd.DataFrame) -> pd.DataFrame:
    """Arrows as the lecture draws momentum: the gradient step starts at the momentum step's tip, so the two add
    up to the actual step. (Nesterov's look-ahead step already starts there.)"""
    whats = list(arrows["what"])
    if "momentum step γv" not in whats or "gradient step −η∇L(w)" not in whats:
        return arrows
    mom, grad = whats.index("momentum step γv"), whats.index("gradient step −η∇L(w)")
    start = arrows[["x", "y"]].to_numpy(dtype=float, copy=True)  # (k, 2)
    end = arrows[["x2", "y2"]].to_numpy(dtype=float, copy=True)  # (k, 2)
    shift = end[mom] - start[mom]
    start[grad] += shift
    end[grad] += shift
    return arrows.assign(x=start[:, 0], y=start[:, 1], x2=end[:, 0], y2=end[:, 1])  # whole columns: no per-cell .loc


def arrows_spec(url: str, window, arrows: pd.DataFrame, path: pd.DataFrame, size: int = 400) -> Spec:
    """Vectors of one step (what, x, y, x2, y2, dx, dy) over a zoomed window, with the path nearby; momentum's
    gradient step drawn from the momentum step's tip (tip to tail)."""
    arrows = tip_to_tail(arrows.reset_index(drop=True))
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
                                                    "symbolStrokeWidth": 3}}}},
        {"data": {"name": "arrows"}, "mark": {"type": "point", "shape": "triangle-up", "filled": True, "size": 170, "opacity": 1, "clip": True},
         "encoding": {**_xy(window, x="x2", y="y2"), "angle": {"value": {"expr": _HEAD_ANGLE}},
                      "color": color,
                      "tooltip": [{"field": "what"}, {"field": "dx", "type": "quantitative", "format": ".4g"},
                                  {"field": "dy", "type": "quantitative", "format": ".4g"}]}},
    ]
    legend_px = 20 * len(order) + 30  # the bottom legend sits inside the chart's height
    return theme.style({"$schema": SCHEMA, "height": size + legend_px, "layer": layers,
                        "datasets": {"arrows": arrows, "path": path}})


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
    return theme.style({"$schema": SCHEMA, "height": height, "layer": layers, "datasets": datasets})
