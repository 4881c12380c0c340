"""The fuzzer and the random walk behind tests/pages/test_fuzz_links.py and test_random_controls.py.

Both run as plain functions so that a pool of worker processes can share them out (the machine's cores): each call
is one page, one seed, and raises AssertionError with the offending link or the last changes.
"""

from __future__ import annotations

import random
import sys
import types
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as hs

from tests.pages.page_driver import (OPTION_KINDS, PAGES, Widget, describe, exceptions, honoured, notices, open_page,
                                     widgets)
from ui.urlstate import READ_FROM_ADDRESS, shown_key

EMBED_KEYS = ("embed", "embed_options")  # Streamlit's own; st.query_params never shows them (any case)

GARBAGE = ["", " ", "banana", "nan", "NaN", "inf", "-inf", "1e309", "-0", "0x1A", "None", "null", "true", "False",
           "🧠", "１２", "٣", "%00", "\x00", "../../etc/passwd", "/etc", "<script>alert(1)</script>", "' OR 1=1 --",
           "1,2,3", "1;2", "ⅷ", "e", "1e-400", "9" * 400, "x" * 5000]
texts = hs.text(max_size=30) | hs.text(min_size=500, max_size=3000) | hs.sampled_from(GARBAGE)


def _number(w: Widget) -> hs.SearchStrategy[str]:
    """Edges, the first-load value, and random numbers outside the range (in-range values come from a small set,
    so that the pages' caches keep each example cheap; the controls' random walk covers the range)."""
    lo, hi = w.lo if w.lo is not None else -1e6, w.hi if w.hi is not None else 1e6
    span = hi - lo
    edges = [lo, hi, lo - 1, hi + 1, lo - 10 * span - 1, hi + 10 * span + 1, -1e300, 1e300]
    outside = lambda v: not lo <= v <= hi  # noqa: E731
    return (hs.sampled_from(edges).map(lambda v: f"{v:g}")
            | hs.sampled_from(list(w.initial) or ["0"])
            | hs.floats(allow_nan=True, allow_infinity=True).filter(lambda v: v != v or outside(v)).map(repr)
            | hs.integers(-10**30, 10**30).filter(outside).map(str))


def _value(w: Widget) -> hs.SearchStrategy[str]:
    """One query-string value for the widget: a plausible one, an edge, or garbage."""
    if w.kind in ("slider", "number_input"):
        plausible = _number(w)
    elif w.options:
        plausible = hs.sampled_from(w.options) | hs.sampled_from(w.options).map(str.upper) | hs.sampled_from(
            w.options).map(lambda o: o + " ")
    elif w.kind in ("checkbox", "toggle"):
        plausible = hs.sampled_from(["true", "false", "True", "FALSE", "1", "0", "yes"])
    else:
        plausible = texts | hs.lists(hs.floats(-20, 20), min_size=1, max_size=12).map(
            lambda xs: ", ".join(f"{x:g}" for x in xs))
    return plausible | texts


def _values(w: Widget) -> hs.SearchStrategy[str | list[str]]:
    one = _value(w)
    return one | hs.lists(one, min_size=2, max_size=4)  # repeated keys: ?k=a&k=b


def _params(known: list[Widget]) -> hs.SearchStrategy[dict]:
    """A query: some known keys (possibly repeated), some unknown ones."""
    keys = {w.key: _values(w) for w in known}
    known_part = hs.lists(hs.sampled_from(sorted(keys)), max_size=6, unique=True).flatmap(
        lambda ks: hs.fixed_dictionaries({k: keys[k] for k in ks})) if keys else hs.just({})
    unknown_keys = hs.text(min_size=1, max_size=12).filter(lambda k: k not in keys) | hs.sampled_from(
        ["tab", "page", "embed", "embed_options", "__proto__", "x" * 300])
    unknown = hs.dictionaries(unknown_keys, hs.text(max_size=50) | hs.lists(hs.text(max_size=10), min_size=2, max_size=3),
                              max_size=2)
    return hs.tuples(known_part, unknown).map(lambda t: {**t[1], **t[0]})


def fuzz_links(page: str, seed_: int, examples: int) -> int:
    """``examples`` random links to the page at URL path ``page``: none raises, every value the page does not show as asked gets a
    notice naming its key. Returns how many links were tried."""
    info = page_info(page)
    first = open_page(info)
    assert not first.exception, exceptions(first)
    known = describe(first)
    assert known, f"{info.title} has no URL-bound widget"
    keys = {w.key for w in known}
    tried: list[dict] = []

    @seed(seed_)
    @settings(max_examples=examples, database=None, deadline=None, suppress_health_check=list(HealthCheck),
              phases=[Phase.explicit, Phase.generate])  # no shrinking: a failure reports its link at once
    @given(_params(known))
    def check(params: dict) -> None:
        tried.append(params)
        at = open_page(info, params)
        assert not at.exception, (info.title, params, exceptions(at))
        text = notices(at)
        for w in widgets(at):
            raw = params.get(w.key) if w.key in keys else None
            if raw is None:
                continue
            raw = raw if isinstance(raw, list) else [raw]
            if not honoured(raw, w):
                assert f"`{w.key}=" in text, (info.title, f"{w.key}={raw!r} shows {w.value!r} without a notice", params)

        bound_now = bound_keys(at)
        for key in params:
            if key in keys or key.lower() in EMBED_KEYS or key in READ_FROM_ADDRESS or key in bound_now:
                continue
            assert f"`{shown_key(key)}`" in text and "Ignored unknown link setting" in text, (
                info.title, f"unknown key {key!r} without a notice", params)

    check()
    return len(tried)


