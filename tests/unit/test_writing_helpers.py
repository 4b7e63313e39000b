"""Helpers that write into their arguments in place (``h[:] = v``, ``np.copyto``,
``h.fill``, ``ufunc.at``, ``lst.append``) run as variants that also return what they wrote
(frontend/variants.py): reverse and forward mode against finite differences (tests/fd.py),
the caller's arrays untouched; aliases of the written array and helpers that rebind the
parameter stay refused at the user's line."""

import numpy as np
import pytest

import ast_ad
from ast_ad.errors import AstAdError
from tests.fd import assert_close, fd_grad
from tests.modes import check_both_modes

X = np.array([1.5, -2.5, 0.7])
V = np.array([0.3, -0.7, 0.4])


def check(f, x=X, v=V):
    check_both_modes(f, x, v)


def fill_all(h, v):
    h[:] = v


def fill_first(h, v):
    h[0] = v


def copy_into(h, v):
    np.copyto(h, v)


def fill_value(h, v):
    h.fill(v)


def add_twice_at_zero(h, v):
    np.add.at(h, [0, 0], v)


def write_and_sum(h, v):
    if v > 100.0:
        return 0.0  # an early return: the variant returns h there too
    h[-1] = v * h[0]
    return np.sum(h)


def append_double(lst, v):
    lst.append(v * 2.0)


def two_outputs(a, b, v):
    a[0] = v
    b[1] = v * a[1]


def fills_all(x):
    y = x * 1.0
    fill_all(y, x ** 2)
    return np.sum(y * x)


def fills_the_argument(x):
    fill_first(x, x[1] * 3.0)
    return np.sum(x * x)


def copies_into(x):
    y = np.sin(x)
    copy_into(y, x ** 3)
    return np.sum(y * y)


def fills_a_value(x):
    y = x + 1.0
    fill_value(y, x[2] * x[0])
    return np.sum(y * x)


def adds_at(x):
    y = x * 2.0
    add_twice_at_zero(y, x[1])
    return np.sum(y ** 2)


def uses_the_result_too(x):
    y = x + 1.0
    r = write_and_sum(y, x[1])
    return r * y[2] + y[-1]


def appends(x):
    a = [x[0], x[1]]
    append_double(a, x[2])
    return a[2] * a[0]


def writes_two(x):
    a = x * 1.0
    b = np.cos(x)
    two_outputs(a, b, x[2] ** 2)
    return np.sum(a * b)


def writes_in_a_loop(x):
    y = x * 2.0
    for i in range(2):
        fill_first(y, y[i + 1] * x[i])
    return np.sum(y ** 2)


@pytest.mark.parametrize("f", [fills_all, fills_the_argument, copies_into, adds_at,
                               uses_the_result_too, appends, writes_two, writes_in_a_loop])
def test_helpers_writing_into_arguments_are_derived(f):
    check(f)


def alias_read_after_the_write(x):
    y = x * 1.0
    v = y[:2]
    fill_first(y, x[2])
    return np.sum(v * x[:2])  # v sees the write


def rebinds_then_writes(h, v):
    h = h * 1.0
    h[0] = v
    return h


def calls_rebinding_helper(x):
    y = x * 2.0
    z = rebinds_then_writes(y, x[1])
    return np.sum(z * y)


def test_an_alias_of_the_written_array_read_later_sees_the_write():
    # v = y[:2] is read again from y after the helper wrote into y (passes/view_writes.py)
    check(alias_read_after_the_write)


def test_a_helper_that_rebinds_its_parameter_is_differentiated_as_written():
    check(calls_rebinding_helper)


def test_fill_in_a_helper_is_refused_at_its_line():
    """``h.fill(v)`` is modelled where ``h`` is surely an array; a helper's parameter is
    not known to be one, so the call is refused (never a lost derivative)."""
    with pytest.raises(AstAdError, match="in place") as e:
        ast_ad.grad(fills_a_value)(X.copy())
    assert "test_writing_helpers.py" in str(e.value)


def broadcasts_a_float(x, s):
    u = np.sin(x) + 0.5 * s
    y = u + 0.0
    fill_all(y, np.sin(s))  # a float broadcast into every entry (crashed: found by the sweep)
    return np.sum(y * u)


def test_a_float_broadcast_into_an_argument_gets_a_float_gradient():
    x, s = np.array([1.29, -0.76, 0.82, -0.38]), 0.93
    g = ast_ad.grad(broadcasts_a_float, wrt=(0, 1))(x.copy(), s)
    ref = fd_grad(broadcasts_a_float, (x, s), wrt=(0, 1))
    assert isinstance(g[1], float)
    assert_close(g[0], ref[0], 1e-6, 1e-6, "x")
    assert_close(g[1], ref[1], 1e-6, 1e-6, "s")


def fill_second(h, v):
    h[1] = v


def rebinding_target(x):
    y = x * 1.0
    fill_first(y, x[2] ** 2)
    return np.sum(y * x)


def test_rebinding_a_helper_replaced_by_its_variant_regenerates(monkeypatch):
    import sys

    g = ast_ad.grad(rebinding_target)
    first = g(X.copy())
    assert_close(first, fd_grad(rebinding_target, (X,)), 1e-6, 1e-6, "before")
    monkeypatch.setattr(sys.modules[__name__], "fill_first", fill_second)
    again = g(X.copy())
    assert_close(again, fd_grad(rebinding_target, (X,)), 1e-6, 1e-6, "after rebinding")
    assert not np.allclose(first, again)
