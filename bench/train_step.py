"""Time per training step of the NumPy engine on the initialization race's network, as the app runs it and as the
engine ran it before two shortcuts, in one process (ratios, not absolute times, are what to compare).

The two shortcuts: a training pass keeps f' from its forward pass where f and f' share their costly part (gelu's
Φ, silu's σ), and the training loop's backward skips what is kept only for display (every layer's dZ and dA,
dL/dŷ). "before" turns both off on the same network, data and seed.
Run: python bench/train_step.py [--steps S] [--rounds R]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.engine.datasets import make_dataset  # noqa: E402
from core.engine.network import MLP  # noqa: E402
from core.engine.train import TrainConfig, Trainer  # noqa: E402


class DisplayKeepingMLP(MLP):
    """The engine before: backward keeps every layer's dZ and dA and dL/dŷ, and recomputes f' from Z."""

    def backward(self, cache, y, loss, l2=0.0, l1=0.0, label_smoothing=0.0, keep=True):
        return super().backward(cache, y, loss, l2, l1, label_smoothing, keep=True)


def step_ms(activation: str, before: bool, steps: int, depth: int = 10, width: int = 32) -> float:
    """Milliseconds per Adam step, full batch of the circles set (n = 200), ``depth`` × ``width`` hidden layers."""
    X, y = make_dataset("circles", n=200, noise=0.1, seed=0)
    cls = DisplayKeepingMLP if before else MLP
    net = cls([2] + [width] * depth + [2], activation=activation, output="softmax", init="he_normal", seed=0)
    if before:
        net.act = dataclasses.replace(net.act, with_derivative=None)
    trainer = Trainer(net, X, y, TrainConfig("crossentropy", "adam", lr=0.01, seed=0))
    start = time.perf_counter()
    trainer.run(steps)
    return (time.perf_counter() - start) / steps * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5, help="alternating rounds; the median is reported")
    args = ap.parse_args()
    print(f"{'activation':10s} {'now ms/step':>12s} {'before ms/step':>15s} {'now/before':>11s}")
    for act in ("gelu", "silu", "tanh", "relu"):
        now, old = [], []
        for _ in range(args.rounds):  # alternate, so drifts of the machine hit both alike
            now.append(step_ms(act, False, args.steps))
            old.append(step_ms(act, True, args.steps))
        a, b = statistics.median(now), statistics.median(old)
        print(f"{act:10s} {a:12.3f} {b:15.3f} {a / b:11.2f}")


if __name__ == "__main__":
    main()
