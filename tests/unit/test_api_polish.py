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
