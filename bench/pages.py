"""Server time per page rerun after a widget change, measured in-process with AppTest.

    python bench/pages.py [--reruns 8] [--page activations ...]

For each page: the first load, then `--reruns` reruns each after moving the page's first slider
(or select box) to a value it has not had yet, so every rerun misses the cache of anything that
slider feeds. Prints the median rerun time in ms; the goal for the explainer pages is <= 150 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

from streamlit.testing.v1 import AppTest  # noqa: E402

from ui.navigation import existing_pages  # noqa: E402

GOAL_MS = 150.0


def _values(widget, n: int) -> list:
    """n distinct values for a slider or select box, none equal to its current value."""
    if hasattr(widget, "min"):
        lo, hi = widget.min, widget.max
        grid = np.linspace(lo, hi, n + 2)
        values = [type(lo)(v) if isinstance(lo, int) else float(v) for v in grid]
        values = [v for v in dict.fromkeys(values) if v != widget.value]
        return (values * n)[:n]
    options = [o for o in widget.options if o != widget.value]
    return (options * n)[:n]


def bench_page(file: str, reruns: int) -> tuple[float, float, str]:
    """(first load ms, median rerun ms, the widget moved)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)  # through the navigation, like a visitor
    t0 = time.perf_counter()
    at.run()
    if file != "app_pages/home.py":
        at.switch_page(file)
        t0 = time.perf_counter()
        at.run()
    first = (time.perf_counter() - t0) * 1000
    if at.exception:
        raise RuntimeError(f"{file}: {at.exception[0].value}")
    widget = at.slider[0] if len(at.slider) else at.selectbox[0]
    key, kind = widget.key, "slider" if len(at.slider) else "selectbox"
    times = []
    for value in _values(widget, reruns):
        w = at.slider(key=key) if kind == "slider" else at.selectbox(key=key)
        w.set_value(value)
        t0 = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - t0) * 1000)
        if at.exception:
            raise RuntimeError(f"{file} with {key}={value}: {at.exception[0].value}")
    return first, statistics.median(times), f"{kind} {widget.label!r}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=8)
    parser.add_argument("--page", nargs="*", help="url paths to bench (default: all; 'home' for the home page)")
    args = parser.parse_args(argv)
    os.environ.setdefault("FASHION_MNIST_NPZ", str(ROOT.parent / "shared" / "data" / "fashion-mnist-70k.npz"))
    print(f"{'page':<16}{'first load ms':>15}{'median rerun ms':>17}  widget moved")
    worst = 0.0
    for info in existing_pages():
        name = info.url_path or "home"
        if args.page and name not in args.page:
            continue
        first, median, moved = bench_page(info.file, args.reruns)
        flag = "" if median <= GOAL_MS else f"  (over the {GOAL_MS:.0f} ms goal)"
        print(f"{name:<16}{first:>15.0f}{median:>17.1f}  {moved}{flag}")
        if name != "fashion-mnist":
            worst = max(worst, median)
    print(f"worst explainer-page median rerun: {worst:.1f} ms (goal <= {GOAL_MS:.0f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
