"""The shipped lecture runs: regenerated on a small stand-in data set in the shipped format, and the shipped files
themselves (no weights, small, loadable, the lecture's numbers beside ours)."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

from core.trainer.data import load_npz, split_indices
from core.trainer.replays import LECTURE_RUNS, MAX_BATCH_POINTS, SHIPPED_DIR, SHIPPED_FILES, generate, thin_batches
from core.trainer.runs import load_run, runs_in
from tests.browser_support import write_small_fashion_npz

EXPECTED_EPOCHS = {"lecture": 15, "new-model": 10, "best": 20}


def _check_format(folder, data=None) -> dict:
    """The shipped form of one run: exactly the four text files, standard JSON, consistent numbers."""
    assert sorted(p.name for p in folder.iterdir()) == sorted(SHIPPED_FILES)  # no weights
    for name in ("history.json", "metrics.json", "config.json"):
        json.loads((folder / name).read_text(), parse_constant=lambda c: pytest.fail(f"{name} has {c}"))
    run = load_run(folder)
    m = run.metrics
    n = len(run.history)
    assert n == m["epochs_run"] and list(pd.read_csv(folder / "history.csv")["epoch"]) == list(range(1, n + 1))
    assert len(run.val_confusions) == n and all(np.asarray(c).shape == (10, 10) for c in run.val_confusions)
    C = np.asarray(m["confusion"])
    assert C.shape == (10, 10) and C.sum() == m["data"]["test_images"]
    assert m["test_accuracy"] == pytest.approx(np.trace(C) / C.sum())
    assert len(m["misclassified"]) == C.sum() - np.trace(C) and m["misclassified"] == sorted(m["misclassified"])
    b = run.batches
    assert set(b) == {"step", "epoch", "loss", "accuracy", "smooth_loss", "smooth_accuracy"}
    assert 0 < len(b["step"]) <= MAX_BATCH_POINTS + 1 and b["step"][-1] == n * m["steps_per_epoch"]
    assert all(len(v) == len(b["step"]) for v in b.values())
    confidences = [mk["confidence"] for mk in m["mistakes"]]
    assert confidences == sorted(confidences, reverse=True)
    if data is not None:  # the indices are rows of the data set, in its test split, each one wrong
        _, _, test_idx = split_indices(data, seed=run.config.seed, train_limit=run.config.train_limit or None)
        assert set(m["misclassified"]) <= set(test_idx.tolist())
        for mk in m["mistakes"]:
            assert data.labels[mk["index"]] == mk["true"] != mk["pred"] and mk["index"] in m["misclassified"]
    return m


def test_a_regenerated_run_has_the_shipped_format(tmp_path):
    path = write_small_fashion_npz(tmp_path / "small.npz", per_class=40)
    folder = generate("lecture", str(path), tmp_path / "out", ("--epochs", "2", "--hidden", "32", "--threads", "1"))
    m = _check_format(folder, load_npz(path))
    assert m["replay"]["lecture_max_val_accuracy"] == 0.8579 and "--preset lecture" in m["replay"]["command"]
    assert load_run(folder).config.hidden == (32,) and m["epochs_run"] == 2
    assert sum(p.stat().st_size for p in folder.iterdir()) < 60_000


def test_thinned_batches_keep_the_moving_average_of_every_batch():
    rng = np.random.default_rng(0)
    n = 5000
    batches = {"step": list(range(1, n + 1)), "epoch": list(np.arange(1, n + 1) / 500), "loss": list(rng.random(n)),
               "accuracy": list(rng.random(n))}  # fmt: skip
    thin = thin_batches(batches, max_points=300)
    full = pd.Series(batches["loss"]).rolling(100, min_periods=1).mean().to_numpy()
    rows = np.asarray(thin["step"]) - 1
    assert len(rows) <= 301 and rows[0] == 0 and rows[-1] == n - 1
    np.testing.assert_allclose(thin["smooth_loss"], full[rows], atol=1e-4)
    np.testing.assert_allclose(thin["loss"], np.asarray(batches["loss"])[rows], atol=1e-4)


def test_every_lecture_run_is_shipped_small_and_in_the_format():
    shipped = runs_in(SHIPPED_DIR)
    assert sorted(shipped) == sorted(LECTURE_RUNS) and list(LECTURE_RUNS) == list(EXPECTED_EPOCHS)
    total = 0
    for name, folder in shipped.items():
        m = _check_format(folder)
        assert m["epochs_run"] == EXPECTED_EPOCHS[name] and m["status"] == "completed"
        assert m["replay"]["lecture_max_val_accuracy"] == LECTURE_RUNS[name].lecture_max_val_accuracy
        assert m["data"]["images"] == 70_000 and m["test_accuracy"] > 0.85
        total += sum(p.stat().st_size for p in folder.iterdir())
    assert total < 400_000  # small text files


@pytest.mark.skipif("FASHION_MNIST_NPZ" not in os.environ, reason="needs FASHION_MNIST_NPZ")
def test_shipped_mistakes_are_wrong_test_images_of_the_real_data():
    data = load_npz(os.environ["FASHION_MNIST_NPZ"])
    for folder in runs_in(SHIPPED_DIR).values():
        _check_format(folder, data)
