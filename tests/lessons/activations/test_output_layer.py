"""Output layer: sigmoid/softmax/none with temperature and label smoothing, checked against torch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.lessons.activations.output_layer import OUTPUT_ACTIVATIONS, output_view, parse_logits, smoothed_target

LOGITS = [2.0, 1.0, 0.1, -1.5]


def test_smoothed_target_worked_example():
    np.testing.assert_allclose(smoothed_target(1, 4, 0.2), [0.05, 0.85, 0.05, 0.05])
    np.testing.assert_allclose(smoothed_target(0, 2, 0.0), [1.0, 0.0])
    np.testing.assert_allclose(smoothed_target(2, 5, 1.0), np.full(5, 0.2))


@pytest.mark.parametrize("k, alpha", [(2, 0.1), (4, 0.0), (10, 0.35)])
def test_smoothed_target_is_a_distribution_with_the_true_class_on_top(k, alpha):
    q = smoothed_target(k - 1, k, alpha)
    assert q.sum() == pytest.approx(1.0)
    assert q[k - 1] == pytest.approx(1 - alpha + alpha / k)
    assert np.argmax(q) == k - 1


@pytest.mark.parametrize("temperature, alpha, true_class", [(1.0, 0.0, 0), (0.5, 0.1, 2), (3.0, 0.3, 3)])
def test_softmax_matches_torch(temperature, alpha, true_class):
    view = output_view(LOGITS, "softmax", true_class, temperature, alpha)
    z = torch.tensor([LOGITS], dtype=torch.float64) / temperature
    np.testing.assert_allclose(view.outputs, F.softmax(z, dim=1)[0].numpy(), rtol=1e-12)
    expected = F.cross_entropy(z, torch.tensor([true_class]), label_smoothing=alpha).item()
    assert view.loss == pytest.approx(expected, rel=1e-12)
    assert view.outputs.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("temperature, alpha", [(1.0, 0.0), (2.0, 0.2)])
def test_sigmoid_is_an_independent_probability_per_output(temperature, alpha):
    view = output_view(LOGITS, "sigmoid", 1, temperature, alpha)
    z = torch.tensor(LOGITS, dtype=torch.float64) / temperature
    np.testing.assert_allclose(view.outputs, torch.sigmoid(z).numpy(), rtol=1e-12)
    target = torch.tensor([0.0, 1.0, 0.0, 0.0], dtype=torch.float64) * (1 - alpha) + alpha / 2
    np.testing.assert_allclose(view.target, target.numpy())
    assert view.loss == pytest.approx(F.binary_cross_entropy_with_logits(z, target).item(), rel=1e-12)
    assert view.outputs.sum() != pytest.approx(1.0)


def test_none_passes_the_logits_through_and_ignores_temperature_and_smoothing():
    view = output_view(LOGITS, "none", 0, temperature=4.0, alpha=0.3)
    np.testing.assert_array_equal(view.outputs, LOGITS)
    np.testing.assert_array_equal(view.target, [1.0, 0.0, 0.0, 0.0])
    assert view.loss == pytest.approx(np.mean((np.array(LOGITS) - [1, 0, 0, 0]) ** 2))


def test_temperature_flattens_or_sharpens_softmax():
    hot = output_view(LOGITS, "softmax", 0, temperature=0.05).outputs
    cold = output_view(LOGITS, "softmax", 0, temperature=1000.0).outputs
    assert hot[0] > 0.999
    np.testing.assert_allclose(cold, np.full(4, 0.25), atol=1e-3)


def test_smoothing_puts_a_floor_under_the_loss():
    q = smoothed_target(0, 4, 0.2)
    perfect = output_view(np.log(q), "softmax", 0, 1.0, 0.2)  # softmax(log q) = q: the best possible prediction
    assert perfect.loss == pytest.approx(perfect.min_loss)
    assert perfect.min_loss == pytest.approx(-np.sum(q * np.log(q)))
    confident = output_view([30.0, 0.0, 0.0, 0.0], "softmax", 0, 1.0, 0.2)
    # log p = (0, −30, −30, −30): the 3·α/k = 0.15 target mass on the wrong classes costs 0.15·30
    assert confident.loss == pytest.approx(4.5, rel=1e-9)
    assert output_view([30.0, 0.0, 0.0, 0.0], "softmax", 0, 1.0, 0.0).loss < 1e-10


def test_parse_logits():
    np.testing.assert_array_equal(parse_logits("2, 1.5; -3  0"), [2.0, 1.5, -3.0, 0.0])
    for bad in ["", "1", "a, b", ", ".join(["1"] * 11), "1, inf"]:
        with pytest.raises(ValueError, match="logits"):
            parse_logits(bad)


def test_bad_arguments_name_the_choices():
    with pytest.raises(ValueError, match="softmax, sigmoid, none"):
        output_view(LOGITS, "tanh", 0)
    with pytest.raises(ValueError, match="temperature"):
        output_view(LOGITS, "softmax", 0, temperature=0.0)
    with pytest.raises(ValueError, match="true_class"):
        output_view(LOGITS, "softmax", 4)
    with pytest.raises(ValueError, match="α"):
        smoothed_target(0, 3, 1.5)
    assert set(OUTPUT_ACTIVATIONS) == {"softmax", "sigmoid", "none"}
