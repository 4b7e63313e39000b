"""The grad / value_and_grad / source contract (ast_ad/api.py)."""

from __future__ import annotations

import inspect
import linecache
import math
import re
import sys
import traceback

import numpy as np
import pytest

import ast_ad
import ast_ad.pipeline as pipeline

from ..fd import fd_grad


def f_xy(x, y):
    """x**2 * y + y + 2"""
    return x**2 * y + y + 2


@pytest.fixture
def transforms(monkeypatch):
    """The names of the functions transformed (pipeline.transform calls) during a test."""
    seen = []
    original = pipeline.transform

    def counting(fn, *args, **kwargs):
        seen.append(fn.__name__)
        return original(fn, *args, **kwargs)

    monkeypatch.setattr(pipeline, "transform", counting)
    return seen


# --- wrt and calling -------------------------------------------------------------------


def test_wrt_int_name_tuple():
    assert ast_ad.grad(f_xy)(3.0, 4.0) == 24.0
    assert ast_ad.grad(f_xy, wrt=1)(3.0, 4.0) == 10.0
    assert ast_ad.grad(f_xy, wrt="x")(3.0, 4.0) == 24.0
    assert ast_ad.grad(f_xy, wrt="y")(3.0, 4.0) == 10.0
    assert ast_ad.grad(f_xy, wrt=("x", "y"))(3.0, 4.0) == (24.0, 10.0)
    assert ast_ad.grad(f_xy, wrt=(1, 0))(3.0, 4.0) == (10.0, 24.0)
    assert ast_ad.grad(f_xy, wrt=(0, "y"))(3.0, 4.0) == (24.0, 10.0)
    assert ast_ad.grad(f_xy, wrt=("x",))(3.0, 4.0) == (24.0,)


def test_value_and_grad():
    assert ast_ad.value_and_grad(f_xy)(3.0, 4.0) == (42.0, 24.0)
    assert ast_ad.value_and_grad(f_xy, wrt=("x", "y"))(3.0, 4.0) == (42.0, (24.0, 10.0))


def test_decorator_forms():
    @ast_ad.grad
    def d0(x, y):
        return x * y * y

    @ast_ad.grad(wrt="y")
    def d1(x, y):
        return x * y * y

    @ast_ad.grad(wrt=(0, 1))
    def d2(x, y):
        return x * y * y

    @ast_ad.value_and_grad(wrt=1)
    def d3(x, y):
        return x * y * y

    assert d0(2.0, 3.0) == 9.0
    assert d1(2.0, 3.0) == 12.0
    assert d2(2.0, 3.0) == (9.0, 12.0)
    assert d3(2.0, 3.0) == (18.0, 12.0)


def g_defaults(x, y=3.0, *, z=0.5):
    return x * y + z * x * x


def test_keyword_and_default_arguments_in_the_call():
    g = ast_ad.grad(g_defaults)
    assert g(2.0) == 3.0 + 2.0
    assert g(2.0, 4.0) == 4.0 + 2.0
    assert g(2.0, y=4.0) == 4.0 + 2.0
    assert g(x=2.0, y=4.0) == 4.0 + 2.0
    assert g(y=4.0, x=2.0, z=1.0) == 4.0 + 4.0
    assert ast_ad.grad(g_defaults, wrt="y")(2.0) == 2.0
    assert ast_ad.grad(g_defaults, wrt="y")(x=2.0, y=5.0) == 2.0
    assert ast_ad.grad(g_defaults, wrt="z")(2.0, z=7.0) == 4.0


def kinds_fn(x, y=3.0):
    return np.sum(x * x) * 0.5 * y


def test_calls_with_different_kinds_reuse_one_gradient_object():
    g = ast_ad.grad(kinds_fn)
    assert g(2.0) == 6.0
    assert type(g(2)) is float and g(2) == 6.0
    np.testing.assert_allclose(g(np.array([1.0, 2.0])), [3.0, 6.0])
    assert g(np.array([1.0, 2.0], dtype=np.float32)).dtype == np.float32
    assert g(2.0, 1.0) == 2.0


