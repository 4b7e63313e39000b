"""User rules (defvjp, custom_vjp, custom_jvp) at higher order: right or refused.

Every second derivative is checked against finite differences of the first derivative
(itself checked against finite differences of the function)."""

import numpy as np
import pytest

import ast_ad
from ast_ad import tape

from ..fd import fd_derivative, fd_grad, fd_jacobian


def mysin(x):
    return np.sin(x)


def mysin_vjp(g, ans, x):  # one return expression: inlined, differentiated again
    return g * np.cos(x)


ast_ad.defvjp(mysin, mysin_vjp)


def mytanh(x):
    return np.tanh(x)


ast_ad.defvjp(mytanh, lambda g, ans, x: g * (1.0 - ans * ans))  # called, not inlined


@ast_ad.custom_vjp
def cube(x):
    return x**3


def cube_fwd(x):
    return cube(x), x


def cube_bwd(x, g):
    return (3.0 * x * x * g,)


cube.defvjp(cube_fwd, cube_bwd)


@ast_ad.custom_vjp
def scaled(x, k):
    return np.sin(x) * k


scaled.defvjp(lambda x, k: (scaled(x, k), (x, k)), lambda r, g: (np.cos(r[0]) * r[1] * g, None))


@ast_ad.custom_jvp
def sq(x):
    return x * x


@sq.defjvp
def sq_jvp(primals, tangents):
    return sq(primals[0]), 2.0 * primals[0] * tangents[0]


def f_sin(x):
    return np.sum(mysin(x) * x)


def f_tanh(x):
    return np.sum(mytanh(x) ** 2 * x)


def f_cube(x):
    return np.sum(cube(x) * np.sin(x))


def f_scaled(x):
    return np.sum(scaled(x, 3.0) ** 2)


