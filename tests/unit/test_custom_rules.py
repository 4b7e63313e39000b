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
