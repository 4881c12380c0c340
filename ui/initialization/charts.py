"""Altair builders for the weight-initialization page: per-layer box plots, std per layer, weight heatmaps, losses.

Each builder describes a chart over the named dataset DATA, without the data itself. ``chart_spec``
hands it to ui.charts.spec.cached_spec (validated once per set of arguments, styled per call) with this
rerun's small, already-summarised table: a few rows per layer, never raw samples. Pages draw it with
``st.vega_lite_chart(spec=..., width="stretch")``.
"""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import numpy as np
import pandas as pd

from core.lessons.initialization.signal_depth import QUANTILES, LayerSummary, SignalReport
from ui.charts import theme
from ui.charts.builders import DIVERGING_SCHEME, category_scale
from ui.charts.spec import cached_spec

DATA = "table"
Q_COLS = ("q01", "q25", "median", "q75", "q99")  # names for QUANTILES, in order
assert len(Q_COLS) == len(QUANTILES)
BOX_COLOR = theme.BLUE
ACTIVATIONS_LABEL = "activations a⁽ˡ⁾"
GRADIENTS_LABEL = "gradients ∂L/∂a⁽ˡ⁾"


# --- tables ------------------------------------------------------------------------------------------
def summary_frame(summary: LayerSummary) -> pd.DataFrame:
    """One row per hidden layer with finite values: layer, the quantiles, std and RMS."""
    df = pd.DataFrame(summary.quantiles, columns=list(Q_COLS))
    df.insert(0, "layer", np.arange(1, summary.n_layers + 1))
    df["std"], df["rms"] = summary.std, summary.rms
    return df.dropna()


def std_frame(reports: dict[str, SignalReport], quantity: str) -> pd.DataFrame:
    """layer × run table of the std of activations or gradients; only finite, positive values (log axis)."""
    parts = []
    for run, report in reports.items():
        summary = report.activations if quantity == ACTIVATIONS_LABEL else report.gradients
        parts.append(pd.DataFrame({"layer": np.arange(1, summary.n_layers + 1), "std": summary.std,
                                   "rms": summary.rms, "run": run}))
    df = pd.concat(parts, ignore_index=True)
    return df[np.isfinite(df["std"]) & (df["std"] > 0)]


def weights_frame(matrices: list[np.ndarray], when: str) -> pd.DataFrame:
    """Long table of weight matrices W^(l): layer label, row i (input), column j (unit), w, when."""
    parts = []
    for l, W in enumerate(matrices, start=1):
        i, j = np.indices(W.shape)
        parts.append(pd.DataFrame({"layer": f"W({l}): {W.shape[0]}×{W.shape[1]}", "i": i.ravel(),
                                   "unit j": j.ravel(), "w": W.ravel(), "when": when}))
    return pd.concat(parts, ignore_index=True)


def curves_frame(curves: dict[str, np.ndarray], label: str, max_points: int = 150) -> pd.DataFrame:
    """Long table step × curve of positive, finite losses, thinned to about max_points per curve."""
    parts = []
    for name, losses in curves.items():
        stride = max(1, len(losses) // max_points)
        steps = np.arange(len(losses))[::stride]
        parts.append(pd.DataFrame({"step": steps, "loss": np.asarray(losses)[::stride], label: name}))
    df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["step", "loss", label])
    return df[np.isfinite(df["loss"].astype(float)) & (df["loss"].astype(float) > 0)]


