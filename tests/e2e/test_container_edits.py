"""Conversions inside comprehensions (``e.item()``, ``np.float64(e)``, ``math.fsum``), and
list and dict methods that edit in place, on differentiated values: ``lst.sort()`` (with
``key=``/``reverse=``), ``lst.reverse()``, ``lst.remove(v)`` (permutations and a drop: the
adjoint moves the entries back) and ``d.update(o)`` / ``d.update(k=v)`` (the entries of
``o`` replace those of ``d``), in reverse and forward mode against finite differences
(tests/fd.py).  An edit that cannot be modelled (``lst.clear()``, an alias read after the
edit) is refused in both modes, never a stale derivative."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ast_ad

from ..fd import assert_close, fd_directional, fd_grad


def entries(x):
    return [x[0] * 2.0, x[1] ** 2, np.sin(x[2]), x[3] * x[0]]


def sort_plain(x):
    lst = entries(x)
    lst.sort()
    return lst[0] * 0.5 + lst[1] - 2.0 * lst[3]


def sort_reverse(x):
    lst = entries(x)
    lst.sort(reverse=True)
    return lst[0] * 0.5 + lst[1] * lst[2]


def by_abs(e):
    return abs(e)


def sort_key(x):
    lst = entries(x)
    lst.sort(key=by_abs, reverse=False)
    return lst[0] + 3.0 * lst[1] + lst[3] ** 2


def sort_in_loop(x):
    lst = entries(x)
    acc = 0.0
    for k in range(3):
        lst.sort(reverse=k % 2 == 0)
        lst[0] = lst[0] * 1.5
        acc = acc + lst[0] * (k + 1.0)
    return acc + sum(lst)


def sort_then_numpy(x):
    lst = list(x * 3.0)
    lst.sort()
    return np.dot(lst, np.array([1.0, -2.0, 0.5, 4.0]))


def reverse_list(x):
    lst = entries(x)
    lst.reverse()
    return lst[0] * 0.5 + lst[1] + lst[3] * 3.0


def remove_entry(x):
    lst = entries(x)
    lst.remove(lst[1])
    return lst[0] * 0.5 + lst[1] * 2.0 + lst[2]


def reversed_builtin(x):
    lst = entries(x)
    lst = list(reversed(lst))
    acc = 0.0
    for k, e in enumerate(reversed(lst)):
        acc = acc + e * (k + 1.0)
    return lst[0] * 0.5 + lst[1] + lst[3] * 3.0 + acc


def update_literal(x):
    d = {"a": x[0], "b": x[1] ** 2, "c": np.sum(x)}
    d.update({"b": x[2] * 3.0})
    return sum(d.values()) * d["b"]


def update_keywords(x):
    d = {"a": x[0], "b": x[1]}
    d.update(b=x[2] * 3.0, e=x[3] ** 2)
    return d["a"] * d["b"] + d["e"]


def update_from_name(x):
    d = {"a": x[0], "b": x[1]}
    o = {"b": x[2] * 3.0, "c": x[0] * x[1]}
    d.update(o)
    return d["a"] * d["b"] + d["c"] + o["b"]


def item_comprehension(x):
    t = [e.item() for e in x]
    return t[0] * t[1] + sum(t)


def float64_and_fsum(x):
    t = list(np.float64(e) for e in x)
    return t[0] * t[1] + math.fsum([v * 2.0 for v in x]) + np.float64(x[2]) ** 2


CASES = [item_comprehension, float64_and_fsum, sort_plain, sort_reverse, sort_key,
         sort_in_loop, sort_then_numpy, reverse_list, reversed_builtin, remove_entry,
         update_literal,
         update_keywords, update_from_name]
X = np.array([0.3, -0.7, 1.1, 0.45])


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_edit_reverse_and_forward(f):
    ref = fd_grad(f, (X,))
    assert_close(ast_ad.grad(f)(X.copy()), ref, 1e-6, 1e-7, f.__name__)
    v = np.array([0.5, -1.0, 0.25, 2.0])
    _, tangent = ast_ad.jvp(f, (X.copy(),), (v,))
    assert_close(tangent, fd_directional(f, (X,), 0, v), 1e-6, 1e-7, f.__name__)


@pytest.mark.parametrize("f", [sort_plain, reverse_list, update_literal],
                         ids=lambda f: f.__name__)
def test_edit_second_order(f):
    """The helpers' rules are differentiable again: the Hessian matches FD of the grad."""
    H = ast_ad.hessian(f)(X.copy())
    cols = [fd_directional(ast_ad.grad(f), (X,), 0, e) for e in np.eye(4)]
    assert_close(H, np.stack(cols, axis=-1), 1e-5, 1e-6, f.__name__)


def cleared(x):
    lst = entries(x)
    lst.clear()
    lst.append(x[2])
    return lst[0]


def alias_read_after_sort(x):
    lst = entries(x)
    b = lst
    lst.sort()
    return b[0] * 2.0 + lst[1]


def update_from_pairs(x):
    d = {"a": x[0], "b": x[1]}
    d.update([("b", x[2] * 3.0)])
    return d["a"] * d["b"]


@pytest.mark.parametrize("f", [cleared, alias_read_after_sort, update_from_pairs],
                         ids=lambda f: f.__name__)
def test_unmodelled_edit_is_refused_in_both_modes(f):
    with pytest.raises(ast_ad.AstAdError):
        ast_ad.grad(f)(X.copy())
    with pytest.raises(ast_ad.AstAdError):
        ast_ad.jvp(f, (X.copy(),), (np.ones(4),))


def test_caller_list_is_not_sorted():
    """The sort happens on the function's own copy: the caller's list keeps its order."""
    def f(lst):
        lst.sort()
        return lst[0] * 2.0 + lst[1]

    lst = [0.7, -0.2, 0.4]
    g = ast_ad.grad(f)(lst)
    assert lst == [0.7, -0.2, 0.4]
    assert_close(np.array(g), np.array([0.0, 2.0, 1.0]), 1e-12, 1e-12)
