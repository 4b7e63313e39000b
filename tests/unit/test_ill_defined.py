"""Points where a derivative is infinite or undefined but the function is defined: the
gradient is what NumPy (and autograd, JAX) give, ``inf`` or ``nan``, in every spelling
(``math.*``, ``np.*``, ``**``) and every mode (reverse, forward, the tape, second order),
never a ``ZeroDivisionError``. Where the function itself raises (``math.log(0.0)``), every
mode raises the same error."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import ast_ad
from ast_ad.rules import helpers as H


def _modes(f, x):
    """The derivative of f at the float x by the transformer, forward mode and the tape."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return (ast_ad.grad(f)(x), ast_ad.jvp(f, (x,), (1.0,))[1], ast_ad.tape.grad(f)(x))


def m_sqrt(x):
    return math.sqrt(x)


def n_sqrt(x):
    return np.sqrt(x)


def p_sqrt(x):
    return x ** 0.5


def m_pow(x):
    return math.pow(x, 0.5)


def n_log(x):
    return np.log(x)


def m_asin(x):
    return math.asin(x)


def n_arcsin(x):
    return np.arcsin(x)


def m_acosh(x):
    return math.acosh(x)


def m_hypot(x):
    return math.hypot(x, x)


def n_hypot(x):
    return np.hypot(x, x)


def m_atan2(x):
    return math.atan2(x, x)


def p_inv_sqrt_pow(x):
    return x ** 1.5 + x ** 0.25


@pytest.mark.parametrize("f, x, want", [
    (m_sqrt, 0.0, math.inf), (n_sqrt, 0.0, math.inf), (p_sqrt, 0.0, math.inf),
    (m_pow, 0.0, math.inf), (n_log, 0.0, math.inf), (m_asin, 1.0, math.inf),
    (n_arcsin, 1.0, math.inf), (m_acosh, 1.0, math.inf), (m_hypot, 0.0, math.nan),
    (n_hypot, 0.0, math.nan), (m_atan2, 0.0, math.nan), (p_inv_sqrt_pow, 0.0, math.inf),
])
def test_infinite_derivatives_are_inf_or_nan_in_every_spelling_and_mode(f, x, want):
    for got in _modes(f, x):
        assert float(got) == want or (math.isnan(want) and math.isnan(got)), (f, got)


def test_the_numpy_spelling_agrees_with_math_and_the_operator():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with np.errstate(all="ignore"):
            ref = np.float64(0.5) / np.sqrt(np.float64(0.0))
    assert {float(g) for f in (m_sqrt, n_sqrt, p_sqrt, m_pow) for g in _modes(f, 0.0)} == \
        {float(ref)}


def test_a_float_gradient_stays_a_python_float():
    g = ast_ad.grad(m_sqrt)
    assert type(g(0.0)) is float and type(g(4.0)) is float and g(4.0) == 0.25


def test_second_order_at_the_singular_point():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert ast_ad.grad(ast_ad.grad(m_sqrt))(0.0) == -math.inf
        assert ast_ad.grad(ast_ad.grad(m_sqrt))(4.0) == pytest.approx(-1 / 32)


def m_log(x):
    return math.log(x)


def m_atanh(x):
    return math.atanh(x)


def inverse(x):
    return x ** -1


def test_where_the_function_raises_every_mode_raises_its_error():
    """The forward value is kept (not dropped as unused) where it may raise, so the
    gradient does not invent a number at a point where the function has none."""
    for f, x, err in ((m_log, 0.0, ValueError), (m_log, -1.0, ValueError),
                      (m_atanh, 1.0, ValueError), (inverse, 0.0, ZeroDivisionError)):
        with pytest.raises(err):
            f(x)
        for engine in (lambda: ast_ad.grad(f)(x), lambda: ast_ad.jvp(f, (x,), (1.0,)),
                       lambda: ast_ad.tape.grad(f)(x)):
            with pytest.raises(err):
                engine()


def test_fdiv_and_fpow_follow_numpy():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert H.fdiv(1.0, 0.0) == math.inf and H.fdiv(-1.0, 0.0) == -math.inf
        assert math.isnan(H.fdiv(0.0, 0.0)) and type(H.fdiv(1.0, 0.0)) is float
        assert H.fpow(0.0, -0.5) == math.inf and H.fpow(1e-300, -2) == math.inf
        assert H.fpow(0, -1) == math.inf
    assert H.fdiv(3.0, 2.0) == 1.5 and H.fpow(2.0, 3) == 8.0
    a = np.array([1.0, 2.0])
    np.testing.assert_array_equal(H.fdiv(a, 2.0), a / 2.0)
