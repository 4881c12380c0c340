"""ui/serial_parse.py: two threads parsing at once (one paused inside ast.parse by a finalizer) never fail.

The harness makes CPython's race happen every time: a collection inside thread A's parse runs a finalizer that
lets thread B parse a whole module and waits for it. Unserialized, A then fails with "AST constructor recursion
depth mismatch" (CPython 3.11, the server's Python); serialized, B waits for A and both parse.
"""

import ast
import gc
import sys
import threading
from pathlib import Path

import pytest

from ui import serial_parse

SOURCE = (Path(__file__).parents[2] / "app_pages" / "backprop.py").read_text()


def _parse_while_another_thread_parses(parse) -> tuple[list[BaseException], bool]:
    """Thread A parses SOURCE with ``parse``; a finalizer run inside that parse starts thread B's parse and waits
    for it (at most 1 s). Returns (A's and B's errors, whether B finished while A was paused)."""
    b_may_start, b_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    paused_in_parse: list[bool] = []

    def b() -> None:
        b_may_start.wait(10)
        try:
            parse(SOURCE)
        except SystemError as err:
            errors.append(err)
        b_done.set()

    class Pause:
        """Cyclic garbage whose finalizer, if it runs inside A's parse, lets B parse meanwhile."""

        def __init__(self) -> None:
            self.me = self

        def __del__(self) -> None:
            if b_may_start.is_set():
                return
            inside = any(f.f_code is serial_parse._unsafe_parse.__code__ for f in _frames())
            if not inside:
                Pause()  # too early (before the parser built its first node): wait for the next collection
                return
            b_may_start.set()
            paused_in_parse.append(b_done.wait(1.0))

    thread_b = threading.Thread(target=b)
    thread_b.start()
    threshold = gc.get_threshold()
    gc.set_threshold(1)
    try:
        Pause()
        parse(SOURCE)
    except SystemError as err:
        errors.append(err)
    finally:
        gc.set_threshold(*threshold)
        b_may_start.set()
        thread_b.join(10)
    return errors, bool(paused_in_parse and paused_in_parse[0])


def _frames():
    frame = sys._getframe(1)
    while frame is not None:
        yield frame
        frame = frame.f_back


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the race this harness triggers is CPython 3.11's")
def test_the_harness_triggers_cpythons_race_without_the_lock():
    errors, b_ran_inside = _parse_while_another_thread_parses(serial_parse._unsafe_parse)
    assert b_ran_inside, "B did not parse while A was paused inside its parse: the harness is not testing anything"
    assert any("recursion depth mismatch" in str(e) for e in errors), errors


def test_serialized_parses_never_fail():
    errors, b_ran_inside = _parse_while_another_thread_parses(serial_parse._parse_alone)
    assert errors == []
    assert not b_ran_inside, "B parsed while A held the lock"


def test_the_app_serializes_parsing_from_its_first_run(monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr(ast, "parse", serial_parse._unsafe_parse)  # as in a fresh server process
    at = AppTest.from_file(str(Path(__file__).parents[2] / "app.py"), default_timeout=90).run()
    assert not at.exception
    assert ast.parse is serial_parse._parse_alone
