"""One training in its own process: ``core.trainer``'s loop in a spawned worker, reporting through a queue.

The web server starts a ``Worker`` per training. The worker process imports torch, loads the data itself
(from the path in its ``WorkerSpec``, never through the queue), runs ``run_experiment`` (the same loop and
callbacks as the CLI) in its main thread and sends back, in order:

- ``("events", [Event, …])``: the loop's start/batch/epoch/end events, batch events grouped
  (one message per ``flush_seconds``, so the server unpickles a few messages a second, not one per batch);
- then ``("finished", Finished)`` (the run, saved to ``spec.save_to`` when given) or ``("error", text)``.

The worker runs at a lower CPU priority (``niceness``, 10 by default): it may use every core a quiet server
has, and the kernel hands a core back to the web server the moment a student's rerun wants one.

Stop asks the loop to end after the current batch (a ``multiprocessing.Event``); ``kill`` ends the process
at once. A worker whose parent process has died stops by itself at the next batch. Never imports streamlit.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue as queue_module
import signal
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.trainer.config import TrainConfig

APP_ROOT = str(Path(__file__).resolve().parents[2])  # where ``core`` is importable from
SPAWN = mp.get_context("spawn")  # a fresh interpreter: no copied server threads or locks, no shared GIL
_LAUNCH = threading.Lock()


@dataclass(frozen=True)
class WorkerSpec:
    """What one worker trains: the config, where its data lies, where to save the finished run."""

    config: TrainConfig
    data_path: str = ""  # an .npz or a folder of IDX files; "" = $FASHION_MNIST_NPZ, else the download cache
    save_to: str = ""  # folder for the finished run (weights for downloads and transfer); "" = not saved
    top_mistakes: int = 12  # most confident test mistakes sent back (with their images)
    flush_seconds: float = 0.2  # batch events are grouped into one message per this many seconds
    niceness: int = 10  # added to the worker's CPU niceness (0 = the server's priority; 19 = the lowest)


@dataclass(frozen=True)
class Finished:
    """A finished run without its model and data: what the page keeps and draws."""

    config: TrainConfig
    status: str  # completed | early_stopped | stopped | diverged | time_limit
    message: str
    history: list[dict[str, float]]
    metrics: dict[str, Any]  # core.trainer.runs.metrics_of: timings, test scores, confusion
    best_epoch: int | None
    restored_epoch: int | None
    val_confusions: list[list[list[int]]] = field(default_factory=list)
    mistakes: list[dict[str, Any]] = field(default_factory=list)  # evaluation mistakes + "image" (28, 28) uint8
    folder: str | None = None  # where the run was saved


class Outbox:
    """Loop events → the queue: batch events wait for the next flush (every ``every`` s), the others go at once."""

    def __init__(self, queue: Any, every: float) -> None:
        self.queue, self.every = queue, every
        self.pending: list[Any] = []
        self.last = time.monotonic()

    def __call__(self, event: Any) -> None:
        self.pending.append(event)
        if event.kind != "batch" or time.monotonic() - self.last >= self.every:
            self.flush()

    def flush(self) -> None:
        """Send what is pending as one message."""
        if self.pending:
            self.queue.put(("events", self.pending))
            self.pending = []
        self.last = time.monotonic()


class StopSignal:
    """The loop's stop flag: set by the server (``event``), or true once the server process is gone."""

    def __init__(self, event: Any, parent: int) -> None:
        self.event, self.parent = event, parent

    def is_set(self) -> bool:
        """Whether the loop should end after this batch."""
        return self.event.is_set() or os.getppid() != self.parent


def finished(result: Any, splits: Any, evaluation: Any, folder: str | None) -> Finished:
    """The picklable summary of ``run_experiment``'s output (mistakes carry their 28×28 images)."""
    from core.trainer.runs import metrics_of

    mistakes = []
    if evaluation is not None:
        mistakes = [{**m, "image": splits.X_test[m["index"]].reshape(28, 28)} for m in evaluation.mistakes]
    return Finished(result.config, result.status, result.message, result.history, metrics_of(result),
                    result.best_epoch, result.restored_epoch, result.val_confusions, mistakes, folder)  # fmt: skip


