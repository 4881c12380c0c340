"""The lecture's race (Beale, (0.8, 1.6), eight optimizers) against torch.optim in float32 and float64, the
numbers its notes quote, and the stories the other presets tell."""

import numpy as np
import pytest
import torch

from core.lessons.optimizers.presets import LECTURE_SLOTS, PRESETS, SLOTS
from core.engine.surfaces import SURFACES, get_surface
from core.lessons.optimizers.sweeps import lr_sweep
from core.lessons.optimizers.trajectories import PRECISIONS, first_divergence, race

BEALE = SURFACES["beale"]
LECTURE = PRESETS["lecture"].specs()


TORCH_RUNS = {  # the lecture's eight, written with torch.optim and torch's schedulers
    "sgd": (torch.optim.SGD, {"lr": 0.01}, None),
    "sgd_decay": (torch.optim.SGD, {"lr": 0.02}, lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda s: 0.96 ** (s / 100))),
    "momentum": (torch.optim.SGD, {"lr": 0.005, "momentum": 0.9}, None),
    "nesterov": (torch.optim.SGD, {"lr": 0.005, "momentum": 0.9, "nesterov": True}, None),
    "adagrad": (torch.optim.Adagrad, {"lr": 0.4}, None),
    "rmsprop": (torch.optim.RMSprop, {"lr": 0.1}, None),
    "adam": (torch.optim.Adam, {"lr": 0.2, "betas": (0.9, 0.999), "eps": 1e-8}, None),
    "sgd_cyclic": (torch.optim.SGD, {"lr": 1e-4}, lambda o: torch.optim.lr_scheduler.CyclicLR(
        o, base_lr=1e-4, max_lr=0.1, step_size_up=100, cycle_momentum=False)),
}
TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}


def _torch_path(name, precision, steps):
    """Points (steps+1, 2) of one lecture contestant run by torch.optim with autograd on Beale."""
    cls, kw, make_sched = TORCH_RUNS[name]
    w = torch.tensor(BEALE.start, dtype=TORCH_DTYPES[precision], requires_grad=True)
    opt = cls([w], **kw)
    sched = make_sched(opt) if make_sched else None
    out = [w.detach().numpy().astype(float)]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            opt.zero_grad()
            BEALE.expr(w[0], w[1], torch).backward()
            opt.step()
            if sched:
                sched.step()
            out.append(w.detach().numpy().astype(float))
    return np.array(out)


@pytest.mark.parametrize("precision", list(PRECISIONS))
def test_lecture_race_matches_torch_in_the_same_precision(precision):
    """Every contestant follows torch's path step for step (float32 is torch's default dtype); where the cyclical
    rate passes 2/λ_max, round-off is amplified, so there the paths part, and both blow up within a few steps."""
    steps = 150
    ours = race(BEALE, LECTURE, BEALE.start, steps, precision)
    for t in ours:
        theirs = _torch_path(t.name, precision, steps)
        k_torch = int(first_divergence(BEALE, theirs[:, None, :])[0])
        if t.name == "sgd_cyclic":
            assert t.diverged_at is not None and abs(t.diverged_at - k_torch) <= 3, (t.diverged_at, k_torch)
            horizon = 60  # η_60 ≈ 0.06: beyond 2/λ_max, but the round-off has not grown yet
        else:
            assert t.diverged_at is None and k_torch < 0, t.name
            horizon = steps
        scale = np.maximum(np.abs(theirs[:horizon + 1]), 1.0)
        err = np.abs(t.points[:horizon + 1] - theirs[:horizon + 1]) / scale
        assert err.max() < 1e3 * np.finfo(PRECISIONS[precision]).eps, (t.name, err.max())


def test_lecture_preset_reproduces_the_lectures_race():
    """After 100 steps from (0.8, 1.6), in float32 like torch: SGD creeps (≈ 0.1), momentum/Nesterov/Adam/RMSprop
    are close (0.004–0.03), Adagrad lags (≈ 0.2), and the cyclical run blows up around step 90, as its rate nears 0.1."""
    preset = PRESETS["lecture"]
    assert (preset.surface, preset.start, preset.steps, preset.slots) == ("beale", (0.8, 1.6), 100, LECTURE_SLOTS)
    assert preset.precision == "float32"
    final = {t.name: t for t in race(BEALE, preset.specs(), preset.start, preset.steps, preset.precision)}
    assert 0.07 < final["sgd"].final_loss < 0.13
    for name in ("momentum", "nesterov", "adam", "rmsprop"):
        assert 0.004 <= final[name].final_loss <= 0.03, name
    assert 0.15 < final["adagrad"].final_loss < 0.3
    cyclic = final.pop("sgd_cyclic")
    assert all(t.diverged_at is None for t in final.values())
    k = cyclic.diverged_at
    assert k is not None and 85 <= k <= 97 and cyclic.legend == f"sgd_cyclic (diverged at step {k})"
    assert 2 / 49 < cyclic.lrs[k - 1] < 0.1  # past the stability limit 2/λ_max, before the peak
    assert cyclic.loss[80] < 0.01  # it had nearly reached the minimum before blowing up


