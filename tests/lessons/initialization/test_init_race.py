"""Training race: one lane per initializer, everything else shared; the lecture's ranking comes out."""

import math
from dataclasses import replace

import numpy as np
import pytest

from core.engine.datasets import make_dataset
from core.lessons.initialization.init_race import LOSS, RaceConfig, run_lane, run_lane_at, run_race
from core.engine.network import MLP

CONFIG = RaceConfig(steps=100)  # relu, 6 × 32, full-batch SGD η = 0.1 on circles


@pytest.fixture(scope="module")
def lanes():
    return {lane.init: lane for lane in run_race(CONFIG)}


def test_one_lane_per_initializer_in_order(lanes):
    assert list(lanes) == list(CONFIG.inits)
    assert all(len(l.losses) <= CONFIG.steps for l in lanes.values())


def test_every_lane_starts_from_the_registry_network_on_the_same_data():
    X, y = make_dataset(CONFIG.dataset, n=CONFIG.n, noise=CONFIG.noise, seed=CONFIG.seed)
    sizes = [2] + [CONFIG.width] * CONFIG.depth + [2]
    for init in ("he_normal", "glorot_uniform"):
        lane = run_lane(RaceConfig(inits=(init,), steps=3), init, X, y)
        net = MLP(sizes, activation=CONFIG.activation, output="softmax", init=init, seed=CONFIG.seed)
        first, _ = net.loss_and_grads(X, y, LOSS)
        assert lane.losses[0] == pytest.approx(first, rel=1e-12)


def test_a_lane_is_reproducible():
    twice = run_race(RaceConfig(inits=("he_uniform", "he_uniform"), steps=20))
    assert len(twice) == 1
    a, b = twice[0], run_race(RaceConfig(inits=("he_uniform",), steps=20))[0]
    assert np.array_equal(a.losses, b.losses)  # duplicates collapse to one lane, runs repeat exactly


def test_zeros_and_tiny_weights_stay_at_the_coin_flip_loss(lanes):
    for init in ("zeros", "normal_small"):
        assert lanes[init].final_loss == pytest.approx(math.log(2), abs=1e-3)
        assert np.ptp(lanes[init].losses) < 1e-3


def test_huge_weights_make_sgd_diverge(lanes):
    lane = lanes["normal_large"]
    assert lane.status.startswith("diverged")
    assert math.isnan(lane.final_loss) and lane.losses[0] > 10


def test_he_wins_under_relu(lanes):
    he, glorot = lanes["he_normal"].final_loss, lanes["glorot_normal"].final_loss
    assert he < 0.1 < glorot < math.log(2)
    assert lanes["he_normal"].accuracy >= 0.95


@pytest.mark.parametrize("bad", [{"inits": ()}, {"inits": ("he",)}, {"optimizer": "newton"},
                                 {"activation": "step"}, {"depth": 0}])
def test_bad_config_names_the_valid_choices(bad):
    with pytest.raises(ValueError):
        RaceConfig(**bad)


@pytest.mark.parametrize("init, activation, optimizer, lr", [
    ("normal_large", "relu", "sgd", 0.1),  # diverges at step 4: between the cuts
    ("he_normal", "relu", "sgd", 0.1),
    ("glorot_normal", "tanh", "adam", 0.01),
    ("he_uniform", "silu", "momentum", 1.0),
    ("zeros", "gelu", "rmsprop", 0.003),
])
def test_a_lane_cut_after_s_steps_is_the_lane_trained_for_s_steps(init, activation, optimizer, lr):
    config = RaceConfig(inits=(init,), activation=activation, optimizer=optimizer, lr=lr, steps=40, depth=6)
    X, y = make_dataset(config.dataset, n=config.n, noise=config.noise, seed=config.seed)
    cuts = run_lane_at(config, init, X, y, [40, 3, 1, 4, 5, 17])
    assert list(cuts) == [1, 3, 4, 5, 17, 40]
    for s, cut in cuts.items():
        alone = run_lane(replace(config, steps=s), init, X, y)
        assert np.array_equal(cut.losses, alone.losses), s
        assert cut.status == alone.status, s
        np.testing.assert_equal([cut.final_loss, cut.accuracy], [alone.final_loss, alone.accuracy])  # nan == nan
    if init == "normal_large":
        assert cuts[3].status == "completed" and cuts[5].status == "diverged at step 4"
