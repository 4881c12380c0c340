"""Scenes on Fashion-MNIST: the images (#19), the lecture's training curves replayed (#21, #23), a confusion matrix.

The curves and matrices come from the runs shipped in ``replays/`` (read with ``core.trainer.runs.load_run``) and
are drawn by the Fashion-MNIST page's own builders; the lecture's printed numbers stand beside ours.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from core.trainer.data import CLASS_NAMES, cache_status, load_fashion_mnist, sample_gallery
from core.trainer.download import NPZ_ENV
from ui.charts import theme
from ui.fashion import charts as fc
from ui.fashion.views import curves_of, record_of_saved
from ui.lecture.controls import Controls
from ui.lecture.figure import Figure
from ui.lecture.style import FIGURE_PX, lecture_spec
from ui.playground.images import png_url

RUN_LABELS = {"lecture": "the lecture's model", "new-model": "the 'New model'", "best": "our best MLP"}
GALLERY_COLUMNS, IMAGE_PX, UPSCALE = 5, 160, 6  # 2 rows of 5; each 28×28 image drawn 160 px wide, upscaled ×5 sharp


@st.cache_resource(show_spinner="Reading Fashion-MNIST…", max_entries=2)
def _data(source: str, configured: str):
    """The data set if it is on this server (never downloaded from a lecture scene); None otherwise.
    ``source``: ``cache_status()``; ``configured``: $FASHION_MNIST_NPZ (keys the cache only, never shown)."""
    if source == "missing":
        return None
    try:
        return load_fashion_mnist()
    except (OSError, ValueError, KeyError):
        return None


@st.cache_data(show_spinner=False, max_entries=16)
def _gallery(source: str, configured: str, seed: int) -> list[tuple[str, str]] | None:
    """(PNG data URL, class name) of one random image per class, or None without the data."""
    data = _data(source, configured)
    if data is None:
        return None
    out = []
    for image, label in sample_gallery(data, per_class=1, seed=seed):
        big = np.kron(255 - image, np.ones((UPSCALE, UPSCALE), dtype=np.uint8))  # dark garment on white, sharp pixels
        out.append((png_url(np.repeat(big[:, :, None], 3, axis=2)), CLASS_NAMES[label]))
    return out


def gallery_spec(items: list[tuple[str | None, str]], title: str, subtitle: str) -> dict[str, Any]:
    """Images in a 5-wide grid, each with its class name under it (an empty box where an image is missing)."""
    df = pd.DataFrame({"col": [i % GALLERY_COLUMNS for i in range(len(items))],
                       "row": [i // GALLERY_COLUMNS for i in range(len(items))],
                       "url": [u or "" for u, _ in items], "name": [n for _, n in items]})
    rows = int(df["row"].max()) + 1
    x = {"field": "col", "type": "quantitative", "axis": None, "scale": {"domain": [-0.5, GALLERY_COLUMNS - 0.5]}}
    # rows top to bottom, each image's centre at its row number; room below the last one for its name
    y = {"field": "row", "type": "quantitative", "axis": None, "scale": {"domain": [rows - 0.35, -0.45]}}
    return {
        "title": {"text": title, "subtitle": subtitle}, "view": {"stroke": None},
        "data": {"name": "gallery"},
        "layer": [
            {"mark": {"type": "square", "size": IMAGE_PX ** 2, "filled": True, "color": "#f2f2f2",
                      "stroke": "#bdbdbd"}, "encoding": {"x": x, "y": y}},
            {"mark": {"type": "image", "width": IMAGE_PX, "height": IMAGE_PX},
             "encoding": {"x": x, "y": y, "url": {"field": "url", "type": "nominal"}}},
            {"mark": {"type": "text", "baseline": "top", "dy": IMAGE_PX / 2 + 6, "fontWeight": "bold"},
             "encoding": {"x": x, "y": y, "text": {"field": "name", "type": "nominal"}}},
        ],
        "datasets": {"gallery": df},
    }


def images(c: Controls) -> Figure:
    """#19: one random Fashion-MNIST image per class with its class name (from the data on this server)."""
    seed = c.slider("Draw", 0, 20, 0, key="seed")
    items = _gallery(cache_status(), os.environ.get(NPZ_ENV, ""), seed)
    if items is None:  # no data on this server: the ten classes, and where to get the images
        title = "Fashion-MNIST: 10 classes of clothing (the images are not on this server)"
        figure = gallery_spec([(None, n) for n in CLASS_NAMES], title,
                              "Open the Fashion-MNIST page to download the 70,000 images, then come back.")
        return Figure(title, vega=lecture_spec(figure, FIGURE_PX),
                      note="Fashion-MNIST is not on this server yet, so the boxes are empty.")
    title = "Fashion-MNIST: one random image of each class (28 × 28 pixels, 70,000 images)"
    figure = gallery_spec(items, title, "What the network sees: 784 grey values per image, one of 10 labels.")
    return Figure(title, vega=lecture_spec(figure, FIGURE_PX))


@st.cache_resource(show_spinner="Reading the shipped runs…", max_entries=4)
def _runs() -> dict[str, Any]:
    """The lecture's shipped runs by name (replays/), as the Fashion-MNIST page's replay reads them."""
    from core.trainer.replays import LECTURE_RUNS, SHIPPED_DIR
    from core.trainer.runs import load_run, runs_in

    shipped = runs_in(SHIPPED_DIR)
    return {name: load_run(shipped[name]) for name in LECTURE_RUNS if name in shipped}


