"""A derivative found undefined while the gradient runs (repeated eigenvalues, a
rank-deficient fit) is an AstAdError naming the user's line, and still a
NotImplementedError for code that caught that before."""

import numpy as np
import pytest

import ast_ad
from ast_ad.errors import AstAdError, UndefinedDerivativeError


def repeated_eigenvalues(a):
    lam = np.linalg.eigvals(a)
    return np.sum(np.real(lam))


def test_undefined_derivative_names_the_users_line():
    g = ast_ad.grad(repeated_eigenvalues)
    with pytest.raises(UndefinedDerivativeError) as info:
        g(np.eye(3))
    err = info.value
    assert isinstance(err, AstAdError) and isinstance(err, NotImplementedError)
    assert err.filename == __file__
    assert err.lineno == repeated_eigenvalues.__code__.co_firstlineno + 1
    assert any("repeated_eigenvalues" in n for n in getattr(err, "__notes__", []))


def test_distinct_eigenvalues_still_differentiate():
    a = np.array([[2.0, 1.0, 0.0], [0.5, 3.0, 0.2], [0.0, 0.1, 5.0]])
    g = ast_ad.grad(repeated_eigenvalues)(a)
    # d(sum of eigenvalues) = d(trace) = identity
    np.testing.assert_allclose(g, np.eye(3), atol=1e-9)
