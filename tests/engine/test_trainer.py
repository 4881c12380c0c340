"""The one training loop: resumable, equal to a hand-written torch loop on the same batches, callbacks."""

import numpy as np
import pytest
import torch
from sklearn.datasets import make_moons

from core.engine.callbacks import Callback, EarlyStopping, EvaluateEachEpoch
from core.engine.network import MLP
from core.engine.schedules import make_schedule
from core.engine.train import TrainConfig, Trainer, train
from tests.engine.torch_mlp import TorchTwin

CONFIGS = {  # name -> (batchnorm, TrainConfig)
    "full-batch sgd": (False, TrainConfig("crossentropy", "sgd", lr=0.3)),
    "minibatch adam + dropout": (False, TrainConfig("crossentropy", "adam", lr=0.01, batch_size=16, dropout=0.3, seed=2)),
    "bn momentum + l1 + schedule": (True, TrainConfig("crossentropy", "momentum", batch_size=20, l1=1e-3,
                                                      schedule=make_schedule("step", 0.1, step_size=4, gamma=0.5))),
    "bn adamw + l2 + dropout": (True, TrainConfig("crossentropy", "adamw", lr=0.02, hyper={"betas": (0.8, 0.99)},
                                                  batch_size=25, l2=1e-2, dropout=0.2, seed=5)),
}
TORCH_OPT = {
    "sgd": lambda p, c: torch.optim.SGD(p, lr=c.lr),
    "adam": lambda p, c: torch.optim.Adam(p, lr=c.lr),
    "momentum": lambda p, c: torch.optim.SGD(p, lr=0.1, momentum=0.9),
    "adamw": lambda p, c: torch.optim.AdamW(p, lr=c.lr, betas=(0.8, 0.99)),
}


def moons(n=100, seed=0):
    return make_moons(n, noise=0.25, random_state=seed)


def net_for(batchnorm, seed=0):
    return MLP([2, 8, 6, 2], activation="tanh", output="softmax", seed=seed, batchnorm=batchnorm)


class Recorder(Callback):
    """Batches, dropout masks and events as the loop saw them."""

    def __init__(self):
        self.batches, self.masks, self.events = [], [], []

    def on_step_end(self, trainer):
        self.batches.append(trainer.batch)
        self.masks.append(trainer.cache.masks)
        self.events.append(("step", trainer.step, trainer.epoch))

    def on_epoch_end(self, trainer):
        self.events.append(("epoch", trainer.step, trainer.epoch))


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_run_k_equals_k_runs_of_one(name):
    batchnorm, config = CONFIGS[name]
    X, y = moons()
    whole, pieces = net_for(batchnorm), net_for(batchnorm)
    a = Trainer(whole, X, y, config).run(12)
    t = Trainer(pieces, X, y, config)
    for _ in range(12):
        b = t.run(1)
    assert a.losses == b.losses and a.lrs == b.lrs and a.steps == b.steps == t.step == 12
    assert a.final_loss == b.final_loss and a.status == b.status == "completed"
    for p, q in zip(whole.params, pieces.params):
        np.testing.assert_array_equal(p, q)
    for s, r in zip(whole.stats, pieces.stats):
        np.testing.assert_array_equal(s.mean, r.mean)
        np.testing.assert_array_equal(s.var, r.var)
    assert t.epoch == 12 // t.steps_per_epoch


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_k_steps_equal_a_hand_written_torch_loop_on_the_same_batches(name):
    batchnorm, config = CONFIGS[name]
    X, y = moons()
    net = net_for(batchnorm, seed=3)
    twin = TorchTwin(net)
    rec = Recorder()
    hist = Trainer(net, X, y, config, [rec]).run(10)
    opt = TORCH_OPT[config.optimizer](twin.params, config)
    losses = []
    for step, (idx, masks) in enumerate(zip(rec.batches, rec.masks)):
        if config.schedule is not None:
            for group in opt.param_groups:
                group["lr"] = config.schedule(step)
        Xb, yb = (X, y) if idx is None else (X[idx], y[idx])
        opt.zero_grad()
        L = twin.loss(Xb, yb, config.loss, masks, config.l1, config.l2)
        L.backward()
        opt.step()
        losses.append(L.item())
    np.testing.assert_allclose(hist.losses, losses, rtol=1e-9)
    for i, (p, t) in enumerate(zip(net.params, twin.params)):
        if batchnorm and i in (1, 5):  # b before batch norm: zero gradient up to rounding (see test_network_bn)
            continue
        np.testing.assert_allclose(p, t.detach().numpy(), rtol=1e-6, atol=1e-9)
    for s, (mean, var) in zip(net.stats, twin.running):
        np.testing.assert_allclose(s.mean, mean.numpy(), rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(s.var, var.numpy(), rtol=1e-6, atol=1e-9)
    assert (rec.batches[0] is None) == (config.batch_size is None)


def test_events_epochs_and_stop():
    X, y = moons(100)
    rec = Recorder()
    t = Trainer(net_for(False), X, y, TrainConfig("crossentropy", "sgd", lr=0.1, batch_size=30), [rec])
    assert t.steps_per_epoch == 3
    t.run(7)
    assert [e for e in rec.events if e[0] == "epoch"] == [("epoch", 3, 1), ("epoch", 6, 2)]
    assert len([e for e in rec.events if e[0] == "step"]) == 7 and t.epoch == 2
    assert all(len(b) == 30 and len(set(b.tolist())) == 30 for b in rec.batches)
    assert len(set(np.concatenate(rec.batches[:3]).tolist())) == 90  # one epoch: no sample twice

    class StopAt(Callback):
        def on_step_end(self, trainer):
            if trainer.step == 9:
                trainer.stop("enough")

    t.callbacks.append(StopAt())
    hist = t.run(10)
    assert hist.status == "enough at step 8" and t.step == 9 and t.finished
    assert t.run(5).steps == 9  # a stopped trainer stays stopped
    assert len(t.layer_grad_norms) == 3 and all(g > 0 for g in t.layer_grad_norms)


def test_divergence_stops_cleanly():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]])
    t = Trainer(MLP([3, 16, 1], "relu", "linear", seed=0), X, y, TrainConfig("mse", "sgd", lr=1e4))
    hist = t.run(100)
    assert hist.diverged and hist.status == f"diverged at step {hist.steps}" and 0 < hist.steps < 100
    assert t.run(10).steps == hist.steps


