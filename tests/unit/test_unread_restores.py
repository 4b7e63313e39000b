"""Restores the adjoint never reads are dropped with their pushes (passes/reverse/
unread_restores.py), also those of a name read only ahead of the loop restoring it: the
RK4 state ``y`` is read by the output's adjoint with its last forward value, and the
reversed loop reads only the helpers' records."""

import numpy as np

import ast_ad
from benchmarks import workloads as W
from tests.fd import assert_close, fd_grad


def rk4ish(theta, y0):
    y = y0
    for t in range(5):
        k1 = W._w9_rhs(y, theta)
        k2 = W._w9_rhs(y + 0.005 * k1, theta)
        y = y + 0.01 * (k1 + k2)
    return y[0] * y[0] + y[1] * y[1]


def read_after(theta, y0):  # y read after its loop's adjoint too: its restores stay
    y = y0 * 1.0
    z = np.sum(y * theta * theta)  # (its adjoint reads the restored first y)
    for t in range(5):
        k1 = W._w9_rhs(y, theta)
        y = y + 0.01 * k1
    return y[0] * y[1] + z


def _fwd(src):
    return src.split("_pop = _stack.pop")[0]


def test_state_read_ahead_of_its_loop_is_not_pushed():
    theta, y0 = np.array([1.2, 0.7]), np.array([0.5, -0.3])
    g = ast_ad.grad(rk4ish, wrt=(0, 1))
    fwd = _fwd(ast_ad.source(g, theta, y0))
    assert "(y)" not in fwd and "shape_token(y)" not in fwd
    got = g(theta, y0)
    for k in (0, 1):
        assert_close(got[k], fd_grad(rk4ish, (theta, y0), k), 1e-6, 1e-8)


def test_gradients_where_the_state_is_kept():
    theta, y0 = np.array([1.2, 0.7]), np.array([0.5, -0.3])
    g = ast_ad.grad(read_after, wrt=(0, 1))
    assert "(y)" in _fwd(ast_ad.source(g, theta, y0))
    got = g(theta, y0)
    for k in (0, 1):
        assert_close(got[k], fd_grad(read_after, (theta, y0), k), 1e-6, 1e-8)
