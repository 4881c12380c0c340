"""Sections 3–5: L1 vs L2 weights, weight decay vs the L2 penalty, dropout's expectation, batch norm on a deep sigmoid net."""

import numpy as np
import pytest

from core.lessons.model_selection.batchnorm import deep_sigmoid
from core.lessons.model_selection.dropout import DIAGRAMS, expected_activation, masks_for_iteration
from core.lessons.model_selection.penalties import compare_penalties, weight_decay_vs_l2


def test_l1_leaves_more_near_zero_weights_than_l2_at_equal_strength():
    runs = {r.name: r for r in compare_penalties(lam=3e-3, epochs=20)}
    assert runs["L1"].small_share > 0.2 > 0.05 > runs["L2"].small_share
    assert runs["L1"].small_share > 10 * runs["none"].small_share
    assert runs["L1"].zero_share == 0.0  # the subgradient jitters around 0, it never lands on it
    assert runs["L1 proximal"].zero_share > 0.1  # soft-thresholding does
    assert np.sum(np.abs(runs["L2"].weights) ** 2) < np.sum(np.abs(runs["none"].weights) ** 2)


def test_weight_decay_equals_the_l2_penalty_for_one_step_but_adamw_does_not():
    rows = weight_decay_vs_l2(lam=1e-2, steps=1)
    assert [r.max_dW for r in rows[:2]] == [0.0, 0.0]
    assert rows[2].max_dW > 1e-3
    later = weight_decay_vs_l2(lam=1e-2, steps=10)
    assert 0 < later[0].max_dW < 1e-3  # SGD: only the decayed biases make the runs drift apart
    assert 0 < later[1].max_db  # Adam: the biases differ too
    # parameter groups (decay on W only) make weight_decay exactly the L2 penalty, step after step
    assert [(r.max_dW, r.max_db) for r in later[3:]] == [(0.0, 0.0), (0.0, 0.0)]


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_both_dropout_scalings_keep_the_expected_activation(p):
    inverted, lecture = expected_activation(a=0.8, p=p, draws=40_000)
    for row in (inverted, lecture):
        sd = row.train_expected * np.sqrt(p / (1 - p))  # std of the scaled Bernoulli mean, per draw
        assert abs(row.train_mean - row.train_expected) < 4 * sd / np.sqrt(40_000) + 1e-12
        assert row.train_expected == pytest.approx(row.test_value)
    assert inverted.test_value == 0.8 and lecture.test_value == pytest.approx((1 - p) * 0.8)


def test_dropout_masks_are_reproducible_and_new_each_iteration():
    sizes = DIAGRAMS["4-8-8-2"]
    a, b = masks_for_iteration(sizes, 0.5, 7), masks_for_iteration(sizes, 0.5, 7)
    assert [m.shape for m in a] == [(8,), (8,)]
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert set(np.concatenate(a)) <= {0.0, 2.0}
    others = [np.concatenate(masks_for_iteration(sizes, 0.5, i)) for i in range(1, 11)]
    assert len({tuple(m) for m in others}) > 5


def test_batch_norm_trains_the_deep_sigmoid_net_that_stalls_without_it():
    plain, bn = (deep_sigmoid(flag, depth=8, lr=0.3, steps=300) for flag in (False, True))
    assert np.mean(plain.losses[-30:]) > 2.2  # ln 10 = 2.30: still guessing
    assert np.mean(bn.losses[-30:]) < 1.0
    assert plain.val_acc < 0.2 and bn.val_acc > 0.8
    # running estimates follow the batch statistics: the last 50 steps' running mean sits inside their spread
    assert abs(bn.running_mean[-1] - np.mean(bn.batch_mean[-50:])) < 3 * np.std(bn.batch_mean[-50:])
    assert bn.running_mean[0] == pytest.approx(0.1 * bn.batch_mean[0])  # starts at 0, momentum 0.1
    q = bn.quantiles[300]
    assert np.all(np.abs(q[:, 2]) < 1.0)  # medians of BN(z) stay near 0 in every layer
