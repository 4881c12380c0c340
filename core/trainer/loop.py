"""The training loop: data on the device once, batches sliced there, callbacks between the steps, a stop flag in.

``train`` sets the CPU threads and calls ``fit``; ``fit`` builds the model and runs ``run_epoch`` then
``validate`` per epoch, calling its callbacks (``core.trainer.callbacks``: time budget, divergence, early
stopping, progress events) at each hook. The loop draws nothing and reports only through callbacks.

Per epoch the rows are shuffled with one ``randperm``; a batch is ``X[idx]`` on the device (no
``DataLoader``, no per-sample ``__getitem__``, no per-batch host-to-device copy). Batch losses stay
on the device and are read back every ``report_every`` batches, so a GPU is not synchronised on
every step.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from core.trainer.callbacks import BatchStats, Callback, LoopState, standard_callbacks
from core.trainer.config import TrainConfig
from core.trainer.data import Splits
from core.trainer.evaluation import as_inputs, validate
from core.trainer.events import Event
from core.trainer.models import build_model, cpu_threads, freeze_blocks, select_device
from core.trainer.optim import make_lr_schedule, make_optimizer

__all__ = ["TrainResult", "l1_penalty", "train", "fit", "run_epoch", "history_arrays"]


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


def l1_penalty(params: list[torch.Tensor]) -> torch.Tensor:
    """Σ|w| over ``params`` (its gradient is sign(w)); the loss gets λ₁ times this."""
    return torch.stack([p.abs().sum() for p in params]).sum()


def is_better(monitor: str, value: float, best: float | None) -> bool:
    """Whether ``value`` beats ``best`` (lower val_loss, higher val_accuracy; NaN never wins)."""
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
    callbacks: Sequence[Callback] = (),
) -> TrainResult:
    """Train ``build_model(config)`` on ``data``; never raises for divergence (status 'diverged').

    Batch events come every ``report_every`` batches (default: every batch on the CPU, every 10 on a
    GPU, where reading the loss back waits for the device). ``callbacks`` run after the config's own.
    """
    device, device_text = select_device(config.device)
    if device.type != "cpu":
        return fit(config, data, device, device_text, on_event=on_event, stop=stop, report_every=report_every or 10,
                   init_state=init_state, callbacks=callbacks)  # fmt: skip
    threads_before = torch.get_num_threads()
    threads = config.threads or cpu_threads()
    torch.set_num_threads(threads)  # process-wide in torch: put back afterwards
    try:
        text = f"{device_text} ({threads} thread{'s' if threads > 1 else ''})"
        return fit(config, data, device, text, on_event=on_event, stop=stop, report_every=report_every or 1,
                   init_state=init_state, callbacks=callbacks)  # fmt: skip
    finally:
        torch.set_num_threads(threads_before)


def _start_model(config: TrainConfig, init_state: dict[str, torch.Tensor] | None) -> tuple[nn.Module, list[str]]:
    """The config's model, seeded, optionally loaded from ``init_state`` and partly frozen; plus notes saying so."""
    torch.manual_seed(config.seed)
    model = build_model(config)
    notes = []
    if init_state is not None:
        own = model.state_dict()
        loaded = {k: v for k, v in init_state.items() if k in own and own[k].shape == v.shape}
        model.load_state_dict(loaded, strict=False)
        notes.append(f"started from saved weights ({len(loaded)} of {len(own)} tensors)")
        if config.freeze:
            notes.append(f"froze the first {config.freeze} layer(s): {freeze_blocks(model, config.freeze):,} parameters")
    return model, notes


@dataclass
class Step:
    """Everything one optimizer step needs: the model, its loss, optimizer, schedule and precision."""

    model: nn.Module
    params: list[torch.Tensor]
    optimizer: torch.optim.Optimizer
    criterion: nn.Module
    lr_at: Callable[[int], float]
    l1: float
    autocast: Any  # a context manager

    def __call__(self, xb: torch.Tensor, yb: torch.Tensor, step: int) -> tuple[float, torch.Tensor, torch.Tensor]:
        """One update on (xb (bs, 784), yb (bs,)); returns (lr, loss, correct) with the last two left on the device."""
        lr = self.lr_at(step)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        with self.autocast:
            logits = self.model(xb)  # (bs, 10)
            loss = self.criterion(logits.float(), yb)
        total = loss + self.l1 * l1_penalty(self.params) if self.l1 else loss
        self.optimizer.zero_grad(set_to_none=True)
        total.backward()
        self.optimizer.step()
        return lr, loss.detach(), (logits.argmax(1) == yb).sum()


