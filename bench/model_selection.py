"""Model-selection page: compute time per section at the page's defaults, and server time per cached rerun.

    python bench/model_selection.py [--reruns 6] [--skip-page] [--compare OTHER_CHECKOUT [--rounds 3]]

Per section: the lesson calls the page makes for its default view, cold (nothing cached), as wall-clock
and CPU seconds of this process (on a shared machine the CPU time is the fairer figure); the goal is ≤ 1 s.
Then the page in AppTest: the first load, and the median server time of reruns that toggle a control between
two values already in st.cache_data (what a student pays for a widget change once the view is cached). AppTest
reruns the whole script; in the browser only the changed section's fragment reruns, so the CPU ms of each
section function in those reruns are printed too (the bar: ≤ 50 ms per widget change).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

from core.lessons.model_selection import capacity, dropout, early_stopping, penalties  # noqa: E402
from core.lessons.model_selection import batchnorm as bn  # noqa: E402
from core.lessons.model_selection.data import digits_split  # noqa: E402

GOAL_S = 1.0
SECTIONS = {  # the page's default calls, section by section (section 4 reuses section 1's no-dropout run)
    "1 early stopping (all epochs once)": lambda: early_stopping.training_curves(
        early_stopping.CurveConfig(), early_stopping.epoch_metrics(early_stopping.CurveConfig(epochs=early_stopping.MAX_EPOCHS))),
    "2 width sweep": lambda: capacity.width_sweep(epochs=10, label_noise=0.0),
    "2 memorization": lambda: capacity.memorization(width=256, n_train=150),
    "2 bottleneck": lambda: capacity.bottleneck_sweep(first=256),
    "3 L1 vs L2": lambda: penalties.compare_penalties(lam=3e-3, epochs=30),
    "3 weight decay": lambda: penalties.weight_decay_vs_l2(lam=1e-2, steps=1),
    "4 dropout masks + expectation": lambda: (dropout.masks_for_iteration((2, 3, 1), 0.5, 3),
                                              dropout.expected_activation(0.8, 0.5)),
    "4 dropout curves (p = 0.5 run)": lambda: early_stopping.epoch_metrics(
        early_stopping.CurveConfig(dropout=0.5, epochs=early_stopping.MAX_EPOCHS)),
    "5 batch norm (both nets)": lambda: [bn.deep_sigmoid(f, depth=8, lr=0.3, steps=300, checkpoints=(0, 30, 300))
                                         for f in (False, True)],
}
TOGGLES = [("slider", "patience", 5, 6), ("radio", "show", "loss", "accuracy"), ("slider", "it", 3, 4),
           ("radio", "stat", "mean", "variance"), ("select_slider", "decay_steps", 1, 10)]


def bench_sections() -> None:
    digits_split()  # load the data set once (≈ 0.1 s, shared by every section)
    print(f"{'section':<34}{'wall s':>8}{'CPU s':>8}")
    for name, call in SECTIONS.items():
        w0, c0 = time.perf_counter(), time.process_time()
        call()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        flag = "" if cpu <= GOAL_S else "  > 1 s"
        print(f"{name:<34}{wall:>8.2f}{cpu:>8.2f}{flag}")


SECTION_CALLS = ("early_stopping_section", "capacity_section", "penalty_section", "dropout_section",
                 "batchnorm_section")
TIMED = """
import time as _time
_ms = {}
for _name in %r:
    _c = _time.process_time()
    globals()[_name]()
    _ms[_name] = (_time.process_time() - _c) * 1000
st.session_state.setdefault("_bench_section_ms", []).append(_ms)
""" % (SECTION_CALLS,)


def _timed_page() -> str:
    """The page's source with its section calls replaced by the same calls, each timed in CPU ms."""
    source = (ROOT / "app_pages" / "model_selection.py").read_text()
    calls = "".join(f"{name}()\n" for name in SECTION_CALLS)
    if calls not in source:
        raise RuntimeError("the page no longer ends with its five section calls; update bench/model_selection.py")
    return source.replace(calls, TIMED)


def bench_page(reruns: int) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(_timed_page(), default_timeout=1800)
    t0 = time.perf_counter()
    at.run()
    print(f"\npage first load (cold cache): {time.perf_counter() - t0:.1f} s")
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    for kind, key, a, b in TOGGLES:  # both values once, so both are cached
        for v in (b, a):
            getattr(at, kind)(key=key).set_value(v)
            at.run()
    at.session_state["_bench_section_ms"] = []
    print(f"{'toggle (both values cached)':<34}{'whole-page rerun ms':>20}")
    for kind, key, a, b in TOGGLES:
        times = []
        for i in range(reruns):
            getattr(at, kind)(key=key).set_value(b if i % 2 == 0 else a)
            t0 = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - t0) * 1000)
        print(f"{key:<34}{statistics.median(times):>20.0f}")
    rows = at.session_state["_bench_section_ms"]
    print(f"\n{'section function (cached rerun)':<34}{'median CPU ms':>20}")
    for name in SECTION_CALLS:
        print(f"{name:<34}{statistics.median(r[name] for r in rows):>20.1f}")


SECTION_2 = """
import sys, time
sys.path.insert(0, ".")
from core.lessons.model_selection import capacity
from core.lessons.model_selection.data import digits_split
digits_split()
t = time.thread_time()
capacity.width_sweep(epochs=10, label_noise=0.0)
capacity.memorization(width=256, n_train=150)
capacity.bottleneck_sweep(first=256)
print(time.thread_time() - t)
"""


def compare_section_2(other: Path, rounds: int) -> None:
    """Section 2's default view (sweep, memorization, bottleneck), cold, in this checkout and in ``other`` (say, a
    git worktree of an older commit), alternating, in fresh processes: the ratio holds up on a loaded machine."""
    import subprocess

    cpu: dict[str, list[float]] = {"this": [], "other": []}
    for _ in range(rounds):
        for name, where in (("other", other), ("this", ROOT)):
            out = subprocess.run([sys.executable, "-c", SECTION_2], cwd=where, capture_output=True, text=True, check=True)
            cpu[name].append(float(out.stdout.split()[-1]))
    this, that = min(cpu["this"]), min(cpu["other"])
    print(f"\nsection 2 default view, CPU s (best of {rounds}): this {this:.2f}, {other} {that:.2f}; "
          f"ratio this/other {this / that:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=6)
    parser.add_argument("--skip-page", action="store_true", help="only the per-section compute times")
    parser.add_argument("--compare", type=Path, help="another checkout: section 2's ratio against it, then exit")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if args.compare:
        compare_section_2(args.compare.resolve(), args.rounds)
        return 0
    os.environ.setdefault("CORE_MALLOC_TUNING", "1")
    from core.memory import keep_freed_memory

    keep_freed_memory()  # as app.py does
    bench_sections()
    if not args.skip_page:
        bench_page(args.reruns)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
