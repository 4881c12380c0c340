"""The initialization page's cached lesson calls, computed once per setting for every session.

They live here, not in the page script: a page script runs again on every rerun, and Streamlit then registers its
cached functions again (reading and hashing their source).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.lessons.initialization.init_race import Lane, RaceConfig, race_data, run_lane_at
from core.lessons.initialization.signal_depth import SignalConfig, SignalReport, signal_through_depth
from core.lessons.initialization.symmetry import SymmetryConfig, SymmetryRun, run_symmetry
from ui.charts.frozen import frozen
from ui.charts.spec import Spec
from ui.initialization.charts import (ACTIVATIONS_LABEL, GRADIENTS_LABEL, chart_spec, curves_frame, layer_boxes,
                                      loss_curves, std_frame, std_lines, summary_frame, weight_heatmaps, weights_frame)

RACE_STEPS = range(50, 501, 50)  # the race's Steps slider: its values (app_pages/initialization.py draws it from this)
RACE_HORIZONS = (100, 300, 500)  # a lane runs to the first of these ≥ Steps; every Steps value below is a cut of it


@st.cache_data(show_spinner="Sending the batch through the network…", max_entries=128)
def signal(depth: int, width: int, activation: str, init: str, batch: int, seed: int) -> SignalReport:
    return signal_through_depth(SignalConfig(depth, width, activation, init, batch, seed))


@st.cache_data(show_spinner="Training from both starts…", max_entries=64)
def symmetry(start: str, value: float, activation: str, steps: int, dataset: str) -> tuple[SymmetryRun, pd.DataFrame]:
    """The run and its heatmaps' long table (before and after), built once per setting for every session."""
    run = run_symmetry(SymmetryConfig(start=start, value=value, activation=activation, steps=steps, dataset=dataset))
    return run, pd.concat([weights_frame(run.before, "before"), weights_frame(run.after, "after")], ignore_index=True)


def horizon(steps: int) -> int:
    """How far a lane of ``steps`` steps runs: the first horizon ≥ steps (a value off the slider runs to itself)."""
    return next((h for h in RACE_HORIZONS if h >= steps and steps in RACE_STEPS), steps)


@st.cache_data(show_spinner="Racing…", max_entries=128)
def _lane_cuts(init: str, activation: str, optimizer: str, lr: float, depth: int, run_to: int) -> dict[int, Lane]:
    """One initializer's run to ``run_to`` steps, cut at every Steps value up to it. Cached per lane: adding an
    initializer trains only that one, and every session asking for the same setting shares it."""
    config = RaceConfig(inits=(init,), activation=activation, optimizer=optimizer, lr=lr, steps=run_to, depth=depth)
    X, y = race_data(config)
    return run_lane_at(config, init, X, y, [s for s in RACE_STEPS if s <= run_to] + [run_to])


def race(inits: tuple[str, ...], activation: str, optimizer: str, lr: float, steps: int, depth: int) -> list[Lane]:
    """Each initializer's lane after ``steps`` steps (equal to run_race with these settings)."""
    run_to = horizon(steps)
    return [_lane_cuts(init, activation, optimizer, lr, depth, run_to)[steps] for init in dict.fromkeys(inits)]


# --- the charts, frozen (data as Arrow bytes) per setting and chart style (``scale``) ------------------------------
@st.cache_data(show_spinner=False, max_entries=128)
def signal_boxes(depth: int, width: int, activation: str, init: str, batch: int, seed: int, scale: str) -> tuple[Spec, Spec]:
    """The activation and gradient boxes per layer of one set-up."""
    report = signal(depth, width, activation, init, batch, seed)
    return (frozen(chart_spec(layer_boxes, summary_frame(report.activations), "Activations a⁽ˡ⁾", "a")),
            frozen(chart_spec(layer_boxes, summary_frame(report.gradients), "Gradients ∂L/∂a⁽ˡ⁾", "∂L/∂a")))


@st.cache_data(show_spinner=False, max_entries=128)
def signal_std(depth: int, width: int, batch: int, seed: int, setups: tuple[tuple[str, str, str], ...], ab: bool,
               scale: str) -> tuple[Spec, Spec]:
    """The std of the activations and of the gradients per layer, one line per (label, activation, initializer)."""
    reports = {label: signal(depth, width, act, init, batch, seed) for label, act, init in setups}
    return (frozen(chart_spec(std_lines, std_frame(reports, ACTIVATIONS_LABEL), "Std of the activations per layer", ab)),
            frozen(chart_spec(std_lines, std_frame(reports, GRADIENTS_LABEL), "Std of the gradients per layer", ab)))


@st.cache_data(show_spinner=False, max_entries=64)
def symmetry_charts(starts: tuple[tuple[str, float], ...], activation: str, steps: int, dataset: str,
                    scale: str) -> tuple[list[Spec], Spec | None]:
    """Each start's weight heatmaps (before and after) and, after k > 0 steps, the loss curves of all starts; the
    starts as (name shown, (start, c))."""
    heatmaps, losses = [], {}
    for name, (start, value) in starts:
        run, frame = symmetry(start, value, activation, steps, dataset)
        heatmaps.append(frozen(chart_spec(weight_heatmaps, frame, tuple(frame["layer"].unique()))))
        losses[name] = run.losses
    curves = frozen(chart_spec(loss_curves, curves_frame(losses, "start"), "start", "Training loss")) if steps else None
    return heatmaps, curves


@st.cache_data(show_spinner=False, max_entries=128)
def race_chart(inits: tuple[str, ...], activation: str, optimizer: str, lr: float, steps: int, depth: int,
               cap: float, scale: str) -> Spec:
    """The race's loss curves, one line per initializer, the axis cut at ``cap``."""
    lanes = race(inits, activation, optimizer, lr, steps, depth)
    curves = curves_frame({lane.init: lane.losses for lane in lanes}, "initializer")
    title = "Training loss per step (circles, 200 points, full batch)"
    return frozen(chart_spec(loss_curves, curves, "initializer", title, domain_max=cap))