def times_local_int(a):
    k = 3
    return a * k


def times_int_arg(a, n):
    return a * n


@pytest.mark.parametrize("fn, args, want", [
    (lambda a: a * 2, (1.0,), 2.0),
    (lambda a: 2 * a, (1.0,), 2.0),
    (lambda a: a, (1.0,), 1.0),
    (times_local_int, (1.0,), 3.0),
    (times_int_arg, (1.0, 4), 4.0),
], ids=["a*2", "2*a", "identity", "local-int", "int-arg"])
def test_a_float_or_int_argument_gets_a_python_float_gradient(fn, args, want):
    """Folding ``1.0 * 2`` (or ``1.0 * k``) must not leave an int gradient."""
    for call in (args, (int(args[0]),) + args[1:]):
        g = ast_ad.grad(fn)(*call)
        assert type(g) is float and g == want, (call, g)
        value, g = ast_ad.value_and_grad(fn)(*call)
        assert type(g) is float and g == want, (call, g)


def unreadable_signature(x):
    return x * x


unreadable_signature.__signature__ = "not a signature"  # inspect.signature raises


def test_a_callable_whose_signature_cannot_be_read():
    """As NumPy ufuncs on Python 3.10: never "0 parameters"; a Python function's code
    still names its parameters, a builtin's positions are taken on trust."""
    with pytest.raises((TypeError, ValueError)):  # which one depends on the version
        inspect.signature(unreadable_signature)
    assert ast_ad.grad(unreadable_signature)(1.5) == 3.0
    assert ast_ad.grad(unreadable_signature, wrt="x")(1.5) == 3.0
    with pytest.raises(ast_ad.AstAdError, match="out of range"):
        ast_ad.grad(unreadable_signature, wrt=1)
    try:  # a feature test: max has no readable signature on 3.10 to 3.13
        inspect.signature(max)
        pytest.skip("this Python reads the signature of max")
    except (TypeError, ValueError):
        pass
    with pytest.raises(ast_ad.SourceUnavailableError, match="max"):
        ast_ad.grad(max)(1.5, 2.0)
    with pytest.raises(ast_ad.AstAdError, match="signature of max cannot be read"):
        ast_ad.grad(max, wrt="x")


# --- the gradient object -----------------------------------------------------------------


def test_name_doc_fn_and_no_wrapped():
    g = ast_ad.grad(f_xy)
    assert g.__name__ == "f_xy"
    assert g.__doc__ == "x**2 * y + y + 2"
    assert g.fn is f_xy
    assert not hasattr(g, "__wrapped__")
    v = ast_ad.value_and_grad(f_xy, wrt="y")
    assert v.__name__ == "f_xy" and v.fn is f_xy and not hasattr(v, "__wrapped__")
    # inspect must see the gradient object itself, not follow a __wrapped__ to f_xy
    assert inspect.unwrap(g) is g


# --- caching -----------------------------------------------------------------------------


def cache_target(x):
    return np.sin(x) * x


def test_second_grad_of_same_function_does_not_retransform(transforms):
    g1 = ast_ad.grad(cache_target)
    assert g1(0.5) == pytest.approx(math.cos(0.5) * 0.5 + math.sin(0.5))
    n = transforms.count("cache_target")
    assert n == 1
    g2 = ast_ad.grad(cache_target)
    g2(0.5)
    g2(0.7)
    g1(0.9)
    assert transforms.count("cache_target") == n
    assert ast_ad.source(g1) == ast_ad.source(g2)
    assert transforms.count("cache_target") == n


def test_redefined_function_gets_a_new_gradient():
    def f(x):
        return x * 2.0

    g_old = ast_ad.grad(f)
    assert g_old(1.0) == 2.0

    def f(x):  # noqa: F811 - redefined on purpose
        return x * 3.0

    g_new = ast_ad.grad(f)
    assert g_new(1.0) == 3.0
    assert g_old(1.0) == 2.0
    assert ast_ad.source(g_new) != ast_ad.source(g_old)


