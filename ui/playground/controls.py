"""URL-bound controls of the playground; each returns part of the PlayConfig. Changing a setting restarts at step 0."""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from core.engine.activations import ACTIVATIONS
from core.engine.initializers import INITIALIZERS
from core.engine.optim import OPTIMIZERS
from core.engine.regularizers import REGULARIZERS
from core.engine.schedules import SCHEDULES
from core.lessons.playground.data import DATASETS, PROBLEMS, datasets_for
from core.lessons.playground.features import FEATURES
from core.lessons.playground.points import format_points, parse_points
from core.lessons.playground.presets import PRESETS
from core.lessons.playground.session import MAX_STEPS, PlayConfig
from ui.urlstate import NOTICES_KEY, bound, notices_this_run, set_from_code

LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
REG_RATES = [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
SPEEDS = [1, 2, 5, 10, 25, 50, 100]  # batches per frame
DROPOUTS = [0.0, 0.1, 0.2, 0.3, 0.5]
ACTIVATION_CHOICES = ["relu", "tanh", "sigmoid", "linear"] + [a for a in ACTIVATIONS if a not in ("relu", "tanh", "sigmoid", "linear")]
DEFAULTS = PlayConfig()
CLICK_KEY = "pg_click_label"
CLICK_LABELS = tuple(f"class {c}" for c in range(8))
CLICK_VALUES = {**{name: float(c) for c, name in enumerate(CLICK_LABELS)}, "target −1": -1.0, "target +1": 1.0}
STEP_KEY = "step"
RUN_KEY = "_pg_run"  # this session's live run (core.lessons.playground.session.PlayRun)
FULL_RERUN = "_pg_full_rerun"
DROPPED_KEY = "_pg_dropped_link_values"
PAUSED_AT = "_pg_paused_at"  # the step Pause reached, until a page run has drawn it


def _fmt(v: float) -> str:
    return f"{v:g}"


def _has_state(key: str) -> bool:
    try:
        st.session_state[key]
    except KeyError:
        return False
    return True


def initial(key: str, default: Any) -> dict[str, Any]:
    """``value=default`` only while the key has no state yet (presets write the state directly)."""
    return {} if _has_state(key) else {"value": default}


def initial_index(key: str, options: list, default: Any) -> dict[str, Any]:
    """``index`` of ``default`` only while the key has no state yet."""
    return {} if _has_state(key) or default not in options else {"index": options.index(default)}


def _finite(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return True  # not a number at all: Streamlit's box drops it by itself and ``bound`` says so


def int_input(container, label: str, lo: int, hi: int, *, key: str, **kwargs: Any) -> int:
    """A URL-bound whole-number box; the link carries an int (``step=125``, not ``125.0``).

    Streamlit's integer box cannot read ``inf`` or ``nan`` from a link (int(inf) raises inside Streamlit), so a
    fresh widget's non-finite link value is dropped first, with the same notice ``bound`` gives for other bad values.
    """
    raw = [] if _has_state(key) else st.query_params.get_all(key)
    if raw and not all(_finite(r) for r in raw):
        # Streamlit seeds the widget from the address it was opened with: drop the value and run again without it
        message = f"The link's value `{key}={'&'.join(raw)}` is not valid for **{label}**; showing its default instead."
        st.session_state.setdefault(NOTICES_KEY, []).append(message)
        st.session_state.setdefault(DROPPED_KEY, []).extend(notices_this_run())  # the other controls' notices too
        del st.query_params[key]
        st.rerun()
    if _has_state(key) and isinstance(st.session_state[key], float):  # a link that ran an older page wrote floats
        st.session_state[key] = int(round(st.session_state[key]))
    if "value" in kwargs:
        kwargs["value"] = int(kwargs["value"])
    return int(bound(container.number_input, label, int(lo), int(hi), key=key, step=1, **kwargs))


def dropped_link_notices(container) -> None:
    """The link notices of the runs ``int_input`` ended early to drop a value (the rerun doesn't give them again)."""
    for message in st.session_state.pop(DROPPED_KEY, []):
        container.warning(message, icon=":material/link_off:")


def restart() -> None:
    """Callback of every setting: the run starts again from step 0."""
    set_from_code(STEP_KEY, 0)


def _on_problem() -> None:
    problem = PROBLEMS[st.session_state["problem"]]
    set_from_code("data", datasets_for(problem.name)[0])
    set_from_code("loss", problem.losses[0])
    set_from_code("pts", "")
    restart()


def regenerate() -> None:
    """Callback: a new seed (new data, new initial weights), back to step 0."""
    set_from_code("seed", int(st.session_state.get("seed", 0)) + 1)
    restart()


def clear_points() -> None:
    set_from_code("pts", "")
    restart()


def apply_preset(name: str) -> None:
    """Callback: write a preset's settings (and its step count) into the widgets."""
    preset = PRESETS[name]
    cfg = preset.config
    values = {"problem": cfg.problem, "data": cfg.dataset, "k": cfg.classes, "noise": int(round(cfg.noise * 100)),
              "train": int(round(cfg.train_share * 100)), "seed": cfg.seed, "feat": list(cfg.features),
              "layers": len(cfg.hidden), "act": cfg.activation, "loss": cfg.loss, "opt": cfg.optimizer, "lr": cfg.lr,
              "sched": cfg.schedule, "init": cfg.init, "batch": cfg.batch_size, "reg": cfg.regularizer,
              "rate": cfg.reg_rate, "drop": cfg.dropout, "bn": cfg.batchnorm, "pts": format_points(cfg.points),
              STEP_KEY: preset.steps}
    for i, units in enumerate(cfg.hidden):
        values[f"u{i + 1}"] = units
    for key, value in values.items():
        set_from_code(key, value)


def problem_select(container) -> str:
    """TF Playground's problem type: classification, multiclass or regression."""
    problems = list(PROBLEMS)
    return bound(container.selectbox, "Problem type", problems, key="problem", on_change=_on_problem,
                 **initial_index("problem", problems, DEFAULTS.problem))


def training_row(problem: str) -> dict[str, Any]:
    """Learning rate, optimizer, schedule, loss, batch size, regularization and its rate λ, in one row."""
    c = st.columns([1.3, 1, 1.1, 1.2, 1, 1, 1.2], vertical_alignment="bottom")
    lr = bound(c[0].select_slider, "Learning rate η", LEARNING_RATES, key="lr", format_func=_fmt, on_change=restart,
               **initial("lr", DEFAULTS.lr))
    opts = list(OPTIMIZERS)
    optimizer = bound(c[1].selectbox, "Optimizer", opts, key="opt", on_change=restart,
                      **initial_index("opt", opts, DEFAULTS.optimizer))
    scheds = list(SCHEDULES)
    schedule = bound(c[2].selectbox, "η schedule", scheds, key="sched", on_change=restart,
                     **initial_index("sched", scheds, DEFAULTS.schedule))
    losses = list(PROBLEMS[problem].losses)
    loss = bound(c[3].selectbox, "Loss", losses, key="loss", on_change=restart, **initial_index("loss", losses, losses[0]))
    batch = bound(c[4].slider, "Batch size", 1, 30, key="batch", on_change=restart, **initial("batch", DEFAULTS.batch_size))
    regs = list(REGULARIZERS)
    regularizer = bound(c[5].selectbox, "Regularization", regs, key="reg", on_change=restart,
                        **initial_index("reg", regs, DEFAULTS.regularizer))
    rate = bound(c[6].select_slider, "Regularization rate λ", REG_RATES, key="rate", format_func=_fmt,
                 on_change=restart, disabled=regularizer == "none", **initial("rate", 0.003))
    return {"lr": float(lr), "optimizer": optimizer, "schedule": schedule, "loss": loss, "batch_size": int(batch),
            "regularizer": regularizer, "reg_rate": float(rate) if regularizer != "none" else 0.0}


def data_row() -> dict[str, Any]:
    """Problem type, data set, classes, noise, train share, seed (regenerate), in one row."""
    c = st.columns([1.3, 1.1, 1, 1, 1, 0.8, 0.45], vertical_alignment="bottom")
    problem = problem_select(c[0])
    names = datasets_for(problem)
    dataset = bound(c[1].selectbox, "Data set", names, key="data", on_change=restart,
                    help="; ".join(f"{n}: {DATASETS[n].description}" for n in names), **initial_index("data", names, names[0]))
    classes = bound(c[2].slider, "Classes", 3, 5, key="k", on_change=restart, disabled=not PROBLEMS[problem].many,
                    **initial("k", DEFAULTS.classes))
    noise = bound(c[3].slider, "Noise (%)", 0, 50, key="noise", step=5, on_change=restart, **initial("noise", 0))
    train = bound(c[4].slider, "Training data (%)", 10, 90, key="train", step=10, on_change=restart, **initial("train", 50))
    seed = int_input(c[5], "Seed", 0, 10_000, key="seed", on_change=restart, **initial("seed", 0))
    c[6].button("", on_click=regenerate, help="Regenerate: next seed (new data and new initial weights).",
                icon=":material/refresh:", key="regen")
    return {"problem": problem, "dataset": dataset, "classes": int(classes), "noise": noise / 100,
            "train_share": train / 100, "seed": int(seed)}


def features_row() -> tuple[str, ...]:
    """Which input features feed the network (any subset of x₁, x₂, x₁², x₂², x₁x₂, sin x₁, sin x₂)."""
    features = bound(st.multiselect, "Input features", list(FEATURES), key="feat", on_change=restart,
                      **({} if _has_state("feat") else {"default": list(DEFAULTS.features)}))
    return tuple(features)


def unit_settings() -> dict[str, Any]:
    """Activation, initializer, dropout and batch norm of the hidden layers, in one row."""
    c = st.columns(4, vertical_alignment="bottom")
    acts = ACTIVATION_CHOICES
    activation = bound(c[0].selectbox, "Activation", acts, key="act", on_change=restart,
                       **initial_index("act", acts, DEFAULTS.activation))
    inits = list(INITIALIZERS)
    init = bound(c[1].selectbox, "Initializer", inits, key="init", on_change=restart,
                 **initial_index("init", inits, DEFAULTS.init))
    dropout = bound(c[2].select_slider, "Dropout p", DROPOUTS, key="drop", format_func=_fmt, on_change=restart,
                    **initial("drop", 0.0))
    batchnorm = bound(c[3].checkbox, "Batch norm", key="bn", on_change=restart, **initial("bn", False),
                      help="Normalize every hidden layer's pre-activations over the batch (z → BN → f).")
    return {"activation": activation, "init": init, "dropout": float(dropout), "batchnorm": bool(batchnorm)}


def view_toggles(container) -> tuple[bool, bool]:
    """(show test data, discretize output)."""
    show_test = bound(container.checkbox, "Show test data", key="test", **initial("test", False))
    discrete = bound(container.checkbox, "Discretize output", key="discrete", **initial("discrete", False))
    return show_test, discrete


def points_row(problem: str, classes: int) -> tuple:
    """The class a click adds, the added points (editable text, in the link) and a Clear button."""
    k = PROBLEMS[problem].n_classes(classes)
    labels = list(CLICK_LABELS[:k]) if k else ["target −1", "target +1"]
    c = st.columns([1, 3, 0.8], vertical_alignment="bottom")
    bound(c[0].selectbox, "A click on the plane adds", labels, key=CLICK_KEY)
    text = bound(c[1].text_input, "Added points (x₁,x₂,label; …)", key="pts", on_change=restart, **initial("pts", ""))
    c[2].button("Clear", on_click=clear_points, key="clear", icon=":material/delete:", disabled=not text)
    try:
        return parse_points(text, k)
    except ValueError as err:
        st.warning(f"Added points ignored: {err}", icon=":material/warning:")
        return ()


def network_bar() -> tuple[int, ...]:
    """Hidden layers 0–6 and 1–8 units in each (TF Playground's +/− per layer); all drawn so presets reach the URL."""
    cols = st.columns([1.4] + [1] * 6)
    layers = int_input(cols[0], "Hidden layers", 0, 6, key="layers", on_change=restart,
                       **initial("layers", len(DEFAULTS.hidden)))
    units = []
    for i in range(6):
        key = f"u{i + 1}"
        default = DEFAULTS.hidden[i] if i < len(DEFAULTS.hidden) else 4
        units.append(int_input(cols[i + 1], f"Layer {i + 1}", 1, 8, key=key, on_change=restart,
                               disabled=i >= layers, **initial(key, default)))
    return tuple(int(u) for u in units[: int(layers)])


def add_clicked_point() -> None:
    """Callback of the plane chart: the clicked grid point joins the training data with the chosen label."""
    picked = st.session_state["pg_plane"].selection.get("pick") or []
    if not picked or "x" not in picked[0]:
        return
    label = CLICK_VALUES.get(st.session_state.get(CLICK_KEY), 0.0)
    entry = f"{float(picked[0]['x']):g},{float(picked[0]['y']):g},{label:g}"
    text = st.session_state.get("pts", "")
    set_from_code("pts", f"{text};{entry}" if text else entry)
    restart()
    st.session_state[FULL_RERUN] = True  # the points box lives outside the fragment


def step_input() -> int:
    """The step count: where the run is (a link replays to it); Pause writes the step training reached."""
    return int_input(st, "Step (batches)", 0, MAX_STEPS, key=STEP_KEY, **initial(STEP_KEY, 0))


def _reached() -> int:
    """The step the session's run has reached (a frame interrupted by a click may not have shown it yet)."""
    run = st.session_state.get(RUN_KEY)
    return int(run.step) if run is not None else int(st.session_state.get(STEP_KEY) or 0)


def sync_step() -> None:
    """Callback of Play/Pause: the step box (and the link) start from where training really is."""
    set_from_code(STEP_KEY, _reached())
    if not st.session_state.get("play"):
        st.session_state[PAUSED_AT] = _reached()


def hold_paused_step() -> None:
    """Before the step box: keep the step Pause wrote until a page run completes with it.

    A playing fragment's tick already on its way carries the browser's old step box value; arriving after the
    Pause click, it would overwrite the step the callback wrote, and the run would replay from the start.
    """
    if PAUSED_AT in st.session_state and st.session_state.get(STEP_KEY) != st.session_state[PAUSED_AT]:
        set_from_code(STEP_KEY, st.session_state[PAUSED_AT])


def forget_paused_step() -> None:
    """After the live view is drawn at the paused step: the step box holds it now."""
    st.session_state.pop(PAUSED_AT, None)


def step_once() -> None:
    """Callback of Step: one more batch."""
    set_from_code(STEP_KEY, _reached() + 1)


def reset() -> None:
    """Callback of Reset: pause, back to step 0."""
    st.session_state["play"] = False
    restart()
