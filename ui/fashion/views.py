"""Views of the Fashion-MNIST page: model summary, results of a run, run history, replay of saved runs."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from core.trainer.data import CLASS_NAMES
from ui.charts import theme
from ui.charts.frozen import frozen
from ui.fashion import cached
from ui.fashion import charts as fc
from ui.urlstate import bound, set_from_code

FIRST_LOSS_HELP = (
    "The mean training loss over the first epoch. The lecture's loop printed 2.35 here because it fed raw pixel "
    "values 0–255: the first layer's sums are huge, the first steps overshoot and the network spends much of the "
    "epoch recovering (here, unscaled, 3.5–4.6 depending on the seed). With inputs scaled to [0, 1] the same "
    "network averages about 0.6. Try the switch under *Data and device*."
)


@dataclass
class RunRecord:
    """One finished run of this session (or one loaded for replay), everything the views draw."""

    name: str
    config: Any  # TrainConfig
    status: str
    message: str
    history: list[dict]
    batches: dict[str, list[float]]
    metrics: dict[str, Any]
    best_epoch: int | None = None
    restored_epoch: int | None = None
    val_confusions: list = field(default_factory=list)
    mistakes: list[dict] = field(default_factory=list)  # with "image" (28, 28) uint8
    folder: Path | None = None  # where the run is saved (for downloads and transfer learning)

    def row(self) -> dict[str, Any]:
        """One line of the run table."""
        c = self.config
        best_val = max((h["val_accuracy"] for h in self.history if h["val_accuracy"] == h["val_accuracy"]), default=None)
        return {
            "run": self.name, "status": self.status, "hidden": "-".join(map(str, c.hidden)) or "none",
            "activation": c.activation, "optimizer": f"{c.optimizer} η={c.lr:g}", "dropout": ",".join(f"{p:g}" for p in c.dropout) or "0",
            "batch norm": c.batch_norm, "L2": c.l2, "epochs": len(self.history), "best val acc": best_val,
            "test acc": self.metrics.get("test_accuracy"), "seconds": round(self.metrics.get("seconds", 0.0), 1),
        }  # fmt: skip


def summary_view(summary: Any) -> None:
    """The Lightning-style model summary: a table per layer and the totals."""
    df = pd.DataFrame(
        [{"#": r.name, "layer": r.kind, "output": f"(batch, {r.output_shape[0]})", "params": r.params,
          "trainable": r.trainable} for r in summary.rows]  # fmt: skip
    )
    c1, c2 = st.columns([3, 2])
    c1.dataframe(df, hide_index=True, width="stretch", height=min(36 * (len(df) + 1) + 4, 420))
    c2.metric("Trainable parameters", f"{summary.trainable:,}")
    c2.metric("Total parameters", f"{summary.total:,}", help="non-trainable: frozen layers")
    c2.metric("Estimated size", f"{summary.size_mb:.3f} MB", help="float32 parameters × 4 bytes")


def curves_of(run: RunRecord, upto: int | None = None, title: str = "Training progress") -> dict[str, Any]:
    """The lecture-style training plot of a run, optionally only up to epoch ``upto``."""
    hist = run.history if upto is None else run.history[:upto]
    batches = run.batches
    if upto is not None and batches.get("epoch"):
        keep = np.asarray(batches["epoch"]) <= upto + 1e-9
        batches = {k: list(np.asarray(v)[keep]) for k, v in batches.items() if len(v) == len(keep)}
    batches = _with_smoothing(batches)
    es = run.config.early_stopping
    best = run.best_epoch if (upto is None or (run.best_epoch or 0) <= upto) and es else None
    return fc.training_curves(batches, hist, n_epochs=run.config.epochs, best_epoch=best,
                              patience=run.config.patience if best else None,
                              restored_epoch=run.restored_epoch if upto is None else None, title=title)  # fmt: skip


def _stamp(run: RunRecord) -> str:
    """What tells two saved runs of the same name apart (a run folder written again)."""
    m = run.metrics
    return f"{len(run.history)}:{len(run.batches.get('epoch', []))}:{m.get('test_accuracy')}:{m.get('seconds')}"


@st.cache_data(show_spinner=False, max_entries=256)
def _replay_curves(name: str, upto: int, stamp: str, scale: str, _run: RunRecord) -> dict[str, Any]:
    """``curves_of`` a saved run up to an epoch, frozen: the replay's epoch slider and every rerun of the page hit it."""
    return frozen(curves_of(_run, upto=upto, title=f"{name}: up to epoch {upto}"))


