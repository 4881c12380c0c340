"""The optimizer zoo's lazy sections: inside one step, the learning-rate sweep, the MLP race."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from core.engine.datasets import DATASETS
from core.lessons.optimizers.mlp_race import MLPTask, train_race
from core.lessons.optimizers.step_anatomy import anatomy
from core.engine.surfaces import Surface, get_surface
from core.lessons.optimizers.sweeps import log_lr_grid, sweep, sweep_summary
from core.lessons.optimizers.trajectories import RunSpec
from ui.charts import theme
from ui.charts.frozen import frozen
from ui.optimizers import charts as oc
from ui.optimizers.cached import horizon
from ui.optimizers.surface_image import surface_image
from ui.urlstate import bound


@st.cache_resource(show_spinner=False, max_entries=32)
def _anatomy(name: str, condition: float, spec_key: str, start: tuple, steps: int, precision: str, _spec=None):
    """One contestant's step anatomy, keyed by the spec's repr (cheaper for Streamlit to hash than the RunSpec). One
    shared object, only read (``first`` and ``arrows`` copy): not unpickled again on every rerun."""
    return anatomy(get_surface(name, condition), _spec, start, steps, precision)


@st.cache_data(show_spinner=False, max_entries=64)
def _zoom_picture(name: str, condition: float, window: tuple, cdomain: tuple):
    return surface_image(get_surface(name, condition), window, cdomain, px=240, band=0.1)


@st.cache_data(show_spinner=False, max_entries=256)
def _arrows(name: str, condition: float, spec_key: str, start: tuple, run_to: int, precision: str, k: int, hi: int,
            cdomain: tuple, scale: str, _spec=None) -> tuple[dict, pa.Table] | None:
    """Step k's arrows drawn on a zoomed picture of the surface (a frozen spec: data as Arrow bytes) and their table
    (what, dx, dy, as Arrow: cheap to unpickle and to send), the path drawn up to step ``hi``; None when the
    contestant has no arrows to show. Built once per step for every session, from the run to ``run_to`` (the race's
    horizon: any Steps value up to it shares it)."""
    an = _anatomy(name, condition, spec_key, start, run_to, precision, _spec=_spec)
    arrows = an.arrows(k)
    if not arrows:
        return None
    pts = np.array([p for _, a, b in arrows for p in (a, b)])
    window = _window(pts)
    df = pd.DataFrame({"what": [a[0] for a in arrows],
                       "x": [a[1][0] for a in arrows], "y": [a[1][1] for a in arrows],
                       "x2": [a[2][0] for a in arrows], "y2": [a[2][1] for a in arrows]})
    df["dx"], df["dy"] = df["x2"] - df["x"], df["y2"] - df["y"]
    lo = max(0, k - 3)
    path = pd.DataFrame({"step": np.arange(lo, hi + 1), "x": an.points[lo:hi + 1, 0], "y": an.points[lo:hi + 1, 1]})
    url = _zoom_picture(name, condition, window, cdomain)
    table = pa.Table.from_pandas(df[["what", "dx", "dy"]], preserve_index=False)
    return frozen(oc.arrows_spec(url, window, df, path)), table


def _window(points: np.ndarray, pad: float = 0.35) -> tuple[tuple[float, float], tuple[float, float]]:
    """A square window around the given points (rows x, y), padded, never degenerate."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    centre, side = (lo + hi) / 2, float(max(hi - lo)) * (1 + 2 * pad)
    side = max(side, 1e-6 * (1 + float(np.abs(centre).max())))
    r = round(side / 2, 12)
    return ((float(centre[0] - r), float(centre[0] + r)), (float(centre[1] - r), float(centre[1] + r)))


