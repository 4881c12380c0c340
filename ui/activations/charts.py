"""Charts for the "Activations & gradients" page: Altair specs built once, data swapped in per rerun.

Building and validating a layered Altair chart costs 30–60 ms, too much for a page of a dozen charts
that must rerun in ≤ 150 ms. So every chart here is written in Altair over *named* data sets, turned
into a Vega-Lite dict once per process (``functools.cache``), and each call only deep-copies that
dict and attaches the current DataFrames under ``datasets``. Render the result with
``st.vega_lite_chart(spec, width="stretch")``.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from core.lessons.activations.curves import ActivationCurve
from core.lessons.activations.boundaries import Boundary
from core.lessons.activations.dying_relu import DyingRun
from core.lessons.activations.gradient_flow import LayerFlow
from core.lessons.activations.output_layer import OutputView
from ui.charts.builders import CATEGORY_SCHEME, DIVERGING_SCHEME, class_points, line_chart, probability_field
from ui.charts.theme import projector_config

F_COLOR, DF_COLOR, SATURATION_COLOR, TARGET_COLOR = "#1f5fbf", "#d62728", "#b0b0b0", "#ff9f1c"
F_LABEL, DF_LABEL = "f(z)", "f′(z)"
TABLEAU10 = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac"]
# one colour per activation on the whole page, so relu is the same line in every chart
ACTIVATION_COLORS = dict(zip(["relu", "sigmoid", "tanh", "leaky_relu", "elu", "selu", "gelu", "silu", "softplus",
                              "linear"], TABLEAU10))
Spec = dict


def _named(chart: alt.Chart, name: str) -> alt.Chart:
    """The same chart reading its rows from the named data set ``name``."""
    chart.data = alt.NamedData(name=name)
    return chart


def _fill(template: Spec, title: str | None = None, **datasets: pd.DataFrame) -> Spec:
    """A fresh copy of ``template`` with ``datasets`` attached (Streamlit consumes the dict it gets)."""
    spec = projector_config(copy.deepcopy(template))
    spec["datasets"] = datasets
    if title is not None:
        spec["title"] = {"text": title, "fontSize": 15}
    return spec


def _by_activation(spec: Spec, names: Sequence[str]) -> Spec:
    """Colour the spec's activation series with ACTIVATION_COLORS, in the order given."""
    names = list(dict.fromkeys(names))
    spec["encoding"]["color"]["scale"] = {"domain": names, "range": [ACTIVATION_COLORS.get(n, "#888") for n in names]}
    return spec


# --- 1. function and derivative ---------------------------------------------------------------------
@functools.cache
def _function_template(height: int) -> Spec:
    colour = alt.Color("curve:N", title=None, scale=alt.Scale(domain=[F_LABEL, DF_LABEL], range=[F_COLOR, DF_COLOR]),
                       legend=alt.Legend(orient="top", direction="horizontal", labelFontSize=13, symbolType="stroke",
                                         symbolStrokeWidth=3))
    x = alt.X("z:Q", title="z", scale=alt.Scale(nice=False, zero=False))
    y = alt.Y("value:Q", title=None, scale=alt.Scale(zero=False))
    bands = alt.Chart(alt.NamedData(name="bands")).mark_rect(color=SATURATION_COLOR, opacity=0.3).encode(
        x="z0:Q", x2="z1:Q", tooltip=[alt.Tooltip("z0:Q", format=".2f", title="|f′| small from z ="),
                                      alt.Tooltip("z1:Q", format=".2f", title="to z =")])
    tooltip = [alt.Tooltip("z:Q", format=".2f"), "curve:N", alt.Tooltip("value:Q", format=".4f")]
    lines = [  # f solid, f′ dashed: two layers, so that one colour legend covers both
        alt.Chart(alt.NamedData(name="curve")).transform_filter(alt.datum.curve == label)
        .mark_line(strokeWidth=2.5, clip=True, strokeDash=dash).encode(x=x, y=y, color=colour, tooltip=tooltip)
        for label, dash in ((F_LABEL, [1, 0]), (DF_LABEL, [6, 3]))
    ]
    probe = alt.Chart(alt.NamedData(name="probe"))
    own_colour = alt.Color("hex:N", scale=None)  # no shared scale, so no second legend
    rule = probe.mark_rule(strokeDash=[2, 2], color="#555").encode(x="z:Q")
    dots = probe.mark_point(filled=True, size=90, opacity=1).encode(x="z:Q", y="value:Q", color=own_colour)
    labels = [
        probe.transform_filter(alt.datum.above == above).mark_text(
            align="left", dx=7, dy=-11 if above else 13, fontSize=13, fontWeight="bold")
        .encode(x="z:Q", y="value:Q", text="label:N", color=own_colour)
        for above in (True, False)
    ]
    return alt.layer(bands, *lines, rule, dots, *labels, height=height).to_dict()


