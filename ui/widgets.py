"""Streamlit workarounds the pages share, in one place (the URL binding itself is ui/urlstate.py).

- ``initial``/``initial_index``: pass a default only while a widget has no value yet, so a value that code
  wrote into its state (a preset) is not fought by the default argument.
- ``request_full_rerun``/``full_rerun_if_requested``: a callback fired inside a fragment (a click on a chart
  that an animation redraws) hands over to a full run of the page.
- ``section_tabs``: tabs bound to the URL whose unknown value gets the same notice as a bad widget value.
- ``lazy_widget_state``: Streamlit's select boxes, radios, number inputs and value-less sliders stop building
  every session key's value to read their own one (app.py installs it).
- ``remember_arg_names``: a cached function's call stops building the function's signature once per argument.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator, Mapping, Sequence
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


class LazyFilteredState(Mapping):
    """``SessionState.filtered_state`` (Streamlit 1.67) with the same keys, found the same way, each value read
    only when asked for. The original presents the value of every key of the session to answer one widget's
    ``key in state and state[key] is None``: ~0.4 ms × ~20 widgets a rerun on the busy pages."""

    def __init__(self, safe: Any) -> None:
        from streamlit.runtime.state.common import is_element_id, is_keyed_element_id
        from streamlit.runtime.state.session_state import _is_internal_key

        self._safe = safe
        state = safe._state
        wid_key_map = state._key_id_mapper.id_key_mapping
        where: dict[str, str] = {}  # user key -> the key the original reads its value under (last one wins, as there)
        with safe._lock:
            for k in state._keys():
                if not is_element_id(k) and not _is_internal_key(k):
                    where[k] = k
                elif is_keyed_element_id(k) and not _is_internal_key(k) and k in wid_key_map:
                    where[wid_key_map[k]] = k
        self._where = where

    def __getitem__(self, key: str) -> Any:
        with self._safe._lock:
            return self._safe._state[self._where[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


class _WidgetSessionState:
    """What the widget modules get from ``get_session_state()``: the session's state, with a lazy filtered_state."""

    def __init__(self, safe: Any) -> None:
        self._safe = safe

    @property
    def filtered_state(self) -> LazyFilteredState:
        return LazyFilteredState(self._safe)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._safe, name)


LAZY_MODULES = ("radio", "slider", "number_input", "selectbox", "text_widgets", "time_widgets")


def lazy_widget_state() -> list[str]:
    """Give Streamlit's widget modules LazyFilteredState (idempotent); returns the modules patched. A module whose
    internals moved (another Streamlit) is left as it is."""
    from streamlit.runtime.state import SafeSessionState, SessionState, get_session_state
    from streamlit.runtime.state import common, session_state

    needed = [(SessionState, "_keys"), (SessionState, "filtered_state"), (SafeSessionState, "filtered_state"),
              (common, "is_keyed_element_id"), (session_state, "_is_internal_key")]
    if not all(hasattr(owner, name) for owner, name in needed):
        return []

    def widget_session_state() -> _WidgetSessionState:
        return _WidgetSessionState(get_session_state())

    widget_session_state.lazy = True
    patched = []
    for name in LAZY_MODULES:
        module = importlib.import_module(f"streamlit.elements.widgets.{name}")
        current = getattr(module, "get_session_state", None)
        if getattr(current, "lazy", False):
            patched.append(name)
        elif current is get_session_state:
            module.get_session_state = widget_session_state
            patched.append(name)
    return patched


def remember_arg_names() -> bool:
    """Streamlit 1.67 builds a cached function's signature (inspect.signature, ~15 µs) for every positional argument of
    every call, to name the argument in its cache key: ~80 times a rerun on the optimizer zoo. The name of argument i
    of a function never changes, so remember it (idempotent; False where Streamlit's internals moved)."""
    from streamlit.runtime.caching import cache_utils

    current = getattr(cache_utils, "_get_positional_arg_name", None)
    if current is None:
        return False
    if not hasattr(current, "cache_info"):
        cache_utils._get_positional_arg_name = functools.lru_cache(maxsize=4096)(current)
    return True
