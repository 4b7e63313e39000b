"""A zero cotangent stays zero through sqrt and cbrt: a derivative that is infinite at a
point the output does not depend on (masked by np.where, np.tril) adds nothing, so the
gradient is the derivative of what the function computes (JAX's "double where" case,
SciPy's Cola benchmark), not 0 * inf = nan.  Seeded singular points stay inf."""

import math

import numpy as np
import pytest

import ast_ad

from ..fd import fd_grad


def pairwise(x, y):
    xi = np.atleast_2d(x)
    xj = np.repeat(xi, xi.shape[1], axis=0)
    yi = np.atleast_2d(y)
    yj = np.repeat(yi, yi.shape[1], axis=0)
    inner = (np.sqrt((xi.T - xj) ** 2 + (yi.T - yj) ** 2) - 1.0) ** 2
    return np.sum(np.tril(inner, -1))


def masked(d):
    return np.sum(np.where(d > 0, np.sqrt(np.maximum(d, 0.0)) + np.cbrt(d), 0.0))


def test_pairwise_distances_with_a_zero_diagonal():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal(5), rng.standard_normal(5)
    g = ast_ad.grad(pairwise, (0, 1))(x, y)
    want = fd_grad(pairwise, (x, y), wrt=(0, 1))
    assert np.all(np.isfinite(g[0])) and np.all(np.isfinite(g[1]))
    np.testing.assert_allclose(g[0], want[0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(g[1], want[1], rtol=1e-6, atol=1e-8)


def test_where_masked_sqrt_at_zero():
    d = np.array([0.0, 0.5, 2.0, 0.0])
    g = ast_ad.grad(masked)(d)
    def want(v):
        return 0.5 / math.sqrt(v) + v ** (-2.0 / 3.0) / 3.0
    np.testing.assert_allclose(g, [0.0, want(0.5), want(2.0), 0.0])


@pytest.mark.parametrize("f", [math.sqrt, np.sqrt])
def test_a_seeded_singular_point_stays_infinite(f):
    with np.errstate(divide="ignore"):
        assert ast_ad.grad(lambda x: f(x))(0.0) == math.inf
