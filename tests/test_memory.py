"""core/memory.py: the heap is frozen once per new set of imports, not on every run."""

import gc
import sys
import types

from core.memory import freeze_after_imports


def test_freeze_after_imports_freezes_only_when_modules_were_added():
    freeze_after_imports()  # whatever this test session imported so far
    assert freeze_after_imports() is False  # nothing new: no gc pass, no freeze
    sys.modules["_memory_test_module"] = types.ModuleType("_memory_test_module")
    try:
        before = gc.get_freeze_count()
        assert freeze_after_imports() is True
        assert gc.get_freeze_count() > 0 and gc.get_freeze_count() >= before
    finally:
        del sys.modules["_memory_test_module"]
    gc.unfreeze()  # leave the other tests' heap as it was
