"""CPU time and resident memory of server processes and all their descendants, from Linux's /proc."""

from __future__ import annotations

import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (field 3 = state is index 0), or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def tree(root: int) -> list[int]:
    """root and every live descendant (training workers, helpers)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


def cpu_seconds(roots: list[int]) -> float:
    """utime + stime of every process in the trees, plus what their already-reaped children used (cutime + cstime)."""
    ticks = 0
    for root in roots:
        for pid in tree(root):
            fields = _stat(pid)
            if fields is not None:  # utime stime cutime cstime are fields 14..17 (indices 11..14 here)
                ticks += sum(int(f) for f in fields[11:15])
    return ticks / TICK


def rss_mb(roots: list[int]) -> float:
    """Resident memory of every process in the trees, in MB."""
    pages = 0
    for root in roots:
        for pid in tree(root):
            try:
                pages += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
            except (OSError, IndexError, ValueError):
                pass
    return pages * PAGE / 1e6
