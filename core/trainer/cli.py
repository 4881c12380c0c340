"""``python -m core.trainer``: train a preset (with overrides) headless; ``--json`` prints one object per epoch."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

from core.trainer.config import (
    ACTIVATION_NAMES, DEVICES, INIT_NAMES, MONITORS, OPTIMIZER_NAMES, PRECISIONS, PRESETS, SPLITS, TrainConfig,
)  # fmt: skip

EPOCH_KEYS = ("epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "epoch_seconds")


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; every flag left unset keeps the preset's value."""
    from core.engine.schedules import SCHEDULES

    p = argparse.ArgumentParser(
        prog="python -m core.trainer",
        description="Train an MLP on Fashion-MNIST (the lecture's presets, any field overridable).",
        epilog="Data: --data, else $FASHION_MNIST_NPZ, else the official files (downloaded once into the cache, "
        "$FASHION_MNIST_CACHE). Exit codes: 0 ok, 1 data/run error, 2 bad arguments.",
    )
    a = p.add_argument
    a("--data", metavar="PATH", help="an .npz with images (N,28,28) uint8 + labels (N,), or a folder of the 4 IDX .gz files")
    a("--preset", default="lecture", choices=list(PRESETS), help="starting configuration (default: lecture)")
    a("--hidden", type=int, nargs="*", metavar="N", help="hidden layer widths, e.g. --hidden 512 512 (none: no hidden layer)")
    a("--activation", choices=ACTIVATION_NAMES, help="hidden-layer activation")
    a("--batch-norm", action=argparse.BooleanOptionalAction, default=None, help="BatchNorm1d after every hidden Linear")
    a("--dropout", type=float, nargs="+", metavar="P", help="dropout rate, one for all layers or one per hidden layer")
    a("--init", choices=INIT_NAMES, help="weight initializer")
    a("--label-smoothing", type=float, metavar="EPS", help="cross-entropy label smoothing")
    a("--optimizer", choices=OPTIMIZER_NAMES, help="optimizer")
    a("--lr", type=float, help="learning rate η (the schedule's η₀)")
    a("--schedule", choices=list(SCHEDULES), help="learning-rate schedule over optimizer steps")
    a("--l1", type=float, metavar="LAMBDA", help="L1 penalty λ₁·Σ|w| added to the loss")
    a("--l2", type=float, metavar="LAMBDA", help="L2 as the optimizer's weight_decay λ")
    a("--batch-size", type=_positive_int, help="mini-batch size")
    a("--epochs", type=_positive_int, help="number of epochs")
    a("--early-stopping", action=argparse.BooleanOptionalAction, default=None, help="stop when the monitor stalls")
    a("--monitor", choices=MONITORS, help="what early stopping watches")
    a("--patience", type=_positive_int, help="epochs without improvement before stopping")
    a("--seed", type=int, help="seed for the split, the initial weights and the shuffling")
    a("--device", choices=DEVICES, help="auto picks CUDA, then MPS, then CPU")
    a("--threads", type=int, metavar="N", help="CPU threads (default 0 = auto: all cores but one, at most 8)")
    a("--precision", choices=PRECISIONS, help="bf16 = bfloat16 autocast on CUDA")
    a("--max-seconds", type=float, help="training time budget (no epoch starts that would end past it)")
    a("--scale", action=argparse.BooleanOptionalAction, default=None, help="scale pixels to [0, 1] (default on)")
    a("--split", choices=SPLITS, help="stratified 25%% test split, or the official 60k/10k files")
    a("--val-fraction", type=float, help="share of the training part held out for validation")
    a("--limit", type=int, metavar="N", help="train on a stratified subset of N images")
    a("--init-from", metavar="RUN_DIR", help="start from the weights of a saved run (transfer learning)")
    a("--freeze", type=int, metavar="K", help="with --init-from: freeze the first K hidden layers")
    a("--save", metavar="DIR", help="save the run (config, history, metrics, model.pt) into DIR")
    a("--json", action="store_true", help="print one JSON object per epoch and a final summary line")
    return p


FIELD_OF = {
    "hidden": "hidden", "activation": "activation", "batch_norm": "batch_norm", "dropout": "dropout", "init": "init",
    "label_smoothing": "label_smoothing", "optimizer": "optimizer", "lr": "lr", "schedule": "schedule", "l1": "l1",
    "l2": "l2", "batch_size": "batch_size", "epochs": "epochs", "early_stopping": "early_stopping",
    "monitor": "monitor", "patience": "patience", "seed": "seed", "device": "device", "threads": "threads",
    "precision": "precision",
    "max_seconds": "max_seconds", "scale": "scale_inputs", "split": "split", "val_fraction": "val_fraction",
    "limit": "train_limit", "init_from": "init_from", "freeze": "freeze",
}  # fmt: skip


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The preset with every given flag applied (ValueError for values the config rejects)."""
    changes: dict[str, Any] = {f: getattr(args, a) for a, f in FIELD_OF.items() if getattr(args, a) is not None}
    return PRESETS[args.preset].replace(**changes)


def _num(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))  # exits with code 2
    from core.trainer.data import load_fashion_mnist
    from core.trainer.download import DownloadError
    from core.memory import keep_freed_memory
    from core.trainer.events import EpochEvent
    from core.trainer.experiment import run_experiment
    from core.trainer.models import build_model, summarize
    from core.trainer.runs import save_run

    keep_freed_memory()  # as app.py does: torch's per-step temporaries reuse freed memory instead of page-faulting

    def progress(message: str, fraction: float) -> None:
        print(f"\r[{fraction:6.1%}] {message:<60}", end="", file=sys.stderr, flush=True)

    try:
        data = load_fashion_mnist(args.data, progress=progress)
    except (DownloadError, FileNotFoundError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        if isinstance(exc, DownloadError):
            from core.trainer.download import default_cache_dir

            print(f"(the download cache folder is {default_cache_dir()})", file=sys.stderr)
        return 1
    if not args.json:
        print(f"data: {data.source} ({len(data.labels):,} images)")
        print(summarize(build_model(config)).table())

    def on_event(event: Any) -> None:
        if not isinstance(event, EpochEvent):
            return
        if args.json:
            print(json.dumps({k: _num(getattr(event, k)) for k in EPOCH_KEYS}), flush=True)
        else:
            print(f"Epoch [{event.epoch}/{config.epochs}] loss {event.train_loss:.4f} acc {event.train_accuracy:.4f} | "
                  f"val loss {event.val_loss:.4f} acc {event.val_accuracy:.4f} | lr {event.lr:.3g} | "
                  f"{event.epoch_seconds:.1f} s", flush=True)  # fmt: skip

    try:
        result, _, evaluation = run_experiment(config, data, on_event=on_event)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.save:
        save_run(result, args.save)
    summary = {
        "test_accuracy": result.metrics.get("test_accuracy"),
        "epochs_run": len(result.history),
        "device": result.device,
        "seconds": round(result.seconds, 3),
        "parameters": result.parameters,
        "status": result.status,
    }
    if args.json:
        print(json.dumps(summary), flush=True)
    else:
        acc = "n/a" if evaluation is None else f"{evaluation.accuracy:.4f}"
        print(f"{result.status}: {result.message}\ntest accuracy {acc} | {len(result.history)} epochs | "
              f"{result.seconds:.1f} s on {result.device} | {result.parameters:,} parameters")  # fmt: skip
        if args.save:
            print(f"saved to {args.save}")
    return 0 if result.status != "diverged" else 1