def _run(name: str):
    runs = _runs()
    if name not in runs:
        raise ValueError(f"the shipped run '{name}' is missing from this installation")
    return record_of_saved(runs[name])


def _max_val(run) -> float:
    return max(h["val_accuracy"] for h in run.history if h["val_accuracy"] == h["val_accuracy"])


@st.cache_data(show_spinner=False, max_entries=32)
def _curves_spec(name: str, upto: int) -> dict[str, Any]:
    run = _run(name)
    title = f"{RUN_LABELS.get(name, name)}: epoch {upto} of {len(run.history)}"
    return curves_of(run, upto=upto, title=title)


def for_projector(spec: dict, lecture: float | None) -> dict:
    """The page's training plot on a wide screen: its key on one line, the legend in one row, and the lecture's
    'Max Val Acc' as a black dotted rule, explained under the key (a label in the plot would cover the curves)."""
    title = spec["title"]
    key = title.get("subtitle") or []
    lines = [" · ".join([key] if isinstance(key, str) else key)]
    for layer in spec["layer"]:
        for channel in layer.get("encoding", {}).values():
            if isinstance(channel, dict) and isinstance(channel.get("legend"), dict):
                channel["legend"].pop("columns", None)
    if lecture is not None:
        spec["layer"] = [*spec["layer"],
                         {"data": {"values": [{"value": lecture}]},
                          "mark": {"type": "rule", "color": theme.BLACK, "strokeDash": [2, 3], "strokeWidth": 2.5},
                          "encoding": {"y": {"field": "value", "type": "quantitative"}}}]
        lines.append(f"black dotted line: the lecture's max val acc {lecture:.4f}")
    spec["title"] = {**title, "subtitle": lines}
    return spec


def curves_scene(default: str):
    """A scene of one shipped run's training curves (the lecture's plot), scrubbed by epoch; the lecture's number beside."""
    def scene(c: Controls) -> Figure:
        names = list(RUN_LABELS)
        name = c.selectbox("Run", names, index=names.index(default), key="run", page_key="replay_run",
                       format_func=RUN_LABELS.get)
        run = _run(name)
        n = len(run.history)
        upto = c.slider("Up to epoch", 1, n, n, key="epoch", page_key="replay_epoch")
        upto = min(upto, n)
        about = run.metrics.get("replay", {})
        lecture = about.get("lecture_max_val_accuracy")
        spec = for_projector(_curves_spec(name, upto), lecture)
        ours = f"ours {_max_val(run):.4f} (test {run.metrics['test_accuracy']:.4f})" if run.metrics.get("test_accuracy") \
            else f"ours {_max_val(run):.4f}"
        said = f"lecture {lecture:.4f}, " if lecture is not None else "not in the lecture; "
        note = f"Max validation accuracy over {n} epochs: {said}{ours}. Trained with `{about.get('command', '')}`."
        return Figure(spec["title"]["text"], vega=lecture_spec(spec, FIGURE_PX), note=note)
    scene.__doc__ = f"#21/#23: the shipped run '{default}' replayed, the lecture's Max Val Acc beside ours."
    return scene


model_selection = curves_scene("lecture")
new_model = curves_scene("new-model")


def _most_confused(C: np.ndarray) -> tuple[int, int, int]:
    off = C.copy()
    np.fill_diagonal(off, 0)
    i, j = np.unravel_index(int(off.argmax()), off.shape)
    return int(i), int(j), int(off[i, j])


@st.cache_data(show_spinner=False, max_entries=8)
def _confusion_spec(name: str) -> tuple[dict[str, Any], np.ndarray]:
    run = _run(name)
    C = np.asarray(run.metrics["confusion"])
    spec = fc.confusion_heatmap(C, CLASS_NAMES).to_dict()
    return spec, C


def confusion(c: Controls) -> Figure:
    """Extra: the test confusion matrix of a shipped run; the pair of classes it mixes up most."""
    names = list(RUN_LABELS)
    name = c.selectbox("Run", names, index=names.index("best"), key="run", page_key="replay_run",
                   format_func=RUN_LABELS.get)
    spec, C = _confusion_spec(name)
    acc = np.trace(C) / C.sum()
    title = f"Confusion matrix of {RUN_LABELS[name]} on {int(C.sum()):,} test images: accuracy {acc:.1%}"
    spec["title"] = {"text": title}
    for axis in ("x", "y"):  # every class name, upright: each column is wider than its name at 20 px
        for layer in spec.get("layer", []):
            enc = layer.get("encoding", {}).get(axis)
            if isinstance(enc, dict):
                enc["axis"] = {"labelAngle": 0, "labelLimit": 240, "labelOverlap": False, "labelFlush": False}
    i, j, k = _most_confused(C)
    note = (f"Most often mixed up: **{CLASS_NAMES[i]}** taken for **{CLASS_NAMES[j]}** ({k} of "
            f"{int(C[i].sum())} test images).")
    return Figure(title, vega=lecture_spec(spec, FIGURE_PX), note=note)
