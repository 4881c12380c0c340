"""What the training loop calls between its steps: time budget, divergence, early stopping, progress events.

The loop (``core.trainer.loop``) knows only ``LoopState`` and the ``Callback`` hooks. A callback that ends
the run calls ``state.halt(status, message)``; the loop stops at the next point it can (before an epoch,
after a batch's numbers are read back, after an epoch). Callbacks run in list order, so a check that can
halt on a batch (``Divergence``) comes before the one that reports it (``ProgressEvents``).
"""

from __future__ import annotations

import copy
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.trainer.events import BatchEvent, EndEvent, EpochEvent, Event, StartEvent

if TYPE_CHECKING:
    from torch import nn

    from core.trainer.config import TrainConfig
    from core.trainer.loop import TrainResult

SMOOTHING = 100  # batches in the moving average (the lecture's TrainingPlotCallback)


@dataclass(frozen=True)
class BatchStats:
    """One optimizer step's numbers, read back from the device."""

    step: int  # 1-based over the whole run
    epoch: int  # 1-based
    batch: int  # 1-based within the epoch
    lr: float
    loss: float
    accuracy: float
    size: int  # images in the batch


@dataclass
class LoopState:
    """What the loop shares with its callbacks: the run so far, the clock, and the halt request."""

    config: TrainConfig
    model: nn.Module
    result: TrainResult
    n_train: int
    n_val: int
    steps_per_epoch: int
    note: str = ""  # e.g. "started from saved weights (…)"
    started: float = field(default_factory=time.perf_counter)
    epoch: int = 0  # the epoch running or just finished (1-based)
    improved: bool = False  # the monitored validation score of the epoch just finished is the best so far
    status: str | None = None  # set by ``halt``: early_stopped | stopped | diverged | time_limit
    message: str = ""

    def halt(self, status: str, message: str) -> None:
        """Ask the loop to end the run with ``status`` (the first request wins)."""
        if self.status is None:
            self.status, self.message = status, message

    @property
    def halted(self) -> bool:
        """Whether some callback (or the stop flag) ended the run."""
        return self.status is not None

    def elapsed(self) -> float:
        """Seconds since training started."""
        return time.perf_counter() - self.started


class Callback:
    """Hooks of the training loop; every hook does nothing unless overridden."""

    def on_train_start(self, state: LoopState) -> None:
        """Before the first epoch."""

    def on_epoch_start(self, state: LoopState) -> None:
        """Before epoch ``state.epoch``; may halt so that it never starts."""

    def on_batch_end(self, state: LoopState, batch: BatchStats) -> None:
        """A batch's numbers have been read back; may halt (the batch is then not recorded)."""

    def on_epoch_end(self, state: LoopState, row: dict[str, float]) -> None:
        """Epoch ``row["epoch"]`` is in the history (``state.improved`` says whether it is the best so far)."""

    def on_train_end(self, state: LoopState) -> None:
        """The run is over; ``state.result`` holds its status and message."""


class TimeBudget(Callback):
    """No epoch starts that would end past ``max_seconds`` (judged by the last epoch's duration)."""

    def __init__(self, max_seconds: float) -> None:
        self.max_seconds = max_seconds

    def on_epoch_start(self, state: LoopState) -> None:
        history = state.result.history
        last_epoch = history[-1]["epoch_seconds"] if history else 0.0
        if state.elapsed() + last_epoch > self.max_seconds:
            state.halt("time_limit", f"stopped before epoch {state.epoch}: it would end past the "
                                     f"{self.max_seconds:g} s budget")  # fmt: skip


class Divergence(Callback):
    """A non-finite batch loss ends the run as 'diverged' (a status, never an exception)."""

    def on_batch_end(self, state: LoopState, batch: BatchStats) -> None:
        if not math.isfinite(batch.loss):
            state.halt("diverged", f"the loss became {batch.loss} at epoch {batch.epoch}, batch {batch.batch} "
                                   f"(learning rate {batch.lr:.3g}): the run diverged")  # fmt: skip


