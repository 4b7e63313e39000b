"""Element loops (issue 13): the gradient is specialised on the ndim and dtype of NumPy
array arguments, element reads of a 1-d float64 array are plain floats, and their
adjoints accumulate in place into one buffer. Structure is checked on the generated
code; values against central finite differences. No timing here."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ast_ad
from tests.fd import assert_close as _assert_close
from tests.fd import fd_grad


def assert_close(got, ref):
    if isinstance(ref, tuple):
        assert isinstance(got, tuple) and len(got) == len(ref)
        for a, b in zip(got, ref):
            _assert_close(a, b, 1e-6, 1e-7)
    else:
        _assert_close(got, ref, 1e-6, 1e-7)


def sumsq(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[i] * x[i]
    return s


def _loop_body_of_adjoint(src):
    """The lines of the generated code after the forward sweep (the adjoint sweep)."""
    return src.split("_pop = _stack.pop", 1)[1]


def test_scalar_element_loop_has_no_helpers_in_its_body():
    x = np.random.default_rng(0).standard_normal(7)
    g = ast_ad.grad(sumsq)
    assert_close(g(x), fd_grad(sumsq, (x,)))
    src = ast_ad.source(g, x)
    for helper in ("unbroadcast", "shape_token", "accum_index"):
        assert helper not in src, helper
    adj = _loop_body_of_adjoint(src)
    assert adj.count("zeros_like") == 1  # the one buffer, before the loop
    assert "bx[i] += " in adj


def test_new_shape_of_the_same_ndim_reuses_the_specialisation():
    g = ast_ad.grad(sumsq)
    a, b = np.ones(5), np.arange(9.0)
    assert_close(g(a), 2 * a)
    assert_close(g(b), 2 * b)
    assert g.compiled_for((a,)) is g.compiled_for((b,))


def sumsq_rows(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + np.sum(x[i] * x[i])
    return s


def test_other_ndim_and_dtype_get_their_own_code():
    g = ast_ad.grad(sumsq_rows)
    x1 = np.random.default_rng(1).standard_normal(4)
    x2 = np.random.default_rng(2).standard_normal((3, 2))  # x[i] is a row here
    x3 = x1.astype(np.float32)
    assert_close(g(x1), fd_grad(sumsq_rows, (x1,)))
    assert_close(g(x2), fd_grad(sumsq_rows, (x2,)))
    r3 = g(x3)
    assert r3.dtype == np.float32
    np.testing.assert_allclose(r3, 2 * x3, rtol=1e-6)
    assert_close(g(x1), fd_grad(sumsq_rows, (x1,)))  # back to the first: still right
    assert g.compiled_for((x1,)) is not g.compiled_for((x2,))
    assert "unbroadcast" in ast_ad.source(g, x2)  # rows are arrays: the generic code


def test_duplicate_array_indices_stay_correct():
    def f(x, idx):
        s = 0.0
        for k in range(3):
            v = x[idx]  # an integer array with repeats: not a basic index
            s = s + np.sum(v * v) * (k + 1)
        return s

    x = np.random.default_rng(3).standard_normal(4)
    idx = np.array([0, 2, 2, 3])
    g = ast_ad.grad(f)
    assert_close(g(x, idx), fd_grad(f, (x, idx)))
    assert "bx[idx] +=" not in ast_ad.source(g, x, idx)


def test_index_not_surely_an_int_keeps_the_generic_adjoint():
    def f(x, js):
        s = 0.0
        for j in js:  # a list: its entries might be anything
            s = s + x[j] * 3.0
        return s

    x = np.random.default_rng(4).standard_normal(5)
    js = [1, 1, 4]
    g = ast_ad.grad(f)
    assert_close(g(x, js), fd_grad(f, (x, js)))
    assert "bx[j] +=" not in ast_ad.source(g, x, js)


def test_slices_read_in_a_loop_accumulate_in_place():
    def f(x):
        s = 0.0
        for i in range(x.shape[0] - 2):
            w = x[i:i + 3]
            s = s + np.sum(np.sin(w)) * x[i]
        return s

    x = np.random.default_rng(5).standard_normal(8)
    g = ast_ad.grad(f)
    assert_close(g(x), fd_grad(f, (x,)))
    src = ast_ad.source(g, x)
    assert "accum_index" not in src
    assert src.count("zeros_like") == 1


def test_parameter_written_in_place_keeps_the_generic_adjoint():
    def f(x):
        for i in range(1, x.shape[0]):
            x[i] = x[i] * x[i - 1]
        return np.sum(x)

    x = np.random.default_rng(6).standard_normal(5)
    g = ast_ad.grad(f)
    assert_close(g(x.copy()), fd_grad(f, (x,)))


def test_2d_element_reads_are_scalars():
    def f(A):
        s = 0.0
        for i in range(A.shape[0]):
            for j in range(A.shape[1]):
                s = s + A[i, j] * A[j, i]
        return s

    A = np.random.default_rng(7).standard_normal((3, 3))
    g = ast_ad.grad(f)
    assert_close(g(A), fd_grad(f, (A,)))
    src = ast_ad.source(g, A)
    assert "unbroadcast" not in src and "shape_token" not in src


def test_scalar_recurrence_pushes_only_what_the_adjoint_reads():
    def rec(y, c):
        for i in range(50):
            y = c * y + 0.001 * math.sin(y)
        return y

    g = ast_ad.grad(rec, wrt=(0, 1))
    assert_close(g(0.5, 0.99), fd_grad(rec, (0.5, 0.99), wrt=(0, 1)))
    src = ast_ad.source(g, 0.5, 0.99)
    assert "shape_token" not in src
    assert src.count("_push(") == 1  # old y only


@pytest.mark.parametrize("n", [1, 6])
def test_element_loop_values_match_finite_differences(n):
    def f(x, w):
        s = 0.0
        for i in range(n):
            a = x[i % x.shape[0]]
            s = s + np.tanh(a * w) * a
        return s

    x = np.random.default_rng(8).standard_normal(4)
    g = ast_ad.grad(f, wrt=(0, 1))
    assert_close(g(x, 0.7), fd_grad(f, (x, 0.7), wrt=(0, 1)))
