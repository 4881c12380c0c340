"""Scenes on optimizers: races on the lecture's Beale surface, one step's arrows, the learning-rate sweep."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core.engine.surfaces import get_surface
from core.lessons.optimizers.presets import LECTURE_SLOTS, SLOTS
from core.lessons.optimizers.step_anatomy import anatomy
from core.lessons.optimizers.sweeps import log_lr_grid, sweep
from core.lessons.optimizers.trajectories import DEFAULT_PRECISION, first_reach, race
from ui.lecture.controls import Controls
from ui.lecture.figure import Figure
from ui.lecture.style import FIGURE_PX, lecture_spec
from ui.optimizers import charts as oc
from ui.optimizers.surface_image import colour_domain, surface_image

SURFACE = "beale"  # the lecture's surface, start (0.8, 1.6), minimum (3, 0.5)
RACE_WIDTH = 1000  # plot and the legends' column beside it
REACHED = 1e-3  # a run has reached the minimum once f − f* < REACHED
STEP_CHOICES = [25, 50, 100, 200, 300]
SGD_RATES = [0.005, 0.01, 0.02, 0.03, 0.04]
SWEEP_GROUPS = {"SGD family": ("sgd", "momentum", "nesterov"), "adaptive": ("adagrad", "rmsprop", "adam"),
                "all eight": LECTURE_SLOTS}


@st.cache_data(show_spinner=False, max_entries=4)
def _picture():
    surface = get_surface(SURFACE)
    cdomain = colour_domain(surface)
    return surface_image(surface, surface.domain, cdomain), cdomain


@st.cache_data(show_spinner=False, max_entries=64)
def _race(slots: tuple[str, ...], steps: int, sgd_lr: float | None = None):
    """Paths of the lecture's contestants (slot defaults; SGD's η overridden if given) from the lecture's start."""
    surface = get_surface(SURFACE)
    specs = [SLOTS[s].spec(**({"lr": sgd_lr} if s == "sgd" and sgd_lr else {})) for s in slots]
    trajs = race(surface, specs, surface.start, steps, DEFAULT_PRECISION)
    frames = [pd.DataFrame({"run": t.legend, "step": np.arange(steps + 1), "x": t.points[:, 0], "y": t.points[:, 1],
                            "loss": t.loss}).dropna() for t in trajs]
    reached = {t.name: first_reach(surface, t.loss, REACHED) for t in trajs}
    return [t.legend for t in trajs], pd.concat(frames, ignore_index=True), reached


def race_figure(slots: tuple[str, ...], steps: int, title: str, sgd_lr: float | None = None) -> tuple[Figure, dict]:
    """The race spec of the optimizer page for ``slots``; also which step each run first reached the minimum."""
    url, cdomain = _picture()
    labels, paths, reached = _race(slots, steps, sgd_lr)
    heads = paths.loc[paths.groupby("run")["step"].idxmax()]
    surface = get_surface(SURFACE)
    spec = oc.race_spec(url, surface, cdomain, paths, heads, list(slots), labels, surface.start,
                        height=FIGURE_PX - 60, pickable=False)
    spec["title"] = {"text": title}
    for layer in spec["layer"]:  # every legend in one column beside the plot, so the plot keeps the screen's height
        for channel in layer.get("encoding", {}).values():
            legend = channel.get("legend") if isinstance(channel, dict) else None
            if not isinstance(legend, dict):
                continue
            if legend.get("title") == "optimizer":
                channel["legend"] = {**legend, "orient": "right", "columns": 1, "title": None, "labelLimit": 330,
                                     "symbolStrokeWidth": 5, "rowPadding": 2}
            elif "gradientLength" in legend:
                legend.update(gradientLength=110)
    spec = lecture_spec(spec, FIGURE_PX)
    spec["width"] = RACE_WIDTH
    return Figure(title, vega=spec), reached


def _steps(c: Controls, default: int = 100) -> int:
    return c.select_slider("Steps", STEP_CHOICES, value=default, key="steps", page_key="steps")


def sgd(c: Controls) -> Figure:
    """#13: plain SGD paths for one learning rate."""
    steps = _steps(c, 50)
    lr = c.select_slider("Learning rate η", SGD_RATES, value=0.02, key="lr", page_key="sgd_lr")
    c.page(opts=["sgd"])
    figure, _ = race_figure(("sgd",), steps, f"SGD with η = {lr:g}, {steps} steps on Beale's surface", sgd_lr=lr)
    return figure


def _fixed_race(slots: tuple[str, ...], title: str, doc: str):
    """A scene racing a fixed set of the lecture's contestants; only the step count is a control."""
    def scene(c: Controls) -> Figure:
        steps = _steps(c)
        c.page(opts=list(slots))
        return race_figure(slots, steps, f"{title}, {steps} steps")[0]
    scene.__doc__ = doc
    return scene


schedules = _fixed_race(("sgd", "sgd_decay", "sgd_cyclic"), "Learning-rate schedules",
                        "#14: SGD with exponential decay and with a cyclical learning rate.")
