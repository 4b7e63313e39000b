"""One check for both modes: ``grad`` and ``jvp`` of a one-array function against
central differences (tests/fd.py), the caller's array untouched by either."""

import numpy as np

import ast_ad
from tests.fd import assert_close, fd_directional, fd_grad


def check_both_modes(f, x, v):
    x0 = x.copy()
    assert_close(ast_ad.grad(f)(x), fd_grad(f, (x0,)), 1e-6, 1e-6, f.__name__)
    np.testing.assert_array_equal(x, x0)  # the caller's array is untouched
    _, t = ast_ad.jvp(f, (x,), (v,))
    np.testing.assert_array_equal(x, x0)
    assert_close(t, fd_directional(f, (x0,), 0, v), 1e-6, 1e-6, f.__name__ + " (jvp)")