def test_the_lecture_notes_stability_limit():
    """The note's numbers: Beale's Hessian at the minimum has λ_max ≈ 49, so plain SGD is stable for η < 2/λ_max ≈ 0.041."""
    w = torch.tensor(BEALE.minima[0], dtype=torch.float64)
    hess = torch.autograd.functional.hessian(lambda v: BEALE.expr(v[0], v[1], torch), w)
    lam_max = float(torch.linalg.eigvalsh(hess)[-1])
    assert round(lam_max) == 49 and round(2 / lam_max, 3) == 0.041
    note = PRESETS["lecture"].note
    assert r"\lambda_{\max} \approx 49" in note and r"2/\lambda_{\max} \approx 0.041" in note
    assert "around step 90" in note and "until step 110" in note


def test_in_float64_the_cyclical_run_survives_the_lecture_race():
    """Same race, 16 digits: the amplified round-off starts ~10⁹ times smaller, so it needs ~20 more steps."""
    preset = PRESETS["lecture"]
    f32 = {t.name: t for t in race(BEALE, preset.specs(), preset.start, 150, "float32")}
    f64 = {t.name: t for t in race(BEALE, preset.specs(), preset.start, 150, "float64")}
    for name in set(f32) - {"sgd_cyclic"}:
        assert f64[name].loss[100] == pytest.approx(f32[name].loss[100], rel=1e-4), name
    assert 0.001 < f64["sgd_cyclic"].loss[100] < 0.002
    assert 105 <= f64["sgd_cyclic"].diverged_at <= 115
    assert f64["sgd_cyclic"].diverged_at - f32["sgd_cyclic"].diverged_at >= 10


def test_unknown_precision_is_a_clear_error():
    with pytest.raises(ValueError, match="float32"):
        race(BEALE, LECTURE[:1], BEALE.start, 10, "float16")


def test_other_presets_tell_their_story():
    def run(key):
        p = PRESETS[key]
        return {t.name: t for t in race(get_surface(p.surface, p.condition), p.specs(), p.start, p.steps)}

    valley = run("valley")
    assert valley["nesterov"].final_loss < valley["momentum"].final_loss < valley["sgd"].final_loss
    assert np.nanmax(valley["momentum"].points[:, 0]) > 1.1 > np.nanmax(valley["nesterov"].points[:, 0])  # overshoot
    ups = {n: int(np.sum(np.diff(valley[n].loss) > 0)) for n in ("momentum", "nesterov", "sgd")}
    assert ups["momentum"] > 2 * ups["nesterov"] and ups["sgd"] == 0  # swinging back and forth vs braking
    bowl = run("bowl")
    assert all(bowl[n].final_loss < bowl["sgd"].final_loss for n in ("adagrad", "rmsprop"))
    saddle = run("saddle")
    assert saddle["sgd"].final_loss > 0.2  # still near the saddle value 1/4
    assert saddle["momentum"].final_loss < 0.01 and saddle["adam"].final_loss < 0.01
    leaves = {n: int(np.argmax(np.abs(t.points[:, 1]) > 0.1)) for n, t in saddle.items()}  # first step off the ridge
    assert max(leaves[n] for n in ("adagrad", "rmsprop", "adam")) <= 5
    assert 5 < leaves["momentum"] < 50 and 5 < leaves["nesterov"] < 50 and leaves["sgd"] > 80
    high = run("too_high")
    assert high["sgd"].diverged_at is not None and high["momentum"].diverged_at is not None
    assert high["sgd_cyclic"].diverged_at is not None and high["adam"].diverged_at is None
    assert 85 <= high["sgd_cyclic"].diverged_at <= 97
    leap = high["rmsprop"].points[1] - high["rmsprop"].points[0]
    np.testing.assert_allclose(np.abs(leap), 10 * 0.5, rtol=1e-5)  # √m₁ = 0.1|g₁|: a step of 10η per coordinate
    assert high["rmsprop"].diverged_at is None and high["rmsprop"].final_loss > 1  # crawling after the leap


def test_sweep_in_float32_finds_the_cyclical_blow_up():
    """The lecture's cyclical run as a sweep point: at η₀ = 1e-4 it diverges within 100 steps in float32 only."""
    spec = SLOTS["sgd_cyclic"].spec()
    _, div32 = lr_sweep(BEALE, spec, BEALE.start, 100, [1e-4], "float32")
    _, div64 = lr_sweep(BEALE, spec, BEALE.start, 100, [1e-4], "float64")
    assert div32[0] and not div64[0]


def test_presets_recognise_their_own_race():
    lecture = PRESETS["lecture"]
    assert lecture.matches("beale", 10.0, (0.8, 1.6), 100, lecture.specs())
    spelled_out = [SLOTS["adagrad"].spec(eps=1e-10, lr_decay=0.0) if s.name == "adagrad" else s for s in lecture.specs()]
    assert lecture.matches("beale", 3.0, (0.8, 1.6), 100, spelled_out)  # torch defaults written out: same race
    changed = [SLOTS["adam"].spec(lr=0.1) if s.name == "adam" else s for s in lecture.specs()]
    assert not lecture.matches("beale", 10.0, (0.8, 1.6), 100, changed)
    assert not lecture.matches("beale", 10.0, (0.8, 1.5), 100, lecture.specs())
    assert not lecture.matches("beale", 10.0, (0.8, 1.6), 101, lecture.specs())
    bowl = PRESETS["bowl"]
    assert bowl.matches("quadratic", 50.0, bowl.start, bowl.steps, bowl.specs())
    assert not bowl.matches("quadratic", 20.0, bowl.start, bowl.steps, bowl.specs())


