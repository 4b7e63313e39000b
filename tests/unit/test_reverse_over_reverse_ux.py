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


def comprehension_condition(x):
    s = np.sum(x ** 2)
    if all([v < 10 for v in x]):  # the gradient undoes the comprehension's appends
        s = s * 2.0
    return s


@pytest.mark.parametrize("f", [builds_list, comprehension_condition])
def test_list_appends_reverse_over_reverse_is_refused_at_the_users_line(f):
    # the gradient undoes the appends with bare pops whose values it does not keep (was
    # an IndexError for a list without adjoint)
    with pytest.raises(ast_ad.AstAdError) as ei:
        ast_ad.jacobian(ast_ad.grad(f), mode="reverse")(X)
    e = ei.value
    assert e.filename == __file__ and "<ast_ad-" not in str(e)
    assert f.__code__.co_firstlineno < e.lineno <= f.__code__.co_firstlineno + 4
    assert "reverse over reverse" in str(e) and f"ast_ad.hessian({f.__name__})" in str(e)


def test_what_the_list_refusal_suggests_works():
    np.testing.assert_allclose(ast_ad.hessian(builds_list)(X), 2.0 * np.eye(3))
    np.testing.assert_allclose(ast_ad.jacobian(ast_ad.grad(builds_list))(X), 2.0 * np.eye(3))
    np.testing.assert_allclose(ast_ad.hessian(comprehension_condition)(X), 4.0 * np.eye(3))


def test_a_refusal_in_reverse_over_reverse_names_the_users_line_and_what_works():
    def uses_a_lambda_value(x):
        return np.sum((lambda t: t * t)(x))

    with pytest.raises(ast_ad.AstAdError) as ei:  # refused already at first order ...
        ast_ad.grad(uses_a_lambda_value)(X)
    assert ei.value.filename == __file__ and "<ast_ad-" not in str(ei.value)


def bare_pop(x):
    xs = [x, 2.0]
    xs.append(x * x)
    xs.pop()
    return np.sum(xs[0] * x) * len(xs)  # 2 sum(x**2)


def test_a_bare_pop_in_user_code_first_and_second_order():
    np.testing.assert_allclose(ast_ad.grad(bare_pop)(X), 4.0 * X, rtol=1e-12)
    np.testing.assert_allclose(ast_ad.jvp(bare_pop, (X,), (np.ones(3),))[1], 4.0 * X.sum())
    np.testing.assert_allclose(ast_ad.hessian(bare_pop)(X), 4.0 * np.eye(3), atol=1e-14)


# -- list adjoints stay aligned with their list when some popped entries get no adjoint --
def pops_an_unused_entry(x):
    xs = []
    xs.append(x * 2.0)
    xs.append(x * 3.0)
    c = xs.pop()  # noqa: F841  (never used: its adjoint is not kept)
    b = xs.pop()
    return b * b  # 4 x**2


def pops_mixed(x):
    xs = []
    xs.append(x * 2.0)
    xs.append(3.0)
    xs.append(x * x)
    c = xs.pop()
    d = xs.pop()
    b = xs.pop()
    return b * c + d  # 2 x**3 + 3


@pytest.mark.parametrize("f,d1,d2", [
    (pops_an_unused_entry, lambda x: 8.0 * x, lambda x: 8.0),
    (pops_mixed, lambda x: 6.0 * x * x, lambda x: 12.0 * x)])
def test_list_pops_first_and_second_order_closed_form(f, d1, d2):
    x = 1.5
    assert ast_ad.grad(f)(x) == pytest.approx(d1(x), rel=1e-12)
    assert ast_ad.jvp(f, (x,), (1.0,))[1] == pytest.approx(d1(x), rel=1e-12)
    assert ast_ad.grad(ast_ad.grad(f))(x) == pytest.approx(d2(x), rel=1e-12)
    assert ast_ad.hessian(f)(x) == pytest.approx(d2(x), rel=1e-12)


def ring(x):
    s = 0.0
    for i in range(3):
        s = s + x[i] * x[(i + 1) % 3]
    return s


def horner(x):
    s, k = 1.0, 0
    while k < 3:
        s = s * x[k] + 1.0
        k += 1
    return s


@pytest.mark.parametrize("f", [ring, horner])
def test_loops_reverse_over_reverse_against_finite_differences(f):
    # the gradient's loop stack holds entries without adjoints (integer indices, shape
    # tokens): their adjoint slots must not shift the others (was silently wrong)
    g = ast_ad.grad(f)
    h = ast_ad.jacobian(g, mode="reverse")(X)
    np.testing.assert_allclose(h, fd_jacobian(g, X), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(h, ast_ad.hessian(f)(X), rtol=1e-12, atol=1e-14)


def test_ring_reverse_over_reverse_closed_form():
    g = ast_ad.grad(ring)
    want = np.ones((3, 3)) - np.eye(3)
    np.testing.assert_allclose(ast_ad.jacobian(g, mode="reverse")(X), want, atol=1e-14)


# -- functions writing into arrays: reverse over reverse is refused (it was seen wrong) ----
def writes_rows(x):
    y = np.copy(x)
    y[1] = y[1] * 2.0
    y[0] = y[0] ** 2  # sum(y * x) = x0**3 + 2 x1**2 + x2**2
    return np.sum(y * x)


WRITE_LINE = writes_rows.__code__.co_firstlineno + 2


def _writes_in_helper(v):
    w = v * 1.0
    w[0] = w[0] ** 2
    return np.sum(w * w)


def calls_a_writer(x):
    return _writes_in_helper(x) + np.sum(x)


@pytest.mark.parametrize("f", [writes_rows, calls_a_writer])
def test_reverse_over_reverse_of_array_writes_is_refused_and_forward_over_reverse_works(f):
    g = ast_ad.grad(f)
    with pytest.raises(ast_ad.UnsupportedConstructError, match="writes into an array") as ei:
        ast_ad.jacobian(g, mode="reverse")(X)
    assert ei.value.filename == __file__
    if f is writes_rows:
        assert ei.value.lineno == WRITE_LINE
    assert f"ast_ad.hessian({f.__name__})" in str(ei.value)
    h = ast_ad.hessian(f)(X)
    np.testing.assert_allclose(h, fd_jacobian(g, X), rtol=1e-6, atol=1e-8)
    if f is writes_rows:
        np.testing.assert_allclose(h, np.diag([6.0 * X[0], 4.0, 2.0]), rtol=1e-12)
