"""Backpropagation walk-through: architecture, the forward pass as tensor operations, one forward–backward–update
cycle step by step in the lecture's colour code, the computational graph of the loss, and mini-batches."""

import pandas as pd
import streamlit as st

from core.engine.activations import ACTIVATIONS
from core.lessons.backprop.architecture import count_parameters, lecture_widget_sizes, parse_architecture
from core.lessons.backprop.compgraph import build_graph
from core.engine.losses import LOSSES
from core.lessons.backprop.minibatch import REDUCTIONS, batch_gradients, make_batch, tensor_ops, train_curve
from core.engine.outputs import OUTPUTS
from core.lessons.backprop.walkthrough import MAZUR, default_numbers, params_from_rows, step_names, walkthrough, weight_names
from ui.backprop import views as v
from ui.backprop.diagrams import architecture_dot, compgraph_dot, network_dot
from ui.backprop.inputs import number_field, set_numbers
from ui.charts.builders import line_chart
from ui.urlstate import bound, set_from_code, share_hint

NUMBER_KEYS = ("x", "y", "W1", "b1", "W2", "b2")
MAZUR_NOTE = (
    "Mazur's post prints **0.291027924** for the error after this update. Exact arithmetic gives **0.291027774**, "
    "both with the updated weights at full precision and with the 9-digit weights his post prints (this engine "
    "and PyTorch agree), so his figure is 1.5·10⁻⁷ too high."
)

st.title("Backpropagation walk-through")
st.markdown(
    "A network is a chain of simple tensor operations: multiply by a weight matrix, add a bias, squash "
    "element-wise. Training needs ∂L/∂w for every weight, and backpropagation gets all of them in one "
    "backward sweep by reusing the chain rule layer by layer. Every number below is computed live by the "
    "same NumPy engine that trains the networks on the other pages, and checked against finite differences."
)

st.header("1. Architecture")
st.markdown(
    "Each layer $l$ holds a weight matrix $\\mathbf{W}^{(l)}$ connecting every unit of the layer below to "
    "every unit of layer $l$, plus one bias per unit. So a dense layer with $n_{l-1}$ inputs and $n_l$ units "
    "has $n_{l-1} n_l + n_l$ parameters, and the count grows with the product of neighbouring widths."
)
ctl, pic = st.columns([1, 3])
with ctl:
    n_layers = bound(st.slider, "Hidden layers", 0, 6, 3, key="layers")
    n_nodes = bound(st.slider, "Nodes per hidden layer", 1, 12, 6, key="nodes")
    show_bias = bound(st.checkbox, "Show bias nodes", False, key="bnodes")
    arch = count_parameters(lecture_widget_sizes(n_layers, n_nodes))
    st.metric("Parameters", f"{arch.total:,}", help="Σ over layers of fan-in × fan-out weights plus one bias per unit")
    st.caption(f"{arch.n_weights:,} weights + {arch.n_biases:,} biases")
    spec = bound(st.text_input, "Count any dense network", "784-512-512-10", key="arch",
                 help="Layer sizes from input to output, separated by dashes.")
    try:
        other = count_parameters(parse_architecture(spec))
        per_layer = " + ".join(f"{w + b:,}" for w, b in zip(other.weights, other.biases))
        st.markdown(f"**{'-'.join(map(str, other.layer_sizes))}** → **{other.total:,}** parameters "
                    f"({other.n_weights:,} weights, {other.n_biases:,} biases; per layer {per_layer})")
    except ValueError as err:
        st.error(f"**Count any dense network**: {err}", icon=":material/error:")
pic.graphviz_chart(architecture_dot(arch.layer_sizes, show_bias), width="stretch")


def _reshape() -> None:
    """A new shape gets fresh default numbers (a weight list for 2-2 cannot fill a 3-4 layer), and the step
    reached stays if the new shape has it (the output layer's steps do), else the walk starts again."""
    sizes = (st.session_state["ni"], st.session_state["nh"], st.session_state["no"])
    set_numbers(default_numbers(sizes), NUMBER_KEYS)
    steps = step_names(sizes)
    if st.session_state.get("step") not in steps:
        set_from_code("step", steps[0])


def _mazur() -> None:
    """Back to Matt Mazur's 2-2-2 example, at the first step."""
    for key, value in dict(ni=2, nh=2, no=2, act="sigmoid", out="sigmoid", loss="half_sse", eta=MAZUR["eta"],
                           ub=False, step="z_h1").items():
        set_from_code(key, value)
    set_numbers(MAZUR, NUMBER_KEYS)


