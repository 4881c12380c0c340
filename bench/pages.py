"""Server cost per page rerun after a widget change, measured in-process with AppTest.

    python bench/pages.py [--reruns 8] [--page home initialization ...] [--widget KEY] [--profile 25 [--profile-phase hit]]
                          [--freeze]

For each page: the first load, then `--reruns` reruns each after moving one widget (the page's first enabled slider, or
``--widget KEY``) to a value it has not had yet, so every rerun misses the cache of anything it feeds ("miss"),
then the same values again ("hit": what a student gets when another already asked for that setting).
Columns, medians per rerun:
  wall ms   AppTest's time for the run (includes AppTest parsing the page, which a real server does not do);
  cpu ms    CPU time of the script thread (what a server spends on the rerun, before sending it);
  gc ms     gc.collect(2) right after the run, which Streamlit does when ``runner.postScriptGC`` is on;
and the process's RSS at the end. ``--freeze`` calls gc.freeze() after the first load (as app.py does once).
Goal (issue #14): cpu ms <= 50 on every page; the explainer pages' wall ms <= 150.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

from streamlit.runtime.scriptrunner.script_cache import ScriptCache  # noqa: E402
from streamlit.runtime.scriptrunner.script_runner import ScriptRunner  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from ui.navigation import existing_pages  # noqa: E402

GOAL_MS = 150.0
CPU_GOAL_MS = 50.0
KINDS = ("slider", "select_slider", "selectbox", "number_input", "radio")


def _share_bytecode() -> None:
    """AppTest compiles every page script again on every run (a fresh ScriptCache each time); a server compiles it
    once. Share one cache per process so the numbers are the server's, not AppTest's."""
    compiled: dict[str, object] = {}
    original = ScriptCache.get_bytecode

    def get_bytecode(self, script_path: str):
        path = os.path.abspath(script_path)
        if path not in compiled:
            compiled[path] = original(self, script_path)
        return compiled[path]

    ScriptCache.get_bytecode = get_bytecode


class ScriptMeter:
    """Wraps ScriptRunner._run_script: CPU time of the script thread per run, then a timed gc.collect(2)."""

    def __init__(self, post_gc: bool = True) -> None:
        self.post_gc = post_gc
        self.cpu: list[float] = []
        self.gc: list[float] = []
        self.profile: cProfile.Profile | None = None
        self._lock = threading.Lock()
        original = ScriptRunner._run_script
        meter = self

        def run_script(runner, rerun_data):
            t0 = time.thread_time()
            if meter.profile is not None:
                meter.profile.enable()
            try:
                return original(runner, rerun_data)
            finally:
                if meter.profile is not None:
                    meter.profile.disable()
                cpu = time.thread_time() - t0
                t1 = time.thread_time()
                if meter.post_gc:
                    gc.collect(2)
                with meter._lock:
                    meter.cpu.append(cpu * 1000)
                    meter.gc.append((time.thread_time() - t1) * 1000)

        ScriptRunner._run_script = run_script

    def take(self) -> tuple[list[float], list[float]]:
        with self._lock:
            cpu, gcs, self.cpu, self.gc = self.cpu, self.gc, [], []
        return cpu, gcs


def rss_mb() -> float:
    """Resident memory of this process now, in MB (Linux)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _find(at: AppTest, key: str | None):
    for kind in KINDS:
        for w in at.get(kind):
            if (key is None and kind in ("slider", "selectbox") and not w.disabled) or (key is not None and w.key == key):
                return kind, w
    raise LookupError(f"no widget {key!r} on the page")


def _values(widget, n: int) -> list:
    """n distinct values for the widget, none equal to its current value."""
    lo = getattr(widget, "min", None)
    if isinstance(lo, (int, float)) and not isinstance(lo, bool):
        grid = np.linspace(lo, widget.max, n + 2)
        values = [int(round(v)) if isinstance(lo, int) else float(v) for v in grid]
        values = [v for v in dict.fromkeys(values) if v != widget.value]
    else:
        values = [o for o in widget.options if o != widget.value and str(o) != str(widget.value)]
    return (values * n)[:n]


def _set(at: AppTest, kind: str, key: str, value) -> None:
    w = next(w for w in at.get(kind) if w.key == key)
    if kind in ("selectbox", "select_slider", "radio"):
        value = next((o for o in _raw_options(w) if str(w.format_func(o)) == str(value)), value)
    w.set_value(value)


def _raw_options(w) -> list:
    out = []
    for label in w.options:
        for convert in (int, float, str):
            try:
                v = convert(label)
            except ValueError:
                continue
            try:
                if str(w.format_func(v)) == label:
                    out.append(v)
                    break
            except Exception:  # noqa: BLE001
                continue
    return out


