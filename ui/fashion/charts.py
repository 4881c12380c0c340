"""Altair charts for the Fashion-MNIST page: training curves, confusion matrix, per-class bars, overlays."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.charts import theme
from ui.charts.spec import Spec, cached_spec

# Streamlit fits a stretched chart's *whole* box (title, axes, legend) into its height, squashing the plot and
# clipping the title; fitting only the width keeps ``height`` for the plot itself.
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
LOSS, ACC = theme.NAMED["loss"], theme.NAMED["accuracy"]  # the lecture's plot: loss blue, accuracy red
CURVES_KEY = ("faint: each batch · solid: mean of the last 100 batches", "dashed: validation after each epoch")  # 2 lines
SERIES = ["train loss", "train accuracy", "val loss", "val accuracy"]
COLORS = [LOSS, ACC, LOSS, ACC]
DASHES = [[1, 0], [1, 0], [6, 4], [6, 4]]  # validation dashed, in the lines and in the legend


def _thin(n: int, max_points: int) -> np.ndarray:
    """Indices of at most ``max_points`` evenly spaced rows, always keeping the last one."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.r_[np.linspace(0, n - 1, max_points).astype(int), n - 1])


def curves_frame(batches: dict[str, Sequence[float]], epochs: Sequence[dict], max_points: int = 1200) -> pd.DataFrame:
    """Long table (epoch, value, series, style) of raw and smoothed batch curves plus per-epoch validation."""
    frames = []
    n = len(batches.get("epoch", []))
    if n:
        idx = _thin(n, max_points)
        x = np.asarray(batches["epoch"])[idx]
        for key, series, style in (
            ("loss", "train loss", "per batch"),
            ("accuracy", "train accuracy", "per batch"),
            ("smooth_loss", "train loss", "moving average"),
            ("smooth_accuracy", "train accuracy", "moving average"),
        ):
            if key in batches and len(batches[key]) == n:
                frames.append(pd.DataFrame({"epoch": x, "value": np.asarray(batches[key])[idx], "series": series, "style": style}))
    if epochs:
        ep = pd.DataFrame(epochs)
        for key, series in (("val_loss", "val loss"), ("val_accuracy", "val accuracy")):
            if key in ep and ep[key].notna().any():
                frames.append(pd.DataFrame({"epoch": ep["epoch"].astype(float), "value": ep[key], "series": series,
                                            "style": "validation (per epoch)"}))  # fmt: skip
    if not frames:
        return pd.DataFrame(columns=["epoch", "value", "series", "style"])
    return pd.concat(frames, ignore_index=True).dropna()


def training_curves(
    batches: dict[str, Sequence[float]],
    epochs: Sequence[dict],
    *,
    n_epochs: int | None = None,
    best_epoch: int | None = None,
    patience: int | None = None,
    restored_epoch: int | None = None,
    title: str = "Training progress",
    height: int = 320,
) -> Spec:
    """The lecture's plot as a Vega-Lite dict: faint raw batch curves, solid moving averages, dotted validation,
    early-stopping marks. The chart is validated once per axis and marks (``cached_spec``): the live view polls it
    every 0.75 s while a training runs, and rebuilding the Altair chart each time cost the server ~110 ms."""
    df = curves_frame(batches, epochs)
    x_max = float(n_epochs or max(1.0, df["epoch"].max() if len(df) else 1.0))
    return cached_spec(_curves_chart, x_max, y_top(df), best_epoch or None, patience if best_epoch else None,
                       bool(restored_epoch), height, data={"curves": df},
                       title=alt.TitleParams(title, subtitle=list(CURVES_KEY), anchor="start").to_dict())


