"""core.engine.optim vs torch.optim, step for step (torch is the oracle)."""

import numpy as np
import pytest
import torch

from core.engine.optim import OPTIMIZERS, make_optimizer
from core.engine.surfaces import SURFACES


@pytest.fixture(autouse=True)
def torch_float64():
    """torch keeps NAdam's running μ-product in float32 unless the default dtype is float64."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


# (our name, hyper-parameters, torch class, torch kwargs)
CASES = [
    ("sgd", {"lr": 0.1}, torch.optim.SGD, {"lr": 0.1}),
    ("sgd", {"lr": 0.05, "weight_decay": 0.1}, torch.optim.SGD, {"lr": 0.05, "weight_decay": 0.1}),
    ("sgd", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}, torch.optim.SGD, {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}),
    ("momentum", {"lr": 0.05}, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    ("momentum", {"lr": 0.02, "momentum": 0.5, "weight_decay": 0.01}, torch.optim.SGD, {"lr": 0.02, "momentum": 0.5, "weight_decay": 0.01}),
    ("nesterov", {"lr": 0.05}, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("nesterov", {"lr": 0.01, "momentum": 0.7, "weight_decay": 0.1}, torch.optim.SGD, {"lr": 0.01, "momentum": 0.7, "nesterov": True, "weight_decay": 0.1}),
    ("adagrad", {}, torch.optim.Adagrad, {}),
    ("adagrad", {"lr": 0.4, "lr_decay": 0.01, "initial_accumulator_value": 0.1, "weight_decay": 0.05}, torch.optim.Adagrad,
     {"lr": 0.4, "lr_decay": 0.01, "initial_accumulator_value": 0.1, "weight_decay": 0.05}),
    ("rmsprop", {"lr": 0.01}, torch.optim.RMSprop, {"lr": 0.01}),
    ("rmsprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True, "weight_decay": 0.01}, torch.optim.RMSprop,
     {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True, "weight_decay": 0.01}),
    ("adam", {"lr": 0.01}, torch.optim.Adam, {"lr": 0.01}),
    ("adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1, "amsgrad": True}, torch.optim.Adam,
     {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1, "amsgrad": True}),
    ("adamw", {"lr": 0.01}, torch.optim.AdamW, {"lr": 0.01}),
    ("adamw", {"lr": 0.01, "weight_decay": 0.3, "amsgrad": True}, torch.optim.AdamW, {"lr": 0.01, "weight_decay": 0.3, "amsgrad": True}),
    ("adamax", {"lr": 0.01}, torch.optim.Adamax, {"lr": 0.01}),
    ("adamax", {"lr": 0.02, "betas": (0.5, 0.9), "weight_decay": 0.1}, torch.optim.Adamax, {"lr": 0.02, "betas": (0.5, 0.9), "weight_decay": 0.1}),
    ("nadam", {"lr": 0.01}, torch.optim.NAdam, {"lr": 0.01}),
    ("nadam", {"lr": 0.01, "betas": (0.8, 0.95), "momentum_decay": 0.01, "weight_decay": 0.1}, torch.optim.NAdam,
     {"lr": 0.01, "betas": (0.8, 0.95), "momentum_decay": 0.01, "weight_decay": 0.1}),
]


def _ids(case):
    return case[0] + "-" + "-".join(f"{k}={v}" for k, v in case[1].items())


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_trajectory_equals_torch_on_random_gradients(case):
    name, hyper, torch_cls, torch_kw = case
    rng = np.random.default_rng(0)
    params = [rng.normal(size=(3, 4)), rng.normal(size=(4,))]
    t_params = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    ids = [id(p) for p in params]
    opt = make_optimizer(name, params, **hyper)
    t_opt = torch_cls(t_params, **torch_kw)
    for _ in range(25):
        grads = [rng.normal(size=p.shape) for p in params]
        for tp, g in zip(t_params, grads):
            tp.grad = torch.tensor(g)
        t_opt.step()
        opt.step(grads)
        for p, tp in zip(params, t_params):
            np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert [id(p) for p in opt.params] == ids  # updated in place, never rebound


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamax", "nadam", "adamw"])
def test_lr_changed_between_steps_matches_torch(name):
    """A schedule drives .lr; torch's param_group['lr'] is the same knob."""
    torch_map = {
        "sgd": (torch.optim.SGD, {}), "momentum": (torch.optim.SGD, {"momentum": 0.9}),
        "nesterov": (torch.optim.SGD, {"momentum": 0.9, "nesterov": True}), "adagrad": (torch.optim.Adagrad, {}),
        "rmsprop": (torch.optim.RMSprop, {}), "adam": (torch.optim.Adam, {}), "adamax": (torch.optim.Adamax, {}),
        "nadam": (torch.optim.NAdam, {}), "adamw": (torch.optim.AdamW, {}),
    }
    cls, kw = torch_map[name]
    rng = np.random.default_rng(1)
    params = [rng.normal(size=5)]
    tp = torch.tensor(params[0].copy(), requires_grad=True)
    opt, t_opt = make_optimizer(name, params, lr=0.1), cls([tp], lr=0.1, **kw)
    for s in range(20):
        lr = 0.1 * 0.9**s
        opt.lr = lr
        t_opt.param_groups[0]["lr"] = lr
        g = rng.normal(size=5)
        tp.grad = torch.tensor(g)
        t_opt.step()
        opt.step([g])
    np.testing.assert_allclose(params[0], tp.detach().numpy(), rtol=1e-10)


