"""API polish: version, typing marker, clear errors for common slips."""

import os

import numpy as np
import pytest

import ast_ad


def test_version_and_py_typed():
    assert isinstance(ast_ad.__version__, str) and ast_ad.__version__.count(".") >= 1
    assert os.path.exists(os.path.join(os.path.dirname(ast_ad.__file__), "py.typed"))


def test_grad_of_a_non_function_is_a_clear_error():
    with pytest.raises(TypeError, match="differentiates a function, not int 42"):
        ast_ad.grad(42)
    with pytest.raises(ast_ad.AstAdError):
        ast_ad.value_and_grad("f")


def _f(x):
    return np.sum(np.sin(x))


def test_jvp_and_hvp_want_tuples():
    x = np.ones(2)
    with pytest.raises(ast_ad.AstAdError, match=r"jvp\(f, \(x,\), \(v,\)\)"):
        ast_ad.jvp(_f, x, x)
    with pytest.raises(ast_ad.AstAdError, match=r"hvp\(f, \(x,\), v\)"):
        ast_ad.hvp(_f, x, x)
    y, t = ast_ad.jvp(_f, (x,), (x,))
    assert np.isclose(t, np.sum(np.cos(x)))


def _quartic_sin(x):
    return x**4 * np.sin(x)


def test_derivative_functions_can_be_differentiated_by_every_api():
    # grad/jvp of ast_ad.derivative(h) used to parse ast_ad's own jvp and fail
    from ..fd import fd_derivative

    d, h = ast_ad.derivative, _quartic_sin
    d2 = fd_derivative(d(h), 0.7)
    assert d2 == pytest.approx(12 * 0.49 * np.sin(0.7) + 8 * 0.343 * np.cos(0.7)
                               - 0.7**4 * np.sin(0.7), rel=1e-6)
    assert ast_ad.grad(d(h))(0.7) == pytest.approx(d2, rel=1e-6)
    assert ast_ad.value_and_grad(d(h))(0.7)[1] == pytest.approx(d2, rel=1e-6)
    assert ast_ad.jvp(d(h), (0.7,), (2.0,))[1] == pytest.approx(2 * d2, rel=1e-6)
    d3 = fd_derivative(ast_ad.grad(d(h)), 0.7)
    assert ast_ad.hessian(d(h))(0.7) == pytest.approx(d3, rel=1e-6)
    assert ast_ad.grad(d(d(h)))(0.7) == pytest.approx(d3, rel=1e-6)


def _tanh_loss(W, x):
    h = W @ x
    return np.sum(np.tanh(h))


def test_source_without_args_shows_the_specialisation_that_ran():
    g = ast_ad.grad(_tanh_loss)
    assert "# specialised for W: float, x: float" in ast_ad.source(g).splitlines()[1]
    W, x = np.ones((2, 3)), np.ones(3)
    g(W, x)  # only arrays ran: source(g) shows that code, named as such
    src = ast_ad.source(g)
    assert "# specialised for W: ndarray[float64, no dim of length 1], x: ndarray[float64, " \
        "no dim of length 1]" in src.splitlines()[1]
    assert src.split("\n", 2)[2] == ast_ad.source(g, W, x).split("\n", 1)[1]
    assert "fix_array" in src and "is float" not in src
