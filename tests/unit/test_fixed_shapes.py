"""Fixed shapes (ir.lattice ``Shape.fixed``, analysis/shapes.py): ``np.array([a, b])`` of
numbers has shape (2,), a user function returning one gives its callers that shape, and
``unbroadcast``/``shape_token`` vanish between such vectors -- but not where an operand's
shape is not proven (a (1,) vector broadcast against a (2,) one)."""

import numpy as np
import pytest

import ast_ad
from tests.fd import assert_close, fd_grad
from tests.modes import check_both_modes


def rhs(y, theta):
    return np.array([y[1], theta[0] * (1.0 - y[0] * y[0]) * y[1] - theta[1] * y[0]])


def rk4(theta, y0):
    y = y0
    h = 0.05
    for t in range(20):
        k1 = rhs(y, theta)
        k2 = rhs(y + 0.5 * h * k1, theta)
        k3 = rhs(y + 0.5 * h * k2, theta)
        k4 = rhs(y + h * k3, theta)
        y = y + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return y[0] * y[0] + y[1] * y[1]


def pair_times(v, a):
    p = np.array([a[0], a[1] * a[1]])
    return np.sum(p * v)             # v may be (1,) or (2,): p * v broadcasts


def pair_plus_column(m, a):
    p = np.array([a[0], 2.0 * a[1]])
    return np.sum((p + m) ** 2)      # m (3, 1): (3, 2), m's adjoint summed over columns


def test_rk4_against_fd_and_structure():
    theta, y0 = np.array([1.3, 0.7]), np.array([0.4, -0.2])
    g = ast_ad.grad(rk4, wrt=(0, 1))
    gt, gy = g(theta, y0)
    assert_close(gt, fd_grad(rk4, (theta, y0), 0), 1e-6, 1e-6)
    assert_close(gy, fd_grad(rk4, (theta, y0), 1), 1e-6, 1e-6)
    src = ast_ad.source(g)
    loop = src.split("_pop = _stack.pop")[1].split("loop_tape(")[1].split("return")[0]
    assert "shape_token" not in src.split("_pop = _stack.pop")[0]
    # y0 has no dimension of length 1 (analysis/long_dims.py): y keeps its shape, no sums
    assert loop.count("unbroadcast(") == 0
    assert "k1 = _pop()" not in loop  # k1 was kept for nothing but its shape
    # the code for a y0 that may be a (1,) vector sums y's own cotangent down: 4 per step
    src = ast_ad.source(g, theta, np.ones(1))
    loop = src.split("_pop = _stack.pop")[1].split("# for t in range(20)")[1].split("return")[0]
    assert loop.count("unbroadcast(") == 4


def grow(y0, a):
    y = y0
    for t in range(3):
        d = np.array([a[0] * y[0], a[1]])  # (2,)
        y = y + 0.5 * d                    # a (1,) start becomes (2,) here
    return np.sum(y * y)


@pytest.mark.parametrize("n", [1, 2])
def test_a_length_one_start_broadcasts(n):
    y0, a = np.linspace(0.4, 0.9, n), np.array([1.3, 0.7])
    g = ast_ad.grad(grow, wrt=(0, 1))
    gy, ga = g(y0, a)
    assert gy.shape == (n,)
    assert_close(gy, fd_grad(grow, (y0, a), 0), 1e-6, 1e-6)
    assert_close(ga, fd_grad(grow, (y0, a), 1), 1e-6, 1e-6)


@pytest.mark.parametrize("n", [1, 2])
def test_broadcast_against_an_unproven_shape(n):
    v, a = np.linspace(0.5, 1.5, n), np.array([0.3, -1.1])
    g = ast_ad.grad(pair_times, wrt=(0, 1))
    gv, ga = g(v, a)
    assert gv.shape == (n,)
    assert_close(gv, fd_grad(pair_times, (v, a), 0), 1e-6, 1e-6)
    assert_close(ga, fd_grad(pair_times, (v, a), 1), 1e-6, 1e-6)


def test_fixed_shape_against_a_column():
    m, a = np.array([[0.1], [0.2], [-0.3]]), np.array([0.3, -1.1])
    g = ast_ad.grad(pair_plus_column, wrt=(0, 1))
    gm, ga = g(m, a)
    assert gm.shape == (3, 1)
    assert_close(gm, fd_grad(pair_plus_column, (m, a), 0), 1e-6, 1e-6)
    assert_close(ga, fd_grad(pair_plus_column, (m, a), 1), 1e-6, 1e-6)


def both(a):
    p = rhs(a, np.array([0.5, 2.0]))
    return p[0] * p[1] + np.sum(p * a)


def test_both_modes_through_a_callee_with_fixed_shape():
    rng = np.random.default_rng(7)
    check_both_modes(both, rng.standard_normal(2), rng.standard_normal(2))
