"""Backpropagation walk-through: architecture, the forward pass as tensor operations, one forward–backward–update
cycle step by step in the lecture's colour code, the computational graph of the loss, and mini-batches."""

import streamlit as st

from core.engine.activations import ACTIVATIONS
from core.engine.losses import LOSSES
from core.engine.outputs import OUTPUTS
from core.lessons.backprop.architecture import count_parameters, lecture_widget_sizes, parse_architecture
from core.lessons.backprop.minibatch import REDUCTIONS
from core.lessons.backprop.walkthrough import MAZUR, default_numbers
from ui.backprop import cached
from ui.backprop import views as v
from ui.backprop.diagrams import architecture_dot, compgraph_dot, network_dot
from ui.backprop.inputs import Network, number_field, reset_to_mazur, reshape, typed_order
from ui.backprop.steps import step_detail
from ui.charts.diagrams import graphviz_chart
from ui.charts.theme import current_scale
from ui.urlstate import bound, set_from_code, share_hint

NINE = ("z", "a = f(z)", "a before", "a after", "∂L/∂a (red)", "∂a/∂z (blue)", "∂z/∂θ (green)", "δ = ∂L/∂z",
        "∂L/∂θ engine", "finite diff.", "∂L/∂θ", "before", "after")
GRAD_COLUMNS = {c: st.column_config.NumberColumn(format="%.9f") for c in NINE}
GRAD_COLUMNS["|diff|"] = st.column_config.NumberColumn(format="%.1e")

st.title("Backpropagation walk-through")
st.markdown(
    "A network is a chain of tensor operations — multiply by a weight matrix, add a bias, squash element-wise — and "
    "backpropagation gets ∂L/∂w for every weight in one backward sweep of the chain rule. Every number below comes "
    "live from the NumPy engine that trains the other pages' networks, checked against finite differences."
)


@st.fragment
def architecture_section() -> None:
    """Layers, units and the parameter count, for the lecture's widget and for any dense network typed in."""
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
    graphviz_chart(architecture_dot(arch.layer_sizes, show_bias), pic, width="stretch")


