"""Training loops: loss goes down, trajectories equal torch.optim's, divergence and stops are clean."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import make_moons

from core.engine.callbacks import EarlyStopping, EvaluateEachEpoch, accuracy, early_stopping_replay
from core.engine.network import MLP
from core.engine.schedules import make_schedule
from core.engine.train import History, TrainConfig, Trainer, grad_norm, train, train_lbfgs

LRS = {"sgd": 0.5, "momentum": 0.1, "nesterov": 0.1, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.02, "adamax": 0.02}


def moons(n=200, seed=0):
    X, y = make_moons(n, noise=0.2, random_state=seed)
    return X, y


@pytest.mark.parametrize("optimizer", sorted(LRS))
def test_loss_decreases(optimizer):
    X, y = moons()
    net = MLP([2, 16, 2], activation="tanh", output="softmax", seed=0)
    start = net.loss_and_grads(X, y, "crossentropy")[0]
    hist = train(net, X, y, "crossentropy", optimizer=optimizer, steps=150, lr=LRS[optimizer])
    assert isinstance(hist, History) and hist.status == "completed" and not hist.diverged
    assert hist.steps == len(hist.losses) == len(hist.lrs) == len(hist.grad_norms) == 150
    assert hist.losses[0] == pytest.approx(start)
    assert hist.final_loss < 0.6 * start
    assert hist.final_loss == pytest.approx(net.loss_and_grads(X, y, "crossentropy")[0])


def test_full_batch_adam_equals_torch():
    X, y = moons(64)
    net = MLP([2, 8, 8, 2], activation="relu", output="softmax", seed=1)
    tparams = [torch.tensor(p, requires_grad=True) for p in net.params]
    opt = torch.optim.Adam(tparams, lr=0.01, betas=(0.8, 0.99))
    for _ in range(25):
        opt.zero_grad()
        A = torch.tensor(X)
        for l in range(3):
            Z = A @ tparams[2 * l] + tparams[2 * l + 1]
            A = torch.relu(Z) if l < 2 else Z
        L = torch.nn.functional.cross_entropy(A, torch.tensor(y)) + 0.5 * 1e-3 * sum((W**2).sum() for W in tparams[0::2])
        L.backward()
        opt.step()
    train(net, X, y, "crossentropy", optimizer="adam", steps=25, lr=0.01, betas=(0.8, 0.99), l2=1e-3)
    for p, t in zip(net.params, tparams):
        np.testing.assert_allclose(p, t.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_minibatches_and_seed():
    X, y = moons(100)
    seen = []
    first = MLP([2, 8, 1], output="sigmoid", seed=0)
    hist = train(first, X, y, "binary_crossentropy", optimizer="sgd", lr=0.1, steps=12, batch_size=30, seed=3,
                 callback=lambda step, loss, mlp: seen.append(step))
    assert seen == list(range(12)) and hist.steps == 12
    again = MLP([2, 8, 1], output="sigmoid", seed=0)
    train(again, X, y, "binary_crossentropy", optimizer="sgd", lr=0.1, steps=12, batch_size=30, seed=3)
    other = MLP([2, 8, 1], output="sigmoid", seed=0)
    train(other, X, y, "binary_crossentropy", optimizer="sgd", lr=0.1, steps=12, batch_size=30, seed=4)
    assert all(np.array_equal(p, q) for p, q in zip(first.params, again.params))
    assert not np.array_equal(first.params[0], other.params[0])
    # the batch losses are losses of 30-sample batches, not of the full set
    full = MLP([2, 8, 1], output="sigmoid", seed=0).loss_and_grads(X, y, "binary_crossentropy")[0]
    assert hist.losses[0] != pytest.approx(full)


def test_schedule_drives_lr():
    X, y = moons(50)
    sched = make_schedule("step", 0.1, step_size=3, gamma=0.5)
    hist = train(MLP([2, 4, 2], output="softmax", seed=0), X, y, "crossentropy", optimizer="sgd", steps=9, schedule=sched)
    np.testing.assert_allclose(hist.lrs, [sched(s) for s in range(9)])
    assert hist.lrs[0] == 0.1 and hist.lrs[-1] == 0.025


def test_default_lr_is_the_optimizers():
    X, y = moons(50)
    hist = train(MLP([2, 4, 2], output="softmax", seed=0), X, y, "crossentropy", optimizer="adam", steps=2)
    assert hist.lrs == [1e-3, 1e-3]  # torch's Adam default


def test_divergence_is_detected_cleanly():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]])
    net = MLP([3, 16, 16, 1], activation="relu", output="linear", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings escape
        hist = train(net, X, y, "mse", optimizer="sgd", lr=1e4, steps=100)
    assert hist.diverged and hist.status == f"diverged at step {hist.steps}"
    assert 0 < hist.steps < 100 and len(hist.losses) == hist.steps
    assert np.all(np.isfinite(hist.losses)) and np.isnan(hist.final_loss)


def test_divergence_with_sigmoid_and_bce_is_detected():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(float)
    net = MLP([2, 32, 32, 32, 1], activation="relu", output="sigmoid", init="normal_large", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hist = train(net, X, y, "binary_crossentropy", optimizer="sgd", lr=1e8, steps=200)
    assert hist.diverged and hist.steps < 200 and np.all(np.isfinite(hist.grad_norms))


def test_grad_norm_survives_overflowing_squares():
    assert grad_norm([np.array([3.0, 4.0]), np.zeros(2)]) == 5.0
    assert grad_norm([np.array([3e200, 4e200])]) == pytest.approx(5e200)
    assert np.isnan(grad_norm([np.array([np.nan, 1.0])])) and grad_norm([np.array([np.inf])]) == np.inf


def test_callback_can_stop():
    X, y = moons(50)
    hist = train(MLP([2, 4, 2], output="softmax", seed=0), X, y, "crossentropy", steps=50, lr=0.01,
                 callback=lambda step, loss, mlp: step == 4)
    assert hist.status == "stopped by callback at step 4" and hist.steps == 5


def test_dropout_training_runs_and_is_seeded():
    X, y = moons(80)
    a, b = MLP([2, 16, 2], output="softmax", seed=0), MLP([2, 16, 2], output="softmax", seed=0)
    ha = train(a, X, y, "crossentropy", steps=30, lr=0.01, dropout=0.3, seed=1)
    hb = train(b, X, y, "crossentropy", steps=30, lr=0.01, dropout=0.3, seed=1)
    assert ha.losses == hb.losses and ha.final_loss < ha.losses[0]


def test_lbfgs_fits_moons():
    X, y = moons(200)
    net = MLP([2, 32, 32, 2], activation="tanh", output="softmax", init="glorot_uniform", seed=0)
    hist = train_lbfgs(net, X, y, "crossentropy", max_iter=300, l2=1e-4 / len(X))
    assert hist.optimizer == "lbfgs" and not hist.diverged and hist.n_evals >= hist.steps > 10
    assert (net.predict(X) == y).mean() >= 0.97
    assert hist.losses[-1] < 0.1 * hist.losses[0]
    assert hist.final_loss == pytest.approx(hist.losses[-1], rel=1e-6)
    assert len(hist.grad_norms) == len(hist.losses)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(steps=-1), "steps"),
        (dict(batch_size=0), "batch_size"),
        (dict(optimizer="adagrad2"), "valid names: .*adam"),
        (dict(lr=-0.1), "lr"),
    ],
)
def test_bad_input(kwargs, match):
    X, y = moons(20)
    with pytest.raises(ValueError, match=match):
        train(MLP([2, 3, 2], output="softmax", seed=0), X, y, "crossentropy", **kwargs)


def test_mismatched_data():
    X, y = moons(20)
    with pytest.raises(ValueError, match="20 samples but y has 19"):
        train(MLP([2, 3, 2], output="softmax"), X, y[:19], "crossentropy")
    with pytest.raises(ValueError, match="max_iter"):
        train_lbfgs(MLP([2, 3, 2], output="softmax"), X, y, "crossentropy", max_iter=0)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_weight_decay_on_weights_only_is_the_l2_penalty(optimizer):
    """decay_weights_only puts weight_decay λ on W alone (parameter groups): the same steps as λ/2·‖W‖² in the loss."""
    X, y = moons(120)
    nets = {k: MLP([2, 8, 8, 2], "tanh", "softmax", seed=1, batchnorm=True) for k in ("groups", "l2", "all")}
    base = dict(loss="crossentropy", optimizer=optimizer, lr=0.05, batch_size=20, seed=3)
    Trainer(nets["groups"], X, y, TrainConfig(**base, hyper={"weight_decay": 0.05}, decay_weights_only=True)).run(40)
    Trainer(nets["l2"], X, y, TrainConfig(**base, l2=0.05)).run(40)
    Trainer(nets["all"], X, y, TrainConfig(**base, hyper={"weight_decay": 0.05})).run(40)
    for p, q in zip(nets["groups"].params, nets["l2"].params):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)
    biases = nets["l2"].b + nets["l2"].gamma + nets["l2"].beta
    decayed = nets["all"].b + nets["all"].gamma + nets["all"].beta
    assert max(float(np.max(np.abs(p - q))) for p, q in zip(biases, decayed)) > 1e-4  # torch's default decays b, γ, β too


def test_evaluate_each_epoch_takes_one_forward_pass_per_set():
    X, y = moons(90)
    Xv, yv = moons(60, seed=1)
    net = MLP([2, 8, 2], "relu", "softmax", seed=0)
    passes = []
    forward_cache = net.forward_cache
    net.forward_cache = lambda *a, **k: passes.append(k.get("train", True)) or forward_cache(*a, **k)
    net.forward = lambda X: pytest.fail("evaluation ran a second forward pass")
    evaluate = EvaluateEachEpoch(Xv, yv)
    Trainer(net, X, y, TrainConfig("crossentropy", "adam", lr=0.01, batch_size=30, l2=1e-3), [evaluate]).run(6)
    assert passes.count(False) == 2 * 2 + 1  # 2 epochs × (training set, validation set), run()'s final loss
    del net.forward
    assert evaluate.history["val_loss"][-1] == net.eval_loss(Xv, yv, "crossentropy", l2=1e-3)
    assert evaluate.history["train_loss"][-1] == net.eval_loss(X, y, "crossentropy", l2=1e-3)
    assert evaluate.history["val_acc"][-1] == accuracy(net, Xv, yv) and evaluate.history["train_acc"][-1] == accuracy(net, X, y)


def _noisy_run(callbacks, epochs=60):
    X, y = moons(300, seed=1)
    Xv, yv = moons(300, seed=2)
    y = np.where(np.random.default_rng(0).random(len(y)) < 0.3, 1 - y, y)  # noisy labels: a wide net overfits
    net = MLP([2, 64, 64, 2], "relu", "softmax", seed=0)
    evaluate = EvaluateEachEpoch(Xv, yv)
    trainer = Trainer(net, X, y, TrainConfig("crossentropy", "adam", lr=0.02, batch_size=50), [evaluate, *callbacks])
    trainer.run(epochs * trainer.steps_per_epoch)
    return net, trainer, evaluate.history, (Xv, yv)


def test_early_stopping_can_watch_without_stopping():
    """stop=False: training runs all epochs; the stop epoch, best epoch and kept weights are the stopping run's."""
    stopper = EarlyStopping("val_loss", patience=4)
    stopped, t_stop, h_stop, (Xv, yv) = _noisy_run([stopper])
    watcher = EarlyStopping("val_loss", patience=4, stop=False)
    full, t_full, h_full, _ = _noisy_run([watcher])
    assert stopper.stopped_epoch is not None and stopper.stopped_epoch < 60
    assert t_full.epoch == 60 and t_full.status == "completed" and len(h_full["epoch"]) == 60
    assert (watcher.stopped_epoch, watcher.best_epoch) == (stopper.stopped_epoch, stopper.best_epoch)
    assert watcher.waits[:stopper.stopped_epoch] == stopper.waits and watcher.waits[stopper.stopped_epoch - 1] == 4
    assert watcher.waits[stopper.stopped_epoch:] == [4] * (60 - stopper.stopped_epoch)  # frozen after the stop
    assert watcher.best_value == h_full["val_loss"][watcher.best_epoch - 1] == stopper.best_value
    watcher.restore(full)
    for p, q in zip(full.params, stopped.params):
        np.testing.assert_array_equal(p, q)
    replay = early_stopping_replay(h_full["val_loss"], patience=4)
    assert (replay.best_epoch, replay.stopped_epoch, replay.waits) == (watcher.best_epoch, watcher.stopped_epoch,
                                                                       watcher.waits)
    assert early_stopping_replay(h_full["val_acc"], 4, mode="max").best_epoch == \
        1 + int(np.argmax(h_full["val_acc"][:early_stopping_replay(h_full["val_acc"], 4, mode="max").stopped_epoch]))
