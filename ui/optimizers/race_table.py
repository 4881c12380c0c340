"""A race run to its horizon, cut to any Steps (and Iteration) value without building its tables again.

The page runs a race shown for Steps = s to a horizon H ≥ s and cuts it (``Trajectory.first``). What every cut needs
is prepared here once per race: its rows as NumPy columns in race order (run, then step), and for each pair of runs
the first step at which their loss (and learning-rate) curves part. A cut is then a boolean mask written straight to
Arrow IPC bytes (what ``st.vega_lite_chart`` sends; converting a pandas table again cost 2–5 ms a table).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
from streamlit import dataframe_util

from core.lessons.optimizers.trajectories import Trajectory
from ui.optimizers.charts import LOSS_FLOOR, log_domain

CURVES = ("loss_plot", "lr")  # the two curve charts' y fields: loss f(w) − f* (floored, for a log axis) and η


@dataclass(frozen=True)
class RaceCut:
    """The race as it is shown for ``steps`` steps: its runs, legend labels, summary, loss axis and coincident curves."""

    steps: int
    trajs: list[Trajectory]
    labels: list[str]  # legends: a run that diverged within ``steps`` says where
    summary: pd.DataFrame
    loss_domain: list[float]
    same: dict[str, list[list[str]]]  # per curve (CURVES): groups of ≥ 2 runs whose curves coincide over the cut


class RaceTable:
    """Every run of a race to its horizon H as one table of rows (run, step) with the path's point and loss and the
    learning rate used at that step; rows after a divergence are left out, as the charts draw them."""

    def __init__(self, trajs: Sequence[Trajectory], min_value: float) -> None:
        self.trajs = list(trajs)
        self.horizon = len(self.trajs[0].lrs) if self.trajs else 0
        R = len(self.trajs)
        points = np.stack([t.points for t in self.trajs], axis=0)  # (R, H+1, 2)
        loss = np.stack([t.loss for t in self.trajs], axis=0)  # (R, H+1)
        lr = np.concatenate([np.stack([t.lrs for t in self.trajs]), np.full((R, 1), np.nan)], axis=1)  # (R, H+1)
        kept = ~(np.isnan(points).any(axis=2) | np.isnan(loss))  # (R, H+1): the rows a chart draws
        run, step = np.nonzero(kept)  # race order: run by run, step by step
        self.run, self.step = run.astype(np.int32), step.astype(np.int32)  # (n,)
        self.x, self.y = points[run, step, 0], points[run, step, 1]  # (n,)
        self.loss, self.lr = loss[run, step], lr[run, step]  # (n,)
        self.loss_plot = np.maximum(self.loss - min_value, LOSS_FLOOR)  # (n,)
        padded = {"loss_plot": np.where(kept, np.maximum(loss - min_value, LOSS_FLOOR), np.nan),
                  "lr": np.where(kept, lr, np.nan)}  # (R, H+1) each; NaN where a chart draws no point
        self.parts = {y: _first_parting(v) for y, v in padded.items()}  # (R, R) each

    def cut(self, steps: int) -> RaceCut:
        """The race shown for ``steps`` ≤ H steps (as ``race(..., steps)`` would give it)."""
        if not 0 < steps <= self.horizon:
            raise ValueError(f"this race runs {self.horizon} steps; asked to show {steps}")
        trajs = [t.first(steps) for t in self.trajs]
        labels = [t.legend for t in trajs]
        shown = self.step <= steps
        calm = np.array([t.diverged_at is None for t in trajs])[self.run] | (self.step == 0)
        top = 100 * float(self.loss_plot[shown & calm].max()) if (shown & calm).any() else np.inf
        summary = pd.DataFrame({
            "optimizer": [t.name for t in trajs],
            "final loss": [t.final_loss for t in trajs],
            "final x": [t.points[-1, 0] for t in trajs],
            "final y": [t.points[-1, 1] for t in trajs],
            "diverged at step": pd.array([t.diverged_at for t in trajs], dtype="Int64"),
        })  # fmt: skip
        # the loss curve runs to step s; the learning-rate curve to step s − 1, the last step taken
        same = {y: _groups(self.parts[y], steps + (y == "loss_plot"), labels) for y in CURVES}
        return RaceCut(steps, trajs, labels, summary, log_domain(pd.Series(self.loss_plot[shown]), top=top), same)

    def paths(self, upto: int, labels: Sequence[str]) -> bytes:
        """Arrow bytes of (run, step, x, y, loss) for every step ≤ ``upto``: the race chart's paths at an iteration."""
        return self._table(self.step <= upto, labels, x=self.x, y=self.y, loss=self.loss)

    def heads(self, upto: int, labels: Sequence[str]) -> bytes:
        """Arrow bytes of each run's last drawn row at step ≤ ``upto``: where the runs are at that iteration."""
        shown = self.step <= upto
        last = shown & np.append((self.run[1:] != self.run[:-1]) | ~shown[1:], True)
        return self._table(last, labels, x=self.x, y=self.y, loss=self.loss)

    def curve(self, y: str, steps: int, labels: Sequence[str]) -> bytes:
        """Arrow bytes of (run, step, ``y``) over the cut: the loss to step s, the learning rate used to step s − 1."""
        rows = (self.step <= steps) if y == "loss_plot" else (self.step < steps) & ~np.isnan(self.lr)
        return self._table(rows, labels, **{y: getattr(self, y)})

    def _table(self, rows: np.ndarray, labels: Sequence[str], **columns: np.ndarray) -> bytes:
        run = pa.array(list(labels), pa.string()).take(pa.array(self.run[rows]))
        table = pa.table({"run": run, "step": self.step[rows], **{k: v[rows] for k, v in columns.items()}})
        return dataframe_util.convert_arrow_table_to_arrow_bytes(table)


def _first_parting(series: np.ndarray) -> np.ndarray:
    """For series (R, T): P[i, j], the first index at which runs i and j differ (T when they never do); NaN equals
    NaN (both undrawn), and values equal to 1e-9 relative count as one (``coincident_runs``'s test)."""
    R, T = series.shape
    with np.errstate(invalid="ignore"):
        same = np.isclose(series[:, None, :], series[None, :, :], rtol=1e-9, atol=0, equal_nan=True)  # (R, R, T)
    return np.where(same.all(axis=2), T, np.argmin(same, axis=2))


def _groups(parts: np.ndarray, length: int, labels: Sequence[str]) -> list[list[str]]:
    """Groups of ≥ 2 runs (race order) whose first ``length`` values coincide: each joins the first group whose
    first member it matches, as ``coincident_runs`` groups them."""
    groups: list[list[int]] = []
    for i in range(len(labels)):
        for group in groups:
            if parts[group[0], i] >= length:
                group.append(i)
                break
        else:
            groups.append([i])
    return [[labels[i] for i in g] for g in groups if len(g) > 1]
