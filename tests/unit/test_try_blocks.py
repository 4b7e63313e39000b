"""``try`` blocks that compute differentiated values: the adjoint replays the lines that
completed, then the handler, ``else`` and ``finally`` that ran (tries.py), against
finite differences, in reverse and forward mode."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ast_ad
from ast_ad.errors import AstAdError
from tests.fd import assert_close, fd_derivative, fd_grad

TOL = {"rtol": 1e-6, "atol_scale": 1e-7}


def csendes(x):
    try:
        return np.sum((x ** 6.0) * (2.0 + np.sin(1.0 / x)))
    except ZeroDivisionError:
        return np.nan


def damavandi(x):
    try:
        num = np.sin(np.pi * (x[0] - 2.0)) * np.sin(np.pi * (x[1] - 2.0))
        den = (np.pi ** 2) * (x[0] - 2.0) * (x[1] - 2.0)
        factor1 = 1.0 - (abs(num / den)) ** 5.0
        factor2 = 2 + (x[0] - 7.0) ** 2.0 + 2 * (x[1] - 7.0) ** 2.0
        return factor1 * factor2
    except ZeroDivisionError:
        return np.nan


def handler_path(x):
    """The handler computes from what the block bound before the exception."""
    y = x * 3.0
    try:
        y = math.sin(x) * 2.0
        z = y / (x - 1.0)  # raises at x == 1.0 (floats)
        out = z + y
    except ZeroDivisionError:
        out = y * y
    return out


def with_else_finally(x):
    acc = x
    try:
        a = math.exp(x)
    except ValueError:
        a = 0.0
    else:
        acc = acc * a
    finally:
        acc = acc + x * x
    return acc + a


def raises_in_block(x, k):
    try:
        a = x * x
        if k > 0:
            b = math.log(-x)  # ValueError for x > 0
        else:
            b = x
        c = a * b
    except ValueError:
        c = 5.0 * x
    return c


def caught_in_helper(x):
    return inner(x) + x


def inner(x):
    try:
        v = math.sqrt(x)
    except ValueError:
        v = -math.sqrt(-x)
    return v * x


def loop_try(xs):
    s = 0.0
    for v in xs:
        try:
            s = s + 1.0 / v
        except ZeroDivisionError:
            s = s + v * 7.0
    return s


@pytest.mark.parametrize("x", [np.array([0.3, -1.2, 2.0]), np.array([1.5, 0.7])])
def test_csendes(x):
    assert_close(ast_ad.grad(csendes)(x), fd_grad(csendes, (x,)), **TOL)


def test_damavandi():
    x = np.array([3.3, 5.1])
    assert_close(ast_ad.grad(damavandi)(x), fd_grad(damavandi, (x,)), **TOL)


@pytest.mark.parametrize("x", [0.4, 2.5])
def test_block_completes(x):
    assert_close(ast_ad.grad(handler_path)(x), fd_grad(handler_path, (x,)), **TOL)
    assert_close(ast_ad.derivative(handler_path)(x), fd_derivative(handler_path, x), **TOL)


def test_exception_part_way():
    # at x == 1.0 the division raises: out = y * y with y = 2 sin x, d/dx = 8 sin x cos x
    g = ast_ad.grad(handler_path)(1.0)
    assert g == pytest.approx(8 * math.sin(1.0) * math.cos(1.0), rel=1e-12)
    assert ast_ad.derivative(handler_path)(1.0) == pytest.approx(g, rel=1e-12)


@pytest.mark.parametrize("x", [0.3, -0.8])
def test_else_finally(x):
    assert_close(ast_ad.grad(with_else_finally)(x), fd_grad(with_else_finally, (x,)),
                 **TOL)
    assert_close(ast_ad.derivative(with_else_finally)(x),
                 fd_derivative(with_else_finally, x), **TOL)


@pytest.mark.parametrize("x,k", [(0.7, 1), (0.7, 0), (-0.7, 1)])
def test_raises_inside_branch(x, k):
    g = ast_ad.grad(raises_in_block, wrt=0)(x, k)
    assert_close(g, fd_grad(raises_in_block, (x, k), wrt=0), **TOL)


@pytest.mark.parametrize("x", [2.0, -3.0])
def test_helper_with_try(x):
    assert_close(ast_ad.grad(caught_in_helper)(x), fd_grad(caught_in_helper, (x,)), **TOL)


def test_try_in_loop():
    xs = [0.5, 0.0, -2.0]
    g = ast_ad.grad(loop_try)(xs)
    assert_close(g, [-4.0, 7.0, -0.25], rtol=1e-12, atol_scale=1e-12)


def rebinds(x):
    try:
        y = x * 2.0
        y = y * y
    except ValueError:
        y = 0.0
    return y


@pytest.mark.parametrize("x", [0.6, -1.3])
def test_rebinding_in_block(x):
    assert_close(ast_ad.grad(rebinds)(x), fd_grad(rebinds, (x,)), **TOL)


def loop_raises(xs):
    s = 0.0
    try:
        for v in xs:
            s = s + 1.0 / v
    except ZeroDivisionError:
        s = -1.0
    return s


def test_loop_in_block():
    xs = [0.5, 2.0]
    assert_close(ast_ad.grad(loop_raises)(xs), [-4.0, -0.25], rtol=1e-12, atol_scale=1e-12)
    with pytest.raises(AstAdError) as e:  # stopped part-way through the loop
        ast_ad.grad(loop_raises)([0.5, 0.0])
    assert "test_try_blocks.py" in str(e.value) and "part-way" in str(e.value)


def checked(x):
    try:
        return ast_ad_internal(x)
    except Exception:
        return 0.0


def ast_ad_internal(x):
    return x * x


def test_handler_does_not_swallow_our_errors():
    assert ast_ad.grad(checked)(3.0) == pytest.approx(6.0)


# -- the pass's own before/after (ast_ad.passes.reverse.tries) ------------------------------
def docstring_example(x):
    try:
        y = np.sin(1.0 / x)
    except ZeroDivisionError:
        y = 0.0
    return y


def test_the_try_adjoint_replays_the_completed_lines_as_its_docstring_shows():
    from ast_ad.passes.reverse import tries

    assert "_stop >= 2" in tries.__doc__
    g = ast_ad.grad(docstring_example)
    got = g(0.7)
    src = ast_ad.source(g)
    assert "_stop = _prog" in src and "if _stop >= 2:" in src  # completed lines replayed
    assert_close(got, fd_grad(docstring_example, (0.7,)), 1e-6, 1e-7, "try")
    assert g(0.0) == 0.0  # the handler ran: its adjoint (a constant) gives zero
