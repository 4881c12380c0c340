"""Weight initialization: signal through depth (with A/B), symmetry, a training race, transfer learning."""

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from core.engine.activations import ACTIVATIONS
from core.engine.initializers import INITIALIZERS
from core.lessons.initialization.signal_depth import SignalReport
from core.lessons.initialization.symmetry import CONSTANT
from core.engine.optim import OPTIMIZERS
from ui.charts import theme
from ui.initialization import cached
from ui.navigation import PAGES
from ui.urlstate import bound, share_hint

INITS = list(INITIALIZERS)
ACTS = list(ACTIVATIONS)
RANDOM_INITS = [name for name, init in INITIALIZERS.items() if init.distribution != "zeros"]
WIDTHS = [16, 32, 64, 128, 256, 512, 1024]
BATCHES = [16, 32, 64, 128, 256]
RACE_OPTIMIZERS = [name for name in ("sgd", "momentum", "adam", "rmsprop") if name in OPTIMIZERS]
LEARNING_RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
RACE_LOSS_CAP = 10.0  # the loss axis stops here: exploding starts reach 1e80

title, link = st.columns([5, 1], vertical_alignment="bottom")
title.title("Weight initialization")
with link:
    share_hint()
st.markdown(
    "Training starts from whatever weights we draw before the first step, and that choice decides whether a deep "
    "network can learn at all: too small and the signal vanishes layer after layer, too large and it explodes."
)
INTRO_MORE = (
    "Every layer multiplies its input by $W^{(l)}$, and if all weights are equal every unit in a layer learns the "
    "same thing. Good initializers pick the spread $\\sigma$ of the weights from the layer's size — "
    "$\\text{fan\\_in}$ inputs and $\\text{fan\\_out}$ outputs — so that the variance of the activations and of "
    "the gradients stays the same from layer to layer."
)


SIGNAL_TEXT = (
    "Above, one batch of standard-normal inputs goes forward through equally wide layers "
    "($\\text{fan\\_in} = \\text{fan\\_out}$ = width, a 10-class softmax on top) and its gradient comes "
    "back: the boxes show how the activations $a^{(l)}$ and "
    "the gradients $\\partial\\mathcal{L}/\\partial a^{(l)}$ are spread in each layer, the lines their standard "
    "deviation on a log axis. Under ReLU, He's $\\sigma = \\sqrt{2/\\text{fan\\_in}}$ keeps both lines flat, while "
    "Glorot's $\\sigma = \\sqrt{2/(\\text{fan\\_in} + \\text{fan\\_out})}$ is made for tanh: here it has half "
    "He's variance, so the signal loses half its variance at every layer, and `normal_small` wipes it out within "
    "a few layers. Switch on A/B to compare two set-ups on the very same inputs and seed."
)


def _formula(init: str, width: int) -> None:
    """The initializer's formula from the registry and its σ for fan_in = fan_out = width."""
    st.latex(INITIALIZERS[init].latex)
    st.caption(f"σ = {INITIALIZERS[init].std(width, width):.4g} for fan_in = fan_out = {width}")


