"""Optimizer zoo: gradient-descent variants racing on 2-D loss surfaces, computed live with core.engine.optim."""

import streamlit as st

from core.engine.optim import OPTIMIZERS
from core.engine.schedules import SCHEDULES
from core.lessons.optimizers.presets import SLOTS
from ui.charts import theme
from ui.optimizers import cached
from ui.optimizers import charts as oc
from ui.optimizers.controls import PICK_KEY, RaceSetup, race_controls, start_from_click
from ui.optimizers.views import mlp_view, step_view, sweep_view
from ui.urlstate import bound, expect_link_keys, set_from_code, share_hint
from ui.widgets import full_rerun_if_requested, section_tabs

title, link = st.columns([5, 1], vertical_alignment="bottom")
title.title("Optimizer zoo on loss surfaces")
with link:
    share_hint()
st.markdown(
    "Gradient descent walks downhill, $\\mathbf{w}_{(s+1)} = \\mathbf{w}_{(s)} - \\eta\\nabla\\mathcal{L}(\\mathbf{w}_{(s)})$; "
    "momentum and adaptive methods change how. Here they race on two-parameter surfaces, computed live by the app's "
    "NumPy optimizers, which follow `torch.optim` step for step."
)
SHOWN_STEPS = "_race_steps_shown"  # the Steps of the race the Iteration slider last ran over
INTRO_MORE = (
    "How fast gradient descent gets anywhere depends on the learning rate $\\eta$ and on the shape of the loss surface. "
    "Momentum adds a velocity $\\mathbf{v}$ that remembers earlier steps; adaptive methods (Adagrad, RMSprop, Adam) "
    "give every coordinate its own rate. On two parameters we can draw the whole landscape."
)


def race_section() -> tuple[RaceSetup, tuple] | None:
    """The race: controls, the paths on the surface (scrub or play), loss and learning-rate curves, the summary."""
    top, chart_area = st.container(), st.container()  # the most-moved controls, then the race, then the rest
    setup = race_controls(top)
    st.caption(INTRO_MORE)
    if not setup.specs:
        chart_area.info("Pick at least one optimizer to start the race.")
        return None
    _, cdomain = cached.surface_picture(setup.surface_name, setup.condition)
    race_key = (setup.surface_name, setup.condition, repr(setup.specs), setup.start, setup.steps, setup.precision)
    _, cut = cached.race_cut(*race_key, _specs=setup.specs)
    diverged = cut.summary.dropna(subset=["diverged at step"])
    if len(diverged):
        chart_area.warning("Diverged (left the surface or overflowed), so the path stops there: " + ", ".join(
            f"**{n}** at step {int(k)}" for n, k in zip(diverged["optimizer"], diverged["diverged at step"])) + ".",
            icon=":material/warning:")
    charts = cached.curves(*race_key, theme.current_scale(), _specs=setup.specs)
    play = chart_area.toggle("▶ Play", key="play", help="Animate the race step by step (the Iteration slider is the frame).")
    steps = setup.steps
    full_rerun_if_requested(in_fragment=False)  # this is a full run: a pending request is met
    if st.session_state.get(SHOWN_STEPS, steps) != steps and st.session_state.get("it") == st.session_state[SHOWN_STEPS]:
        set_from_code("it", steps)  # the whole race was shown: more (or fewer) Steps show the whole new race
    st.session_state[SHOWN_STEPS] = steps

    def race_view() -> None:
        if st.session_state.get("play"):
            nxt = int(st.session_state.get("it", steps)) + max(1, steps // 50)
            set_from_code("it", 0 if nxt > steps else nxt)
        chart = st.container()  # the race above its Iteration slider
        it = bound(st.slider, "Iteration", 0, steps, steps, key="it")
        full_rerun_if_requested(in_fragment=True)  # a click moved the start: the whole page follows
        spec = cached.race_at(*race_key, theme.current_scale(), min(it, steps), _specs=setup.specs)
        chart.vega_lite_chart(spec, width="stretch", key=PICK_KEY, on_select=start_from_click, selection_mode="pick")
        st.caption("Click the surface to start the race from there; the cross marks the start, diamonds the minima.")
        left, right = st.columns(2)
        for column, curves in zip((left, right), charts):
            column.vega_lite_chart(oc.with_marker(curves, it), width="stretch")

    # A fragment: scrubbing the iteration (or a play tick, every 0.3 s) reruns only the race view, which re-slices
    # the cached paths; the controls above and the sections below stay as they are.
    with chart_area:
        st.fragment(run_every=0.3 if play else None)(race_view)()
    with chart_area:
        cached.summary_table(*race_key, _summary=cut.summary)
    return setup, cdomain


def update_rules(setup: RaceSetup) -> None:
    """Each contestant's update rule and schedule, from the registries."""
    for spec in setup.specs:
        cls = OPTIMIZERS[spec.optimizer]
        st.markdown(f"**{spec.name}** — {SLOTS[spec.name].blurb} (`{cls.torch_name}`)")
        st.latex(cls.latex)
        if spec.schedule != "constant":
            sched = SCHEDULES[spec.schedule]
            st.latex(sched.latex)
            st.caption(f"Schedule: {sched.label}, in torch `{sched.torch_equivalent}`.")
        st.caption("torch vs the lecture: " + cls.torch_note)


def detail_sections(setup: RaceSetup, cdomain: tuple) -> None:
    """Inside one step, the learning-rate sweep, the update rules and an MLP race: one tab each, drawn when open."""
    s = setup
    sections = {  # each a fragment: its own controls (step s, data set, ...) rerun only that section
        "Inside one step": lambda: st.fragment(step_view)(s.surface_name, s.condition, s.surface, list(s.specs),
                                                          s.start, s.steps, cdomain, s.precision),
        "Learning-rate sweep": lambda: sweep_view(s.surface_name, s.condition, list(s.specs), s.start, s.steps,
                                                  s.precision),
        "Update rules": lambda: update_rules(s),
        "Momentum in practice": lambda: st.fragment(mlp_view)(list(s.specs)),
    }
    link_keys = {"Inside one step": ("inspect", "k"), "Momentum in practice": ("mlp_data", "mlp_steps")}
    for (label, draw), tab in zip(sections.items(), section_tabs(list(sections))):
        with tab:
            if tab.open:
                draw()
            else:  # its controls read the link when the tab opens
                expect_link_keys(*link_keys.get(label, ()))


raced = race_section()
if raced is not None:
    detail_sections(*raced)
