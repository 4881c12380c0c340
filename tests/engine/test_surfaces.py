"""core.engine.surfaces: analytic gradients vs central differences and torch autograd; minima."""

import numpy as np
import pytest
import torch

from core.engine.surfaces import SURFACES, get_surface, make_quadratic

ALL = {**SURFACES, "quadratic_rotated": make_quadratic(50.0, angle=30.0)}


def _points(surf, n=50, seed=0):
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = surf.domain
    return rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)


@pytest.mark.parametrize("name", list(ALL))
def test_grad_matches_central_differences(name):
    surf = ALL[name]
    x, y = _points(surf)
    h = 1e-6
    num_dx = (surf.f(x + h, y) - surf.f(x - h, y)) / (2 * h)
    num_dy = (surf.f(x, y + h) - surf.f(x, y - h)) / (2 * h)
    dx, dy = surf.grad(x, y)
    scale = 1 + np.abs(surf.f(x, y))
    np.testing.assert_allclose(dx / scale, num_dx / scale, atol=1e-6)
    np.testing.assert_allclose(dy / scale, num_dy / scale, atol=1e-6)


@pytest.mark.parametrize("name", list(ALL))
def test_f_and_grad_match_torch_autograd(name):
    surf = ALL[name]
    x, y = _points(surf, seed=1)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.tensor(y, requires_grad=True)
    tf = surf.expr(tx, ty, torch)
    tf.sum().backward()
    np.testing.assert_allclose(surf.f(x, y), tf.detach().numpy(), rtol=1e-12)
    dx, dy = surf.grad(x, y)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(dy, ty.grad.numpy(), rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("name", list(ALL))
def test_minima_have_known_value_and_zero_gradient(name):
    surf = ALL[name]
    assert surf.minima
    for mx, my in surf.minima:
        assert surf.f(mx, my) == pytest.approx(surf.min_value, abs=1e-12)
        assert np.hypot(*surf.grad(mx, my)) < 1e-9
        (x0, x1), (y0, y1) = surf.domain
        assert x0 <= mx <= x1 and y0 <= my <= y1
    # a minimum: nearby points are not lower
    rng = np.random.default_rng(2)
    for mx, my in surf.minima:
        d = rng.normal(scale=1e-3, size=(2, 20))
        assert np.all(surf.f(mx + d[0], my + d[1]) >= surf.min_value - 1e-12)


@pytest.mark.parametrize("name", list(ALL))
def test_start_inside_domain_and_vectorised_broadcasting(name):
    surf = ALL[name]
    (x0, x1), (y0, y1) = surf.domain
    assert x0 <= surf.start[0] <= x1 and y0 <= surf.start[1] <= y1
    X, Y = np.meshgrid(np.linspace(x0, x1, 7), np.linspace(y0, y1, 5))
    assert surf.f(X, Y).shape == (5, 7)
    gx, gy = surf.grad(np.linspace(x0, x1, 7)[None, :], np.linspace(y0, y1, 5)[:, None])
    assert gx.shape == gy.shape == (5, 7)
    np.testing.assert_allclose(gx, surf.grad(X, Y)[0])
    assert np.isscalar(float(surf.f(*surf.start)))


def test_beale_is_the_lectures():
    beale = SURFACES["beale"]
    assert beale.domain == ((-2.0, 3.5), (-3.5, 2.0))
    assert beale.start == (0.8, 1.6)
    assert beale.minima == ((3.0, 0.5),)
    x, y = 0.8, 1.6
    expected = (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2
    assert beale.f(x, y) == pytest.approx(expected)
    assert beale.log_scale


def test_quadratic_condition_number_is_the_hessian_ratio():
    surf = make_quadratic(25.0, angle=20.0)
    h = 1e-4
    H = np.empty((2, 2))
    for j, (ex, ey) in enumerate([(h, 0), (0, h)]):
        gp = np.array(surf.grad(ex, ey))
        gm = np.array(surf.grad(-ex, -ey))
        H[:, j] = (gp - gm) / (2 * h)
    eig = np.linalg.eigvalsh(H)
    assert eig[1] / eig[0] == pytest.approx(25.0)
    assert get_surface("quadratic", condition=25.0).f(0, 1) == pytest.approx(12.5)


def test_bad_input_raises_clear_valueerror():
    with pytest.raises(ValueError, match="valid names: beale, rosenbrock"):
        get_surface("bealee")
    with pytest.raises(ValueError, match="condition"):
        make_quadratic(0.5)


@pytest.mark.parametrize("name", list(ALL))
def test_float32_in_float32_out(name):
    """f and grad compute in the inputs' precision (a float32 race stays float32, like torch's default dtype)."""
    surf = ALL[name]
    x, y = _points(surf, seed=2)
    x32, y32 = x.astype(np.float32), y.astype(np.float32)
    f32, (dx32, dy32) = surf.f(x32, y32), surf.grad(x32, y32)
    assert f32.dtype == dx32.dtype == dy32.dtype == np.float32
    assert surf.grad(np.float32(0.5), np.float32(0.25))[0].dtype == np.float32
    x64, y64 = x32.astype(float), y32.astype(float)  # the same points, exactly
    scale = 1 + np.abs(surf.f(x64, y64))
    np.testing.assert_allclose(f32 / scale, surf.f(x64, y64) / scale, atol=1e-5)
    dx, dy = surf.grad(x64, y64)
    gscale = 1 + np.abs(dx) + np.abs(dy)
    np.testing.assert_allclose(dx32 / gscale, dx / gscale, atol=1e-5)
    np.testing.assert_allclose(dy32 / gscale, dy / gscale, atol=1e-5)


def test_integers_and_mixed_precisions_compute_in_float64():
    beale = SURFACES["beale"]
    assert beale.f(3, 0).dtype == np.float64 and beale.grad(np.int64(1), 2)[0].dtype == np.float64
    assert beale.grad(np.float32(1.0), 2.0)[1].dtype == np.float64  # a Python float becomes a float64 array
    assert beale.f(3, 0.5) == 0.0
