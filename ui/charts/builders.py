"""Altair chart builders shared by the pages, styled for a projector: thick lines, large text."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

CATEGORY_SCHEME = "tableau10"
CLASS_COLORS = ["#1f5fbf", "#e4572e"]  # class 0, class 1: blue and orange read well on any projector
DIVERGING_SCHEME = "blueorange"


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
        enc["color"] = alt.Color(color, type="nominal", title=None, scale=alt.Scale(scheme=CATEGORY_SCHEME))
    if dash:
        enc["strokeDash"] = alt.StrokeDash(dash, type="nominal", title=None)
    return (
        alt.Chart(df, title=title or alt.Undefined, height=height)
        .mark_line(strokeWidth=2.5, clip=True)
        .encode(**enc)
    )


def probability_field(
    xs: np.ndarray,
    ys: np.ndarray,
    P: np.ndarray,
    *,
    title: str = "",
    value_title: str = "P(class 1)",
    height: int = 360,
) -> alt.Chart:
    """A heatmap of a probability over a regular 2-D grid; P has shape (len(ys), len(xs))."""
    XX, YY = np.meshgrid(xs, ys)
    dx = float(xs[1] - xs[0]) if len(xs) > 1 else 1.0
    dy = float(ys[1] - ys[0]) if len(ys) > 1 else 1.0
    df = pd.DataFrame({"x": XX.ravel(), "y": YY.ravel(), "p": np.asarray(P, dtype=float).ravel()})
    df["x2"], df["y2"] = df["x"] + 1.02 * dx, df["y"] + 1.02 * dy  # a hair of overlap: no seams between cells
    return (
        alt.Chart(df, title=title or alt.Undefined, height=height)
        .mark_rect(opacity=0.85, strokeWidth=0)
        .encode(
            x=alt.X("x:Q", title="x₁", scale=alt.Scale(domain=[float(xs[0]), float(xs[-1] + dx)], nice=False)),
            x2="x2:Q",
            y=alt.Y("y:Q", title="x₂", scale=alt.Scale(domain=[float(ys[0]), float(ys[-1] + dy)], nice=False)),
            y2="y2:Q",
            color=alt.Color(
                "p:Q",
                title=value_title,
                scale=alt.Scale(scheme=DIVERGING_SCHEME, domain=[0, 1], reverse=False),
            ),
            tooltip=[alt.Tooltip("p:Q", format=".3f", title=value_title)],
        )
    )


def class_points(X: np.ndarray, y: np.ndarray, *, filled: bool = True, size: int = 60) -> alt.Chart:
    """A scatter of 2-D points coloured by class (to layer over a probability field)."""
    df = pd.DataFrame({"x": X[:, 0], "y": X[:, 1], "class": np.asarray(y).astype(str)})
    return (
        alt.Chart(df)
        .mark_point(filled=filled, size=size, strokeWidth=1 if filled else 2, opacity=1, **({"stroke": "white"} if filled else {}))
        .encode(
            x="x:Q",
            y="y:Q",
            color=alt.Color("class:N", title="class", scale=alt.Scale(range=CLASS_COLORS)),
            shape=alt.Shape("class:N", legend=None),
            tooltip=["x:Q", "y:Q", "class:N"],
        )
    )


def decision_chart(xs: np.ndarray, ys: np.ndarray, P: np.ndarray, X: np.ndarray, y: np.ndarray, *, title: str = "", height: int = 360) -> alt.LayerChart:
    """Probability field with the data points on top, independent colour scales."""
    return alt.layer(probability_field(xs, ys, P, title=title, height=height), class_points(X, y)).resolve_scale(
        color="independent", shape="independent"
    )


def heatmap(df: pd.DataFrame, x: str, y: str, value: str, *, title: str = "", scheme: str = DIVERGING_SCHEME, height: int = 260, domain_mid: float | None = 0.0, fmt: str = ".3f") -> alt.Chart:
    """A matrix as coloured cells (weight matrices, confusion matrices)."""
    scale = alt.Scale(scheme=scheme, domainMid=domain_mid) if domain_mid is not None else alt.Scale(scheme=scheme)
    return (
        alt.Chart(df, title=title or alt.Undefined, height=height)
        .mark_rect()
        .encode(
            x=alt.X(f"{x}:O", title=x),
            y=alt.Y(f"{y}:O", title=y),
            color=alt.Color(f"{value}:Q", title=value, scale=scale),
            tooltip=[f"{x}:O", f"{y}:O", alt.Tooltip(f"{value}:Q", format=fmt)],
        )
    )
