"""Lists and tuples joined (``a + b``, ``+=``, ``[*xs, y]``), repeated (``a * n``) and
edited (``pop(i)``, ``insert``, ``extend``, ``d.pop(k)``) with differentiated entries:
reverse and forward mode against finite differences (tests/fd.py), list arguments'
gradients keep their structure, and what stays refused is refused at the user's line."""

import collections

import numpy as np
import pytest

import ast_ad
from ast_ad.errors import AstAdError
from tests.fd import assert_close, fd_grad

from .test_writing_helpers import X, check  # (both modes against FD, inputs untouched)


# -- joins and repeats ---------------------------------------------------------------------
def append_by_plus(x):
    xs = [x[0] * 2.0, np.sin(x[1])]
    xs = xs + [x[2] ** 2]
    return xs[0] * xs[2] + xs[1] * xs[2]


def join_two_lists(x):
    a = [x[0], x[1] * x[2]]
    b = [np.exp(x[2]), x[0] ** 3]
    c = a + b
    return np.prod(c) + c[3] * c[0]


def plus_equals(x):
    t = [x[0], x[1]]
    t += [x[2] * 3.0]
    t += [t[0] * t[1]]
    return np.sum(np.array(t) ** 2)


def starred_literal(x):
    t = [x[0], x[1]]
    u = [*t, x[2], *t]
    return u[0] * u[2] + u[3] * u[4] + len(u)


def starred_array(x):
    u = [*x, x[0] * x[1]]
    return sum(e * e for e in u)


def starred_tuple(x):
    t = (*x[:2], np.cos(x[2]))
    return t[0] * t[2] - t[1]


def repeat_list(x):
    t = [x[0], x[1] ** 2] * 3
    return t[0] * t[5] + sum(t)


def repeat_left_and_tuple(x):
    t = 2 * (x[2], x[0])
    u = [x[1]] + [x[2]] * 2
    return t[0] * t[3] * t[1] + np.prod(u)


def repeat_by_a_computed_count(x):
    n = len(x) - 1
    t = [x[0] * x[2]] * n
    return np.sum(np.array(t) * x[:n])


def join_with_itself(x):
    a = [x[0], x[1]]
    c = a + a
    return c[0] * c[3] + c[2]


def join_in_a_loop(x):
    acc = []
    for i in range(3):
        acc = acc + [x[i] * (i + 1.0)]
    return acc[0] * acc[1] + acc[2] ** 2


def join_converted_lists(x):
    t = list(x[:2]) + list((x[2], x[0]))
    return np.dot(t, [1.0, 2.0, 3.0, 4.0]) * t[1]


# -- edits: pop(i), insert, extend, d.pop(k) -------------------------------------------------
def pop_first(x):
    t = [x[0], x[1] ** 2, np.sin(x[2])]
    v = t.pop(0)
    return v * t[0] + 2.0 * t[1]


def pop_negative_and_middle(x):
    t = [x[0], x[1], x[2], x[0] * x[1]]
    a = t.pop(-1)
    b = t.pop(1)
    return a * b + t[0] * t[1] ** 2


def pop_no_result(x):
    t = [x[0] * 3.0, x[1], x[2]]
    t.pop(1)
    return t[0] * t[1]


def pop_in_a_loop(x):
    t = [x[0], x[1], x[2], x[1] * x[2]]
    s = 0.0
    while len(t) > 1:
        s = s + t.pop(0) * t[-1]
    return s + t[0]


def insert_entry(x):
    t = [x[0], x[1]]
    t.insert(1, x[2] ** 2)
    t.insert(-1, x[0] * x[2])
    t.insert(10, 2.0 * x[1])
    return t[0] * t[1] + t[2] * t[3] + t[4]


def extend_list(x):
    t = [x[0]]
    t.extend([x[1], x[2] * 2.0])
    t.extend(t)
    return np.prod(t[:3]) + t[5] * t[3]


def dict_pop(x):
    d = {"a": x[0] ** 2, "b": x[1], "c": x[2]}
    v = d.pop("b")
    return v * d["a"] + d["c"] * len(d)


def dict_values_and_items(x):
    d = {"a": x[0] ** 2, "b": np.sin(x[1]), "c": x[2] * x[0]}
    s = sum(d.values()) + np.prod(list(d.values()))
    for k, v in d.items():
        s = s + v * len(k)
    return s + sum(d[k] for k in d.keys())


def dict_setdefault(x):
    d = {"a": x[0]}
    u = d.setdefault("a", x[1])  # present: the old entry
    w = d.setdefault("b", x[2] ** 2)  # absent: stored
    return u * w + d["b"] * d["a"]


