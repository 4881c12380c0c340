"""Charts for the "Activations & gradients" page, built with ui.charts.spec.cached_spec (one template per
process, data attached per rerun). Render the result with ``st.vega_lite_chart(spec, width="stretch")``."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from core.engine.activations import LEAKY_SLOPE
from core.lessons.activations.boundaries import Boundary
from core.lessons.activations.curves import ActivationCurve
from core.lessons.activations.dying_relu import DyingRun
from core.lessons.activations.gradient_flow import LayerFlow
from core.lessons.activations.output_layer import OutputView
from ui.charts import theme
from ui.charts.builders import (category_scale, class_points, field_frame, line_chart, points_frame,
                                probability_layers)
from ui.charts.spec import Spec, cached_spec

F_COLOR, DF_COLOR, TARGET_COLOR = theme.NAMED["f"], theme.NAMED["f′"], theme.NAMED["target"]
SATURATION_COLOR = theme.LIGHT_GREY
F_LABEL, DF_LABEL = "f(z)", "f′(z)"
# one colour (and dash) per activation on the whole page, so relu is the same line in every chart
ORDER = ["relu", "sigmoid", "tanh", "leaky_relu", "elu", "selu", "gelu", "silu", "softplus", "linear"]
ACTIVATION_COLORS = {n: theme.color(i) for i, n in enumerate(ORDER)}
ACTIVATION_DASHES = {n: theme.DASHES[i % 2] for i, n in enumerate(ORDER)}  # relu solid, leaky_relu dashed, ...
PICTURE_LEAKY_SLOPE = 0.1  # the lecture draws leaky ReLU with slope 0.1 "to make it visible"
FIT_WIDTH = {"type": "fit-x", "contains": "padding"}  # height is the plot's own; only the width follows the page


def _by_activation(spec: Spec, names: Sequence[str], dashed: bool = False) -> Spec:
    """Colour (and optionally dash) the spec's activation series per ACTIVATION_COLORS, in the order given."""
    names = list(dict.fromkeys(names))
    if not names:
        return spec
    layers = spec.get("layer", [spec])
    for layer in layers:
        enc = layer.get("encoding", {})
        if "color" in enc:
            enc["color"]["scale"] = {"domain": names, "range": [ACTIVATION_COLORS.get(n, theme.GREY) for n in names]}
        if dashed and "strokeDash" in enc:
            enc["strokeDash"]["scale"] = {"domain": names, "range": [ACTIVATION_DASHES.get(n, [1, 0]) for n in names]}
    return spec


def coincident(series: dict[str, np.ndarray], rtol: float = 1e-9) -> list[tuple[str, str]]:
    """Pairs of names whose series are equal (same length, equal within rtol): lines that hide each other."""
    names, pairs = list(series), []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            x, y = np.asarray(series[a], dtype=float), np.asarray(series[b], dtype=float)
            if x.shape == y.shape and np.allclose(x, y, rtol=rtol, atol=1e-12, equal_nan=True):
                pairs.append((a, b))
    return pairs


def coincidence_note(pairs: Sequence[tuple[str, str]]) -> str:
    """A subtitle saying which lines lie on top of each other."""
    return "; ".join(f"{a} and {b} coincide (one line on top of the other)" for a, b in pairs)


# --- 1. function and derivative ---------------------------------------------------------------------
def _function_builder(height: int) -> alt.LayerChart:
    colour = alt.Color("curve:N", title=None, scale=alt.Scale(domain=[F_LABEL, DF_LABEL], range=[F_COLOR, DF_COLOR]),
                       legend=alt.Legend(orient="top", direction="horizontal", symbolType="stroke"))
    dash = alt.StrokeDash("curve:N", scale=alt.Scale(domain=[F_LABEL, DF_LABEL], range=[[1, 0], [7, 4]]), legend=None)
    x = alt.X("z:Q", title="z", scale=alt.Scale(nice=False, zero=False))
    y = alt.Y("value:Q", title=None, scale=alt.Scale(zero=False))
    bands = alt.Chart(alt.NamedData(name="bands")).mark_rect(color=SATURATION_COLOR, opacity=0.35).encode(
        x="z0:Q", x2="z1:Q", tooltip=[alt.Tooltip("z0:Q", format=".2f", title="|f′| small from z ="),
                                      alt.Tooltip("z1:Q", format=".2f", title="to z =")])
    tooltip = [alt.Tooltip("z:Q", format=".2f"), "curve:N", alt.Tooltip("value:Q", format=".4f")]
    lines = alt.Chart(alt.NamedData(name="curve")).mark_line(strokeWidth=3, clip=True).encode(
        x=x, y=y, color=colour, strokeDash=dash, tooltip=tooltip)
    probe = alt.Chart(alt.NamedData(name="probe"))
    rule = probe.mark_rule(strokeDash=[2, 2], color=theme.GREY).encode(x="z:Q")
    dots = probe.mark_point(filled=True, size=110, opacity=1, stroke="white", strokeWidth=1.5).encode(
        x="z:Q", y="value:Q", color=alt.Color("hex:N", scale=None), tooltip=["label:N"])
    return alt.layer(bands, lines, rule, dots, height=height)