def bound_keys(at) -> set[str]:
    """Every query-parameter key bound to an element of the page as it is now (widgets, tabs)."""
    out: set[str] = set()
    stack = [at._tree]
    while stack:
        node = stack.pop()
        proto = getattr(node, "proto", None)
        if proto is not None:
            for field, value in proto.ListFields():
                if field.name == "query_param_key" and value:
                    out.add(value)
                elif field.type == field.TYPE_MESSAGE:  # a block's container (tabs), or a widget's own message
                    key = getattr(value, "query_param_key", "")
                    if isinstance(key, str) and key:
                        out.add(key)
        stack.extend(getattr(node, "children", {}).values())
    return out


def _raw(widget, label: str):
    """The option value whose formatted label is ``label`` (AppTest knows only the labels)."""
    candidates: list = [label]
    for convert in (int, float):
        try:
            candidates.append(convert(label))
        except ValueError:
            pass
    for c in candidates:
        try:
            if str(widget.format_func(c)) == label:
                return c
        except Exception:  # noqa: BLE001 (a format_func made for numbers, given a string)
            continue
    raise LookupError(label)


def _change(widget, rng: random.Random, first_values: dict) -> str:
    """Give one widget a value a user could give it; returns what was done, for the failure message."""
    kind, key = widget.type, widget.key
    if kind == "button":
        widget.click()
        return f"click {widget.label!r}"
    if kind in ("checkbox", "toggle"):
        widget.set_value(not widget.value)
    elif kind == "slider":
        lo, hi = widget.min, widget.max
        fixed = first_values.setdefault(key, rng.uniform(lo, hi))  # one in-between value per widget keeps caches warm
        value = rng.choice([lo, hi, min(max(fixed, lo), hi), widget.value])
        widget.set_value(type(lo)(round(value)) if isinstance(lo, int) else float(value))
    elif kind == "number_input":
        step = widget.step or 1
        value = rng.choice([v for v in (widget.min, widget.max, (widget.value or 0) + step, (widget.value or 0) - step)
                            if v is not None])
        value = min(max(value, widget.min if widget.min is not None else value), widget.max if widget.max is not None else value)
        widget.set_value(value)
    elif kind in ("selectbox", "radio", "select_slider"):  # by value: AppTest formats select_index's label again
        widget.set_value(_raw(widget, rng.choice(widget.options)))
    elif kind == "multiselect":
        picks = rng.sample(widget.options, rng.randint(0, min(3, len(widget.options))))
        widget.set_value([_raw(widget, p) for p in picks])
    elif kind in ("text_input", "text_area"):
        first = first_values.setdefault(key, widget.value or "")
        widget.input(rng.choice([first, first + ",", "oops", "", "1, 2, 3", "0.5; -1", "ü" * 40]))
    return f"{key or widget.label!r} = {widget.value!r}"


CHANGEABLE = OPTION_KINDS + ("slider", "number_input", "checkbox", "toggle", "text_input", "text_area", "button")


def random_walk(page: str, seed_: int, changes: int) -> int:
    """``changes`` random control changes on the page at URL path ``page`` in random order, 1 to 4 per rerun (as when a user is
    faster than the server); no run may raise. Returns how many changes were made."""
    info = page_info(page)
    rng = random.Random(seed_)
    at = open_page(info)
    assert not at.exception, exceptions(at)
    first_values: dict = {}
    done: list[str] = []
    while len(done) < changes:
        live = [w for kind in CHANGEABLE for w in at.get(kind) if not w.disabled]
        assert live, f"{info.title} has no control to change"
        for w in rng.sample(live, min(rng.randint(1, 4), len(live))):
            try:
                done.append(_change(w, rng, first_values))
            except LookupError:
                continue
        at.run()
        assert not at.exception, (info.title, done[-8:], exceptions(at))
    return len(done)


def page_info(url_path: str):
    """The page by its URL path (workers may import the page table later than the main process)."""
    return next(p for p in PAGES if p.url_path == url_path)


def _ready(_: int) -> bool:
    return True


def _full_error_details() -> None:
    """A worker's AppTest runs report an exception's message and traceback (the app's config redacts them)."""
    from streamlit import config

    config.get_option("client.showErrorDetails")  # loads the app's config first, or it would overwrite this
    config.set_option("client.showErrorDetails", "full")


def workers() -> ProcessPoolExecutor:
    """Two worker processes (the CI machine's cores), each with its own warm page caches.

    They start at once, under a bare ``__main__``: a spawned child re-runs the parent's main module, and after an
    ``AppTest.from_function`` that is the test's generated script.
    """
    pool = ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn"), initializer=_full_error_details)
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        assert all(pool.map(_ready, range(2)))
    finally:
        sys.modules["__main__"] = main
    return pool


def share_out(pool: ProcessPoolExecutor, task: Callable[[str, int, int], int], jobs: list[tuple[str, int, int]]) -> list[int]:
    """``task(*job)`` for every job, on the pool's workers; results in job order."""
    return list(pool.map(task, *zip(*jobs)))
