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
from ui.playground.views import FRAME_S, STOP_KEY, live_view
from ui.urlstate import bound, share_hint

st.title("Playground: watch a network learn")
st.caption("Every square is one unit's output over the input plane $(x_1, x_2)$; press Play and watch each layer "
           "learn a new picture. Settings and stories are below the pictures.")


def presets() -> None:
    """One button per story; the active one's sentence below."""
    bar = st.container(horizontal=True)
    for key, preset in PRESETS.items():
        bar.button(preset.title, key=f"preset_{key}", on_click=pg.apply_preset, args=(key,), help=preset.story)


def settings(notices) -> tuple[PlayConfig | None, bool, bool]:
    """Every setting (URL-bound), in tabs below the pictures → the run's config (None, with a notice in ``notices``,
    if it makes no network), and the view toggles."""
    stories, data_tab, net_tab, train_tab = st.tabs(["Stories", "Data", "Features & network", "Training"])
    with stories:
        presets()
    with data_tab:
        data = pg.data_row()
        points = pg.points_row(data["problem"], data["classes"])
        show_test, discrete = pg.view_toggles(st.container(horizontal=True, gap="large"))
    with net_tab:
        features = pg.features_row()
        hidden = pg.network_bar()
        units = pg.unit_settings()
    with train_tab:
        training = pg.training_row(data["problem"])
    if not features:
        notices.warning("Pick at least one input feature (tab *Features & network*).", icon=":material/warning:")
        return None, show_test, discrete
    try:
        return PlayConfig(hidden=hidden, points=points, features=features, **data, **units, **training), show_test, discrete
    except ValueError as err:
        notices.warning(f"These settings don't make a network: {err}", icon=":material/warning:")
        return None, show_test, discrete


def player(cfg: PlayConfig, show_test: bool, discrete: bool, bar, live) -> None:
    """Play / Pause, Step one batch, Reset, the step box, the speed; while playing only the live view reruns."""
    if st.session_state.pop(STOP_KEY, False):
        st.session_state["play"] = False
    c = bar.columns([1.0, 0.85, 0.95, 1.15, 1.45, 1.2], vertical_alignment="bottom")
    playing = c[0].toggle("▶ Play", key="play", on_change=pg.sync_step,
                          help="Train continuously; only the pictures rerun. Pause to put the step in the link.")
    c[1].button("Step", key="step_once", icon=":material/skip_next:", on_click=pg.step_once, disabled=playing,
                help="Train one batch.")
    c[2].button("Reset", key="reset", icon=":material/restart_alt:", on_click=pg.reset, help="Back to step 0.")
    with c[3]:
        if not playing:
            pg.hold_paused_step()
        step = pg.step_input()
    speed = bound(c[4].select_slider, "Batches per frame", pg.SPEEDS, key="speed", **pg.initial("speed", 25))
    with c[5]:
        share_hint()
    with live:
        if playing:
            st.fragment(run_every=FRAME_S)(live_view)(cfg, True, speed, show_test, discrete, step)
        else:
            live_view(cfg, False, speed, show_test, discrete, step)
            pg.forget_paused_step()


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


bar, story, live = st.container(), st.container(), st.container()
cfg, show_test, discrete = settings(story)
shown = next((p for p in PRESETS.values() if p.config == cfg), None)
if shown is not None:
    story.markdown(f":material/school: **{shown.title}.** {shown.story}")
if cfg is not None:
    player(cfg, show_test, discrete, bar, live)
    update_rule(cfg)
else:
    with bar:
        share_hint()
pg.dropped_link_notices(story)  # after every int box: each bad value reran the page once
st.markdown(
    "**How to read the pictures.** Each hidden unit computes $a = f(\\mathbf{w}^\\top \\mathbf{x} + b)$ and so "
    "draws one simple pattern over the plane (blue < 0 < vermillion); the next layer combines those patterns into "
    "more complex ones. Lines are weights: vermillion positive, blue negative, thicker = larger; hover one for its "
    "value. On the right, the network's output with the training points (white rings), the test points (black "
    "rings) and added points (diamonds); a click on it adds a point. Below: training and test loss, each layer's "
    "gradient norm ‖∂L/∂W‖, and, when a hidden layer has exactly 2 units, the plane as that layer sees it. "
    "Training runs in the app's NumPy engine (the same loop and optimizers that match PyTorch step for step)."
)
