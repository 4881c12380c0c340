"""The training loop: data on the device once, batches sliced there, events out, a stop flag in.

Per epoch the rows are shuffled with one ``randperm``; a batch is ``X[idx]`` on the device (no
``DataLoader``, no per-sample ``__getitem__``, no per-batch host-to-device copy). Batch losses stay
on the device and are read back every ``report_every`` batches, so a GPU is not synchronised on
every step.
"""

from __future__ import annotations

import contextlib
import copy
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from core.trainer.data import Splits
from core.trainer.config import TrainConfig
from core.trainer.evaluation import as_inputs, confusion, predict_logits
from core.trainer.events import BatchEvent, EndEvent, EpochEvent, Event, StartEvent
from core.trainer.models import build_model, cpu_threads, freeze_blocks, select_device
from core.trainer.optim import make_lr_schedule, make_optimizer

SMOOTHING = 100  # batches in the moving average (the lecture's TrainingPlotCallback)


@dataclass
class TrainResult:
    """What a run produced; ``history`` has one dict per finished epoch, ``batches`` the per-batch curves."""

    config: TrainConfig
    status: str  # completed | early_stopped | stopped | diverged | time_limit
    message: str
    model: nn.Module
    device: str
    history: list[dict[str, float]] = field(default_factory=list)
    batches: dict[str, list[float]] = field(default_factory=lambda: {"step": [], "epoch": [], "loss": [], "accuracy": []})
    val_confusions: list[list[list[int]]] = field(default_factory=list)
    best_epoch: int | None = None
    restored_epoch: int | None = None
    seconds: float = 0.0
    parameters: int = 0
    steps_per_epoch: int = 0
    metrics: dict[str, Any] = field(default_factory=dict)  # filled by evaluation (test accuracy, …)


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


def l1_penalty(params: list[torch.Tensor]) -> torch.Tensor:
    """Σ|w| over ``params`` (its gradient is sign(w)); the loss gets λ₁ times this."""
    return torch.stack([p.abs().sum() for p in params]).sum()


def _better(monitor: str, value: float, best: float | None) -> bool:
    if best is None or math.isnan(best):
        return not math.isnan(value)
    return value < best if monitor == "val_loss" else value > best


def train(
    config: TrainConfig,
    data: Splits,
    *,
    on_event: Callable[[Event], None] | None = None,
    stop: threading.Event | None = None,
    report_every: int | None = None,
    init_state: dict[str, torch.Tensor] | None = None,
) -> TrainResult:
    """Train ``build_model(config)`` on ``data``; never raises for divergence (status 'diverged').

    Batch events come every ``report_every`` batches (default: every batch on the CPU, every 10 on a
    GPU, where reading the loss back waits for the device).
    """
    device, device_text = select_device(config.device)
    if device.type != "cpu":
        return _train(config, data, device, device_text, on_event, stop, report_every or 10, init_state)
    threads_before = torch.get_num_threads()
    threads = config.threads or cpu_threads()
    torch.set_num_threads(threads)  # process-wide in torch: put back afterwards
    try:
        text = f"{device_text} ({threads} thread{'s' if threads > 1 else ''})"
        return _train(config, data, device, text, on_event, stop, report_every or 1, init_state)
    finally:
        torch.set_num_threads(threads_before)


