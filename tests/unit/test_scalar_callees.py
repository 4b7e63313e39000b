"""Helpers called on float64 numbers are generated for numbers (Callees.split_for: a
0-d spec becomes the np.float64 kind): no unbroadcast, add_grads or shape pushes in
their scalar loops; math.* results are float64 numbers to the element facts; an
argument of no known spec (an int a helper returned) leaves the others known."""

import math

import numpy as np

import ast_ad
from tests.fd import assert_close, fd_grad


def seg(y, c, m):
    for i in range(m):
        y = c * y + 0.001 * math.sin(y)
    return y


def steps(n):
    return max(1, n // 3)


def split(y, c, n):
    m = steps(n)           # an int the facts do not know
    for k in range(3):
        y = seg(y, c, m)
    return y


def wrap(y, c):
    z = np.asarray(y)      # a 0-d array, not a number: the helper gets the generic form
    return seg(z, c, 4) * 2.0


def test_scalar_helper_is_specialised():
    g = ast_ad.grad(split, wrt=(0, 1))
    a = (0.5, 0.9, 12)
    gy, gc = g(*a)
    assert_close(gy, fd_grad(split, a, 0), 1e-6, 1e-6)
    assert_close(gc, fd_grad(split, a, 1), 1e-6, 1e-6)
    helper = ast_ad.source(g).split("def seg_bwd")[1]
    assert "unbroadcast" not in helper and "add_grads" not in helper
    assert "shape_token" not in ast_ad.source(g)


def test_zero_d_array_argument_still_right():
    g = ast_ad.grad(wrap, wrt=(0, 1))
    gy, gc = g(0.5, 0.9)
    assert_close(gy, fd_grad(wrap, (0.5, 0.9), 0), 1e-6, 1e-6)
    assert_close(gc, fd_grad(wrap, (0.5, 0.9), 1), 1e-6, 1e-6)


def test_np_float64_arguments():
    g = ast_ad.grad(split, wrt=(0, 1))
    a = (np.float64(0.5), np.float64(0.9), 12)
    gy, gc = g(*a)
    assert_close(gy, fd_grad(split, (0.5, 0.9, 12), 0), 1e-6, 1e-6)
    assert_close(gc, fd_grad(split, (0.5, 0.9, 12), 1), 1e-6, 1e-6)
