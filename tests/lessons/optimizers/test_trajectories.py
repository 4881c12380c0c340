"""Optimizer races on 2-D surfaces: vectorised runs equal plain loops in both precisions, divergence, sweeps,
the inside of one step, and the MLP race (the lecture's race vs torch: test_lecture_race.py)."""

import math

import numpy as np
import pytest

from core.lessons.optimizers.mlp_race import MLPTask, train_race
from core.engine.optim import make_optimizer
from core.lessons.optimizers.presets import PRESETS, SLOTS
from core.engine.schedules import make_schedule
from core.lessons.optimizers.step_anatomy import anatomy
from core.engine.surfaces import SURFACES, get_surface
from core.lessons.optimizers.sweeps import log_lr_grid, lr_sweep, sweep, sweep_summary
from core.lessons.optimizers.trajectories import PRECISIONS, RunSpec, escape_box, race

BEALE = SURFACES["beale"]
LECTURE = PRESETS["lecture"].specs()


def _by_hand(surface, spec, start, steps, precision="float32"):
    """One run with a plain loop over core.engine.optim in ``precision``: points (steps+1, 2)."""
    w = np.array(start, dtype=PRECISIONS[precision])
    hyper = dict(spec.hyper)
    opt = make_optimizer(spec.optimizer, [w], **hyper)
    sched = make_schedule(spec.schedule, spec.lr, **dict(spec.schedule_kw))
    out = [w.copy()]
    for s in range(steps):
        opt.lr = w.dtype.type(sched(s))  # η in the race's precision, as the race hands it to its optimizers
        opt.step([np.array(surface.grad(w[0], w[1]))])
        out.append(w.copy())
    return np.array(out)


@pytest.mark.parametrize("precision", list(PRECISIONS))
@pytest.mark.parametrize("surface", ["beale", "rosenbrock", "quadratic"])
def test_race_equals_running_each_optimizer_by_hand(surface, precision):
    surf = SURFACES[surface]
    specs = LECTURE + [SLOTS[n].spec() for n in ("adamax", "nadam", "adamw")]
    if surface == "rosenbrock":  # gentler rates: this valley is steep
        specs = [RunSpec(s.name, s.optimizer, tuple((k, v / 20 if k == "lr" else v) for k, v in s.hyper),
                         s.schedule, s.schedule_kw) for s in specs if s.schedule == "constant"]
    trajs = race(surf, specs, surf.start, 60, precision)
    for spec, t in zip(specs, trajs):
        expected = _by_hand(surf, spec, surf.start, 60, precision)
        assert expected.dtype == PRECISIONS[precision]  # the loop kept the precision end to end
        k = len(expected) if t.diverged_at is None else t.diverged_at
        np.testing.assert_array_equal(t.points[:k], expected[:k], err_msg=spec.name)  # same operations, same bits


def test_grouped_runs_do_not_interact():
    """sgd, sgd_decay and sgd_cyclic share one optimizer instance (different η columns)."""
    alone = race(BEALE, [LECTURE[1]], BEALE.start, 100)[0]
    together = race(BEALE, LECTURE, BEALE.start, 100)[1]
    np.testing.assert_array_equal(alone.points, together.points)
    np.testing.assert_array_equal(alone.lrs, together.lrs)


def test_learning_rates_follow_the_schedule():
    t = race(BEALE, [LECTURE[-1]], BEALE.start, 200)[0]  # cyclical, 1e-4 → 0.1 → 1e-4
    assert t.lrs[0] == pytest.approx(1e-4) and t.lrs[100] == pytest.approx(0.1)
    assert t.lrs[50] == pytest.approx(1e-4 + (0.1 - 1e-4) / 2)


