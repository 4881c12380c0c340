"""Training race: one lane per initializer, everything else shared; the lecture's ranking comes out."""

import math

import numpy as np
import pytest

from core.engine.datasets import make_dataset
from core.lessons.initialization.init_race import LOSS, RaceConfig, run_lane, run_race
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
