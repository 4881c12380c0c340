"""ui.widgets.LazyFilteredState: Streamlit's filtered_state, its values read on demand; the same keys and values on
real pages (links, presets, widgets moved, pages switched: stale widgets and values written from code)."""

import importlib

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.browser_support import ROOT
from ui.widgets import LAZY_MODULES, LazyFilteredState, lazy_widget_state


def _same(a, b) -> bool:
    if a is b:
        return True
    try:
        return bool(a == b)
    except ValueError:  # arrays
        return bool(np.array_equal(a, b))


def _assert_equal_to_streamlits(at: AppTest) -> int:
    safe = at.session_state._state
    original = safe.filtered_state  # Streamlit's own: every value presented now
    lazy = LazyFilteredState(safe)
    assert list(lazy) == list(original) and len(lazy) == len(original)
    assert all(_same(lazy[k], original[k]) for k in original), [k for k in original if not _same(lazy[k], original[k])]
    for key in ("no-such-key", "_url_notices_x"):
        assert (key in lazy) == (key in original)
        with pytest.raises(KeyError):
            lazy[key]
    return len(original)


def test_the_widget_modules_use_it():
    assert lazy_widget_state() == list(LAZY_MODULES)  # idempotent: already installed by tests/conftest.py (and app.py)
    for name in LAZY_MODULES:
        module = importlib.import_module(f"streamlit.elements.widgets.{name}")
        assert getattr(module.get_session_state, "lazy", False), name


def test_same_keys_and_values_as_streamlit_across_pages_links_presets_and_stale_widgets():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["steps"] = "200"
    at.query_params["adam_lr"] = "0.05"  # a link's hyper-parameter: the optimizer zoo draws every contestant's widgets
    at.switch_page("app_pages/optimizers.py").run()
    assert not at.exception
    keys = _assert_equal_to_streamlits(at)
    at.select_slider(key="momentum_lr").set_value(0.002).run()
    at.button(key="preset_valley").click().run()  # values written from code (set_from_code)
    assert not at.exception
    _assert_equal_to_streamlits(at)
    at.switch_page("app_pages/playground.py").run()  # the zoo's widgets go stale
    assert not at.exception
    at.slider(key="noise").set_value(30).run()
    assert not at.exception
    _assert_equal_to_streamlits(at)
    at.switch_page("app_pages/initialization.py").run()
    at.toggle(key="ab").set_value(True).run()
    assert not at.exception
    assert _assert_equal_to_streamlits(at) > 0 and keys > 20


def test_a_select_box_emptied_from_code_still_shows_nothing():
    """The one answer the widgets ask for: a key holding None makes a select box, radio or number input empty."""
    def script():
        import streamlit as st

        if st.button("clear", key="clear"):
            st.session_state["pick"] = None
            st.session_state["num"] = None
        st.selectbox("Pick", ["a", "b"], key="pick")
        st.number_input("Num", value=3, key="num")

    at = AppTest.from_function(script).run()
    assert at.selectbox(key="pick").value == "a" and at.number_input(key="num").value == 3
    at.button(key="clear").click().run()
    assert at.selectbox(key="pick").value is None and at.number_input(key="num").value is None


def _sample(a, b=1, *rest, c, **kw):
    return a


def _positional_only(x, /, y):
    return x


def test_remembered_argument_names_are_streamlits():
    """remember_arg_names memoises Streamlit's _get_positional_arg_name: the same answer for every function the
    app caches (and odd signatures), so every cache key stays what Streamlit would make it."""
    import ui.fashion.cached
    import ui.home.cached
    import ui.initialization.cached
    import ui.optimizers.cached
    from streamlit.runtime.caching import cache_utils

    from ui.widgets import remember_arg_names

    assert remember_arg_names() and hasattr(cache_utils._get_positional_arg_name, "cache_info")
    original = cache_utils._get_positional_arg_name.__wrapped__
    funcs = [_sample, _positional_only]
    for module in (ui.home.cached, ui.initialization.cached, ui.optimizers.cached, ui.fashion.cached):
        funcs += [v._info.func for v in vars(module).values() if isinstance(v, cache_utils.CachedFunc)]
    assert len(funcs) > 10
    for f in funcs:
        for i in range(-1, 12):
            assert cache_utils._get_positional_arg_name(f, i) == original(f, i), (f, i)
    assert original(_sample, 2) is None and original(_positional_only, 0) == "x"  # the comparison can tell
