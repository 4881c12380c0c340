"""Initializers: shapes, randomness only from the rng, σ vs torch.nn.init and vs samples."""

import math

import numpy as np
import pytest
import torch

from core.engine.initializers import INITIALIZERS, get_initializer

REQUIRED = {
    "zeros", "normal_small", "normal_large", "glorot_normal", "glorot_uniform",
    "he_normal", "he_uniform", "lecun_normal",
}

# torch.nn.init counterparts, applied to a Linear weight of shape (out_features, in_features)
TORCH_INIT = {
    "zeros": torch.nn.init.zeros_,
    "normal_small": lambda w: torch.nn.init.normal_(w, 0.0, 0.01),
    "normal_large": lambda w: torch.nn.init.normal_(w, 0.0, 1.0),
    "glorot_normal": torch.nn.init.xavier_normal_,
    "glorot_uniform": torch.nn.init.xavier_uniform_,
    "he_normal": lambda w: torch.nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu"),
    "he_uniform": lambda w: torch.nn.init.kaiming_uniform_(w, mode="fan_in", nonlinearity="relu"),
    "lecun_normal": lambda w: torch.nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="linear"),
    "lecun_uniform": lambda w: torch.nn.init.kaiming_uniform_(w, mode="fan_in", nonlinearity="linear"),
}

FANS = [(300, 200), (784, 64), (50, 400)]


def test_registry_has_required_keys():
    assert REQUIRED <= set(INITIALIZERS)
    assert set(TORCH_INIT) == set(INITIALIZERS)


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_shape_dtype_and_latex(name):
    W = INITIALIZERS[name](3, 5, np.random.default_rng(0))
    assert W.shape == (3, 5) and W.dtype == np.float64
    assert INITIALIZERS[name].latex.startswith("W")


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_randomness_only_from_rng(name):
    init = INITIALIZERS[name]
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    a = init(20, 30, np.random.default_rng(7))
    b = init(20, 30, np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # global state untouched
    if name != "zeros":
        c = init(20, 30, np.random.default_rng(8))
        assert not np.array_equal(a, c)


@pytest.mark.parametrize("fans", FANS)
@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_std_matches_samples_and_torch(name, fans):
    fan_in, fan_out = fans
    init = INITIALIZERS[name]
    W = init(fan_in, fan_out, np.random.default_rng(0))
    sigma = init.std(fan_in, fan_out)
    w_torch = torch.empty(fan_out, fan_in, dtype=torch.float64)  # torch Linear layout: (out, in)
    torch.manual_seed(0)
    TORCH_INIT[name](w_torch)
    if name == "zeros":
        assert sigma == 0.0 and not W.any() and not w_torch.any()
        return
    # n = fan_in·fan_out ≥ 20k samples: the sample σ is within ~1% of the true σ
    assert W.std() == pytest.approx(sigma, rel=0.03)
    assert w_torch.std().item() == pytest.approx(sigma, rel=0.03)
    assert abs(W.mean()) < 0.03 * sigma
    if init.distribution == "uniform":
        a = init.bound(fan_in, fan_out)
        assert a == pytest.approx(math.sqrt(3) * sigma)
        assert np.abs(W).max() <= a and np.abs(W).max() > 0.99 * a
        assert w_torch.abs().max().item() <= a and w_torch.abs().max().item() > 0.99 * a
    else:
        assert np.abs(W).max() > 3.5 * sigma  # normal tails, not a uniform


def test_formulas():
    fi, fo = 100, 300
    assert INITIALIZERS["glorot_normal"].std(fi, fo) == pytest.approx(math.sqrt(2 / 400))
    assert INITIALIZERS["glorot_uniform"].bound(fi, fo) == pytest.approx(math.sqrt(6 / 400))
    assert INITIALIZERS["he_normal"].std(fi, fo) == pytest.approx(math.sqrt(2 / 100))
    assert INITIALIZERS["he_uniform"].bound(fi, fo) == pytest.approx(math.sqrt(6 / 100))
    assert INITIALIZERS["lecun_normal"].std(fi, fo) == pytest.approx(0.1)
    assert INITIALIZERS["normal_small"].std(fi, fo) == 0.01
    assert INITIALIZERS["normal_large"].std(fi, fo) == 1.0


def test_bad_input():
    with pytest.raises(ValueError, match="valid: .*he_normal"):
        get_initializer("kaiming")
    with pytest.raises(ValueError, match="fan_in"):
        INITIALIZERS["he_normal"](0, 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="fan_out"):
        INITIALIZERS["he_normal"](3, 2.5, np.random.default_rng(0))
    with pytest.raises(ValueError, match="Generator"):
        INITIALIZERS["he_normal"](3, 3, 0)
