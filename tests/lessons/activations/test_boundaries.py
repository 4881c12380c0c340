"""ReLU vs tanh on the lecture's moons: the data split, and the accuracy the lecture reports."""

import numpy as np
import pytest
from sklearn.datasets import make_moons

from core.lessons.activations.boundaries import SKLEARN_ALPHA, fit_boundary, lecture_moons


def test_lecture_split_is_stratified_and_fixed():
    split = lecture_moons()
    assert split.X_train.shape == (75, 2) and split.X_test.shape == (25, 2)
    assert sorted(np.bincount(split.y_test)) == [12, 13]  # 50/50 classes kept in the 25 test points
    X, _ = make_moons(n_samples=100, noise=0.25, random_state=3)
    both = np.r_[split.X_train, split.X_test]
    assert sorted(map(tuple, both)) == sorted(map(tuple, X))
    np.testing.assert_array_equal(lecture_moons().X_test, split.X_test)


@pytest.mark.parametrize("n_layers", [1, 2, 3, 4])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_every_depth_reaches_the_lectures_accuracy(activation, n_layers):
    b = fit_boundary(activation, n_layers)
    assert b.test_accuracy >= 0.84  # the lecture's MLPClassifier(solver="lbfgs") prints 0.84 for both at n = 2
    assert b.train_accuracy >= 0.95
    assert b.fit_seconds > 0 and 1 <= b.iterations <= 200
    assert b.P.shape == (len(b.ys), len(b.xs)) and np.all((b.P >= 0) & (b.P <= 1))


def test_probability_field_agrees_with_the_test_predictions():
    b = fit_boundary("tanh", 1, resolution=30)
    split = lecture_moons()
    assert b.P.shape == (30, 30)
    # the field covers every data point, and confident regions of both classes exist
    assert b.xs[0] <= split.X_test[:, 0].min() and b.xs[-1] >= split.X_test[:, 0].max()
    assert b.P.min() < 0.05 and b.P.max() > 0.95


def test_sklearn_alpha_and_bad_depth():
    assert SKLEARN_ALPHA == 1e-4
    with pytest.raises(ValueError, match="n_layers"):
        fit_boundary("relu", 0)
    with pytest.raises(ValueError, match="valid"):
        fit_boundary("swish", 1)
