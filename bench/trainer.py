"""Benchmark: an epoch of a training started the way the page starts it vs the lecture's loop run as a notebook runs it.

    python bench/trainer.py [--data PATH] [--repeats 5] [--device auto] [--threads N]

Reference (the lecture's code, as a notebook runs it): ``TensorDataset`` + ``DataLoader(batch_size=64,
shuffle=True)`` over the images already divided by 255, the 784-512-512-10 ReLU network, RMSprop(lr=0.001),
CrossEntropyLoss(label_smoothing=0.01), each batch moved to the device, in this process's main thread at
torch's default thread count (no allocator tuning: a notebook has none).

Ours: the page's path, ``ui.fashion.jobs.start_training`` with the ``lecture`` preset: a ``TrainingJob`` waits
for a slot, spawns a worker process (``core.trainer.worker``) that loads the data from the file and runs
``core.trainer``'s loop in its main thread with the page's thread count (``training_threads``, or
``--threads`` through ``FASHION_TRAIN_THREADS``), every batch reported back through the queue for the live
chart. Its epoch time is the loop's own ``epoch_seconds``; the process start-up (importing torch, loading the
data) is reported apart. Like with like:

- the same 52,500 images (the stratified 75% part, no validation split), batch size 64, model, optimizer,
  each epoch the first one of a fresh model with the same seed on both sides;
- epochs interleaved (reference, ours, reference, …) so that load from other processes hits both alike.

Prints the median seconds per epoch and the ratio ours/reference (goal ≤ 1.0 on CPU).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from core.trainer import TrainConfig, build_model, preset  # noqa: E402
from core.trainer.data import Splits, load_fashion_mnist, prepare  # noqa: E402
from core.trainer.models import select_device  # noqa: E402
from ui.fashion.jobs import THREADS_ENV, Limiter, start_training  # noqa: E402  (no streamlit inside)


def data_file(path: str | None, folder: str) -> tuple[str, str]:
    """(a data file the worker can load, what it is): the real data if we find it, else random images (timing only)."""
    chosen = path or os.environ.get("FASHION_MNIST_NPZ")
    if chosen:
        return chosen, "Fashion-MNIST"
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10, dtype=np.uint8), 7000)
    file = Path(folder) / "synthetic.npz"
    np.savez(file, images=rng.integers(0, 256, (70_000, 28, 28), dtype=np.uint8), labels=labels)
    return str(file), "synthetic (same shape)"


class LectureLoop:
    """The lecture's training loop over a DataLoader; ``epoch(seed)`` trains a fresh model for one epoch."""

    def __init__(self, config: TrainConfig, splits: Splits, device: torch.device) -> None:
        self.config, self.device = config, device
        self.criterion = nn.CrossEntropyLoss(label_smoothing=0.01)
        X = torch.tensor(splits.X_train, dtype=torch.float32) / 255.0  # (n, 784) in [0, 1]
        y = torch.tensor(splits.y_train, dtype=torch.long)
        self.loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)

    def epoch(self, seed: int) -> float:
        """Seconds for the first epoch of a fresh, seeded model (the trainer's side does the same)."""
        torch.manual_seed(seed)
        model = build_model(self.config).to(self.device)
        optimizer = torch.optim.RMSprop(model.parameters(), lr=0.001, momentum=0.0)
        start = time.perf_counter()
        for X_batch, y_batch in self.loader:
            X_batch, y_batch = X_batch.to(self.device), y_batch.to(self.device)
            outputs = model(X_batch)
            loss = self.criterion(outputs, y_batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if self.device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - start


def page_epoch(config: TrainConfig, data_path: str) -> tuple[float, float, str]:
    """One epoch started as the page starts it (worker process, events read); (epoch s, start-up s, device text)."""
    began = time.perf_counter()
    job = start_training(config, label="bench", data_path=data_path, limiter=Limiter(capacity=1), heartbeat_timeout=1e9)
    startup = None
    while job.active:
        job.snapshot()  # as the page's fragment reads the worker's messages
        if startup is None and job.log.start is not None:
            startup = time.perf_counter() - began
        time.sleep(0.05)
    if job.state != "done" or job.result is None:
        raise RuntimeError(f"the page's training ended as {job.state}: {job.error or job.notice}")
    log = job.snapshot()
    assert len(log.batches["loss"]) == job.result.metrics["steps_per_epoch"]  # every batch came back to the server
    return job.result.history[0]["epoch_seconds"], startup or float("nan"), log.start.device


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="npz or IDX folder (default: $FASHION_MNIST_NPZ, else synthetic)")
    parser.add_argument("--repeats", type=int, default=5, help="epochs per contender (median reported)")
    parser.add_argument("--threads", type=int, default=0, help="the page's threads per training (default: its own choice)")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])
    args = parser.parse_args()
    if args.threads:
        os.environ[THREADS_ENV] = str(args.threads)  # read by training_threads, as on a server

    with tempfile.TemporaryDirectory(prefix="bench-trainer-") as folder:
        path, source = data_file(args.data, folder)
        splits = prepare(load_fashion_mnist(path), val_fraction=0.0)
        device, text = select_device(args.device)
        config = preset("lecture", epochs=1, val_fraction=0.0, device=args.device)
        reference = LectureLoop(config, splits, device)
        print(f"data: {source}; {len(splits.y_train):,} training images; device: {text}; torch {torch.__version__}; "
              f"notebook: main thread, {torch.get_num_threads()} threads (torch default); {os.cpu_count()} CPUs")  # fmt: skip
        reference.epoch(0)  # warm-up (the worker processes start cold every time, as on the page)
        times: dict[str, list[float]] = {"notebook": [], "page": [], "start-up": []}
        for r in range(args.repeats):
            time.sleep(0.3)
            times["notebook"].append(reference.epoch(seed=r + 1))
            time.sleep(0.3)
            epoch, startup, page_device = page_epoch(config.replace(seed=r + 1), path)
            times["page"].append(epoch)
            times["start-up"].append(startup)
            print(f"  round {r + 1}: notebook {times['notebook'][-1]:.3f} s · page (worker process, {page_device}) "
                  f"{epoch:.3f} s · worker start-up {startup:.1f} s", flush=True)  # fmt: skip
    med = {name: statistics.median(t) for name, t in times.items()}
    print(f"median epoch: notebook {med['notebook']:.3f} s, page {med['page']:.3f} s; "
          f"median worker start-up (spawn → first event) {med['start-up']:.1f} s")  # fmt: skip
    print(f"ratio page/notebook = {med['page'] / med['notebook']:.3f}  (goal ≤ 1.0)")


if __name__ == "__main__":
    main()
