"""Scenes from the playground's presets: why layers (every unit's picture over the plane) and L1 pruning inputs.

A preset's run is replayed by the playground's own lesson code (``core.lessons.playground.session.replay``) and
drawn by the playground page's builders (``ui.playground.views.build_frame``): the network of unit pictures
beside the output plane. Only the sizes change for the projector.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pyarrow as pa
import streamlit as st

from core.lessons.playground.points import format_points
from core.lessons.playground.presets import PRESETS
from core.lessons.playground.session import PlayConfig, replay
from ui.lecture.controls import Controls
from ui.lecture.figure import Figure
from ui.lecture.style import FIGURE_PX, lecture_spec
from ui.playground.views import build_frame

LAYER_PRESETS = ("xor_linear", "xor_hidden", "spiral_shallow", "spiral_deep")
STEP_CHOICES = [0, 100, 300, 1000, 3000]
REGULARIZERS = ["none", "L1", "L2"]
REG_RATES = [0.003, 0.01, 0.03, 0.1]
PLANE_PX = FIGURE_PX - 160  # the output plane's side (in the browser, the title and its x axis take the rest)
NETWORK_PX = FIGURE_PX - 70  # the network's height: it has no x axis
NETWORK_WIDTH = 1100 - PLANE_PX - 60  # the network takes what the plane and its axes leave of a 1280-px screen


@st.cache_data(show_spinner="Training the preset's network…", max_entries=32)
def _frame(cfg: PlayConfig, steps: int):
    run = replay(cfg, steps)
    h = run.history
    return build_frame(run, False, False), run.epoch, h.train[-1], h.test[-1], [list(map(abs, W.ravel())) for W in run.net.W]


def _frames(spec: dict) -> dict:
    """The playground ships data sets as Arrow bytes; the lecture's exports need tables."""
    spec["datasets"] = {k: pa.ipc.open_stream(v).read_pandas() if isinstance(v, bytes) else v
                        for k, v in spec.get("datasets", {}).items()}
    return spec


def _copy(spec: dict) -> dict:
    """A copy to change (the cached spec stays as it is); its data sets are shared, not copied."""
    return copy.deepcopy({k: v for k, v in spec.items() if k != "datasets"}) | {"datasets": spec.get("datasets", {})}


def _big_network(spec: dict) -> dict:
    """The network picture with unit pictures as large as its height allows (the page draws 50 px)."""
    out = _frames(_copy(spec))
    rows = int(out["datasets"]["nodes"]["col"].value_counts().max())  # units in the widest layer
    node = int(min(96, 0.92 * NETWORK_PX / (rows + 0.95)))  # network_spec's y domain spans rows + 0.95 rows
    for layer in out["layer"]:
        mark = layer["mark"]
        if mark["type"] == "image":
            mark.update(width=node, height=node)
        elif mark["type"] == "square":
            mark["size"] = node ** 2
        elif mark["type"] == "text" and "dx" in mark:
            mark["dx"] = -node / 2 - 8
    out["width"], out["height"] = NETWORK_WIDTH, NETWORK_PX
    return out


def figure_spec(frame, title: str) -> dict[str, Any]:
    """Network of unit pictures (left) and the output plane with the training points (right), one figure."""
    network = _big_network(frame.network)
    plane = _frames(_copy(frame.plane))
    plane["width"], plane["height"] = PLANE_PX, PLANE_PX
    for layer in plane["layer"]:  # the points' colours are the plane's: no legend above it to push the figure down
        fill = layer.get("encoding", {}).get("fill")
        if isinstance(fill, dict):
            fill["legend"] = None
    datasets = {**network.pop("datasets"), **plane.pop("datasets")}
    config = plane.pop("config", {})
    network.pop("config", None)
    for part in (network, plane):
        part.pop("$schema", None)
    return {"title": {"text": title}, "hconcat": [network, plane], "datasets": datasets, "config": config,
            "resolve": {"scale": {"color": "independent"}}, "spacing": 20}


def page_params(cfg: PlayConfig, steps: int) -> dict[str, Any]:
    """The playground page's URL parameters for ``cfg`` at ``steps`` (the keys its preset buttons write)."""
    values = {"problem": cfg.problem, "data": cfg.dataset, "k": cfg.classes, "noise": int(round(cfg.noise * 100)),
              "train": int(round(cfg.train_share * 100)), "seed": cfg.seed, "feat": list(cfg.features),
              "layers": len(cfg.hidden), "act": cfg.activation, "loss": cfg.loss, "opt": cfg.optimizer, "lr": cfg.lr,
              "sched": cfg.schedule, "init": cfg.init, "batch": cfg.batch_size, "reg": cfg.regularizer,
              "rate": cfg.reg_rate, "step": steps}
    if cfg.points:
        values["pts"] = format_points(cfg.points)
    values.update({f"u{i + 1}": units for i, units in enumerate(cfg.hidden)})
    return values


def _scene_figure(c: Controls, cfg: PlayConfig, steps: int, title: str, note: str = "") -> Figure:
    c.page(**page_params(cfg, steps))
    frame, epoch, train, test, _ = _frame(cfg, steps)
    full = f"{title}: {steps} batches (epoch {epoch:.0f}), training loss {train:.3f}, test loss {test:.3f}"
    return Figure(full, vega=lecture_spec(figure_spec(frame, full)), note=note)


def why_layers(c: Controls) -> Figure:
    """Extra (why layers?): every unit's output over the plane in the playground's story presets."""
    key = c.selectbox("Preset", list(LAYER_PRESETS), index=3, key="preset", format_func=lambda k: PRESETS[k].title)
    steps = c.select_slider("Batches trained", STEP_CHOICES, value=3000, key="steps")
    preset = PRESETS[key]
    return _scene_figure(c, preset.config, steps, preset.title, preset.story)


def l1_prunes(c: Controls) -> Figure:
    """Extra (regularization): a single unit fed every feature, with no penalty, L1 or L2; L1 silences the useless ones."""
    preset = PRESETS["l1_prunes"]
    reg = c.radio("Penalty", REGULARIZERS, index=1, key="reg")
    rate = c.select_slider("Rate λ", REG_RATES, value=preset.config.reg_rate, key="rate")
    cfg = replace(preset.config, regularizer=reg, reg_rate=rate if reg != "none" else 0.0)
    figure = _scene_figure(c, cfg, preset.steps, f"Circle with all 7 features, {reg}" + (f" λ = {rate:g}" if reg != "none" else ""))
    *_, weights = _frame(cfg, preset.steps)
    names = cfg.features
    kept = [n for n, w in zip(names, weights[0]) if w >= 0.05]
    note = f"Input weights with |w| ≥ 0.05: {', '.join(kept) if kept else 'none'} ({len(kept)} of {len(names)})."
    return Figure(figure.title, vega=figure.vega, note=note)
