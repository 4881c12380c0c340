"""The home page's neuron picture as a cached spec: probability image + data points, built once (its axes follow
the image's extent, so one template serves every data set).

Built from ui.charts.builders' probability image and class points, data-free (``alt.NamedData``), so a rerun
after a slider move only swaps the two small tables (one image row, the points) into a spec validated once
(ui/charts/spec.py).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.builders import CLASS_COLORS, class_points, field_frame, points_frame, probability_layers
from ui.charts.spec import cached_spec

FIELD, POINTS = "field", "points"


def neuron_builder(height: int = 360) -> alt.LayerChart:
    """Probability image over the domain (legend from an invisible key layer) with the class-coloured and -shaped points
    on top, and their legend."""
    points = class_points(np.zeros((0, 2)), np.zeros(0)).encode(  # one legend, in one row under the colour bar: ● 0 ■ 1
        color=alt.Color("class:N", title="class", scale=alt.Scale(range=CLASS_COLORS),
                        legend=alt.Legend(direction="horizontal")),
        shape=alt.Shape("class:N"))
    points.data = alt.NamedData(POINTS)
    return alt.layer(probability_layers(alt.NamedData(FIELD), height=height),
                     points).resolve_scale(color="independent", shape="independent")


def neuron_spec(field: pd.DataFrame, points: pd.DataFrame, title: str, height: int = 360) -> dict:
    """The chart for one rerun: the cached template with this field image, these points (field: field_frame) and
    this title (a new title needs no new template: the lecture's title carries the weights)."""
    return cached_spec(neuron_builder, height=height, title=title, data={FIELD: field, POINTS: points},
                       name_by_content=True)


__all__ = ["field_frame", "neuron_spec", "points_frame"]