def function_panel(curve: ActivationCurve, probe_z: float, probe: tuple[float, float], *, height: int = 280) -> Spec:
    """f (blue, solid) and f′ (red, dashed) over z, grey bands where |f′| is small, the probe read off."""
    curves = pd.DataFrame({"z": np.r_[curve.z, curve.z], "value": np.r_[curve.f, curve.df],
                           "curve": [F_LABEL] * len(curve.z) + [DF_LABEL] * len(curve.z)})
    bands = pd.DataFrame(list(curve.saturated), columns=["z0", "z1"], dtype=float)
    inside = curve.z[0] <= probe_z <= curve.z[-1]
    f_above = probe[0] >= probe[1]  # the larger value's label goes above its dot, the other one below
    probe_rows = pd.DataFrame({
        "z": [probe_z, probe_z], "value": list(probe), "hex": [F_COLOR, DF_COLOR],
        "label": [f"f = {probe[0]:.3f}", f"f′ = {probe[1]:.3f}"],
        "above": [f_above, not f_above],
    }).iloc[: 2 if inside else 0]
    return _fill(_function_template(height), curve.name, curve=curves, bands=bands, probe=probe_rows)


# --- 2. vanishing gradients ---------------------------------------------------------------------------
@functools.cache
def _gradient_template(height: int) -> Spec:
    chart = line_chart(pd.DataFrame({"layer": [1], "gradient norm": [1.0], "activation": ["x"]}), "layer",
                       "gradient norm", "activation", log_y=True, height=height,
                       x_title="weight layer l (1 = next to the input, last = output layer)",
                       y_title="‖∂L/∂W⁽ˡ⁾‖ (log scale)", title="Gradient norm of every layer's weights")
    chart = chart.mark_line(strokeWidth=2.5, point=True, clip=True).encode(
        y=alt.Y("gradient norm:Q", title="‖∂L/∂W⁽ˡ⁾‖ (log scale)", scale=alt.Scale(type="log"),
                axis=alt.Axis(format=".0e")),
        tooltip=["activation:N", "layer:Q", alt.Tooltip("gradient norm:Q", format=".3e")])
    return _named(chart, "flows").to_dict()


def gradient_norm_chart(flows: Sequence[LayerFlow], *, height: int = 300) -> Spec:
    """‖∂L/∂W^(l)‖ per layer on a log axis, one line per activation; exact zeros are left out (log scale)."""
    rows = [(l + 1, float(g), f.activation) for f in flows for l, g in enumerate(f.weight_grad_norms)
            if np.isfinite(g) and g > 0]
    spec = _fill(_gradient_template(height), flows=pd.DataFrame(rows, columns=["layer", "gradient norm", "activation"]))
    return _by_activation(spec, [f.activation for f in flows])


