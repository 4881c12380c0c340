"""Process-wide allocator setting for the NumPy engine; applied explicitly by app.py and bench/engine.py."""

from __future__ import annotations

import ctypes
import os
import sys


def keep_freed_memory() -> bool:
    """On glibc, keep freed arrays' memory in the heap for the next pass instead of unmapping it.

    A pass allocates and frees megabytes of temporaries; by default glibc hands them back to the
    OS each time (mmap above 128 KiB, heap trimming), so every pass pays page faults again —
    3–4x the pass's own cost on a small VM. The price: up to 64 MB of freed memory stays with the
    process. Returns whether the setting took effect; CORE_MALLOC_TUNING=0 opts out.
    """
    if sys.platform != "linux" or os.environ.get("CORE_MALLOC_TUNING", "1") == "0":
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # from glibc's malloc.h
    return bool(mallopt(M_MMAP_THRESHOLD, 16 << 20)) and bool(mallopt(M_TRIM_THRESHOLD, 64 << 20))
