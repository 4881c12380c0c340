"""Optimizer zoo: gradient-descent variants racing on 2-D loss surfaces, computed live with core.engine.optim."""

import numpy as np
import pandas as pd
import streamlit as st

from core.engine.optim import OPTIMIZERS
from core.lessons.optimizers.presets import LECTURE_SLOTS, PRESETS, SLOTS
from core.engine.schedules import SCHEDULES
from core.engine.surfaces import SURFACES, get_surface
from core.lessons.optimizers.trajectories import DEFAULT_PRECISION, MAX_STEPS, PRECISIONS, escape_box, race
from ui.optimizers import charts as oc
from ui.optimizers.surface_image import colour_domain, surface_image
from ui.optimizers.controls import (
    CONDITIONS, FULL_RERUN, PICK_KEY, apply_preset, bound, forget_code_writes, initial, initial_index, reset_start,
    set_by_code, slot_controls, start_from_click,
)
from ui.optimizers.views import mlp_view, step_view, sweep_view
from ui.urlstate import share_hint

st.title("Optimizer zoo on loss surfaces")
st.markdown(
    "Gradient descent walks downhill: $\\mathbf{w}_{(s+1)} = \\mathbf{w}_{(s)} - \\eta\\nabla\\mathcal{L}(\\mathbf{w}_{(s)})$. "
    "How fast it gets anywhere depends on the learning rate $\\eta$ and on the shape of the loss surface. "
    "Momentum adds a velocity $\\mathbf{v}$ that remembers earlier steps; adaptive methods (Adagrad, RMSprop, Adam) "
    "give every coordinate its own rate. Here they race on two-parameter surfaces, where we can draw the whole "
    "landscape. Every path is computed live by the app's NumPy optimizers, which follow `torch.optim` step for step."
)

st.markdown("**Presets** — one click sets up a race (the lecture's is the default view):")
preset_bar = st.container(horizontal=True)  # filled once the controls say which preset (if any) is on show
c1, c2, c3, c4 = st.columns([2, 2, 1.3, 1.3])
surface_name = bound(c1.selectbox, "Surface", list(SURFACES), key="surface", on_change=reset_start,
                     help="Beale is the lecture's surface.")
# Always drawn (disabled off the bowl): a widget that only appears later would miss presets' URL updates.
condition = bound(c1.select_slider, "Condition number κ (quadratic bowl)", CONDITIONS, key="cond",
                  format_func=lambda v: f"{v:g}", disabled=surface_name != "quadratic",
                  help="Ratio of the largest to the smallest curvature of the ill-conditioned bowl.",
                  **initial("cond", 10.0))
surface = get_surface(surface_name, condition if surface_name == "quadratic" else None)
if surface_name != "quadratic":
    condition = 10.0  # keeps cache keys of the other surfaces independent of the slider
steps = bound(c2.slider, "Steps", 10, MAX_STEPS, 100, 10, key="steps")
precision = bound(c2.radio, "Precision", list(PRECISIONS), key="prec", horizontal=True,
                  **initial_index("prec", list(PRECISIONS), DEFAULT_PRECISION),
                  help="float32 is torch's default dtype (and the lecture's); float64 has 10⁻¹⁶ instead of 10⁻⁷ "
                       "round-off. Only runs at the edge of stability tell them apart.")
x0 = bound(c3.number_input, "Start x", value=None, key="x0", format="%.3f", placeholder=f"{surface.start[0]:g}",
           min_value=-100.0, max_value=100.0)
y0 = bound(c4.number_input, "Start y", value=None, key="y0", format="%.3f", placeholder=f"{surface.start[1]:g}",
           min_value=-100.0, max_value=100.0)
start = (surface.start[0] if x0 is None else float(x0), surface.start[1] if y0 is None else float(y0))
chosen = bound(st.multiselect, "Optimizers", list(SLOTS), key="opts", default=list(LECTURE_SLOTS),
               help="Each contestant has its own hyper-parameters and schedule below.")
st.caption(f"{surface.label}: " + f"${surface.latex}$")
(bx0, bx1), (by0, by1) = escape_box(surface)
if not (bx0 <= start[0] <= bx1 and by0 <= start[1] <= by1):
    st.warning(f"The start ({start[0]:g}, {start[1]:g}) lies far outside this surface's picture, so every run counts "
               f"as diverged at step 0. Start inside x ∈ [{bx0:g}, {bx1:g}], y ∈ [{by0:g}, {by1:g}].",
               icon=":material/warning:")

# Every contestant's controls are always drawn (only the chosen ones race), so that a preset's values
# always reach the address bar: Streamlit syncs code-set values to the URL only for widgets that already exist.
with st.expander("Hyper-parameters and learning-rate schedules", expanded=False):
    st.caption("Tabs marked ● are in the race.")
    tabs_all = st.tabs([("● " if n in chosen else "") + n for n in SLOTS])
    all_specs = {name: slot_controls(SLOTS[name], tab) for tab, name in zip(tabs_all, SLOTS)}
specs = [all_specs[name] for name in chosen]
share_hint()
current = next((k for k, p in PRESETS.items() if p.matches(surface_name, condition, start, steps, specs)), None)
for pkey, preset in PRESETS.items():
    preset_bar.button(preset.title, key=f"preset_{pkey}", on_click=apply_preset, args=(pkey,), help=preset.note,
                      type="primary" if pkey == current else "secondary")
if current is not None:
    st.info(f"**{PRESETS[current].title}.** {PRESETS[current].note}", icon=":material/school:")

if not chosen:
    st.info("Pick at least one optimizer to start the race.")
    st.stop()


