"""Never silently wrong: each family of the soundness issue is derived (checked against
central finite differences) or refused with an AstAdError at the user's line."""


import numpy as np
import pytest

import ast_ad
from ast_ad.errors import AstAdError

X = np.array([0.5, 1.5, 2.0])


def fd(f, x, h=1e-6):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def derived(f, x=X):
    x0 = x.copy()
    g = ast_ad.grad(f)(x)
    np.testing.assert_array_equal(x, x0)  # the caller's data is untouched
    np.testing.assert_allclose(g, fd(f, x0), rtol=1e-6, atol=1e-6)


def refused(f, x=X, match=None):
    with pytest.raises(AstAdError, match=match) as e:
        ast_ad.grad(f)(x.copy())
    assert "test_soundness.py" in str(e.value)  # named at the user's file
    return e.value


# -- values read around in-place writes ---------------------------------------------
def read_before_write(x):
    y = 2.0 * x
    x[0] = 0.0
    return np.sum(x * y)


def copy_written_and_read_with_its_source(x):
    y = x * 1.0
    y[0] = x[1] ** 2
    return np.sum(y * x)


@pytest.mark.parametrize("f", [read_before_write, copy_written_and_read_with_its_source])
def test_in_place_writes_read_around(f):
    derived(f)
