"""Shareable page state: every control that changes a view is mirrored in the URL.

Streamlit's own ``bind="query-params"`` keeps a widget and its query parameter in sync
(and drops values it cannot use). ``bound`` adds what a lecturer pasting a link needs on
top of that: a visible notice when a URL value was rejected, coerced or clamped, instead of
a silent reset, and a value that always fits the widget's current range (a range that
depends on another control may have shrunk since the value was set).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

NOTICES_KEY = "_url_notices"
RUN_START_KEY = "_url_notices_run_start"  # len of the notices list when this script run began (app.py sets it)
EXPECTED_KEY = "_url_expected"  # link keys of controls a page did not draw this run (a closed tab), but knows
REPORTED_KEY = "_url_unknown_reported"  # unknown link keys already named in a notice (once per session)
READ_FROM_ADDRESS = frozenset({"scene"})  # read by code, not bound to a widget: the lecture's scene (ui/lecture)
SET_FROM_CODE = "_url_set_from_code"  # keys whose widget state code just wrote; the URL lags one run behind
RANGED = ("slider", "number_input")  # widgets with min_value/max_value
Limits = tuple[float, float] | list[float]  # (lo, hi) of a range, or the sorted numeric options of a select slider


def has_state(key: str) -> bool:
    """Whether ``key`` holds a value (a widget drawn before, or code wrote it); cheaper than ``key in st.session_state``."""
    try:
        st.session_state[key]
    except KeyError:
        return False
    return True


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


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_SIGNATURES: dict[str, inspect.Signature] = {}


def _signature(widget: Callable[..., Any], name: str) -> inspect.Signature:
    """The widget's signature, once per widget kind (st.slider and a column's .slider are the same method; building
    a signature costs ~0.5 ms, and a page calls bound() dozens of times a rerun)."""
    if name not in _SIGNATURES:
        _SIGNATURES[name] = inspect.signature(widget)
    return _SIGNATURES[name]


def widget_limits(widget: Callable[..., Any], label: str, *args: Any, **kwargs: Any) -> Limits | None:
    """The numeric limits a widget call sets: (min_value, max_value) of a slider or number input, or the
    sorted options of a numeric select slider; None where the widget has none."""
    name = getattr(widget, "__name__", "")
    if name not in RANGED and name != "select_slider":
        return None
    try:
        arguments = _signature(widget, name).bind_partial(label, *args, **kwargs).arguments
    except (TypeError, ValueError):
        return None
    if name == "select_slider":
        options = list(arguments.get("options") or ())
        return sorted(options) if options and all(_is_number(o) for o in options) else None
    lo, hi = arguments.get("min_value"), arguments.get("max_value")
    return (min(lo, hi), max(lo, hi)) if _is_number(lo) and _is_number(hi) else None


def clamp(value: Any, limits: Limits) -> Any:
    """The nearest value the widget can show: a range's nearest end, a select slider's nearest option."""
    if not _is_number(value) or not math.isfinite(value):
        return value
    if isinstance(limits, list):
        return value if value in limits else min(limits, key=lambda o: abs(o - value))
    lo, hi = limits
    return type(lo)(lo) if value < lo else type(hi)(hi) if value > hi else value


def fit_state(key: str, limits: Limits) -> None:
    """A held value outside the widget's current range (its range follows another control) moves to the nearest
    limit, silently: Streamlit would raise StreamlitValueAboveMaxError for it."""
    if has_state(key):
        value = st.session_state[key]
        fitted = clamp(value, limits)
        if fitted is not value and fitted != value:
            st.session_state[key] = fitted


def _clamp_link(key: str, raw: Sequence[str], limits: Limits) -> Any:
    """A link's number outside the limits (or between a select slider's options): the nearest value, else None."""
    if len(raw) != 1:
        return None
    try:
        asked = float(raw[0])
    except ValueError:
        return None
    if not math.isfinite(asked):
        return None
    fitted = clamp(asked, limits)
    if fitted == asked:
        return None
    st.session_state[key] = fitted
    return fitted


def _show(value: Any, format_func: Callable[[Any], Any]) -> str:
    return f"{value:g}" if format_func is str and _is_number(value) else str(format_func(value))


def _clamp_notice(asked: str, number: float, label: str, limits: Limits, value: Any,
                  format_func: Callable[[Any], Any]) -> str:
    lo, hi = limits[0], limits[-1]
    shown = _show(value, format_func)
    if lo <= number <= hi:  # between two options of a select slider
        return f"The link's value {asked} is not one of the values of **{label}**; showing the nearest one, `{shown}`."
    return (f"The link's value {asked} is outside the range of **{label}** ({_show(lo, format_func)} to "
            f"{_show(hi, format_func)}); showing the nearest limit, `{shown}`.")


def bound(widget: Callable[..., Any], label: str, *args: Any, key: str, **kwargs: Any) -> Any:
    """Call ``widget`` bound to the query parameter ``key``; warn if the URL value was unusable.

    Works with any Streamlit input widget callable, including container methods
    (``st.sidebar.slider``, ``col.selectbox``): ``bound(st.slider, "Depth", 2, 30, 10, key="depth")``.
    A number outside the widget's range is clamped to the nearest limit: with a notice when a link asked
    for it, silently when the widget held it (its range follows another control that just changed).
    """
    pending = st.session_state.get(SET_FROM_CODE, set())
    fresh = not has_state(key)  # the URL seeds a widget only when it has no value yet: that is when a link asks
    raw = [] if key in pending or not fresh else st.query_params.get_all(key)
    pending.discard(key)
    limits = widget_limits(widget, label, *args, **kwargs)
    clamped = None
    if limits is not None:
        fit_state(key, limits)
        if raw:
            clamped = _clamp_link(key, raw, limits)
    value = widget(label, *args, key=key, bind="query-params", **kwargs)
    if isinstance(value, float) and value == 0.0:
        value = 0.0  # a link's "-0" gives -0.0, which NumPy rejects as a negative scale
    format_func = kwargs.get("format_func") or str  # option widgets put the formatted label in the URL
    if raw and not url_value_accepted(raw, value, format_func):
        asked = f"`{key}={'&'.join(raw)}`"
        if clamped is not None and clamped == value:
            message = _clamp_notice(asked, float(raw[0]), label, limits, value, format_func)
        elif value is None:
            message = f"The link's value {asked} is not valid for **{label}**; leaving it empty (its default)."
        else:
            shown = ", ".join(_as_strings(value, format_func)) or "nothing"
            message = f"The link's value {asked} is not valid for **{label}**; showing `{shown}` instead."
        st.session_state.setdefault(NOTICES_KEY, []).append(message)
        st.warning(message, icon=":material/link_off:")
    return value


def begin_run() -> None:
    """At the start of every full run (app.py): later notices are this run's (``notices_this_run``)."""
    st.session_state[RUN_START_KEY] = len(st.session_state.get(NOTICES_KEY, []))


