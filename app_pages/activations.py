"""Activations & gradients: f and f′, vanishing gradients, dying ReLU, ReLU vs tanh, output activations."""

import streamlit as st

from core.engine.activations import ACTIVATIONS
from core.engine.initializers import INITIALIZERS
from core.engine.optim import OPTIMIZERS
from core.lessons.activations.output_layer import DEFAULT_LOGITS, OUTPUT_ACTIVATIONS, parse_logits
from ui.activations import cached
from ui.charts.theme import current_scale
from ui.urlstate import bound, share_hint

NAMES = list(ACTIVATIONS)
WIDTHS = [8, 16, 32, 64, 128, 256]
LEARNING_RATES = [0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.3, 0.5, 1.0, 2.0, 3.0]

st.title("Activations & gradients")
st.markdown(
    "Every hidden unit computes $a = f(z)$ with $z = \\mathbf{W}^{(l)}\\mathbf{a}^{(l-1)} + \\mathbf{b}^{(l)}$: "
    "$f$ decides what shapes a network can draw, and $f'(z)$, a factor in every gradient through the unit, how well it learns."
)
share_hint()


@st.fragment
def function_section() -> None:
    st.header("1. Function and derivative")
    c1, c2, c3, c4 = st.columns([1, 1, 1, 3])  # room for four activation chips on one line
    z_max = bound(c1.slider, "Range of z (±)", 1.0, 12.0, 6.0, 0.5, key="zr")
    z0 = bound(c2.slider, "Probe z", -12.0, 12.0, 1.0, 0.1, key="z0", help="Reads off f(z) and f′(z).")
    threshold = bound(c3.slider, "Shade |f′(z)| <", 0.0, 0.5, 0.05, 0.01, key="sat",
                       help="Grey bands where the derivative is this small: the unit is saturated.")
    names = bound(c4.multiselect, "Activations", NAMES, default=["sigmoid", "tanh", "relu", "leaky_relu"], key="acts")
    if not names:
        st.info("Pick at least one activation to plot.")
        return
    names = list(dict.fromkeys(names))
    per_row = 2 if len(names) in (2, 4) else min(len(names), 3)  # four panels as 2 × 2: large enough to project
    for start in range(0, len(names), per_row):
        for col, name in zip(st.columns(per_row), names[start:start + per_row]):
            act = ACTIVATIONS[name]
            col.vega_lite_chart(cached.panel(name, z_max, threshold, z0, current_scale()), width="stretch")
            col.latex(act.latex)
            col.latex(act.derivative_latex)
    if not -z_max <= z0 <= z_max:
        st.caption(f"The probe z = {z0:g} lies outside the plotted range ±{z_max:g}: widen the range to see it.")
    st.markdown(
        "Where $f'(z)$ is close to zero the unit is *saturated*: a change of $z$ barely changes $a$, and the "
        "gradient passing through is scaled down by the same tiny factor (grey bands). Sigmoid and tanh saturate "
        "on both sides; ReLU is flat only for $z \\le 0$ but exactly flat there."
    )


@st.fragment
def vanishing_section() -> None:
    st.header("2. Vanishing and exploding gradients")
    st.markdown(
        "Backpropagation multiplies one factor $f'(z)$ per layer into the gradient of $\\mathbf{W}^{(l)}$. "
        "Sigmoid's derivative is at most 0.25, so after a few layers the early weights get almost no signal; "
        "ReLU passes gradients unchanged where $z > 0$. Below: one forward and backward pass of a deep MLP on a "
        "batch of 200 moons points (½·squared error), the same weights seed for every activation. Pick the "
        "initializer `normal_large` to see the opposite: gradients that explode layer after layer."
    )
    st.latex(r"\frac{\partial \mathcal{L}}{\partial W^{(l)}} = \frac{\partial \mathcal{L}}{\partial a_{h_l}}"
             r"\,\frac{\partial a_{h_l}}{\partial z_{h_l}}\,\frac{\partial z_{h_l}}{\partial W^{(l)}}")
    c1, c2, c3 = st.columns(3)
    depth = bound(c1.slider, "Depth (hidden layers)", 2, 30, 10, key="depth")
    width = bound(c2.select_slider, "Width (units per layer)", WIDTHS, value=64, key="width")
    init = bound(c3.selectbox, "Initializer", list(INITIALIZERS), index=list(INITIALIZERS).index("he_normal"), key="init")
    names = bound(st.multiselect, "Compare activations", NAMES, default=["sigmoid", "tanh", "relu"], key="flow")
    st.latex(INITIALIZERS[init].latex)
    if not names:
        st.info("Pick at least one activation to compare.")
        return
    norms, dead, ratios = cached.flows(tuple(names), depth, width, init, current_scale())
    left, right = st.columns([3, 2])
    left.vega_lite_chart(norms, width="stretch")
    right.vega_lite_chart(dead, width="stretch")
    st.caption(f"First-layer gradient norm ÷ output-layer gradient norm: {ratios}. A dead unit outputs $a = 0$ for "
               "every sample of the batch, so no gradient reaches its incoming weights. Zero gradients cannot be "
               "drawn on a log axis and are left out.")


