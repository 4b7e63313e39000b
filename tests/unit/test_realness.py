"""The output check ``check_real`` is dropped only where the output cannot be complex,
and a complex output is still refused wherever it can arise."""

import math

import numpy as np
import pytest

import ast_ad
from tests.fd import fd_grad


def logistic(w, X, y):
    m = y * np.dot(X, w)
    return np.mean(np.log1p(np.exp(-m)))


def scalar_pow(x):
    return x ** 0.5  # a negative Python float gives a complex number


def via_fft(x):
    return np.sum(np.fft.fft(x))


def complex_param(z):
    return np.sum(z * z)


def math_mix(x):
    return math.sin(x) * math.exp(x) + abs(x) ** 3


def _source(f, *args):
    g = ast_ad.grad(f)
    g(*args)
    return ast_ad.source(g)


def test_a_real_loss_has_no_output_check_and_no_unread_output():
    rng = np.random.default_rng(0)
    w, X, y = rng.normal(size=3), rng.normal(size=(5, 3)), np.sign(rng.normal(size=5))
    src = _source(logistic, w, X, y)
    code = [ln for ln in src.splitlines() if not ln.strip().startswith("#")]
    assert not any("check_real" in ln or "log1p(" in ln for ln in code)
    np.testing.assert_allclose(ast_ad.grad(logistic)(w, X, y),
                               fd_grad(logistic, (w, X, y)), rtol=1e-6)


@pytest.mark.parametrize("f, arg", [
    (scalar_pow, -4.0),
    (via_fft, np.array([1.0, 2.0])),
    (complex_param, np.array([1.0 + 1j, 2.0])),
])
def test_where_the_output_may_be_complex_it_is_still_checked(f, arg):
    with pytest.raises(ast_ad.AstAdError, match="complex"):
        ast_ad.grad(f)(arg)


def test_an_integer_power_and_math_functions_are_real():
    assert "check_real" not in _source(math_mix, 0.7)
    np.testing.assert_allclose(ast_ad.grad(math_mix)(0.7), fd_grad(math_mix, (0.7,)),
                               rtol=1e-6)
