"""Home: what the app is, a map from lecture topic to page, the compute device, and one live neuron."""

import streamlit as st

from core.engine.datasets import DATASETS
from ui.home import cached
from ui.home.charts import neuron_spec
from ui.charts.diagrams import graphviz_chart, neuron_dot
from ui.navigation import existing_pages
from ui.urlstate import bound, set_from_code, share_hint

LIMIT = 5.0  # the weight and bias sliders run from −LIMIT to LIMIT

st.title("How to Train Your Neurons")
st.markdown(
    "An interactive companion to the lecture on neural networks: every number and picture is computed live "
    "(a small NumPy engine checked against PyTorch) — from one neuron to a real network on Fashion-MNIST."
)


def slider_value(v: float) -> float:
    """A fitted number as a slider can hold it: one decimal, inside ±LIMIT, and never −0.0 (shown as "-0.00")."""
    return min(LIMIT, max(-LIMIT, round(v, 1))) + 0.0


def lecture_map() -> None:
    """Every page, with the lecture topics it covers."""
    st.subheader("Lecture map")
    for info in existing_pages()[1:]:
        left, right = st.columns([2, 3], vertical_alignment="center")
        left.page_link(info.file, label=info.title, icon=info.icon)
        right.caption(info.topics)


@st.fragment
def neuron_section() -> None:
    """Logistic regression as one neuron: weights and bias by hand, then the fitted ones (a fragment: moving a
    slider reruns this section only, not the lecture map below)."""
    st.subheader("One neuron: logistic regression")
    controls, picture = st.columns([1, 2.2])
    with controls:
        data_name = bound(st.selectbox, "Data set", list(DATASETS), key="data", help="Two-class toy data.")
        noise = bound(st.slider, "Noise", 0.0, 0.5, 0.2, 0.05, key="noise")
        w1 = bound(st.slider, "Weight w₁", -LIMIT, LIMIT, 1.0, 0.1, key="w1")
        w2 = bound(st.slider, "Weight w₂", -LIMIT, LIMIT, 1.0, 0.1, key="w2")
        b = bound(st.slider, "Bias b", -LIMIT, LIMIT, 0.0, 0.1, key="b")
        share_hint()
    log_loss, accuracy, field = cached.view(data_name, noise, w1, w2, b)
    with picture:
        points = cached.data(data_name, noise)[2]
        st.vega_lite_chart(neuron_spec(field, points, "Predicted probability ŷ over the input space"), width="stretch")
        m1, m2 = st.columns(2)
        m1.metric("Log loss", f"{log_loss:.3f}")
        m2.metric("Accuracy", f"{accuracy:.1%}")
    with st.columns([1.3, 1])[0]:  # the neuron as a diagram, about the chart's width (full width it is huge)
        graphviz_chart(neuron_dot([w1, w2], b), width="stretch")
    fitted_section(data_name, noise)
    st.markdown(
        "Logistic regression is the smallest neural network: a single neuron. It multiplies each input "
        "$x_i$ by a weight $w_i$, adds a bias $b$, and squashes the sum $z$ through the sigmoid into a "
        "probability. Move the weights and the bias: the weights turn the decision boundary "
        "(where $\\hat y = 0.5$), the bias shifts it."
    )
    st.latex(r"\hat{y} = \sigma(z) = \frac{1}{1 + e^{-z}}, \qquad z = w_1 x_1 + w_2 x_2 + b")


def fitted_section(data_name: str, noise: float) -> None:
    """The weights gradient descent finds, a button to use them, and what one straight boundary can reach."""
    (bw1, bw2), bb, accuracy = cached.best_weights(data_name, noise)
    best = {"w1": slider_value(bw1), "w2": slider_value(bw2), "b": slider_value(bb)}
    if accuracy >= 0.95:
        verdict = (f"A straight boundary is enough for the {data_name} ({accuracy:.0%} correct); try the moons, the "
                   "circles, the XOR or the spiral to see where one neuron fails and hidden layers are needed.")
    else:
        verdict = (f"A single neuron can only draw a straight boundary, and the best one gets only {accuracy:.0%} of "
                   f"the {data_name} right: that is why we need hidden layers.")
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.caption("Gradient descent (Adam, 300 steps on the log loss) finds "
                 f"w₁ = {best['w1']:.1f}, w₂ = {best['w2']:.1f}, b = {best['b']:.1f} for this data. " + verdict)
    right.button("Use these weights", icon=":material/auto_fix_high:",
                 on_click=lambda: [set_from_code(k, v) for k, v in best.items()])


neuron_section()
lecture_map()
device_slot = st.empty()  # filled at the end, so importing torch never delays the first paint
info = cached.device()
device_slot.info(f"**Compute device:** {info.description} · PyTorch {info.torch_version}", icon="⚙️")