def test_divergence_stops_the_run_and_is_marked():
    specs = [RunSpec.make("calm", "sgd", lr=0.01), RunSpec.make("wild", "sgd", lr=0.05)]
    calm, wild = race(BEALE, specs, BEALE.start, 100)
    assert calm.diverged_at is None and calm.legend == "calm"
    k = wild.diverged_at
    assert k is not None and wild.legend == f"wild (diverged at step {k})"
    assert np.all(np.isnan(wild.points[k + 1:])) and np.all(np.isnan(wild.loss[k + 1:]))
    assert np.all(np.isfinite(wild.points[:k]))
    # step k is the first point outside the escape box (or not finite); the one before is inside
    (x0, x1), (y0, y1) = escape_box(BEALE)
    before = wild.points[k - 1]
    assert x0 <= before[0] <= x1 and y0 <= before[1] <= y1
    raw = _by_hand(BEALE, specs[1], BEALE.start, k)
    last = raw[k]
    assert not (np.all(np.isfinite(last)) and x0 <= last[0] <= x1 and y0 <= last[1] <= y1)
    assert math.isnan(wild.final_loss)


def test_overflow_to_nan_counts_as_divergence():
    t = race(BEALE, [RunSpec.make("boom", "sgd", lr=10.0)], BEALE.start, 50)[0]
    assert t.diverged_at is not None and t.diverged_at <= 3


@pytest.mark.parametrize("precision", list(PRECISIONS))
def test_sweep_equals_separate_races(precision):
    spec = SLOTS["momentum"].spec()
    lrs = [1e-3, 5e-3, 2e-2]
    final, diverged = lr_sweep(BEALE, spec, BEALE.start, 80, lrs, precision)
    for eta, f, d in zip(lrs, final, diverged):
        t = race(BEALE, [RunSpec.make("m", "momentum", lr=eta, momentum=0.9)], BEALE.start, 80, precision)[0]
        assert d == (t.diverged_at is not None)
        if not d:
            assert f == pytest.approx(t.final_loss, rel=1e-12)
        else:
            assert math.isnan(f)
    assert not diverged[0] and diverged[2]


def test_sweep_scales_the_schedule_and_batches_several_optimizers():
    specs = [SLOTS["sgd_decay"].spec(), SLOTS["adam"].spec()]
    lrs = log_lr_grid(1e-3, 1.0, 7)
    final, diverged = sweep(BEALE, specs, BEALE.start, 60, lrs)
    assert final.shape == diverged.shape == (2, 7)
    eta = lrs[2]
    scaled = RunSpec.make("d", "sgd", "keras_exponential", {"decay_rate": 0.96, "decay_steps": 100}, lr=eta)
    t = race(BEALE, [scaled], BEALE.start, 60)[0]
    assert final[0, 2] == pytest.approx(t.final_loss, rel=1e-12)
    s = sweep_summary(lrs, final[0], diverged[0])
    assert s["best_loss"] == pytest.approx(np.nanmin(final[0]))
    assert s["first_diverging_lr"] == pytest.approx(lrs[diverged[0]].min())