TORCH_ON_SURFACE = {
    "sgd": (torch.optim.SGD, {"lr": 0.01}),
    "momentum": (torch.optim.SGD, {"lr": 0.005, "momentum": 0.9}),
    "nesterov": (torch.optim.SGD, {"lr": 0.005, "momentum": 0.9, "nesterov": True}),
    "adagrad": (torch.optim.Adagrad, {"lr": 0.4}),
    "rmsprop": (torch.optim.RMSprop, {"lr": 0.1}),
    "adam": (torch.optim.Adam, {"lr": 0.2}),
    "adamax": (torch.optim.Adamax, {"lr": 0.2}),
    "nadam": (torch.optim.NAdam, {"lr": 0.1}),
    "adamw": (torch.optim.AdamW, {"lr": 0.1}),
}


@pytest.mark.parametrize("surface", ["beale", "himmelblau"])
@pytest.mark.parametrize("name", list(TORCH_ON_SURFACE))
def test_optimizer_on_surface_equals_torch_autograd(name, surface):
    surf = SURFACES[surface]
    cls, kw = TORCH_ON_SURFACE[name]
    kw = dict(kw, lr=kw["lr"] / 10) if surface == "himmelblau" else kw  # steeper surface
    w = np.array(surf.start, dtype=float)
    opt = make_optimizer(name, [w], **{k: v for k, v in kw.items() if k not in ("momentum", "nesterov")})
    tw = torch.tensor(surf.start, dtype=torch.float64, requires_grad=True)
    t_opt = cls([tw], **kw)
    for _ in range(100):
        t_opt.zero_grad()
        surf.expr(tw[0], tw[1], torch).backward()
        t_opt.step()
        opt.step([np.array(surf.grad(w[0], w[1]))])
    np.testing.assert_allclose(w, tw.detach().numpy(), rtol=1e-8, atol=1e-10)


def test_registry_has_lecture_names_and_formulas():
    for name in ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamax", "nadam", "adamw"]:
        cls = OPTIMIZERS[name]
        assert cls.name == name and cls.latex and cls.torch_note and "lr" in cls.defaults
        assert cls.torch_name.startswith("torch.optim.")
        assert cls.latex.count(r"\begin{") == cls.latex.count(r"\end{")  # KaTeX-ready: balanced environments


def test_velocity_is_lecture_v():
    """For constant η the lecture's v (w ← w + v) is −η·buffer: the last displacement minus the gradient part."""
    w = np.array([1.0, -2.0])
    opt = make_optimizer("momentum", [w], lr=0.1, momentum=0.9)
    assert np.all(opt.velocity[0] == 0)
    v_lecture = np.zeros(2)
    for _ in range(5):
        g = 2 * w  # f = |w|²
        v_lecture = 0.9 * v_lecture - 0.1 * g
        before = w.copy()
        opt.step([g])
        np.testing.assert_allclose(w - before, v_lecture, rtol=1e-12)
        np.testing.assert_allclose(opt.velocity[0], v_lecture, rtol=1e-12)