def _names(sizes: tuple[int, ...], layer: int) -> str:
    """The weights of a layer in the order they are typed: 'w1, w2; w3, w4'."""
    return "; ".join(", ".join(row) for row in weight_names(sizes)[layer].T)


st.header("2. A small network to follow by hand")
st.markdown(
    "The default is the 2-2-2 sigmoid network of Matt Mazur's *A Step by Step Backpropagation Example*, with "
    "½·squared error; the walk-through below reproduces his numbers (one printed figure of his is off, see its "
    "last step). Edit any number, or pick another shape, activation or loss: everything below follows. "
    "Weights are listed per receiving unit (rows separated by `;`), in the order $w_1, w_2, \\dots$ of the diagram."
)
cols = st.columns(6)
ni = bound(cols[0].selectbox, "Inputs", (1, 2, 3), index=1, key="ni", on_change=_reshape)
nh = bound(cols[1].selectbox, "Hidden units", (1, 2, 3, 4), index=1, key="nh", on_change=_reshape)
no = bound(cols[2].selectbox, "Outputs", (1, 2, 3), index=1, key="no", on_change=_reshape)
act = bound(cols[3].selectbox, "Hidden activation", list(ACTIVATIONS), index=list(ACTIVATIONS).index("sigmoid"), key="act")
out = bound(cols[4].selectbox, "Output activation", list(OUTPUTS), index=list(OUTPUTS).index("sigmoid"), key="out")
loss = bound(cols[5].selectbox, "Loss", list(LOSSES), index=list(LOSSES).index("half_sse"), key="loss")
needed = LOSSES[loss].output
if needed and needed != out:
    st.info(f"The {loss} loss needs a **{needed}** output layer, so the network uses {needed} there.", icon=":material/info:")
    out = needed
sizes = (ni, nh, no)
d = default_numbers(sizes)
e1, e2, e3, e4 = st.columns(4)
x = number_field(e1, "Inputs x", "x", (d["x"],))[0]
y_lo, y_hi = (0.0, 1.0) if loss == "binary_crossentropy" else (-10.0, 10.0)
y = number_field(e1, "Targets y", "y", (d["y"],), y_lo, y_hi,
                 help="For cross-entropy the class is the position of the largest target.")[0]
W1 = number_field(e2, "W(1): weights into h1; h2; …", "W1", d["W1"], help="One row per hidden unit, one number per input.")
e2.caption(_names(sizes, 0))
b1 = number_field(e2, "b(1): hidden biases", "b1", (d["b1"],))[0]
W2 = number_field(e3, "W(2): weights into o1; o2; …", "W2", d["W2"], help="One row per output, one number per hidden unit.")
e3.caption(_names(sizes, 1))
b2 = number_field(e3, "b(2): output biases", "b2", (d["b2"],))[0]
eta = bound(e4.number_input, "Learning rate η", 0.001, 10.0, MAZUR["eta"], 0.05, key="eta")
update_biases = bound(e4.checkbox, "Also update the biases", False, key="ub",
                      help="Mazur updates only the weights; tick to let the step move the biases too.")
e4.button("Reset to Mazur's example", on_click=_mazur, icon=":material/restart_alt:")
share_hint()
numbers = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


@st.cache_data(show_spinner=False, max_entries=256)
def _walk(numbers: dict, x, y, act: str, out: str, loss: str, eta: float, update_biases: bool):
    return walkthrough(params_from_rows(numbers, 2), x, y, act, out, loss, eta, update_biases)


@st.cache_data(show_spinner=False, max_entries=256)
def _graph(numbers: dict, x, y, act: str, out: str, loss: str):
    return build_graph(params_from_rows(numbers, 2), x, y, act, out, loss)


@st.cache_data(show_spinner=False, max_entries=256)
def _batch(numbers: dict, x, y, act: str, out: str, loss: str, n: int, unit_names):
    X, Y = make_batch(x, y, n, loss)
    params = params_from_rows(numbers, 2)
    return X, Y, tensor_ops(params, X, act, out), batch_gradients(params, X, Y, act, out, loss, unit_names)