@st.fragment
def signal_section() -> None:
    st.header("Signal through depth")
    c1, c2, c3, c4 = st.columns(4)
    depth = bound(c1.slider, "Depth (hidden layers)", 2, 30, 20, key="depth")
    width = bound(c2.select_slider, "Width (units per layer)", WIDTHS, value=256, key="width")
    batch = bound(c3.select_slider, "Batch of N(0, 1) inputs", BATCHES, value=128, key="batch")
    seed = bound(c4.number_input, "Seed", 0, 9999, 0, key="seed")
    ab = bound(c4.toggle, "A/B mode", key="ab", help="Compare two set-ups on the same inputs and seed")
    cols = st.columns(2) if ab else [st.container()]
    setups = [("A", "relu", "he_normal", "act", "init"), ("B", "relu", "glorot_normal", "act_b", "init_b")]
    shown: list[tuple[str, str, str]] = []  # (label, activation, initializer) per set-up on show
    for col, (tag, act0, init0, act_key, init_key) in zip(cols, setups):
        with col:
            a, b, formula = st.columns(2) + [st.container()] if ab else st.columns([1, 1, 1.3], vertical_alignment="center")
            suffix = f" {tag}" if ab else ""
            act = bound(a.selectbox, "Activation" + suffix, ACTS, index=ACTS.index(act0), key=act_key)
            init = bound(b.selectbox, "Initializer" + suffix, INITS, index=INITS.index(init0), key=init_key)
            with formula:  # beside the choices, so the charts start on the first screen
                _formula(init, width)
            label = f"{tag}: {act} · {init}" if ab else f"{act} · {init}"
            report = cached.signal(depth, width, act, init, batch, int(seed))
            _describe(report)
            charts = st.columns(1 if ab else 2)
            boxes = cached.signal_boxes(depth, width, act, init, batch, int(seed), theme.current_scale())
            charts[0].vega_lite_chart(spec=boxes[0], width="stretch")
            charts[-1].vega_lite_chart(spec=boxes[1], width="stretch")
            shown.append((label, act, init))
    left, right = st.columns(2)
    std_a, std_g = cached.signal_std(depth, width, batch, int(seed), tuple(shown), ab, theme.current_scale())
    left.vega_lite_chart(spec=std_a, width="stretch")
    right.vega_lite_chart(spec=std_g, width="stretch")
    st.caption("Boxes: 25–75 % of the batch × unit values, whiskers 1–99 %, black tick the median. "
               "Std is taken over all batch × unit values of a layer; hover a point for the RMS √mean(a²), "
               "the quantity He's derivation keeps constant for ReLU.")
    st.markdown(INTRO_MORE + " " + SIGNAL_TEXT)
    with st.expander(f"Every initializer's formula and its σ at fan_in = fan_out = {width}"):
        for name in INITS:
            st.markdown(f"**{name}** — σ = {INITIALIZERS[name].std(width, width):.4g}")
            st.latex(INITIALIZERS[name].latex)


def _describe(report: SignalReport) -> None:
    """One line on what happened to the signal: growth factor over the layers, dead units, overflow."""
    a = report.activations.std
    if report.first_overflow:
        st.warning(f"The values overflowed to ±∞ at layer {report.first_overflow}: the signal exploded.",
                   icon="💥")
    elif not np.any(a > 0):
        st.info("Every activation is the same constant in every layer (std 0): nothing for training to work with.")
    else:
        dead = float(np.mean(report.dead_fraction))
        st.caption(f"std of a: layer 1 → {report.config.depth}: {a[0]:.3g} → {a[-1]:.3g} (×{a[-1] / a[0]:.3g})"
                   + (f" · dead units: {dead:.0%}" if dead else ""))


@st.fragment
def symmetry_section() -> None:
    st.header("Symmetry: why not start from zero?")
    st.markdown(
        "If all weights of a layer start equal, every unit in it computes the same activation, gets the same gradient "
        "and takes the same step, so the layer acts like a single unit however wide it is. Below, a net with two "
        "hidden layers of 6 units learns a toy set by plain gradient descent from a constant start and from random "
        "weights: identical columns in a heatmap are units that are still clones. With $W = 0$ and tanh or ReLU even "
        "the hidden weights' gradients are exactly zero, so nothing moves at all."
    )
    c1, c2, c3 = st.columns(3)
    start = bound(c1.selectbox, "Symmetric start", [CONSTANT, "zeros"], key="sym")
    value = bound(c1.slider, "Constant c (W = c)", -1.0, 1.0, 0.5, 0.05, key="c", disabled=start != CONSTANT)
    rand = bound(c2.selectbox, "Random start", RANDOM_INITS, index=RANDOM_INITS.index("glorot_normal"), key="sym_rand")
    act = bound(c2.selectbox, "Activation", ACTS, index=ACTS.index("tanh"), key="sym_act")
    steps = bound(c3.slider, "Training steps k", 0, 500, 200, 10, key="k")
    dataset = bound(c3.selectbox, "Data set", ["circles", "xor", "moons", "spiral", "blobs"], key="sym_data")
    symmetric = f"{start} (c = {value:g})" if start == CONSTANT else start
    starts = ((symmetric, (start, value)), (rand, (rand, 0.0)))
    heatmaps, curves = cached.symmetry_charts(starts, act, steps, dataset, theme.current_scale())
    cols = st.columns(2)
    for col, (name, (first, c)), heatmap in zip(cols, starts, heatmaps):
        run = cached.symmetry(first, c, act, steps, dataset)[0]
        with col:
            st.subheader(name)
            m1, m2 = st.columns(2)
            m1.metric("Distinct units per hidden layer", " / ".join(map(str, run.distinct_after)),
                      help=f"before training: {' / '.join(map(str, run.distinct_before))} of 6 / 6")
            m2.metric("Training accuracy", f"{run.accuracy:.0%}")
            st.vega_lite_chart(spec=heatmap, width="content")
    if curves is not None:
        st.vega_lite_chart(spec=curves, width="stretch")


