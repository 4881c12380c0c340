"""URL-bound controls of the optimizer zoo: per-contestant hyper-parameters, schedules and presets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from core.engine.optim import OPTIMIZERS
from core.engine.schedules import SCHEDULES
from core.engine.surfaces import SURFACES, Surface, get_surface
from core.lessons.optimizers.presets import LECTURE_SLOTS, PRESETS, SLOTS, Slot
from core.lessons.optimizers.trajectories import DEFAULT_PRECISION, MAX_STEPS, PRECISIONS, RunSpec, escape_box
from ui.urlstate import bound, set_from_code
from ui.widgets import initial, initial_index, request_full_rerun


def _grid(lo_exp: int, hi_exp: int, mantissas=(1, 1.5, 2, 3, 4, 5, 6, 7, 8)) -> list[float]:
    vals = {float(f"{m}e{e}") for e in range(lo_exp, hi_exp + 1) for m in mantissas}
    return sorted(vals)


LR_GRID = _grid(-5, -1) + [1.0, 1.5, 2.0, 3.0, 5.0]
EPS_GRID = [float(f"1e{e}") for e in range(-12, 0)]
DECAY_GRID = _grid(-5, -1, (1, 2, 5)) + [1.0]
CONDITIONS = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]


def _fmt(v: float) -> str:
    return f"{v:g}"


_value = initial


def _schedule_defaults(slot: Slot, schedule: str) -> dict[str, Any]:
    base = dict(SCHEDULES[schedule].defaults)
    return {**base, **slot.schedule_kw} if schedule == slot.schedule else base


# (URL suffix, torch name, widget builder(container, label, key, default)) per hyper-parameter
def _lr(c, label, key, default, **_):
    return bound(c.select_slider, label, LR_GRID, key=key, format_func=_fmt, **_value(key, default))


def _unit(c, label, key, default, hi=0.999, step=0.001, lo=0.0):
    return bound(c.slider, label, lo, hi, key=key, step=step, format="%.3f", **_value(key, float(default)))


def _eps(c, label, key, default, **_):
    return bound(c.select_slider, label, EPS_GRID, key=key, format_func=_fmt, **_value(key, default))


HYPER_WIDGETS: dict[str, tuple[str, str, Callable]] = {
    "lr": ("lr", "learning rate η₀", _lr),
    "momentum": ("mom", "momentum γ", _unit),
    "beta1": ("b1", "β₁ (gradient average)", _unit),
    "beta2": ("b2", "β₂ (squared-gradient average)", lambda c, l, k, d, **kw: _unit(c, l, k, d, hi=0.9999, step=0.0001, **kw)),
    "alpha": ("alpha", "α (decay of m)", _unit),
    "eps": ("eps", "ε", _eps),
    "weight_decay": ("wd", "weight decay λ", lambda c, l, k, d, **kw: _unit(c, l, k, d, hi=0.5, step=0.005, **kw)),
}
POSITIVE: dict[str, tuple[str, ...]] = {"nesterov": ("momentum",)}  # torch: Nesterov needs γ > 0
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


ALL_SLOT_KEYS = frozenset(k for slot in SLOTS.values() for k in slot_keys(slot))
HYPER_KEY = "hyper"  # the hyper-parameter expander's open state
HYPER_DRAWN = "_hyper_drawn"  # set once the contestants' widgets were drawn: from then on they always are
INT_ARGS = frozenset({"decay_steps", "step_size", "T_0", "T_mult"})  # schedule arguments whose widgets hold ints


def default_spec(slot: Slot) -> RunSpec:
    """What slot_controls returns while none of the slot's widgets holds a value: its defaults, as the widgets give
    them back (floats, and ints for the schedule arguments in INT_ARGS)."""
    hd = _hyper_defaults(slot)
    values: dict[str, Any] = {h: float(hd[h]) for h in CONTROLS[slot.optimizer]}
    if "beta1" in values:
        values["betas"] = (values.pop("beta1"), values.pop("beta2"))
    kw = {arg: int(d) if arg in INT_ARGS else float(d)
          for arg, d in _schedule_defaults(slot, slot.schedule).items() if arg != "staircase"}
    return RunSpec.make(slot.name, slot.optimizer, slot.schedule, kw, **values)


def hyper_widgets_needed(expander_open: bool | None) -> bool:
    """Whether this run draws the contestants' widgets: once drawn (the expander was opened, a preset or a link set
    a value), always, so their values and the address stay bound; until then each contestant runs default_spec
    and a rerun skips ~40 widgets (most students never open the expander)."""
    if expander_open or st.session_state.get(HYPER_DRAWN) or not ALL_SLOT_KEYS.isdisjoint(st.query_params):
        st.session_state[HYPER_DRAWN] = True
    return bool(st.session_state.get(HYPER_DRAWN))


def slot_controls(slot: Slot, container) -> RunSpec:
    """The hyper-parameter and schedule widgets of one contestant; returns its RunSpec."""
    hd = _hyper_defaults(slot)
    cols = container.columns(3)
    values: dict[str, Any] = {}
    for i, h in enumerate(CONTROLS[slot.optimizer]):
        suffix, label, widget = HYPER_WIDGETS[h]
        lo = {"lo": 0.001} if h in POSITIVE.get(slot.optimizer, ()) else {}
        values[h] = widget(cols[i % 3], label if i else "Learning rate η₀", f"{slot.name}_{suffix}", hd[h], **lo)
    if "beta1" in values:
        values["betas"] = (values.pop("beta1"), values.pop("beta2"))
    sc = container.columns(3)
    names = list(SCHEDULES)
    key = f"{slot.name}_sch"
    schedule = bound(sc[0].selectbox, "Learning-rate schedule", names, key=key, **initial_index(key, names, slot.schedule))
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
    if preset.overrides:
        st.session_state[HYPER_DRAWN] = True  # the overrides must reach their widgets, and so the address
    for slot_name in preset.slots:
        slot = SLOTS[slot_name]
        if st.session_state.get(HYPER_DRAWN):  # undrawn widgets hold no value: their defaults need no writing
            values.update(slot_keys(slot))
        for h, v in preset.overrides.get(slot_name, {}).items():
            if h in HYPER_WIDGETS:
                values[f"{slot_name}_{HYPER_WIDGETS[h][0]}"] = v
    for key, v in values.items():
        set_from_code(key, v)


PICK_KEY = "pick_start"  # the race chart's key: a click on it sets the start point


def start_from_click() -> None:
    """Callback of the race chart: the clicked grid point becomes the start."""
    picked = st.session_state[PICK_KEY].selection.get("pick") or []
    if picked and "x" in picked[0]:
        set_from_code("x0", round(float(picked[0]["x"]), 3))
        set_from_code("y0", round(float(picked[0]["y"]), 3))
        request_full_rerun()  # while playing, the chart's fragment must hand over to a full run


def reset_start() -> None:
    """Callback when the surface changes: start from the new surface's own start point."""
    set_from_code("x0", None)
    set_from_code("y0", None)


