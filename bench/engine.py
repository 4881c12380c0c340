"""Forward + backward of the same MLPs in core (NumPy) vs torch CPU autograd, in one process.

Prints the median time per pass and the ratio core/torch (goal: ≤ 1.5 against float64 torch).
Run: python bench/engine.py [--rounds R] [--runs N] [--threads T]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.memory import keep_freed_memory  # noqa: E402
from core.engine.network import MLP  # noqa: E402

MALLOC_TUNED = keep_freed_memory()  # as app.py does

CASES = [  # (label, layer sizes, hidden activation, batch, batch norm)
    ("784-256-256-10 relu, softmax-CE, batch 256", [784, 256, 256, 10], "relu", 256, False),
    ("20 layers x 64 tanh, softmax-CE, batch 256", [64] * 20 + [10], "tanh", 256, False),
    ("20 layers x 64 relu, softmax-CE, batch 256", [64] * 20 + [10], "relu", 256, False),
    ("784-256-256-10 relu + batch norm, softmax-CE, batch 256", [784, 256, 256, 10], "relu", 256, True),
]
TORCH_ACT = {"relu": torch.relu, "tanh": torch.tanh}


def block_ms(fn, runs: int) -> float:
    """Median wall time of ``runs`` calls of fn(), in milliseconds (one warm-up call first)."""
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def interleaved(fns: dict, rounds: int, runs: int, pause: float = 0.3) -> dict[str, list[float]]:
    """Alternate blocks of each fn so that background load hits every contender alike.

    The pause before each block lets the other library's worker threads (OpenBLAS for NumPy,
    OpenMP for torch) stop spinning, so neither runs against the other's busy-waiting threads.
    """
    out: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            time.sleep(pause)
            out[k].append(block_ms(fn, runs))
    return out


def torch_pass(params, X, y, activation, running=()):
    """One forward + backward through the same layers, torch autograd (batch norm in training mode if given)."""
    act = TORCH_ACT[activation]
    for p in params:
        p.grad = None
    A, i = X, 0
    last = (len(params) - 2 * len(running)) // 2 - 1
    for l in range(last + 1):
        Z = torch.addmm(params[i + 1], A, params[i])
        i += 2
        if l < last and running:
            Z = F.batch_norm(Z, *running[l], params[i], params[i + 1], training=True)
            i += 2
        A = act(Z) if l < last else Z
    F.cross_entropy(A, y).backward()


def running_stats(net, dtype):
    """Fresh torch running buffers (mean 0, variance 1) for each batch-norm layer of ``net``."""
    return [(torch.zeros(s.mean.size, dtype=dtype), torch.ones(s.var.size, dtype=dtype)) for s in net.stats]


def run_case(sizes, activation, batch, batchnorm, rounds, runs):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(batch, sizes[0]))
    y = rng.integers(0, sizes[-1], size=batch)
    net = MLP(sizes, activation=activation, output="softmax", init="he_normal", seed=0, batchnorm=batchnorm)
    fns = {"core": lambda: net.loss_and_grads(X, y, "crossentropy")}
    for dtype in (torch.float64, torch.float32):
        params = [torch.tensor(p, dtype=dtype, requires_grad=True) for p in net.params]
        Xt, yt = torch.tensor(X, dtype=dtype), torch.tensor(y)
        run = running_stats(net, dtype)
        fns[str(dtype)[6:]] = (lambda p, a, b, r: lambda: torch_pass(p, a, b, activation, r))(params, Xt, yt, run)
    blocks = interleaved(fns, rounds, runs)
    # sanity: both compute the same gradients
    params = [torch.tensor(p, requires_grad=True) for p in net.params]
    torch_pass(params, torch.tensor(X), torch.tensor(y), activation, running_stats(net, torch.float64))
    _, grads = net.loss_and_grads(X, y, "crossentropy")
    err = max(float(np.max(np.abs(g - p.grad.numpy()))) for g, p in zip(grads, params))
    return blocks, err


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="alternating blocks per contender")
    parser.add_argument("--runs", type=int, default=10, help="passes per block")
    parser.add_argument("--threads", type=int, default=0, help="BLAS/torch threads for both (0: library defaults)")
    args = parser.parse_args()
    if args.threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__} ({torch.get_num_threads()} threads), numpy {np.__version__}; "
          f"glibc malloc tuned: {MALLOC_TUNED}\n{args.rounds} interleaved rounds of {args.runs} passes, "
          f"ms per forward+backward: median over rounds [best round]")
    for label, sizes, activation, batch, batchnorm in CASES:
        blocks, err = run_case(sizes, activation, batch, batchnorm, args.rounds, args.runs)
        med = {k: statistics.median(v) for k, v in blocks.items()}
        best = {k: min(v) for k, v in blocks.items()}
        print(f"\n{label}  (max |grad diff| vs torch float64: {err:.1e})")
        print(f"  core (NumPy float64) {med['core']:8.3f} [{best['core']:7.3f}]")
        for k in ("float64", "float32"):
            print(f"  torch {k}        {med[k]:8.3f} [{best[k]:7.3f}]   core/torch = "
                  f"{med['core'] / med[k]:.2f} [{best['core'] / best[k]:.2f}]")


if __name__ == "__main__":
    main()
