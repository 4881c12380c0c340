"""Benchmark: the trainer's epoch time vs the lecture's own DataLoader loop, same model/optimizer, same process.

    python bench/trainer.py [--data PATH] [--repeats 5] [--threads N] [--device auto] [--default-threads]

Reference (the lecture's code): ``TensorDataset`` + ``DataLoader(batch_size=64, shuffle=True)`` over the
images already divided by 255, the 784-512-512-10 ReLU network, RMSprop(lr=0.001),
CrossEntropyLoss(label_smoothing=0.01), each batch moved to the device. Ours: ``core.trainer.train`` with
the ``lecture`` preset run the way the page runs it: a ``TrainingJob`` thread whose event callback records
every batch for the live chart. Like with like:

- the same 52,500 images (the stratified 75% part, no validation split), batch size 64, model, optimizer,
  each epoch the first one of a fresh model with the same seed on both sides;
- the same intra-op thread count (the trainer's own choice, ``cpu_threads()``, unless ``--threads``);
- the same kind of thread: each reference epoch also runs in a fresh worker thread, because OpenMP
  spin-waits differently in the main thread than in a second one (see ``cpu_threads``);
- the same allocator setting as the app (``keep_freed_memory``);
- epochs interleaved (reference, ours, reference, …) so that load from other processes hits both alike.

Prints the median seconds per epoch and the ratio ours/reference (goal ≤ 1.0 on CPU). ``--default-threads``
adds a third contender, the reference loop in the main thread at torch's default thread count, to show
what the trainer's thread choice buys (or costs) on this machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from core.trainer.data import FashionMNIST, Splits, load_fashion_mnist, prepare  # noqa: E402
from core.memory import keep_freed_memory  # noqa: E402
from core.trainer import TrainConfig, build_model, preset, train  # noqa: E402
from core.trainer.models import cpu_threads, select_device  # noqa: E402
from ui.fashion.jobs import Limiter, TrainingJob  # noqa: E402  (no streamlit inside)

MALLOC_TUNED = keep_freed_memory()  # as app.py does


def get_data(path: str | None) -> tuple[FashionMNIST, str]:
    """The real data if we can find it, else random images of the same shape (timing only)."""
    if path or os.environ.get("FASHION_MNIST_NPZ"):
        data = load_fashion_mnist(path)
        return data, data.source
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 7000)
    return FashionMNIST(rng.integers(0, 256, (70_000, 28, 28), dtype=np.uint8), labels, "synthetic"), "synthetic (same shape)"


class LectureLoop:
    """The lecture's training loop over a DataLoader; ``epoch(seed)`` trains a fresh model for one epoch."""

    def __init__(self, config: TrainConfig, splits: Splits, device: torch.device) -> None:
        self.config, self.device = config, device
        self.criterion = nn.CrossEntropyLoss(label_smoothing=0.01)
        X = torch.tensor(splits.X_train, dtype=torch.float32) / 255.0  # (n, 784) in [0, 1]
        y = torch.tensor(splits.y_train, dtype=torch.long)
        self.loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)

    def epoch(self, threads: int, seed: int) -> float:
        """Seconds for the first epoch of a fresh, seeded model (the trainer's side does the same)."""
        torch.set_num_threads(threads)
        torch.manual_seed(seed)
        self.model = build_model(self.config).to(self.device)
        self.optimizer = torch.optim.RMSprop(self.model.parameters(), lr=0.001, momentum=0.0)
        start = time.perf_counter()
        for X_batch, y_batch in self.loader:
            X_batch, y_batch = X_batch.to(self.device), y_batch.to(self.device)
            outputs = self.model(X_batch)
            loss = self.criterion(outputs, y_batch)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
        if self.device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - start


def in_worker_thread(fn: Callable[[], float]) -> float:
    """Run ``fn`` in a fresh thread (as a TrainingJob runs the trainer) and return its result."""
    out: list[float] = []
    worker = threading.Thread(target=lambda: out.append(fn()))
    worker.start()
    worker.join()
    return out[0]


def trainer_epoch(config: TrainConfig, splits: Splits) -> float:
    """One epoch of core.trainer inside a TrainingJob (the page's path, events recorded); returns seconds."""
    job = TrainingJob(lambda on_event, stop: train(config, splits, on_event=on_event, stop=stop),
                      limiter=Limiter(capacity=1), heartbeat_timeout=1e9).start()  # fmt: skip
    job.join()
    if job.state != "done":
        raise RuntimeError(f"trainer job ended as {job.state}: {job.error}")
    assert len(job.log.batches["loss"]) == job.result.steps_per_epoch  # every batch was reported
    return job.result.history[0]["epoch_seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="npz or IDX folder (default: $FASHION_MNIST_NPZ, else synthetic)")
    parser.add_argument("--repeats", type=int, default=5, help="epochs per contender (median reported)")
    parser.add_argument("--threads", type=int, default=0, help="intra-op threads for both (default: the trainer's choice)")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])
    parser.add_argument("--default-threads", action="store_true",
                        help="also time the lecture loop in the main thread at torch's default thread count")  # fmt: skip
    args = parser.parse_args()

    default_threads = torch.get_num_threads()
    data, source = get_data(args.data)
    splits = prepare(data, val_fraction=0.0)
    device, text = select_device(args.device)
    threads = args.threads or cpu_threads()
    config = preset("lecture", epochs=1, val_fraction=0.0, device=args.device, threads=threads)
    print(f"data: {source}; {len(splits.y_train):,} training images; device: {text}; torch {torch.__version__}; "
          f"threads: {threads} for both (torch default {default_threads}); malloc tuned: {MALLOC_TUNED}")  # fmt: skip

    reference = LectureLoop(config, splits, device)
    contenders: dict[str, Callable[[int], float]] = {
        "lecture loop": lambda r: in_worker_thread(lambda: reference.epoch(threads, seed=r)),
        "core.trainer (UI path)": lambda r: trainer_epoch(config.replace(seed=r), splits),
    }
    if args.default_threads:
        name = f"lecture loop, main thread, {default_threads} threads"
        contenders[name] = lambda r: reference.epoch(default_threads, seed=r)
    for run in contenders.values():  # warm-up
        run(0)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for r in range(args.repeats):
        for name, run in contenders.items():
            time.sleep(0.3)  # let the previous contender's worker threads stop spinning
            times[name].append(run(r + 1))
        print(f"  round {r + 1}: " + " · ".join(f"{n} {t[-1]:.3f} s" for n, t in times.items()), flush=True)
    medians = {name: statistics.median(t) for name, t in times.items()}
    ref, ours = medians["lecture loop"], medians["core.trainer (UI path)"]
    print("median epoch: " + ", ".join(f"{n} {m:.3f} s" for n, m in medians.items()))
    print(f"ratio trainer/lecture = {ours / ref:.3f}  (goal ≤ 1.0; same threads, same kind of thread)")
    for name, m in list(medians.items())[2:]:
        print(f"for comparison: trainer / ({name}) = {ours / m:.3f}")


if __name__ == "__main__":
    main()
