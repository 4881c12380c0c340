"""Altair builders for the model-selection page, over named data (``ui.charts.spec.cached_spec`` validates each once).

Frames are built by ``ui.model_selection.frames`` from the lesson results; every builder here is data-free.
"""

from __future__ import annotations

import altair as alt

from ui.charts import theme
from ui.charts.builders import category_scale

SETS = ("training", "validation")
AXIS_INT = alt.Axis(tickMinStep=1, format="d")


def _set_color(domain=SETS) -> alt.Color:
    return alt.Color("set:N", title=None, scale=category_scale(domain), legend=alt.Legend(orient="top"))


def curves(y_title: str, smoothed: bool = False, log_y: bool = False, height: int = 340) -> alt.LayerChart:
    """Per-epoch training/validation curves (faded after the stop), the patience window, best epoch and stop."""
    sets = (*SETS, "validation, moving average") if smoothed else SETS
    scale = alt.Scale(type="log") if log_y else alt.Scale(zero=False)
    base = alt.Chart(alt.NamedData("curves"), height=height)
    lines = base.mark_line(strokeWidth=3).encode(
        x=alt.X("epoch:Q", title="epoch", axis=AXIS_INT),
        y=alt.Y("value:Q", title=y_title, scale=scale),
        color=_set_color(sets),
        strokeDash=alt.StrokeDash("phase:N", title=None, scale=alt.Scale(
            domain=["until the stop", "after the stop (no early stopping)"], range=[[1, 0], [4, 4]]),
            legend=alt.Legend(orient="top")),
        opacity=alt.Opacity("phase:N", scale=alt.Scale(domain=["until the stop", "after the stop (no early stopping)"],
                                                        range=[1.0, 0.45]), legend=None),
        detail="phase:N",
        tooltip=["set:N", "epoch:Q", alt.Tooltip("value:Q", format=".4f")],
    )
    marks = alt.Chart(alt.NamedData("marks"))
    window = marks.mark_rect(color=theme.GREEN, opacity=0.12).encode(x="start:Q", x2="end:Q")
    rules = marks.mark_rule(strokeWidth=2.5).encode(
        x="at:Q", color=alt.value(theme.BLACK),
        strokeDash=alt.StrokeDash("what:N", legend=None, scale=alt.Scale(domain=["best", "stop"], range=[[1, 0], [6, 3]])))
    labels = marks.mark_text(align="left", dx=6, baseline="top").encode(
        x="at:Q", y=alt.Y("row:Q", scale=None), text="label:N")  # row: pixels from the top
    return alt.layer(window, lines, rules, labels).resolve_scale(strokeDash="independent")


def accuracy_sweep(x_title: str, height: int = 320) -> alt.LayerChart:
    """Final training and validation accuracy per network, x on a log₂ axis; chance level as a grey rule."""
    base = alt.Chart(alt.NamedData("sweep"), height=height).encode(
        x=alt.X("width:Q", title=x_title, scale=alt.Scale(type="log", base=2), axis=alt.Axis(values=[1, 2, 4, 8, 16, 32, 64, 128, 256, 512])),
        y=alt.Y("accuracy:Q", title="accuracy", scale=alt.Scale(domain=[0, 1])),
        color=_set_color(),
        tooltip=["net:N", "set:N", alt.Tooltip("accuracy:Q", format=".1%"), "parameters:Q"],
    )
    chance = alt.Chart(alt.NamedData("sweep")).mark_rule(color=theme.GREY, strokeDash=[4, 4]).encode(y=alt.datum(0.1))
    return alt.layer(base.mark_line(strokeWidth=3), base.mark_point(size=90, filled=True), chance)


def memorization(height: int = 320) -> alt.LayerChart:
    """Accuracy per epoch: solid with the true labels, dashed with shuffled ones; chance as a grey rule."""
    lines = alt.Chart(alt.NamedData("memo"), height=height).mark_line(strokeWidth=3).encode(
        x=alt.X("epoch:Q", title="epoch", axis=AXIS_INT),
        y=alt.Y("accuracy:Q", title="accuracy", scale=alt.Scale(domain=[0, 1])),
        color=_set_color(),
        strokeDash=alt.StrokeDash("labels:N", title=None, scale=alt.Scale(
            domain=["true labels", "shuffled labels"], range=[[1, 0], [7, 4]]), legend=alt.Legend(orient="top")),
        tooltip=["labels:N", "set:N", "epoch:Q", alt.Tooltip("accuracy:Q", format=".1%")],
    )
    chance = alt.Chart(alt.NamedData("memo")).mark_rule(color=theme.GREY, strokeDash=[4, 4]).encode(y=alt.datum(0.1))
    return alt.layer(lines, chance)


