"""``*args`` in user callees (module-level and nested), errors raised inside nested defs
naming the user's file and line, and helpers writing into an argument with NumPy's
mutating API however it is spelled: reverse and forward mode against finite differences
(tests/fd.py), refusals at the user's line."""

import inspect

import numpy as np
import pytest
from numpy import add as np_add
from numpy import copyto

import ast_ad
from ast_ad.errors import AstAdError
from tests.modes import check_both_modes

X = np.array([1.5, -2.5, 0.7])
V = np.array([0.3, -0.7, 0.4])


def check(f, x=X, v=V):
    check_both_modes(f, x, v)


def line_of(fn, marker):
    lines, first = inspect.getsourcelines(fn)
    return first + next(i for i, ln in enumerate(lines) if marker in ln)


# -- *args in callees ------------------------------------------------------------------------
def weighted(a, *rest):
    return a * rest[0] + sum(rest)


def energy(a, *terms, scale=2.0):
    s = 0.0
    for t in terms:
        s = s + t ** 2
    return np.sum(a) * s * scale


def calls_weighted(x):
    return np.sum(weighted(x, x[0], x[1] ** 2))


def calls_energy_several_ways(x):
    return energy(x, x[0], x[2]) + energy(x[1:], scale=0.5) + energy(x, x[1], scale=x[2])


def calls_nested_varargs(x):
    c = x[1]

    def inner(a, *r, k=1.0):
        return a * c * r[-1] * k

    return inner(x[0], x[2], x[0]) + inner(x[2], x[1], k=3.0)


def calls_nested_varargs_in_a_loop(x):
    def total(*vals):
        s = 0.0
        for v in vals:
            s = s + np.sin(v)
        return s

    acc = 0.0
    for i in range(2):
        acc = acc + total(x[i], x[i + 1] * x[0])
    return acc


@pytest.mark.parametrize("f", [calls_weighted, calls_energy_several_ways, calls_nested_varargs,
                               calls_nested_varargs_in_a_loop])
def test_varargs_callees_are_derived(f):
    check(f)


def nested_varargs_reading_an_enclosing_value(x):
    c = 2.0

    def count(*r):
        return c * len(r)

    return x[0] * count(1, 2)


def test_a_nested_varargs_def_keeps_its_free_variables_apart():
    """Lifting appended the free variable ``c`` as a positional argument: it went into
    ``r`` (the gradient was 2.0, not 4.0)."""
    g = ast_ad.grad(nested_varargs_reading_an_enclosing_value)(X.copy())
    np.testing.assert_allclose(g, [4.0, 0.0, 0.0], rtol=1e-12)


def starred_call(x):
    args = (x[0], x[1])
    return weighted(x[2], *args)  # ERR


def test_a_starred_call_of_a_varargs_callee_is_refused_at_its_line():
    with pytest.raises(AstAdError, match="starred") as e:
        ast_ad.grad(starred_call)(X.copy())
    assert e.value.filename == __file__
    assert e.value.lineno == line_of(starred_call, "# ERR")


# -- errors inside nested defs name the user's file and line --------------------------------
def nested_string_round_trip(x):
    def inner(a):
        b = a * 2.0
        return float(f"{b}")  # ERR
    return inner(x[0]) * x[1]


def nested_float_key(x):
    def inner(a):
        table = {a: 2.0}
        return table[a] * a  # ERR
    return inner(x[0]) * x[1]


@pytest.mark.parametrize("f, match", [(nested_string_round_trip, "no derivative"),
                                      (nested_float_key, "inside an index")])
def test_a_refusal_inside_a_nested_def_names_the_user_line(f, match):
    with pytest.raises(AstAdError, match=match) as e:
        ast_ad.grad(f)(X.copy())
    assert e.value.filename == __file__, str(e.value)
    assert e.value.lineno == line_of(f, "# ERR"), str(e.value)
    assert "ast_ad nested" not in str(e.value) and "ast_ad-nested" not in str(e.value)


# -- writes through NumPy's API in helpers, however spelled (nested defs: refused) ----------
def copy_into(h, v):
    copyto(h, v)


def calls_copy_into(x):
    y = x * 1.0
    copy_into(y, x ** 2)  # ERR
    return np.sum(y * x)


def calls_nested_copy(x):
    def put_into(h, v):
        copyto(h, v)
    y = x * 1.0
    put_into(y, x ** 2)  # ERR
    return np.sum(y * x)


def add_at_into(h, v):
    np_add.at(h, [0, 0], v)


def calls_add_at_into(x):
    y = x * 1.0
    add_at_into(y, x[1])  # ERR
    return np.sum(y * x)


@pytest.mark.parametrize("f", [calls_copy_into, calls_add_at_into])
def test_a_helper_writing_through_numpy_into_its_argument_is_derived(f):
    """The gradient was that of ``np.sum(x * x)`` (the write dropped) before; the helper
    now runs as a variant returning what it writes into (frontend/variants.py)."""
    check(f)


def test_a_nested_helper_writing_into_its_argument_is_refused():
    with pytest.raises(AstAdError, match="in place") as e:
        ast_ad.grad(calls_nested_copy)(X.copy())
    assert e.value.filename == __file__ and e.value.lineno == line_of(calls_nested_copy,
                                                                       "# ERR")
