"""Process-wide allocator setting for the NumPy engine; applied explicitly by app.py and bench/engine.py."""

from __future__ import annotations

import ctypes
import os
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8  # from glibc's malloc.h
MMAP_THRESHOLD = 16 << 20
# Streamlit runs each session's script in its own thread, and glibc gives threads up to 8 arenas per core, each keeping
# up to the trim threshold of freed memory: 16 x 64 MB on 2 cores was the ~0.9 GB by which 30 sessions on
# /initialization peaked higher with the tuning (2.18 vs 1.28 GB, issue #14). Two arenas (the GIL serialises the
# threads' Python work anyway) of at most 16 MB each bound it to ~32 MB; bench/engine.py: the tuning still makes a
# pass 1.2-1.4x faster (medians, one run, under load), bench/memory.py compares the variants with threads.
TRIM_THRESHOLD = 16 << 20
ARENA_MAX = 2


def keep_freed_memory(mmap_threshold: int = MMAP_THRESHOLD, trim_threshold: int = TRIM_THRESHOLD,
                      arena_max: int = ARENA_MAX) -> bool:
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
