"""One ast.parse at a time in the server process: CPython 3.11's parser is not safe to run from two threads at once.

``ast.parse`` keeps the depth of the tree it is building in interpreter-wide state. When a thread is paused inside
it (a garbage collection there runs a finalizer, and the finalizer lets another thread run) and another thread
parses meanwhile, the first one ends with "SystemError: AST constructor recursion depth mismatch"
(python/cpython#106905). In this app several threads parse: Streamlit compiles a page script the first time a
session opens it, PyTorch parses its own sources while it is imported, ``inspect.signature`` parses the signature
of a built-in, Python 3.11 parses a source line to underline it in a traceback. So a student's first visit of a
page could fail while another session, or the lecture page's warm-up, imported PyTorch (a full test run caught it
once on the backprop page). Every caller goes through the ``ast.parse`` attribute, so a lock around it is enough.
"""

from __future__ import annotations

import ast
import functools
import threading

_LOCK = threading.RLock()  # re-entrant: a finalizer that parses, run by a collection inside a parse, must not hang
_unsafe_parse = ast.parse


@functools.wraps(_unsafe_parse)
def _parse_alone(*args, **kwargs):
    with _LOCK:
        return _unsafe_parse(*args, **kwargs)


def serialize_ast_parse() -> None:
    """Make ``ast.parse`` take a process-wide lock (idempotent; call it before the server's threads parse)."""
    ast.parse = _parse_alone
