"""The live part of the playground: the run at the URL's step, the network of unit pictures, the plane, the curves.

``live_view`` runs inside ``st.fragment(run_every=…)`` while playing: each tick trains a few batches through the
engine's Trainer and redraws only this part. The browser drives the ticks, so a paused, left or closed page
costs the server nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core.lessons.playground.data import PROBLEMS
from core.lessons.playground.pictures import layer_space, two_unit_layers, unit_pictures
from core.lessons.playground.session import PlayConfig, PlayRun
from ui.playground import charts as pc
from ui.playground.controls import FULL_RERUN, STEP_KEY, add_clicked_point, step_input
from ui.playground.images import output_pixels, png_url, unit_url
from ui.urlstate import set_from_code

RUN_KEY = "_pg_run"
STOP_KEY = "_pg_stop_playing"
RESOLUTION = 64  # output picture; unit pictures use every second pixel


def current_run(cfg: PlayConfig, step: int) -> PlayRun:
    """This session's run of ``cfg`` at ``step``: continued if it is behind, replayed from the seed if it is ahead."""
    run = st.session_state.get(RUN_KEY)
    if run is None or run.config != cfg or run.step > step:
        run = PlayRun(cfg)
        st.session_state[RUN_KEY] = run
    if run.step < step:
        run.advance(step - run.step)
    return run


def _unit_name(layer: int, j: int, n_layers: int) -> str:
    return f"output {j + 1}" if layer == n_layers else f"layer {layer}, unit {j + 1}"


def network_frames(run: PlayRun, pics, out_url: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int, int]:
    """(nodes, edges, headers, rows, columns) of the network picture: column 0 the features, then each layer."""
    cfg, net = run.config, run.net
    sizes = net.layer_sizes
    rows = max(sizes)
    nodes, edges, headers = [], [], []
    y_of = [[(sizes[c] - 1) / 2 - j for j in range(sizes[c])] for c in range(len(sizes))]
    small = (slice(None, None, 2), slice(None, None, 2))
    for c, size in enumerate(sizes):
        for j in range(size):
            if c == 0:
                V = pics.inputs[j]
                url, name, bias = unit_url(V[small], float(np.max(np.abs(V))) or 1.0), cfg.features[j], np.nan
            elif c == len(sizes) - 1:
                url, name, bias = out_url, _unit_name(c, j, net.n_layers), float(net.b[c - 1][j])
            else:
                url, name, bias = unit_url(pics.hidden[c - 1][j][small]), _unit_name(c, j, net.n_layers), float(net.b[c - 1][j])
            nodes.append({"col": c, "row": y_of[c][j], "url": url, "unit": name, "bias": bias})
        label = "features" if c == 0 else ("output" if c == len(sizes) - 1 else f"layer {c}: {size}")
        headers.append({"col": c, "text": label})
    for l, W in enumerate(net.W):  # W (sizes[l], sizes[l+1])
        i, j = np.meshgrid(np.arange(W.shape[0]), np.arange(W.shape[1]), indexing="ij")
        for a, b_, w in zip(i.ravel(), j.ravel(), W.ravel()):
            edges.append({"x": l, "y": y_of[l][a], "x2": l + 1, "y2": y_of[l + 1][b_], "w": float(w),
                          "w_abs": abs(float(w)), "edge": f"w{a + 1}{b_ + 1} of layer {l + 1}"})
    return pd.DataFrame(nodes), pd.DataFrame(edges), pd.DataFrame(headers), rows, len(sizes)


def points_frame(run: PlayRun, show_test: bool) -> pd.DataFrame:
    """Training points (the added ones marked), and the test points when asked for: x, y, label, set."""
    d, cfg = run.data, run.config
    n_added = len(cfg.points)
    sets = np.array(["train"] * (len(d.X_train) - n_added) + ["added"] * n_added)
    frames = [pd.DataFrame({"x": d.X_train[:, 0], "y": d.X_train[:, 1], "label": d.y_train, "set": sets})]
    if show_test:
        frames.append(pd.DataFrame({"x": d.X_test[:, 0], "y": d.X_test[:, 1], "label": d.y_test, "set": "test"}))
    df = pd.concat(frames, ignore_index=True)
    if PROBLEMS[cfg.problem].classes:
        df["label"] = df["label"].astype(int).astype(str)
    return df