def function_panel(curve: ActivationCurve, probe_z: float, probe: tuple[float, float], *, height: int = 300,
                   leaky_slope: float = PICTURE_LEAKY_SLOPE) -> Spec:
    """f (blue, solid) and f′ (vermillion, dashed) over z, grey bands where |f′| is small, the probe's values in
    the subtitle (never on top of the curves). Leaky ReLU's negative side is drawn with ``leaky_slope``."""
    f, df = np.asarray(curve.f, dtype=float), np.asarray(curve.df, dtype=float)
    shown = (f, df)
    subtitle = [f"at z = {probe_z:g}:  f = {probe[0]:.3f},  f′ = {probe[1]:.3f}"]
    if curve.name == "leaky_relu" and leaky_slope != LEAKY_SLOPE:
        stretch = np.where(curve.z > 0, 1.0, leaky_slope / LEAKY_SLOPE)  # the picture's slope for z ≤ 0
        shown = (f * stretch, df * stretch)
        subtitle.append(f"drawn: slope {leaky_slope:g} for z < 0 (to see it); the net: {LEAKY_SLOPE:g}")
    curves = pd.DataFrame({"z": np.r_[curve.z, curve.z], "value": np.r_[shown[0], shown[1]],
                           "curve": [F_LABEL] * len(curve.z) + [DF_LABEL] * len(curve.z)})
    bands = pd.DataFrame(list(curve.saturated), columns=["z0", "z1"], dtype=float)
    inside = curve.z[0] <= probe_z <= curve.z[-1]
    drawn = [float(np.interp(probe_z, curve.z, s)) for s in shown] if inside else []
    probe_rows = pd.DataFrame({"z": [probe_z] * len(drawn), "value": drawn, "hex": [F_COLOR, DF_COLOR][:len(drawn)],
                               "label": [f"f = {probe[0]:.3f}", f"f′ = {probe[1]:.3f}"][:len(drawn)]})
    spec = cached_spec(_function_builder, height, data={"curve": curves, "bands": bands, "probe": probe_rows},
                       title={"text": curve.name, "subtitle": subtitle})
    spec["autosize"] = dict(FIT_WIDTH)
    return spec


# --- 2. vanishing gradients ---------------------------------------------------------------------------
def _gradient_builder(height: int) -> alt.Chart:
    chart = line_chart(pd.DataFrame({"layer": [1], "gradient norm": [1.0], "activation": ["x"]}), "layer",
                       "gradient norm", "activation", log_y=True, height=height,
                       x_title="weight layer l (1 = next to the input, last = output layer)",
                       y_title="‖∂L/∂W⁽ˡ⁾‖ (log scale)", title="Gradient norm of every layer's weights")
    chart = chart.mark_line(strokeWidth=2.5, point=True, clip=True).encode(
        y=alt.Y("gradient norm:Q", title="‖∂L/∂W⁽ˡ⁾‖ (log scale)", scale=alt.Scale(type="log"),
                axis=alt.Axis(format=".0e")),
        strokeDash=alt.StrokeDash("activation:N", title=None),
        tooltip=["activation:N", "layer:Q", alt.Tooltip("gradient norm:Q", format=".3e")])
    chart.data = alt.NamedData(name="flows")
    return chart


def gradient_norm_chart(flows: Sequence[LayerFlow], *, height: int = 300) -> Spec:
    """‖∂L/∂W^(l)‖ per layer on a log axis, one line per activation; exact zeros are left out (log scale)."""
    rows = [(l + 1, float(g), f.activation) for f in flows for l, g in enumerate(f.weight_grad_norms)
            if np.isfinite(g) and g > 0]
    spec = cached_spec(_gradient_builder, height,
                       data={"flows": pd.DataFrame(rows, columns=["layer", "gradient norm", "activation"])})
    return _by_activation(spec, [f.activation for f in flows], dashed=True)