def _with_smoothing(batches: dict[str, list[float]], window: int = 100) -> dict[str, list[float]]:
    """Add the moving averages to saved batch curves (saved runs keep only the raw values)."""
    if "smooth_loss" in batches or not batches.get("loss"):
        return batches
    out = dict(batches)
    for key in ("loss", "accuracy"):
        s = pd.Series(batches[key], dtype=float).rolling(window, min_periods=1).mean()
        out[f"smooth_{key}"] = s.tolist()
    return out


def results_view(run: RunRecord, key_prefix: str = "") -> None:
    """Test accuracy, confusion matrix, per-class accuracy and the most confident mistakes."""
    m = run.metrics
    c1, c2, c3, c4, c5 = st.columns(5)
    acc = m.get("test_accuracy")
    c1.metric("Test accuracy", "n/a" if acc is None else f"{acc:.4f}")
    c2.metric("Epochs run", len(run.history))
    c3.metric("Best epoch", run.best_epoch or "–", help="by the early-stopping monitor (validation)")
    c4.metric("Training time", f"{m.get('seconds', 0):.1f} s", help=m.get("device", ""))
    first = run.history[0]["train_loss"] if run.history else None
    c5.metric("Epoch-1 train loss", "–" if first is None else f"{first:.4f}", help=FIRST_LOSS_HELP)
    if run.status != "completed":
        (st.error if run.status == "diverged" else st.info)(f"**{run.status}**: {run.message}")
    if acc is None or m.get("confusion") is None:
        return
    c1, c2 = st.columns([3, 2])
    scale = theme.current_scale()
    c1.vega_lite_chart(cached.confusion(np.asarray(m["confusion"]), "Confusion matrix (test split)", scale),
                       width="stretch")
    c2.vega_lite_chart(cached.per_class(np.asarray(m["per_class_accuracy"]), acc, scale), width="stretch")
    if run.mistakes:
        st.subheader("The most confident mistakes")
        st.caption("Test images the network got wrong while being most sure of itself: what it said (how sure), "
                   "and what the image is.")
        shown = run.mistakes[:12]
        cols = st.columns(6)
        for i, mk in enumerate(shown):
            cols[i % 6].image(mk["image"], width=84, clamp=True,
                              caption=f"said {CLASS_NAMES[mk['pred']]} ({mk['confidence']:.0%}), is {CLASS_NAMES[mk['true']]}")  # fmt: skip
        pick = st.selectbox("Probabilities of mistake", range(len(shown)), key=f"{key_prefix}mistake",
                            format_func=lambda i: f"#{i + 1}: {CLASS_NAMES[shown[i]['pred']]} instead of {CLASS_NAMES[shown[i]['true']]}")  # fmt: skip
        mk = shown[pick]
        st.vega_lite_chart(cached.probabilities(np.asarray(mk["probs"]), mk["true"], mk["pred"], scale), width="stretch")


def history_view(runs: list[RunRecord]) -> None:
    """The session's runs: a table, overlaid curves, and downloads of the chosen run."""
    st.dataframe(pd.DataFrame([r.row() for r in runs]), hide_index=True, width="stretch")
    metric = bound(st.radio, "Overlay", ["val_accuracy", "val_loss", "train_accuracy", "train_loss"], key="overlay",
                   horizontal=True)  # fmt: skip
    st.altair_chart(fc.runs_overlay({r.name: r.history for r in runs}, metric), width="stretch")
    downloads(runs)


