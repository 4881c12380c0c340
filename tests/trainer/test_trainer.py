"""The PyTorch trainer: model shapes, learning, early stopping, L1/L2, stop flag, divergence, devices, runs, CLI."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading

import numpy as np
import pytest
import torch
from torch import nn

from core.engine.activations import ACTIVATIONS
from core.trainer.data import FashionMNIST, prepare
from core.engine.initializers import INITIALIZERS
from core.trainer import PRESETS, TrainConfig, build_model, preset, run_experiment, summarize, train
from core.trainer import models as tm
from core.trainer.cli import EPOCH_KEYS, main
from core.trainer.evaluation import predict_logits
from core.trainer.experiment import check_transfer, rekeyed
from core.trainer.loop import l1_penalty
from core.trainer.optim import TORCH_OPTIMIZERS, make_lr_schedule, make_optimizer, restart_period
from core.trainer.runs import list_runs, load_model, load_run, save_run, zip_run

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else []) + (["mps"] if tm._mps_available() else [])
FAST = dict(hidden=(32,), epochs=3, batch_size=32, val_fraction=0.2, device="cpu")


def synthetic(n_per_class: int = 60, noise: int = 90, seed: int = 0, label_noise: bool = False) -> FashionMNIST:
    """Ten random 'garment' templates plus pixel noise: learnable, far from chance, like a tiny Fashion-MNIST."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(10), n_per_class)
    templates = rng.integers(0, 256, (10, 28, 28))
    images = np.clip(templates[labels] * 0.5 + rng.integers(0, noise + 1, (labels.size, 28, 28)), 0, 255)
    if label_noise:
        labels = rng.permutation(labels)  # nothing to learn: the network can only memorize
    return FashionMNIST(images.astype(np.uint8), labels.astype(np.int64), "synthetic")


DATA = synthetic()


def _lecture_by_hand() -> nn.Sequential:
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))


def _count(widths: list[int], bn: bool) -> int:
    """Parameters of 784-widths-10: (fan_in + 1)·fan_out per Linear, 2 per batch-norm unit."""
    sizes = [784, *widths, 10]
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:])) + (2 * sum(widths) if bn else 0)


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_build_the_documented_networks(name):
    config = PRESETS[name]
    model = build_model(config)
    summary = summarize(model)
    assert summary.total == summary.trainable == _count(list(config.hidden), config.batch_norm)
    assert model(torch.zeros(3, 784)).shape == (3, 10)
    kinds = [type(m).__name__ for m in model]
    assert kinds.count("Linear") == len(config.hidden) + 1
    assert ("BatchNorm1d" in kinds) == config.batch_norm


def test_lecture_summary_matches_lightning():
    summary = summarize(build_model(preset("lecture")))
    assert summary.total == 669_706 == sum(p.numel() for p in _lecture_by_hand().parameters())
    assert [r.params for r in summary.rows if r.kind == "Linear"] == [401_920, 262_656, 5_130]
    assert f"{summary.size_mb:.3f}" == "2.679"
    assert "669,706 Total params" in summary.table() and "2.679" in summary.table()


def test_regularized_is_the_lectures_new_model():
    model = build_model(preset("regularized"))
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Linear", "BatchNorm1d", "ReLU", "Dropout"] * 3 + ["Linear"]
    assert [m.out_features for m in model if isinstance(m, nn.Linear)] == [265, 64, 32, 10]
    assert all(m.p == 0.5 for m in model if isinstance(m, nn.Dropout))