def test_evaluate_each_epoch_and_early_stopping_restore_the_best_weights():
    X, y = moons(300, seed=1)
    Xv, yv = moons(300, seed=2)
    rng = np.random.default_rng(0)
    y = np.where(rng.random(len(y)) < 0.3, 1 - y, y)  # noisy labels: a wide net overfits them
    net = MLP([2, 128, 128, 2], "relu", "softmax", seed=0)
    evaluate, stopper = EvaluateEachEpoch(Xv, yv), EarlyStopping("val_loss", patience=5)
    t = Trainer(net, X, y, TrainConfig("crossentropy", "adam", lr=0.02, batch_size=50), [evaluate, stopper])
    hist = t.run(2000)
    h = evaluate.history
    assert hist.status.startswith("early stopping (best epoch") and t.epoch < 2000 // 6
    assert h["epoch"] == list(range(1, t.epoch + 1))
    best = int(np.argmin(h["val_loss"]))
    assert stopper.best_epoch == h["epoch"][best] and stopper.best_value == h["val_loss"][best]
    assert stopper.stopped_epoch == t.epoch == stopper.best_epoch + 5
    assert net.eval_loss(Xv, yv, "crossentropy") == pytest.approx(h["val_loss"][best], rel=1e-12)
    assert h["train_loss"][-1] < h["train_loss"][best]  # training kept improving while validation did not
    assert 0.5 < h["val_acc"][best] <= 1.0


def test_early_stopping_needs_its_metric_and_max_mode():
    X, y = moons(60)
    t = Trainer(net_for(False), X, y, TrainConfig("crossentropy", "sgd", lr=0.1), [EarlyStopping("val_acc")])
    with pytest.raises(ValueError, match="EvaluateEachEpoch first"):
        t.run(1)
    assert EarlyStopping("val_acc").sign == 1.0 and EarlyStopping("val_loss").sign == -1.0


def test_train_wrapper_is_the_trainer():
    X, y = moons(80)
    a, b = net_for(True), net_for(True)
    ha = train(a, X, y, "crossentropy", optimizer="adam", steps=15, lr=0.01, batch_size=20, dropout=0.2, l1=1e-3, seed=4)
    hb = Trainer(b, X, y, TrainConfig("crossentropy", "adam", lr=0.01, batch_size=20, dropout=0.2, l1=1e-3, seed=4)).run(15)
    assert ha == hb
    with pytest.raises(ValueError, match="dropout"):
        Trainer(a, X, y, TrainConfig("crossentropy", dropout=1.0))
    with pytest.raises(ValueError, match="l1"):
        Trainer(a, X, y, TrainConfig("crossentropy", l1=-1.0))
    with pytest.raises(ValueError, match="valid: mse"):
        Trainer(a, X, y, TrainConfig("hinge"))