def _rebindable(t):
    return t * 2.0


def uses_rebindable(x):
    return _rebindable(x) + x


def test_rebound_global_helper_is_picked_up(monkeypatch):
    g = ast_ad.grad(uses_rebindable)
    assert g(1.0) == 3.0

    def other(t):
        return t * t * 5.0

    monkeypatch.setattr(sys.modules[__name__], "_rebindable", other)
    assert g(1.0) == 11.0
    assert ast_ad.grad(uses_rebindable)(1.0) == 11.0


def test_defvjp_on_a_user_function_invalidates_cached_gradients():
    def my_sq(t):
        return t * t

    def uses(x):
        return my_sq(x) + x

    g = ast_ad.grad(uses)
    assert g(2.0) == 5.0
    ast_ad.defvjp(my_sq, lambda g, ans, t: g * 100.0)
    assert g(2.0) == 101.0
    assert ast_ad.grad(uses)(2.0) == 101.0
    assert ast_ad.value_and_grad(uses)(2.0) == (6.0, 101.0)


def test_isolated_registry_rule_is_used_only_there():
    def my_cube(t):
        return t * t * t

    def uses(x):
        return my_cube(x) * 2.0

    reg = ast_ad.Registry(ast_ad.default_registry)
    reg.defvjp(my_cube, lambda g, ans, t: g * 7.0)
    assert ast_ad.grad(uses, registry=reg)(1.0) == 14.0
    assert ast_ad.grad(uses)(1.0) == 6.0
    assert ast_ad.grad(uses, registry=reg)(1.0) == 14.0


# --- generated names never capture user names --------------------------------------------


def unbroadcast_user(t):
    return t * 1.5


def hostile_names(x, y):
    bx = x * y
    by = bx + x
    _t1 = np.sin(by)
    seed = _t1 * 2.0
    unbroadcast = seed * x
    _stack = [unbroadcast, seed]
    _push = _stack[0] + _stack[1]
    b_t1 = _push * y
    for _r1 in range(3):
        b_t1 = b_t1 * x + _r1
        if b_t1 > 100.0:
            b_t1 = b_t1 * 0.5
    _pop = b_t1
    _g1 = unbroadcast_user(_pop) * 1.0
    return _g1 + bx


def hostile_params(bx, by, _t1, seed):
    _stack = bx * by
    return _stack * _t1 + seed * bx


def hostile_arrays(x, unbroadcast, fix_array):
    accum_index = x[0] * unbroadcast
    add_grads = np.sum(x * fix_array)
    part = [accum_index, add_grads]
    return part[0] * part[1] + np.sum(x**2)


@pytest.mark.parametrize(
    "fn, args",
    [
        (hostile_names, (0.7, 1.3)),
        (hostile_params, (0.7, 1.3, -0.4, 2.2)),
        (hostile_arrays, (np.array([0.3, -0.8, 1.1]), 0.6, np.array([1.0, 2.0, -1.0]))),
    ],
    ids=["locals", "params", "arrays"],
)
def test_generated_names_do_not_capture_user_names(fn, args):
    wrt = tuple(range(len(args)))
    got = ast_ad.grad(fn, wrt=wrt)(*args)
    for i, g in enumerate(got):
        ref = fd_grad(fn, args, i)
        if isinstance(args[i], np.ndarray):
            np.testing.assert_allclose(g, ref, rtol=1e-6, atol=1e-8)
        else:
            assert g == pytest.approx(ref, rel=1e-6, abs=1e-8)


# --- source ---------------------------------------------------------------------------------


def src_target(x, y):
    z = x * y
    for i in range(3):
        z = z + np.sin(x) * i
    return z * y


def test_source_is_deterministic():
    a = ast_ad.source(ast_ad.grad(src_target, wrt=(0, 1)))
    b = ast_ad.source(ast_ad.grad(src_target, wrt=(0, 1)))
    assert a == b
    assert ast_ad.source(ast_ad.grad(src_target, wrt=(0, 1))) == a


