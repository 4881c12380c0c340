"""Process-wide allocator setting for the NumPy engine; applied explicitly by app.py and bench/engine.py."""

from __future__ import annotations

import ctypes
import os
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8  # from glibc's malloc.h
MMAP_THRESHOLD = 16 << 20
TRIM_THRESHOLD = 64 << 20


def keep_freed_memory(mmap_threshold: int = MMAP_THRESHOLD, trim_threshold: int = TRIM_THRESHOLD,
                      arena_max: int = 0) -> bool:
    """On glibc, keep freed arrays' memory in the heap for the next pass instead of unmapping it.

    A pass allocates and frees megabytes of temporaries; by default glibc hands them back to the
    OS each time (mmap above 128 KiB, heap trimming), so every pass pays page faults again.
    The price: up to ``trim_threshold`` of freed memory stays with each malloc arena (glibc gives
    threads up to 8 arenas per core; ``arena_max`` > 0 caps them). Returns whether it took effect;
    CORE_MALLOC_TUNING=0 opts out.
    """
    if sys.platform != "linux" or os.environ.get("CORE_MALLOC_TUNING", "1") == "0":
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    ok = bool(mallopt(M_MMAP_THRESHOLD, mmap_threshold)) and bool(mallopt(M_TRIM_THRESHOLD, trim_threshold))
    return ok and (arena_max <= 0 or bool(mallopt(M_ARENA_MAX, arena_max)))


_frozen_at = 0  # len(sys.modules) when the heap was last frozen


def freeze_after_imports() -> bool:
    """Move everything alive now out of the cycle collector's sight (gc.freeze) when modules were imported since the
    last call: the imported libraries' ~250k objects (torch, pandas, altair) would otherwise be walked by every full
    collection. Cheap when nothing new was imported; returns whether it froze."""
    import gc

    global _frozen_at
    if len(sys.modules) == _frozen_at:
        return False
    _frozen_at = len(sys.modules)
    gc.collect()  # garbage first: frozen garbage would stay for good
    gc.freeze()
    return True
