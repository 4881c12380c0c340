"""Server time per playground update: train a frame's batches through the engine's Trainer, then draw every picture.

An update is what one tick of the playing fragment does on the server: ``run.advance(batches)``, every unit's
heatmap as PNG, the chart specs, and their data sets serialized to Arrow as Streamlit ships them.
Goal (issue 11): 2 hidden layers × 4 units, 500 points, batch 10 → ≥ 5 updates/s and ≤ 60 ms per update.

``--browser`` measures the page itself: `streamlit run app.py` on a loopback port, headless Chromium at 1280×720
presses Play and counts, over ``--seconds``, the frames that reach the screen (changes of the step shown) and the
repaints of each chart, with the server's and the browser's CPU time per frame; then the server's CPU while
paused and after the playing tab is closed (both should be ~0).

    python bench/playground.py [--updates 30] [--batches 25]
    python bench/playground.py --browser [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.lessons.playground.session import PlayConfig, PlayRun  # noqa: E402
from ui.playground.views import build_frame  # noqa: E402

CASES = {
    "2×4": PlayConfig(dataset="xor", hidden=(4, 4), n=500, batch_size=10),
    "6×8": PlayConfig(dataset="spiral", hidden=(8,) * 6, n=500, batch_size=10,
                      features=("x₁", "x₂", "x₁²", "x₂²", "x₁x₂", "sin x₁", "sin x₂")),
}


def _ship(spec: dict) -> int:
    """Serialize a spec as st.vega_lite_chart does (data sets are Arrow bytes already, the rest JSON); bytes."""
    size = sum(len(b) for b in spec.get("datasets", {}).values())
    rest = {k: v for k, v in spec.items() if k != "datasets"}
    return size + len(json.dumps(rest))


def update(run: PlayRun, batches: int) -> tuple[float, float, float, int]:
    """(train ms, draw ms, total ms, bytes) of one update."""
    t0 = time.perf_counter()
    run.advance(batches)
    t1 = time.perf_counter()
    frame = build_frame(run, show_test=True, discrete=False)
    size = sum(_ship(s) for s in (frame.network, frame.plane, frame.loss, frame.norms, frame.space) if s)
    t2 = time.perf_counter()
    return 1e3 * (t1 - t0), 1e3 * (t2 - t1), 1e3 * (t2 - t0), size


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree_cpu_s(root: int, skip: int) -> float:
    """CPU seconds of every descendant of ``root`` except ``skip`` (here: Chromium's processes, not the server)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        try:
            ppid = int(entry.joinpath("stat").read_text().rsplit(")", 1)[1].split()[1]) if entry.name.isdigit() else None
        except OSError:
            continue
        if ppid is not None:
            children.setdefault(ppid, []).append(int(entry.name))
    total, stack = 0.0, list(children.get(root, []))
    while stack:
        pid = stack.pop()
        stack += children.get(pid, [])
        if pid != skip:
            try:
                total += _cpu_s(pid)
            except OSError:
                pass
    return total


# Counts, per chart, the animation frames in which its DOM changed (Vega's SVG renderer redrew it).
WATCH = """() => { for (const c of document.querySelectorAll('[data-testid=stVegaLiteChart]')) { let due = false;
  new MutationObserver(() => { if (!due) { due = true; requestAnimationFrame(() => { due = false;
    c.__paints = (c.__paints || 0) + 1; }); } }).observe(c, {subtree: true, childList: true, attributes: true}); } }"""
PAINTS = "() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')].map(c => c.__paints || 0)"
SHOWN = "() => [...document.querySelectorAll('.pg-metric b')].map(e => e.innerText).join('|')"
BROWSER_QUERY = "data=xor&layers=2&u1=4&u2=4&act=tanh&lr=0.03"  # the 2×4 case of CASES, on the page


def browser(seconds: float) -> None:
    """Frames per second that reach the screen in headless Chromium while playing, and what they cost."""
    import subprocess
    import urllib.request

    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHART, CHROMIUM_ARGS, IDLE, ROOT, free_port

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                               "--server.address", "127.0.0.1", "--server.port", str(port),
                               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            page = chromium.new_page(viewport={"width": 1280, "height": 720})
            page.goto(f"{url}/playground?{BROWSER_QUERY}", wait_until="domcontentloaded")
            page.wait_for_selector(CHART, timeout=120_000)
            page.wait_for_selector(IDLE, timeout=120_000)
            page.get_by_text("▶ Play").click()
            page.wait_for_timeout(1500)  # the page's full rerun that starts the fragment
            page.evaluate(WATCH)
            frames, last = 0, page.evaluate(SHOWN)
            paints0, server0, browser0 = page.evaluate(PAINTS), _cpu_s(server.pid), _tree_cpu_s(os.getpid(), server.pid)
            t0 = time.monotonic()
            while time.monotonic() - t0 < seconds:
                shown = page.evaluate(SHOWN)
                frames, last = frames + (shown != last), shown
                page.wait_for_timeout(20)
            dt = time.monotonic() - t0
            paints = [(b - a) / dt for a, b in zip(paints0, page.evaluate(PAINTS))]
            server_s, browser_s = _cpu_s(server.pid) - server0, _tree_cpu_s(os.getpid(), server.pid) - browser0
            print(f"playing {dt:.1f} s: {frames / dt:.1f} frames/s on screen; chart repaints/s "
                  f"{', '.join(f'{x:.1f}' for x in paints)} (network, plane, loss, gradient norms, layer space)")
            print(f"per frame: server CPU {1e3 * server_s / max(frames, 1):.0f} ms, browser CPU "
                  f"{1e3 * browser_s / max(frames, 1):.0f} ms (server {100 * server_s / dt:.0f} % of a core)")
            page.get_by_text("▶ Play").click()
            page.wait_for_timeout(2000)
            c0 = _cpu_s(server.pid)
            page.wait_for_timeout(5000)
            print(f"paused: server CPU {100 * (_cpu_s(server.pid) - c0) / 5:.1f} % of a core")
            page.get_by_text("▶ Play").click()
            page.wait_for_timeout(2000)
            page.close()
            time.sleep(3)
            c0 = _cpu_s(server.pid)
            time.sleep(5)
            print(f"tab closed while playing: server CPU {100 * (_cpu_s(server.pid) - c0) / 5:.1f} % of a core")
            chromium.close()
    finally:
        server.terminate()
        server.wait(10)
    print(f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: other work inflates these numbers)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=30)
    parser.add_argument("--batches", type=int, default=25, help="batches per update (25 = one epoch of 250 points)")
    parser.add_argument("--browser", action="store_true", help="measure frames/s of the page in headless Chromium")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long --browser watches the page play")
    args = parser.parse_args()
    if args.browser:
        browser(args.seconds)
        return
    print(f"{'network':8} {'train ms':>9} {'draw ms':>8} {'ms/update':>10} {'updates/s':>10} {'KB/update':>10}")
    for name, cfg in CASES.items():
        run = PlayRun(cfg)
        update(run, args.batches)  # warm-up (imports, first PNG)
        rows = [update(run, args.batches) for _ in range(args.updates)]
        train, draw, total = (statistics.median(r[i] for r in rows) for i in range(3))
        kb = statistics.median(r[3] for r in rows) / 1024
        print(f"{name:8} {train:9.1f} {draw:8.1f} {total:10.1f} {1e3 / total:10.1f} {kb:10.0f}")
    print(f"(medians of {args.updates} updates of {args.batches} batches each; 500 points, 250 for training, batch 10)")


if __name__ == "__main__":
    main()
