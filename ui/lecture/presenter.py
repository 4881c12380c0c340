"""Presenter controls: the scene in the address, next/previous (buttons, arrows, PageUp/PageDown, space), a scene
list to jump, Streamlit's chrome hidden; and the question asked before a scene's figure appears."""

from __future__ import annotations

import html

import streamlit as st
from streamlit.errors import StreamlitAPIException

from ui.lecture.registry import SCENE_LIST, SCENES, Scene

SCENE_PARAM = "scene"
NEXT_KEY, PREV_KEY, JUMP_KEY = "lecture-next", "lecture-prev", "lecture-jump"
ANSWER_PREFIX = "lecture-answer-"
SKIPPED = "(skipped)"

# Projector mode: no sidebar, header or toolbar, and little padding, so the figure starts high on the screen.
CHROME_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 0.5rem 1.6rem 2rem 1.6rem !important; max-width: 100% !important; }
[data-testid="stHeading"] h1 { font-size: 2rem; line-height: 1.15; margin: 0; padding: 0; }
.lecture-count { font-size: 1.05rem; color: #4b5563; }
.lecture-figure-title { font-size: 24px; font-weight: 700; margin: 0; }
.lecture-text { font-size: 1.15rem; line-height: 1.4; margin: 0; }
.lecture-question { font-size: 2.3rem; font-weight: 700; margin: 2.5rem 0 1.5rem 0; }
</style>
"""

# The keys a presentation clicker sends besides the arrows (the buttons carry → and ← as Streamlit shortcuts).
# Installed once per tab; it does nothing on pages without the lecture's buttons or while a widget has focus.
KEYS_JS = """
<script>
(() => {
  if (window.__lectureKeys) return;
  window.__lectureKeys = true;
  const KEYS = {PageDown: "%(next)s", " ": "%(next)s", PageUp: "%(prev)s"};
  document.addEventListener("keydown", (event) => {
    const key = KEYS[event.key];
    if (!key || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target.closest && event.target.closest('input, textarea, select, [contenteditable], [role="slider"], [role="combobox"], [role="listbox"]')) return;
    const button = document.querySelector(`.st-key-${key} button`);
    if (!button || button.disabled) return;
    event.preventDefault();
    button.click();
  }, true);
})();
</script>
""" % {"next": NEXT_KEY, "prev": PREV_KEY}


def hide_chrome() -> None:
    """Projector mode for this page only: Streamlit's sidebar, header and toolbar hidden, the clicker's keys on."""
    st.html(CHROME_CSS)
    st.html(KEYS_JS, unsafe_allow_javascript=True)


def current_scene() -> Scene:
    """The scene named in the address (?scene=id); a bad id shows a notice and the first scene."""
    raw = st.query_params.get(SCENE_PARAM)
    if raw is None:
        return SCENE_LIST[0]
    if raw not in SCENES:
        st.warning(f"The link's value `{SCENE_PARAM}={raw}` is not a scene of this lecture; showing "
                   f"**{SCENE_LIST[0].title}** instead.", icon=":material/link_off:")
        return SCENE_LIST[0]
    return SCENES[raw]


def go(scene_id: str) -> None:
    """Show another scene: its id alone in the address (its controls start from their defaults)."""
    for key in list(st.query_params):
        try:  # a parameter bound to a widget of the old scene can't be removed from code; it goes with its widget
            del st.query_params[key]
        except StreamlitAPIException:
            pass
    st.query_params[SCENE_PARAM] = scene_id


def _answer_key(scene: Scene) -> str:
    return ANSWER_PREFIX + scene.id


def pending_question(scene: Scene) -> bool:
    """Whether the scene still waits for the audience's answer."""
    return scene.question is not None and _answer_key(scene) not in st.session_state


def _step(scene: Scene, delta: int) -> None:
    """Next/previous: a scene with an open question reveals its answer first."""
    if delta > 0 and pending_question(scene):
        st.session_state[_answer_key(scene)] = SKIPPED
        return
    i = SCENE_LIST.index(scene) + delta
    if 0 <= i < len(SCENE_LIST):
        go(SCENE_LIST[i].id)


def _jump() -> None:
    go(st.session_state[JUMP_KEY])


def _label(scene_id: str) -> str:
    i = SCENE_LIST.index(SCENES[scene_id])
    return f"{i + 1}. {SCENES[scene_id].title}"


def top_bar(scene: Scene) -> None:
    """Slide title, scene number, ◀ ▶ and the list to jump to any scene, in one row."""
    i = SCENE_LIST.index(scene)
    title, prev, nxt, jump = st.columns([6.2, 1.1, 1.3, 3.2], vertical_alignment="center")
    title.title(scene.title, anchor=False)
    prev.button("◀", key=PREV_KEY, on_click=_step, args=(scene, -1), disabled=i == 0, shortcut="Left",
                help="Previous scene (← or PageUp)", width="stretch")
    reveal = pending_question(scene)
    nxt.button("Reveal" if reveal else "▶", key=NEXT_KEY, on_click=_step, args=(scene, 1),
               disabled=i == len(SCENE_LIST) - 1 and not reveal, shortcut="Right", type="primary",
               help="Next scene (→, PageDown or space)" + ("; first reveals the answer" if reveal else ""),
               width="stretch")
    st.session_state[JUMP_KEY] = scene.id
    jump.selectbox("Scene", [s.id for s in SCENE_LIST], key=JUMP_KEY, format_func=_label, on_change=_jump,
                   label_visibility="collapsed")


def ask(scene: Scene) -> bool:
    """The scene's question with its answers as buttons; True once answered or skipped (then show the figure)."""
    if not pending_question(scene):
        return True
    question = scene.question
    st.html(f'<p class="lecture-question">{html.escape(question.prompt)}</p>')
    row = st.container(horizontal=True, gap="medium")
    for k, choice in enumerate(question.choices):
        row.button(choice, key=f"{_answer_key(scene)}-{k}", on_click=st.session_state.__setitem__,
                   args=(_answer_key(scene), choice))
    st.button("Skip the question, show the figure", key=f"{_answer_key(scene)}-skip", type="tertiary",
              on_click=st.session_state.__setitem__, args=(_answer_key(scene), SKIPPED))
    st.caption(f"{scene.text}  (→ reveals the answer.)")
    return False


def verdict(scene: Scene, answer: str | None) -> str:
    """One line after the reveal: what the audience said against what the live figure shows."""
    said = st.session_state.get(_answer_key(scene))
    if scene.question is None or answer is None:
        return ""
    if said in (None, SKIPPED):
        return f"Answer: **{answer}**."
    return f"You said **{said}**: " + ("right!" if said == answer else f"the figure says **{answer}**.")