def test_log_lr_grid():
    g = log_lr_grid(1e-4, 1.0, 5)
    np.testing.assert_allclose(g, [1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    with pytest.raises(ValueError):
        log_lr_grid(1.0, 0.1)


def _roundoff(precision, *points):
    """Absolute size of a few round-offs of the given coordinates in ``precision``."""
    return 8 * np.finfo(PRECISIONS[precision]).eps * max(1.0, *(float(np.abs(p).max()) for p in points))


@pytest.mark.parametrize("precision", list(PRECISIONS))
def test_momentum_arrows_add_up(precision):
    an = anatomy(BEALE, SLOTS["momentum"].spec(), BEALE.start, 50, precision)
    assert an.precision == precision and an.lrs[0] == PRECISIONS[precision].type(0.005)  # η as applied
    for k in (0, 1, 17, 49):
        arrows = {what: (tail, head) for what, tail, head in an.arrows(k)}
        mom = arrows["momentum step γv"][1] - arrows["momentum step γv"][0]
        grad = arrows["gradient step −η∇L(w)"][1] - arrows["gradient step −η∇L(w)"][0]
        actual = arrows["actual step"][1] - arrows["actual step"][0]
        np.testing.assert_allclose(mom + grad, actual, rtol=0, atol=_roundoff(precision, an.points[k]))
        w = an.points[k].astype(PRECISIONS[precision])  # exact: the run's own point
        np.testing.assert_allclose(grad, -an.lrs[k] * np.array(BEALE.grad(*w), dtype=float), rtol=1e-12)
    assert "previous step" not in dict((a[0], 0) for a in an.arrows(0))


@pytest.mark.parametrize("precision", list(PRECISIONS))
def test_nesterov_arrows_follow_the_lecture_and_torch(precision):
    an = anatomy(BEALE, SLOTS["nesterov"].spec(), BEALE.start, 40, precision)
    eta, gamma = an.lrs[0], 0.9
    for k in (1, 12, 39):
        a = {what: (tail, head) for what, tail, head in an.arrows(k)}
        w = an.points[k]
        tol = _roundoff(precision, w)
        w_lec, lookahead = a["momentum step γv"]
        np.testing.assert_allclose(lookahead, w)  # torch's point is the lecture's look-ahead point
        v_prev = (lookahead - w_lec) / gamma
        g = np.array(BEALE.grad(*w))  # gradient at the look-ahead point
        np.testing.assert_allclose(a["lecture's step v = γv − η∇L(w+γv)"][1] - w_lec, gamma * v_prev - eta * g,
                                   rtol=1e-9 if precision == "float64" else 1e-5, atol=tol)
        v_new = gamma * v_prev - eta * g
        np.testing.assert_allclose(an.points[k + 1], w_lec + v_new + gamma * v_new, rtol=0, atol=tol)  # next look-ahead
        np.testing.assert_allclose(a["actual step (torch)"][1], an.points[k + 1], rtol=1e-12)


@pytest.mark.parametrize("precision", list(PRECISIONS))
def test_effective_learning_rates_of_adaptive_runs(precision):
    an = anatomy(BEALE, SLOTS["rmsprop"].spec(), BEALE.start, 30, precision)
    dtype = PRECISIONS[precision]
    w = np.array(BEALE.start, dtype=dtype)
    opt = make_optimizer("rmsprop", [w], lr=dtype.type(0.1))
    for k in range(30):
        g = np.array(BEALE.grad(*w))
        before = w.copy()
        opt.step([g])
        assert opt.effective_lr()[0].dtype == dtype
        np.testing.assert_array_equal(an.eff_lr[k], opt.effective_lr()[0])
        np.testing.assert_array_equal(an.points[k + 1], w)
        np.testing.assert_allclose(w - before, -an.eff_lr[k] * g, rtol=0, atol=_roundoff(precision, w))
    arrows = dict((what, head - tail) for what, tail, head in an.arrows(5))
    direction = arrows["steepest descent −∇L (scaled to the step)"]
    assert np.hypot(*direction) == pytest.approx(np.hypot(*arrows["actual step"]))
    assert an.buffers is None and an.eff_lr.shape == (30, 2)


def test_mlp_race_trains_and_matches_a_plain_loop():
    task = MLPTask(steps=60)
    curves = train_race(LECTURE, task)
    for c in curves:
        assert c.diverged_at is None and c.loss[-1] < c.loss[0], c.name
    from core.engine.datasets import make_dataset
    from core.engine.network import MLP

    X, y = make_dataset("moons", n=task.n, noise=task.noise, seed=task.seed)
    net = MLP([2, 16, 16, 1], activation="tanh", output="sigmoid", init="glorot_normal", seed=0)
    opt = make_optimizer("adam", net.params, lr=0.2, betas=(0.9, 0.999), eps=1e-8)
    losses = []
    for _ in range(60):
        value, grads = net.loss_and_grads(X, y, "binary_crossentropy")
        losses.append(value)
        opt.step(grads)
    adam = next(c for c in curves if c.name == "adam")
    np.testing.assert_allclose(adam.loss[:60], losses, rtol=1e-12)


def test_mlp_race_marks_divergence():
    c = train_race([RunSpec.make("wild", "sgd", lr=1e6)], MLPTask(steps=30))[0]
    assert c.diverged_at is not None and np.isnan(c.loss[-1]) and np.isnan(c.accuracy)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"steps": 0}, "steps"),
        ({"steps": 1001}, "steps"),
        ({"start": (0.0, float("nan"))}, "start"),
        ({"specs": [RunSpec.make("x", "adamm")]}, "valid names"),
        ({"specs": [RunSpec.make("x", "sgd", lr=-1.0)]}, "lr"),
        ({"specs": [RunSpec.make("x", "sgd", "cyclical", {"step_size": 0}, lr=0.1)]}, "step_size"),
    ],
)
def test_bad_input_raises_clear_valueerror(kwargs, match):
    args = {"surface": BEALE, "specs": LECTURE[:1], "start": BEALE.start, "steps": 10, **kwargs}
    with pytest.raises(ValueError, match=match):
        race(**args)