def matmul_with_constant_lists(x):
    m = np.array([[x[2], x[0]], [x[1], x[2]]])
    return np.mean(m @ [2.0, 3.0]) + np.sum([1.0, -2.0] @ m * x[:2])


@pytest.mark.parametrize("f", [
    matmul_with_constant_lists, dict_values_and_items, dict_setdefault,
    append_by_plus, join_two_lists, plus_equals, starred_literal, starred_array,
    starred_tuple, repeat_list, repeat_left_and_tuple, repeat_by_a_computed_count,
    join_with_itself, join_in_a_loop, join_converted_lists, pop_first,
    pop_negative_and_middle, pop_no_result, pop_in_a_loop, insert_entry, extend_list,
    dict_pop])
def test_joins_repeats_and_edits_are_derived(f):
    check(f)


def list_param_joined(xs, y):
    t = xs + [y * 2.0]
    u = t.pop(0)
    return u * t[-1] + t[0] ** 2


def test_a_list_argument_joined_and_popped_keeps_its_structure():
    xs, y = [1.5, -0.5], 0.8
    g = ast_ad.grad(list_param_joined, wrt=(0, 1))(list(xs), y)
    ref = fd_grad(list_param_joined, (list(xs), y), wrt=(0, 1))
    assert isinstance(g[0], list) and len(g[0]) == 2
    assert_close(g[0], ref[0], 1e-6, 1e-6, "xs")
    assert_close(g[1], ref[1], 1e-6, 1e-6, "y")


def test_second_order_through_a_join():
    def f(x):
        t = [x[0] ** 2, x[1]] + [x[2] * x[0]]
        return t[0] * t[2] + t[1] ** 3

    h = ast_ad.hessian(f)(X.copy())
    x0, x1, x2 = X
    ref = np.array([[6 * x0 * x2, 0.0, 3 * x0 ** 2], [0.0, 6 * x1, 0.0],
                    [3 * x0 ** 2, 0.0, 0.0]])
    np.testing.assert_allclose(h, ref, rtol=1e-9, atol=1e-9)


# -- still refused, at the user's line -----------------------------------------------------
def float_repeat_count(x):
    t = [x[0]] * x[1]  # a list times a differentiated float: a TypeError in Python
    return t[0]


def helper_index(x):
    return np.sum(_concat_by_index(x))


def _concat_by_index(a):
    return np.r_[a, a * 2.0]  # a call with rules (the helper's `a` of unknown kind)


def nested_index(x):
    def inner(a):
        return np.r_[a, a]
    return np.sum(inner(x) * x[0])


def helper_float_key(x):
    return _by_key(x[0] * 2.0) * x[1]


def _by_key(a):
    table = {a: 2.0}
    return table[a] * a  # a float as a key: its derivative through the key would be lost


def nested_float_key(x):
    def inner(a):
        table = {a: 3.0}
        return table[a] * a
    return inner(x[2]) + x[0]


def test_np_r_in_helpers_is_derived():
    check(helper_index)
    check(nested_index)


def alias_of_popped_list(x):
    t = [x[0], x[1], x[2]]
    b = t
    t.pop(0)
    return b[0] * x[1]


@pytest.mark.parametrize("f, match", [
    (helper_float_key, "inside an index"), (nested_float_key, "inside an index")])
def test_what_would_lose_the_derivative_is_refused_at_the_user_line(f, match):
    with pytest.raises(AstAdError, match=match) as e:
        ast_ad.grad(f)(X.copy())
    assert "test_sequences.py" in str(e.value), str(e.value)


def test_an_alias_of_an_edited_list_sees_the_edit():
    check(alias_of_popped_list)  # b = t: t.pop(0) is b.pop(0) (passes/view_writes.py)


def deque_edits_not_differentiated(x):
    q = collections.deque([1.0, 2.0])
    q.insert(0, 3.0)
    q.extend([4.0])
    return x[0] * q[0] + x[1] * len(q)


def deque_edit_differentiated(x):
    q = collections.deque([1.0])
    q.insert(0, x[1] * 2.0)
    return q[0] * q[1]


def test_edits_of_other_objects_run_their_own_method_and_refuse_a_derivative():
    g = ast_ad.grad(deque_edits_not_differentiated)(X.copy())
    np.testing.assert_allclose(g, [3.0, 4.0, 0.0], rtol=1e-12)
    with pytest.raises(AstAdError, match="insert|deque"):
        ast_ad.grad(deque_edit_differentiated)(X.copy())


def test_a_list_times_a_float_stays_an_error():
    with pytest.raises((AstAdError, TypeError)):
        ast_ad.grad(float_repeat_count)(X.copy())