def lower_priority(niceness: int) -> int | None:
    """Add ``niceness`` to this process's niceness; returns the niceness now, None where the system doesn't allow it."""
    try:
        return os.nice(max(0, niceness))
    except (AttributeError, OSError):  # no os.nice (Windows) or not permitted: train at the server's priority
        return None


def run(spec: WorkerSpec, queue: Any, stop: Any, parent: int) -> None:
    """The worker process's entry: train ``spec`` and report through ``queue``; every failure becomes an error message."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C on the server: the server ends its workers itself
    lower_priority(spec.niceness)
    outbox = Outbox(queue, spec.flush_seconds)
    try:
        from core.trainer.data import load_fashion_mnist
        from core.trainer.experiment import run_experiment
        from core.trainer.runs import save_run

        data = load_fashion_mnist(spec.data_path or None, timeout=20.0, retries=1)
        result, splits, evaluation = run_experiment(spec.config, data, on_event=outbox, stop=StopSignal(stop, parent),
                                                    top_mistakes=spec.top_mistakes)  # fmt: skip
        outbox.flush()
        folder = str(save_run(result, spec.save_to)) if spec.save_to else None
        queue.put(("finished", finished(result, splits, evaluation, folder)))
    except Exception as exc:  # the page shows it; the server keeps working
        outbox.flush()
        queue.put(("error", f"{type(exc).__name__}: {exc}"))


@contextlib.contextmanager
def _bare_main() -> Iterator[None]:
    """While a process is spawned: a ``__main__`` without a file, and the app's root on ``sys.path``.

    A spawned child re-runs the parent's ``__main__`` file; under Streamlit that is the page script being run
    (Streamlit installs each script as ``__main__``), which would import streamlit and run the page in the worker.
    The child also gets the parent's ``sys.path``, which must reach ``core`` (Streamlit adds the app's folder
    only while a script runs).
    """
    with _LAUNCH:
        main = sys.modules["__main__"]
        bare = types.ModuleType("__main__")
        sys.modules["__main__"] = bare
        added = APP_ROOT not in sys.path
        if added:
            sys.path.append(APP_ROOT)
        try:
            yield
        finally:
            if sys.modules.get("__main__") is bare:  # a script run may have installed its own meanwhile: keep it
                sys.modules["__main__"] = main
            if added and APP_ROOT in sys.path:
                sys.path.reverse()
                sys.path.remove(APP_ROOT)  # the one appended above (the last occurrence)
                sys.path.reverse()


class Worker:
    """The server's handle on one worker process: its messages, Stop (a request) and kill (at once)."""

    def __init__(self, spec: WorkerSpec, target: Callable[..., None] = run) -> None:
        self.queue = SPAWN.Queue()
        self.stop_event = SPAWN.Event()
        self.process = SPAWN.Process(target=target, args=(spec, self.queue, self.stop_event, os.getpid()),
                                     name="fashion-training", daemon=True)  # fmt: skip
        with _bare_main():
            self.process.start()
        # Only the worker writes: without the server's own copy of the write end, a worker that dies halfway
        # through a message leaves an end of file (an error on reading), not a read that waits forever.
        self.queue._writer.close()
        self.closed = False

    @property
    def pid(self) -> int | None:
        """The worker's process id."""
        return self.process.pid

    @property
    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process.is_alive()

    @property
    def exitcode(self) -> int | None:
        """The process's exit code (negative: the signal that ended it), None while it runs."""
        return self.process.exitcode

    def messages(self) -> list[tuple[str, Any]]:
        """Every message that has arrived so far (never waits)."""
        out: list[tuple[str, Any]] = []
        if self.closed:
            return out
        with contextlib.suppress(queue_module.Empty, EOFError, OSError):
            while True:
                out.append(self.queue.get_nowait())
        return out

    def wait(self, seconds: float) -> None:
        """Block up to ``seconds`` or until the process ends."""
        self.process.join(seconds)

    def stop(self) -> None:
        """Ask the loop to end after the current batch (the run is then evaluated and reported as 'stopped')."""
        self.stop_event.set()

    def kill(self) -> None:
        """End the process now (SIGKILL); nothing else is touched."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)

    def close(self) -> None:
        """Release the queue (after the process has ended and its messages were read)."""
        self.closed = True
        self.queue.close()
        self.queue.cancel_join_thread()