def network_section() -> Network:
    """The small network to follow by hand: shape, activations, loss, every number, η."""
    st.header("2. A small network to follow by hand")
    st.markdown(
        "The default is the 2-2-2 sigmoid network of Matt Mazur's *A Step by Step Backpropagation Example*, with "
        "½·squared error; the walk-through below reproduces his numbers (one printed figure of his is off, see its "
        "last step). Edit any number, or pick another shape, activation or loss: everything below follows. "
        "Weights are listed per receiving unit (rows separated by `;`), in the order $w_1, w_2, \\dots$ of the diagram."
    )
    cols = st.columns(6)
    ni = bound(cols[0].selectbox, "Inputs", (1, 2, 3), index=1, key="ni", on_change=reshape)
    nh = bound(cols[1].selectbox, "Hidden units", (1, 2, 3, 4), index=1, key="nh", on_change=reshape)
    no = bound(cols[2].selectbox, "Outputs", (1, 2, 3), index=1, key="no", on_change=reshape)
    act = bound(cols[3].selectbox, "Hidden activation", list(ACTIVATIONS), index=list(ACTIVATIONS).index("sigmoid"),
                key="act")
    out = bound(cols[4].selectbox, "Output activation", list(OUTPUTS), index=list(OUTPUTS).index("sigmoid"), key="out")
    loss = bound(cols[5].selectbox, "Loss", list(LOSSES), index=list(LOSSES).index("half_sse"), key="loss")
    needed = LOSSES[loss].output
    if needed and needed != out:
        st.info(f"The {loss} loss needs a **{needed}** output layer, so the network uses {needed} there.",
                icon=":material/info:")
        out = needed
    sizes = (ni, nh, no)
    d = default_numbers(sizes)
    e1, e2, e3, e4 = st.columns(4)
    x = number_field(e1, "Inputs x", "x", (d["x"],))[0]
    y_lo, y_hi = (0.0, 1.0) if loss == "binary_crossentropy" else (-10.0, 10.0)
    y = number_field(e1, "Targets y", "y", (d["y"],), y_lo, y_hi,
                     help="For cross-entropy the class is the position of the largest target.")[0]
    W1 = number_field(e2, "W(1): weights into h1; h2; …", "W1", d["W1"], help="One row per hidden unit, one number per input.")
    e2.caption(typed_order(sizes, 0))
    b1 = number_field(e2, "b(1): hidden biases", "b1", (d["b1"],))[0]
    W2 = number_field(e3, "W(2): weights into o1; o2; …", "W2", d["W2"], help="One row per output, one number per hidden unit.")
    e3.caption(typed_order(sizes, 1))
    b2 = number_field(e3, "b(2): output biases", "b2", (d["b2"],))[0]
    eta = bound(e4.number_input, "Learning rate η", 0.001, 10.0, MAZUR["eta"], 0.05, key="eta")
    update_biases = bound(e4.checkbox, "Also update the biases", False, key="ub",
                          help="Mazur updates only the weights; tick to let the step move the biases too.")
    e4.button("Reset to Mazur's example", on_click=reset_to_mazur, icon=":material/restart_alt:")
    share_hint()
    return Network(sizes, {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, x, y, act, out, loss, eta, update_biases)


def tensor_section(net: Network) -> int:
    """One layer at a time as matrix products on a batch, the bias broadcast, the same lines as NumPy."""
    st.header("3. Forward pass as tensor operations")
    st.markdown(
        "A whole batch goes through a layer at once: the batch $X$ (samples × features) times $\\mathbf{W}$ "
        "(features × units) gives one row per sample, and the bias vector $\\mathbf{b}$ (units) is *broadcast*: "
        "repeated on every row before the addition. The activation then acts on each entry separately. Row 1 is "
        "the walk-through sample; the others are random. In this layout $\\mathbf{W}$ has one *column* per unit, so "
        "it is the transpose of the rows typed in section 2 (one row per receiving unit)."
    )
    n_batch = bound(st.slider, "Batch size", 1, 8, 4, key="n")
    ops, _ = cached.batch(net, n_batch)
    for l, op in enumerate(ops, start=1):
        linear, activation = v.tensor_latex(op, l, first=l == 1)
        st.latex(v.broadcast_latex(op, l))
        st.latex(linear)
        st.latex(activation)
    st.code(v.tensor_code(ops), language="python")
    return n_batch


@st.fragment
def walk_section(wt) -> None:
    """Step control, the network with the current step outlined, the formulas, the tables so far."""
    steps = wt.steps
    step = bound(st.select_slider, "Step", steps, key="step")
    k = steps.index(step)
    back, nxt, where = st.columns([1, 1, 4], vertical_alignment="center")
    back.button("◀ Back", on_click=set_from_code, args=("step", steps[max(k - 1, 0)]), disabled=k == 0, key="back",
                width="stretch")
    nxt.button("Next ▶", on_click=set_from_code, args=("step", steps[min(k + 1, len(steps) - 1)]),
               disabled=k == len(steps) - 1, key="next", width="stretch")
    phase, i = wt.locate(step)
    where.caption(f"Step {k + 1} of {len(steps)} · {phase.replace('_', ' ')}")
    pic, table = st.columns([3, 2])
    graphviz_chart(network_dot(wt, phase, i), pic, width="stretch")
    units = v.forward_after_frame(wt) if phase == "new_loss" else v.forward_frame(
        wt, i + 1 if phase == "forward" else len(wt.forward))
    table.dataframe(units, hide_index=True, width="stretch", column_config=GRAD_COLUMNS)
    step_detail(wt, phase, i)
    done = i + 1 if phase == "backward" else (0 if phase in ("forward", "loss") else len(wt.backward))
    if phase in ("update", "new_loss"):
        st.dataframe(v.update_frame(wt), hide_index=True, width="stretch", height="content", column_config=GRAD_COLUMNS)
    elif done:
        st.dataframe(v.backward_frame(wt, done), hide_index=True, width="stretch", column_config=GRAD_COLUMNS)
    else:
        table.caption("The backward pass starts after the loss: ∂L/∂θ for each parameter will collect in a table.")


def walkthrough_section(wt) -> None:
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


def graph_section(net: Network) -> None:
    st.header("5. Computational graph")
    st.markdown(
        "Frameworks record every operation of the forward pass as a graph: inputs, weights and biases are leaves, "
        "each product, sum and activation a node, the loss the root. `loss.backward()` walks it from the root "
        "back to the leaves, multiplying local derivatives, so every node ends up holding $\\partial \\mathcal{L}/\\partial$node."
    )
    grads_on = bound(st.toggle, "Show gradients (after the backward pass)", True, key="cg")
    graphviz_chart(compgraph_dot(cached.graph(net), grads_on), width="stretch")
    st.caption("White: data (no gradient needed) · blue: weights and biases · grey: operations · green: the loss.")


def minibatch_section(net: Network, n_batch: int) -> None:
    st.header("6. Mini-batches and training")
    st.markdown(
        "With a batch, each sample gives its own gradient for every weight; the update uses their sum or their "
        "mean (the engine, like PyTorch, uses the mean). A sum is the same step as the mean with $\\eta$ "
        f"multiplied by the batch size. Here are the {n_batch} samples of section 3, then plain SGD on that batch."
    )
    m1, m2 = st.columns([1, 3])
    reduction = bound(m1.radio, "Combine per-sample gradients by", REDUCTIONS, key="red")
    k_steps = bound(m1.number_input, "Train k steps", 1, 500, 100, 10, key="k")
    m2.dataframe(cached.batch(net, n_batch)[1], hide_index=True, width="stretch", height="content")
    spec, first, final = cached.train(net, n_batch, k_steps, reduction, current_scale())
    m1.metric(f"Batch loss after {k_steps} steps", v.num(final, 6),
              delta=v.num(final - first, 6) if first is not None else None, delta_color="inverse")
    m2.vega_lite_chart(spec, width="stretch")


architecture_section()
network = network_section()
walk = cached.walk(network)
n_batch = tensor_section(network)
walkthrough_section(walk)
graph_section(network)
minibatch_section(network, n_batch)