def weight_histogram(height: int = 340) -> alt.Chart:
    """Share of weights per bin of log₁₀|w|, one step line per penalty (exact zeros are counted in the table)."""
    return alt.Chart(alt.NamedData("hist"), height=height).mark_line(interpolate="step", strokeWidth=3).encode(
        x=alt.X("log10 |w|:Q", title="log₁₀ |w|", scale=alt.Scale(domain=[-6, 0])),
        y=alt.Y("share:Q", title="share of weights", axis=alt.Axis(format="%")),
        color=alt.Color("penalty:N", title=None, scale=category_scale(["none", "L1", "L2", "L1 proximal"]),
                        legend=alt.Legend(orient="top")),
        strokeDash=alt.StrokeDash("penalty:N", legend=None, scale=alt.Scale(
            domain=["none", "L1", "L2", "L1 proximal"], range=[[1, 0], [1, 0], [1, 0], [6, 3]])),
        tooltip=["penalty:N", alt.Tooltip("log10 |w|:Q", format=".1f"), alt.Tooltip("share:Q", format=".2%")],
    )


def run_curves(y_title: str, x_title: str = "epoch", sets: tuple[str, ...] = SETS, height: int = 320,
               log_y: bool = False) -> alt.Chart:
    """One line per run (colour) and data set (dash): e.g. with vs without dropout, with vs without batch norm."""
    dashes = [[7, 4], [1, 0]] if len(sets) == 2 else [[1, 0]] * len(sets)
    scale = alt.Scale(type="log") if log_y else alt.Scale(zero=False)
    return alt.Chart(alt.NamedData("runs"), height=height).mark_line(strokeWidth=3).encode(
        x=alt.X("x:Q", title=x_title, axis=AXIS_INT),
        y=alt.Y("value:Q", title=y_title, scale=scale),
        color=alt.Color("run:N", title=None, scale=category_scale(), legend=alt.Legend(orient="top")),
        strokeDash=alt.StrokeDash("set:N", title=None, scale=alt.Scale(domain=list(sets), range=dashes),
                                  legend=alt.Legend(orient="top") if len(sets) > 1 else None),
        tooltip=["run:N", "set:N", "x:Q", alt.Tooltip("value:Q", format=".4f")],
    )


def layer_boxes(height: int = 300, width: int = 360) -> alt.FacetChart:
    """Boxes per hidden layer of the sigmoid's input (whiskers 1–99 %, box 25–75 %, tick at the median), one panel per run, one y scale."""
    base = alt.Chart(alt.NamedData("boxes")).encode(
        x=alt.X("layer:O", title="hidden layer l", axis=alt.Axis(labelAngle=0)),
        tooltip=["run:N", "layer:O"] + [alt.Tooltip(f"{c}:Q", format=".3g") for c in ("q01", "q25", "median", "q75", "q99")],
    )
    whiskers = base.mark_rule(color=theme.BLUE, strokeWidth=2).encode(
        y=alt.Y("q01:Q", title="input of the sigmoid"), y2="q99:Q")
    boxes = base.mark_bar(color=theme.BLUE, opacity=0.5, size=16).encode(y="q25:Q", y2="q75:Q")
    medians = base.mark_tick(color=theme.BLACK, thickness=3, size=20).encode(y="median:Q")
    return alt.layer(whiskers, boxes, medians).properties(height=height, width=width).facet(
        column=alt.Column("run:N", title=None, sort=["without batch norm", "with batch norm"],
                          header=alt.Header(labelFontWeight="bold"))
    ).resolve_scale(y="shared")


def running_stats(y_title: str, height: int = 300) -> alt.LayerChart:
    """Each minibatch's statistic of one unit (dots) and the running estimate batch norm keeps (line)."""
    base = alt.Chart(alt.NamedData("stats"), height=height).encode(
        x=alt.X("step:Q", title="step"), y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, scale=category_scale(["this minibatch", "running estimate"]),
                        legend=alt.Legend(orient="top")),
        tooltip=["series:N", "step:Q", alt.Tooltip("value:Q", format=".4f")],
    )
    dots = base.mark_circle(size=28, opacity=0.6).transform_filter(alt.datum.series == "this minibatch")
    line = base.mark_line(strokeWidth=3).transform_filter(alt.datum.series == "running estimate")
    return alt.layer(dots, line)