def downloads(runs: list[RunRecord]) -> None:
    """Download buttons for one run: weights (.pt), config + history + metrics (JSON), history (CSV)."""
    from core.trainer.runs import history_csv, json_safe

    saved = [r for r in runs if r.folder is not None and (r.folder / "model.pt").is_file()]
    if not saved:
        return
    name = st.selectbox("Download run", [r.name for r in saved], key="download_run")
    run = next(r for r in saved if r.name == name)
    c1, c2, c3 = st.columns(3)
    c1.download_button("Weights (.pt)", (run.folder / "model.pt").read_bytes(), f"{run.name}.pt",
                       "application/octet-stream", key="dl_pt")  # fmt: skip
    doc = {"config": run.config.to_dict(), "history": run.history, "metrics": run.metrics}
    c2.download_button("Config + history (.json)", json.dumps(json_safe(doc), indent=2), f"{run.name}.json",
                       "application/json", key="dl_json")  # fmt: skip
    c3.download_button("History (.csv)", history_csv(run.history), f"{run.name}.csv", "text/csv", key="dl_csv")


def record_of_saved(saved: Any, images: np.ndarray | None = None) -> RunRecord:
    """A RunRecord from a run loaded with core.trainer.runs.load_run; ``images`` (the data set) show its mistakes."""
    m = saved.metrics
    mistakes = []
    if images is not None and m.get("data", {}).get("images") == len(images):
        mistakes = [{**mk, "image": images[mk["index"]]} for mk in m.get("mistakes", [])[:12]]
    return RunRecord(saved.name, saved.config, m.get("status", "completed"), m.get("message", ""), saved.history,
                     saved.batches, m, m.get("best_epoch"), m.get("restored_epoch"), saved.val_confusions, mistakes,
                     None)  # fmt: skip


@st.cache_resource(show_spinner="Reading saved runs…", max_entries=4, ttl=60)
def _catalog(runs_folder: str) -> tuple[dict[str, Any], list[str]]:
    """The shipped lecture runs first (in LECTURE_RUNS order), then ``runs_folder``'s (the configured one, never
    a user's input). One shared, read-only object (``cache_resource``): as ``cache_data`` every rerun of the page
    unpickled every run's history, a tenth of the server's time with a class on the page."""
    from core.trainer.replays import LECTURE_RUNS, SHIPPED_DIR
    from core.trainer.runs import load_run, runs_in

    shipped = runs_in(SHIPPED_DIR)
    folders = {name: shipped[name] for name in LECTURE_RUNS if name in shipped}
    problems = []
    for name, folder in runs_in(runs_folder).items():
        if name in folders:
            problems.append(f"`{name}` in the runs folder has the name of a shipped lecture run: rename it to show it")
        else:
            folders[name] = folder
    runs = {}
    for name, folder in folders.items():
        try:
            runs[name] = load_run(folder)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            problems.append(f"`{name}`: {type(exc).__name__}: {without_paths(str(exc))}")
    return runs, problems


def without_paths(text: str) -> str:
    """``text`` with the server's own folders (app, home, temp, cache, data file) replaced by '…'."""
    import tempfile

    from core.trainer.download import NPZ_ENV, default_cache_dir
    from core.trainer.replays import APP_ROOT

    folders = {str(APP_ROOT), str(Path.home()), tempfile.gettempdir(), str(default_cache_dir()),
               os.environ.get(NPZ_ENV, ""), os.path.realpath(tempfile.gettempdir())}  # fmt: skip
    for folder in sorted((f for f in folders if len(f) > 1), key=len, reverse=True):
        text = text.replace(folder, "…")
    return text


