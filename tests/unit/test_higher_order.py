"""Forward mode, vjp, Hessians, Jacobians and derivatives of any order."""

import numpy as np
import pytest

import ast_ad

from ..fd import fd_derivative, fd_directional, fd_jacobian


def poly(x):
    return 3.0 * x**4 - 2.0 * x**3 + x * x - 5.0 * x + 1.0


def x6(x):
    return x**6


def loop(x):
    s = 0.0
    p = x
    for i in range(5):
        p = np.sin(p) * 0.9 + x * 0.1
        s = s + p * p
    return s


def branch(x):
    if x > 1.0:
        y = x**4
    else:
        y = np.exp(x)
    return y * x


def leaf(a):
    return a * np.sin(a)


def node(a, b):
    return leaf(a) * b + leaf(b)


def calltree(x):
    return node(x, 2.0 * x)


def writes(x):
    y = np.zeros(3)
    for i in range(3):
        y[i] = x ** (i + 1)
    return np.sum(y * y)


def test_polynomial_derivatives_are_exact():
    d1 = ast_ad.grad(poly)
    d2 = ast_ad.grad(d1)
    d3 = ast_ad.grad(d2)
    x = 1.7
    assert d1(x) == pytest.approx(12 * x**3 - 6 * x**2 + 2 * x - 5, rel=1e-14)
    assert d2(x) == pytest.approx(36 * x**2 - 12 * x + 2, rel=1e-14)
    assert d3(x) == pytest.approx(72 * x - 12, rel=1e-14)


def test_fourth_derivative_of_x6_is_exact():
    d = x6
    for _ in range(4):
        d = ast_ad.grad(d)
    assert d(2.0) == 360.0 * 4.0
    assert type(d(2.0)) is float


def test_grad_of_grad_differentiates_the_gradient_not_f():
    g1 = ast_ad.grad(poly)
    g2 = ast_ad.grad(g1)
    assert g1(1.3) != g2(1.3)
    assert g2(1.3) == pytest.approx(fd_derivative(g1, 1.3, eps=1e-5), rel=1e-7)
    assert "_deriv" in ast_ad.source(g2, 1.3)


@pytest.mark.parametrize("f,x", [(loop, 0.5), (branch, 1.5), (branch, 0.5), (calltree, 0.7),
                                 (writes, 0.8)])
def test_higher_orders_through_control_flow_calls_and_writes(f, x):
    d1 = ast_ad.grad(f)
    d2 = ast_ad.grad(d1)
    d3 = ast_ad.grad(d2)
    d4 = ast_ad.grad(d3)
    for lo, hi in ((d1, d2), (d2, d3), (d3, d4)):
        assert hi(x) == pytest.approx(fd_derivative(lo, x, eps=1e-5), rel=1e-6, abs=1e-6)


def test_jvp_matches_finite_differences_and_gradient():
    def f(x, y):
        return np.sum(np.sin(x) * y + x * x)

    x, y = np.array([0.3, -1.2, 2.0]), np.array([1.5, 0.2, -0.7])
    v = np.array([0.2, -0.4, 1.0])
    value, t = ast_ad.jvp(f, (x, y), (v, None))
    assert value == pytest.approx(f(x, y))
    assert t == pytest.approx(np.dot(ast_ad.grad(f)(x, y), v), rel=1e-12)
    assert t == pytest.approx(fd_directional(f, (x, y), 0, v), rel=1e-6)


def test_jvp_of_vector_function_through_a_loop():
    def f(x):
        out = x
        for i in range(3):
            out = np.tanh(out) * 1.5 + x
        return out

    x, v = np.array([0.3, -0.1]), np.array([1.0, 2.0])
    value, t = ast_ad.jvp(f, (x,), (v,))
    np.testing.assert_allclose(t, fd_directional(f, (x,), 0, v), rtol=1e-6)
    np.testing.assert_allclose(value, f(x))


def test_forward_source_is_commented():
    src = ast_ad.pipeline.CALLEES.jvp_for(loop, ["x"], {"x": float},
                                        ast_ad.default_registry).source
    assert "dp" in src and "# p = np.sin(p) * 0.9 + x * 0.1" in src


