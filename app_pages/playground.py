"""Playground: a small network trains live on 2-D data while every unit's output is drawn over the plane."""

import streamlit as st

from core.engine.optim import OPTIMIZERS
from core.engine.regularizers import REGULARIZERS
from core.engine.schedules import SCHEDULES
from core.engine.losses import LOSSES
from core.lessons.playground.data import PROBLEMS
from core.lessons.playground.features import FEATURES
from core.lessons.playground.presets import PRESETS
from core.lessons.playground.session import PlayConfig
from ui.playground import controls as pg
from ui.playground.views import STOP_KEY, live_view
from ui.urlstate import bound, share_hint

st.title("Playground: watch a network learn")
st.markdown(
    "Why layers? Each hidden unit computes $a = f(\\mathbf{w}^\\top \\mathbf{x} + b)$ and so draws one simple pattern "
    "over the input plane; the next layer combines those patterns into more complex ones. Here a small network "
    "learns live: every square below is one unit's output at every point $(x_1, x_2)$, trained batch by batch by "
    "the app's NumPy engine (the same training loop and optimizers that match PyTorch step for step)."
)


def presets() -> None:
    """One button per story; the active one's sentence below."""
    bar = st.container(horizontal=True)
    for key, preset in PRESETS.items():
        bar.button(preset.title, key=f"preset_{key}", on_click=pg.apply_preset, args=(key,), help=preset.story)


def settings() -> tuple[PlayConfig | None, bool, bool]:
    """Every setting (URL-bound) → the run's config (None with a notice if it makes no network), and the view toggles."""
    top = pg.training_bar()
    with st.expander("More: loss, learning-rate schedule, initializer, batch size, dropout, batch norm", expanded=False):
        more = pg.more_settings(top["problem"])
    data = pg.data_row(top["problem"])
    net_col, view_col = st.columns([4, 1], vertical_alignment="bottom")
    with net_col:
        hidden = pg.network_bar()
    show_test, discrete = pg.view_toggles(view_col)
    points = pg.points_row(top["problem"], data["classes"])
    if not data["features"]:
        st.warning("Pick at least one input feature.", icon=":material/warning:")
        return None, show_test, discrete
    try:
        return PlayConfig(hidden=hidden, points=points, **top, **more, **data), show_test, discrete
    except ValueError as err:
        st.warning(f"These settings don't make a network: {err}", icon=":material/warning:")
        return None, show_test, discrete


def player(cfg: PlayConfig, show_test: bool, discrete: bool) -> None:
    """Play / Pause, Step one batch, Reset; while playing only the live view reruns."""
    if st.session_state.pop(STOP_KEY, False):
        st.session_state["play"] = False
    c = st.columns([1.3, 1, 1, 2.5], vertical_alignment="bottom")
    playing = c[0].toggle("▶ Play", key="play", on_change=pg.sync_step,
                          help="Train continuously; only the pictures below rerun.")
    c[1].button("Step", key="step_once", icon=":material/skip_next:", on_click=pg.step_once, disabled=playing,
                help="Train one batch.")
    c[2].button("Reset", key="reset", icon=":material/restart_alt:", on_click=pg.reset, help="Back to step 0.")
    speed = bound(c[3].select_slider, "Batches per frame", pg.SPEEDS, key="speed", **pg.initial("speed", 25))
    if playing:
        st.fragment(run_every=0.15)(live_view)(cfg, True, speed, show_test, discrete)
    else:
        live_view(cfg, False, speed, show_test, discrete)


def update_rule(cfg: PlayConfig) -> None:
    """The formulas behind the run: features, output, loss, penalty, optimizer step, schedule."""
    with st.expander("The update rule of this run", expanded=False):
        st.latex(r"\mathbf{x} = \big(" + ",\\ ".join(FEATURES[f].latex for f in cfg.features) + r"\big)")
        st.latex(PROBLEMS[cfg.problem].latex)
        st.latex(LOSSES[cfg.loss].latex)
        if cfg.regularizer != "none":
            reg = REGULARIZERS[cfg.regularizer]
            st.latex(reg.latex + r",\quad " + reg.grad_latex + rf",\quad \lambda = {cfg.reg_rate:g}")
        opt = OPTIMIZERS[cfg.optimizer]
        st.markdown(f"**{opt.label}** (`{opt.torch_name}`), η = {cfg.lr:g}")
        st.latex(opt.latex)
        if cfg.schedule != "constant":
            st.latex(SCHEDULES[cfg.schedule].latex)


presets()
cfg, show_test, discrete = settings()
share_hint()
shown = next((p for p in PRESETS.values() if p.config == cfg), None)
if shown is not None:
    st.info(f"**{shown.title}.** {shown.story}", icon=":material/school:")
if cfg is not None:
    player(cfg, show_test, discrete)
    update_rule(cfg)