@pytest.mark.parametrize("name", ["adagrad", "rmsprop", "adam", "adamax", "nadam"])
def test_effective_lr_explains_the_step(name):
    """Adagrad/RMSprop: step = −η_eff·g; Adam-family: step = −η_eff·ĝ (for Adamax/Adam, one step from zero state)."""
    rng = np.random.default_rng(2)
    w = rng.normal(size=3)
    opt = make_optimizer(name, [w], lr=0.1)
    g = rng.normal(size=3)
    before = w.copy()
    opt.step([g])
    eff = opt.effective_lr()[0]
    if name in ("adagrad", "rmsprop"):
        np.testing.assert_allclose(w - before, -eff * g, rtol=1e-10)
    elif name in ("adam", "adamax"):
        np.testing.assert_allclose(w - before, -eff * g, rtol=1e-10)  # after one step ĝ = g
    assert eff.shape == (3,) and np.all(eff > 0)


def test_plain_sgd_effective_lr_is_lr():
    w = np.zeros(4)
    assert np.all(make_optimizer("sgd", [w], lr=0.3).effective_lr()[0] == 0.3)


def test_array_lr_runs_rows_independently():
    """lr may be a column: each row behaves like its own optimizer (used for sweeps)."""
    rng = np.random.default_rng(3)
    lrs = np.array([[0.01], [0.1], [1.0]])
    W = np.tile(rng.normal(size=(1, 2)), (3, 1))
    batch = make_optimizer("adam", [W], lr=lrs)
    singles = [np.array(W[i]) for i in range(3)]
    opts = [make_optimizer("adam", [singles[i]], lr=float(lrs[i, 0])) for i in range(3)]
    for _ in range(10):
        G = rng.normal(size=(3, 2))
        batch.step([G])
        for i in range(3):
            opts[i].step([G[i]])
    np.testing.assert_allclose(W, np.stack(singles), rtol=1e-12)


@pytest.mark.parametrize(
    "name, hyper, match",
    [
        ("adamm", {}, "valid names: sgd, momentum, nesterov"),
        ("sgd", {"lr": -0.1}, "lr"),
        ("adam", {"betas": (0.9, 1.0)}, r"betas\[1\]"),
        ("adam", {"betas": (-0.1, 0.9)}, r"betas\[0\]"),
        ("adamax", {"betas": (0.9,)}, "pair"),
        ("rmsprop", {"alpha": 1.5}, "alpha"),
        ("momentum", {"momentum": -1}, "momentum"),
        ("sgd", {"beta": 0.9}, "valid: lr, momentum"),
        ("adagrad", {"eps": float("nan")}, "eps"),
    ],
)
def test_bad_input_raises_clear_valueerror(name, hyper, match):
    with pytest.raises(ValueError, match=match):
        make_optimizer(name, [np.zeros(2)], **hyper)


def test_bad_params_and_grads_raise_valueerror():
    with pytest.raises(ValueError, match="list of NumPy arrays"):
        make_optimizer("sgd", np.zeros(3))
    opt = make_optimizer("sgd", [np.zeros(3)])
    with pytest.raises(ValueError, match="shape"):
        opt.step([np.zeros(4)])
    with pytest.raises(ValueError, match="1 parameters"):
        opt.step([np.zeros(3), np.zeros(3)])
    with pytest.raises(ValueError, match="nesterov"):
        OPTIMIZERS["sgd"]([np.zeros(2)], lr=0.1, nesterov=True)