def _dead_builder(height: int) -> alt.Chart:
    return alt.Chart(alt.NamedData(name="dead"), height=height).transform_filter(
        alt.datum["dead fraction"] > 0).mark_bar().encode(
        x=alt.X("layer:O", title="hidden layer l", axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        xOffset="activation:N",
        y=alt.Y("dead fraction:Q", title="fraction of dead units", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("activation:N", title=None, scale=category_scale(), legend=alt.Legend(orient="top")),
        tooltip=["activation:N", "layer:O", alt.Tooltip("dead fraction:Q", format=".0%")],
    )


def dead_units_chart(flows: Sequence[LayerFlow], *, height: int = 300) -> Spec:
    """Fraction of dead units (a = 0 for every sample) per hidden layer, grouped bars per activation; activations
    without a single dead unit are left out of the bars and the legend, and named in the subtitle instead."""
    alive = [f.activation for f in flows if not np.any(np.asarray(f.dead_fraction) > 0)]
    shown = [f for f in flows if f.activation not in alive]
    rows = [(l + 1, float(d), f.activation) for f in flows for l, d in enumerate(f.dead_fraction)]
    note = f"no dead units: {', '.join(alive)}" if alive else " "
    spec = cached_spec(_dead_builder, height,
                       data={"dead": pd.DataFrame(rows, columns=["layer", "dead fraction", "activation"])},
                       title={"text": "Dead units per hidden layer", "subtitle": note})
    return _by_activation(spec, [f.activation for f in shown])


# --- 3. dying ReLU ------------------------------------------------------------------------------------
def _dying_builder(which: str, height: int) -> alt.Chart:
    typed = ["activation:N", "step:Q"]
    dash = alt.StrokeDash("activation:N", title=None)
    if which == "inactive":
        chart = line_chart(pd.DataFrame({"step": [0], "inactive": [0.0], "activation": ["x"]}), "step", "inactive",
                           "activation", height=height).encode(
            y=alt.Y("inactive:Q", title="fraction of hidden units", scale=alt.Scale(domain=[0, 1])), strokeDash=dash,
            tooltip=[*typed, alt.Tooltip("inactive:Q", format=".0%")])
    else:
        chart = line_chart(pd.DataFrame({"step": [0], "loss": [1.0], "activation": ["x"]}), "step", "loss",
                           "activation", log_y=True, height=height, y_title="training loss (log scale)").encode(
            strokeDash=dash, tooltip=[*typed, alt.Tooltip("loss:Q", format=".4f")])
    chart.data = alt.NamedData(name=which)
    return chart


def dying_charts(runs: Sequence[DyingRun], *, height: int = 260) -> tuple[Spec, Spec]:
    """(inactive-unit fraction over the steps, training loss over the steps), one line per activation, each
    activation with its own dash; when two runs are identical the subtitle says so."""
    inactive = pd.DataFrame([(s, float(v), r.activation) for r in runs for s, v in enumerate(r.inactive)],
                            columns=["step", "inactive", "activation"])
    losses = pd.DataFrame([(s + 1, float(v), r.activation) for r in runs for s, v in enumerate(r.losses)
                           if np.isfinite(v) and v > 0], columns=["step", "loss", "activation"])
    names = [r.activation for r in runs]
    same_inactive = coincidence_note(coincident({r.activation: r.inactive for r in runs})) or " "
    same_loss = coincidence_note(coincident({r.activation: r.losses for r in runs})) or " "
    left = cached_spec(_dying_builder, "inactive", height, data={"inactive": inactive},
                       title={"text": "Switched-off units (z ≤ 0 on every sample)", "subtitle": same_inactive})
    right = cached_spec(_dying_builder, "loss", height, data={"loss": losses},
                        title={"text": "Cross-entropy during training", "subtitle": same_loss})
    return _by_activation(left, names, dashed=True), _by_activation(right, names, dashed=True)


# --- 4. decision boundaries ---------------------------------------------------------------------------
def _boundary_builder(height: int) -> alt.LayerChart:
    field = probability_layers(alt.NamedData(name="field"), height=height)
    empty = np.zeros((0, 2))
    train = class_points(empty, np.zeros(0))
    train.data = alt.NamedData(name="train")
    # test points: class colour inside a black ring (training points have a white one)
    test = class_points(empty, np.zeros(0)).mark_point(filled=True, size=110, opacity=1, stroke="black", strokeWidth=2)
    test.data = alt.NamedData(name="test")
    return alt.layer(field, train, test).resolve_scale(color="independent", shape="independent")


def boundary_chart(b: Boundary, X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,
                   y_test: np.ndarray, *, height: int = 330) -> Spec:
    """The probability field of one trained net as a smooth image; training points ringed white, test points black."""
    title = f"{b.activation}: test accuracy {b.test_accuracy:.2f}, fit {b.fit_seconds * 1000:.0f} ms"
    return cached_spec(_boundary_builder, height, title=title,
                       data={"field": field_frame(b.xs, b.ys, b.P), "train": points_frame(X_train, y_train),
                             "test": points_frame(X_test, y_test)})


# --- 5. output layer ----------------------------------------------------------------------------------
def _output_builder(probabilities: bool, height: int) -> alt.Chart:
    series = ["probability ŷ" if probabilities else "output ŷ", "target y"]
    return alt.Chart(alt.NamedData(name="bars"), height=height).mark_bar().encode(
        x=alt.X("class:N", title="class i", sort=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("series:N", sort=series),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(domain=[0, 1]) if probabilities else alt.Scale(zero=True)),
        color=alt.Color("series:N", title=None, sort=series, scale=alt.Scale(domain=series, range=[F_COLOR, TARGET_COLOR]),
                        legend=alt.Legend(orient="top")),
        tooltip=["series:N", "class:N", alt.Tooltip("value:Q", format=".4f")],
    )


def output_bars(view: OutputView, probabilities: bool = True, *, height: int = 260) -> Spec:
    """Grouped bars per class: the output ŷ_i next to the (smoothed) target y_i."""
    k = len(view.outputs)
    label = "probability ŷ" if probabilities else "output ŷ"
    bars = pd.DataFrame({"class": [str(i) for i in range(k)] * 2, "value": np.r_[view.outputs, view.target],
                         "series": [label] * k + ["target y"] * k})
    return cached_spec(_output_builder, probabilities, height, data={"bars": bars})
