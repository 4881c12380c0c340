"""URL-bound controls of the optimizer zoo: per-contestant hyper-parameters, schedules and presets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from core.engine.optim import OPTIMIZERS
from core.lessons.optimizers.presets import PRESETS, SLOTS, Slot
from core.engine.schedules import SCHEDULES
from core.engine.surfaces import SURFACES
from core.lessons.optimizers.trajectories import RunSpec
from ui.urlstate import bound, forget_code_writes, set_from_code  # noqa: F401 (re-exported for the page)

set_by_code = set_from_code  # presets, play and clicks write bound widgets from code


def _grid(lo_exp: int, hi_exp: int, mantissas=(1, 1.5, 2, 3, 4, 5, 6, 7, 8)) -> list[float]:
    vals = {float(f"{m}e{e}") for e in range(lo_exp, hi_exp + 1) for m in mantissas}
    return sorted(vals)


LR_GRID = _grid(-5, -1) + [1.0, 1.5, 2.0, 3.0, 5.0]
EPS_GRID = [float(f"1e{e}") for e in range(-12, 0)]
DECAY_GRID = _grid(-5, -1, (1, 2, 5)) + [1.0]
CONDITIONS = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]


def _fmt(v: float) -> str:
    return f"{v:g}"


def _has_state(key: str) -> bool:
    try:  # cheaper than `key in st.session_state`, which copies the whole state
        st.session_state[key]
    except KeyError:
        return False
    return True


def initial(key: str, default: Any) -> dict[str, Any]:
    """``value=default`` only while the key has no state yet (presets write the state directly)."""
    return {} if _has_state(key) else {"value": default}


def initial_index(key: str, options: list[Any], default: Any) -> dict[str, Any]:
    """``index`` of ``default`` only while the key has no state yet (for radios and select boxes)."""
    return {} if _has_state(key) else {"index": options.index(default)}


_value = initial


def _schedule_defaults(slot: Slot, schedule: str) -> dict[str, Any]:
    base = dict(SCHEDULES[schedule].defaults)
    return {**base, **slot.schedule_kw} if schedule == slot.schedule else base


# (URL suffix, torch name, widget builder(container, label, key, default)) per hyper-parameter
def _lr(c, label, key, default):
    return bound(c.select_slider, label, LR_GRID, key=key, format_func=_fmt, **_value(key, default))


def _unit(c, label, key, default, hi=0.999, step=0.001):
    return bound(c.slider, label, 0.0, hi, key=key, step=step, format="%.3f", **_value(key, float(default)))


def _eps(c, label, key, default):
    return bound(c.select_slider, label, EPS_GRID, key=key, format_func=_fmt, **_value(key, default))


HYPER_WIDGETS: dict[str, tuple[str, str, Callable]] = {
    "lr": ("lr", "learning rate η₀", _lr),
    "momentum": ("mom", "momentum γ", _unit),
    "beta1": ("b1", "β₁ (gradient average)", _unit),
    "beta2": ("b2", "β₂ (squared-gradient average)", lambda c, l, k, d: _unit(c, l, k, d, hi=0.9999, step=0.0001)),
    "alpha": ("alpha", "α (decay of m)", _unit),
    "eps": ("eps", "ε", _eps),
    "weight_decay": ("wd", "weight decay λ", lambda c, l, k, d: _unit(c, l, k, d, hi=0.5, step=0.005)),
}
CONTROLS: dict[str, tuple[str, ...]] = {
    "sgd": ("lr",), "momentum": ("lr", "momentum"), "nesterov": ("lr", "momentum"), "adagrad": ("lr", "eps"),
    "rmsprop": ("lr", "alpha", "eps"), "adam": ("lr", "beta1", "beta2", "eps"), "adamax": ("lr", "beta1", "beta2", "eps"),
    "nadam": ("lr", "beta1", "beta2", "eps"), "adamw": ("lr", "beta1", "beta2", "eps", "weight_decay"),
}
SCHEDULE_WIDGETS: dict[str, tuple[str, str, Callable]] = {
    "decay_rate": ("k", "decay rate k", lambda c, l, k, d: bound(c.select_slider, l, DECAY_GRID, key=k, format_func=_fmt, **_value(k, d))),
    "decay_steps": ("n", "every n steps", lambda c, l, k, d: bound(c.slider, l, 1, 1000, key=k, **_value(k, int(d)))),
    "step_size": ("ss", "step size T", lambda c, l, k, d: bound(c.slider, l, 1, 500, key=k, **_value(k, int(d)))),
    "gamma": ("g", "factor γ", lambda c, l, k, d: bound(c.slider, l, 0.05, 1.0, key=k, step=0.05, **_value(k, float(d)))),
    "max_lr": ("max", "max rate η_max", _lr),
    "T_0": ("T0", "period T₀", lambda c, l, k, d: bound(c.slider, l, 1, 500, key=k, **_value(k, int(d)))),
    "T_mult": ("Tm", "period factor T_mult", lambda c, l, k, d: bound(c.select_slider, l, [1, 2, 3], key=k, **_value(k, int(d)))),
    "eta_min": ("emin", "floor η_min", lambda c, l, k, d: bound(c.select_slider, l, [0.0] + LR_GRID, key=k, format_func=_fmt, **_value(k, d))),
}
KERAS_RATE = ("r", "factor r", lambda c, l, k, d: bound(c.slider, l, 0.5, 1.0, key=k, step=0.01, **_value(k, float(d))))


def _schedule_widget(schedule: str, arg: str) -> tuple[str, str, Callable]:
    """(URL suffix, label, builder) of one schedule argument; each schedule's decay rate has its own key."""
    if arg == "decay_rate" and schedule == "keras_exponential":
        return KERAS_RATE
    if arg == "decay_rate" and schedule == "inverse_time":
        return ("ki",) + SCHEDULE_WIDGETS[arg][1:]
    return SCHEDULE_WIDGETS[arg]