@st.cache_data(show_spinner=False, max_entries=32)
def _surface_picture(name: str, condition: float):
    surf = get_surface(name, condition)
    cdomain = colour_domain(surf)
    return surface_image(surf, surf.domain, cdomain), cdomain


@st.cache_data(show_spinner=False, max_entries=64)
def _race(name: str, condition: float, specs: tuple, start: tuple, steps: int, precision: str):
    trajs = race(get_surface(name, condition), specs, start, steps, precision)
    labels = [t.legend for t in trajs]
    frames = []
    for t, label in zip(trajs, labels):
        f = pd.DataFrame({"run": label, "step": np.arange(steps + 1), "x": t.points[:, 0], "y": t.points[:, 1],
                          "loss": t.loss, "lr": np.append(t.lrs, np.nan)})
        frames.append(f.dropna(subset=["x", "y", "loss"]))
    paths = pd.concat(frames, ignore_index=True)
    paths["loss_plot"] = np.maximum(paths["loss"] - get_surface(name, condition).min_value, oc.LOSS_FLOOR)
    calm = paths["step"].eq(0) | paths["run"].isin([lab for t, lab in zip(trajs, labels) if t.diverged_at is None])
    loss_domain = oc.log_domain(paths["loss_plot"], top=100 * float(paths.loc[calm, "loss_plot"].max()))
    summary = pd.DataFrame({
        "optimizer": [t.name for t in trajs],
        "final loss": [t.final_loss for t in trajs],
        "final x": [t.points[-1, 0] for t in trajs],
        "final y": [t.points[-1, 1] for t in trajs],
        "diverged at step": pd.array([t.diverged_at for t in trajs], dtype="Int64"),
    })
    return labels, paths, summary, loss_domain


picture, cdomain = _surface_picture(surface_name, condition)
labels, paths, summary, loss_domain = _race(surface_name, condition, tuple(specs), start, steps, precision)
names = [s.name for s in specs]
diverged = summary.dropna(subset=["diverged at step"])
if len(diverged):
    st.warning("Diverged (left the surface or overflowed), so the path stops there: " + ", ".join(
        f"**{n}** at step {int(k)}" for n, k in zip(diverged["optimizer"], diverged["diverged at step"])) + ".",
        icon=":material/warning:")

play = st.toggle("▶ Play", key="play", help="Animate the race step by step (the slider below is the frame).")


def _race_view() -> None:
    stride = max(1, steps // 50)
    if st.session_state.get("play"):
        nxt = int(st.session_state.get("it", steps)) + stride
        set_by_code("it", 0 if nxt > steps else nxt)
    elif int(st.session_state.get("it", 0)) > steps:
        set_by_code("it", steps)
    it = bound(st.slider, "Iteration", 0, steps, steps, key="it")
    shown = paths.loc[paths["step"] <= it, ["run", "step", "x", "y", "loss"]]
    heads = shown.loc[shown.groupby("run")["step"].idxmax()]
    if st.session_state.pop(FULL_RERUN, False) and st.session_state.get("play"):
        st.rerun(scope="app")  # a click moved the start while the animation's fragment was running
    st.vega_lite_chart(oc.race_spec(picture, surface, cdomain, shown, heads, names, labels, start), width="stretch",
                       key=PICK_KEY, on_select=start_from_click, selection_mode="pick")
    st.caption("Click the surface to start the race from there; the cross marks the start, diamonds the minima.")
    left, right = st.columns(2)
    left.vega_lite_chart(oc.curves_spec(paths[["run", "step", "loss_plot"]], "loss_plot", "loss f(w) − f*  (log)",
                                        names, labels, marker=it, title="Loss", legend=False, y_domain=loss_domain),
                         width="stretch")
    right.vega_lite_chart(oc.curves_spec(paths[["run", "step", "lr"]].dropna(), "lr", "learning rate η (log)",
                                         names, labels, marker=it, title="Learning rate used", legend=False),
                          width="stretch")


if play:  # only the race view reruns, every 0.3 s, re-slicing the cached paths
    st.fragment(run_every=0.3)(_race_view)()
else:  # scrubbing reruns the page, but everything it shows is cached
    _race_view()

st.table(summary.style.format({"final loss": "{:.3g}", "final x": "{:.4f}", "final y": "{:.4f}",
                               "diverged at step": "{:d}"}, na_rep="—").hide(axis="index"))

TABS = ["Inside one step", "Learning-rate sweep", "Update rules", "Momentum in practice"]
raw_tab = st.query_params.get("tab")
if raw_tab is not None and raw_tab not in TABS:
    st.warning(f"The link's value `tab={raw_tab}` is not a section of this page; showing **{TABS[0]}** instead.", icon="🔗")
tabs = st.tabs(TABS, key="tab", bind="query-params")

with tabs[0]:
    if tabs[0].open:
        step_view(surface_name, condition, surface, specs, start, steps, cdomain, precision)

with tabs[1]:
    if tabs[1].open:
        sweep_view(surface_name, condition, specs, start, steps, precision)

with tabs[2]:
    if tabs[2].open:
        for spec in specs:
            cls = OPTIMIZERS[spec.optimizer]
            st.markdown(f"**{spec.name}** — {SLOTS[spec.name].blurb} (`{cls.torch_name}`)")
            st.latex(cls.latex)
            if spec.schedule != "constant":
                sched = SCHEDULES[spec.schedule]
                st.latex(sched.latex)
                st.caption(f"Schedule: {sched.label}, in torch `{sched.torch_equivalent}`.")
            st.caption("torch vs the lecture: " + cls.torch_note)

with tabs[3]:
    if tabs[3].open:
        mlp_view(specs)

forget_code_writes()