@st.fragment
def dying_section() -> None:
    st.header("3. Dying ReLU")
    st.markdown(
        "A ReLU unit whose $z$ is negative for every input outputs 0 and has $f'(z) = 0$: its weights never "
        "change again, so it stays dead. A too-large step η or a negative bias can push units there. Leaky ReLU "
        "keeps a slope of 0.01 for $z \\le 0$, so a switched-off unit still gets a small gradient and can come back."
    )
    st.latex(ACTIVATIONS["relu"].derivative_latex + r"\qquad " + ACTIVATIONS["leaky_relu"].derivative_latex)
    c1, c2, c3, c4 = st.columns(4)
    optimizer = bound(c1.selectbox, "Optimizer", ["adam", "sgd", "momentum"], key="dopt")
    lr = bound(c2.select_slider, "Learning rate η", LEARNING_RATES, value=0.05, key="dlr")
    shift = bound(c3.slider, "Bias shift b⁽ˡ⁾ += ", -5.0, 1.0, -3.0, 0.5, key="shift")
    steps = bound(c4.slider, "Steps", 50, 500, 200, 50, key="steps")
    inactive, losses, runs = cached.dying(optimizer, lr, shift, steps, current_scale())
    left, right = st.columns(2)
    left.vega_lite_chart(inactive, width="stretch")
    right.vega_lite_chart(losses, width="stretch")
    cols = st.columns(len(runs))
    for col, run in zip(cols, runs):
        acc = "diverged" if run.status.startswith("diverged") else f"{run.accuracy:.0%}"
        col.metric(f"{run.activation}: training accuracy", acc,
                   f"{run.inactive[-1]:.0%} of units switched off at the end", delta_color="off", delta_arrow="off")
    st.caption(f"Spiral data (200 points), net 2-32-32-2, softmax + cross-entropy, full-batch {OPTIMIZERS[optimizer].label}. "
               "Every hidden bias starts shifted by the amount above. Try SGD with η = 2 and no shift: ReLU loses "
               "more units and accuracy than leaky ReLU.")


@st.fragment
def boundary_section() -> None:
    st.header("4. ReLU vs tanh decision boundaries")
    st.markdown(
        "ReLU makes the network a piecewise-linear function, so its decision boundary is built from straight "
        "pieces; tanh is smooth and draws rounder boundaries. Both nets below see the lecture's 75 training "
        "moons and are scored on the 25 held-out ones; training uses L-BFGS on the "
        "cross-entropy with scikit-learn's default L2 penalty α = 10⁻⁴, like `MLPClassifier(solver=\"lbfgs\")`."
    )
    c1, c2 = st.columns(2)
    n_layers = bound(c1.slider, "Hidden layers n ([10] × n units)", 1, 4, 2, key="n")
    seed = bound(c2.slider, "Weight seed", 0, 9, 0, key="seed")
    st.latex(r"\text{ReLU: }" + ACTIVATIONS["relu"].latex + r"\qquad \text{tanh: }" + ACTIVATIONS["tanh"].latex)
    for col, (spec, train_accuracy, iterations) in zip(st.columns(2), cached.boundaries(n_layers, seed, current_scale())):
        col.vega_lite_chart(spec, width="stretch")
        col.caption(f"Training accuracy {train_accuracy:.2f} after {iterations} L-BFGS iterations. "
                    "White rings: training points; black rings: test points.")


@st.fragment
def output_section() -> None:
    st.header("5. Output activations")
    st.markdown(
        "The last layer turns the logits $\\mathbf{z}$ into what the loss compares with the target: sigmoid gives "
        "each output its own probability (binary or yes/no tasks), softmax makes $k$ outputs compete for one "
        "probability mass (one of $k$ classes), and regression uses no activation. Dividing the logits by a "
        "temperature $T > 1$ flattens the probabilities; label smoothing with α takes some target mass from the "
        "true class, so an over-confident prediction is punished."
    )
    c1, c2, c3 = st.columns(3)
    temperature = bound(c1.slider, "Temperature T", 0.1, 5.0, 1.0, 0.1, key="temp")
    alpha = bound(c2.slider, "Label smoothing α", 0.0, 0.5, 0.1, 0.01, key="alpha")
    kind = bound(c3.radio, "Output activation", list(OUTPUT_ACTIVATIONS), key="out", horizontal=True,
                 captions=[o.task for o in OUTPUT_ACTIVATIONS.values()])
    c1, c2 = st.columns([2, 1])
    text = bound(c1.text_input, "Logits z (2 to 10 numbers, comma-separated)", value=DEFAULT_LOGITS, key="logits")
    try:
        logits = parse_logits(text)
    except ValueError as err:
        st.warning(f"{err}. Showing the default logits {DEFAULT_LOGITS} instead.", icon="⚠️")
        logits = parse_logits(DEFAULT_LOGITS)
    true_class = bound(c2.selectbox, "True class", list(range(len(logits))), key="cls")
    spec = OUTPUT_ACTIVATIONS[kind]
    bars, loss, min_loss = cached.outputs(tuple(float(z) for z in logits), kind, true_class if true_class is not None else 0,
                                          temperature, alpha, spec.uses_temperature, current_scale())
    left, right = st.columns([3, 2])
    left.vega_lite_chart(bars, width="stretch")
    with right:
        st.latex(spec.latex)
        if spec.uses_temperature:
            st.latex(r"\hat{\mathbf{y}} = g(\mathbf{z} / T),\quad T = %.1f" % temperature)
        if kind != "none":
            st.latex(r"y^{\text{smooth}}_i = (1-\alpha)\,y_i + \frac{\alpha}{%d}" % (len(logits) if kind == "softmax" else 2))
        st.latex(spec.loss_latex)
        st.metric("Loss for this sample", f"{loss:.4f}", f"lowest reachable: {min_loss:.4f}",
                  delta_color="off", delta_arrow="off")
    if not spec.uses_temperature:
        st.caption("Regression: the outputs are the logits themselves; temperature and label smoothing do not apply.")
    elif kind == "sigmoid":
        st.caption("Each sigmoid output is its own yes/no question, so the probabilities need not sum to 1 and "
                   "smoothing spreads α over its 2 answers.")


function_section()
vanishing_section()
dying_section()
boundary_section()
output_section()
