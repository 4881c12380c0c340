"""The lecture's runs, shipped as small text files so a fresh deployment replays them without training.

``python -m core.trainer.replays --data path/to/fashion-mnist.npz`` trains every run of ``LECTURE_RUNS``
with the CLI (``--save``, fixed seeds) and writes each into ``replays/<name>/``: config.json, history.json
(epochs, batch curves thinned to ``MAX_BATCH_POINTS`` with their 100-batch moving averages, validation
confusion matrices), history.csv and metrics.json (test scores, confusion matrix, the misclassified test
images' row numbers in the data set, the most confident mistakes). No weights.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

APP_ROOT = Path(__file__).resolve().parents[2]  # the app's folder (app.py lives here)
SHIPPED_DIR = APP_ROOT / "replays"
RUNS_ENV = "FASHION_RUNS_DIR"
MAX_BATCH_POINTS = 1500  # batch-curve rows kept per run (the chart draws at most 1200)
TOP_MISTAKES = 24
SHIPPED_FILES = ("config.json", "history.json", "history.csv", "metrics.json")


@dataclass(frozen=True)
class LectureRun:
    """A run of the lecture: how to train it with the CLI and the number the lecture's plot shows."""

    title: str
    cli_args: tuple[str, ...]
    lecture_max_val_accuracy: float | None  # "Max Val Acc" in the lecture's plot title; None: not in the lecture
    lecture_figure: str


LECTURE_RUNS: dict[str, LectureRun] = {
    "lecture": LectureRun(
        "the lecture's 784-512-512-10, RMSprop η = 0.001",
        ("--preset", "lecture", "--epochs", "15", "--seed", "0"), 0.8579, "Model selection (figure 21)",
    ),
    "new-model": LectureRun(
        "the lecture's 'New model': 265-64-32, BatchNorm + Dropout(0.5), RMSprop",
        ("--preset", "regularized", "--lr", "0.001", "--schedule", "constant", "--epochs", "10", "--seed", "0"),
        0.8737, "New model (figure 23)",
    ),
    "best": LectureRun(
        "our best MLP: 1024-1024, BatchNorm + Dropout(0.3), AdamW, cosine restarts",
        ("--preset", "best", "--max-seconds", "0", "--seed", "0"), None, "–",
    ),
}


def runs_dir() -> Path:
    """$FASHION_RUNS_DIR (relative to the app's folder), else ``runs/`` in the app's folder."""
    raw = os.environ.get(RUNS_ENV, "").strip()
    return (APP_ROOT / raw).resolve() if raw else APP_ROOT / "runs"


def thin_batches(batches: dict[str, list[float]], max_points: int = MAX_BATCH_POINTS, window: int = 100) -> dict[str, list]:
    """Batch curves with their moving averages (computed on every batch), then thinned to ``max_points`` rows."""
    loss = np.asarray(batches.get("loss", []), dtype=float)
    n = len(loss)
    if n == 0:
        return {k: [] for k in ("step", "epoch", "loss", "accuracy", "smooth_loss", "smooth_accuracy")}
    out: dict[str, np.ndarray] = {k: np.asarray(batches[k], dtype=float) for k in ("step", "epoch", "loss", "accuracy")}
    for key in ("loss", "accuracy"):
        c = np.cumsum(np.r_[0.0, out[key]])
        lo = np.maximum(np.arange(1, n + 1) - window, 0)
        out[f"smooth_{key}"] = (c[1:] - c[lo]) / (np.arange(1, n + 1) - lo)  # mean of the last ≤ window values
    keep = np.unique(np.r_[np.linspace(0, n - 1, min(n, max_points)).astype(int), n - 1])
    digits = {"step": 0, "epoch": 5}
    return {k: [round(float(v), digits.get(k, 4)) if k != "step" else int(v) for v in a[keep]] for k, a in out.items()}


