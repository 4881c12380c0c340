"""Scenes on weight initialization: the signal through depth, symmetric starts, the training race."""

from __future__ import annotations

import numpy as np

from core.engine.optim import OPTIMIZERS
from core.lessons.initialization.symmetry import CONSTANT
from ui.initialization import cached
from ui.initialization.charts import ACTIVATIONS_LABEL, chart_spec, curves_frame, loss_curves, std_frame, std_lines
from ui.lecture.controls import Controls
from ui.lecture.figure import Figure
from ui.lecture.style import FIGURE_PX, lecture_spec

SIGNAL_INITS = ("normal_small", "glorot_normal", "he_normal", "normal_large")
RACE_INITS = ("zeros", "normal_small", "normal_large", "glorot_normal", "he_normal")
RACE_OPTIMIZERS = [name for name in ("sgd", "momentum", "adam", "rmsprop") if name in OPTIMIZERS]
LEARNING_RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
ACTS = ["relu", "tanh", "sigmoid", "leaky_relu"]
RACE_LOSS_CAP = 10.0
SYMMETRY_ANSWERS = ("It trains like a random start", "Every unit of a layer learns the same thing",
                    "The hidden weights never move")


def _signals(activation: str, depth: int):
    return {init: cached.signal(depth, 256, activation, init, 128, 0) for init in SIGNAL_INITS}


def _symmetry(activation: str, steps: int):
    starts = [("zeros", 0.0), (CONSTANT, 0.5), ("glorot_normal", 0.0)]
    return {(f"constant c = {v:g}" if s == CONSTANT else s): cached.symmetry(s, v, activation, steps, "circles")[0]
            for s, v in starts}


def _race(activation: str, optimizer: str, lr: float):
    return cached.race(RACE_INITS, activation, optimizer, lr, steps=300, depth=6)  # the page's race: one cache


def signal(c: Controls) -> Figure:
    """#12 (live): the spread of the activations layer by layer, one line per initializer."""
    act = c.selectbox("Activation", ACTS, key="act", page_key="act")
    depth = c.slider("Depth (hidden layers)", 2, 30, 20, key="depth", page_key="depth")
    reports = {f"{act} · {init}": r for init, r in _signals(act, depth).items()}
    title = f"Std of the activations per layer ({act}, 256 units per layer)"
    spec = chart_spec(std_lines, std_frame(reports, ACTIVATIONS_LABEL), title, True, height=FIGURE_PX - 170)
    legend = spec.get("encoding", {}).get("color", {}).get("legend")
    if isinstance(legend, dict):  # beside the plot, not above it: the lines get the screen's height
        legend.update(orient="right", direction="vertical")
    return Figure(title, vega=lecture_spec(spec, FIGURE_PX))


def symmetry(c: Controls) -> Figure:
    """Extra: a zero start, a constant start and a random start learning the same data."""
    act = c.selectbox("Activation", ["tanh", "relu", "sigmoid"], key="act", page_key="sym_act")
    steps = c.slider("Training steps k", 10, 500, 200, 10, key="k", page_key="k")
    c.page(sym_data="circles")
    runs = _symmetry(act, steps)
    curves = curves_frame({name: r.losses for name, r in runs.items()}, "start")
    zero = runs["zeros"]
    moved = any(not np.allclose(b, a) for b, a in zip(zero.before[:-1], zero.after[:-1]))
    clones = all(d == 1 for d in runs["constant c = 0.5"].distinct_after)
    answer = SYMMETRY_ANSWERS[1] if moved else SYMMETRY_ANSWERS[2]
    distinct = " / ".join(map(str, zero.distinct_after))
    note = (f"From zeros the hidden weights {'moved' if moved else 'never moved'} (distinct units per layer: {distinct}); "
            f"from a constant every layer {'stays one cloned unit' if clones else 'split into several units'}.")
    title = f"Training loss from symmetric and random starts ({act})"
    spec = chart_spec(loss_curves, curves, "start", title, height=FIGURE_PX - 130)
    return Figure(title, vega=lecture_spec(spec, FIGURE_PX), note=note, answer=answer)


def race(c: Controls) -> Figure:
    """Extra: the same net from five starts; only the initial weights differ."""
    act = c.selectbox("Activation", ACTS, key="act", page_key="race_act")
    opt = c.selectbox("Optimizer", RACE_OPTIMIZERS, key="opt", page_key="race_opt")
    lr = c.select_slider("Learning rate η", LEARNING_RATES, value=0.1, key="lr", page_key="race_lr")
    lanes = _race(act, opt, lr)
    curves = curves_frame({lane.init: lane.losses for lane in lanes}, "initializer")
    title = f"Training race: 6 hidden layers × 32 units, {act}, {opt}, η = {lr:g}"
    spec = chart_spec(loss_curves, curves, "initializer", title, height=FIGURE_PX - 130, domain_max=RACE_LOSS_CAP)
    off = [lane.init for lane in lanes if len(lane.losses) and np.nanmax(lane.losses) > RACE_LOSS_CAP]
    note = f"Above the axis (loss > {RACE_LOSS_CAP:g}): {', '.join(off)}." if off else ""
    return Figure(title, vega=lecture_spec(spec, FIGURE_PX), note=note)
