"""Symmetry: units that start equal stay equal under gradient descent; random starts break the tie."""

import numpy as np
import pytest

from core.engine.initializers import INITIALIZERS
from core.lessons.initialization.symmetry import (
    CONSTANT,
    STARTS,
    SymmetryConfig,
    count_distinct_units,
    distinct_units,
    initial_params,
    run_symmetry,
)


# --- counting distinct units ----------------------------------------------------------------------------
def test_identical_columns_count_as_one_unit():
    W_in = np.tile([[1.0], [2.0]], (1, 5))  # (2, 5): five equal columns
    assert distinct_units(W_in, np.zeros(5), np.ones((5, 3))) == 1


def test_units_are_told_apart_by_incoming_bias_or_outgoing_weights():
    W_in, b, W_out = np.ones((2, 4)), np.zeros(4), np.ones((4, 1))
    assert distinct_units(W_in, b, W_out) == 1
    W_in2 = W_in.copy()
    W_in2[0, 1] = 2.0
    assert distinct_units(W_in2, b, W_out) == 2
    b2 = b.copy()
    b2[2] = 0.5
    assert distinct_units(W_in, b2, W_out) == 2
    W_out2 = W_out.copy()
    W_out2[3, 0] = -1.0
    assert distinct_units(W_in, b, W_out2) == 2


def test_tolerance_is_relative_to_the_largest_weight():
    W_in = np.full((2, 3), 1000.0)
    W_in[0, 1] += 1e-4  # 1e-7 relative: the same unit at tol 1e-6
    assert distinct_units(W_in, np.zeros(3), np.ones((3, 1)), tol=1e-6) == 1
    assert distinct_units(W_in, np.zeros(3), np.ones((3, 1)), tol=1e-9) == 2


def test_random_weights_give_all_distinct_units():
    params = initial_params([2, 7, 5, 2], "glorot_normal", seed=3)
    assert count_distinct_units(params) == [7, 5]


# --- starts ---------------------------------------------------------------------------------------------
def test_constant_start_fills_every_weight_with_c_and_biases_with_zero():
    params = initial_params([2, 3, 1], CONSTANT, value=-0.25)
    assert [p.shape for p in params] == [(2, 3), (3,), (3, 1), (1,)]
    assert np.all(params[0] == -0.25) and np.all(params[2] == -0.25)
    assert np.all(params[1] == 0) and np.all(params[3] == 0)


def test_registry_start_uses_the_initializer_and_seed():
    a = initial_params([50, 40, 2], "he_normal", seed=1)
    b = initial_params([50, 40, 2], "he_normal", seed=1)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert a[0].std() == pytest.approx(INITIALIZERS["he_normal"].std(50, 40), rel=0.1)


def test_starts_are_constant_plus_every_registry_initializer():
    assert set(STARTS) == {CONSTANT, *INITIALIZERS}
    with pytest.raises(ValueError, match="valid"):
        initial_params([2, 2], "ones")
    with pytest.raises(ValueError, match="valid"):
        SymmetryConfig(start="ones")
    with pytest.raises(ValueError, match="valid"):
        SymmetryConfig(activation="swish")


# --- training -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_constant_start_stays_symmetric_while_the_weights_move(activation):
    run = run_symmetry(SymmetryConfig(start=CONSTANT, value=0.5, activation=activation, steps=100))
    assert run.distinct_before == [1, 1]
    assert run.distinct_after == [1, 1]
    assert not np.allclose(run.before[0], run.after[0])  # it did learn, in lockstep
    for W in run.after[:-1]:
        np.testing.assert_allclose(W, W[:, :1].repeat(W.shape[1], axis=1), rtol=0, atol=1e-9)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_zero_start_leaves_all_units_equal_and_hidden_weights_exactly_zero(activation):
    run = run_symmetry(SymmetryConfig(start="zeros", activation=activation, steps=50))
    assert run.distinct_after == [1, 1]
    assert all(np.all(W == 0) for W in run.after)  # f(0) = 0 and W = 0: every weight gradient is 0
    assert run.losses[-1] == pytest.approx(np.log(2), abs=1e-9)  # the coin-flip loss, never improved


def test_random_start_breaks_symmetry_and_learns_what_one_unit_per_layer_cannot():
    config = dict(activation="tanh", steps=200, dataset="circles", noise=0.1)
    sym = run_symmetry(SymmetryConfig(start=CONSTANT, value=0.5, **config))
    rnd = run_symmetry(SymmetryConfig(start="glorot_normal", **config))
    assert rnd.distinct_before == rnd.distinct_after == [6, 6]
    assert sym.accuracy < 0.7 < 0.85 < rnd.accuracy  # a ring needs more than one effective unit
    assert len(sym.losses) == len(rnd.losses) == 200


def test_zero_steps_changes_nothing():
    run = run_symmetry(SymmetryConfig(start="he_normal", steps=0))
    assert all(np.array_equal(a, b) for a, b in zip(run.before, run.after))
    assert len(run.losses) == 0