def test_first_reach_is_the_first_step_within_tol_of_the_minimum_and_ignores_nan():
    from core.lessons.optimizers.trajectories import first_reach
    surface = SURFACES["beale"]
    f_star = surface.min_value
    loss = np.array([1.0, 0.1, f_star + 5e-4, f_star + 1e-5, np.nan])
    assert first_reach(surface, loss, 1e-3) == 2
    assert first_reach(surface, loss, 1e-6) is None
    assert first_reach(surface, np.array([np.nan, np.nan]), 1e-3) is None


@pytest.mark.parametrize("preset", sorted(PRESETS))
@pytest.mark.parametrize("steps", [1, 37, 100, 183])
def test_the_first_steps_of_a_longer_race_are_the_shorter_race(preset, steps):
    """What lets the zoo run a race once to a longer horizon and cut it for every Steps value below: cut or run, the
    paths, losses, learning rates and divergence marks are the same, value for value (diverging presets included)."""
    p = PRESETS[preset]
    surface = get_surface(p.surface, p.condition if p.surface == "quadratic" else None)
    long = race(surface, p.specs(), p.start, 250, p.precision)
    short = race(surface, p.specs(), p.start, steps, p.precision)
    for cut, ran in zip((t.first(steps) for t in long), short):
        np.testing.assert_array_equal(cut.points, ran.points)
        np.testing.assert_array_equal(cut.loss, ran.loss)
        np.testing.assert_array_equal(cut.lrs, ran.lrs)
        assert (cut.diverged_at, cut.legend, cut.final_loss == cut.final_loss) == (ran.diverged_at, ran.legend,
                                                                                 ran.final_loss == ran.final_loss)
    assert any(t.diverged_at is not None for t in race(BEALE, LECTURE, PRESETS["lecture"].start, 250, "float32"))


@pytest.mark.parametrize("preset", sorted(PRESETS))
@pytest.mark.parametrize("steps", [1, 37, 183])
def test_the_first_steps_of_a_longer_anatomy_are_the_shorter_anatomy(preset, steps):
    """Inside one step, too, is cut from a run to the horizon: grads, buffers, effective rates, η and the divergence
    mark are the same, value for value, as a run of ``steps`` steps."""
    from dataclasses import fields

    from core.lessons.optimizers.step_anatomy import anatomy
    p = PRESETS[preset]
    surface = get_surface(p.surface, p.condition if p.surface == "quadratic" else None)
    for spec in p.specs():
        cut = anatomy(surface, spec, p.start, 250, p.precision).first(steps)
        ran = anatomy(surface, spec, p.start, steps, p.precision)
        for f in fields(ran):
            a, b = getattr(cut, f.name), getattr(ran, f.name)
            if isinstance(b, np.ndarray) or isinstance(a, np.ndarray):
                np.testing.assert_array_equal(a, b, err_msg=f"{preset} {spec.name} {f.name}")
            else:
                assert a == b, (preset, spec.name, f.name)


def test_a_run_cannot_be_cut_longer_than_it_ran():
    with pytest.raises(ValueError, match="has 10 steps"):
        race(BEALE, LECTURE, PRESETS["lecture"].start, 10)[0].first(11)
