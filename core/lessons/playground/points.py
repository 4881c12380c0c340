"""Points a user adds by clicking, as the text a link carries: "x₁,x₂,label;x₁,x₂,label"."""

from __future__ import annotations

import math

from core.lessons.playground.data import DOMAIN

Point = tuple[float, float, float]


def format_points(points: tuple[Point, ...]) -> str:
    """The link form: 'x₁,x₂,label' joined by ';' (coordinates to 2 decimals)."""
    return ";".join(f"{x:g},{y:g},{c:g}" for x, y, c in points)


def parse_points(text: str, classes: int, max_points: int = 200) -> tuple[Point, ...]:
    """Points from their link form; labels are classes 0..classes−1 (classes > 0) or targets in [−1, 1] (classes = 0).

    Raises ValueError with a message that names the first bad entry.
    """
    text = (text or "").strip()
    if not text:
        return ()
    entries = [e for e in text.split(";") if e.strip()]
    if len(entries) > max_points:
        raise ValueError(f"at most {max_points} added points, got {len(entries)}")
    lo, hi = DOMAIN
    points = []
    for entry in entries:
        parts = entry.split(",")
        try:
            x, y, c = (float(p) for p in parts)
        except ValueError:
            raise ValueError(f"'{entry.strip()}' is not 'x₁,x₂,label'") from None
        if not all(math.isfinite(v) for v in (x, y, c)) or not (lo <= x <= hi and lo <= y <= hi):
            raise ValueError(f"'{entry.strip()}': coordinates must lie in [{lo:g}, {hi:g}]")
        if classes and (c != int(c) or not 0 <= c < classes):
            raise ValueError(f"'{entry.strip()}': the label must be a class 0..{classes - 1}")
        if not classes and not -1 <= c <= 1:
            raise ValueError(f"'{entry.strip()}': the target must lie in [−1, 1]")
        points.append((x, y, c))
    return tuple(points)
