"""Callees specialised on what the call site knows (issue 13, W9): a user function called
with arrays whose ndim and dtype the caller's element facts know is generated for them
(its element reads are numbers, their adjoints go into one buffer), and the caller knows
the ndim and dtype of what it returns.  Values against central finite differences,
structure on the generated code."""

from __future__ import annotations

import numpy as np

import ast_ad
from tests.fd import assert_close, fd_grad


def _rhs(y, theta):
    return np.array([y[1], theta[0] * (1.0 - y[0] * y[0]) * y[1] - theta[1] * y[0]])


def rk_two_steps(theta, y0):
    y = y0
    h = 0.1
    for t in range(3):
        k1 = _rhs(y, theta)
        k2 = _rhs(y + h * k1, theta)
        y = y + 0.5 * h * (k1 + k2)
    return y[0] * y[0] + 2.0 * y[1]


def _check(fn, args, wrt):
    got = ast_ad.grad(fn, wrt=wrt)(*args)
    ref = fd_grad(fn, args, wrt=wrt)
    for a, b in zip(got, ref) if isinstance(ref, tuple) else [(got, ref)]:
        assert_close(a, b, rtol=1e-6, atol_scale=1e-8)


def test_specialised_callee_matches_fd_and_accumulates_in_place():
    args = (np.array([1.1, 0.9]), np.array([0.4, -0.3]))
    _check(rk_two_steps, args, (0, 1))
    src = ast_ad.source(ast_ad.grad(rk_two_steps, wrt=(0, 1)), *args)
    bwd = src[src.index("def _rhs_bwd"):]
    assert "accum_index" not in bwd and "unbroadcast" not in bwd
    assert "by[0] += " in bwd and "btheta[1] += " in bwd


def _pick(v, i):
    return v[i] * v[i]


def two_ndims(a, b):  # one callee, called with a 1-d and a 2-d array: two specialisations
    return _pick(a, 1) + np.sum(_pick(b, 0))


def test_a_callee_met_with_two_ndims_is_right_for_both():
    args = (np.array([0.5, -1.5, 2.0]), np.array([[1.0, 2.0], [3.0, -4.0]]))
    _check(two_ndims, args, (0, 1))


def _as_list_then_array(y):
    parts = [y[0], y[1]]
    parts.append(y[0] * np.ones(2))  # the list changes: np.array of it is 2-d... not known
    return parts


def list_changed(y):
    p = _as_list_then_array(y)
    return p[0] * p[1] + np.sum(p[2])


def test_lists_that_change_are_not_taken_for_vectors():
    _check(list_changed, (np.array([0.3, 0.7]),), 0)


def _count_down(x, n):
    if n <= 0:
        return x
    return _count_down(x * 0.5, n - 1) + x[0]


def recursive(x):
    return np.sum(_count_down(x, 3))


def test_recursive_callee_return_is_unknown_not_a_loop():
    _check(recursive, (np.array([1.0, 2.0]),), 0)


def caller_reads_callee_result(theta, y0):
    a = _rhs(y0, theta)
    b = _rhs(y0 * 2.0, theta)
    return a[0] * b[1] + a[1] * a[1]


def test_caller_knows_the_callee_returns_a_vector():
    args = (np.array([1.1, 0.9]), np.array([0.3, -0.2]))
    _check(caller_reads_callee_result, args, (0, 1))
    src = ast_ad.source(ast_ad.grad(caller_reads_callee_result, wrt=(0, 1)), *args)
    caller = src[:src.index("# user functions")]
    assert "unbroadcast" not in caller  # a[0], b[1] are numbers


def _scale(v, c):
    return v * c


def float_and_int_args(x):  # a float constant and an int as arguments: no spec for them
    s = 0.0
    for i in range(2):
        w = _scale(x, 0.5)
        s = s + w[i] * _scale(x[i], 3)
    return s


def test_callee_with_number_arguments():
    _check(float_and_int_args, (np.array([0.2, -0.6]),), 0)


def float_then_array(x):  # s starts as a float constant and becomes an array: not a number
    s = 0.0
    for i in range(2):
        s = s + x * x[i]
    return np.sum(s)


def small_vector_from_numbers(x):
    v = np.array([x[0], 1, 2.0 * x[1]])
    t = 0.0
    for i in range(3):
        t = t + v[i] * v[i] * x[i // 2]
    return t


def rows_from_vectors(x):  # np.array of two vectors is 2-d: the list rule must not apply
    m = np.array([x, 2.0 * x])
    return m[1, 0] * m[0, 1] + np.sum(m)


def test_constant_and_list_specs_match_fd():
    x = np.array([0.7, -1.3])
    for fn in (float_then_array, small_vector_from_numbers, rows_from_vectors):
        _check(fn, (x,), 0)
    src = ast_ad.source(ast_ad.grad(small_vector_from_numbers), x)
    loop = src[src.index("_pop = _stack.pop"):]  # the adjoint sweep
    assert "unbroadcast" not in loop and "accum_index" not in loop  # v[i] are numbers
