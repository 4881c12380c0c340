"""Server time per rerun of the backpropagation page for the edits a student makes, measured in-process with AppTest.

    python bench/backprop.py [--reruns 6]

bench/pages.py moves only the page's first slider (the architecture's), which never reaches the walk-through.
Here every rerun changes a number the engine needs (a weight, an input, η, the loss) or the step, so each one
misses the page's caches: the walk-through with its finite differences, the computational graph, the batch
gradients and the k-step training curve. Largest case: 3-4-3, batch 8, k = 500. Prints the median and the
worst rerun in ms; the goal is <= 150 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

GOAL_MS = 150.0


def _timed(at: AppTest, label: str, edit: Callable[[int], object], reruns: int) -> float:
    times = []
    for i in range(reruns):
        edit(i)
        t0 = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - t0) * 1000)
        if at.exception:
            raise RuntimeError(f"{label}: {at.exception[0].value}")
    median = statistics.median(times)
    flag = "" if median <= GOAL_MS else f"  (over the {GOAL_MS:.0f} ms goal)"
    print(f"{label:<34}{median:>10.1f}{max(times):>10.1f}{flag}")
    return median


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=6)
    args = parser.parse_args(argv)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("app_pages/backprop.py")
    at.run()
    n = args.reruns
    print(f"{'edit':<34}{'median ms':>10}{'max ms':>10}")
    worst = _timed(at, "weight w8 (2-2-2)", lambda i: at.text_input(key="W2").input(f"0.4, 0.45; 0.5, {0.3 + i / 100}"), n)
    steps = ["dw5", "dw1", "update", "new_loss", "loss", "z_h2"]
    worst = max(worst, _timed(at, "step", lambda i: at.select_slider(key="step").set_value(steps[i % len(steps)]), n))
    worst = max(worst, _timed(at, "learning rate η", lambda i: at.number_input(key="eta").set_value(0.1 + i / 10), n))
    for key, value in (("ni", 3), ("nh", 4), ("no", 3)):
        at.selectbox(key=key).select(value).run()
    at.number_input(key="k").set_value(500).run()
    at.slider(key="n").set_value(8).run()
    worst = max(worst, _timed(at, "input x3 (3-4-3, batch 8, k 500)",
                              lambda i: at.text_input(key="x").input(f"0.05, 0.1, {0.2 + i / 100}"), n))
    losses = ["mse", "binary_crossentropy", "crossentropy", "half_sse"]
    worst = max(worst, _timed(at, "loss (3-4-3, batch 8, k 500)",
                              lambda i: at.selectbox(key="loss").select(losses[i % len(losses)]), n))
    print(f"worst median: {worst:.1f} ms (goal <= {GOAL_MS:.0f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
