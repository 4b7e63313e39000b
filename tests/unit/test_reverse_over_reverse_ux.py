"""Reverse over reverse (``jacobian(grad(f), mode="reverse")``, ``vjp(grad(f), ...)``):
lists and ``np.concatenate`` give correct second derivatives or a refusal at the user's
line that says what works instead."""

import numpy as np
import pytest

import ast_ad
from tests.fd import fd_jacobian

X = np.array([1.0, 2.0, -0.5])


def concat(x):
    return np.sum(np.concatenate([x, x * x]) ** 2)  # sum x**2 + x**4


def stacked(x):
    return np.sum(np.stack([x, x * x]) ** 2)


def concat_weighted(x):
    y = np.concatenate([np.sin(x), x * x, [2.0]])
    return np.sum(y * np.arange(1.0, 8.0))


@pytest.mark.parametrize("f", [concat, stacked])
def test_concatenate_and_stack_reverse_over_reverse_closed_form(f):
    h = ast_ad.jacobian(ast_ad.grad(f), mode="reverse")(X)
    np.testing.assert_allclose(h, np.diag(2.0 + 12.0 * X ** 2), rtol=1e-12)


def test_concatenate_reverse_over_reverse_against_finite_differences():
    g = ast_ad.grad(concat_weighted)
    h = ast_ad.jacobian(g, mode="reverse")(X)
    np.testing.assert_allclose(h, fd_jacobian(g, X), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(h, ast_ad.hessian(concat_weighted)(X), rtol=1e-12)


def builds_list(x):
    xs = []
    for i in range(3):
        xs.append(x * i)
    return np.sum(xs[1] * x + xs[2])


FIRST, LAST = builds_list.__code__.co_firstlineno, builds_list.__code__.co_firstlineno + 4


def test_list_appends_reverse_over_reverse_is_refused_at_the_users_line():
    with pytest.raises(ast_ad.AstAdError) as ei:
        ast_ad.jacobian(ast_ad.grad(builds_list), mode="reverse")(X)
    e = ei.value
    assert e.filename == __file__ and FIRST < e.lineno <= LAST
    assert "<ast_ad-" not in str(e)
    assert "reverse over reverse" in str(e) and "ast_ad.hessian(builds_list)" in str(e)
    # ... and what it suggests works (d/dx of 2x + 2 = 2 on the diagonal)
    np.testing.assert_allclose(ast_ad.hessian(builds_list)(X), 2.0 * np.eye(3))
    np.testing.assert_allclose(ast_ad.jacobian(ast_ad.grad(builds_list))(X), 2.0 * np.eye(3))
