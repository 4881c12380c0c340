"""The live part of the playground: the run at the URL's step, the network of unit pictures, the plane, the curves.

``live_view`` runs inside ``st.fragment(run_every=…)`` while playing: each tick trains a few batches through the
engine's Trainer and redraws only this part. The browser drives the ticks, so a paused, left or closed page
costs the server nothing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import weakref

import numpy as np
import streamlit as st

from core.lessons.playground.data import PROBLEMS
from core.lessons.playground.pictures import layer_space, two_unit_layers, unit_pictures
from core.lessons.playground.session import PlayConfig, PlayRun
from ui.playground import charts as pc
from ui.playground.controls import FULL_RERUN, RUN_KEY, add_clicked_point
from ui.playground.images import class_unit_url, diverging_rgb, output_pixels, png_url

STOP_KEY = "_pg_stop_playing"
RESOLUTION = 48  # output picture; unit pictures use every second pixel (24 × 24)
FRAME_S = 0.15  # seconds between the playing fragment's reruns: at most ~6.7 frames/s (the goal is ≥ 5)


def current_run(cfg: PlayConfig, step: int) -> PlayRun:
    """This session's run of ``cfg`` at ``step``: continued if it is behind, replayed from the seed if it is ahead."""
    run = st.session_state.get(RUN_KEY)
    if run is None or run.config != cfg or run.step > step:
        run = PlayRun(cfg)
        st.session_state[RUN_KEY] = run
    if run.step < step:
        run.advance(step - run.step)
    return run


@functools.lru_cache(maxsize=64)
def edge_names(sizes: tuple[int, ...]) -> list[str]:
    """'w{i},{j} of W{l}' for every weight, layer by layer (fixed for a network shape)."""
    return [f"w{a + 1},{b + 1} of W{l + 1}" for l in range(len(sizes) - 1)
            for a in range(sizes[l]) for b in range(sizes[l + 1])]


def network_frames(run: PlayRun, pics, out_url: str) -> tuple[dict, dict, dict, int, int]:
    """(nodes, edges, headers, rows, columns) of the network picture: column 0 the features, then each layer."""
    cfg, net = run.config, run.net
    sizes = net.layer_sizes
    last = len(sizes) - 1
    y_of = [(s - 1) / 2 - np.arange(s) for s in sizes]  # row of each unit, centred
    small = (slice(None), slice(None, None, 2), slice(None, None, 2))
    scale = np.abs(pics.inputs).max(axis=(1, 2))
    scale[scale == 0] = 1.0
    # every feature and hidden unit coloured in one pass: (units, r/2, r/2, 3)
    maps = [pics.inputs[small] / scale[:, None, None]] + [H[small] for H in pics.hidden]
    colours = diverging_rgb(np.concatenate(maps))
    urls = [png_url(C) for C in colours]
    if sizes[last] > 1:  # one picture per class for softmax outputs, the output map otherwise
        urls += [class_unit_url(pics.output[small][j], j) for j in range(sizes[last])]
    else:
        urls.append(out_url)
    names = list(cfg.features) + [f"output {j + 1}" if c == last else f"layer {c}, unit {j + 1}"
                                  for c in range(1, last + 1) for j in range(sizes[c])]
    biases = np.r_[np.full(sizes[0], np.nan), np.concatenate(net.b)] if last else np.full(sizes[0], np.nan)
    nodes = {"col": np.repeat(np.arange(len(sizes)), sizes), "row": np.concatenate(y_of), "url": urls,
             "unit": names, "bias": biases}
    parts = {"x": [], "y": [], "x2": [], "y2": [], "w": []}
    for l, W in enumerate(net.W):  # W (sizes[l], sizes[l+1])
        i, j = np.meshgrid(np.arange(W.shape[0]), np.arange(W.shape[1]), indexing="ij")
        parts["x"].append(np.full(W.size, l))
        parts["x2"].append(np.full(W.size, l + 1))
        parts["y"].append(y_of[l][i.ravel()])
        parts["y2"].append(y_of[l + 1][j.ravel()])
        parts["w"].append(W.ravel())
    edges = {k: np.concatenate(v) for k, v in parts.items()}
    edges["edge"] = edge_names(tuple(sizes))
    edges["w_abs"] = np.abs(edges["w"])
    headers = {"col": np.arange(len(sizes)),
               "text": ["features"] + [f"layer {c}: {sizes[c]}" for c in range(1, last)] + ["output"]}
    return nodes, edges, headers, max(sizes), len(sizes)


_POINTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # run -> {show_test: Arrow bytes}; points never move


def points_table(run: PlayRun, show_test: bool) -> bytes:
    """Training points (the added ones marked) and, when asked for, the test points: x, y, label, set (as Arrow)."""
    cache = _POINTS.setdefault(run, {})
    if show_test not in cache:
        d, n_added = run.data, len(run.config.points)
        sets = ["train"] * (len(d.X_train) - n_added) + ["added"] * n_added + (["test"] * len(d.X_test) if show_test else [])
        X = np.r_[d.X_train, d.X_test] if show_test else d.X_train
        y = np.r_[d.y_train, d.y_test] if show_test else d.y_train
        label = y.astype(int).astype(str) if PROBLEMS[run.config.problem].classes else y
        cache[show_test] = pc.arrow({"x": X[:, 0], "y": X[:, 1], "label": label, "set": sets})
    return cache[show_test]


MAX_CURVE_POINTS = 400


def history_frames(run: PlayRun) -> tuple[dict, dict, list[str]]:
    """(loss: epoch, loss, set), (norms: epoch, layer, norm), the layer names; long runs thinned to ≤ 400 records."""
    h = run.history
    keep = np.unique(np.linspace(0, len(h.epochs) - 1, min(len(h.epochs), MAX_CURVE_POINTS)).astype(int))
    epochs = np.asarray(h.epochs)[keep]
    train, test = np.asarray(h.train)[keep], np.asarray(h.test)[keep]
    ok_train, ok_test = np.isfinite(train), np.isfinite(test)
    loss = {"epoch": np.r_[epochs[ok_train], epochs[ok_test]], "loss": np.r_[train[ok_train], test[ok_test]],
            "set": ["train"] * int(ok_train.sum()) + ["test"] * int(ok_test.sum())}
    n_layers = run.net.n_layers
    names = [f"W{l + 1}" for l in range(n_layers)]
    G = np.asarray(h.grad_norms)[keep]  # (records, layers)
    ok = np.isfinite(G) & (G > 0)
    norms = {"epoch": np.repeat(epochs, n_layers)[ok.ravel()], "layer": np.tile(names, len(epochs))[ok.ravel()],
             "norm": G.ravel()[ok.ravel()]}
    return loss, norms, names