def notices_this_run() -> list[str]:
    """The link notices given since this run began: what a page that reruns itself must carry over to show again."""
    return st.session_state.get(NOTICES_KEY, [])[st.session_state.get(RUN_START_KEY, 0):]


def set_from_code(key: str, value: Any) -> None:
    """Set a bound widget's value from code (a preset, a "use these" button): the way Streamlit allows for bound widgets.

    The address bar catches up only after the next run, so for that run the URL still holds the old
    value; ``bound`` must not call it an invalid link.
    """
    st.session_state[key] = value
    st.session_state.setdefault(SET_FROM_CODE, set()).add(key)


def forget_code_writes() -> None:
    """At the end of a full run: values written from code have reached their widgets. Idempotent (app.py calls it)."""
    st.session_state.pop(SET_FROM_CODE, None)


def share_hint() -> None:
    """The page's "Copy link" button: the address bar holds every setting, so its link restores this exact view."""
    from ui.share import copy_link_button

    copy_link_button(help="The address holds every setting on this page: this link restores exactly this view")


def expect_link_keys(*keys: str) -> None:
    """Link keys that belong to this page although their controls are not drawn in this run (a closed section)."""
    st.session_state.setdefault(EXPECTED_KEY, set()).update(keys)


def shown_key(key: str) -> str:
    """A link key as a notice names it: at most 40 characters, no backticks or line breaks."""
    clean = "".join(c if c.isprintable() and c != "`" else "?" for c in key)
    return clean if len(clean) <= 40 else clean[:39] + "…"


def unknown_link_keys() -> list[str]:
    """The address's keys that no control of this run took: not bound to a widget, not expected by the page, not
    read from the address by code (Streamlit's own embed options never show up in st.query_params)."""
    from streamlit.runtime.state.session_state_proxy import get_session_state

    expected = st.session_state.get(EXPECTED_KEY, set())
    try:
        with get_session_state().query_params() as qp:
            return [k for k in qp if not qp.is_bound(k) and k not in expected and k not in READ_FROM_ADDRESS]
    except (AttributeError, TypeError):  # Streamlit's internals moved: no notice rather than a wrong one
        return []


def unknown_link_notice(slot: Any) -> None:
    """At the end of a full run (app.py): one notice, in ``slot`` at the top of the page, naming the link's keys that
    no control on this page knows; each key once per session. Forgets the page's expected keys for the next run."""
    unknown = [k for k in unknown_link_keys() if k not in st.session_state.get(REPORTED_KEY, set())]
    st.session_state.pop(EXPECTED_KEY, None)
    if not unknown:
        return
    st.session_state.setdefault(REPORTED_KEY, set()).update(unknown)
    names = ", ".join(f"`{shown_key(k)}`" for k in unknown)
    what = "setting" if len(unknown) == 1 else "settings"
    slot.warning(f"Ignored unknown link {what}: {names} (no control on this page uses {'it' if len(unknown) == 1 else 'them'}).",
                 icon=":material/link_off:")
