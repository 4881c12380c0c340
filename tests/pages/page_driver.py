"""Helpers for the fuzz and random-walk tests: open any page of the navigation in AppTest, list its widgets,
say what a widget shows in URL form, and read the page's notices."""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import streamlit.components.v2.manifest_scanner as _manifests
import streamlit.runtime.scriptrunner.script_cache as _script_cache
import streamlit.testing.v1.app_test as _app_test
import streamlit.testing.v1.local_script_runner as _local_runner
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from tests import apptest_wait
from tests.browser_support import ROOT, write_small_fashion_npz
from ui.navigation import PageInfo, existing_pages

KINDS = ("slider", "select_slider", "selectbox", "radio", "multiselect", "checkbox", "toggle", "number_input",
         "text_input", "text_area")
OPTION_KINDS = ("select_slider", "selectbox", "radio", "multiselect")
# Every fresh AppTest scans all installed packages for Streamlit components (~0.3 s of CPU, more than most page
# runs); the installed packages cannot change during a test session, so scan once per process.
if not hasattr(_manifests.scan_component_manifests, "cache_info"):
    _manifests.scan_component_manifests = functools.cache(_manifests.scan_component_manifests)
# Every AppTest run also starts with an empty script cache, so it parses and compiles app.py and the page again
# (~30 % of a cached page's run). A server keeps one cache for all its sessions; so does a test process.
_SCRIPTS = _script_cache.ScriptCache()
_app_test.ScriptCache = _local_runner.ScriptCache = lambda: _SCRIPTS
apptest_wait.install()  # AppTest's wait for a run no longer takes the GIL from the run every millisecond
PAGES = existing_pages()
HOME_TITLE = "How to Train Your Neurons"  # app_pages/home.py's st.title
PAGE_IDS = [p.url_path or "home" for p in PAGES]


@contextmanager
def small_fashion_data(folder: Path) -> Iterator[None]:
    """FASHION_MNIST_NPZ points at a tiny stand-in for the block, so the trainer page never downloads."""
    old = os.environ.get("FASHION_MNIST_NPZ")
    os.environ["FASHION_MNIST_NPZ"] = str(write_small_fashion_npz(folder / "fashion-small.npz"))
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("FASHION_MNIST_NPZ", None)
        else:
            os.environ["FASHION_MNIST_NPZ"] = old


def open_page(info: PageInfo, params: dict[str, str | list[str]] | None = None) -> AppTest:
    """A fresh session on ``info``'s page through app.py's navigation, with ``params`` as the link's query."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    if info.url_path:
        at.switch_page(info.file)
        # Before a session's first run AppTest knows a page only by its file name, which st.navigation does not use
        # when the URL path differs (model_selection.py is /model-selection): AppTest would then open the home page.
        # A link opens the page by its URL path, which st.Page hashes.
        at._page_hash = calc_hash(info.url_path)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if info.url_path:
        assert HOME_TITLE not in [t.value for t in at.title], f"AppTest opened the home page instead of /{info.url_path}"
    return at


def widgets(at: AppTest) -> list:
    """Every input widget on the page (main area and sidebar, open tabs and expanders)."""
    return [w for kind in KINDS for w in at.get(kind)]


def is_bound(widget) -> bool:
    """Whether the widget is mirrored in the URL (bind="query-params")."""
    return bool(getattr(widget.proto, "query_param_key", ""))


def shown(widget) -> list[str]:
    """What the widget shows, as the strings a URL would hold for it (formatted options, true/false)."""
    value = widget.value
    if value is None:
        return []
    if isinstance(value, bool):
        return ["true" if value else "false"]
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    fmt = widget.format_func if widget.type in OPTION_KINDS else str
    return [str(fmt(v)) for v in values]


def _same(raw: str, text: str) -> bool:
    if raw.strip().lower() == text.strip().lower():
        return True
    try:
        return math.isclose(float(raw), float(text), rel_tol=1e-9, abs_tol=1e-12)
    except ValueError:
        return False


def honoured(raw: list[str], widget) -> bool:
    """Whether the widget shows what the link asked for."""
    values = shown(widget)
    return len(raw) == len(values) and all(_same(r, v) for r, v in zip(raw, values))


def notices(at: AppTest) -> str:
    """Every warning and error on the page, as one text."""
    return "\n".join([w.value for w in at.warning] + [e.value for e in at.error])


def exceptions(at: AppTest) -> list[str]:
    """Each exception's message, with the last lines of its traceback when the run reports them."""
    return [e.value + "".join(f"\n  {line}" for line in e.stack_trace[-6:]) for e in at.exception]


@dataclass(frozen=True)
class Widget:
    """What the fuzzer needs to know of a bound widget: its kind, key, range or options, its value on first load."""

    kind: str
    key: str
    lo: float | None
    hi: float | None
    options: tuple[str, ...]
    initial: tuple[str, ...]


def describe(at: AppTest) -> list[Widget]:
    """The bound widgets of a page as it first loads."""
    out = []
    for w in widgets(at):
        if not is_bound(w):
            continue
        lo = getattr(w, "min", None) if w.type in ("slider", "number_input") else None
        hi = getattr(w, "max", None) if w.type in ("slider", "number_input") else None
        options = tuple(getattr(w, "options", ())) if w.type in OPTION_KINDS else ()
        out.append(Widget(w.type, w.key, lo, hi, options, tuple(shown(w))))
    return out
