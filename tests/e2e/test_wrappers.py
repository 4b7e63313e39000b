"""Decorated functions: ``functools.wraps``-style wrappers ``def wrapper(*args,
**kwargs)`` that time, log, scale or change arguments are differentiated as their own code
(never unwrapped through ``__wrapped__``), stacked, under ``@grad``, as the function
handed to ast_ad and as callees, in reverse and forward mode; ``functools.lru_cache`` /
``cache`` wrappers are refused at the user's line.  Checked against central differences
(tests/fd.py)."""

from __future__ import annotations

import functools
import logging
import time

import numpy as np
import pytest

import ast_ad

from ..fd import assert_close, fd_directional, fd_grad

log = logging.getLogger("ast_ad.tests.wrappers")
X = np.array([0.3, -0.8, 1.2])


def timed(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        log.debug("%s took %.3g s", fn.__name__, time.perf_counter() - t0)
        return out
    return wrapper


def doubling(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return 2.0 * fn(*args, **kwargs)
    return wrapper


def shifting_first(fn):
    """Changes an argument: never the same as the wrapped function."""
    @functools.wraps(fn)
    def wrapper(x, *args, **kwargs):
        return fn(x + 1.0, *args, **kwargs)
    return wrapper


def with_weight(fn):
    """Takes a keyword of its own, passes the rest through."""
    @functools.wraps(fn)
    def wrapper(*args, weight=1.0, **kwargs):
        return weight * fn(*args, **kwargs)
    return wrapper


@timed
def plain(x):
    return np.sum(np.sin(x) * x)


@doubling
@timed
def stacked(x, c=0.5):
    return np.sum(np.tanh(c * x) ** 2)


@shifting_first
@doubling
def shifted(x, y):
    return np.sum(x * x * y)


@with_weight
def weighted(x, scale=1.0):
    return scale * np.sum(np.exp(x))


def calls_them(x):
    return plain(x) + stacked(x, 2.0) + shifted(x, 0.5) + weighted(x, weight=3.0, scale=2.0)


def close(got, want):
    assert_close(got, want, 1e-6, 1e-8)


@pytest.mark.parametrize("fn,args,kwargs", [
    (plain, (X,), {}),
    (stacked, (X,), {}),
    (stacked, (X, 1.5), {}),
    (shifted, (X, 0.7), {}),
    (weighted, (X,), {"weight": 0.5, "scale": 2.0}),
    (calls_them, (X,), {}),
])
def test_reverse(fn, args, kwargs):
    got = ast_ad.grad(fn)(*args, **kwargs)
    close(got, fd_grad(fn, args, kwargs=kwargs))


def test_wrt_into_the_wrappers_args_and_value_and_grad():
    g = ast_ad.grad(stacked, (0, 1))(X, 1.5)
    want = fd_grad(stacked, (X, 1.5), wrt=(0, 1))
    close(g[0], want[0])
    close(g[1], want[1])
    value, g1 = ast_ad.value_and_grad(shifted, 1)(X, 0.7)
    assert value == pytest.approx(shifted(X, 0.7))
    close(g1, fd_grad(shifted, (X, 0.7), wrt=1))


def test_forward_mode():
    v = np.array([1.0, 0.5, -2.0])
    for fn in (plain, stacked, calls_them):
        value, tan = ast_ad.jvp(fn, (X,), (v,))
        assert value == pytest.approx(fn(X))
        close(tan, fd_directional(fn, (X,), 0, v))
    _, tan = ast_ad.jvp(shifted, (X, 0.7), (None, 1.0))
    close(tan, fd_directional(shifted, (X, 0.7), 1, 1.0))


def test_under_grad_as_a_decorator():
    @ast_ad.grad
    @doubling
    @timed
    def g(x):
        return np.sum(x ** 3)
    close(g(X), 2.0 * 3.0 * X ** 2)


def test_has_aux_through_a_wrapper():
    @timed
    def loss(x):
        return np.sum(x ** 2), {"n": 3}
    g, aux = ast_ad.grad(loss, has_aux=True)(X)
    close(g, 2.0 * X)
    assert aux == {"n": 3}


@functools.lru_cache(maxsize=None)
def cached_scale(k):
    return 2.0 * k


@functools.cache
def cached_value(x):
    return np.sin(x)


def test_lru_cache_on_a_constant_runs_as_is_and_is_refused_on_a_differentiated_value():
    def uses_constant(x):
        return cached_scale(3) * np.sum(x)  # no differentiated value reaches the cache
    close(ast_ad.grad(uses_constant)(X), fd_grad(uses_constant, (X,)))

    def uses_value(x):
        return cached_value(x) * 2.0
    line = uses_value.__code__.co_firstlineno + 1
    with pytest.raises(ast_ad.NoRuleError, match="lru_cache") as e:
        ast_ad.grad(uses_value)(0.4)
    assert e.value.lineno == line and e.value.filename.endswith("test_wrappers.py")
    with pytest.raises(ast_ad.AstAdError, match=r"__wrapped__"):
        ast_ad.grad(cached_value)(0.4)


class Counted:
    """A class-based decorator: counts calls, passes everything through."""

    def __init__(self, fn):
        self.fn = fn
        self.calls = 0
        functools.update_wrapper(self, fn)

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.fn(*args, **kwargs)


@Counted
def counted(x):
    return np.sum(np.sin(x) * x)


def calls_counted(x):
    return counted(x) * 2.0 + counted(x * 0.5)


def adds_a_keyword(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, scale=3.0, **kwargs)
    return wrapper


@adds_a_keyword
def scaled_sum(x, scale=1.0, shift=0.0):
    return scale * np.sum(x * x) + shift


def calls_scaled_sum(x):
    return scaled_sum(x, shift=1.0) * x[0]


@pytest.mark.parametrize("fn", [counted, calls_counted, scaled_sum, calls_scaled_sum])
def test_class_based_decorators_and_added_keywords(fn):
    close(ast_ad.grad(fn)(X), fd_grad(fn, (X,)))
    v = np.array([0.5, 1.0, -1.0])
    close(ast_ad.jvp(fn, (X,), (v,))[1], fd_directional(fn, (X,), 0, v))


def test_a_class_based_decorator_counts_each_call_once():
    before = counted.calls
    ast_ad.grad(calls_counted)(X)
    assert counted.calls == before + 2


def sets_a_default(fn):
    """Writes into its **kwargs before passing it on: never spread (the write would be
    lost), refused."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        kwargs.setdefault("scale", 5.0)
        return fn(*args, **kwargs)
    return wrapper


@sets_a_default
def scaled_by_default(x, scale=1.0):
    return scale * np.sum(x * x)


def test_a_wrapper_writing_into_its_kwargs_is_refused_not_wrong():
    def outer(x):
        return scaled_by_default(x) * 2.0
    for fn in (scaled_by_default, outer):
        with pytest.raises(ast_ad.AstAdError, match="kwargs"):
            ast_ad.grad(fn)(X)
