"""Each preset's sentence holds for the run it opens (replayed to its step)."""

import numpy as np
import pytest

from core.lessons.playground.features import FEATURES
from core.lessons.playground.presets import PRESETS
from core.lessons.playground.session import PlayRun, replay


def _accuracy(run: PlayRun) -> float:
    P = run.net.forward(run.Phi_test)[:, 0]  # P(class 1)
    return float(np.mean((P >= 0.5) == run.data.y_test))


@pytest.fixture(scope="module")
def runs() -> dict[str, PlayRun]:
    return {name: replay(p.config, p.steps) for name, p in PRESETS.items()}


def test_every_preset_has_one_sentence_and_a_valid_run(runs):
    for name, preset in PRESETS.items():
        assert preset.story.count(". ") == 0 and preset.story.endswith("."), name
        assert runs[name].step == preset.steps or runs[name].diverged


def test_xor_needs_a_hidden_layer_or_the_product_feature(runs):
    assert _accuracy(runs["xor_linear"]) < 0.65  # one straight cut: about chance
    assert _accuracy(runs["xor_product"]) > 0.95
    assert _accuracy(runs["xor_hidden"]) > 0.9


def test_spiral_needs_depth_or_sin_features(runs):
    assert _accuracy(runs["spiral_shallow"]) < 0.75
    assert _accuracy(runs["spiral_deep"]) > 0.9


def test_moons_both_activations_fit(runs):
    assert _accuracy(runs["moons_relu"]) > 0.93 and _accuracy(runs["moons_tanh"]) > 0.93


def test_l1_prunes_the_inputs_a_circle_does_not_need(runs):
    run = runs["l1_prunes"]
    W = run.net.W[0][:, 0]  # one weight per feature, no hidden layer
    weight = dict(zip(run.config.features, np.abs(W)))
    assert set(run.config.features) == set(FEATURES)
    kept = {"x₁²", "x₂²"}
    assert min(weight[f] for f in kept) > 0.2
    assert max(weight[f] for f in set(FEATURES) - kept) < 0.05
    assert _accuracy(run) > 0.95


def test_too_high_a_learning_rate_diverges(runs):
    run = runs["lr_diverges"]
    assert run.diverged and run.step < PRESETS["lr_diverges"].steps
    assert run.history.train[1] > 100 * run.history.train[0]  # the loss explodes from the first epoch on
