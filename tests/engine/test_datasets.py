"""Toy data sets: shapes, labels, explicit seeding, bad input."""

import numpy as np
import pytest

from core.engine.datasets import DATASETS, grid_2d, make_dataset


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_shapes_and_two_balanced_classes(name):
    X, y = make_dataset(name, n=101, noise=0.1, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and set(np.unique(y)) == {0, 1}
    assert abs(np.mean(y) - 0.5) < 0.1


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_same_seed_same_data_and_global_rng_untouched(name):
    state = np.random.get_state()[1].copy()
    X1, y1 = make_dataset(name, n=50, noise=0.2, seed=7)
    X2, y2 = make_dataset(name, n=50, noise=0.2, seed=np.random.default_rng(7))
    X3, _ = make_dataset(name, n=50, noise=0.2, seed=8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_noise_zero_xor_is_exactly_labelled_by_quadrant():
    X, y = make_dataset("xor", n=200, noise=0.0, seed=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(int))


@pytest.mark.parametrize(
    "kwargs, match",
    [({"name": "banana"}, "moons"), ({"name": "moons", "n": 1}, "at least 2"), ({"name": "moons", "noise": -1.0}, "non-negative")],
)
def test_bad_input_names_the_problem(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_dataset(**kwargs)


def test_grid_covers_the_points_with_margin():
    X = np.array([[0.0, 0.0], [1.0, 2.0]])
    xs, ys, points = grid_2d(X, resolution=11, margin=0.5)
    assert points.shape == (121, 2)
    assert xs[0] == pytest.approx(-0.5) and xs[-1] == pytest.approx(1.5)
    assert ys[0] == pytest.approx(-1.0) and ys[-1] == pytest.approx(3.0)
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        grid_2d(np.zeros((3, 3)))