# --- chart builders (data-free) ------------------------------------------------------------------------
def layer_boxes(title: str, y_title: str, height: int = 300) -> alt.LayerChart:
    """A box per layer from precomputed quantiles: whiskers q01–q99, box q25–q75, black tick at the median."""
    base = alt.Chart(alt.NamedData(DATA), title=title, height=height).encode(
        x=alt.X("layer:O", title="hidden layer l", axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        tooltip=["layer:O"] + [alt.Tooltip(f"{c}:Q", format=".3g") for c in (*Q_COLS, "std", "rms")],
    )
    whiskers = base.mark_rule(color=BOX_COLOR, strokeWidth=1.5).encode(
        y=alt.Y("q01:Q", title=y_title, scale=alt.Scale(zero=False)), y2="q99:Q"
    )
    boxes = base.mark_bar(color=BOX_COLOR, opacity=0.55, size=10).encode(y="q25:Q", y2="q75:Q")
    medians = base.mark_tick(color="black", thickness=2, size=12).encode(y="median:Q")
    return alt.layer(whiskers, boxes, medians)


def std_lines(title: str, legend: bool = True, height: int = 300) -> alt.Chart:
    """σ per layer on a log axis, one line per run (legend only when there is more than one)."""
    return (
        alt.Chart(alt.NamedData(DATA), title=title, height=height + (60 if legend else 0))
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=alt.X("layer:Q", title="hidden layer l", axis=alt.Axis(tickMinStep=1), scale=alt.Scale(zero=False, nice=False)),
            y=alt.Y("std:Q", title="std (log scale)", scale=alt.Scale(type="log"), axis=alt.Axis(format="~g")),
            color=alt.Color("run:N", title=None, scale=category_scale(),
                            legend=alt.Legend(orient="top", direction="vertical", labelLimit=400) if legend
                            else None),
            tooltip=["run:N", "layer:Q", alt.Tooltip("std:Q", format=".3g"), alt.Tooltip("rms:Q", format=".3g")],
        )
    )


def weight_heatmaps(layers: tuple[str, ...], cell: int = 22) -> alt.VConcatChart:
    """One small heatmap per weight matrix W^(l) (columns), before and after training (rows).

    Columns are units: a layer whose columns all look alike has units that are still identical.
    """
    base = alt.Chart(alt.NamedData(DATA)).mark_rect(stroke="white", strokeWidth=0.5).encode(
        x=alt.X("unit j:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("i:O", title=None),
        color=alt.Color("w:Q", title="w", scale=alt.Scale(scheme=DIVERGING_SCHEME, domainMid=0),
                        legend=alt.Legend(orient="right", gradientLength=120)),
        tooltip=["layer:N", "when:N", alt.Tooltip("i:O", title="input i"), "unit j:O",
                 alt.Tooltip("w:Q", format=".4f")],
    ).properties(width=alt.Step(cell), height=alt.Step(cell))
    rows = [
        alt.hconcat(*[
            base.transform_filter((alt.datum.when == when) & (alt.datum.layer == layer))
            .properties(title=alt.TitleParams(f"{layer.split(':')[0]} {when}"))
            for layer in layers
        ], spacing=12)
        for when in ("before", "after")
    ]
    return alt.vconcat(*rows, spacing=8).resolve_scale(color="shared")


def loss_curves(color: str, title: str, height: int = 380, domain_max: float | None = None) -> alt.Chart:
    """Loss per step on a log axis, one line per ``color`` value; lines above domain_max are clipped."""
    scale = alt.Scale(type="log", domainMax=domain_max) if domain_max else alt.Scale(type="log")
    return (
        alt.Chart(alt.NamedData(DATA), title=title, height=height)
        .mark_line(strokeWidth=2.5, clip=True)
        .encode(
            x=alt.X("step:Q", title="step"),
            y=alt.Y("loss:Q", title="training loss (log scale)", scale=scale, axis=alt.Axis(format="~g")),
            color=alt.Color(f"{color}:N", title=None, scale=category_scale(),
                            legend=alt.Legend(orient="top", direction="horizontal", labelLimit=400)),
            tooltip=[f"{color}:N", "step:Q", alt.Tooltip("loss:Q", format=".4f")],
        )
    )


# --- specs -----------------------------------------------------------------------------------------------
def chart_spec(builder: Callable[..., alt.TopLevelMixin], data: pd.DataFrame, *args, **kwargs) -> dict:
    """The builder's Vega-Lite spec (validated once per arguments) with ``data`` as its dataset, in the chart style."""
    return cached_spec(builder, *args, data={DATA: data}, name_by_content=True, **kwargs)
