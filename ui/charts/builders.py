"""Altair chart builders shared by the pages, in the one chart style (ui/charts/theme.py)."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd
from PIL import Image

from ui.charts import theme

CLASS_COLORS = [theme.NAMED["class 0"], theme.NAMED["class 1"]]
DIVERGING_SCHEME = theme.DIVERGING
# Vega's "blueorange" scheme, so a drawn image and its legend read the same colours
BLUE_ORANGE = ["#134b85", "#2f78b3", "#5da2cb", "#9dcae1", "#d2e5ef", "#f2f0eb", "#fce0ba", "#fbbf74", "#e8932f",
               "#c5690b", "#a04b08"]


def category_scale(domain: Sequence[str] | None = None) -> alt.Scale:
    """The palette as a colour scale (in ``domain``'s order when given)."""
    if domain is None:
        return alt.Scale(range=list(theme.PALETTE))
    return alt.Scale(domain=list(domain), range=[theme.color(i) for i in range(len(domain))])


def line_chart(
    df: pd.DataFrame,
    x: str,
    y: str,
    color: str | None = None,
    *,
    log_y: bool = False,
    title: str = "",
    x_title: str | None = None,
    y_title: str | None = None,
    height: int = 280,
    dash: str | None = None,
    tooltip: Sequence[str] | None = None,
) -> alt.Chart:
    """Lines of ``y`` over ``x`` in long form, one per ``color`` value; optional log y axis."""
    y_scale = alt.Scale(type="log") if log_y else alt.Scale(zero=False)
    enc = {
        "x": alt.X(x, type="quantitative", title=x_title if x_title is not None else x),
        "y": alt.Y(y, type="quantitative", title=y_title if y_title is not None else y, scale=y_scale),
        "tooltip": list(tooltip) if tooltip else [c for c in (x, y, color) if c],
    }
    if color:
        enc["color"] = alt.Color(color, type="nominal", title=None, scale=category_scale())
    if dash:
        enc["strokeDash"] = alt.StrokeDash(dash, type="nominal", title=None)
    chart = alt.Chart(df, title=title or alt.Undefined, height=height).mark_line(strokeWidth=2.5, clip=True).encode(**enc)
    return theme.style(chart)


def field_image(P: np.ndarray, stops: Sequence[str] = BLUE_ORANGE, lo: float = 0.0, hi: float = 1.0) -> str:
    """PNG data URL of a value grid P (rows follow ascending y), one pixel per grid point, top row = largest y.

    The browser stretches it with smoothing, so the field reads as a smooth surface without seams.
    """
    rgb_stops = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in stops], dtype=float)  # (k, 3)
    t = np.clip((np.nan_to_num(np.asarray(P, dtype=float), nan=lo) - lo) / (hi - lo), 0, 1)[::-1]  # (r, c)
    pos = t * (len(stops) - 1)
    i = np.minimum(pos.astype(int), len(stops) - 2)
    frac = (pos - i)[..., None]
    rgb = (1 - frac) * rgb_stops[i] + frac * rgb_stops[i + 1]
    buf = io.BytesIO()
    Image.fromarray(np.round(rgb).astype(np.uint8), "RGB").save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def field_frame(xs: np.ndarray, ys: np.ndarray, P: np.ndarray) -> pd.DataFrame:
    """One row: the image of P and the extent it covers (each pixel centred on its grid point)."""
    dx = float(xs[1] - xs[0]) if len(xs) > 1 else 1.0
    dy = float(ys[1] - ys[0]) if len(ys) > 1 else 1.0
    return pd.DataFrame([{"url": field_image(P), "x": float(xs[0]) - dx / 2, "x2": float(xs[-1]) + dx / 2,
                          "y": float(ys[-1]) + dy / 2, "y2": float(ys[0]) - dy / 2}])


def points_frame(X: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """2-D samples as chart points: x, y, class (as text)."""
    return pd.DataFrame({"x": X[:, 0], "y": X[:, 1], "class": np.asarray(y).astype(str)})


def probability_layers(data: alt.Data | pd.DataFrame, *, value_title: str = "P(class 1)", height: int = 360,
                       title: str = "") -> alt.LayerChart:
    """The probability image (from ``data``: a field_frame row) with an invisible layer carrying its colour legend.

    The axes span the image exactly: no domain is written into the chart, the scales take it from the row's
    x…x2 and y…y2 (points layered on top lie inside the grid), so one template serves every data set's extent."""
    x = alt.X("x:Q", title="x₁", scale=alt.Scale(nice=False, zero=False))
    y = alt.Y("y:Q", title="x₂", scale=alt.Scale(nice=False, zero=False))
    image = alt.Chart(data).mark_image(aspect=False, align="left", baseline="top").encode(
        x=x, x2="x2:Q", y=y, y2="y2:Q", url="url:N")
    key = alt.Chart(data).transform_calculate(p0="0", p1="1").transform_fold(["p0", "p1"], as_=["key", "p"]).mark_point(
        opacity=0).encode(x=x, y=y, color=alt.Color("p:Q", title=value_title,
                                                    scale=alt.Scale(domain=[0, 1], range=BLUE_ORANGE)))
    return alt.layer(image, key, title=title or alt.Undefined, height=height)


def class_points(X: np.ndarray, y: np.ndarray, *, filled: bool = True, size: int = 60) -> alt.Chart:
    """A scatter of 2-D points coloured and shaped by class (to layer over a probability field)."""
    return (
        alt.Chart(points_frame(X, y))
        .mark_point(filled=filled, size=size, strokeWidth=1 if filled else 2, opacity=1, **({"stroke": "white"} if filled else {}))
        .encode(
            x="x:Q",
            y="y:Q",
            color=alt.Color("class:N", title="class", scale=alt.Scale(range=CLASS_COLORS)),
            shape=alt.Shape("class:N", legend=None),
            tooltip=["x:Q", "y:Q", "class:N"],
        )
    )


def heatmap(df: pd.DataFrame, x: str, y: str, value: str, *, title: str = "", scheme: str = DIVERGING_SCHEME, height: int = 260, domain_mid: float | None = 0.0, fmt: str = ".3f") -> alt.Chart:
    """A matrix as coloured cells (weight matrices, confusion matrices)."""
    scale = alt.Scale(scheme=scheme, domainMid=domain_mid) if domain_mid is not None else alt.Scale(scheme=scheme)
    chart = (
        alt.Chart(df, title=title or alt.Undefined, height=height)
        .mark_rect()
        .encode(
            x=alt.X(f"{x}:O", title=x),
            y=alt.Y(f"{y}:O", title=y),
            color=alt.Color(f"{value}:Q", title=value, scale=scale),
            tooltip=[f"{x}:O", f"{y}:O", alt.Tooltip(f"{value}:Q", format=fmt)],
        )
    )
    return theme.style(chart)
