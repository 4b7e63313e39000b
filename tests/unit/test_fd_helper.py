"""tests/fd.py, the suite's finite-difference oracle, on functions with known derivatives."""

import math

import numpy as np
import pytest

from ..fd import fd_derivative, fd_directional, fd_grad, fd_jacobian


def f(x, w, d, ps):
    return x * x * np.sum(w**3) + d["a"] * math.sin(d["b"]) + ps[0] * ps[1][0]


X, W = 0.7, np.array([[0.5, -1.0], [2.0, 0.25]])
D, PS = {"a": 1.5, "b": 0.3, "tag": "x"}, [2.0, (3.0,)]
ARGS = (X, W, D, PS)


def test_every_structure_and_wrt_form():
    gx = 2 * X * np.sum(W**3)
    gw = 3 * X * X * W**2
    assert fd_grad(f, ARGS) == pytest.approx(gx, rel=1e-8)
    assert isinstance(fd_grad(f, ARGS, "x"), float)
    gx2, gw2 = fd_grad(f, ARGS, ("x", 1))
    assert gx2 == pytest.approx(gx, rel=1e-8)
    np.testing.assert_allclose(gw2, gw, rtol=1e-7)
    with pytest.raises(TypeError):  # the string leaf of the dict cannot be perturbed
        fd_grad(f, ARGS, 2)
    gd = fd_grad(lambda d: f(X, W, {**d, "tag": "x"}, PS), ({"a": 1.5, "b": 0.3},))
    assert set(gd) == {"a", "b"}
    assert gd["a"] == pytest.approx(math.sin(0.3), rel=1e-8)
    assert gd["b"] == pytest.approx(1.5 * math.cos(0.3), rel=1e-8)
    gps = fd_grad(f, ARGS, 3)
    assert isinstance(gps, list) and isinstance(gps[1], tuple)
    assert gps[0] == pytest.approx(3.0) and gps[1][0] == pytest.approx(2.0)
    assert len(fd_grad(lambda a, b: a * b, (2.0, 3), wrt=None)) == 2


def test_int_arguments_are_perturbed_as_floats_and_inputs_stay_intact():
    def g(k, v):
        v[0] += 1.0  # writes into its input: every evaluation gets a fresh copy
        return k * k * v[0]

    v = np.array([2.0])
    assert fd_grad(g, (3, v), 0) == pytest.approx(6 * 3.0, rel=1e-8)
    assert fd_grad(g, (3, v), 1)[0] == pytest.approx(9.0, rel=1e-8)
    assert v[0] == 2.0


def test_directional_jacobian_and_derivative():
    def h(x, y):
        return np.sin(x) * y

    x, y = np.array([0.3, -1.2]), np.array([1.5, 0.2])
    v = np.array([1.0, 2.0])
    np.testing.assert_allclose(fd_directional(h, (x, y), 0, v), np.cos(x) * y * v, rtol=1e-8)
    np.testing.assert_allclose(fd_directional(h, (x, y), (0, 1), (v, v)),
                               (np.cos(x) * y + np.sin(x)) * v, rtol=1e-8)
    np.testing.assert_allclose(fd_jacobian(lambda x: h(x, y), x), np.diag(np.cos(x) * y),
                               rtol=1e-8, atol=1e-10)
    J = fd_jacobian(lambda m: m.sum(axis=0), np.ones((2, 3)))
    assert J.shape == (3, 2, 3)
    assert fd_derivative(math.exp, 0.5) == pytest.approx(math.exp(0.5), rel=1e-8)