def step_view(name: str, condition: float, surface: Surface, specs: list[RunSpec], start: tuple, steps: int,
              cdomain: tuple, precision: str) -> None:
    """Arrows of one step (momentum, Nesterov, SGD) or the per-coordinate effective rates (adaptive)."""
    st.markdown(
        "Pick a contestant and a step $s$. For momentum methods the arrows are computed from the optimizer's own "
        "state: the momentum step $\\gamma\\mathbf{v}$, the (look-ahead) gradient step and the step actually taken. "
        "For adaptive methods: the learning rate each coordinate really got."
    )
    names = [s.name for s in specs]
    default = next((n for n in ("momentum", "nesterov") if n in names), names[0])
    c1, c2 = st.columns([1, 2])
    who = bound(c1.selectbox, "Contestant", names, key="inspect", index=names.index(default))
    spec = specs[names.index(who)]
    run_to = horizon(steps)
    an = _anatomy(name, condition, repr(spec), start, run_to, precision, _spec=spec).first(steps)
    last = steps - 1 if an.diverged_at is None else max(0, an.diverged_at - 1)  # open on a step that exists
    k = bound(c2.slider, "Step s", 0, steps - 1, min(10, last), key="k")
    if an.diverged_at is not None and k >= an.diverged_at:
        what = "pick an earlier step" if an.diverged_at else "it has no step to show from this start"
        st.warning(f"{who} diverged at step {an.diverged_at}; {what}.", icon=":material/warning:")
        return
    left, right = st.columns([3, 2])
    arrows = _arrows(name, condition, repr(spec), start, run_to, precision, k, min(steps, k + 3), tuple(cdomain),
                     theme.current_scale(), _spec=spec)
    if arrows is not None:
        spec_k, table = arrows
        left.vega_lite_chart(spec_k, width="stretch")
        right.dataframe(table, hide_index=True,
                        column_config={c: st.column_config.NumberColumn(format="%.4g") for c in ("dx", "dy")})
        if an.nesterov:
            right.caption(
                "torch's Nesterov stores the look-ahead point: the dots of the path are w + γv. The lecture's "
                "weights w sit one momentum step behind; its velocity update is the blue arrow, and torch's step "
                "(black) lands on the next look-ahead point."
            )
        elif an.buffers is not None and an.momentum:
            right.caption("The actual step is the sum of the momentum step and the gradient step.")
    if an.eff_lr is not None:
        eff = an.eff_lr
        right.metric("Effective η for x at step s", f"{eff[k, 0]:.4g}")
        right.metric("Effective η for y at step s", f"{eff[k, 1]:.4g}", help=f"η₀ = {an.lrs[k]:g}")
        df = pd.DataFrame({"run": np.repeat(["x coordinate", "y coordinate"], steps),
                           "step": np.tile(np.arange(steps), 2), "eff": np.concatenate([eff[:, 0], eff[:, 1]])})
        df = df.replace([np.inf, -np.inf], np.nan).dropna()
        st.vega_lite_chart(oc.curves_spec(df, "eff", "effective learning rate (log)", ["sgd", "adam"],
                                          ["x coordinate", "y coordinate"], marker=k, height=220,
                                          title=f"{who}: per-coordinate learning rate", legend=True), width="stretch")


@st.cache_data(show_spinner=False, max_entries=16)
def _sweep(name: str, condition: float, specs: tuple, start: tuple, steps: int, n: int, precision: str):
    lrs = log_lr_grid(1e-4, 1.0, n)
    final, diverged = sweep(get_surface(name, condition), specs, start, steps, lrs, precision)
    rows, summaries = [], []
    for spec, f, d in zip(specs, final, diverged):
        rows.append(pd.DataFrame({"run": spec.name, "lr": lrs, "loss": f, "diverged": d}))
        summaries.append({"optimizer": spec.name, **sweep_summary(lrs, f, d)})
    return pd.concat(rows, ignore_index=True), pd.DataFrame(summaries)


def sweep_view(name: str, condition: float, specs: list[RunSpec], start: tuple, steps: int, precision: str) -> None:
    """Final loss after the race's number of steps vs learning rate, per contestant."""
    st.markdown(
        f"Each contestant re-run with 41 learning rates from 10⁻⁴ to 1 (log-spaced), {steps} steps from the same "
        "start: too low a rate barely moves, a good one reaches the minimum, too high a one diverges (crosses at "
        "the top). A schedule keeps its shape, scaled so that it starts at η₀. Dashed lines: the rates set above."
    )
    df, summary = _sweep(name, condition, tuple(specs), start, steps, 41, precision)
    names = [s.name for s in specs]
    st.vega_lite_chart(oc.sweep_spec(df, names, {s.name: s.lr for s in specs}), width="stretch")
    summary = summary.rename(columns={"best_lr": "best η₀", "best_loss": "its final loss",
                                      "first_diverging_lr": "smallest η₀ that diverged"})
    st.table(summary.style.format("{:.3g}", subset=summary.columns[1:], na_rep="—").hide(axis="index"))


@st.cache_data(show_spinner=False, max_entries=16)
def _mlp(specs: tuple, task: MLPTask):
    curves = train_race(specs, task)
    frames = [pd.DataFrame({"run": c.name, "step": np.arange(task.steps + 1), "loss": c.loss}).dropna() for c in curves]
    table = pd.DataFrame({"optimizer": [c.name for c in curves], "final loss": [c.loss[-1] for c in curves],
                          "training accuracy": [c.accuracy for c in curves],
                          "diverged at step": pd.array([c.diverged_at for c in curves], dtype="Int64")})
    return pd.concat(frames, ignore_index=True), table


def mlp_view(specs: list[RunSpec]) -> None:
    """The same contestants training a small MLP on a toy data set."""
    st.markdown(
        "The same optimizers, with the same settings, now train a real network: a 2-16-16-1 MLP (tanh, sigmoid "
        "output, binary cross-entropy), full-batch, all from the same initial weights, in float64. The landscape has "
        "hundreds of dimensions instead of two, but the story is similar: momentum and adaptive rates get "
        "further in the same number of steps."
    )
    c1, c2 = st.columns(2)
    data = bound(c1.selectbox, "Data set", list(DATASETS), key="mlp_data")
    steps = bound(c2.slider, "Training steps", 20, 500, 200, 20, key="mlp_steps")
    df, table = _mlp(tuple(specs), MLPTask(dataset=data, steps=steps))
    names = [s.name for s in specs]
    st.vega_lite_chart(oc.curves_spec(df, "loss", "training loss (log)", names, names, title="Training loss"),
                       width="stretch")
    st.table(table.style.format({"final loss": "{:.4f}", "training accuracy": "{:.3f}", "diverged at step": "{:d}"},
                                na_rep="—").hide(axis="index"))
