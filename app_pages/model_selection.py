"""Model selection & regularization: early stopping, capacity, L1/L2, dropout and batch norm, live on the digits."""

import streamlit as st

from core.engine.batchnorm import LATEX as BN_LATEX
from core.engine.dropout import LATEX as DROPOUT_LATEX
from core.engine.regularizers import REGULARIZERS
from core.lessons.model_selection.capacity import MEMO_VAL
from core.lessons.model_selection.data import CHANCE, N_VAL
from core.lessons.model_selection.dropout import DIAGRAMS
from core.lessons.model_selection.early_stopping import MAX_EPOCHS, MONITORS, CurveConfig
from ui.charts.diagrams import graphviz_chart
from ui.charts.theme import current_scale
from ui.model_selection import cached
from ui.urlstate import bound, share_hint

WIDTHS = [16, 32, 64, 128, 256]
LAMBDAS = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2]
BN_RATES = [0.03, 0.1, 0.3, 1.0]
BN_STEPS = [100, 300, 600]


def _pct(x: float) -> str:
    return f"{x:.1%}"


st.title("Model selection & regularization")
st.markdown(
    "A network big enough to fit its training set — noise included — does worse on images it has not seen. "
    f"Small networks trained live on scikit-learn's digits (8×8, 10 classes, {N_VAL} fixed validation images) show "
    "five ways to find or enforce the right capacity."
)
share_hint()


@st.fragment
def early_stopping_section() -> None:
    st.header("1. Overfitting and early stopping")
    c1, c2, c3, c4 = st.columns(4)
    width = bound(c1.select_slider, "Width (2 hidden layers)", WIDTHS, value=64, key="width")
    epochs = bound(c2.slider, "Epochs", 10, MAX_EPOCHS, 40, 5, key="epochs")
    patience = bound(c3.slider, "Patience k (epochs)", 1, 15, 5, key="patience")
    noise = bound(c4.slider, "Label noise", 0.0, 0.5, 0.2, 0.05, key="noise")
    chart = st.empty()
    c1, c2, c3 = st.columns([2, 1, 1])
    watched = bound(c1.radio, "Early stopping watches", list(MONITORS.values()), key="monitor", horizontal=True)
    monitor = next(k for k, label in MONITORS.items() if label == watched)
    smooth = bound(c2.slider, "Moving average (epochs)", 1, 5, 1, key="smooth")
    kind = bound(c3.radio, "Show", ["loss", "accuracy"], key="show", horizontal=True)
    spec, c = cached.early_stopping(width, epochs, patience, noise, monitor, smooth, kind, current_scale())
    chart.vega_lite_chart(spec, width="stretch")
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Best epoch (restored)", c.best_epoch)
    m2.metric("Stopped at epoch", c.stop_epoch if c.stop_epoch else "—",
              "patience never ran out" if not c.stop_epoch else None, delta_color="off", delta_arrow="off")
    m3.metric("Validation accuracy, restored", _pct(c.restored_val_acc))
    m4.metric(f"… after all {epochs} epochs", _pct(c.final_val_acc))
    st.markdown(
        "The validation loss falls, reaches its best value and rises again while the training loss keeps falling: "
        "the network starts to memorize the noisy labels (a share of the training labels replaced by random ones). "
        "Early stopping waits $k$ epochs (the *patience*) without improvement, then stops and restores the weights "
        "of the best epoch; a moving average keeps a bumpy curve from stopping too soon."
    )
    st.caption(f"Network 64-{width}-{width}-10 (ReLU, softmax), Adam η = 0.005, minibatches of 30 from 360 training "
               "images, trained once for all epochs while early stopping watches (`EarlyStopping(stop=False)`): a "
               "stopping run sees the same minibatches, so the faded continuation is what training would have done "
               "without the stop. The green band is the patience window after the best epoch.")


