"""First entry updates of a fresh zero buffer as stores (passes/reverse/first_writes.py):
gradients against finite differences where entries are updated once, twice, through
negative indices, rows and elements of a matrix, and for complex inputs."""

import numpy as np
import pytest

import ast_ad
from tests.fd import assert_close, fd_grad


def once_each(y):
    return y[0] * y[1] + np.sin(y[2])


def twice(y):
    a = y[0] * y[1]
    b = np.cos(a)
    c = y[0] * b
    return c + y[1] * y[1]


def negative(y):
    return y[-1] * y[0] + y[2] * y[-3]


def rows_and_entries(m):
    r = m[0]
    return np.sum(r * r) + m[0, 1] * m[1, 0] + m[1, 1]


def complex_in(z):
    return np.real(z[0] * z[1] + z[1] * np.conj(z[1]))


@pytest.mark.parametrize("fn", [once_each, twice, negative])
def test_vector_entries_match_finite_differences(fn):
    y = np.array([0.4, -1.3, 0.7])
    assert_close(ast_ad.grad(fn)(y), fd_grad(fn, (y,), 0), 1e-6, 1e-7)


def test_rows_and_entries_of_a_matrix():
    m = np.array([[0.4, -1.3], [0.7, 2.0]])
    assert_close(ast_ad.grad(rows_and_entries)(m), fd_grad(rows_and_entries, (m,), 0),
                 1e-6, 1e-7)


def test_complex_argument():
    # the tape (independent of the generated code) has the same convention for complex
    # arguments
    from ast_ad import tape

    z = np.array([0.4 + 0.2j, -1.3 + 0.5j])
    np.testing.assert_allclose(ast_ad.grad(complex_in)(z), tape.grad(complex_in)(z),
                               rtol=1e-12)


def test_first_updates_are_stores():
    y = np.array([0.4, -1.3, 0.7])
    src = ast_ad.source(ast_ad.grad(once_each), y)
    assert "by[0] = " in src and "by[0] +=" not in src
    src = ast_ad.source(ast_ad.grad(twice), y)
    assert src.count("by[0] +=") + src.count("by[0] = ") == 2 and "by[0] = " in src
