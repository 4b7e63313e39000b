"""Second derivatives through helpers whose recorded values include ints (an ``axis``, a
shift): the generated code differentiated again cannot see their kinds, so an argument
without a derivative rule is checked when it runs (ints carry no derivative)."""

import numpy as np
import pytest

import ast_ad
from ast_ad.errors import NoRuleError
from ast_ad.runtime import int_argument

from ..fd import fd_directional


def _rolled(x):
    ax = 1
    n = x.shape[0]
    return np.sum(np.roll(x, n - 1, axis=ax) * x, axis=ax)


def f_roll(x):
    return np.sum(np.sin(_rolled(x)))


def _swapped(x):
    return 0.5 * (x + np.swapaxes(x, -1, -2))


def f_swap(x):
    return np.sum(np.cos(_swapped(x)) * x)


RNG = np.random.default_rng(7)


@pytest.mark.parametrize("f", [f_roll, f_swap])
def test_hvp_matches_finite_differences_of_the_gradient(f):
    x, v = RNG.standard_normal((3, 3)), RNG.standard_normal((3, 3))
    got = ast_ad.hvp(f, (x,), v)
    got = got[0] if isinstance(got, tuple) else got
    want = fd_directional(ast_ad.grad(f), (x,), 0, v)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_hessian_matches_finite_differences_of_the_gradient():
    x = RNG.standard_normal((3, 3))
    h = ast_ad.hessian(f_roll)(x)
    g = ast_ad.grad(f_roll)
    for k in [(0, 0), (1, 2), (2, 1)]:
        e = np.zeros_like(x)
        e[k] = 1.0
        col = fd_directional(g, (x,), 0, e)
        np.testing.assert_allclose(h[(Ellipsis,) + k], col, rtol=1e-5, atol=1e-6)


def test_int_argument_accepts_ints_and_refuses_floats():
    assert int_argument(2, "argument 1 of `np.roll`") == 0.0
    assert int_argument((0, -1), "axes") == 0.0
    assert int_argument(np.arange(3), "indices") == 0.0
    with pytest.raises(NoRuleError, match="argument 1 of `np.roll`"):
        int_argument(2.5, "argument 1 of `np.roll`")
    with pytest.raises(NoRuleError):
        int_argument(np.ones(2), "indices")


def _times(a, b):
    return a @ b


def f_const_matrix(a):
    b = np.array([[1.0, 2.0], [3.0, 4.0]])
    return np.sum(_times(a, b) ** 2)


def _conv(a, v):
    return np.convolve(a ** 2, v)


def f_const_kernel(a):
    v = np.array([1.0, -2.0, 0.5])
    return np.sum(np.sin(_conv(a, v)))


@pytest.mark.parametrize("f, shape", [(f_const_matrix, (2, 2)), (f_const_kernel, (4,))])
def test_hessian_through_a_helper_with_a_constant_array(f, shape):
    """The helper's constant array argument gets a zero tangent shaped like it (a scalar
    0.0 made the rules of `@` and np.convolve fail at second order)."""
    x = RNG.standard_normal(shape)
    h = ast_ad.hessian(f)(x)
    g = ast_ad.grad(f)
    for k in np.ndindex(shape):
        e = np.zeros(shape)
        e[k] = 1.0
        np.testing.assert_allclose(h[(Ellipsis,) + k], fd_directional(g, (x,), 0, e),
                                   rtol=1e-5, atol=1e-6)