@pytest.mark.parametrize("name", sorted(set(ACTIVATIONS) & set(tm.TORCH_ACTIVATIONS)))
def test_torch_activations_match_the_numpy_registry(name):
    z = np.linspace(-5, 5, 101)
    ours = tm.TORCH_ACTIVATIONS[name]()(torch.tensor(z)).numpy()
    np.testing.assert_allclose(ours, ACTIVATIONS[name].forward(z), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", [n for n in tm.TORCH_INITIALIZERS if n not in ("torch_default", "zeros")])
def test_torch_initializers_have_the_registry_spread(name):
    w = torch.empty(400, 600)  # (fan_out, fan_in) as in nn.Linear
    tm.TORCH_INITIALIZERS[name](w)
    assert w.std().item() == pytest.approx(INITIALIZERS[name].std(600, 400), rel=0.03)
    if INITIALIZERS[name].distribution == "uniform":
        assert w.abs().max().item() <= INITIALIZERS[name].bound(600, 400) + 1e-6


@pytest.mark.parametrize(
    "changes, match",
    [
        ({"hidden": (2000,)}, "8–1024"),
        ({"hidden": (64,) * 6}, "0–5"),
        ({"activation": "swish"}, "relu"),
        ({"optimizer": "lbfgs"}, "rmsprop"),
        ({"schedule": "warmup"}, "cosine_restarts"),
        ({"dropout": (0.1, 0.2, 0.3)}, "dropout"),
        ({"lr": -1.0}, "lr"),
        ({"early_stopping": True, "val_fraction": 0.0}, "val_fraction"),
        ({"device": "tpu"}, "auto, cpu, cuda, mps"),
        ({"threads": -1}, "threads"),
    ],
)
def test_bad_configs_name_the_valid_choices(changes, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(**changes)


def test_config_json_round_trip():
    c = preset("best", schedule_kw={"T_0": 100})
    assert TrainConfig.from_dict(json.loads(c.to_json())) == c
    with pytest.raises(ValueError, match="unknown config field"):
        TrainConfig.from_dict({"epochz": 3})


@pytest.mark.parametrize("device", DEVICES)
def test_a_few_epochs_learn_far_above_chance(device):
    events = []
    result, splits, ev = run_experiment(TrainConfig(**{**FAST, "device": device}), DATA, on_event=events.append)
    assert result.status == "completed" and len(result.history) == 3
    assert ev.accuracy > 0.6  # chance is 0.1
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]
    kinds = [e.kind for e in events]
    assert kinds[0] == "start" and kinds[-1] == "end" and kinds.count("epoch") == 3
    batches = [e for e in events if e.kind == "batch"]
    assert len(batches) == 3 * result.steps_per_epoch == len(result.batches["loss"])
    last = batches[-1]
    window = [e.loss for e in batches[-100:]]
    assert last.smooth_loss == pytest.approx(sum(window) / len(window))
    assert ev.confusion.sum() == len(splits.y_test)
    assert all(m["true"] != m["pred"] for m in ev.mistakes)
    confidences = [m["confidence"] for m in ev.mistakes]
    assert confidences == sorted(confidences, reverse=True)


def test_early_stopping_restores_the_best_epoch():
    data = synthetic(n_per_class=30, label_noise=True)  # random labels: validation loss only gets worse
    config = TrainConfig(hidden=(256,), epochs=30, batch_size=16, lr=0.003, optimizer="adam", val_fraction=0.3,
                         early_stopping=True, monitor="val_loss", patience=2, device="cpu")  # fmt: skip
    splits = prepare(data, val_fraction=0.3)
    result = train(config, splits)
    assert result.status == "early_stopped"
    best = result.best_epoch
    assert len(result.history) == best + 2 and result.restored_epoch == best
    val_losses = [h["val_loss"] for h in result.history]
    assert val_losses[best - 1] == min(val_losses)
    logits = predict_logits(result.model, torch.as_tensor(splits.X_val), True)
    again = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)(logits, torch.as_tensor(splits.y_val))
    assert again.item() == pytest.approx(val_losses[best - 1], rel=1e-5)  # the best epoch's weights are back