def layer_space_frames(run: PlayRun, layer: int) -> tuple[dict, dict]:
    """Grid lines (line, t, a1, a2, family) and training points (a1, a2, label) in a 2-unit layer's coordinates."""
    space = layer_space(run.net, run.config.features, run.data.X_train, layer, n_pts=40)
    m, p, _ = space.lines.shape
    family = np.repeat(np.where(np.arange(m) < m // 2, "x₁ = const", "x₂ = const"), p)
    lines = {"line": np.repeat(np.arange(m), p), "t": np.tile(np.arange(p), m),
             "a1": space.lines[:, :, 0].ravel(), "a2": space.lines[:, :, 1].ravel(), "family": family}
    label = run.data.y_train
    points = {"a1": space.points[:, 0], "a2": space.points[:, 1],
              "label": label.astype(int).astype(str) if PROBLEMS[run.config.problem].classes else label}
    return lines, points


def _classes(cfg: PlayConfig) -> int:
    return PROBLEMS[cfg.problem].n_classes(cfg.classes)


@dataclass(frozen=True)
class Frame:
    """What one update draws: the network, the plane, the curves and (if any 2-unit layer) the layer space."""

    network: dict
    plane: dict
    loss: dict
    norms: dict
    space: dict | None
    space_layer: int


def build_frame(run: PlayRun, show_test: bool, discrete: bool) -> Frame:
    """Every picture and chart spec of the run's current weights (the server's work per update, besides training)."""
    cfg = run.config
    pics = unit_pictures(run.net, cfg.features, RESOLUTION)
    output = PROBLEMS[cfg.problem].output
    out_url = png_url(output_pixels(pics.output, output, discrete))
    small_out = png_url(output_pixels(pics.output[:, ::2, ::2], output, discrete))
    network = pc.network_spec(*network_frames(run, pics, small_out))
    plane = pc.plane_spec(out_url, points_table(run, show_test), _classes(cfg))
    loss, norms, names = history_frames(run)
    layers = two_unit_layers(run.net)
    space = None
    if layers:
        lines, pts = layer_space_frames(run, layers[-1])
        space = pc.layer_space_spec(lines, pts, _classes(cfg), layers[-1])
    return Frame(network, plane, pc.loss_spec(loss), pc.grad_norm_spec(norms, names), space, layers[-1] if layers else 0)


STATUS_STYLE = ("<style>.pg-status{display:flex;gap:2.2rem;flex-wrap:wrap;margin-bottom:.2rem}"
                ".pg-status span{display:block;font-size:.95rem;opacity:.75}"
                ".pg-status b{display:block;font-size:2.1rem;font-weight:400;line-height:1.2}</style>")


def status(run: PlayRun) -> str:
    """Step, epoch, training and test loss as one HTML element (one message a frame instead of eight)."""
    h = run.history
    items = [("Step", f"{run.step:,}", "Batches trained so far."),
             ("Epoch", f"{run.epoch:.1f}", f"Passes over the training set ({run.steps_per_epoch} batches each)."),
             ("Training loss", f"{h.train[-1]:.3f}", "Loss on all training points, without the penalty."),
             ("Test loss", f"{h.test[-1]:.3f}", "Loss on the test points.")]
    cells = "".join(f'<div class="pg-metric" title="{tip}"><span>{label}</span><b>{value}</b></div>'
                    for label, value, tip in items)
    return f'{STATUS_STYLE}<div class="pg-status">{cells}</div>'


def live_view(cfg: PlayConfig, playing: bool, speed: int, show_test: bool, discrete: bool, step: int) -> None:
    """One frame: while playing, ``speed`` more batches on this session's run; paused, the run at ``step`` (the link's).

    While playing, the server's run is the truth: the frame neither reads nor writes the step box, so a browser
    that lags a few frames behind cannot send an old step back and make the run replay from the start.
    """
    run = st.session_state.get(RUN_KEY)
    if not playing or run is None or run.config != cfg:
        run = current_run(cfg, step)
    if playing:
        run.advance(speed)
        if run.diverged:
            st.session_state[STOP_KEY] = True
    hand_over = st.session_state.pop(FULL_RERUN, False) or st.session_state.get(STOP_KEY, False)
    if hand_over and playing:
        st.rerun(scope="app")  # a click changed the data, or training diverged: the whole page takes over
    frame = build_frame(run, show_test, discrete)
    left, right = st.columns([1.3, 1])
    with left:
        st.html(status(run))
        st.vega_lite_chart(frame.network, width="stretch")
    with right:
        st.vega_lite_chart(frame.plane, width="content", key=pc.PICK_KEY, on_select=add_clicked_point,
                           selection_mode="pick")
    if run.diverged:
        st.error(f"Training diverged at step {run.step}: the loss or a gradient is no longer finite. "
                 "Lower the learning rate and press Reset.", icon=":material/warning:")
    c1, c2, c3 = st.columns(3)
    c1.vega_lite_chart(frame.loss, width="stretch")
    c2.vega_lite_chart(frame.norms, width="stretch")
    with c3:
        if frame.space is not None:
            st.vega_lite_chart(frame.space, width="stretch")
        else:
            st.info("Layer space: give a hidden layer exactly 2 units to see the plane warped into its coordinates.",
                    icon=":material/grid_on:")
