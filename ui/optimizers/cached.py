"""The optimizer zoo's cached computations and views, shared by every session (bounded).

They live here, not in the page script, because a page script runs again on every rerun and Streamlit would
re-register each decorated function (its source read and hashed: ~2 ms apiece) every time.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit import dataframe_util

from core.engine.surfaces import get_surface
from core.lessons.optimizers.trajectories import MAX_STEPS, race
from ui.optimizers import charts as oc
from ui.optimizers.race_table import RaceCut, RaceTable
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


@st.cache_resource(show_spinner=False, max_entries=32)
def race_table(name: str, condition: float, specs_key: str, start: tuple, horizon_steps: int, precision: str,
               _specs: tuple = ()) -> RaceTable:
    """The race to a horizon as a RaceTable that every Steps value below it cuts. One shared object, not a copy per
    rerun (``cache_resource``): nothing changes it after it is built."""
    long = runs(name, condition, specs_key, start, horizon_steps, precision, _specs=_specs)
    return RaceTable(long, get_surface(name, condition).min_value)


def race_cut(name: str, condition: float, specs_key: str, start: tuple, steps: int, precision: str,
             _specs: tuple = ()) -> tuple[RaceTable, RaceCut]:
    """The race shown for ``steps`` steps: the table of its horizon and that table cut to ``steps``."""
    table = race_table(name, condition, specs_key, start, horizon(steps), precision, _specs=_specs)
    return table, _cut(table, name, condition, specs_key, start, steps, precision)


@st.cache_resource(show_spinner=False, max_entries=64)
def _cut(_table: RaceTable, name: str, condition: float, specs_key: str, start: tuple, steps: int,
         precision: str) -> RaceCut:
    return _table.cut(steps)


@st.cache_data(show_spinner=False, max_entries=64)
def curves(name: str, condition: float, specs_key: str, start: tuple, steps: int, precision: str, scale: str,
           _specs: tuple = ()) -> tuple[dict, dict]:
    """The loss and learning-rate charts without the Iteration marker, their data already Arrow bytes: a rerun adds
    the marker (``scale``, the chart style's, is part of the key)."""
    table, cut = race_cut(name, condition, specs_key, start, steps, precision, _specs=_specs)
    names, labels = [s.name for s in _specs], cut.labels
    lines = max(len(oc.note_lines(cut.same[y])) for y in ("loss_plot", "lr"))  # side by side: plots at one height
    loss = oc.curves_spec(table.curve("loss_plot", steps, labels), "loss_plot", "loss f(w) − f*  (log)", names,
                          labels, title="Loss", legend=False, y_domain=cut.loss_domain, same=cut.same["loss_plot"],
                          subtitle_lines=lines)
    lr = oc.curves_spec(table.curve("lr", steps, labels), "lr", "learning rate η (log)", names, labels,
                        title="Learning rate used", legend=False, same=cut.same["lr"], subtitle_lines=lines)
    return loss, lr


@st.cache_data(show_spinner=False, max_entries=128)
def race_at(name: str, condition: float, specs_key: str, start: tuple, steps: int, precision: str, scale: str,
            it: int, _specs: tuple = ()) -> dict:
    """The race chart at iteration ``it`` ≤ ``steps``: every path up to it and each run's point there."""
    table, cut = race_cut(name, condition, specs_key, start, steps, precision, _specs=_specs)
    picture, cdomain = surface_picture(name, condition)
    surface = get_surface(name, condition)
    return oc.race_spec(picture, surface, cdomain, table.paths(it, cut.labels), table.heads(it, cut.labels),
                        [s.name for s in _specs], cut.labels, start, grid=grid_bytes(surface.domain))


@st.cache_data(show_spinner=False, max_entries=16)
def grid_bytes(domain: tuple) -> bytes:
    """The race chart's invisible click grid (oc.pick_grid) as Arrow bytes, once per surface."""
    return dataframe_util.convert_anything_to_arrow_bytes(oc.pick_grid(domain))


@st.cache_data(show_spinner=False, max_entries=64)
def summary_table(name: str, condition: float, specs_key: str, start: tuple, steps: int, precision: str,
                  _summary: pd.DataFrame = None) -> None:
    """The race's summary table, keyed by the race (hashing the table itself cost ~10 ms a rerun). Cached with its
    element: a hit replays the rendered table instead of running the pandas Styler again (~30 ms a rerun)."""
    summary = _summary
    st.table(summary.style.format({"final loss": "{:.3g}", "final x": "{:.4f}", "final y": "{:.4f}",
                                   "diverged at step": "{:d}"}, na_rep="—").hide(axis="index"))