@st.fragment
def race_section() -> None:
    st.header("Training race")
    st.markdown(
        "The same network (hidden layers of 32 units, as many as the slider says), the same data, the same seed and "
        "the same optimizer — only the initial weights differ. A good start makes the loss drop at once; zeros and "
        "tiny weights leave the network stuck at the loss of a coin flip ($\\ln 2 \\approx 0.69$), and huge "
        "weights can make plain SGD diverge within a few steps."
    )
    defaults = ["zeros", "normal_small", "normal_large", "glorot_normal", "he_normal"]
    inits = bound(st.multiselect, "Initializers in the race", INITS, default=defaults, key="race")
    c1, c2, c3, c4, c5 = st.columns(5)
    act = bound(c1.selectbox, "Activation", ACTS, index=ACTS.index("relu"), key="race_act")
    opt = bound(c2.selectbox, "Optimizer", RACE_OPTIMIZERS, key="race_opt")
    lr = bound(c3.select_slider, "Learning rate η", LEARNING_RATES, value=0.1, key="race_lr")
    r = cached.RACE_STEPS
    steps = bound(c4.slider, "Steps", r.start, r[-1], 300, r.step, key="race_steps")
    depth = bound(c5.slider, "Hidden layers", 1, 10, 6, key="race_depth")
    if not inits:
        st.info("Pick at least one initializer for the race.")
        return
    lanes = cached.race(tuple(inits), act, opt, lr, steps, depth)
    st.vega_lite_chart(spec=cached.race_chart(tuple(inits), act, opt, lr, steps, depth, RACE_LOSS_CAP,
                                              theme.current_scale()), width="stretch")
    off = [lane.init for lane in lanes if len(lane.losses) and np.nanmax(lane.losses) > RACE_LOSS_CAP]
    above = f"Above the axis (loss > {RACE_LOSS_CAP:g}): {', '.join(off)}. " if off else ""
    st.caption(above + "Lines that lie on top of each other are told apart in the table.")
    st.dataframe(pd.DataFrame({
        "initializer": [lane.init for lane in lanes],
        "final loss": [f"{lane.final_loss:.4f}" if np.isfinite(lane.final_loss) else "—" for lane in lanes],
        "training accuracy": [f"{lane.accuracy:.1%}" if np.isfinite(lane.accuracy) else "—" for lane in lanes],
        "status": [lane.status for lane in lanes],
    }), hide_index=True, width="stretch")


def transfer_section() -> None:
    """Transfer learning, with a link to the page that does it for real."""
    st.header("Transfer learning: the best initialization is a trained network")
    st.markdown(
        "Instead of random numbers we can start from weights that another network already learned on a related task. "
        "The early layers of such a network detect generic patterns (edges, textures, strokes), so they are a far better "
        "starting point than noise: we copy them, keep them frozen or fine-tune them with a small learning rate, and "
        "train only a new output layer for our own classes. This works when the old task resembles the new one; weights "
        "learned on large, varied data sets transfer best."
    )
    fashion = next(p for p in PAGES if p.url_path == "fashion-mnist")
    if fashion.exists:
        try:
            st.page_link(fashion.file, label="Try it for real on the Fashion-MNIST trainer page", icon=fashion.icon)
        except StreamlitAPIException:  # this page runs on its own, outside the app's navigation (tests)
            st.markdown(f"Try it for real on the [Fashion-MNIST trainer page](/{fashion.url_path}).")
    else:
        st.caption("The Fashion-MNIST trainer page (coming soon) does this for real.")


signal_section()
symmetry_section()
race_section()
transfer_section()