momentum = _fixed_race(("sgd", "momentum", "nesterov"), "Momentum in practice", "#16: SGD vs momentum vs Nesterov.")
adaptive = _fixed_race(("sgd", "adagrad", "rmsprop", "adam"), "Adaptive gradients",
                       "#17: SGD vs Adagrad, RMSprop and Adam.")


def zoo(c: Controls) -> Figure:
    """#18: all eight of the lecture's optimizers; which one is first within 10⁻³ of the minimum."""
    steps = _steps(c)
    c.page(opts=list(LECTURE_SLOTS))
    figure, reached = race_figure(LECTURE_SLOTS, steps, f"The optimizer zoo, {steps} steps")
    arrived = {name: k for name, k in reached.items() if k is not None}
    if arrived:
        winner = min(arrived, key=arrived.get)
        order = ", ".join(f"{n} at step {k}" for n, k in sorted(arrived.items(), key=lambda kv: kv[1]))
        note = f"Within 10⁻³ of the minimum: {order}."
    else:
        winner, note = None, f"No optimizer gets within 10⁻³ of the minimum in {steps} steps."
    return Figure(figure.title, vega=figure.vega, note=note, answer=winner)


@st.cache_data(show_spinner=False, max_entries=32)
def _anatomy(slot: str, steps: int):
    surface = get_surface(SURFACE)
    return anatomy(surface, SLOTS[slot].spec(), surface.start, steps, DEFAULT_PRECISION)


@st.cache_data(show_spinner=False, max_entries=64)
def _zoom(window: tuple, cdomain: tuple):
    return surface_image(get_surface(SURFACE), window, cdomain, px=240, band=0.1)


def _square(points: np.ndarray, pad: float = 0.35) -> tuple[tuple[float, float], tuple[float, float]]:
    """A square window around the arrows' points, padded."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    centre, r = (lo + hi) / 2, max(float(max(hi - lo)) * (1 + 2 * pad), 1e-6) / 2
    return ((float(centre[0] - r), float(centre[0] + r)), (float(centre[1] - r), float(centre[1] + r)))


def step(c: Controls) -> Figure:
    """#15: the arrows of one momentum or Nesterov step, computed from the optimizer's own state."""
    who = c.radio("Method", ["momentum", "nesterov"], key="who", page_key="inspect")
    k = c.slider("Step s", 0, 99, 10, key="k", page_key="k")
    c.page(opts=["sgd", "momentum", "nesterov"], tab="Inside one step")
    an = _anatomy(who, 100)
    arrows = an.arrows(k)
    pts = np.array([p for _, a, b in arrows for p in (a, b)])
    window = _square(pts)
    df = pd.DataFrame({"what": [a[0] for a in arrows], "x": [a[1][0] for a in arrows], "y": [a[1][1] for a in arrows],
                       "x2": [a[2][0] for a in arrows], "y2": [a[2][1] for a in arrows]})
    df["dx"], df["dy"] = df["x2"] - df["x"], df["y2"] - df["y"]
    lo, hi = max(0, k - 3), min(100, k + 3)
    path = pd.DataFrame({"step": np.arange(lo, hi + 1), "x": an.points[lo:hi + 1, 0], "y": an.points[lo:hi + 1, 1]})
    _, cdomain = _picture()
    spec = oc.arrows_spec(_zoom(window, tuple(cdomain)), window, df, path)
    title = f"Inside step {k} of {who}: momentum step + gradient step = actual step"
    spec["title"] = {"text": title}
    for layer in spec["layer"]:  # a square window drawn square, its legend beside it
        legend = layer.get("encoding", {}).get("color", {}).get("legend")
        if isinstance(legend, dict):
            legend.update(orient="right", columns=1)
    spec = lecture_spec(spec, FIGURE_PX)
    spec["width"] = FIGURE_PX + 330  # the legend's column beside a square plot
    return Figure(title, vega=spec)


@st.cache_data(show_spinner="Re-running every contestant at 41 learning rates…", max_entries=16)
def _sweep(slots: tuple[str, ...], steps: int):
    lrs = log_lr_grid(1e-4, 1.0, 41)
    specs = [SLOTS[s].spec() for s in slots]
    final, diverged = sweep(get_surface(SURFACE), specs, get_surface(SURFACE).start, steps, lrs, DEFAULT_PRECISION)
    return pd.concat([pd.DataFrame({"run": s, "lr": lrs, "loss": f, "diverged": d})
                      for s, f, d in zip(slots, final, diverged)], ignore_index=True)


def lr_sweep(c: Controls) -> Figure:
    """Extra: final loss after the race against the learning rate η₀, per optimizer."""
    group = c.radio("Contestants", list(SWEEP_GROUPS), key="group")
    steps = _steps(c)
    slots = tuple(SWEEP_GROUPS[group])
    c.page(opts=list(slots), tab="Learning-rate sweep")
    df = _sweep(slots, steps)
    spec = oc.sweep_spec(df, list(slots), {s: SLOTS[s].spec().lr for s in slots}, height=FIGURE_PX - 150)
    title = f"Final loss after {steps} steps vs learning rate η₀ (crosses: diverged)"
    spec["title"] = {"text": title}
    return Figure(title, vega=lecture_spec(spec, FIGURE_PX))