def test_derivative_function():
    d = ast_ad.derivative(poly)
    assert d(0.5) == pytest.approx(12 * 0.125 - 6 * 0.25 + 1.0 - 5, rel=1e-14)


def test_vjp_of_a_non_scalar_output():
    def f(x, w):
        return np.tanh(x @ w)

    x, w = np.random.default_rng(0).random((3, 4)), np.random.default_rng(1).random((4, 2))
    value, back = ast_ad.vjp(f, x, w, wrt=1)
    np.testing.assert_allclose(value, f(x, w))
    ct = np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0]])
    g = back(ct)
    expect = ast_ad.grad(lambda w_: np.sum(np.tanh(x @ w_) * ct))(w)
    np.testing.assert_allclose(g, expect, rtol=1e-12)


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def rosen_hess(x):
    n = x.size
    H = np.zeros((n, n))
    for i in range(n - 1):
        H[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        H[i, i + 1] += -400 * x[i]
        H[i + 1, i] += -400 * x[i]
        H[i + 1, i + 1] += 200
    return H


def test_hessian_of_rosenbrock_matches_closed_form():
    x = np.array([1.2, 0.8, 1.1, -0.3])
    np.testing.assert_allclose(ast_ad.hessian(rosenbrock)(x), rosen_hess(x), rtol=1e-12)


def test_hvp_matches_differences_of_gradients_on_300_elements():
    def f(x):
        return np.sum(np.sin(x) * x**2) + np.sum(x) ** 2 / 10.0

    rng = np.random.default_rng(3)
    x, v = rng.standard_normal(300), rng.standard_normal(300)
    g = ast_ad.grad(f)
    np.testing.assert_allclose(ast_ad.hvp(f, (x,), v), fd_directional(g, (x,), 0, v, eps=1e-5),
                               rtol=1e-6, atol=1e-6)


def test_hessian_through_loop_call_and_writes():
    def vec(w):
        h = np.zeros(3)
        for t in range(4):
            h = np.tanh(w * h + 0.5)
        y = np.zeros(3)
        for i in range(3):
            y[i] = w[i] * leaf(w[(i + 1) % 3])
        return np.sum(h**2) + np.sum(y**2)

    w = np.array([0.3, -0.2, 0.5])
    H = ast_ad.hessian(vec)(w)
    g = ast_ad.grad(vec)
    Hfd = fd_jacobian(g, w, eps=1e-5)
    np.testing.assert_allclose(H, Hfd, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(H, H.T, atol=1e-12)


def test_jacobian_forward_and_reverse_agree():
    def f(x):
        return np.sin(x) * x[0] + np.cumsum(x) ** 2

    x = np.array([1.0, 2.0, -0.5])
    jf = ast_ad.jacobian(f, mode="forward")(x)
    jr = ast_ad.jacobian(f, mode="reverse")(x)
    assert jf.shape == (3, 3)
    np.testing.assert_allclose(jf, jr, rtol=1e-12)
    np.testing.assert_allclose(jf, fd_jacobian(f, x), rtol=1e-6)


def test_check_grad_orders_and_modes():
    ast_ad.check_grad(poly, 0.7, order=2)
    ast_ad.check_grad(lambda x: np.sum(np.sin(x) ** 2), np.array([0.2, 0.4]),
                      modes=("fwd", "rev"))


def test_defjvp_rule_is_used_by_forward_mode():
    reg = ast_ad.Registry(ast_ad.default_registry)

    def cube(x):
        return x**3

    def cube_vjp(g, ans, x):
        return g * 3.0 * x * x

    def cube_jvp(t, ans, x):
        return t * 3.0 * x * x

    reg.defvjp(cube, cube_vjp)
    reg.defjvp(cube, cube_jvp)

    def f(x):
        return cube(x) + x

    assert ast_ad.jvp(f, (2.0,), (1.0,), registry=reg)[1] == pytest.approx(13.0)


def test_source_shows_forward_mode_code():
    src = ast_ad.source(loop, 0.5, mode="forward")
    assert "def loop_jvp(x, *, dx):" in src
    assert "# p = np.sin(p) * 0.9 + x * 0.1" in src and "_push" not in src