@st.cache_data(show_spinner=False, max_entries=256)
def _train(numbers: dict, X, Y, act: str, out: str, loss: str, eta: float, k: int, reduction: str):
    return train_curve(params_from_rows(numbers, 2), X, Y, act, out, loss, eta, k, reduction)


wt = _walk(numbers, x, y, act, out, loss, eta, update_biases)

st.header("3. Forward pass as tensor operations")
st.markdown(
    "A whole batch goes through a layer at once: the batch $X$ (samples × features) times $\\mathbf{W}$ "
    "(features × units) gives one row per sample, and the bias vector $\\mathbf{b}$ (units) is *broadcast*: "
    "repeated on every row before the addition. The activation then acts on each entry separately. Row 1 is "
    "the walk-through sample; the others are random. In this layout $\\mathbf{W}$ has one *column* per unit, so "
    "it is the transpose of the rows typed in section 2 (one row per receiving unit)."
)
n_batch = bound(st.slider, "Batch size", 1, 8, 4, key="n")
X, Y, ops, grads = _batch(numbers, x, y, act, out, loss, n_batch, wt.unit_names)
for l, op in enumerate(ops, start=1):
    linear, activation = v.tensor_latex(op, l, first=l == 1)
    st.latex(v.broadcast_latex(op, l))
    st.latex(linear)
    st.latex(activation)
st.code(v.tensor_code(ops), language="python")


def _go(steps: list[str], k: int) -> None:
    set_from_code("step", steps[k])


def _step_detail(wt, phase: str, i: int) -> None:
    """The formulas of one step, with the engine's numbers substituted."""
    if phase == "forward":
        st.markdown(f"**Forward, unit {wt.forward[i].name}**: the weighted sum of the layer below plus the bias, "
                    "then the activation.")
        st.latex(v.forward_latex(wt.forward[i]))
    elif phase == "loss":
        st.markdown(f"**Loss** (`{wt.loss}`) of the outputs ŷ against the targets y:")
        st.latex(LOSSES[wt.loss].latex)
        st.latex(v.loss_latex(wt))
    elif phase == "backward":
        g = wt.backward[i]
        st.markdown(f"**Backward, ∂L/∂{g.param}**: red · blue · green, each factor with its numbers, then the "
                    "finite-difference check.")
        for line in v.gradient_latex(wt, g):
            st.latex(line)
    elif phase == "update":
        what = "weights and biases" if wt.update_biases else "the weights only, as in Mazur's post"
        st.markdown(f"**Update**: one gradient-descent step with η = {wt.eta:g}, every layer at once ({what}):")
        st.latex(r"W^{(l)}_{(i+1)} = W^{(l)}_{(i)} - \eta\,\frac{\partial \mathcal{L}}{\partial W^{(l)}_{(i)}}"
                 r"\qquad\text{for example:}")
        shown = [wt.weight_names[-1][0, 0], wt.weight_names[0][0, 0]] + (["b_" + wt.unit_names[-1][0]] if wt.update_biases else [])
        for param in shown:
            st.latex(v.update_latex(wt, param))
    else:
        st.markdown("**New loss**: the same sample forward through the updated network, then the loss again:")
        st.latex(v.loss_latex(wt, after=True))
        a, b, c = st.columns(3)
        a.metric("Loss before", v.num(wt.loss_before))
        b.metric("Loss after", v.num(wt.loss_after), delta=v.num(wt.loss_after - wt.loss_before), delta_color="inverse")
        c.metric("Outputs after", ", ".join(v.num(o, 4) for o in wt.outputs_after))
        if v.is_mazur(wt):
            st.info(MAZUR_NOTE, icon=":material/info:")


NINE = ("z", "a = f(z)", "a before", "a after", "∂L/∂a (red)", "∂a/∂z (blue)", "∂z/∂θ (green)", "δ = ∂L/∂z",
        "∂L/∂θ engine", "finite diff.", "∂L/∂θ", "before", "after")
GRAD_COLUMNS = {c: st.column_config.NumberColumn(format="%.9f") for c in NINE}
GRAD_COLUMNS["|diff|"] = st.column_config.NumberColumn(format="%.1e")


