"""Trainings of the Fashion-MNIST page: one job per browser session, each in its own worker process.

The page keeps its ``TrainingJob`` in ``st.session_state`` and polls it from a fragment. The training
itself runs in a spawned process (``core.trainer.worker``): its Python work never competes for the
server's GIL with other students' reruns, and torch threads the way it does in a notebook's main thread.
Here, in the server, a light thread per job waits for a training slot, starts the worker, reads its
messages (the page reads them too when it polls) and ends the process when

- the user presses Stop (``job.stop()``: the loop ends after the current batch; killed if it has not
  ended ``stop_grace`` seconds later),
- the session starts another run (the page stops the old job first), or
- nobody has polled the job for ``heartbeat_timeout`` seconds: the tab was closed or the user went to
  another page, so the process is killed (no zombie runs).

Only that one process is stopped or killed, never anything else. At most ``Limiter.capacity`` jobs train at
once (default: one per pair of CPU cores, at least one; ``FASHION_MAX_TRAININGS`` overrides it); the others
wait in line and say so. Each training uses ``training_threads`` CPU threads (``FASHION_TRAIN_THREADS``
overrides the default) at a lower CPU priority than the server (``WorkerSpec.niceness``). This module holds no
streamlit calls, so it is tested without a browser.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.trainer.worker import Finished, Worker, WorkerSpec

MAX_ENV = "FASHION_MAX_TRAININGS"
THREADS_ENV = "FASHION_TRAIN_THREADS"


def _positive_env(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else None


def default_capacity() -> int:
    """$FASHION_MAX_TRAININGS, else one training per pair of CPU cores (at least 1)."""
    return _positive_env(MAX_ENV) or max(1, (os.cpu_count() or 1) // 2)


def training_threads(capacity: int) -> int:
    """CPU threads per training: $FASHION_TRAIN_THREADS, else every core shared by ``capacity`` trainings (the workers
    run at a lower priority than the server, so students' reruns still get a core at once)."""
    from core.trainer.models import cpu_threads

    return _positive_env(THREADS_ENV) or cpu_threads(concurrent=capacity, spare=0)


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

    def add(self, event: Any) -> None:
        """Record one trainer event."""
        if event.kind == "batch":
            b = self.batches
            b["epoch"].append(event.epoch - 1 + event.batch / event.steps_per_epoch)
            b["loss"].append(event.loss)
            b["accuracy"].append(event.accuracy)
            b["smooth_loss"].append(event.smooth_loss)
            b["smooth_accuracy"].append(event.smooth_accuracy)
            self.last_batch = event
        elif event.kind == "epoch":
            self.epochs.append(dict(vars(event)))
        elif event.kind == "start":
            self.start = event
        elif event.kind == "end":
            self.end = event


class TrainingJob:
    """Trains ``spec`` in a worker process once a slot of ``limiter`` is free; the page's handle on it."""

    def __init__(
        self,
        spec: WorkerSpec,
        *,
        label: str = "run",
        meta: Any = None,
        limiter: Limiter | None = None,
        heartbeat_timeout: float = 20.0,
        stop_grace: float = 15.0,
    ) -> None:
        self.spec = spec
        self.label = label
        self.meta = meta  # what the caller wants to remember about the run (e.g. its config)
        self.limiter = limiter or LIMITER
        self.heartbeat_timeout = heartbeat_timeout
        self.stop_grace = stop_grace
        self.state = "created"  # created → waiting → starting → running → done | error | cancelled
        self.result: Finished | None = None
        self.error: str | None = None
        self.notice = ""  # why a job was cancelled
        self.abandoned = False
        self.log = LiveLog()
        self.created = time.monotonic()
        self.started: float | None = None
        self.finished: float | None = None
        self.worker: Worker | None = None
        self._stop_asked: float | None = None
        self._lock = threading.RLock()
        self._seen = time.monotonic()
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
        """Ask the run to end after the current batch (or leave the waiting line)."""
        if self._stop_asked is None:
            self._stop_asked = time.monotonic()
        worker = self.worker
        if worker is not None:
            worker.stop()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the job to end; True when it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def active(self) -> bool:
        """Waiting, starting or running."""
        return self.state in ("waiting", "starting", "running")

    @property
    def pid(self) -> int | None:
        """The worker process's id (None before it starts)."""
        return self.worker.pid if self.worker is not None else None

    def queue_position(self) -> int | None:
        """Place in the waiting line (None when not waiting)."""
        return self.limiter.position(self) if self.state == "waiting" else None

    def snapshot(self) -> LiveLog:
        """A consistent copy of the live log for drawing (reads the worker's latest messages first)."""
        with self._lock:
            self._read()
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

    # --- the watcher thread -----------------------------------------------------------------
    def _read(self) -> None:
        """Apply the worker's messages that have arrived (while its process runs or after a clean exit)."""
        with self._lock:
            worker = self.worker
            if worker is None or (worker.exitcode or 0) != 0:
                return  # a killed worker's last message may be cut off: not read
            for kind, payload in worker.messages():
                if kind == "events":
                    for event in payload:
                        self.log.add(event)
                    if self.log.start is not None and self.state == "starting":
                        self.state = "running"
                elif kind == "finished":
                    self.result = payload
                elif kind == "error":
                    self.error = payload

    def _watched(self) -> bool:
        if time.monotonic() - self._seen > self.heartbeat_timeout:
            self.abandoned = True
        return not self.abandoned

    def _cancelled(self) -> bool:
        return not self._watched() or self._stop_asked is not None

    def _end(self, state: str, notice: str = "") -> None:
        self.state, self.notice = state, notice
        self.finished = time.monotonic()

    def _run(self) -> None:
        if not self.limiter.acquire(self, self._cancelled):
            why = "nobody watched the page" if self.abandoned else "you left the line"
            self._end("cancelled", f"Left the waiting line before training started ({why}).")
            return
        try:
            self.state = "starting"
            self.started = time.monotonic()
            with self._lock:
                self.worker = Worker(self.spec)
            if self._stop_asked is not None:
                self.worker.stop()
            self._watch(self.worker)
        except Exception as exc:  # e.g. no process could be started: the page says so and keeps working
            self.error = f"{type(exc).__name__}: {exc}"
            self._end("error")
        finally:
            if self.worker is not None:
                with self._lock:  # the page may be reading at this moment
                    self.worker.kill()  # a no-op for a process that has ended
                    self.worker.close()
            self.limiter.release()

    def _watch(self, worker: Worker) -> None:
        """Read messages until the worker ends; kill it when abandoned or deaf to Stop."""
        while True:
            self._read()
            if self.result is not None or self.error is not None or not worker.alive:
                break
            if not self._watched():
                worker.kill()
                self._end("cancelled", f"Ended: nobody watched the page for {self.heartbeat_timeout:.0f} s.")
                return
            if self._stop_asked is not None and time.monotonic() - self._stop_asked > self.stop_grace:
                worker.kill()
                self._end("cancelled", "Stopped: the training process did not end by itself and was ended.")
                return
            worker.wait(0.25)
        worker.wait(5)  # after its last message the process exits by itself
        if worker.alive:
            worker.kill()
        self._read()
        if self.error is not None:
            self._end("error")
        elif self.result is not None:
            self._end("done")
        else:
            code = worker.exitcode
            how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited with code {code}"
            self.error = (f"the training process {how} before it finished (out of memory?). "
                          "The app keeps working: train again, perhaps a smaller model or batch.")  # fmt: skip
            self._end("error")


def start_training(
    config: Any,
    *,
    label: str,
    data_path: str = "",
    save_to: str = "",
    limiter: Limiter | None = None,
    heartbeat_timeout: float = 20.0,
) -> TrainingJob:
    """Start ``config`` the way the page does: the server's fair share of threads, in a worker process."""
    limiter = limiter or LIMITER
    config = config.replace(threads=training_threads(limiter.capacity))
    spec = WorkerSpec(config, data_path=data_path, save_to=save_to)
    return TrainingJob(spec, label=label, meta=config, limiter=limiter, heartbeat_timeout=heartbeat_timeout).start()
