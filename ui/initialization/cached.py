"""The initialization page's cached lesson calls, computed once per setting for every session.

They live here, not in the page script: a page script runs again on every rerun, and Streamlit then registers its
cached functions again (reading and hashing their source).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.engine.datasets import make_dataset
from core.lessons.initialization.init_race import Lane, RaceConfig, run_lane_at
from core.lessons.initialization.signal_depth import SignalConfig, SignalReport, signal_through_depth
from core.lessons.initialization.symmetry import SymmetryConfig, SymmetryRun, run_symmetry
from ui.initialization.charts import weights_frame

RACE_STEPS = range(50, 501, 50)  # the Steps slider's values
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
    X, y = make_dataset(config.dataset, n=config.n, noise=config.noise, seed=config.seed)
    return run_lane_at(config, init, X, y, [s for s in RACE_STEPS if s <= run_to] + [run_to])


def race(inits: tuple[str, ...], activation: str, optimizer: str, lr: float, steps: int, depth: int) -> list[Lane]:
    """Each initializer's lane after ``steps`` steps (equal to run_race with these settings)."""
    run_to = horizon(steps)
    return [_lane_cuts(init, activation, optimizer, lr, depth, run_to)[steps] for init in dict.fromkeys(inits)]