@st.fragment
def capacity_section() -> None:
    st.header("2. Capacity and memorization")
    st.markdown(
        "The number of learnable parameters is the model's *capacity*. Too few and it underfits; enough and it "
        "fits every training image. In the extreme it memorizes: trained on labels that were shuffled, so the "
        "pixels say nothing about them, a wide network still reaches 100 % training accuracy — and stays at "
        f"chance ({CHANCE:.0%}) on validation images."
    )
    c1, c2 = st.columns(2)
    epochs = bound(c1.slider, "Epochs per network", 5, 20, 10, 5, key="sweep_epochs")
    noise = bound(c2.slider, "Label noise in the sweep", 0.0, 0.5, 0.0, 0.1, key="sweep_noise")
    st.vega_lite_chart(cached.sweep(epochs, noise, current_scale()), width="stretch")
    st.subheader("Memorizing shuffled labels")
    c1, c2 = st.columns(2)
    width = bound(c1.select_slider, "Hidden units", [32, 64, 128, 256, 512], value=256, key="mem_width")
    n_train = bound(c2.slider, "Training images", 50, 300, 150, 50, key="mem_n")
    spec, mem = cached.memorizing(width, n_train, current_scale())
    st.vega_lite_chart(spec, width="stretch")
    st.caption(f"64-{width}-10, {mem.n_params:,} parameters for {n_train} images; full-batch Adam, η = 0.01; "
               f"validated on {MEMO_VAL} images. "
               f"Shuffled labels: training accuracy {_pct(mem.shuffled_train[-1])}, validation "
               f"{_pct(mem.shuffled_val[-1])}; true labels: validation {_pct(mem.true_val[-1])}.")
    st.subheader("Information bottleneck")
    st.markdown("A layer narrower than what the task needs loses information that no later layer can recover: "
                "the lecture's 256 → 32 units lose almost nothing, 256 → 2 loses most of it.")
    first = bound(st.columns(2)[0].select_slider, "First hidden layer", [64, 128, 256], value=256, key="first")
    st.vega_lite_chart(cached.bottleneck(first, current_scale()), width="stretch")


@st.fragment
def penalty_section() -> None:
    st.header("3. L1 vs L2 regularization")
    st.markdown(
        "Add a penalty on the weights to the loss. L1 pushes every weight towards 0 by the same amount "
        "$\\eta\\lambda$ per step, so weights the data does not need end up at (or around) 0: a sparse network. "
        "L2 shrinks each weight in proportion to its size: many small weights, few exact zeros."
    )
    st.latex(REGULARIZERS["L1"].latex + r"\qquad " + REGULARIZERS["L1"].grad_latex)
    st.latex(REGULARIZERS["L2"].latex + r"\qquad " + REGULARIZERS["L2"].grad_latex)
    c1, c2 = st.columns(2)
    lam = bound(c1.select_slider, "Strength λ (same for L1 and L2)", LAMBDAS, value=3e-3, key="lam")
    epochs = bound(c2.slider, "Epochs", 10, 40, 30, 10, key="pen_epochs")
    spec, table = cached.penalties(lam, epochs, current_scale())
    left, right = st.columns([1, 1])
    left.vega_lite_chart(spec, width="stretch")
    right.dataframe(table, hide_index=True)
    right.caption(
        "Network 64-128-10, plain SGD η = 0.1, 20 % label noise; exact zeros have no place on the log axis and are "
        "counted in the table only. Plain L1 follows the subgradient λ·sign(w), as "
        "torch's autograd does: a weight near 0 overshoots by up to ηλ each step and jitters around 0 instead of "
        "staying there. The proximal step sets w ← sign(w)·max(|w| − ηλ, 0) after each update and lands on exact zeros.")
    st.subheader("Weight decay is an L2 penalty")
    st.markdown("The gradient of $\\frac{\\lambda}{2}\\lVert W\\rVert^2$ is $\\lambda W$ — exactly what an optimizer's "
                "`weight_decay=λ` adds to the gradient. Trained from the same start on the same minibatches:")
    steps = bound(st.columns(2)[0].select_slider, "Steps", [1, 10, 50], value=1, key="decay_steps")
    st.dataframe(cached.decay(1e-2, steps), hide_index=True)
    st.caption("After one step SGD and Adam agree to the last bit. Later they drift apart only because torch's "
               "plain `weight_decay` also shrinks the biases b, which the penalty leaves alone (Adam's normalization "
               "magnifies that small difference). With parameter groups — weight decay on the weights W only, as "
               "`torch.optim.SGD([{'params': weights, 'weight_decay': λ}, {'params': biases, 'weight_decay': 0}])` — "
               "the runs stay identical at every step. AdamW decouples the decay from the gradient: a different method.")