def _curves_chart(x_max: float, top: float, best_epoch: int | None, patience: int | None, restored: bool,
                  height: int) -> alt.LayerChart:
    """``training_curves``'s builder, over the named data set ``curves`` (epoch, value, series, style)."""
    x = alt.X("epoch:Q", title="epoch", scale=alt.Scale(domain=[0, x_max], nice=False),
              axis=alt.Axis(tickMinStep=1) if x_max >= 2 else alt.Axis())  # fmt: skip
    y = alt.Y("value:Q", title="loss / accuracy", scale=alt.Scale(domain=[0, top], clamp=True))
    # two columns (train | val): in one row the four entries outgrow a half-page column and Streamlit clips them
    legend = alt.Legend(orient="bottom", title=None, symbolOpacity=1, symbolStrokeWidth=3, symbolType="stroke",
                        symbolSize=600, columns=2, labelLimit=0, columnPadding=24)
    color = alt.Color("series:N", scale=alt.Scale(domain=SERIES, range=COLORS), legend=legend)
    dash = alt.StrokeDash("series:N", scale=alt.Scale(domain=SERIES, range=DASHES), legend=legend)
    base = alt.Chart(alt.NamedData("curves")).encode(x=x, y=y, color=color, strokeDash=dash)
    raw = base.transform_filter(alt.datum.style == "per batch").mark_line(opacity=0.25, strokeWidth=1, clip=True)
    smooth = base.transform_filter(alt.datum.style == "moving average").mark_line(strokeWidth=2.5, clip=True)
    val = base.transform_filter(alt.datum.style == "validation (per epoch)").mark_line(
        strokeWidth=2.5, point=alt.OverlayMarkDef(size=60), clip=True
    )
    tooltip = [alt.Tooltip("epoch:Q", format=".2f"), "series:N", "style:N", alt.Tooltip("value:Q", format=".4f")]
    layers: list[alt.Chart] = [raw, smooth, val.encode(tooltip=tooltip)]
    if best_epoch:
        marks = pd.DataFrame({"epoch": [float(best_epoch)], "label": ["best epoch" + (" (weights restored)" if restored else "")]})
        if patience:
            window = pd.DataFrame({"start": [float(best_epoch)], "end": [float(min(best_epoch + patience, x_max))]})
            layers.insert(0, alt.Chart(window).mark_rect(color="#999", opacity=0.12).encode(
                x="start:Q", x2="end:Q", tooltip=[alt.Tooltip("end:Q", title="patience window ends")]))  # fmt: skip
        rule = alt.Chart(marks).mark_rule(color=theme.NAMED["best"], strokeWidth=2).encode(x="epoch:Q", tooltip=["label:N"])
        text = alt.Chart(marks).mark_text(align="left", dx=4, dy=-6, color=theme.NAMED["best"]).encode(
            x="epoch:Q", y=alt.value(10), text="label:N"
        )
        layers += [rule, text]
    return alt.layer(*layers).properties(height=height, autosize=FIT_WIDTH)


def y_top(df: pd.DataFrame) -> float:
    """Top of the loss/accuracy axis: 1 as in the lecture's plot, higher only while the latest moving-average loss or
    a validation loss is above 1 (the first batches' loss of about 2.3 is clipped, not the axis's reason to grow)."""
    smooth = df[(df["style"] == "moving average") & (df["series"] == "train loss")].sort_values("epoch")["value"]
    val = df[df["series"] == "val loss"]["value"]
    highest = max([1.0, *smooth.tail(1).tolist(), *val.tolist()])
    return float(min(2.5, highest))


def confusion_heatmap(confusion: np.ndarray, class_names: Sequence[str], *, normalize: bool = True) -> alt.LayerChart:
    """True class (rows) × predicted class (columns); colour = share of the true class (or count)."""
    C = np.asarray(confusion, dtype=float)
    shares = C / np.maximum(C.sum(axis=1, keepdims=True), 1)
    rows = [
        {"true": class_names[i], "predicted": class_names[j], "count": int(C[i, j]), "share": shares[i, j]}
        for i in range(C.shape[0])
        for j in range(C.shape[1])
    ]
    df = pd.DataFrame(rows)
    field = "share" if normalize else "count"
    order = list(class_names)
    base = alt.Chart(df).encode(
        x=alt.X("predicted:N", sort=order, title="predicted"),
        y=alt.Y("true:N", sort=order, title="true class"),
    )
    heat = base.mark_rect().encode(
        color=alt.Color(f"{field}:Q", scale=alt.Scale(scheme="blues"), legend=None),
        tooltip=["true:N", "predicted:N", "count:Q", alt.Tooltip("share:Q", format=".1%")],
    )
    text = base.mark_text().encode(
        text=alt.Text("count:Q"),
        color=alt.condition(alt.datum.share > 0.5, alt.value("white"), alt.value("black")),
    )
    return theme.style((heat + text).properties(title="Confusion matrix (test split)", height=420, autosize=FIT_WIDTH))


