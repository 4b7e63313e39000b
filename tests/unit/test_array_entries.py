"""np.array([a, b, ...])'s entry cotangents in one call (passes/reverse/array_entries.py):
gradients against finite differences in the main function and in callees, complex
cotangents, nested lists, entries not all read, and grad of grad."""

import numpy as np
import pytest

import ast_ad
from tests.fd import assert_close, fd_grad


def pair(x):
    v = np.array([x[0] * x[1], x[1] * x[1]])
    return np.sum(v * v)


def _rhs(y, th):
    return np.array([y[1], th[0] * (1.0 - y[0] * y[0]) * y[1] - th[1] * y[0]])


def stepper(th, y):
    for t in range(5):
        y = y + 0.1 * _rhs(y, th)
    return np.sum(y * y)


def one_used(x):
    v = np.array([x[0], 3.0, x[1] * 2.0])
    return v[0] * v[2]


def nested(x):
    m = np.array([[x[0], x[1]], [x[1] * x[0], 1.0]])
    return np.sum(m @ m)


def complex_weights(x):
    v = np.array([x[0] * x[1], x[1]])
    return np.real(np.sum(v * np.array([1.0 + 2.0j, 0.5 - 1.0j]))) * x[0]


@pytest.mark.parametrize("fn", [pair, one_used, nested, complex_weights])
def test_entries_match_finite_differences(fn):
    x = np.array([0.5, -1.5])
    assert_close(ast_ad.grad(fn)(x), fd_grad(fn, (x,), 0), 1e-6, 1e-7)


def test_pair_and_callee_read_the_entries_at_once():
    x = np.array([0.5, -1.5])
    assert "number_entries(" in ast_ad.source(ast_ad.grad(pair), x)
    th, y = np.array([1.3, 0.7]), np.array([0.4, -0.2])
    g = ast_ad.grad(stepper, wrt=(0, 1))
    got = g(th, y)
    for k in (0, 1):
        assert_close(got[k], fd_grad(stepper, (th, y), k), 1e-6, 1e-7)
    src = ast_ad.source(g, th, y)
    bwd = src[src.index("def _rhs_bwd"):]
    assert "number_entries(" in bwd and "part(" not in bwd and "array_parts(" not in bwd


def test_entries_that_may_be_arrays_are_looked_at():
    """``number_entries`` only where every entry is surely a number: an entry that is a
    row of ``x`` (an array) or a power (complex for a negative float) keeps the checks."""
    def rows(x):
        v = np.array([x[0] * x[1], x[1]])
        m = np.array([x, x * 2.0])
        return np.sum(v * v) + np.sum(m * m)

    def power(x):
        v = np.array([x[0] ** 0.5, x[1]])
        return np.sum(v * v)

    x = np.array([0.5, 1.5])
    for fn, want in ((rows, ("number_entries(", "array_parts(")), (power, ("array_entries(",))):
        src = ast_ad.source(ast_ad.grad(fn), x)
        assert all(w in src for w in want), src
        assert_close(ast_ad.grad(fn)(x), fd_grad(fn, (x,), 0), 1e-6, 1e-7)
    assert "number_entries(" not in ast_ad.source(ast_ad.grad(power), x)


def test_grad_of_grad_through_the_entries():
    x = np.array([0.5, 2.0])
    g = ast_ad.grad(pair)
    row = ast_ad.grad(lambda v: g(v)[0])(x)
    h = 1e-5
    fd = np.array([(g(x + h * e)[0] - g(x - h * e)[0]) / (2 * h) for e in np.eye(2)])
    assert_close(row, fd, 1e-6, 1e-7)
