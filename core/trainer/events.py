"""What the trainer reports while it runs: one start, many batch, one per epoch, one end event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class StartEvent:
    """Training is about to start on ``device``."""

    kind: ClassVar[str] = "start"
    device: str
    n_train: int
    n_val: int
    steps_per_epoch: int
    epochs: int
    parameters: int
    note: str = ""


@dataclass(frozen=True)
class BatchEvent:
    """One optimizer step: raw and moving-average (last 100 batches) loss and accuracy."""

    kind: ClassVar[str] = "batch"
    step: int  # 1-based over the whole run
    epoch: int  # 1-based
    batch: int  # 1-based within the epoch
    steps_per_epoch: int
    loss: float
    accuracy: float
    smooth_loss: float
    smooth_accuracy: float
    lr: float
    elapsed: float  # seconds since training started


@dataclass(frozen=True)
class EpochEvent:
    """One finished epoch: the same numbers as a history row, plus the best epoch so far."""

    kind: ClassVar[str] = "epoch"
    epoch: int
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    lr: float
    epoch_seconds: float
    best_epoch: int | None
    elapsed: float


@dataclass(frozen=True)
class EndEvent:
    """The run ended: completed, early_stopped, stopped, diverged or time_limit."""

    kind: ClassVar[str] = "end"
    status: str
    message: str
    best_epoch: int | None
    restored_epoch: int | None
    seconds: float


Event = StartEvent | BatchEvent | EpochEvent | EndEvent