def test_l2_weight_decay_equals_the_explicit_penalty_gradient():
    torch.manual_seed(0)
    X, y, lam = torch.randn(16, 784), torch.randint(0, 10, (16,)), 0.05
    a, b = build_model(TrainConfig(hidden=(8,))), build_model(TrainConfig(hidden=(8,)))
    b.load_state_dict(a.state_dict())
    opt_a = make_optimizer(TrainConfig(hidden=(8,), optimizer="sgd", lr=0.1, l2=lam), a.parameters())
    opt_b = torch.optim.SGD(b.parameters(), lr=0.1)
    nn.functional.cross_entropy(a(X), y).backward()
    penalty = sum((p**2).sum() for p in b.parameters())
    (nn.functional.cross_entropy(b(X), y) + lam / 2 * penalty).backward()
    opt_a.step()
    opt_b.step()
    for pa, pb in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(pa, pb)


@pytest.mark.parametrize("name", list(TORCH_OPTIMIZERS))
def test_optimizer_steps_equal_torchs_plain_implementation(name):
    """make_optimizer may pick torch's fused kernel: three steps must match the plain for-loop version."""
    torch.manual_seed(0)
    X, y = torch.randn(32, 784), torch.randint(0, 10, (32,))
    config = TrainConfig(hidden=(16,), optimizer=name, lr=0.01, l2=1e-3)
    ours, plain = build_model(config), build_model(config)
    plain.load_state_dict(ours.state_dict())
    cls, fixed = TORCH_OPTIMIZERS[name]
    opt_ours = make_optimizer(config, ours.parameters())
    opt_plain = cls(plain.parameters(), lr=0.01, weight_decay=1e-3, foreach=False, **fixed)
    for _ in range(3):
        for model, opt in ((ours, opt_ours), (plain, opt_plain)):
            opt.zero_grad()
            nn.functional.cross_entropy(model(X), y).backward()
            opt.step()
    for a, b in zip(ours.parameters(), plain.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("epochs", [1, 2, 5, 10, 20, 30])
def test_cosine_restarts_end_with_the_run(epochs):
    steps = 37  # per epoch
    lr_at = make_lr_schedule(TrainConfig(schedule="cosine_restarts", epochs=epochs, lr=0.01), steps)
    total = steps * epochs
    lrs = [lr_at(s) for s in range(total)]
    assert lrs[0] == 0.01 and lrs[-1] < 1e-4  # the run ends at the bottom of a cycle, not after a restart
    restarts = [s for s in range(1, total) if lrs[s] > lrs[s - 1]]
    assert len(restarts) == int(math.log2(epochs + 1)) - 1
    assert restart_period(total, epochs) >= steps  # every cycle lasts at least one epoch
    if epochs == 30:
        assert [round(s / steps) for s in restarts] == [2, 6, 14]  # cycles of 2, 4, 8 and 16 epochs


def test_cpu_threads_leave_a_core_free_and_split_the_rest(monkeypatch):
    monkeypatch.setattr(tm, "available_cores", lambda: 2)
    assert tm.cpu_threads() == 1 and tm.cpu_threads(concurrent=1) == 1
    monkeypatch.setattr(tm, "available_cores", lambda: 1)
    assert tm.cpu_threads() == 1
    monkeypatch.setattr(tm, "available_cores", lambda: 16)
    assert tm.cpu_threads() == 8 and tm.cpu_threads(concurrent=8) == 1 and tm.cpu_threads(concurrent=3) == 5


def test_training_sets_its_threads_and_puts_them_back():
    before = torch.get_num_threads()
    seen = []
    result = train(TrainConfig(**{**FAST, "epochs": 1, "threads": 1}), prepare(DATA),
                   on_event=lambda e: seen.append(torch.get_num_threads()))  # fmt: skip
    assert set(seen) == {1} and "(1 thread)" in result.device
    assert torch.get_num_threads() == before


def test_l1_penalty_gradient_is_sign_and_it_sparsifies():
    w = torch.tensor([[-2.0, 0.5], [3.0, -0.1]], requires_grad=True)
    v = torch.tensor([1.5, -4.0], requires_grad=True)
    l1_penalty([w, v]).backward()
    assert l1_penalty([w, v]).item() == pytest.approx(11.1)
    torch.testing.assert_close(w.grad, torch.sign(w.detach()))
    torch.testing.assert_close(v.grad, torch.sign(v.detach()))
    splits = prepare(DATA, val_fraction=0.0)
    small = lambda l1: train(TrainConfig(hidden=(32,), epochs=3, optimizer="adam", lr=0.003, l1=l1, val_fraction=0.0,
                                         device="cpu"), splits).model[0].weight  # fmt: skip
    with_l1, without = small(1e-2).detach(), small(0.0).detach()
    assert with_l1.abs().sum() < 0.2 * without.abs().sum()  # the penalty shrinks the weights' L1 norm
    assert (with_l1.abs() < 3e-3).float().mean() > 0.5 > (without.abs() < 3e-3).float().mean()  # most end near 0


def test_stop_flag_stops_within_one_batch():
    stop = threading.Event()
    seen = []

    def on_event(event):
        seen.append(event)
        if event.kind == "batch" and event.step == 3:
            stop.set()

    result = train(TrainConfig(**FAST), prepare(DATA), on_event=on_event, stop=stop, report_every=1)
    assert result.status == "stopped" and result.history == []
    assert len(result.batches["loss"]) == 3 and seen[-1].kind == "end"
    stop_before = threading.Event()
    stop_before.set()
    assert len(train(TrainConfig(**FAST), prepare(DATA), stop=stop_before).batches["loss"]) == 0


def test_divergence_is_a_status_not_an_exception():
    config = TrainConfig(hidden=(64,), activation="linear", optimizer="sgd", lr=1000.0, init="normal_large",
                         scale_inputs=False, epochs=3, device="cpu")  # fmt: skip
    result, _, evaluation = run_experiment(config, DATA)
    assert result.status == "diverged" and "diverged" in result.message
    assert evaluation is None and result.metrics["test_accuracy"] is None
    assert all(math.isfinite(v) for v in result.batches["loss"])


def test_time_budget_stops_before_an_epoch():
    result = train(TrainConfig(**{**FAST, "max_seconds": 1e-9}), prepare(DATA))
    assert result.status == "time_limit" and result.history == []


@pytest.mark.parametrize(
    "cuda, mps, expected",
    [(True, True, "cuda"), (False, True, "mps"), (False, False, "cpu")],
)
def test_auto_device_prefers_cuda_then_mps_then_cpu(monkeypatch, cuda, mps, expected):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda i=0: "Fake GPU")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    device, text = tm.select_device("auto")
    assert device.type == expected and text.startswith("auto: ")
    if not cuda:
        with pytest.raises(ValueError, match="no CUDA"):
            tm.select_device("cuda")


