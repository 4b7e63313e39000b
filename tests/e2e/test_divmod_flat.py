"""``divmod(a, b)`` (builtin and ``np.divmod``) on differentiated values, and ``y.flat[i]``
reads and writes (a write is ``y[np.unravel_index(i, y.shape)] = v``: an index of ``y``
itself, modelled like any item write), in reverse and forward mode against finite
differences (tests/fd.py)."""

from __future__ import annotations

import numpy as np
import pytest

import ast_ad

from ..fd import assert_close, fd_directional, fd_grad


def remainder_of_floats(x, s):
    q, r = divmod(s * 3.0, 0.7)
    return r * x[0] + q * x[1]


def remainder_both_varied(x, s):
    return divmod(x[0] + 2.0, s + 2.0)[1] * x[1] + np.sum(x)


def quotient_only(x, s):
    return divmod(x[2] * 5.0, 1.3)[0] * 1.0 + s


def builtin_divmod_of_array(x, s):
    q, r = divmod(x * 4.0, 1.5)
    return np.sum(r * x) + np.sum(q) * s


def np_divmod(x, s):
    q, r = np.divmod(x * 3.0, s + 2.0)
    return np.sum(r ** 2) + np.sum(q * x)


def flat_reads(x, s):
    A = np.outer(x, x) * s
    return A.flat[5] + x.flat[-1] * 2.0 + np.sum(A.flat[1:4]) + sum(e for e in x.flat)


def flat_write(x, s):
    y = x * 2.0
    y.flat[1] = x[0] ** 2 * s
    return np.sum(y * y)


def flat_write_2d(x, s):
    A = np.outer(x, x)
    A.flat[5] = s * 3.0
    A.flat[-1] = np.sin(x[0])
    return np.sum(A * np.arange(16.0).reshape(4, 4))


def flat_augmented(x, s):
    A = np.outer(x, x[:2])
    A.flat[3] += s * x[1]
    A.flat[0] *= s
    return np.sum(A ** 2)


def flat_index_array(x, s):
    A = np.tile(x, (2, 1))
    A.flat[np.array([0, 5, 7])] = x[:3] * s
    return np.sum(A * A) + A[1, 1]


def flat_write_param(x, s):
    x.flat[2] = s ** 2
    return np.sum(x * np.array([1.0, 2.0, 3.0, 4.0]))


def flat_in_loop(x, s):
    y = np.zeros(4)
    for i in range(4):
        y.flat[i] = x[i] * s + y[i - 1]
    return np.sum(y * x)


CASES = [remainder_of_floats, remainder_both_varied, quotient_only, builtin_divmod_of_array,
         np_divmod, flat_reads, flat_write, flat_write_2d, flat_augmented, flat_index_array,
         flat_write_param, flat_in_loop]
X = np.array([0.3, -0.7, 1.1, 0.45])
S = 0.8


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_reverse_and_forward(f):
    x = X.copy()
    ref = fd_grad(f, (X, S), wrt=(0, 1))
    got = ast_ad.grad(f, wrt=(0, 1))(x, S)
    assert np.array_equal(x, X), "the caller's array changed"
    for g, r in zip(got, ref):
        assert_close(g, r, 1e-6, 1e-7, f.__name__)
    v = (np.array([0.5, -1.0, 0.25, 2.0]), -0.7)
    _, tangent = ast_ad.jvp(f, (X.copy(), S), v)
    assert_close(tangent, fd_directional(f, (X, S), (0, 1), v), 1e-6, 1e-7, f.__name__)


def test_quotient_has_zero_derivative():
    g = ast_ad.grad(quotient_only, wrt=0)(X.copy(), S)
    assert np.array_equal(g, np.zeros(4))


def flat_out_of_bounds(x, s):
    y = x * 1.0
    y.flat[9] = s
    return np.sum(y)


def test_flat_index_out_of_bounds_raises_like_numpy():
    with pytest.raises(IndexError):
        ast_ad.grad(flat_out_of_bounds)(X.copy(), S)
