"""Server time per playground update: train a frame's batches through the engine's Trainer, then draw every picture.

An update is what one tick of the playing fragment does on the server: ``run.advance(batches)``, every unit's
heatmap as PNG, the chart specs, and their data sets serialized to Arrow as Streamlit ships them.
Goal (issue 11): 2 hidden layers × 4 units, 500 points, batch 10 → ≥ 5 updates/s and ≤ 60 ms per update.

    python bench/playground.py [--updates 30] [--batches 25]
"""

from __future__ import annotations

import argparse
import json
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=30)
    parser.add_argument("--batches", type=int, default=25, help="batches per update (25 = one epoch of 250 points)")
    args = parser.parse_args()
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