def shrink(run_folder: Path, out: Path, data_path: str | None, spec: LectureRun | None = None) -> Path:
    """Write the small shipped form of a CLI run folder into ``out`` (test mistakes need the data and weights)."""
    import torch

    from core.trainer.data import load_fashion_mnist, split_indices
    from core.trainer.evaluation import evaluate, predict_logits
    from core.trainer.runs import history_csv, json_safe, load_model, load_run

    run = load_run(run_folder)
    config = run.config
    metrics: dict[str, Any] = dict(run.metrics)
    data = load_fashion_mnist(data_path)
    _, _, test_idx = split_indices(data, split=config.split, test_fraction=config.test_fraction,
                                   val_fraction=config.val_fraction, seed=config.seed,
                                   train_limit=config.train_limit or None)  # fmt: skip
    model = load_model(run_folder)
    X_test, y_test = data.images[test_idx].reshape(-1, 784), data.labels[test_idx]
    evaluation = evaluate(model, X_test, y_test, scale=config.scale_inputs, top_mistakes=TOP_MISTAKES)
    pred = predict_logits(model, torch.as_tensor(X_test), config.scale_inputs).argmax(1).numpy()
    metrics.update(
        test_accuracy=evaluation.accuracy, test_loss=evaluation.loss, confusion=evaluation.confusion.tolist(),
        per_class_accuracy=[round(float(v), 6) for v in evaluation.per_class_accuracy],
        misclassified=[int(i) for i in test_idx[pred != y_test]],  # rows of the data set, ascending
        mistakes=[{"index": int(test_idx[m["index"]]), "true": m["true"], "pred": m["pred"],
                   "confidence": round(m["confidence"], 4), "probs": [round(p, 4) for p in m["probs"]]}
                  for m in evaluation.mistakes],
        data={"images": int(len(data.labels)), "test_images": int(len(test_idx))},
    )  # fmt: skip
    if spec is not None:
        metrics["replay"] = {"title": spec.title, "command": "python -m core.trainer " + " ".join(spec.cli_args),
                             "lecture_max_val_accuracy": spec.lecture_max_val_accuracy,
                             "lecture_figure": spec.lecture_figure}  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.iterdir():
        if stale.name not in SHIPPED_FILES:
            stale.unlink() if stale.is_file() else shutil.rmtree(stale)
    history = {"history": run.history, "batches": thin_batches(run.batches), "val_confusions": run.val_confusions}
    (out / "config.json").write_text(config.to_json() + "\n")
    (out / "history.json").write_text(json.dumps(json_safe(history), separators=(",", ":")) + "\n")
    (out / "history.csv").write_text(history_csv(run.history))
    (out / "metrics.json").write_text(json.dumps(json_safe(metrics), indent=1) + "\n")
    return out


def generate(name: str, data_path: str, out_dir: Path = SHIPPED_DIR, extra_args: tuple[str, ...] = ()) -> Path:
    """Train ``LECTURE_RUNS[name]`` through the CLI (``--save``) and write its shipped form to ``out_dir/name``."""
    from core.trainer.cli import main

    spec = LECTURE_RUNS[name]
    with tempfile.TemporaryDirectory(prefix="replay-") as tmp:
        code = main([*spec.cli_args, *extra_args, "--data", data_path, "--save", tmp, "--json"])
        if code != 0:
            raise RuntimeError(f"training {name} failed (exit code {code})")
        return shrink(Path(tmp), out_dir / name, data_path, spec)


def main(argv: list[str] | None = None) -> int:
    """``python -m core.trainer.replays``: regenerate the shipped lecture runs."""
    p = argparse.ArgumentParser(prog="python -m core.trainer.replays", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, metavar="PATH", help="the Fashion-MNIST .npz (all 70,000 images)")
    p.add_argument("--out", default=str(SHIPPED_DIR), metavar="DIR", help="where the run folders go (default: replays/)")
    p.add_argument("--only", nargs="+", choices=list(LECTURE_RUNS), help="regenerate only these runs")
    p.add_argument("--from-saved", metavar="DIR", help="shrink runs already saved with --save in DIR/<name> instead of training")
    p.add_argument("extra", nargs=argparse.REMAINDER, help="after --: more CLI flags for every run (e.g. -- --limit 500)")
    args = p.parse_args(argv)
    extra = tuple(a for a in args.extra if a != "--")
    for name in args.only or LECTURE_RUNS:
        if args.from_saved:
            folder = shrink(Path(args.from_saved) / name, Path(args.out) / name, args.data, LECTURE_RUNS[name])
        else:
            folder = generate(name, args.data, Path(args.out), extra)
        size = sum(f.stat().st_size for f in folder.iterdir())
        print(f"{name}: {size / 1024:.0f} KiB in {folder}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
