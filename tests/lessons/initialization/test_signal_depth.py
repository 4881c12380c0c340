"""Signal through depth: per-layer summaries and the known answers of initialization theory.

The statistic the page shows is the standard deviation over all batch × unit values of a layer
(activations a^(l) and gradients ∂L/∂a^(l)); the RMS √mean(a²) is what He's derivation keeps
constant under ReLU, and both are checked.
"""

import math

import numpy as np
import pytest

from core.engine.probes import probe_depth
from core.lessons.initialization.signal_depth import (
    N_CLASSES,
    QUANTILES,
    LayerSummary,
    SignalConfig,
    SignalReport,
    WeightStream,
    hidden_weights,
    signal_through_depth,
    spread,
    standard_normal_batch,
    summarize_layers,
)


def _run(**kw) -> SignalReport:
    return signal_through_depth(SignalConfig(**{"depth": 20, "width": 256, "batch": 128, **kw}))


# --- summaries --------------------------------------------------------------------------------------
def test_summary_known_values():
    V = np.array([[3.0, -3.0], [3.0, -3.0]])
    s = summarize_layers([V, 2 * V + 1])
    np.testing.assert_allclose(s.std, [3.0, 6.0])
    np.testing.assert_allclose(s.mean, [0.0, 1.0])
    np.testing.assert_allclose(s.rms, [3.0, math.sqrt(37.0)])
    np.testing.assert_allclose(s.quantiles[0], np.quantile(V, QUANTILES))
    assert s.n_layers == 2


def test_summary_matches_numpy_and_probe_depth():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((64, 32)), rng.integers(0, 3, 64)
    probe = probe_depth(X, y, depth=4, width=32, activation="tanh", init="glorot_normal", n_outputs=3,
                        output="softmax", loss="crossentropy", seed=2)
    s = summarize_layers(probe.activations)
    np.testing.assert_allclose(s.std, probe.activation_std, rtol=1e-12)
    for l, A in enumerate(probe.activations):
        np.testing.assert_allclose(s.quantiles[l], np.quantile(A, QUANTILES), rtol=1e-12)
        assert s.rms[l] == pytest.approx(np.sqrt(np.mean(A**2)), rel=1e-12)


def test_quantiles_come_from_whole_leading_rows_when_the_layer_is_large():
    V = np.vstack([np.zeros((4, 10)), np.full((4, 10), 7.0)])  # (8, 10): first 4 rows 0, last 4 rows 7
    s = summarize_layers([V], max_values=40)  # 40 values = the first 4 rows
    np.testing.assert_allclose(s.quantiles[0], 0.0)
    assert s.std[0] == pytest.approx(3.5)  # std and RMS still use every value
    assert s.rms[0] == pytest.approx(math.sqrt(24.5))


def test_non_finite_layer_becomes_nan_and_is_reported_as_overflow():
    V = np.ones((3, 2))
    bad = V.copy()
    bad[0, 0] = np.inf
    s = summarize_layers([V, bad])
    assert np.isfinite(s.std[0]) and np.isnan(s.std[1]) and np.all(np.isnan(s.quantiles[1]))
    report = SignalReport(SignalConfig(depth=2), 0.1, s, summarize_layers([V, V]), np.zeros(2), 1.0)
    assert report.first_overflow == 2
    assert SignalReport(SignalConfig(depth=2), 0.1, summarize_layers([V, V]), summarize_layers([V, V]),
                        np.zeros(2), 1.0).first_overflow is None


@pytest.mark.parametrize("values, expected", [([1.0, 2.0, 0.5], 4.0), ([3.0], 1.0), ([1.0, 0.0], math.inf),
                                              ([1.0, np.nan], math.inf)])
def test_spread(values, expected):
    assert spread(np.array(values)) == expected


@pytest.mark.parametrize("bad", [{"activation": "softmax"}, {"init": "xavier"}, {"depth": 0}, {"depth": 31},
                                 {"width": 4096}, {"batch": 1}, {"depth": 2.5}])
def test_config_rejects_bad_values_naming_the_choices(bad):
    with pytest.raises(ValueError) as err:
        SignalConfig(**bad)
    key = next(iter(bad))
    assert key in str(err.value) or "valid" in str(err.value)