CASES = [f_sin, f_tanh, f_cube, f_scaled]
X = np.array([0.3, -0.8, 1.1])


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_hessian_through_user_rules_matches_differences_of_the_gradient(f):
    g = ast_ad.grad(f)
    np.testing.assert_allclose(g(X), fd_grad(f, (X,)), rtol=1e-6, atol=1e-8)
    h = ast_ad.hessian(f)(X)
    np.testing.assert_allclose(h, fd_jacobian(g, X), rtol=1e-5, atol=1e-7)
    v = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(ast_ad.hvp(f, (X,), v), h @ v, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_grad_of_grad_and_reverse_over_reverse_through_user_rules(f):
    def s(x):
        return f(np.array([x, 0.4]))

    gs = ast_ad.grad(s)
    assert ast_ad.grad(gs)(0.7) == pytest.approx(fd_derivative(gs, 0.7), rel=1e-5)
    want = fd_jacobian(ast_ad.grad(f), X)
    got = ast_ad.jacobian(ast_ad.grad(f), mode="reverse")(X)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_scalar_hessian_of_custom_vjp_is_exact():
    assert ast_ad.hessian(cube)(2.0) == pytest.approx(12.0)
    assert ast_ad.grad(ast_ad.grad(cube))(-1.5) == pytest.approx(-9.0)


def test_forward_mode_uses_the_transposed_user_rule():
    # jvp of a function that only has a reverse rule: J t from the rule, not from the code
    def noisy(x):
        return x * 1.0

    reg = ast_ad.Registry(ast_ad.default_registry)
    reg.defvjp(noisy, lambda g, ans, x: g * 3.0)  # the user's (deliberate) derivative

    def f(x):
        return noisy(x) * 2.0

    assert ast_ad.jvp(f, (1.5,), (1.0,), registry=reg)[1] == pytest.approx(6.0)


@ast_ad.custom_jvp
def sinxy(x, y):
    return np.sin(x) * y


@sinxy.defjvp
def sinxy_jvp(primals, tangents):
    (x, y), (tx, ty) = primals, tangents
    return sinxy(x, y), np.cos(x) * y * tx + np.sin(x) * ty


def f_sq(x):
    return np.sum(sq(x) * x)


def f_sinxy(x):
    return np.sum(sinxy(x, x[::-1] ** 2) * x)


def f_sinxy_y(x):  # the array in the second argument only
    return np.sum(sinxy(0.7, x) ** 2)


JVP_CASES = [f_sq, f_sinxy, f_sinxy_y]


@pytest.mark.parametrize("f", JVP_CASES, ids=lambda f: f.__name__)
def test_custom_jvp_second_derivatives_match_differences_of_the_gradient(f):
    # the user's jvp is differentiated with respect to the primals by forward mode
    g = ast_ad.grad(f)
    np.testing.assert_allclose(g(X), fd_grad(f, (X,)), rtol=1e-6, atol=1e-8)
    want = fd_jacobian(g, X)
    h = ast_ad.hessian(f)(X)  # forward over reverse: the reverse rule's forward rules
    np.testing.assert_allclose(h, want, rtol=1e-5, atol=1e-7)
    v = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(ast_ad.hvp(f, (X,), v), h @ v, rtol=1e-10, atol=1e-12)
    rr = ast_ad.jacobian(g, mode="reverse")(X)  # reverse over reverse: their transposes
    np.testing.assert_allclose(rr, want, rtol=1e-5, atol=1e-7)


def test_custom_jvp_second_derivative_scalar_in_every_nesting():
    def s(x):
        return sinxy(x, x * x) + sq(x) * x  # x**2 sin(x) + x**3

    def want(x):
        return (2 - x * x) * np.sin(x) + 4 * x * np.cos(x) + 6 * x

    d = ast_ad.derivative
    for got in (ast_ad.hessian(s)(0.8), ast_ad.grad(ast_ad.grad(s))(0.8),
                d(d(s))(0.8), ast_ad.jvp(ast_ad.grad(s), (0.8,), (1.0,))[1]):
        assert got == pytest.approx(want(0.8), rel=1e-12)
    assert want(0.8) == pytest.approx(fd_derivative(ast_ad.grad(s), 0.8), rel=1e-6)


def test_custom_jvp_third_derivative_is_refused_clearly():
    g2 = ast_ad.grad(ast_ad.grad(sq))
    assert g2(0.5) == pytest.approx(2.0)
    with pytest.raises(ast_ad.AstAdError, match="third derivative through the custom_jvp "
                       "function `sq`"):
        ast_ad.grad(g2)(0.5)


def test_custom_jvp_reverse_rule_runs_on_the_tape_at_second_order():
    def f(x):
        return np.sum(sq(x) * x)

    def h(x):
        return np.sum(tape.grad(f)(x) * np.array([1.0, 2.0, 3.0]))

    want = fd_grad(h, (X,))
    np.testing.assert_allclose(tape.grad(h)(X), want, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(want, 6.0 * X * np.array([1.0, 2.0, 3.0]), rtol=1e-6)


def test_third_derivative_through_a_derived_forward_rule_is_refused():
    def s(x):
        return mysin(x) * x

    g2 = ast_ad.grad(ast_ad.grad(s))
    assert g2(0.7) == pytest.approx(fd_derivative(ast_ad.grad(s), 0.7), rel=1e-5)
    with pytest.raises(ast_ad.AstAdError, match="third derivative through `mysin`"):
        ast_ad.grad(g2)(0.7)


def test_nested_derivative():
    def p(x):
        return x**5

    d2 = ast_ad.derivative(ast_ad.derivative(p))
    assert d2(2.0) == pytest.approx(20.0 * 8.0)
    assert ast_ad.derivative(d2)(2.0) == pytest.approx(60.0 * 4.0)


def test_custom_jvp_rules_of_its_rules_match_differences():
    # each first-order rule of sinxy, differentiated in each primal, against differences
    reg = ast_ad.default_registry
    x, y = np.array([0.3, -0.4]), np.array([1.5, 0.2])
    t, s, u = np.array([0.7, -0.1]), np.array([1.0, 2.0]), np.array([-0.3, 0.9])
    ans = sinxy(x, y)
    for i in range(2):
        fwd, rev = reg.jvp(sinxy).rules[i], reg.vjp(sinxy).rules[i]
        for k in range(2):
            def moved(rule, first, e, k=k):
                args = [x, y]
                args[k] = args[k] + e * s
                return rule(first, ans, *args)

            want_f = fd_derivative(lambda e: moved(fwd, t, e), 0.0)
            want_r = fd_derivative(lambda e: moved(rev, u, e), 0.0)
            got_f = reg.jvp(fwd).rules[2 + k](s, None, t, ans, x, y)
            got_r = reg.jvp(rev).rules[2 + k](s, None, u, ans, x, y)
            np.testing.assert_allclose(got_f, want_f, rtol=1e-6, atol=1e-9)
            np.testing.assert_allclose(got_r, want_r, rtol=1e-6, atol=1e-9)
            # the reverse rules are their transposes: <w, J s> = <J^T w, s>
            w = np.array([0.4, -1.1])
            back_f = reg.vjp(fwd).rules[2 + k](w, None, t, ans, x, y)
            back_r = reg.vjp(rev).rules[2 + k](w, None, u, ans, x, y)
            assert np.dot(w, got_f) == pytest.approx(np.dot(back_f, s), rel=1e-10)
            assert np.dot(w, got_r) == pytest.approx(np.dot(back_r, s), rel=1e-10)
