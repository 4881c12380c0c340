"""Playground inputs: features computed right; data sets seeded, class-balanced, on the plane; splits and added points."""

import numpy as np
import pytest

from core.lessons.playground.data import DATASETS, DOMAIN, PROBLEMS, datasets_for, make_data, split, with_points
from core.lessons.playground.features import FEATURES, check_features, feature_matrix
from core.lessons.playground.points import format_points, parse_points

X = np.array([[0.5, -2.0], [3.0, 1.5], [-np.pi / 2, np.pi]])
EXPECTED = {  # written out by hand, independent of the registry's lambdas
    "x₁": [0.5, 3.0, -np.pi / 2], "x₂": [-2.0, 1.5, np.pi], "x₁²": [0.25, 9.0, np.pi**2 / 4],
    "x₂²": [4.0, 2.25, np.pi**2], "x₁x₂": [-1.0, 4.5, -np.pi**2 / 2], "sin x₁": [np.sin(0.5), np.sin(3.0), -1.0],
    "sin x₂": [np.sin(-2.0), np.sin(1.5), 0.0],
}


@pytest.mark.parametrize("name", list(FEATURES))
def test_each_feature_matches_its_formula(name):
    assert FEATURES[name].latex
    np.testing.assert_allclose(feature_matrix(X, [name])[:, 0], EXPECTED[name], atol=1e-12)


def test_feature_matrix_keeps_registry_order_and_rejects_bad_names():
    Phi = feature_matrix(X, ["sin x₂", "x₁"])
    np.testing.assert_allclose(Phi, np.c_[EXPECTED["x₁"], EXPECTED["sin x₂"]], atol=1e-12)
    assert check_features(["x₁x₂", "x₂"]) == ("x₂", "x₁x₂")
    with pytest.raises(ValueError, match="unknown feature"):
        feature_matrix(X, ["x₃"])
    with pytest.raises(ValueError, match="at least one"):
        feature_matrix(X, [])


def test_every_problem_has_data_sets_and_the_issue_lists_them_all():
    assert set(PROBLEMS) == {"classification", "regression", "multiclass"}
    assert set(datasets_for("classification")) == {"circle", "xor", "gaussian", "spiral", "moons"}
    assert len(datasets_for("regression")) == 2 and len(datasets_for("multiclass")) == 2


@pytest.mark.parametrize("name", list(DATASETS))
@pytest.mark.parametrize("noise", [0.0, 0.25, 0.5])
def test_data_sets_are_seeded_on_the_plane_and_class_balanced(name, noise):
    X1, y1 = make_data(name, 300, noise, classes=4, seed=7)
    X2, y2 = make_data(name, 300, noise, classes=4, seed=7)
    X3, _ = make_data(name, 300, noise, classes=4, seed=8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    if noise or name not in ("spiral", "spiral arms"):  # noise-free spirals are one fixed curve, like TF's
        assert not np.array_equal(X1, X3)
    assert X1.shape[1] == 2 and np.all((X1 >= DOMAIN[0]) & (X1 <= DOMAIN[1]))
    if PROBLEMS[DATASETS[name].problem].classes:
        k = 4 if DATASETS[name].problem == "multiclass" else 2
        counts = np.bincount(y1, minlength=k)
        assert len(counts) == k and counts.min() == counts.max() == 300 // k
    else:
        assert y1.dtype == np.float64 and np.all(np.abs(y1) <= 1) and y1.std() > 0.1


def test_xor_and_circle_labels_follow_their_rule_without_noise():
    X, y = make_data("xor", 400, 0.0, seed=1)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(int))
    X, y = make_data("circle", 400, 0.0, seed=1)
    r = np.linalg.norm(X, axis=1)
    assert r[y == 1].max() <= 2.5 < 3.5 <= r[y == 0].min()


def test_split_is_seeded_disjoint_and_sized_by_the_share():
    X, y = make_data("moons", 200, 0.1, seed=0)
    a, b = split(X, y, 0.3, seed=5), split(X, y, 0.3, seed=5)
    assert len(a.X_train) == 60 and len(a.X_test) == 140
    np.testing.assert_array_equal(a.X_train, b.X_train)
    rows = {tuple(r) for r in a.X_train} & {tuple(r) for r in a.X_test}
    assert not rows
    with pytest.raises(ValueError):
        split(X, y, 1.0, seed=0)


def test_added_points_round_trip_and_bad_text_is_refused_with_a_message():
    pts = parse_points("1.5,-2,1; -6,6,0", classes=2)
    assert pts == ((1.5, -2.0, 1.0), (-6.0, 6.0, 0.0))
    assert parse_points(format_points(pts), classes=2) == pts
    X, y = with_points(np.zeros((3, 2)), np.zeros(3, dtype=int), pts)
    assert X.shape == (5, 2) and list(y) == [0, 0, 0, 1, 0] and y.dtype.kind == "i"
    for bad, match in [("1,2", "not"), ("7,0,1", "coordinates"), ("1,1,2", "class"), ("a,b,c", "not")]:
        with pytest.raises(ValueError, match=match):
            parse_points(bad, classes=2)
    with pytest.raises(ValueError, match="target"):
        parse_points("0,0,2", classes=0)
