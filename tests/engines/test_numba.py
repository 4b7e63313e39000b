"""``ast_ad.grad(f, backend="numba")``: the generated gradient compiled with numba.njit
(ast_ad/backends/numba.py); skipped when numba is absent."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import ast_ad
from ast_ad.backends.numba import NumbaBackendError

numba = pytest.importorskip("numba")


def sumsq(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[i] * x[i]
    return s


def recurrence(y, n):
    for i in range(n):
        y = 0.9999 * y + 0.001 * math.sin(y)
    return y


def branches(x, a):
    s = 0.0
    i = 0
    while i < x.shape[0]:
        if x[i] > 0:
            s = s + a * x[i] ** 2
        else:
            s = s - math.exp(x[i])
        i += 1
    return s


def w1(x):
    s = 0.0
    p = x
    for i in range(100):
        p = np.sin(p) * 0.9 + x * 0.1
        s = s + p * p
    return s


def _offset(k):
    return 0.5 * k


def calls_plain_helper(x):
    s = 0.0
    for k in range(x.shape[0]):
        s = s + math.tanh(x[k] + _offset(k))
    return s


def reversed_steps(x):
    s = 1.0
    for i in range(2, x.shape[0], 3):
        s = s * math.cos(x[i]) + x[i - 1]
    return s


def on_lists(xs):
    s = 0.0
    for v in xs:
        s = s + v * v
    return s


@numba.njit
def jitted(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + math.sin(x[i]) * x[i]
    return s


X = np.random.default_rng(0).standard_normal(64)

CASES = [(sumsq, (X,), 0), (recurrence, (0.5, 500), 0), (branches, (X, 2.0), (0, 1)),
         (w1, (0.3,), 0), (calls_plain_helper, (X,), 0), (reversed_steps, (X,), 0)]


def _close(a, b):
    if isinstance(b, tuple):
        assert isinstance(a, tuple) and len(a) == len(b)
        for u, v in zip(a, b):
            _close(u, v)
        return
    assert type(a) is type(b) or (isinstance(a, float) and isinstance(b, float)), \
        (type(a), type(b))
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("f,args,wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_numba_gradient_equals_python_gradient(f, args, wrt):
    g = ast_ad.grad(f, wrt=wrt, backend="numba")
    got = g(*args)
    _close(got, ast_ad.grad(f, wrt=wrt)(*args))
    _close(g(*args), got)  # re-runnable: the stacks are the call's own
    src = g.source(*args)
    assert "_stack" not in src and "_push(" not in src and "_pop(" not in src


def test_value_and_grad_numba():
    v, gx = ast_ad.value_and_grad(sumsq, backend="numba")(X)
    assert v == pytest.approx(sumsq(X), rel=1e-14)
    np.testing.assert_allclose(gx, 2 * X, rtol=1e-14)


def test_jvp_numba():
    t = np.random.default_rng(1).standard_normal(X.shape)
    got = ast_ad.jvp(sumsq, (X,), (t,), backend="numba")
    ref = ast_ad.jvp(sumsq, (X,), (t,))
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    got = ast_ad.jvp(recurrence, (0.5, 300), (1.0, None), backend="numba")
    np.testing.assert_allclose(got, ast_ad.jvp(recurrence, (0.5, 300), (1.0, None)),
                               rtol=1e-12)


def test_njit_function_differentiated_through_py_func():
    g = ast_ad.grad(jitted, backend="numba")(X)
    np.testing.assert_allclose(g, np.cos(X) * X + np.sin(X), rtol=1e-12)
    np.testing.assert_allclose(ast_ad.grad(jitted)(X), g, rtol=1e-14)


def test_containers_refused_with_a_clear_error():
    with pytest.raises(NumbaBackendError, match="list argument"):
        ast_ad.grad(on_lists, backend="numba")([1.0, 2.0])


def test_fallback_python_warns_and_runs():
    g = ast_ad.grad(on_lists, backend="numba", fallback="python")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert g([1.0, 2.0]) == [2.0, 4.0]
    assert any("Python gradient" in str(x.message) for x in w)


def _array_ops(x):
    return np.sum(np.dot(x.reshape(8, 8), x.reshape(8, 8)))


def test_uncompilable_construct_is_named():
    with pytest.raises(NumbaBackendError, match="numba"):
        ast_ad.grad(_array_ops, backend="numba")(X)


def test_unknown_backend():
    with pytest.raises(ast_ad.AstAdError, match="backend"):
        ast_ad.grad(sumsq, backend="cuda")