def history_frames(run: PlayRun) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """(loss: epoch, loss, set), (norms: epoch, layer, norm), the layer names."""
    h = run.history
    loss = pd.concat([pd.DataFrame({"epoch": h.epochs, "loss": h.train, "set": "train"}),
                      pd.DataFrame({"epoch": h.epochs, "loss": h.test, "set": "test"})], ignore_index=True)
    n_layers = run.net.n_layers
    names = [f"W{l + 1}" for l in range(n_layers)]
    G = np.asarray(h.grad_norms)  # (records, layers)
    norms = pd.DataFrame({"epoch": np.repeat(h.epochs, n_layers), "layer": names * len(h.epochs), "norm": G.ravel()})
    norms = norms[np.isfinite(norms["norm"]) & (norms["norm"] > 0)]
    return loss.replace([np.inf, -np.inf], np.nan).dropna(), norms, names


def layer_space_frames(run: PlayRun, layer: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Grid lines (line, t, a1, a2, family) and training points (a1, a2, label) in a 2-unit layer's coordinates."""
    space = layer_space(run.net, run.config.features, run.data.X_train, layer)
    m, p, _ = space.lines.shape
    family = np.repeat(np.where(np.arange(m) < m // 2, "x₁ = const", "x₂ = const"), p)
    lines = pd.DataFrame({"line": np.repeat(np.arange(m), p), "t": np.tile(np.arange(p), m),
                          "a1": space.lines[:, :, 0].ravel(), "a2": space.lines[:, :, 1].ravel(), "family": family})
    label = run.data.y_train
    points = pd.DataFrame({"a1": space.points[:, 0], "a2": space.points[:, 1],
                           "label": label.astype(int).astype(str) if PROBLEMS[run.config.problem].classes else label})
    return lines, points


def _classes(cfg: PlayConfig) -> int:
    return cfg.n_outputs if cfg.problem == "multiclass" else (2 if PROBLEMS[cfg.problem].classes else 0)


def live_view(cfg: PlayConfig, playing: bool, speed: int, show_test: bool, discrete: bool) -> None:
    """One frame: train ``speed`` batches when playing, then draw the run at the step in the URL."""
    if playing:
        run = current_run(cfg, int(st.session_state.get(STEP_KEY, 0)))
        run.advance(speed)
        set_from_code(STEP_KEY, run.step)
        if run.diverged:
            st.session_state[STOP_KEY] = True
    top = st.columns([1.2, 1, 1, 1, 1])
    with top[0]:
        step = step_input()
    run = current_run(cfg, step)
    top[1].metric("Epoch", f"{run.epoch:.1f}")
    h = run.history
    top[2].metric("Training loss", f"{h.train[-1]:.3f}")
    top[3].metric("Test loss", f"{h.test[-1]:.3f}")
    top[4].metric("Batches per epoch", run.steps_per_epoch)
    if run.diverged:
        st.error(f"Training diverged at step {run.step}: the loss or a gradient is no longer finite. "
                 "Lower the learning rate and press Reset.", icon=":material/warning:")
    hand_over = st.session_state.pop(FULL_RERUN, False) or st.session_state.get(STOP_KEY, False)
    if hand_over and playing:
        st.rerun(scope="app")  # a click changed the data, or training diverged: the whole page takes over
    pics = unit_pictures(run.net, cfg.features, RESOLUTION)
    output = PROBLEMS[cfg.problem].output
    out_url = png_url(output_pixels(pics.output, output, discrete))
    small_out = png_url(output_pixels(pics.output[:, ::2, ::2], output, discrete))
    left, right = st.columns([1.15, 1])
    with left:
        nodes, edges, headers, rows, columns = network_frames(run, pics, small_out)
        st.vega_lite_chart(pc.network_spec(nodes, edges, headers, rows, columns), width="stretch")
        st.caption("Each square shows what that unit outputs at every point of the plane (orange < 0 < blue). "
                   "Lines are weights: blue positive, orange negative, thicker = larger; hover one for its value.")
    with right:
        st.vega_lite_chart(pc.plane_spec(out_url, points_frame(run, show_test), _classes(cfg)), width="stretch",
                           key=pc.PICK_KEY, on_select=add_clicked_point, selection_mode="pick")
        st.caption("The output over the plane; training points white-ringed, test points black-ringed, added points "
                   "diamonds. Click to add a point.")
    loss, norms, names = history_frames(run)
    c1, c2, c3 = st.columns(3)
    c1.vega_lite_chart(pc.loss_spec(loss), width="stretch")
    c2.vega_lite_chart(pc.grad_norm_spec(norms, names), width="stretch")
    layers = two_unit_layers(run.net)
    with c3:
        if layers:
            lines, pts = layer_space_frames(run, layers[-1])
            st.vega_lite_chart(pc.layer_space_spec(lines, pts, _classes(cfg), layers[-1]), width="stretch")
            st.caption(f"Layer space: the plane's grid as hidden layer {layers[-1]} sees it.")
        else:
            st.info("Layer space: give a hidden layer exactly 2 units to see the plane warped into its coordinates.",
                    icon=":material/grid_on:")