def _hyper_defaults(slot: Slot) -> dict[str, Any]:
    d = {**OPTIMIZERS[slot.optimizer].defaults, **slot.hyper}
    if "betas" in d:
        d["beta1"], d["beta2"] = d["betas"]
    return d


def slot_keys(slot: Slot, schedule: str | None = None) -> dict[str, Any]:
    """Every widget key of a slot and its default (hyper-parameters, schedule, that schedule's arguments)."""
    hd = _hyper_defaults(slot)
    keys = {f"{slot.name}_{HYPER_WIDGETS[h][0]}": hd[h] for h in CONTROLS[slot.optimizer]}
    keys[f"{slot.name}_sch"] = slot.schedule
    for sched in [schedule] if schedule else [slot.schedule, *SCHEDULES]:
        for arg, d in _schedule_defaults(slot, sched).items():
            if arg == "staircase":
                continue
            keys.setdefault(f"{slot.name}_{_schedule_widget(sched, arg)[0]}", d)
    return keys


def slot_controls(slot: Slot, container) -> RunSpec:
    """The hyper-parameter and schedule widgets of one contestant; returns its RunSpec."""
    hd = _hyper_defaults(slot)
    cols = container.columns(3)
    values: dict[str, Any] = {}
    for i, h in enumerate(CONTROLS[slot.optimizer]):
        suffix, label, widget = HYPER_WIDGETS[h]
        values[h] = widget(cols[i % 3], label if i else "Learning rate η₀", f"{slot.name}_{suffix}", hd[h])
    if "beta1" in values:
        values["betas"] = (values.pop("beta1"), values.pop("beta2"))
    sc = container.columns(3)
    names = list(SCHEDULES)
    key = f"{slot.name}_sch"
    schedule = bound(sc[0].selectbox, "Learning-rate schedule", names, key=key,
                     **({} if _has_state(key) else {"index": names.index(slot.schedule)}))
    kw = {}
    for i, (arg, d) in enumerate(_schedule_defaults(slot, schedule).items()):
        if arg == "staircase":
            continue
        suffix, label, widget = _schedule_widget(schedule, arg)
        kw[arg] = widget(sc[1 + i % 2], label, f"{slot.name}_{suffix}", d)
    container.latex(SCHEDULES[schedule].latex)
    return RunSpec.make(slot.name, slot.optimizer, schedule, kw, **values)


def apply_preset(name: str) -> None:
    """Callback: write a preset's race into the widgets' state (and so into the URL)."""
    preset = PRESETS[name]
    surface_start = SURFACES[preset.surface].start
    same_start = preset.start == surface_start
    values: dict[str, Any] = {
        "surface": preset.surface, "cond": float(preset.condition), "steps": preset.steps, "it": preset.steps,
        "prec": preset.precision,
        "x0": None if same_start else float(preset.start[0]), "y0": None if same_start else float(preset.start[1]),
        "opts": list(preset.slots),
    }
    for slot_name in preset.slots:
        slot = SLOTS[slot_name]
        values.update(slot_keys(slot))
        for h, v in preset.overrides.get(slot_name, {}).items():
            if h in HYPER_WIDGETS:
                values[f"{slot_name}_{HYPER_WIDGETS[h][0]}"] = v
    for key, v in values.items():
        set_by_code(key, v)


PICK_KEY = "pick_start"  # the race chart's key: a click on it sets the start point
FULL_RERUN = "_optzoo_full_rerun"


def start_from_click() -> None:
    """Callback of the race chart: the clicked grid point becomes the start."""
    picked = st.session_state[PICK_KEY].selection.get("pick") or []
    if picked and "x" in picked[0]:
        set_by_code("x0", round(float(picked[0]["x"]), 3))
        set_by_code("y0", round(float(picked[0]["y"]), 3))
        st.session_state[FULL_RERUN] = True  # while playing, the chart's fragment must hand over to a full run


def reset_start() -> None:
    """Callback when the surface changes: start from the new surface's own start point."""
    set_by_code("x0", None)
    set_by_code("y0", None)