def _train(
    config: TrainConfig,
    data: Splits,
    device: torch.device,
    device_text: str,
    on_event: Callable[[Event], None] | None,
    stop: threading.Event | None,
    report_every: int,
    init_state: dict[str, torch.Tensor] | None,
) -> TrainResult:
    """``train`` on a chosen device."""
    emit = on_event or (lambda event: None)
    stop = stop or threading.Event()
    torch.manual_seed(config.seed)
    shuffle_gen = torch.Generator().manual_seed(config.seed)
    model = build_model(config)
    notes = []
    if init_state is not None:
        own = model.state_dict()
        loaded = {k: v for k, v in init_state.items() if k in own and own[k].shape == v.shape}
        model.load_state_dict(loaded, strict=False)
        notes.append(f"started from saved weights ({len(loaded)} of {len(own)} tensors)")
        if config.freeze:
            notes.append(f"froze the first {config.freeze} layer(s): {freeze_blocks(model, config.freeze):,} parameters")
    model.to(device)
    X = torch.as_tensor(data.X_train, device=device)  # (n, 784) uint8, on the device once
    y = torch.as_tensor(data.y_train, device=device).long()  # (n,)
    X_val = torch.as_tensor(data.X_val, device=device)
    y_val = torch.as_tensor(data.y_val, device=device).long()
    n, bs = len(y), config.batch_size
    if n == 0:
        raise ValueError("the training split is empty")
    steps_per_epoch = math.ceil(n / bs)
    if config.batch_norm and n % bs == 1:
        steps_per_epoch -= 1  # batch norm cannot train on a batch of one: drop that last single image
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = make_optimizer(config, params)
    lr_at = make_lr_schedule(config, steps_per_epoch)
    criterion = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)
    autocast = (
        torch.autocast("cuda", dtype=torch.bfloat16)
        if device.type == "cuda" and config.precision == "bf16"
        else contextlib.nullcontext()
    )
    n_params = sum(p.numel() for p in model.parameters())
    result = TrainResult(config, "completed", "", model, device_text, parameters=n_params, steps_per_epoch=steps_per_epoch)
    emit(StartEvent(device_text, n, len(y_val), steps_per_epoch, config.epochs, n_params, "; ".join(notes)))

    smooth_loss, smooth_acc = MovingAverage(), MovingAverage()
    best_value: float | None = None
    best_state: dict[str, torch.Tensor] | None = None
    since_best = 0
    step = 0
    lr = lr_at(0)
    started = time.perf_counter()
    model.train()

    def flush(pending: list[tuple[int, int, int, float, torch.Tensor, torch.Tensor]], epoch_sums: list[float]) -> str | None:
        """Read back pending batch stats, emit their events; returns a divergence message or None."""
        if not pending:
            return None
        losses = torch.stack([p[4] for p in pending]).float().tolist()
        hits = torch.stack([p[5] for p in pending]).tolist()
        pending_copy = list(pending)
        pending.clear()
        for (s, ep, b, lr_s, _, _), loss, hit in zip(pending_copy, losses, hits):
            if not math.isfinite(loss):
                return f"the loss became {loss} at epoch {ep}, batch {b} (learning rate {lr_s:.3g}): the run diverged"
            size = min(bs, n - (b - 1) * bs)
            acc = hit / size
            epoch_sums[0] += loss * size
            epoch_sums[1] += hit
            epoch_sums[2] += size
            for key, value in zip(("step", "epoch", "loss", "accuracy"), (s, ep - 1 + b / steps_per_epoch, loss, acc)):
                result.batches[key].append(value)
            emit(BatchEvent(s, ep, b, steps_per_epoch, loss, acc, smooth_loss.add(loss), smooth_acc.add(acc), lr_s,
                            time.perf_counter() - started))  # fmt: skip
        return None

    for epoch in range(1, config.epochs + 1):
        last_epoch = result.history[-1]["epoch_seconds"] if result.history else 0.0
        if config.max_seconds and time.perf_counter() - started + last_epoch > config.max_seconds:
            result.status = "time_limit"
            result.message = f"stopped before epoch {epoch}: it would end past the {config.max_seconds:g} s budget"
            break
        epoch_start = time.perf_counter()
        order = torch.randperm(n, generator=shuffle_gen).to(device)
        pending: list[tuple[int, int, int, float, torch.Tensor, torch.Tensor]] = []
        sums = [0.0, 0.0, 0]  # Σ loss·size, Σ correct, Σ size
        diverged = None
        for b in range(steps_per_epoch):
            if stop.is_set():
                break
            idx = order[b * bs : (b + 1) * bs]
            xb, yb = as_inputs(X[idx], data.scale), y[idx]  # (bs, 784) float32, (bs,)
            lr = lr_at(step)
            for group in optimizer.param_groups:
                group["lr"] = lr
            with autocast:
                logits = model(xb)  # (bs, 10)
                loss = criterion(logits.float(), yb)
            total = loss
            if config.l1:
                total = total + config.l1 * l1_penalty(params)
            optimizer.zero_grad(set_to_none=True)
            total.backward()
            optimizer.step()
            step += 1
            pending.append((step, epoch, b + 1, lr, loss.detach(), (logits.argmax(1) == yb).sum()))
            if len(pending) >= report_every and (diverged := flush(pending, sums)):
                break
        diverged = diverged or flush(pending, sums)
        if diverged:
            result.status, result.message = "diverged", diverged
            break
        if stop.is_set():
            result.status = "stopped"
            result.message = f"stopped by the user during epoch {epoch} ({len(result.history)} full epochs)"
            break
        val_loss = val_acc = float("nan")
        if len(y_val):
            logits_val = predict_logits(model, X_val, data.scale)
            val_loss = float(criterion(logits_val, y_val))
            pred = logits_val.argmax(1)
            val_acc = float((pred == y_val).float().mean())
            result.val_confusions.append(confusion(y_val, pred).tolist())
        row = {
            "epoch": epoch,
            "train_loss": sums[0] / max(sums[2], 1),
            "train_accuracy": sums[1] / max(sums[2], 1),
            "val_loss": val_loss,
            "val_accuracy": val_acc,
            "lr": lr,
            "epoch_seconds": time.perf_counter() - epoch_start,
        }
        result.history.append(row)
        value = val_loss if config.monitor == "val_loss" else val_acc
        if _better(config.monitor, value, best_value):
            best_value, result.best_epoch, since_best = value, epoch, 0
            if config.early_stopping and config.restore_best:
                best_state = copy.deepcopy(model.state_dict())
        else:
            since_best += 1
        emit(EpochEvent(**row, best_epoch=result.best_epoch, elapsed=time.perf_counter() - started))
        if config.early_stopping and since_best >= config.patience:
            result.status = "early_stopped"
            result.message = (
                f"early stopping after epoch {epoch}: {config.monitor} did not improve for {config.patience} "
                f"epoch{'s' if config.patience > 1 else ''} "
                f"(best epoch {result.best_epoch})"
            )
            break
    if result.status == "completed":
        result.message = f"trained {len(result.history)} epochs" + (f"; {'; '.join(notes)}" if notes else "")
    if best_state is not None:
        result.restored_epoch = result.best_epoch
        if result.best_epoch != len(result.history) or result.status in ("stopped", "diverged"):
            model.load_state_dict(best_state)  # back to the best epoch's weights
            result.message += f"; restored the weights of epoch {result.best_epoch}"
    result.seconds = time.perf_counter() - started
    model.eval()
    emit(EndEvent(result.status, result.message, result.best_epoch, result.restored_epoch, result.seconds))
    return result


def history_arrays(result: TrainResult) -> dict[str, np.ndarray]:
    """The per-epoch history as column arrays (for charts and CSV)."""
    keys = ("epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "epoch_seconds")
    return {k: np.array([row[k] for row in result.history]) for k in keys}