def per_class_bars(per_class: Sequence[float], class_names: Sequence[str], overall: float | None = None) -> alt.LayerChart:
    """Accuracy of every class (recall), with the overall accuracy as a rule."""
    df = pd.DataFrame({"class": list(class_names), "accuracy": list(per_class)})
    bars = alt.Chart(df).mark_bar(color=ACC).encode(
        x=alt.X("accuracy:Q", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("class:N", sort=list(class_names), title=None),
        tooltip=["class:N", alt.Tooltip("accuracy:Q", format=".3f")],
    )
    layers = [bars]
    if overall is not None:
        layers.append(alt.Chart(pd.DataFrame({"accuracy": [overall]})).mark_rule(strokeDash=[4, 3]).encode(x="accuracy:Q"))
    return theme.style(alt.layer(*layers).properties(title="Per-class accuracy", height=320, autosize=FIT_WIDTH))


def probability_bars(probs: Sequence[float], class_names: Sequence[str], true: int, pred: int) -> alt.Chart:
    """The softmax output for one image, the true class in green and the (wrong) prediction in red."""
    kinds = ["true" if i == true else "predicted" if i == pred else "other" for i in range(len(class_names))]
    df = pd.DataFrame({"class": list(class_names), "probability": list(probs), "kind": kinds})
    return theme.style(
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("probability:Q", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("class:N", sort=list(class_names), title=None),
            color=alt.Color("kind:N", scale=alt.Scale(domain=["true", "predicted", "other"],
                                                      range=[theme.NAMED[k] for k in ("true", "predicted", "other")])),  # fmt: skip
            tooltip=["class:N", alt.Tooltip("probability:Q", format=".3f")],
        )
        .properties(height=240, title="Predicted probabilities", autosize=FIT_WIDTH)
    )


def runs_overlay(histories: dict[str, Sequence[dict]], metric: str = "val_accuracy") -> alt.Chart:
    """One line per run of ``metric`` over epochs (e.g. with vs without dropout)."""
    rows = [{"run": name, "epoch": r["epoch"], metric: r.get(metric)} for name, hist in histories.items() for r in hist]
    df = pd.DataFrame(rows, columns=["run", "epoch", metric]).dropna()
    dash = [5, 4] if metric.startswith("val") else [1, 0]
    return theme.style(
        alt.Chart(df)
        .mark_line(point=True, strokeDash=dash)
        .encode(x=alt.X("epoch:Q", axis=alt.Axis(tickMinStep=1, format="d")), y=alt.Y(f"{metric}:Q", scale=alt.Scale(zero=False)),
                color=alt.Color("run:N", legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=600)),
                tooltip=["run:N", "epoch:Q", alt.Tooltip(f"{metric}:Q", format=".4f")])  # fmt: skip
        .properties(title=f"{metric.replace('_', ' ')} per epoch, all runs", height=300, autosize=FIT_WIDTH)
    )


def lr_preview(lr_at: Callable[[int], float], n: int, steps_per_epoch: int) -> Spec:
    """The learning rate η = lr_at(s) over a run of n steps, x in epochs: step s trains from s/steps to (s + 1)/steps.
    Only the ≤ 600 steps drawn are evaluated; a plain Vega-Lite dict (a new Epochs value costs no Altair build)."""
    idx = _thin(n, 600)
    per_epoch = max(steps_per_epoch, 1)
    lrs = np.array([lr_at(int(s)) for s in idx], dtype=float)
    epoch = np.r_[idx / per_epoch, n / per_epoch]  # the last rate holds until the run's end
    df = pd.DataFrame({"epoch": epoch, "lr": np.r_[lrs, lrs[-1] if n else np.nan]})
    top = float(df["lr"].max()) if n else 1.0
    x_axis = {"tickMinStep": 1} if n >= 2 * per_epoch else {}
    return theme.style({
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": "Learning-rate schedule", "height": 180, "autosize": {"type": "fit-x", "contains": "padding"},
        "data": {"name": "lr"}, "datasets": {"lr": df},
        "mark": {"type": "line", "color": theme.PURPLE, "strokeWidth": 2.5, "interpolate": "step-after"},
        "encoding": {
            "x": {"field": "epoch", "type": "quantitative", "title": "epoch", "axis": x_axis,
                  "scale": {"domain": [0, n / per_epoch], "nice": False}},
            "y": {"field": "lr", "type": "quantitative", "title": "learning rate η",
                  "scale": {"domain": [0, top * 1.1], "nice": False}, "axis": {"format": "~g", "tickCount": 4}},
            "tooltip": [{"field": "epoch", "type": "quantitative", "format": ".2f"},
                        {"field": "lr", "type": "quantitative", "format": ".3g", "title": "η"}],
        },
    })