def test_save_load_round_trip_and_transfer_with_freezing(tmp_path):
    result, splits, ev = run_experiment(TrainConfig(**FAST), DATA)
    folder = save_run(result, tmp_path / "runs" / "first")
    saved = load_run(folder)
    assert saved.config == result.config and saved.metrics["test_accuracy"] == ev.accuracy
    assert [h["val_accuracy"] for h in saved.history] == [h["val_accuracy"] for h in result.history]
    assert len(saved.val_confusions) == 3 and len(saved.batches["loss"]) == len(result.batches["loss"])
    model = load_model(folder)
    X = torch.as_tensor(splits.X_test[:20]).float() / 255
    torch.testing.assert_close(model(X), result.model.eval()(X))
    assert list_runs(tmp_path / "runs") == [folder]
    assert len(zip_run(folder)) > 1000
    transfer = TrainConfig(**{**FAST, "epochs": 1, "init_from": str(folder), "freeze": 1})
    second, _, _ = run_experiment(transfer, DATA)
    torch.testing.assert_close(second.model[0].weight.cpu(), model[0].weight)  # frozen: unchanged
    assert not torch.equal(second.model[2].weight.cpu(), model[2].weight)  # the head kept learning
    assert "froze" in second.message
    with pytest.raises(ValueError, match="cannot freeze"):
        run_experiment(TrainConfig(**{**FAST, "hidden": (16,), "init_from": str(folder), "freeze": 1}), DATA)