def run_epoch(
    state: LoopState,
    step_fn: Step,
    X: torch.Tensor,
    y: torch.Tensor,
    scale: bool,
    order: torch.Tensor,
    callbacks: Sequence[Callback],
    stop: threading.Event,
    report_every: int,
) -> tuple[float, float, float]:
    """Train one epoch over ``order``; returns (mean loss, accuracy, last lr). Ends early on ``stop`` or a halt."""
    result, bs, n = state.result, state.config.batch_size, state.n_train
    pending: list[tuple[int, int, float, torch.Tensor, torch.Tensor]] = []  # (step, batch, lr, loss, correct)
    sums = [0.0, 0.0, 0]  # Σ loss·size, Σ correct, Σ size

    def flush() -> None:
        """Read back the pending batches' numbers and hand them to the callbacks, in order, until a halt."""
        losses = torch.stack([p[3] for p in pending]).float().tolist()
        hits = torch.stack([p[4] for p in pending]).tolist()
        for (s, b, lr_s, _, _), loss, hit in zip(pending, losses, hits):
            size = min(bs, n - (b - 1) * bs)
            stats = BatchStats(s, state.epoch, b, lr_s, loss, hit / size, size)
            for cb in callbacks:
                cb.on_batch_end(state, stats)
            if state.halted:
                break
            sums[0] += loss * size
            sums[1] += hit
            sums[2] += size
            for key, value in zip(("step", "epoch", "loss", "accuracy"),
                                  (s, state.epoch - 1 + b / state.steps_per_epoch, loss, stats.accuracy)):
                result.batches[key].append(value)  # fmt: skip
        pending.clear()

    step = (state.epoch - 1) * state.steps_per_epoch  # every earlier epoch ran all its batches
    lr = step_fn.lr_at(step)
    for b in range(state.steps_per_epoch):
        if stop.is_set():
            break
        idx = order[b * bs : (b + 1) * bs]
        lr, loss, correct = step_fn(as_inputs(X[idx], scale), y[idx], step)  # (bs, 784) float32, (bs,)
        step += 1
        pending.append((step, b + 1, lr, loss, correct))
        if len(pending) >= report_every:
            flush()
            if state.halted:
                break
    if pending and not state.halted:
        flush()
    return sums[0] / max(sums[2], 1), sums[1] / max(sums[2], 1), lr


def fit(
    config: TrainConfig,
    data: Splits,
    device: torch.device,
    device_text: str,
    *,
    on_event: Callable[[Event], None] | None = None,
    stop: threading.Event | None = None,
    report_every: int = 1,
    init_state: dict[str, torch.Tensor] | None = None,
    callbacks: Sequence[Callback] = (),
) -> TrainResult:
    """``train`` on a chosen device: epochs of ``run_epoch`` and ``validate``, the callbacks at every hook."""
    stop = stop or threading.Event()
    model, notes = _start_model(config, init_state)
    shuffle_gen = torch.Generator().manual_seed(config.seed)
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
    criterion = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)
    autocast = (
        torch.autocast("cuda", dtype=torch.bfloat16)
        if device.type == "cuda" and config.precision == "bf16"
        else contextlib.nullcontext()
    )
    step_fn = Step(model, params, make_optimizer(config, params), criterion,
                   make_lr_schedule(config, steps_per_epoch), config.l1, autocast)  # fmt: skip
    n_params = sum(p.numel() for p in model.parameters())
    result = TrainResult(config, "completed", "", model, device_text, parameters=n_params, steps_per_epoch=steps_per_epoch)
    state = LoopState(config, model, result, n, len(y_val), steps_per_epoch, "; ".join(notes))
    hooks = [*standard_callbacks(config, on_event, device_text), *callbacks]
    for cb in hooks:
        cb.on_train_start(state)
    best: float | None = None
    model.train()
    for epoch in range(1, config.epochs + 1):
        state.epoch = epoch
        for cb in hooks:
            cb.on_epoch_start(state)
        if state.halted:
            break
        epoch_start = time.perf_counter()
        order = torch.randperm(n, generator=shuffle_gen).to(device)
        train_loss, train_acc, lr = run_epoch(state, step_fn, X, y, data.scale, order, hooks, stop, report_every)
        if state.halted:
            break
        if stop.is_set():
            state.halt("stopped", f"stopped by the user during epoch {epoch} ({len(result.history)} full epochs)")
            break
        val_loss, val_acc, val_confusion = validate(model, X_val, y_val, data.scale, criterion)
        if val_confusion is not None:
            result.val_confusions.append(val_confusion.tolist())
        row = {"epoch": epoch, "train_loss": train_loss, "train_accuracy": train_acc, "val_loss": val_loss,
               "val_accuracy": val_acc, "lr": lr, "epoch_seconds": time.perf_counter() - epoch_start}  # fmt: skip
        result.history.append(row)
        value = val_loss if config.monitor == "val_loss" else val_acc
        state.improved = is_better(config.monitor, value, best)
        if state.improved:
            best, result.best_epoch = value, epoch
        for cb in hooks:
            cb.on_epoch_end(state, row)
        if state.halted:
            break
    if state.halted:
        result.status, result.message = state.status, state.message
    else:
        result.message = f"trained {len(result.history)} epochs" + (f"; {state.note}" if notes else "")
    result.seconds = time.perf_counter() - state.started
    model.eval()
    for cb in hooks:
        cb.on_train_end(state)
    return result


def history_arrays(result: TrainResult) -> dict[str, np.ndarray]:
    """The per-epoch history as column arrays (for charts and CSV)."""
    keys = ("epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "epoch_seconds")
    return {k: np.array([row[k] for row in result.history]) for k in keys}