def _make_first():
    def twin(x, y):
        z = x * y
        for i in range(3):
            z = z + np.sin(x) * i
        return z * y

    return twin


def _make_second():
    def twin(x, y):
        z = x * y
        for i in range(3):
            z = z + np.sin(x) * i
        return z * y

    return twin


def test_source_is_the_same_for_identical_functions_defined_separately():
    f1, f2 = _make_first(), _make_second()
    assert f1 is not f2
    s1 = ast_ad.source(ast_ad.grad(f1, wrt=(0, 1)))
    s2 = ast_ad.source(ast_ad.grad(f2, wrt=(0, 1)))
    # the comments name the user lines, which differ; relative to each def they agree
    start1 = inspect.getsourcelines(f1)[1]
    start2 = inspect.getsourcelines(f2)[1]
    assert start1 != start2
    rel = lambda s, start: re.sub(r"\[line (\d+)\]", lambda m: f"[+{int(m[1]) - start}]", s)
    assert "[line" in s1
    assert rel(s1, start1) == rel(s2, start2)


def test_source_comments_name_the_user_lines():
    src = ast_ad.source(ast_ad.grad(src_target, wrt=(0, 1)))
    lines, start = inspect.getsourcelines(src_target)
    for offset, text in enumerate(lines[1:], start=1):
        stmt = text.strip()
        assert f"# {stmt}  [line {start + offset}]" in src, (stmt, src)


def test_source_is_valid_python_and_matches_calls():
    src = ast_ad.source(ast_ad.grad(src_target, wrt=(0, 1)))
    compile(src, "<test>", "exec")
    assert "def src_target" in src


def test_source_rejects_non_gradients():
    with pytest.raises(ast_ad.AstAdError):
        ast_ad.source(src_target)


# --- tracebacks -----------------------------------------------------------------------------


def divides(x, n):
    z = x * x
    return z / n


def _last_frame(exc):
    tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb


def test_traceback_shows_the_generated_line():
    g = ast_ad.grad(divides)
    with pytest.raises(ZeroDivisionError) as info:
        g(1.0, 0)
    tb = _last_frame(info.value)
    filename, lineno = tb.tb_frame.f_code.co_filename, tb.tb_lineno
    shown = linecache.getline(filename, lineno)
    assert shown.strip(), f"no line for {filename}:{lineno}"
    assert shown.strip() in [ln.strip() for ln in ast_ad.source(g, 1.0, 0).splitlines()]
    assert "/" in shown
    text = "".join(traceback.format_exception(info.value))
    assert shown.strip() in text


def test_traceback_line_number_is_the_line_in_source():
    g = ast_ad.grad(divides)
    with pytest.raises(ZeroDivisionError) as info:
        g(1.0, 0)
    tb = _last_frame(info.value)
    src_lines = ast_ad.source(g, 1.0, 0).splitlines()
    shown = linecache.getline(tb.tb_frame.f_code.co_filename, tb.tb_lineno)
    assert src_lines[tb.tb_lineno - 1] == shown.rstrip("\n")


# --- recursion through a rebinding decorator ----------------------------------------------


@ast_ad.grad
def rec_pow(x, n):
    if n == 0:
        return 1.0
    return x * rec_pow(x, n - 1)


def test_recursive_function_whose_name_grad_rebound():
    assert rec_pow(2.0, 3) == pytest.approx(12.0)
    assert rec_pow.fn(2.0, 3) == 8.0


def test_a_non_wrt_argument_of_another_kind_gets_its_own_specialisation():
    # code made for a float `c` drops the unbroadcast of x * c; an array `c` that
    # broadcasts x up must not reuse it
    def f(x, c):
        y = x * c
        return np.sum(y)

    g = ast_ad.grad(f)
    x = np.array([0.5, 1.0, 2.0])
    np.testing.assert_allclose(g(x, 2.0), [2.0, 2.0, 2.0])
    c = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(g(x, c), c.sum(axis=0))
