"""Streamlit workarounds the pages share, in one place (the URL binding itself is ui/urlstate.py).

- ``initial``/``initial_index``: pass a default only while a widget has no value yet, so a value that code
  wrote into its state (a preset) is not fought by the default argument.
- ``request_full_rerun``/``full_rerun_if_requested``: a callback fired inside a fragment (a click on a chart
  that an animation redraws) hands over to a full run of the page.
- ``section_tabs``: tabs bound to the URL whose unknown value gets the same notice as a bad widget value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from ui.urlstate import has_state

FULL_RERUN = "_full_rerun_requested"


def initial(key: str, default: Any) -> dict[str, Any]:
    """``value=default`` only while the key has no state yet (presets write the state directly)."""
    return {} if has_state(key) else {"value": default}


def initial_index(key: str, options: Sequence[Any], default: Any) -> dict[str, Any]:
    """``index`` of ``default`` only while the key has no state yet (for radios and select boxes)."""
    return {} if has_state(key) else {"index": list(options).index(default)}


def request_full_rerun() -> None:
    """From a callback: the page (not only the running fragment) must rerun next."""
    st.session_state[FULL_RERUN] = True


def full_rerun_if_requested(in_fragment: bool) -> None:
    """Inside a fragment: turn a pending request from ``request_full_rerun`` into a full rerun of the page."""
    if st.session_state.pop(FULL_RERUN, False) and in_fragment:
        st.rerun(scope="app")


def section_tabs(labels: Sequence[str], key: str = "tab") -> list:
    """Tabs bound to ``?tab=``; a link naming no tab shows a notice and opens the first one."""
    raw = st.query_params.get_all(key)
    if raw and not has_state(key) and (len(raw) > 1 or raw[0] not in labels):
        shown = "&".join(f"{key}={r}" for r in raw)
        st.warning(f"The link's value `{shown}` is not a section of this page; showing **{labels[0]}** instead.",
                   icon=":material/link_off:")
    return st.tabs(list(labels), key=key, bind="query-params")
