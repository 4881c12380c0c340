"""Allocator settings (core/memory.py) under a server's threads: time per engine pass and peak RSS, in one run.

    python bench/memory.py [--threads 8] [--passes 30]

Each variant runs in a fresh process (mallopt must come before the threads make their arenas): ``threads``
threads, like a server's script threads, each doing ``passes`` forward + backward passes of the
initialization page's signal probe (20 x 256, batch 128) and of a 784-256-256-10 MLP (batch 256).
Prints the median pass time and the peak RSS per variant, and the ratios to the untuned default.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = {  # name: keep_freed_memory kwargs, or None for glibc's defaults
    "glibc default": None,
    "mmap 16M, trim 64M (old)": {"trim_threshold": 64 << 20, "arena_max": 0},
    "mmap 16M, trim 16M, 2 arenas (now)": {},
}


def child(kwargs: dict | None, threads: int, passes: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from core.memory import keep_freed_memory

    tuned = keep_freed_memory(**kwargs) if kwargs is not None else False
    import numpy as np

    from core.engine.network import MLP
    from core.lessons.initialization.signal_depth import SignalConfig, signal_through_depth

    times: list[float] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        rng = np.random.default_rng(i)
        X, y = rng.normal(size=(256, 784)), rng.integers(0, 10, size=256)
        net = MLP([784, 256, 256, 10], activation="relu", output="softmax", init="he_normal", seed=i)
        for p in range(passes):
            t0 = time.perf_counter()
            signal_through_depth(SignalConfig(20, 256, "relu", "he_normal", 128, seed=1000 * i + p))
            net.loss_and_grads(X, y, "crossentropy")
            with lock:
                times.append(time.perf_counter() - t0)

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return {"tuned": tuned, "ms": 1000 * statistics.median(times),
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--passes", type=int, default=30)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(child(json.loads(args.child), args.threads, args.passes)))
        return
    print(f"{args.threads} threads x {args.passes} passes (signal probe 20x256 + MLP 784-256-256-10)")
    print(f"{'variant':<32}{'ms/pass':>9}{'peak RSS MB':>13}{'time ratio':>12}{'RSS ratio':>11}")
    base = None
    for name, kwargs in VARIANTS.items():
        out = subprocess.run([sys.executable, __file__, "--threads", str(args.threads), "--passes", str(args.passes),
                              "--child", json.dumps(kwargs)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        base = base or r
        print(f"{name:<32}{r['ms']:>9.1f}{r['rss_mb']:>13.0f}{r['ms'] / base['ms']:>12.2f}{r['rss_mb'] / base['rss_mb']:>11.2f}",
              flush=True)


if __name__ == "__main__":
    main()
