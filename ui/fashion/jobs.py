"""Background training, one job per browser session, with a global cap on concurrent trainings.

The page keeps its ``TrainingJob`` in ``st.session_state`` and polls it from a fragment. A job
stops itself between two batches when

- the user presses Stop (``job.stop()``),
- the session starts another run (the page stops the old job first), or
- nobody has polled it for ``heartbeat_timeout`` seconds: the tab was closed or the user navigated
  away, so no run outlives the people watching it (no zombie runs).

At most ``Limiter.capacity`` jobs train at once in this server process (default: one per pair of
CPU cores, at least one; ``FASHION_MAX_TRAININGS`` overrides it); the others wait in line and say so.
Each training uses ``training_threads`` CPU threads (``FASHION_TRAIN_THREADS`` overrides the default).
This module holds no streamlit calls, so it is tested without a browser.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_ENV = "FASHION_MAX_TRAININGS"
THREADS_ENV = "FASHION_TRAIN_THREADS"


def _positive_env(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else None


def default_capacity() -> int:
    """$FASHION_MAX_TRAININGS, else one training per pair of CPU cores (at least 1)."""
    return _positive_env(MAX_ENV) or max(1, (os.cpu_count() or 1) // 2)


def training_threads(capacity: int) -> int:
    """CPU threads per training: $FASHION_TRAIN_THREADS, else the cores but one shared by ``capacity`` trainings."""
    from core.trainer.models import cpu_threads  # torch: imported only when a training starts

    return _positive_env(THREADS_ENV) or cpu_threads(concurrent=capacity)


class Limiter:
    """A counting gate with a readable queue length: ``acquire`` waits in FIFO order, ``release`` frees a slot."""

    def __init__(self, capacity: int | None = None) -> None:
        self.capacity = capacity or default_capacity()
        self._cond = threading.Condition()
        self._running = 0
        self._queue: list[object] = []

    def acquire(self, token: object, cancelled: Callable[[], bool], poll: float = 0.2) -> bool:
        """Wait for a slot (first come, first served); False if ``cancelled()`` turns true first."""
        with self._cond:
            self._queue.append(token)
            try:
                while not (self._queue[0] is token and self._running < self.capacity):
                    if cancelled():
                        return False
                    self._cond.wait(poll)
                self._running += 1
                return True
            finally:
                self._queue.remove(token)
                self._cond.notify_all()

    def release(self) -> None:
        """Give a slot back."""
        with self._cond:
            self._running = max(0, self._running - 1)
            self._cond.notify_all()

    def position(self, token: object) -> int | None:
        """1-based place of ``token`` in the waiting line, None if it is not waiting."""
        with self._cond:
            return self._queue.index(token) + 1 if token in self._queue else None

    @property
    def running(self) -> int:
        """Jobs training right now."""
        return self._running


LIMITER = Limiter()


@dataclass
class LiveLog:
    """What the page draws while a run is going: batch curves, epoch rows, the latest numbers."""

    batches: dict[str, list[float]] = field(
        default_factory=lambda: {k: [] for k in ("epoch", "loss", "accuracy", "smooth_loss", "smooth_accuracy")}
    )
    epochs: list[dict[str, Any]] = field(default_factory=list)
    start: Any = None  # the StartEvent
    end: Any = None  # the EndEvent
    last_batch: Any = None  # the latest BatchEvent


class TrainingJob:
    """Runs ``work(on_event, stop_flag)`` in a daemon thread once a slot of ``limiter`` is free."""

    def __init__(
        self,
        work: Callable[[Callable[[Any], None], threading.Event], Any],
        *,
        label: str = "run",
        meta: Any = None,
        limiter: Limiter | None = None,
        heartbeat_timeout: float = 20.0,
    ) -> None:
        self.label = label
        self.meta = meta  # what the caller wants to remember about the run (e.g. its config)
        self.limiter = limiter or LIMITER
        self.heartbeat_timeout = heartbeat_timeout
        self.stop_flag = threading.Event()
        self.state = "created"  # created → waiting → running → done | error | cancelled
        self.result: Any = None
        self.error: str | None = None
        self.abandoned = False
        self.log = LiveLog()
        self.created = time.monotonic()
        self.started: float | None = None
        self.finished: float | None = None
        self._lock = threading.Lock()
        self._seen = time.monotonic()
        self._work = work
        self._thread = threading.Thread(target=self._run, name=f"training-{label}", daemon=True)

    # --- the page side ----------------------------------------------------------------------
    def start(self) -> TrainingJob:
        """Queue the job (returns self)."""
        self.state = "waiting"
        self._thread.start()
        return self

    def heartbeat(self) -> None:
        """Tell the job someone is still watching it."""
        self._seen = time.monotonic()

    def stop(self) -> None:
        """Ask the job to stop between two batches (or to leave the waiting line)."""
        self.stop_flag.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread; True when it has ended."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def active(self) -> bool:
        """Waiting or running."""
        return self.state in ("waiting", "running")

    def queue_position(self) -> int | None:
        """Place in the waiting line (None when not waiting)."""
        return self.limiter.position(self) if self.state == "waiting" else None

    def snapshot(self) -> LiveLog:
        """A consistent copy of the live log for drawing."""
        with self._lock:
            return LiveLog({k: list(v) for k, v in self.log.batches.items()}, list(self.log.epochs),
                           self.log.start, self.log.end, self.log.last_batch)  # fmt: skip

    def progress(self) -> tuple[float, float | None]:
        """(fraction done in [0, 1], seconds left or None) from the latest batch event."""
        ev, start = self.log.last_batch, self.log.start
        if ev is None or start is None:
            return 0.0, None
        total = start.steps_per_epoch * start.epochs
        fraction = min(1.0, ev.step / max(total, 1))
        eta = ev.elapsed / fraction * (1 - fraction) if fraction > 0 else None
        return fraction, eta

    # --- the thread side --------------------------------------------------------------------
    def _watched(self) -> bool:
        if time.monotonic() - self._seen > self.heartbeat_timeout:
            self.abandoned = True
            self.stop_flag.set()
        return not self.stop_flag.is_set()

    def _on_event(self, event: Any) -> None:
        with self._lock:
            kind = event.kind
            if kind == "batch":
                b = self.log.batches
                b["epoch"].append(event.epoch - 1 + event.batch / event.steps_per_epoch)
                b["loss"].append(event.loss)
                b["accuracy"].append(event.accuracy)
                b["smooth_loss"].append(event.smooth_loss)
                b["smooth_accuracy"].append(event.smooth_accuracy)
                self.log.last_batch = event
            elif kind == "epoch":
                self.log.epochs.append({k: v for k, v in vars(event).items()})
            elif kind == "start":
                self.log.start = event
            elif kind == "end":
                self.log.end = event
        if kind == "batch":
            self._watched()

    def _run(self) -> None:
        if not self.limiter.acquire(self, lambda: not self._watched()):
            self.state = "cancelled"
            self.finished = time.monotonic()
            return
        try:
            self.state = "running"
            self.started = time.monotonic()
            self.result = self._work(self._on_event, self.stop_flag)
            self.state = "done"
        except Exception as exc:  # shown on the page; the app keeps working
            self.error = f"{type(exc).__name__}: {exc}"
            self.state = "error"
        finally:
            self.finished = time.monotonic()
            self.limiter.release()
