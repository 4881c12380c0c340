"""A playground run is the engine's training loop: same weights as `core.engine.train.train` and as torch, step for step.

Also: a run replays deterministically from (config, step), whatever the frame sizes it was played in.
"""

import numpy as np
import pytest
import torch

from core.engine.train import train
from core.lessons.playground.session import PlayConfig, PlayRun, build_net, derived_seed, replay
from core.engine.schedules import make_schedule

CONFIGS = {
    "sgd_l2_tanh": PlayConfig(dataset="xor", hidden=(4, 3), activation="tanh", lr=0.1, regularizer="L2", reg_rate=0.01),
    "adam_l1_multiclass": PlayConfig(problem="multiclass", dataset="blobs", classes=4, loss="crossentropy",
                                     hidden=(5,), activation="relu", optimizer="adam", lr=0.01, regularizer="L1",
                                     reg_rate=0.003, init="he_normal", batch_size=7),
    "momentum_schedule_regression": PlayConfig(problem="regression", dataset="gaussian bumps", loss="mse",
                                               hidden=(6, 6, 2), activation="sigmoid", optimizer="momentum", lr=0.05,
                                               schedule="step", features=("x₁", "x₂", "x₁x₂", "sin x₁"), batch_size=30),
    "dropout_batchnorm": PlayConfig(dataset="moons", noise=0.1, hidden=(6, 4), activation="relu", init="he_normal",
                                    optimizer="adam", lr=0.01, dropout=0.2, batchnorm=True, batch_size=16),
    "no_hidden_points": PlayConfig(dataset="circle", hidden=(), features=("x₁²", "x₂²"), lr=0.3, batch_size=1,
                                   points=((1.0, 1.0, 0.0), (-2.0, 0.5, 1.0))),
}
PENALTY = {"none": {}, "L1": "l1", "L2": "l2"}


def _engine_loop(cfg: PlayConfig, run: PlayRun, steps: int):
    """The plain engine loop on the same data, network and seed."""
    net = build_net(cfg)
    field = PENALTY[cfg.regularizer]
    kw = {field: cfg.reg_rate} if field else {}
    schedule = None if cfg.schedule == "constant" else make_schedule(cfg.schedule, cfg.lr)
    train(net, run.Phi_train, run.data.y_train, cfg.loss, cfg.optimizer, steps=steps, batch_size=cfg.batch_size,
          lr=cfg.lr, schedule=schedule, dropout=cfg.dropout, seed=derived_seed(cfg.seed, 3), **kw)
    return net


@pytest.mark.parametrize("name", list(CONFIGS))
def test_k_playground_frames_equal_the_engine_loop(name):
    cfg = CONFIGS[name]
    run = PlayRun(cfg)
    for frame in (1, 7, 25, 3, 64):  # uneven frames, across epoch ends
        run.advance(frame)
    assert run.step == 100
    net = _engine_loop(cfg, run, 100)
    for a, b in zip(run.net.params, net.params):
        np.testing.assert_array_equal(a, b)
    replayed = replay(cfg, 100)
    for a, b in zip(run.net.params, replayed.net.params):
        np.testing.assert_array_equal(a, b)
    assert len(run.history.steps) == 1 + 100 // run.steps_per_epoch


def _torch_model(run: PlayRun) -> list[torch.nn.Linear]:
    layers = []
    for W, b in zip(run.net.W, run.net.b):
        lin = torch.nn.Linear(*W.shape).double()
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W.T))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
    return layers


@pytest.mark.parametrize("name", ["sgd_l2_tanh", "adam_l1_multiclass"])
def test_playground_steps_equal_torch_on_the_same_batches(name):
    cfg = CONFIGS[name]
    run = PlayRun(cfg)
    layers = _torch_model(run)  # the initial weights, before any step
    params = [p for lin in layers for p in lin.parameters()]
    act = {"tanh": torch.tanh, "relu": torch.relu}[cfg.activation]
    opt = {"sgd": lambda: torch.optim.SGD(params, lr=cfg.lr), "adam": lambda: torch.optim.Adam(params, lr=cfg.lr)}[cfg.optimizer]()
    X, y = torch.from_numpy(run.Phi_train), torch.from_numpy(run.data.y_train)
    for _ in range(40):
        run.advance(1)
        idx = torch.from_numpy(np.asarray(run.trainer.batch))
        A = X[idx]
        for lin in layers[:-1]:
            A = act(lin(A))
        Z = layers[-1](A)
        if cfg.problem == "multiclass":
            loss = torch.nn.functional.cross_entropy(Z, y[idx])
        else:
            loss = torch.nn.functional.binary_cross_entropy_with_logits(Z[:, 0], y[idx].double())
        Ws = [lin.weight for lin in layers]
        penalty = {"L1": lambda: cfg.reg_rate * sum(W.abs().sum() for W in Ws),
                   "L2": lambda: 0.5 * cfg.reg_rate * sum((W * W).sum() for W in Ws)}[cfg.regularizer]()
        opt.zero_grad()
        (loss + penalty).backward()
        opt.step()
    for lin, W, b in zip(layers, run.net.W, run.net.b):
        np.testing.assert_allclose(lin.weight.detach().numpy().T, W, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(lin.bias.detach().numpy(), b, rtol=1e-9, atol=1e-12)


def test_l1_and_l2_reach_the_gradient_the_run_trains_on_finite_differences():
    """The run's objective on a batch (data loss + penalty on weights only) matches central differences."""
    for reg in ("L1", "L2"):
        cfg = PlayConfig(dataset="moons", hidden=(3,), regularizer=reg, reg_rate=0.05)
        run = PlayRun(cfg)
        field = PENALTY[reg]
        X, y = run.Phi_train[:20], run.data.y_train[:20]
        _, grads = run.net.loss_and_grads(X, y, cfg.loss, **{field: cfg.reg_rate})
        theta = run.net.get_flat()
        flat = np.concatenate([g.ravel() for g in grads])
        h = 1e-6
        for i in range(0, theta.size, 3):
            e = np.zeros_like(theta)
            e[i] = h
            run.net.set_flat(theta + e)
            up = run.net.eval_loss(X, y, cfg.loss, **{field: cfg.reg_rate})
            run.net.set_flat(theta - e)
            down = run.net.eval_loss(X, y, cfg.loss, **{field: cfg.reg_rate})
            assert (up - down) / (2 * h) == pytest.approx(flat[i], rel=1e-5, abs=1e-7)
        run.net.set_flat(theta)


def test_replay_restarts_when_asked_for_an_earlier_step_and_stops_at_divergence():
    cfg = PlayConfig(problem="regression", dataset="plane", loss="mse", lr=3.0)
    run = replay(cfg, 500)
    assert run.diverged and run.step < 500
    assert np.isfinite(run.history.train[0]) and not np.isfinite(run.history.train[-1])
    assert run.advance(10) == 0


def test_bad_configs_are_refused_with_a_message():
    for kw, match in [({"dataset": "plane"}, "does not belong"), ({"hidden": (9,)}, "1–8 units"),
                      ({"batch_size": 31}, "batch size"), ({"loss": "crossentropy"}, "does not fit"),
                      ({"features": ()}, "at least one"), ({"lr": 0.0}, "learning rate")]:
        with pytest.raises(ValueError, match=match):
            PlayConfig(**kw)