def test_transfer_maps_layers_across_dropout_layouts(tmp_path):
    first, _, _ = run_experiment(TrainConfig(**FAST), DATA)  # 784-32-10, no dropout: Linear at 0 and 2
    folder = save_run(first, tmp_path / "plain")
    with_dropout = TrainConfig(**{**FAST, "epochs": 1, "dropout": (0.5,), "init_from": str(folder), "freeze": 1})
    state = rekeyed(first.model.state_dict(), first.config, with_dropout)  # Linear at 0 and 3 there
    assert sorted(state) == ["0.bias", "0.weight", "3.bias", "3.weight"]
    torch.testing.assert_close(state["3.weight"], first.model[2].weight)
    second, _, _ = run_experiment(with_dropout, DATA)
    assert "4 of 4 tensors" in second.message
    torch.testing.assert_close(second.model[0].weight.cpu(), first.model[0].weight.cpu())  # frozen, loaded
    with pytest.raises(ValueError, match="batch norm"):
        check_transfer(TrainConfig(**{**FAST, "batch_norm": True, "init_from": str(folder), "freeze": 1}))
    assert check_transfer(TrainConfig(**{**FAST, "batch_norm": True, "init_from": str(folder)})) == first.config


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--bogus"], "unrecognized arguments"),
        (["--preset", "huge"], "invalid choice"),
        (["--optimizer", "lbfgs"], "invalid choice"),
        (["--epochs", "0"], "positive integer"),
        (["--lr", "fast"], "invalid float"),
        (["--hidden", "4096"], "8–1024"),
    ],
)
def test_cli_bad_arguments_exit_2_with_a_message(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_json_lines_and_save(tmp_path, capsys):
    path = tmp_path / "tiny.npz"
    np.savez(path, images=DATA.images, labels=DATA.labels)
    code = main(["--data", str(path), "--preset", "small", "--hidden", "32", "--epochs", "2", "--batch-size", "32",
                 "--json", "--save", str(tmp_path / "run")])  # fmt: skip
    lines = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert code == 0 and len(lines) == 3
    assert all(list(line)[: len(EPOCH_KEYS)] == list(EPOCH_KEYS) for line in lines[:2])
    assert {"test_accuracy", "epochs_run", "device", "seconds", "parameters"} <= set(lines[-1])
    assert lines[-1]["epochs_run"] == 2 and lines[-1]["parameters"] == _count([32], False)
    assert load_run(tmp_path / "run").config.hidden == (32,)
    assert main(["--data", str(tmp_path / "missing.npz")]) == 1


def test_cli_help_documents_every_flag_and_runs_as_a_module():
    out = subprocess.run([sys.executable, "-m", "core.trainer", "--help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0
    for flag in ("--data", "--preset", "--hidden", "--activation", "--optimizer", "--lr", "--batch-size", "--epochs",
                 "--seed", "--device", "--save", "--json"):  # fmt: skip
        assert flag in out.stdout


REAL = os.environ.get("FASHION_MNIST_NPZ")


@pytest.mark.skipif(not REAL, reason="FASHION_MNIST_NPZ is not set (CI points it at ../shared/data/fashion-mnist-70k.npz)")
def test_lecture_preset_reaches_085_after_two_epochs_on_the_real_data():
    from core.trainer.data import load_fashion_mnist

    config = preset("lecture", epochs=2, val_fraction=0.0)  # the lecture's 75% training part: 52,500 images
    result, splits, evaluation = run_experiment(config, load_fashion_mnist())
    assert len(splits.y_train) == 52_500 and len(splits.y_test) == 17_500
    assert result.status == "completed"
    assert evaluation.accuracy >= 0.85, f"test accuracy {evaluation.accuracy:.4f}"