def bench_page(meter: ScriptMeter, file: str, reruns: int, key: str | None, freeze: bool, profile: int,
               soak: int = 0, profile_phase: str = "miss") -> dict:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)  # through the navigation, like a visitor
    t0 = time.perf_counter()
    at.run()
    if file != "app_pages/home.py":
        at.switch_page(file)
        t0 = time.perf_counter()
        at.run()
    first = (time.perf_counter() - t0) * 1000
    if at.exception:
        raise RuntimeError(f"{file}: {at.exception[0].value}")
    if freeze:
        gc.collect()
        gc.freeze()
    kind, widget = _find(at, key)
    key = widget.key
    values = _values(widget, reruns)
    meter.take()
    out: dict = {"first": first, "widget": f"{kind} {key}"}
    for phase in ("miss", "hit"):
        meter.profile = cProfile.Profile() if profile and phase == profile_phase else None
        walls = []
        for value in values:
            _set(at, kind, key, value)
            t0 = time.perf_counter()
            at.run()
            walls.append((time.perf_counter() - t0) * 1000)
            if at.exception:
                raise RuntimeError(f"{file} with {key}={value}: {at.exception[0].value}")
        cpu, gcs = meter.take()
        out[phase] = (statistics.median(walls), statistics.median(cpu), statistics.median(gcs))
        if meter.profile is not None:
            buf = io.StringIO()
            pstats.Stats(meter.profile, stream=buf).sort_stats("cumulative").print_stats(profile)
            out["profile"] = buf.getvalue()
            meter.profile = None
    out["rss"] = rss_mb()
    if soak:
        for i in range(soak):
            _set(at, kind, key, values[i % len(values)])
            at.run()
        out["soak"] = (out["rss"], rss_mb(), len(gc.get_objects()))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=8)
    parser.add_argument("--page", nargs="*", help="url paths to bench (default: all; 'home' for the home page)")
    parser.add_argument("--widget", help="key of the widget to move (default: the page's first slider)")
    parser.add_argument("--freeze", action="store_true", help="gc.freeze() after the first load")
    parser.add_argument("--post-gc", choices=("on", "off"), default="on",
                        help="off: no gc.collect(2) after each run (runner.postScriptGC = false); see RSS")
    parser.add_argument("--soak", type=int, default=0, help="after the bench, this many more reruns (RSS growth)")
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions (cumulative) of one phase")
    parser.add_argument("--profile-phase", choices=("miss", "hit"), default="miss", help="the phase --profile profiles")
    args = parser.parse_args(argv)
    os.environ.setdefault("FASHION_MNIST_NPZ", str(ROOT.parent / "shared" / "data" / "fashion-mnist-70k.npz"))
    _share_bytecode()
    meter = ScriptMeter(post_gc=args.post_gc == "on")
    print(f"{'page':<16}{'first ms':>9} | {'miss: wall':>10}{'cpu':>7}{'gc':>6} | {'hit: wall':>9}{'cpu':>7}{'gc':>6}"
          f" | {'RSS MB':>7}  widget moved")
    worst = 0.0
    for info in existing_pages():
        name = info.url_path or "home"
        if args.page and name not in args.page:
            continue
        r = bench_page(meter, info.file, args.reruns, args.widget, args.freeze, args.profile, args.soak,
                       args.profile_phase)
        (mw, mc, mg), (hw, hc, hg) = r["miss"], r["hit"]
        flag = "" if mc <= CPU_GOAL_MS else f"  (miss cpu over {CPU_GOAL_MS:.0f} ms)"
        print(f"{name:<16}{r['first']:>9.0f} | {mw:>10.1f}{mc:>7.1f}{mg:>6.1f} | {hw:>9.1f}{hc:>7.1f}{hg:>6.1f}"
              f" | {r['rss']:>7.0f}  {r['widget']}{flag}", flush=True)
        if "soak" in r:
            print(f"{'':<16}after {args.soak} more reruns: RSS {r['soak'][0]:.0f} -> {r['soak'][1]:.0f} MB, "
                  f"{r['soak'][2]} objects tracked by gc (post-gc {args.post_gc}, freeze {args.freeze})")
        if "profile" in r:
            print(r["profile"])
        if name != "fashion-mnist":
            worst = max(worst, mc)
    print(f"worst explainer-page median miss cpu: {worst:.1f} ms (goal <= {CPU_GOAL_MS:.0f} ms); "
          "gc = what runner.postScriptGC adds to every rerun")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