@st.fragment
def walk_section(wt) -> None:
    """Step control, the network with the current step outlined, the formulas, the tables so far."""
    steps = wt.steps
    step = bound(st.select_slider, "Step", steps, key="step")
    k = steps.index(step)
    back, nxt, where = st.columns([1, 1, 4], vertical_alignment="center")
    back.button("◀ Back", on_click=_go, args=(steps, k - 1), disabled=k == 0, key="back", width="stretch")
    nxt.button("Next ▶", on_click=_go, args=(steps, k + 1), disabled=k == len(steps) - 1, key="next", width="stretch")
    phase, i = wt.locate(step)
    where.caption(f"Step {k + 1} of {len(steps)} · {phase.replace('_', ' ')}")
    pic, table = st.columns([3, 2])
    pic.graphviz_chart(network_dot(wt, phase, i), width="stretch")
    units = v.forward_after_frame(wt) if phase == "new_loss" else v.forward_frame(
        wt, i + 1 if phase == "forward" else len(wt.forward))
    table.dataframe(units, hide_index=True, width="stretch", column_config=GRAD_COLUMNS)
    _step_detail(wt, phase, i)
    done = i + 1 if phase == "backward" else (0 if phase in ("forward", "loss") else len(wt.backward))
    if phase in ("update", "new_loss"):
        st.dataframe(v.update_frame(wt), hide_index=True, width="stretch", height="content", column_config=GRAD_COLUMNS)
    elif done:
        st.dataframe(v.backward_frame(wt, done), hide_index=True, width="stretch", column_config=GRAD_COLUMNS)
    else:
        table.caption("The backward pass starts after the loss: ∂L/∂θ for each parameter will collect in a table.")


st.header("4. The walk-through: forward, backward, update")
st.markdown(
    "Step through one training iteration on the single sample $(\\mathbf{x}, \\mathbf{y})$. Forward: each unit's "
    "$z$ and $a$. Backward: each $\\partial \\mathcal{L}/\\partial w$ as "
    "$\\color{red}{\\partial \\mathcal{L}/\\partial a}\\cdot\\color{blue}{\\partial a/\\partial z}\\cdot\\color{green}{\\partial z/\\partial w}$; "
    "a hidden unit's red factor collects the deltas $\\delta = \\partial \\mathcal{L}/\\partial z$ of the layer above, "
    "which is why the sweep runs backwards. Then one gradient-descent step with $\\eta$. (The lecture writes "
    "$g$ for the output unit's activation: $\\color{red}{\\partial \\mathcal{L}/\\partial g}\\cdot"
    "\\color{blue}{\\partial g/\\partial z_0}\\cdot\\color{green}{\\partial z_0/\\partial w_i}$.)"
)
walk_section(wt)

st.header("5. Computational graph")
st.markdown(
    "Frameworks record every operation of the forward pass as a graph: inputs, weights and biases are leaves, "
    "each product, sum and activation a node, the loss the root. `loss.backward()` walks it from the root "
    "back to the leaves, multiplying local derivatives, so every node ends up holding $\\partial \\mathcal{L}/\\partial$node."
)
grads_on = bound(st.toggle, "Show gradients (after the backward pass)", True, key="cg")
st.graphviz_chart(compgraph_dot(_graph(numbers, x, y, act, out, loss), grads_on), width="stretch")
st.caption("White: data (no gradient needed) · blue: weights and biases · grey: operations · green: the loss.")

st.header("6. Mini-batches and training")
st.markdown(
    "With a batch, each sample gives its own gradient for every weight; the update uses their sum or their "
    "mean (the engine, like PyTorch, uses the mean). A sum is the same step as the mean with $\\eta$ "
    f"multiplied by the batch size. Here are the {n_batch} samples of section 3, then plain SGD on that batch."
)
m1, m2 = st.columns([1, 3])
reduction = bound(m1.radio, "Combine per-sample gradients by", REDUCTIONS, key="red")
k_steps = bound(m1.number_input, "Train k steps", 1, 500, 100, 10, key="k")
m2.dataframe(v.batch_frame(grads), hide_index=True, width="stretch", height="content")
curve, final = _train(numbers, X, Y, act, out, loss, eta, k_steps, reduction)
df = pd.DataFrame({"step": range(len(curve) + 1), "loss": [*curve, final]})
m1.metric(f"Batch loss after {k_steps} steps", v.num(final, 6), delta=v.num(final - curve[0], 6) if len(curve) else None,
          delta_color="inverse")
m2.altair_chart(line_chart(df, "step", "loss", title=f"SGD on the batch, η = {eta:g} ({reduction} of gradients)",
                           y_title="batch loss (mean)"), width="stretch")