class EarlyStopping(Callback):
    """Stop when the monitored score has not improved for ``patience`` epochs; optionally restore the best weights."""

    def __init__(self, monitor: str, patience: int, restore_best: bool) -> None:
        self.monitor, self.patience, self.restore_best = monitor, patience, restore_best
        self.since_best = 0
        self.best_state: dict[str, Any] | None = None

    def on_epoch_end(self, state: LoopState, row: dict[str, float]) -> None:
        if state.improved:
            self.since_best = 0
            if self.restore_best:
                self.best_state = copy.deepcopy(state.model.state_dict())
        else:
            self.since_best += 1
        if self.since_best >= self.patience:
            p = self.patience
            state.halt("early_stopped", f"early stopping after epoch {row['epoch']}: {self.monitor} did not improve "
                                        f"for {p} epoch{'s' if p > 1 else ''} (best epoch {state.result.best_epoch})")  # fmt: skip

    def on_train_end(self, state: LoopState) -> None:
        result = state.result
        if self.best_state is None:
            return
        result.restored_epoch = result.best_epoch
        if result.best_epoch != len(result.history) or result.status in ("stopped", "diverged"):
            state.model.load_state_dict(self.best_state)  # back to the best epoch's weights
            result.message += f"; restored the weights of epoch {result.best_epoch}"


class MovingAverage:
    """Mean of the last ``size`` values, kept as a running sum (O(1) per value)."""

    def __init__(self, size: int = SMOOTHING) -> None:
        self.values: deque[float] = deque(maxlen=size)
        self.total = 0.0

    def add(self, value: float) -> float:
        """Push ``value``; returns the mean of the window."""
        if len(self.values) == self.values.maxlen:
            self.total -= self.values[0]
        self.values.append(value)
        self.total += value
        return self.total / len(self.values)


class ProgressEvents(Callback):
    """Turns the loop's hooks into ``core.trainer.events`` for ``emit`` (a page, the CLI, a test)."""

    def __init__(self, emit: Callable[[Event], None], device_text: str) -> None:
        self.emit, self.device_text = emit, device_text
        self.smooth_loss, self.smooth_acc = MovingAverage(), MovingAverage()

    def on_train_start(self, state: LoopState) -> None:
        c = state.config
        self.emit(StartEvent(self.device_text, state.n_train, state.n_val, state.steps_per_epoch, c.epochs,
                             state.result.parameters, state.note))  # fmt: skip

    def on_batch_end(self, state: LoopState, batch: BatchStats) -> None:
        if state.halted:
            return  # a diverged batch is not reported
        b = batch
        self.emit(BatchEvent(b.step, b.epoch, b.batch, state.steps_per_epoch, b.loss, b.accuracy,
                             self.smooth_loss.add(b.loss), self.smooth_acc.add(b.accuracy), b.lr, state.elapsed()))  # fmt: skip

    def on_epoch_end(self, state: LoopState, row: dict[str, float]) -> None:
        self.emit(EpochEvent(**row, best_epoch=state.result.best_epoch, elapsed=state.elapsed()))

    def on_train_end(self, state: LoopState) -> None:
        r = state.result
        self.emit(EndEvent(r.status, r.message, r.best_epoch, r.restored_epoch, r.seconds))


def standard_callbacks(config: TrainConfig, emit: Callable[[Event], None] | None, device_text: str) -> list[Callback]:
    """The config's callbacks in hook order: time budget, divergence, early stopping, then progress events."""
    chosen: list[Callback] = []
    if config.max_seconds:
        chosen.append(TimeBudget(config.max_seconds))
    chosen.append(Divergence())
    if config.early_stopping:
        chosen.append(EarlyStopping(config.monitor, config.patience, config.restore_best))
    if emit is not None:
        chosen.append(ProgressEvents(emit, device_text))
    return chosen
