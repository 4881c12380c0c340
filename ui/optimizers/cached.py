"""The optimizer zoo's cached computations and views, shared by every session (bounded).

They live here, not in the page script, because a page script runs again on every rerun and Streamlit would
re-register each decorated function (its source read and hashed: ~2 ms apiece) every time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core.engine.surfaces import get_surface
from core.lessons.optimizers.trajectories import MAX_STEPS, race
from ui.charts.frozen import frozen
from ui.optimizers import charts as oc
from ui.optimizers.surface_image import colour_domain, surface_image

@st.cache_data(show_spinner=False, max_entries=32)
def surface_picture(name: str, condition: float):
    surf = get_surface(name, condition)
    cdomain = colour_domain(surf)
    return surface_image(surf, surf.domain, cdomain), cdomain


HORIZONS = (100, 250, 500, MAX_STEPS)  # a race runs to the first of these ≥ Steps; shorter Steps values cut it


def horizon(steps: int) -> int:
    """How far to run a race shown for ``steps`` steps: moving the Steps slider below it costs no new race."""
    return next(h for h in HORIZONS if h >= steps)


@st.cache_data(show_spinner=False, max_entries=64)
def runs(name: str, condition: float, specs_key: str, start: tuple, steps: int, precision: str, _specs: tuple = ()):
    """The race to ``steps`` steps; keyed by the specs' repr (``specs_key``: hashing the RunSpec objects themselves
    cost Streamlit ~10 ms a rerun)."""
    return race(get_surface(name, condition), _specs, start, steps, precision)


@st.cache_data(show_spinner=False, max_entries=64)
def race_table(name: str, condition: float, specs_key: str, start: tuple, steps: int, precision: str, _specs: tuple = ()):
    """The race cut to ``steps`` (run to its horizon), its long table of paths, the summary, the loss axis and
    coincident curves."""
    long = runs(name, condition, specs_key, start, horizon(steps), precision, _specs=_specs)
    trajs = [t.first(steps) for t in long]
    labels = [t.legend for t in trajs]
    frames = []
    for t, label in zip(trajs, labels):
        f = pd.DataFrame({"run": label, "step": np.arange(steps + 1), "x": t.points[:, 0], "y": t.points[:, 1],
                          "loss": t.loss, "lr": np.append(t.lrs, np.nan)})
        frames.append(f.dropna(subset=["x", "y", "loss"]))
    paths = pd.concat(frames, ignore_index=True)
    paths["loss_plot"] = np.maximum(paths["loss"] - get_surface(name, condition).min_value, oc.LOSS_FLOOR)
    calm = paths["step"].eq(0) | paths["run"].isin([lab for t, lab in zip(trajs, labels) if t.diverged_at is None])
    loss_domain = oc.log_domain(paths["loss_plot"], top=100 * float(paths.loc[calm, "loss_plot"].max()))
    summary = pd.DataFrame({
        "optimizer": [t.name for t in trajs],
        "final loss": [t.final_loss for t in trajs],
        "final x": [t.points[-1, 0] for t in trajs],
        "final y": [t.points[-1, 1] for t in trajs],
        "diverged at step": pd.array([t.diverged_at for t in trajs], dtype="Int64"),
    })
    same = {y: oc.coincident_runs(paths[["run", "step", y]].dropna(), y, labels) for y in ("loss_plot", "lr")}
    return labels, paths, summary, loss_domain, same


@st.cache_data(show_spinner=False, max_entries=64)
def curves(name: str, condition: float, specs_key: str, start: tuple, steps: int, precision: str, scale: str,
           _specs: tuple = ()) -> tuple[dict, dict]:
    """The loss and learning-rate charts without the Iteration marker, frozen (data as Arrow bytes): a rerun adds the
    marker instead of converting two long tables again (``scale``, the chart style's, is part of the key)."""
    labels, paths, _, loss_domain, same = race_table(name, condition, specs_key, start, steps, precision, _specs=_specs)
    names = [s.name for s in _specs]
    loss = oc.curves_spec(paths[["run", "step", "loss_plot"]], "loss_plot", "loss f(w) − f*  (log)", names, labels,
                          title="Loss", legend=False, y_domain=loss_domain, same=same["loss_plot"])
    lr = oc.curves_spec(paths[["run", "step", "lr"]].dropna(), "lr", "learning rate η (log)", names, labels,
                        title="Learning rate used", legend=False, same=same["lr"])
    return frozen(loss), frozen(lr)


@st.cache_data(show_spinner=False, max_entries=64)
def whole_race(name: str, condition: float, specs_key: str, start: tuple, steps: int, precision: str, scale: str,
               _specs: tuple = ()) -> dict:
    """The race chart at its last iteration, every path whole, frozen: what a rerun shows unless someone scrubs."""
    labels, paths, *_ = race_table(name, condition, specs_key, start, steps, precision, _specs=_specs)
    picture, cdomain = surface_picture(name, condition)
    shown, heads = oc.shown_at(paths, steps)
    return frozen(oc.race_spec(picture, get_surface(name, condition), cdomain, shown, heads, [s.name for s in _specs],
                               labels, start))


@st.cache_data(show_spinner=False, max_entries=64)
def summary_table(name: str, condition: float, specs_key: str, start: tuple, steps: int, precision: str,
                  _summary: pd.DataFrame = None) -> None:
    """The race's summary table, keyed by the race (hashing the table itself cost ~10 ms a rerun). Cached with its
    element: a hit replays the rendered table instead of running the pandas Styler again (~30 ms a rerun)."""
    summary = _summary
    st.table(summary.style.format({"final loss": "{:.3g}", "final x": "{:.4f}", "final y": "{:.4f}",
                                   "diverged at step": "{:d}"}, na_rep="—").hide(axis="index"))