# --- known answers ------------------------------------------------------------------------------------
@pytest.mark.parametrize("init", ["he_normal", "he_uniform"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_he_relu_keeps_activation_and_gradient_std_within_a_factor_2_over_20_layers(init, seed):
    r = _run(activation="relu", init=init, seed=seed)
    assert r.activations.n_layers == 20
    assert spread(r.activations.std) < 2.0
    assert spread(r.activations.rms) < 2.0
    assert spread(r.gradients.std) < 2.0


def test_he_relu_first_layer_has_the_predicted_moments():
    # z ~ N(0, fan_in·σ²·1) = N(0, 2), a = max(0, z): E[a²] = 1, std(a) = √(1 − 1/π)
    r = _run(activation="relu", init="he_normal", width=512, batch=256)
    assert r.activations.rms[0] == pytest.approx(1.0, rel=0.05)
    assert r.activations.std[0] == pytest.approx(math.sqrt(1 - 1 / math.pi), rel=0.05)
    assert r.sigma == pytest.approx(math.sqrt(2 / 512))


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_normal_small_collapses_the_signal_by_orders_of_magnitude(activation):
    r = _run(activation=activation, init="normal_small")
    assert r.activations.std[-1] / r.activations.std[0] < 1e-10
    assert r.gradients.std[0] / r.gradients.std[-1] < 1e-10  # the gradient vanishes on its way down


def test_glorot_relu_loses_half_the_variance_per_layer():
    # square layers: σ² = 1/fan_in, so Var(z) halves through every ReLU: std × 1/√2 per layer
    r = _run(activation="relu", init="glorot_normal")
    per_layer = (r.activations.rms[-1] / r.activations.rms[0]) ** (1 / 19)
    assert per_layer == pytest.approx(1 / math.sqrt(2), rel=0.05)


def test_normal_large_relu_explodes_by_sqrt_fan_in_over_2_per_layer():
    r = _run(activation="relu", init="normal_large", depth=10)
    per_layer = (r.activations.rms[-1] / r.activations.rms[0]) ** (1 / 9)
    assert per_layer == pytest.approx(math.sqrt(256 / 2), rel=0.05)


def test_zero_init_gives_zero_spread_and_no_overflow():
    r = _run(activation="relu", init="zeros", depth=5)
    assert np.all(r.activations.std == 0) and np.all(r.gradients.std == 0)
    assert np.all(r.dead_fraction == 1.0)
    assert r.first_overflow is None


def test_same_seed_same_inputs_and_same_random_numbers_for_every_initializer():
    # linear f: two normal initializers draw the same z, W = σ·z, so layer l scales by (σ_B/σ_A)^l exactly
    a = _run(activation="linear", init="normal_small", depth=3, width=64, batch=32)
    b = _run(activation="linear", init="normal_large", depth=3, width=64, batch=32)
    np.testing.assert_allclose(b.activations.std / a.activations.std, [100.0, 100.0**2, 100.0**3], rtol=1e-9)
    X1, y1 = standard_normal_batch(32, 64, 5)
    X2, y2 = standard_normal_batch(32, 64, 5)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert X1.shape == (32, 64) and y1.min() >= 0 and y1.max() < N_CLASSES


def test_report_is_small():
    r = _run(width=1024, depth=3, batch=16)
    assert isinstance(r.activations, LayerSummary)
    assert r.activations.quantiles.shape == (3, len(QUANTILES))  # a few numbers per layer, no raw samples


# --- weights shared across depths ----------------------------------------------------------------------
def test_weight_stream_draws_the_registry_initializer_in_order():
    from core.engine.initializers import INITIALIZERS

    rng = np.random.default_rng([4, 1])
    expected = [INITIALIZERS["he_uniform"](32, 32, rng) for _ in range(3)]
    stream = WeightStream(32, "he_uniform", 4)
    assert all(np.array_equal(a, b) for a, b in zip(stream.first(2), expected[:2]))
    assert all(np.array_equal(a, b) for a, b in zip(stream.first(3), expected))  # one more drawn, the first two kept
    assert len(stream.first(1)) == 1


def test_kept_and_fresh_streams_agree_and_deeper_nets_share_the_first_layers():
    kept = hidden_weights(64, "glorot_normal", 7, 5)
    assert all(np.array_equal(a, b) for a, b in zip(kept, WeightStream(64, "glorot_normal", 7).first(5)))
    shallow = _run(activation="tanh", init="glorot_normal", depth=4, width=64, batch=16, seed=7)
    deep = _run(activation="tanh", init="glorot_normal", depth=9, width=64, batch=16, seed=7)
    np.testing.assert_array_equal(deep.activations.std[:4], shallow.activations.std)  # same inputs, same layers
    assert not np.allclose(deep.gradients.std[:4], shallow.gradients.std)  # the gradient comes from a different top


def test_a_pass_leaves_the_kept_weights_untouched():
    before = [W.copy() for W in hidden_weights(32, "he_normal", 11, 3)]
    _run(activation="relu", init="he_normal", depth=3, width=32, batch=8, seed=11)
    assert all(np.array_equal(a, b) for a, b in zip(before, hidden_weights(32, "he_normal", 11, 3)))