@st.fragment
def dropout_section() -> None:
    st.header("4. Dropout")
    st.markdown(
        "Every iteration, each hidden activation $a_j$ is set to 0 with probability $p$ (the dropout rate), "
        "so no unit can rely on one particular other unit. At test time nothing is dropped."
    )
    st.latex(DROPOUT_LATEX)
    c1, c2, c3 = st.columns(3)
    shape = bound(c1.selectbox, "Network", list(DIAGRAMS), key="net")
    p = bound(c2.slider, "Dropout rate p", 0.1, 0.9, 0.5, 0.1, key="p")
    iteration = bound(c3.slider, "Iteration", 1, 100, 3, key="it")
    left, right = st.columns([1, 1])
    graphviz_chart(cached.dropout_diagram(shape, p, iteration), left, width="stretch")
    right.markdown("Grey, dashed: units dropped in this iteration (×0); the others pass $a_j/(1-p)$ on. "
                   "Move the iteration for a new mask.")
    a = bound(right.slider, "An activation a", 0.0, 2.0, 0.8, 0.1, key="a")
    st.dataframe(cached.expectation(a, p), hide_index=True)
    st.caption(f"Inverted dropout scales kept units by 1/(1 − p) = {1 / (1 - p):.3g} during training, so the "
                  "expected activation already equals the test-time value a. The lecture's version leaves training "
                  f"alone and scales by (1 − p) = {1 - p:.2g} at test time. Either way training and test agree on average.")
    st.subheader("Dropout against overfitting")
    rate = bound(st.columns(2)[0].slider, "Dropout rate in training", 0.1, 0.7, 0.5, 0.1, key="drop_train")
    cfg = CurveConfig()
    spec, n = cached.dropout_curves(rate, current_scale())
    st.vega_lite_chart(spec, width="stretch")
    st.caption(f"Section 1's default network (64-{cfg.width}-{cfg.width}-10, {cfg.label_noise:.0%} label noise), "
               f"trained for {cfg.epochs} epochs without early stopping. Best validation loss: "
               f"{n['base_best']:.3f} without dropout, {n['drop_best']:.3f} with p = {rate:g}; "
               f"final validation accuracy {_pct(n['base_acc'])} vs {_pct(n['drop_acc'])}.")


@st.fragment
def batchnorm_section() -> None:
    st.header("5. Batch normalization")
    st.markdown(
        "Batch norm normalizes each unit's pre-activation within the minibatch to mean 0 and standard deviation 1, "
        "then lets the network rescale it with learnable γ and β. For use at test time it keeps an exponential "
        "moving average of the batch means and variances. Deep sigmoid networks, whose gradients vanish, train again."
    )
    st.latex(BN_LATEX)
    c1, c2, c3 = st.columns(3)
    depth = bound(c1.slider, "Hidden layers (32 sigmoid units each)", 4, 10, 8, key="depth")
    lr = bound(c2.select_slider, "Learning rate η (plain SGD)", BN_RATES, value=0.3, key="bn_lr")
    steps = bound(c3.select_slider, "Steps", BN_STEPS, value=300, key="bn_steps")
    spec, (acc_without, acc_with) = cached.deep_losses(depth, lr, steps, current_scale())
    left, right = st.columns(2)
    left.vega_lite_chart(spec, width="stretch")
    left.caption(f"Validation accuracy after {steps} steps: without batch norm {_pct(acc_without)}, "
                 f"with batch norm {_pct(acc_with)}. Chance: {CHANCE:.0%}.")
    stat = bound(right.radio, "Running statistic of layer 1, unit 1", ["mean", "variance"], key="stat", horizontal=True)
    right.vega_lite_chart(cached.running(depth, lr, steps, stat, current_scale()), width="stretch")
    right.caption("Running estimate r ← 0.9·r + 0.1·(this batch's value), as torch's BatchNorm1d (momentum 0.1; "
                  "the variance unbiased). It starts at 0 and 1 and settles where the batch values scatter.")
    st.subheader("What enters each sigmoid")
    when = bound(st.radio, "Distributions at", ["start", "10 % of the steps", "end"], key="when", horizontal=True)
    step = {"start": 0, "end": steps}.get(when, steps // 10)
    st.vega_lite_chart(cached.boxes(depth, lr, steps, step, current_scale()), width="content")
    st.caption("On 200 validation images, as a training step sees them (batch norm with this batch's mean and "
               "variance). Without batch norm the inputs drift and spread differently per layer; with it each layer's "
               "inputs stay centred with a spread that γ and β learn.")


early_stopping_section()
capacity_section()
penalty_section()
dropout_section()
batchnorm_section()