@functools.cache
def _dead_template(height: int) -> Spec:
    return alt.Chart(alt.NamedData(name="dead"), height=height, title="Dead units per hidden layer").mark_bar().encode(
        x=alt.X("layer:O", title="hidden layer l", axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        xOffset="activation:N",
        y=alt.Y("dead fraction:Q", title="fraction of dead units", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("activation:N", title=None, scale=alt.Scale(scheme=CATEGORY_SCHEME)),
        tooltip=["activation:N", "layer:O", alt.Tooltip("dead fraction:Q", format=".0%")],
    ).to_dict()


def dead_units_chart(flows: Sequence[LayerFlow], *, height: int = 300) -> Spec:
    """Fraction of dead units (a = 0 for every sample) per hidden layer, grouped bars per activation."""
    rows = [(l + 1, float(d), f.activation) for f in flows for l, d in enumerate(f.dead_fraction)]
    spec = _fill(_dead_template(height), dead=pd.DataFrame(rows, columns=["layer", "dead fraction", "activation"]))
    return _by_activation(spec, [f.activation for f in flows])


# --- 3. dying ReLU ------------------------------------------------------------------------------------
@functools.cache
def _dying_templates(height: int) -> tuple[Spec, Spec]:
    typed = ["activation:N", "step:Q"]
    inactive = line_chart(pd.DataFrame({"step": [0], "inactive": [0.0], "activation": ["x"]}), "step", "inactive",
                          "activation", height=height, title="Switched-off units (z ≤ 0 on every sample)").encode(
        y=alt.Y("inactive:Q", title="fraction of hidden units", scale=alt.Scale(domain=[0, 1])),
        tooltip=[*typed, alt.Tooltip("inactive:Q", format=".0%")])
    loss = line_chart(pd.DataFrame({"step": [0], "loss": [1.0], "activation": ["x"]}), "step", "loss", "activation",
                      log_y=True, height=height, y_title="training loss (log scale)",
                      title="Cross-entropy during training").encode(tooltip=[*typed, alt.Tooltip("loss:Q", format=".4f")])
    return _named(inactive, "inactive").to_dict(), _named(loss, "loss").to_dict()


def dying_charts(runs: Sequence[DyingRun], *, height: int = 260) -> tuple[Spec, Spec]:
    """(inactive-unit fraction over the steps, training loss over the steps), one line per activation."""
    inactive = pd.DataFrame([(s, float(v), r.activation) for r in runs for s, v in enumerate(r.inactive)],
                            columns=["step", "inactive", "activation"])
    losses = pd.DataFrame([(s + 1, float(v), r.activation) for r in runs for s, v in enumerate(r.losses)
                           if np.isfinite(v) and v > 0], columns=["step", "loss", "activation"])
    left, right = _dying_templates(height)
    names = [r.activation for r in runs]
    return _by_activation(_fill(left, inactive=inactive), names), _by_activation(_fill(right, loss=losses), names)


# --- 4. decision boundaries ---------------------------------------------------------------------------
@functools.cache
def _boundary_template(xs: tuple[float, ...], ys: tuple[float, ...], height: int) -> Spec:
    xs_, ys_ = np.array(xs), np.array(ys)
    field = probability_field(xs_, ys_, np.zeros((len(ys), len(xs))), height=height).encode(
        # a stroke in the cell's own colour closes the hairline seams between neighbouring cells
        stroke=alt.Stroke("p:Q", scale=alt.Scale(scheme=DIVERGING_SCHEME, domain=[0, 1]), legend=None),
        strokeWidth=alt.value(0.5))
    field = _named(field, "field")
    empty = np.zeros((0, 2))
    train = _named(class_points(empty, np.zeros(0)), "train")
    # test points: class colour inside a black ring (training points have a white one)
    test = _named(class_points(empty, np.zeros(0)).mark_point(filled=True, size=110, opacity=1, stroke="black",
                                                               strokeWidth=2), "test")
    return alt.layer(field, train, test).resolve_scale(color="independent", shape="independent").to_dict()


def _points(X: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"x": X[:, 0], "y": X[:, 1], "class": np.asarray(y).astype(str)})


def boundary_chart(b: Boundary, X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,
                   y_test: np.ndarray, *, height: int = 330) -> Spec:
    """The probability field of one trained net; training points ringed white, test points ringed black."""
    XX, YY = np.meshgrid(b.xs, b.ys)
    dx, dy = float(b.xs[1] - b.xs[0]), float(b.ys[1] - b.ys[0])
    field = pd.DataFrame({"x": XX.ravel(), "y": YY.ravel(), "p": b.P.ravel()})
    field["x2"], field["y2"] = field["x"] + dx, field["y"] + dy
    title = f"{b.activation}: test accuracy {b.test_accuracy:.2f}, fit {b.fit_seconds * 1000:.0f} ms"
    return _fill(_boundary_template(tuple(b.xs), tuple(b.ys), height), title, field=field,
                 train=_points(X_train, y_train), test=_points(X_test, y_test))


# --- 5. output layer ----------------------------------------------------------------------------------
@functools.cache
def _output_template(probabilities: bool, height: int) -> Spec:
    series = ["probability ŷ" if probabilities else "output ŷ", "target y"]
    return alt.Chart(alt.NamedData(name="bars"), height=height).mark_bar().encode(
        x=alt.X("class:N", title="class i", sort=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("series:N", sort=series),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(domain=[0, 1]) if probabilities else alt.Scale(zero=True)),
        color=alt.Color("series:N", title=None, sort=series, scale=alt.Scale(domain=series, range=[F_COLOR, TARGET_COLOR]),
                        legend=alt.Legend(orient="top")),
        tooltip=["series:N", "class:N", alt.Tooltip("value:Q", format=".4f")],
    ).to_dict()


def output_bars(view: OutputView, probabilities: bool = True, *, height: int = 260) -> Spec:
    """Grouped bars per class: the output ŷ_i next to the (smoothed) target y_i."""
    k = len(view.outputs)
    label = "probability ŷ" if probabilities else "output ŷ"
    bars = pd.DataFrame({"class": [str(i) for i in range(k)] * 2, "value": np.r_[view.outputs, view.target],
                         "series": [label] * k + ["target y"] * k})
    return _fill(_output_template(probabilities, height), bars=bars)