# the torch class (and fixed options) of every registry entry, for the parameter-group tests
TORCH_OF = {
    "sgd": (torch.optim.SGD, {}), "momentum": (torch.optim.SGD, {"momentum": 0.9}),
    "nesterov": (torch.optim.SGD, {"momentum": 0.9, "nesterov": True}), "adagrad": (torch.optim.Adagrad, {}),
    "rmsprop": (torch.optim.RMSprop, {}), "adam": (torch.optim.Adam, {}), "adamax": (torch.optim.Adamax, {}),
    "nadam": (torch.optim.NAdam, {}), "adamw": (torch.optim.AdamW, {}),
}


def _network_like_params(rng):
    """[W1, b1, W2, b2] in a network's order, and the groups: decay on the weights, none (and another η) on the biases."""
    W1, b1, W2, b2 = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 2)), rng.normal(size=2)
    params = [W1, b1, W2, b2]
    groups = [{"params": [W1, W2], "weight_decay": 0.1}, {"params": [b1, b2], "weight_decay": 0.0, "lr": 0.005}]
    return params, groups


def test_every_registered_optimizer_has_a_torch_class_for_groups():
    assert set(TORCH_OF) == set(OPTIMIZERS)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_param_groups_equal_torch_param_groups(name):
    """Weight decay on the weights only, the biases without it (and their own η): torch's param groups, step for step."""
    cls, kw = TORCH_OF[name]
    rng = np.random.default_rng(4)
    params, groups = _network_like_params(rng)
    t = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    t_opt = cls([{"params": [t[0], t[2]], "weight_decay": 0.1}, {"params": [t[1], t[3]], "weight_decay": 0.0, "lr": 0.005}],
                lr=0.01, **kw)
    opt = make_optimizer(name, groups, order=params, lr=0.01)
    before = [p.copy() for p in params]
    for s in range(25):
        if s == 15:  # a schedule sets η of every group, as setting each torch group's lr does
            opt.lr = 0.02
            for group in t_opt.param_groups:
                group["lr"] = 0.02
        grads = [rng.normal(size=p.shape) for p in params]
        for tp, g in zip(t, grads):
            tp.grad = torch.tensor(g)
        t_opt.step()
        opt.step(grads)
        for p, tp in zip(params, t):
            np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert opt.weight_decay == [0.1, 0.0] and opt.lr == 0.02
    assert all(not np.allclose(p, q) for p, q in zip(params, before))
    assert [e.shape for e in opt.effective_lr()] == [p.shape for p in params]


@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_decay_on_all_parameters_differs_from_weights_only(name):
    """The groups matter: torch's plain weight_decay also shrinks the biases."""
    rng = np.random.default_rng(5)
    params, groups = _network_like_params(rng)
    groups[1]["lr"] = 0.01
    plain = [p.copy() for p in params]
    grouped = make_optimizer(name, groups, order=params, lr=0.01)
    everything = make_optimizer(name, plain, lr=0.01, weight_decay=0.1)
    for _ in range(5):
        grads = [rng.normal(size=p.shape) for p in params]
        grouped.step(grads)
        everything.step(grads)
    np.testing.assert_allclose(params[0], plain[0], rtol=1e-12)  # W: same decay either way
    assert not np.allclose(params[1], plain[1], rtol=1e-6)  # b: decayed only without groups


@pytest.mark.parametrize(
    "groups, order, match",
    [
        ([{"weight_decay": 0.1}], None, "no 'params'"),
        ([{"params": ["A"], "beta": 0.9}], None, r"unknown option\(s\) \['beta'\] in parameter group 0"),
        ([{"params": ["A", "B"]}, {"params": ["A"]}], None, "exactly one group"),
        ([{"params": ["A"]}, {"params": ["B"]}], ["A"], "exactly one group"),
    ],
)
def test_bad_param_groups_raise_clear_valueerror(groups, order, match):
    arrays = {"A": np.zeros(2), "B": np.zeros(3)}
    groups = [{k: [arrays[n] for n in v] if k == "params" else v for k, v in g.items()} for g in groups]
    with pytest.raises(ValueError, match=match):
        make_optimizer("sgd", groups, order=None if order is None else [arrays[n] for n in order], lr=0.1)
    with pytest.raises(ValueError, match="parameter groups only"):
        make_optimizer("sgd", [np.zeros(2)], order=[np.zeros(2)])
