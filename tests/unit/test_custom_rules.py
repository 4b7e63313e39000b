"""custom_vjp / custom_jvp in JAX's form: the transformer, the tape and forward mode."""

import numpy as np
import pytest

import ast_ad
from ast_ad import tape


@ast_ad.custom_vjp
def clip_gradient(x):
    return x


clip_gradient.defvjp(lambda x: (x, None), lambda res, g: (np.clip(g, -1.0, 1.0),))


def loss(x):
    return np.sum(clip_gradient(x) * 5.0)


@ast_ad.custom_jvp
def f(x, y):
    return np.sin(x) * y


@f.defjvp
def f_jvp(primals, tangents):
    (x, y), (tx, ty) = primals, tangents
    return f(x, y), np.cos(x) * y * tx + np.sin(x) * ty


def h(x, y):
    return f(x, y) * 2.0


def hv(x):
    return np.sum(f(x, 3.0))


def test_custom_vjp_in_transformer_and_tape():
    x = np.array([0.5, -2.0])
    np.testing.assert_allclose(ast_ad.grad(loss)(x), [1.0, 1.0])
    np.testing.assert_allclose(tape.grad(loss)(x), [1.0, 1.0])
    assert clip_gradient(3.0) == 3.0


def test_custom_jvp_forward_and_reverse():
    want = (2 * np.cos(0.3) * 2.0, 2 * np.sin(0.3))
    np.testing.assert_allclose(ast_ad.grad(h, wrt=(0, 1))(0.3, 2.0), want)
    np.testing.assert_allclose(tape.grad(h, wrt=(0, 1))(0.3, 2.0), want)
    y, t = ast_ad.jvp(h, (0.3, 2.0), (1.0, 0.0))
    assert np.isclose(y, 2 * np.sin(0.3) * 2.0) and np.isclose(t, want[0])
    x = np.array([0.1, 0.7])
    np.testing.assert_allclose(ast_ad.grad(hv)(x), 3.0 * np.cos(x))


def test_bwd_must_return_a_tuple():
    @ast_ad.custom_vjp
    def bad(x):
        return x

    bad.defvjp(lambda x: (x, None), lambda res, g: g)

    def use(x):
        return bad(x) * 2.0

    with pytest.raises(TypeError, match="tuple of cotangents"):
        ast_ad.grad(use)(1.0)


# -- a user rule's result is checked: shaped like its argument, real, numeric --------------
def _scaled(x, s):
    return x * s


def _scaled_vjp_s_wrong(g, ans, x, s):
    return g * x  # an array for the scalar s: must be np.sum(g * x)


ast_ad.defvjp(_scaled, lambda g, ans, x, s: g * s, _scaled_vjp_s_wrong)
ast_ad.defjvp(_scaled, lambda t, ans, x, s: t * s, lambda t, ans, x, s: t)  # t: not broadcast


def _uses_scaled(x, s):
    return np.sum(_scaled(x, s))


def test_a_user_vjp_of_the_wrong_shape_is_an_error_naming_the_rule():
    x = np.array([1.0, 2.0, 3.0])
    for engine in (ast_ad.grad, tape.grad):
        with pytest.raises(ast_ad.AstAdError, match=r"_scaled_vjp_s_wrong \(argument 1 of "
                           r"_scaled\).*shape \(3,\) for an argument of shape \(\)"):
            engine(_uses_scaled, wrt=(0, 1))(x, 2.0)
    # the argument with a right rule alone is fine
    np.testing.assert_allclose(ast_ad.grad(_uses_scaled)(x, 2.0), [2.0, 2.0, 2.0])


def test_a_user_jvp_of_the_wrong_shape_is_an_error():
    x = np.array([1.0, 2.0, 3.0])
    with pytest.raises(ast_ad.AstAdError, match=r"tangent of shape \(\) for a result of "
                       r"shape \(3,\)"):
        ast_ad.jvp(_uses_scaled, (x, 2.0), (np.zeros(3), 1.0))


def _halve(x):
    return x / 2.0


def _halve_vjp_complex(g, ans, x):
    return g * (0.5 + 0j)


def test_a_complex_or_non_numeric_cotangent_for_a_real_value_is_an_error():
    reg = ast_ad.Registry(ast_ad.default_registry)
    reg.defvjp(_halve, _halve_vjp_complex)
    with pytest.raises(ast_ad.AstAdError, match="complex cotangent for a real value"):
        ast_ad.grad(lambda x: _halve(x) * 3.0, registry=reg)(1.0)
    reg.defvjp(_halve, lambda g, ans, x: "half")
    with pytest.raises(ast_ad.AstAdError, match="returned str"):
        ast_ad.grad(lambda x: _halve(x) * 3.0, registry=reg)(1.0)


def test_custom_vjp_cotangents_are_checked():
    @ast_ad.custom_vjp
    def double(x):
        return 2.0 * x

    def bwd_wrong(res, g):
        return (np.sum(g),)

    double.defvjp(lambda x: (double(x), None), bwd_wrong)
    x = np.array([1.0, 2.0])
    with pytest.raises(ast_ad.AstAdError, match=r"bwd_wrong \(argument 0 of custom_vjp"):
        ast_ad.grad(lambda x: np.sum(double(x)))(x)
    double.defvjp(lambda x: (double(x), None), lambda res, g: (g, g))
    with pytest.raises(ast_ad.AstAdError, match=r"2 cotangent\(s\) for 1 positional"):
        ast_ad.grad(lambda x: np.sum(double(x)))(x)
    double.defvjp(lambda x: (double(x), None), lambda res, g: (2.0 * g,))
    np.testing.assert_allclose(ast_ad.grad(lambda x: np.sum(double(x)))(x), [2.0, 2.0])


def _cube(x):
    return x ** 3


ast_ad.defvjp(_cube, lambda g, ans, x: g * 3.0 * x * x)
ast_ad.defjvp(_cube, lambda t, ans, x: t * 3.0 * x * x)


def test_a_right_user_rule_still_works_at_second_order():
    assert ast_ad.grad(_cube)(2.0) == pytest.approx(12.0)
    assert ast_ad.grad(ast_ad.grad(lambda x: _cube(x) * 1.0))(2.0) == pytest.approx(12.0)
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(ast_ad.grad(lambda x: np.sum(_cube(x)))(x), [3.0, 12.0])
