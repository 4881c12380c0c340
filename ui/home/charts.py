"""The home page's neuron picture as a cached spec: probability image + data points, built once per data set's extent.

Same look as ui.charts.builders.decision_chart, but data-free (``alt.NamedData``), so a rerun after a slider move
only swaps the two small tables (one image row, the points) into a spec validated once (ui/charts/spec.py).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.builders import BLUE_ORANGE, CLASS_COLORS, field_extent, field_frame
from ui.charts.spec import cached_spec

FIELD, POINTS = "field", "points"


def neuron_builder(x_domain: tuple[float, float], y_domain: tuple[float, float], height: int = 360) -> alt.LayerChart:
    """Probability image over the domain (legend from an invisible key layer) with the class-coloured points on top."""
    x = alt.X("x:Q", title="x₁", scale=alt.Scale(domain=list(x_domain), nice=False, zero=False))
    y = alt.Y("y:Q", title="x₂", scale=alt.Scale(domain=list(y_domain), nice=False, zero=False))
    image = alt.Chart(alt.NamedData(FIELD)).mark_image(aspect=False, align="left", baseline="top").encode(
        x=x, x2="x2:Q", y=y, y2="y2:Q", url="url:N")
    corner = [{"x": float(x_domain[0]), "y": float(y_domain[0]), "p": p} for p in (0.0, 1.0)]
    key = alt.Chart(alt.InlineData(values=corner)).mark_point(opacity=0).encode(
        x=x, y=y, color=alt.Color("p:Q", title="P(class 1)", scale=alt.Scale(domain=[0, 1], range=BLUE_ORANGE)))
    points = alt.Chart(alt.NamedData(POINTS)).mark_point(filled=True, size=60, strokeWidth=1, opacity=1,
                                                         stroke="white").encode(
        x="x:Q", y="y:Q", color=alt.Color("class:N", title="class", scale=alt.Scale(range=CLASS_COLORS)),
        shape=alt.Shape("class:N", legend=None), tooltip=["x:Q", "y:Q", "class:N"])
    return alt.layer(image, key, points, height=height).resolve_scale(color="independent", shape="independent")


def points_frame(X: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """The samples as the chart's points: x, y, class (as text)."""
    return pd.DataFrame({"x": X[:, 0], "y": X[:, 1], "class": np.asarray(y).astype(str)})


def neuron_spec(xs: np.ndarray, ys: np.ndarray, field: pd.DataFrame, points: pd.DataFrame, title: str,
                height: int = 360) -> dict:
    """The chart for one rerun: the cached template with this field image, these points (field: field_frame) and
    this title (a new title needs no new template: the lecture's title carries the weights)."""
    x_domain, y_domain = field_extent(xs, ys)
    return cached_spec(neuron_builder, tuple(x_domain), tuple(y_domain), height=height, title=title,
                       data={FIELD: field, POINTS: points}, name_by_content=True)


__all__ = ["field_frame", "neuron_spec", "points_frame"]
