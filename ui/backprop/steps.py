"""What the walk-through shows for each kind of step: one function per phase, in a registry keyed by the phase name
that core.lessons.backprop.walkthrough gives (forward, loss, backward, update, new_loss)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.engine.losses import LOSSES
from core.lessons.backprop.walkthrough import Walkthrough
from ui.backprop import views as v

MAZUR_NOTE = (
    "Mazur's post prints **0.291027924** for the error after this update. Exact arithmetic gives **0.291027774**, "
    "both with the updated weights at full precision and with the 9-digit weights his post prints (this engine "
    "and PyTorch agree), so his figure is 1.5·10⁻⁷ too high."
)


def _forward(wt: Walkthrough, i: int) -> None:
    st.markdown(f"**Forward, unit {wt.forward[i].name}**: the weighted sum of the layer below plus the bias, "
                "then the activation.")
    st.latex(v.forward_latex(wt.forward[i]))


def _loss(wt: Walkthrough, i: int) -> None:
    st.markdown(f"**Loss** (`{wt.loss}`) of the outputs ŷ against the targets y:")
    st.latex(LOSSES[wt.loss].latex)
    st.latex(v.loss_latex(wt))


def _backward(wt: Walkthrough, i: int) -> None:
    g = wt.backward[i]
    st.markdown(f"**Backward, ∂L/∂{g.param}**: red · blue · green, each factor with its numbers, then the "
                "finite-difference check.")
    for line in v.gradient_latex(wt, g):
        st.latex(line)


def _update(wt: Walkthrough, i: int) -> None:
    what = "weights and biases" if wt.update_biases else "the weights only, as in Mazur's post"
    st.markdown(f"**Update**: one gradient-descent step with η = {wt.eta:g}, every layer at once ({what}):")
    st.latex(r"W^{(l)}_{(i+1)} = W^{(l)}_{(i)} - \eta\,\frac{\partial \mathcal{L}}{\partial W^{(l)}_{(i)}}"
             r"\qquad\text{for example:}")
    shown = [wt.weight_names[-1][0, 0], wt.weight_names[0][0, 0]] + (["b_" + wt.unit_names[-1][0]] if wt.update_biases else [])
    for param in shown:
        st.latex(v.update_latex(wt, param))


def _new_loss(wt: Walkthrough, i: int) -> None:
    st.markdown("**New loss**: the same sample forward through the updated network, then the loss again:")
    st.latex(v.loss_latex(wt, after=True))
    a, b, c = st.columns(3)
    a.metric("Loss before", v.num(wt.loss_before))
    b.metric("Loss after", v.num(wt.loss_after), delta=v.num(wt.loss_after - wt.loss_before), delta_color="inverse")
    c.metric("Outputs after", ", ".join(v.num(o, 4) for o in wt.outputs_after))
    if v.is_mazur(wt):
        st.info(MAZUR_NOTE, icon=":material/info:")


STEP_DETAILS: dict[str, Callable[[Walkthrough, int], None]] = {
    "forward": _forward, "loss": _loss, "backward": _backward, "update": _update, "new_loss": _new_loss,
}


def step_detail(wt: Walkthrough, phase: str, i: int) -> None:
    """The formulas of one step, with the engine's numbers substituted."""
    STEP_DETAILS[phase](wt, i)
