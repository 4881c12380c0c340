"""Shareable page state: every control that changes a view is mirrored in the URL.

Streamlit's own ``bind="query-params"`` keeps a widget and its query parameter in sync
(and drops values it cannot use). ``bound`` adds what a lecturer pasting a link needs on
top of that: a visible notice when a URL value was rejected or coerced, instead of a
silent reset.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

NOTICES_KEY = "_url_notices"
SET_FROM_CODE = "_url_set_from_code"  # keys whose widget state code just wrote; the URL lags one run behind


def _as_strings(value: Any, format_func: Callable[[Any], Any] = str) -> list[str]:
    """The query-string form of a widget value (lists become repeated parameters)."""
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _as_strings(v, format_func)]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(format_func(value))]


def _same(raw: str, shown: str) -> bool:
    """Whether a URL string and a widget value's string denote the same value."""
    if raw.strip().lower() == shown.strip().lower():
        return True
    try:
        a, b = float(raw), float(shown)
    except ValueError:
        return False
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def url_value_accepted(raw: Sequence[str], value: Any, format_func: Callable[[Any], Any] = str) -> bool:
    """Whether the widget ended up showing what the URL asked for."""
    shown = _as_strings(value, format_func)
    return len(raw) == len(shown) and all(_same(r, s) for r, s in zip(raw, shown))


def bound(widget: Callable[..., Any], label: str, *args: Any, key: str, **kwargs: Any) -> Any:
    """Call ``widget`` bound to the query parameter ``key``; warn if the URL value was unusable.

    Works with any Streamlit input widget callable, including container methods
    (``st.sidebar.slider``, ``col.selectbox``): ``bound(st.slider, "Depth", 2, 30, 10, key="depth")``.
    """
    pending = st.session_state.get(SET_FROM_CODE, set())
    raw = [] if key in pending else st.query_params.get_all(key)
    pending.discard(key)
    value = widget(label, *args, key=key, bind="query-params", **kwargs)
    format_func = kwargs.get("format_func") or str  # option widgets put the formatted label in the URL
    if raw and not url_value_accepted(raw, value, format_func):
        shown = ", ".join(_as_strings(value, format_func)) or "nothing"
        message = (
            f"The link's value `{key}={'&'.join(raw)}` is not valid for **{label}**; "
            f"showing `{shown}` instead."
        )
        st.session_state.setdefault(NOTICES_KEY, []).append(message)
        st.warning(message, icon=":material/link_off:")
    return value


def set_from_code(key: str, value: Any) -> None:
    """Set a bound widget's value from code (a preset, a "use these" button): the way Streamlit allows for bound widgets.

    The address bar catches up only after the next run, so for that run the URL still holds the old
    value; ``bound`` must not call it an invalid link.
    """
    st.session_state[key] = value
    st.session_state.setdefault(SET_FROM_CODE, set()).add(key)


def forget_code_writes() -> None:
    """At the end of a full run: values written from code have reached their widgets; check the URL again."""
    st.session_state.pop(SET_FROM_CODE, None)


def share_hint() -> None:
    """One line telling the user that the URL holds the current view."""
    st.caption(":material/link: The address bar holds every setting on this page: copy it to share this exact view.")