@dataclass(frozen=True)
class RaceSetup:
    """What the race controls chose: the surface, the run length and precision, the start and the contestants."""

    surface_name: str
    condition: float  # 10.0 off the quadratic bowl, so other surfaces' cache keys ignore the κ slider
    surface: Surface
    steps: int
    precision: str
    start: tuple[float, float]
    specs: tuple[RunSpec, ...]

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.specs]


def race_controls(top=None) -> RaceSetup:
    """Surface, steps, contestants (in ``top``, a container above the race chart: what a student moves most), then
    where this is called: presets, κ, precision, start and every contestant's hyper-parameters."""
    top = top if top is not None else st.container()
    t1, t2, t3 = top.columns([1.3, 1.6, 3.4])
    name = bound(t1.selectbox, "Surface", list(SURFACES), key="surface", on_change=reset_start,
                 help="Beale is the lecture's surface.")
    steps = bound(t2.slider, "Steps", 10, MAX_STEPS, 100, 10, key="steps")
    chosen = bound(t3.multiselect, "Optimizers", list(SLOTS), key="opts", default=list(LECTURE_SLOTS),
                   help="Each contestant has its own hyper-parameters and schedule below.")
    st.markdown("**Presets** — one click sets up a race (the lecture's is the default view):")
    preset_bar = st.container(horizontal=True)  # filled once the controls say which preset (if any) is on show
    c1, c2, c3, c4 = st.columns([2, 2, 1.3, 1.3])
    # Always drawn (disabled off the bowl): a widget that only appears later would miss presets' URL updates.
    condition = bound(c1.select_slider, "Condition number κ (quadratic bowl)", CONDITIONS, key="cond", format_func=_fmt,
                      disabled=name != "quadratic", **initial("cond", 10.0),
                      help="Ratio of the largest to the smallest curvature of the ill-conditioned bowl.")
    condition = condition if name == "quadratic" else 10.0
    surface = get_surface(name, condition if name == "quadratic" else None)
    precision = bound(c2.radio, "Precision", list(PRECISIONS), key="prec", horizontal=True,
                      **initial_index("prec", list(PRECISIONS), DEFAULT_PRECISION),
                      help="float32 is torch's default dtype (and the lecture's); float64 has 10⁻¹⁶ instead of 10⁻⁷ "
                           "round-off. Only runs at the edge of stability tell them apart.")
    x0 = bound(c3.number_input, "Start x", value=None, key="x0", format="%.3f", placeholder=f"{surface.start[0]:g}",
               min_value=-100.0, max_value=100.0)
    y0 = bound(c4.number_input, "Start y", value=None, key="y0", format="%.3f", placeholder=f"{surface.start[1]:g}",
               min_value=-100.0, max_value=100.0)
    start = (surface.start[0] if x0 is None else float(x0), surface.start[1] if y0 is None else float(y0))
    st.caption(f"{surface.label}: " + f"${surface.latex}$")
    (bx0, bx1), (by0, by1) = escape_box(surface)
    if not (bx0 <= start[0] <= bx1 and by0 <= start[1] <= by1):
        top.warning(f"The start ({start[0]:g}, {start[1]:g}) lies far outside this surface's picture, so every run "
                   f"counts as diverged at step 0. Start inside x ∈ [{bx0:g}, {bx1:g}], y ∈ [{by0:g}, {by1:g}].",
                   icon=":material/warning:")
    expander = st.expander("Hyper-parameters and learning-rate schedules", key=HYPER_KEY, on_change="rerun")
    if hyper_widgets_needed(expander.open):
        # Only the contestants in the race: each slot's ~5 widgets cost a full rerun ~1 ms apiece. A preset chooses
        # its slots as it writes their values, so every value it writes belongs to a widget drawn in the next run.
        tabs = expander.tabs(chosen) if chosen else []
        specs = tuple(slot_controls(SLOTS[n], tab) for tab, n in zip(tabs, chosen))
    else:
        specs = tuple(default_spec(SLOTS[n]) for n in chosen)
    current = next((k for k, p in PRESETS.items() if p.matches(name, condition, start, steps, list(specs))), None)
    for key, preset in PRESETS.items():
        preset_bar.button(preset.title, key=f"preset_{key}", on_click=apply_preset, args=(key,), help=preset.note,
                          type="primary" if key == current else "secondary")
    if current is not None:
        st.info(f"**{PRESETS[current].title}.** {PRESETS[current].note}", icon=":material/school:")
    return RaceSetup(name, condition, surface, steps, precision, start, specs)
