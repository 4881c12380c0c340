"""Run folders: config.json, history.json + history.csv, metrics.json and the weights model.pt.

A lecturer prepares runs with the CLI (``--save DIR``); the page replays them without training.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from core.trainer.config import TrainConfig
from core.trainer.loop import TrainResult
from core.trainer.models import build_model

HISTORY_COLUMNS = ("epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "epoch_seconds")
FILES = ("config.json", "history.json", "history.csv", "metrics.json", "model.pt")


@dataclass
class SavedRun:
    """A run as stored on disk (weights loaded lazily with ``load_model``)."""

    folder: Path
    config: TrainConfig
    history: list[dict[str, float]]
    batches: dict[str, list[float]] = field(default_factory=dict)
    val_confusions: list[list[list[int]]] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The folder's name."""
        return self.folder.name


def json_safe(value: Any) -> Any:
    """NaN/inf → None, so the JSON is standard (json.dumps would write NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def _unclean(rows: list[dict[str, Any]]) -> list[dict[str, float]]:
    return [{k: (float("nan") if v is None else v) for k, v in row.items()} for row in rows]


def metrics_of(result: TrainResult) -> dict[str, Any]:
    """The run-level numbers: status, timings, best epoch, plus whatever evaluation put in ``result.metrics``."""
    return {
        "status": result.status,
        "message": result.message,
        "device": result.device,
        "seconds": result.seconds,
        "parameters": result.parameters,
        "epochs_run": len(result.history),
        "best_epoch": result.best_epoch,
        "restored_epoch": result.restored_epoch,
        "steps_per_epoch": result.steps_per_epoch,
        **result.metrics,
    }


def history_csv(history: list[dict[str, float]]) -> str:
    """The per-epoch history as CSV text."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HISTORY_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(history)
    return out.getvalue()


def run_json(result: TrainResult) -> str:
    """Config, history and metrics of a run in one JSON document (for downloads)."""
    doc = {"config": result.config.to_dict(), "history": result.history, "metrics": metrics_of(result)}
    return json.dumps(json_safe(doc), indent=2)


def weights_bytes(model: nn.Module) -> bytes:
    """The model's state_dict as the bytes of a ``.pt`` file."""
    buffer = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, buffer)
    return buffer.getvalue()


def save_run(result: TrainResult, folder: str | os.PathLike) -> Path:
    """Write the run into ``folder`` (created); returns the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(result.config.to_json())
    history = {"history": result.history, "batches": result.batches, "val_confusions": result.val_confusions}
    (folder / "history.json").write_text(json.dumps(json_safe(history)))
    (folder / "history.csv").write_text(history_csv(result.history))
    (folder / "metrics.json").write_text(json.dumps(json_safe(metrics_of(result)), indent=2))
    (folder / "model.pt").write_bytes(weights_bytes(result.model))
    return folder


def load_run(folder: str | os.PathLike) -> SavedRun:
    """Read a run folder written by ``save_run`` (a clear error if it is not one)."""
    folder = Path(folder)
    missing = [f for f in ("config.json", "history.json") if not (folder / f).is_file()]
    if missing:  # the folder's name only: pages show this message
        raise FileNotFoundError(f"{folder.name!r} is not a saved run (missing {', '.join(missing)})")
    config = TrainConfig.from_dict(json.loads((folder / "config.json").read_text()))
    hist = json.loads((folder / "history.json").read_text())
    metrics_file = folder / "metrics.json"
    metrics = json.loads(metrics_file.read_text()) if metrics_file.is_file() else {}
    return SavedRun(folder, config, _unclean(hist.get("history", [])), hist.get("batches", {}),
                    hist.get("val_confusions", []), metrics)  # fmt: skip


def load_state(folder: str | os.PathLike) -> dict[str, torch.Tensor]:
    """The saved ``state_dict`` (tensors on the CPU)."""
    path = Path(folder) / "model.pt"
    if not path.is_file():
        raise FileNotFoundError(f"the run {Path(folder).name!r} has no model.pt (replays ship without weights)")
    return torch.load(path, map_location="cpu", weights_only=True)


def load_model(folder: str | os.PathLike) -> nn.Sequential:
    """Rebuild the run's model from its config and load its weights (eval mode, CPU)."""
    run = load_run(folder)
    model = build_model(run.config)
    model.load_state_dict(load_state(folder))
    return model.eval()


def list_runs(root: str | os.PathLike) -> list[Path]:
    """Run folders directly inside ``root`` (or ``root`` itself if it is one), sorted by name."""
    root = Path(root)
    if (root / "config.json").is_file():
        return [root]
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / "config.json").is_file() and (p / "history.json").is_file())


def runs_in(root: str | os.PathLike) -> dict[str, Path]:
    """Saved runs directly inside ``root`` by folder name; anything that leads outside ``root`` (a symlinked
    folder or file, a name with a separator) is skipped, so only ``root``'s own runs are ever read."""
    base = Path(root).resolve()
    if not base.is_dir():
        return {}
    found = {}
    for entry in sorted(base.iterdir()):
        files = [entry / "config.json", entry / "history.json"]
        if entry.name.startswith(".") or not all(f.is_file() for f in files):
            continue
        present = [entry / name for name in FILES if (entry / name).exists()]
        inside = all(p.resolve().parent == entry.resolve() for p in present)
        if inside and entry.resolve().parent == base:
            found[entry.name] = entry
    return found


def zip_run(folder: str | os.PathLike) -> bytes:
    """A run folder as zip bytes (for one download button)."""
    folder = Path(folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in FILES:
            if (folder / name).is_file():
                zf.write(folder / name, f"{folder.name}/{name}")
    return buffer.getvalue()