@st.cache_data(show_spinner=False, max_entries=4, ttl=60)
def lecture_table(runs_folder: str, _runs: dict[str, Any]) -> None:
    """The shipped lecture runs: the lecture's best validation accuracy beside ours, and our test accuracy. Cached
    with its element, per catalog (``_runs`` is ``_catalog(runs_folder)``'s, as fresh): a rerun replays the table."""
    runs = _runs
    rows = []
    for name, run in runs.items():
        about = run.metrics.get("replay")
        if not about:
            continue
        val = [h["val_accuracy"] for h in run.history if h["val_accuracy"] == h["val_accuracy"]]
        lecture = about.get("lecture_max_val_accuracy")
        rows.append({"run": name, "lecture: max val acc": "–" if lecture is None else f"{lecture:.4f}",
                     "ours: max val acc": f"{max(val):.4f}" if val else "–",
                     "ours: test acc": f"{run.metrics['test_accuracy']:.4f}" if run.metrics.get("test_accuracy") else "–",
                     "epochs": len(run.history), "what": about.get("title", "")})  # fmt: skip
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def replay_view(images: np.ndarray | None = None) -> RunRecord | None:
    """Pick a saved run by name (the shipped lecture runs first) and scrub through its epochs (no training)."""
    from core.trainer.replays import runs_dir

    folder = str(runs_dir())
    runs, problems = _catalog(folder)
    for p in problems:
        st.warning(f"Skipped {p}")
    lecture_table(folder, runs)
    if not runs:
        st.info("No saved runs on this server. Prepare some with `python -m core.trainer --preset lecture "
                "--epochs 15 --save runs/lecture` (the page lists the app's `runs/` folder, or `FASHION_RUNS_DIR`).")  # fmt: skip
        return None
    names = list(runs)
    def to_last_epoch() -> None:  # another run opens at its end, not at the old run's epoch
        set_from_code("replay_epoch", max(1, len(runs[st.session_state["replay_run"]].history)))

    name = bound(st.selectbox, "Saved run", names, key="replay_run", on_change=to_last_epoch,
                 help="the lecture's runs ship with the app; runs saved with the CLI's `--save runs/NAME` follow")  # fmt: skip
    run = record_of_saved(runs[name], images)
    n = len(run.history)
    if n == 0:
        st.warning("This run has no finished epoch.")
        return None
    epoch = bound(st.slider, "Epoch", 1, max(n, 2), n, key="replay_epoch", disabled=n < 2) if n > 1 else 1
    epoch = min(epoch, n)
    row = run.history[epoch - 1]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("train loss", f"{row['train_loss']:.4f}")
    c2.metric("train accuracy", f"{row['train_accuracy']:.4f}")
    c3.metric("val loss", f"{row['val_loss']:.4f}")
    c4.metric("val accuracy", f"{row['val_accuracy']:.4f}")
    c1, c2 = st.columns(2)  # the 10 × 10 matrix needs half the width: at 2/5 its counts overran the cells at 1280 px
    c1.vega_lite_chart(_replay_curves(run.name, epoch, _stamp(run), theme.current_scale(), run), width="stretch")
    if len(run.val_confusions) >= epoch:
        c2.vega_lite_chart(cached.confusion(np.asarray(run.val_confusions[epoch - 1]), f"Validation confusion, epoch {epoch}",
                                           theme.current_scale()), width="stretch")  # fmt: skip
    acc = run.metrics.get("test_accuracy")
    st.caption(f"{run.message} · test accuracy after the run: {acc:.4f}" if acc is not None else run.message)
    about = run.metrics.get("replay")
    if about:
        st.caption(f"Shipped with the app, trained with `{about['command']}`"
                   + (f"; the lecture's plot ({about['lecture_figure']}) shows Max Val Acc "
                      f"{about['lecture_max_val_accuracy']:.4f}" if about.get("lecture_max_val_accuracy") else "") + ".")  # fmt: skip
    results = st.expander("Test results of this run", key="replay_results", on_change="rerun")
    if results.open:  # drawn only when opened: its twelve images and three charts cost every rerun otherwise
        with results:
            results_view(run, key_prefix="replay_")
    return run
