"""core.engine.schedules vs torch.optim.lr_scheduler over 300 steps (torch is the oracle)."""

import math

import numpy as np
import pytest
import torch

from core.engine.schedules import SCHEDULES, make_schedule

STEPS = 300


def _torch_lrs(make_sched, base_lr):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = make_sched(opt)
    lrs = []
    for _ in range(STEPS):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(lrs)


CASES = [
    ("constant", 0.05, {}, lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda s: 1.0)),
    ("exponential", 0.1, {"decay_rate": 0.01}, lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=math.exp(-0.01))),
    ("inverse_time", 0.1, {"decay_rate": 0.05}, lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda s: 1 / (1 + 0.05 * s))),
    ("step", 0.1, {"step_size": 30, "gamma": 0.5}, lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=30, gamma=0.5)),
    ("step", 0.2, {"step_size": 7, "gamma": 0.9}, lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.9)),
    ("cyclical", 1e-4, {"max_lr": 0.1, "step_size": 100},
     lambda o: torch.optim.lr_scheduler.CyclicLR(o, base_lr=1e-4, max_lr=0.1, step_size_up=100, cycle_momentum=False)),
    ("cyclical", 0.01, {"max_lr": 0.05, "step_size": 17},
     lambda o: torch.optim.lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.05, step_size_up=17, cycle_momentum=False)),
    ("cosine_restarts", 0.1, {"T_0": 50},
     lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=50)),
    ("cosine_restarts", 0.1, {"T_0": 20, "T_mult": 2, "eta_min": 0.001},
     lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=20, T_mult=2, eta_min=0.001)),
    ("keras_exponential", 0.02, {"decay_rate": 0.96, "decay_steps": 100},
     lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda s: 0.96 ** (s / 100))),
]


@pytest.mark.parametrize("name, base_lr, kw, torch_sched", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_schedule_equals_torch(name, base_lr, kw, torch_sched):
    sched = make_schedule(name, base_lr, **kw)
    ours = np.array([sched(s) for s in range(STEPS)])
    np.testing.assert_allclose(ours, _torch_lrs(torch_sched, base_lr), rtol=1e-9, atol=1e-15)


def test_lecture_keras_decay_formula():
    """The lecture's 'sgd with exponential decay 0.02, x0.96 every 100 steps' = 0.02·0.96^(s/100)."""
    sched = make_schedule("keras_exponential", 0.02, decay_rate=0.96, decay_steps=100)
    assert sched(0) == 0.02
    assert sched(100) == pytest.approx(0.02 * 0.96)
    assert sched(50) == pytest.approx(0.02 * math.sqrt(0.96))
    stair = make_schedule("keras_exponential", 0.02, decay_rate=0.96, decay_steps=100, staircase=True)
    assert stair(99) == 0.02 and stair(100) == pytest.approx(0.0192)
    # the same curve in the e^(-ks) form with k = -ln(0.96)/100
    same = make_schedule("exponential", 0.02, decay_rate=-math.log(0.96) / 100)
    assert all(same(s) == pytest.approx(sched(s), rel=1e-12) for s in range(0, 300, 7))


def test_lecture_formulas_by_hand():
    assert make_schedule("exponential", 1.0, decay_rate=0.1)(10) == pytest.approx(math.exp(-1))
    assert make_schedule("inverse_time", 1.0, decay_rate=0.5)(2) == pytest.approx(0.5)
    cyc = make_schedule("cyclical", 0.0, max_lr=1.0, step_size=10)
    assert [cyc(s) for s in (0, 5, 10, 15, 20, 30)] == pytest.approx([0, 0.5, 1, 0.5, 0, 1])


def test_registry_entries_carry_latex_and_defaults():
    assert set(SCHEDULES) >= {"constant", "exponential", "inverse_time", "step", "cyclical", "cosine_restarts"}
    for name, s in SCHEDULES.items():
        assert s.latex and s.name == name
        assert make_schedule(name, 0.1)(0) > 0  # defaults alone are usable


@pytest.mark.parametrize(
    "name, base_lr, kw, match",
    [
        ("linear", 0.1, {}, "valid names: constant, exponential"),
        ("constant", -0.1, {}, "base_lr"),
        ("step", 0.1, {"step_size": 0}, "step_size"),
        ("step", 0.1, {"gamma": -1}, "gamma"),
        ("cyclical", 0.1, {"step_size": 2.5}, "step_size"),
        ("exponential", 0.1, {"k": 0.1}, "valid: decay_rate"),
        ("constant", 0.1, {"decay_rate": 0.1}, "valid: none"),
        ("keras_exponential", 0.1, {"decay_rate": 0.0}, "decay_rate"),
    ],
)
def test_bad_input_raises_clear_valueerror(name, base_lr, kw, match):
    with pytest.raises(ValueError, match=match):
        make_schedule(name, base_lr, **kw)
