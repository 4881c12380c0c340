"""Sections 1–2: early stopping keeps and restores the best epoch; wide networks memorize shuffled labels."""

from dataclasses import replace

import numpy as np
import pytest

from core.engine.callbacks import accuracy
from core.engine.network import MLP
from core.engine.train import TrainConfig, Trainer
from core.lessons.model_selection.capacity import memorization, width_sweep
from core.lessons.model_selection.data import CHANCE, N_VAL, digits_split, shuffled_labels
from core.lessons.model_selection.early_stopping import (CurveConfig, epoch_metrics, moving_average, stopping_run,
                                                         training_curves)
from core.lessons.model_selection.runs import fit
from core.lessons.model_selection.stacked import Stack

SMALL = dict(width=64, epochs=25, n_train=240, label_noise=0.3, lr=1e-2)


def test_split_is_fixed_and_noise_replaces_the_asked_share():
    a, b = digits_split(360, 0.3, seed=0), digits_split(360, 0.0, seed=0)
    assert a.X_train.shape == (360, 64) and a.X_val.shape == (N_VAL, 64)
    assert np.array_equal(a.X_val, b.X_val) and a.X_train.max() <= 1.0
    assert 0.25 < a.corrupted.mean() < 0.35
    assert np.array_equal(a.y_train[~a.corrupted], b.y_train[~a.corrupted])
    s = shuffled_labels(b)
    assert sorted(s.y_train) == sorted(b.y_train) and np.mean(s.y_train == b.y_train) < 0.3


def test_moving_average_is_the_trailing_mean():
    v = np.array([4.0, 2.0, 6.0, 0.0])
    assert np.allclose(moving_average(v, 2), [4.0, 3.0, 4.0, 3.0])
    assert np.allclose(moving_average(v, 1), v)


@pytest.mark.parametrize("monitor", ["val_loss", "val_acc"])
def test_early_stopping_picks_the_best_epoch_and_restores_its_weights(monitor):
    c = training_curves(CurveConfig(**SMALL, patience=4, monitor=monitor))
    assert c.stop_epoch is not None, "with 30 % label noise the validation curve must turn"
    watched = c.metrics[monitor][: c.stop_epoch]
    best = int(np.argmin(watched) if monitor == "val_loss" else np.argmax(watched)) + 1  # first best epoch
    assert c.best_epoch == best
    assert c.stop_epoch == c.best_epoch + 4
    # the restored network is the full run's network at the best epoch (same seed, same minibatches)
    assert c.restored_val_loss == pytest.approx(c.metrics["val_loss"][best - 1], rel=1e-12)
    assert c.restored_val_acc == pytest.approx(c.metrics["val_acc"][best - 1])
    assert c.restored_val_acc > c.final_val_acc  # stopping early paid off on noisy labels


@pytest.mark.parametrize("monitor, smooth", [("val_loss", 1), ("val_acc", 3)])
def test_replayed_early_stopping_is_the_run_that_stops(monitor, smooth):
    """The page trains once for all epochs and replays the stopping rule: the same stop, best epoch and restored
    weights as a run where EarlyStopping really stops and restores; fewer epochs are a longer run's first ones."""
    cfg = CurveConfig(**SMALL, patience=4, monitor=monitor, smooth=smooth)
    longer = epoch_metrics(replace(cfg, epochs=cfg.epochs + 15))
    c = training_curves(cfg, longer)
    stopper, run = stopping_run(cfg)
    assert c.stop_epoch is not None and (c.best_epoch, c.stop_epoch) == (stopper.best_epoch, stopper.stopped_epoch)
    assert run.trainer.epoch == c.stop_epoch and len(c.epochs) == cfg.epochs
    split = digits_split(cfg.n_train, cfg.label_noise, seed=cfg.seed)
    assert c.restored_val_loss == run.net.eval_loss(split.X_val, split.y_val, "crossentropy")
    assert c.restored_val_acc == accuracy(run.net, split.X_val, split.y_val)
    fresh = training_curves(cfg)
    for k in c.metrics:
        np.testing.assert_array_equal(c.metrics[k], fresh.metrics[k])
    assert list(c.waits[: c.stop_epoch]) == stopper.waits


def test_moving_average_monitor_waits_longer_on_bumpy_curves():
    raw = training_curves(CurveConfig(**SMALL, patience=2, monitor="val_acc"))
    smooth = training_curves(CurveConfig(**SMALL, patience=2, monitor="val_acc", smooth=3))
    assert np.allclose(smooth.monitored, moving_average(smooth.metrics["val_acc"], 3))
    assert (smooth.stop_epoch or 99) >= (raw.stop_epoch or 99)


def test_shuffled_labels_are_memorized_but_never_generalize():
    m = memorization()  # 64-256-10 on 150 images, the page's default
    assert m.shuffled_train[-1] >= 0.95
    assert m.shuffled_val[-1] <= 0.20
    assert m.true_val[-1] >= 0.85
    assert abs(m.shuffled_val[-1] - CHANCE) < 0.1


def test_width_sweep_underfits_narrow_and_fits_wide():
    s = width_sweep(widths=(1, 64), epochs=10)
    assert s.train_acc[0] < 0.5 < 0.99 <= s.train_acc[1]
    assert s.n_params == [64 + 1 + 10 + 10, 64 * 64 + 64 + 64 * 10 + 10]


@pytest.mark.parametrize("hidden", [[[1], [8], [64]], [[32, 2], [32, 16]]])
def test_a_stacked_sweep_trains_each_net_as_it_trains_alone(hidden):
    """The sweeps train their nets side by side in one Stack: the same weights and accuracies as separate runs."""
    split = digits_split(120, 0.1, seed=1)
    config = TrainConfig("crossentropy", "adam", lr=1e-2, batch_size=30, seed=1)
    nets = [MLP([64, *h, 10], activation="relu", output="softmax", init="he_normal", seed=1) for h in hidden]
    stack = Stack(nets)
    trainer = Trainer(stack, split.X_train, split.y_train, config)
    trainer.run(3 * trainer.steps_per_epoch)
    alone = [fit(split, h, config, 3, seed=1, evaluate=False) for h in hidden]
    assert list(stack.accuracies(split.X_val, split.y_val)) == [r.history["val_acc"][-1] for r in alone]
    assert list(stack.accuracies(split.X_train, split.y_train)) == [r.history["train_acc"][-1] for r in alone]
    first = np.split(stack.params[0], np.cumsum([h[0] for h in hidden])[:-1], axis=1)
    for k, run in enumerate(alone):
        np.testing.assert_allclose(first[k], run.net.W[0], rtol=1e-9, atol=1e-12)
        for l, blocks in enumerate(stack.blocks[1:], start=1):
            np.testing.assert_allclose(blocks[k][2], run.net.W[l], rtol=1e-9, atol=1e-12)
    assert trainer.losses[0] == pytest.approx(sum(r.trainer.losses[0] for r in alone), rel=1e-12)
