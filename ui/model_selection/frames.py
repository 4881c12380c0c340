"""Small tables for the model-selection charts, built from the lesson results (a few hundred rows at most)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.lessons.model_selection.batchnorm import DeepRun
from core.lessons.model_selection.capacity import Memorization, Sweep
from core.lessons.model_selection.early_stopping import Curves, moving_average
from core.lessons.model_selection.penalties import PenaltyRun

UNTIL, AFTER = "until the stop", "after the stop (no early stopping)"
BINS = np.linspace(-6.0, 0.0, 31)  # log₁₀|w| bins


def curve_frames(c: Curves, kind: str, patience: int, smooth: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(curves, marks): kind "loss" or "acc"; the line after the stop is drawn faded; the window spans best → best + patience."""
    stop = c.stop_epoch or int(c.epochs[-1])
    series = {"training": c.metrics[f"train_{kind}"], "validation": c.metrics[f"val_{kind}"]}
    if smooth > 1:
        series["validation, moving average"] = moving_average(c.metrics[f"val_{kind}"], smooth)
    parts = []
    for name, values in series.items():
        for phase, keep in ((UNTIL, c.epochs <= stop), (AFTER, c.epochs >= stop)):
            if keep.sum() > 1 or (phase == UNTIL and keep.any()):
                parts.append(pd.DataFrame({"epoch": c.epochs[keep], "value": values[keep], "set": name, "phase": phase}))
    end = min(c.best_epoch + patience, int(c.epochs[-1]))
    marks = pd.DataFrame({
        "start": [c.best_epoch] * 2, "end": [end] * 2, "at": [c.best_epoch, stop], "what": ["best", "stop"],
        "row": [4, 28], "label": [f"best epoch {c.best_epoch} (restored)",
                  f"stop: {patience} epochs without improvement" if c.stop_epoch else "no stop"],
    })
    if c.stop_epoch is None:
        marks = marks.iloc[:1]
    return pd.concat(parts, ignore_index=True), marks


def sweep_frame(s: Sweep) -> pd.DataFrame:
    """width × {training, validation} accuracy."""
    return pd.DataFrame({
        "width": s.widths * 2, "net": s.labels * 2, "parameters": s.n_params * 2,
        "accuracy": s.train_acc + s.val_acc, "set": ["training"] * len(s.widths) + ["validation"] * len(s.widths),
    })


def memorization_frame(m: Memorization) -> pd.DataFrame:
    """epoch × {true, shuffled labels} × {training, validation} accuracy."""
    parts = [pd.DataFrame({"epoch": m.epochs, "accuracy": values, "labels": labels, "set": split})
             for values, labels, split in ((m.true_train, "true labels", "training"), (m.true_val, "true labels", "validation"),
                                           (m.shuffled_train, "shuffled labels", "training"),
                                           (m.shuffled_val, "shuffled labels", "validation"))]
    return pd.concat(parts, ignore_index=True)


def histogram_frame(runs: list[PenaltyRun]) -> pd.DataFrame:
    """Share of each run's weights per log₁₀|w| bin (exact zeros are left out: log₁₀ 0 = −∞)."""
    parts = []
    for r in runs:
        w = np.abs(r.weights)
        counts, _ = np.histogram(np.log10(np.clip(w[w > 0], 10.0 ** BINS[0], 1.0)), BINS)
        edges = np.append(BINS[:-1], BINS[-1])
        parts.append(pd.DataFrame({"log10 |w|": edges, "share": np.append(counts, counts[-1]) / w.size, "penalty": r.name}))
    return pd.concat(parts, ignore_index=True)


def runs_frame(runs: dict[str, dict[str, np.ndarray]], x: np.ndarray) -> pd.DataFrame:
    """{run: {set: values}} → long table x × run × set."""
    return pd.concat([pd.DataFrame({"x": x[:len(v)], "value": v, "run": run, "set": s})
                      for run, sets in runs.items() for s, v in sets.items()], ignore_index=True)


def boxes_frame(runs: list[DeepRun], step: int) -> pd.DataFrame:
    """Per run and hidden layer, the quantiles of the sigmoid's input at ``step``."""
    parts = []
    for r in runs:
        q = r.quantiles.get(step)
        if q is None:  # training diverged before this step
            continue
        df = pd.DataFrame(q, columns=["q01", "q25", "median", "q75", "q99"])
        df.insert(0, "layer", np.arange(1, len(q) + 1))
        df["run"] = "with batch norm" if r.batchnorm else "without batch norm"
        parts.append(df)
    columns = ["layer", "q01", "q25", "median", "q75", "q99", "run"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def stats_frame(batch: np.ndarray, running: np.ndarray, every: int = 2) -> pd.DataFrame:
    """step × {this minibatch, running estimate}, every ``every``-th step."""
    steps = np.arange(1, len(batch) + 1)[::every]
    return pd.concat([pd.DataFrame({"step": steps, "value": batch[::every], "series": "this minibatch"}),
                      pd.DataFrame({"step": steps, "value": running[::every], "series": "running estimate"})],
                     ignore_index=True)
