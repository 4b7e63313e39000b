"""``ast_ad.grad(f, backend="numba")``: the generated gradient compiled with numba.njit
(ast_ad/backends/numba.py); skipped when numba is absent."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import ast_ad
from ast_ad.backends.numba import NumbaBackendError
from tests.fd import as_tuple, assert_close, fd_grad
from tests.unit.test_element_loops import heat  # (the same stencil, compiled here)

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


# -- element loops (issue 15): subscript writes, saved ranges, zero tests ----------------
def mixture(means, log_sig, logits, X):
    d = X.shape[1]
    lw = logits - np.log(np.sum(np.exp(logits)))
    total = 0.0
    for i in range(X.shape[0]):
        acc = 0.0
        for k in range(means.shape[0]):
            diff = X[i] - means[k]
            q = np.sum(diff * diff) * np.exp(-2.0 * log_sig[k])
            acc = acc + np.exp(lw[k] - 0.5 * q - d * log_sig[k])
        total = total + np.log(acc)
    return total


def writes_its_argument(x):
    x[0] = x[0] * 3.0  # the Python gradient puts x[0] back after its backward pass
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[i] * math.sin(x[i])
    return s


def nested_break(x, a):
    s = 0.0
    for i in range(x.shape[0]):
        for j in range(1, 6, 2):
            if j * a > 2.0 + i:
                break
            s = s + math.sin(x[i] * j) * a
    return s


def ragged(x, c):
    s = 0.0
    for i in range(1, x.shape[0]):
        head = x[:i] * c  # saved for its shape only: a shape that changes every step
        s = s + np.sum(np.sin(head))
    return s


_R = np.random.default_rng(3)
ELEMENT_CASES = [
    (heat, (_R.random(12), 0.1), (0, 1)),
    (mixture, (_R.standard_normal((3, 2)), 0.1 * _R.standard_normal(3),
               _R.standard_normal(3), _R.standard_normal((7, 2))), (0, 1, 2)),
    (writes_its_argument, (_R.standard_normal(9),), 0),
    (nested_break, (_R.standard_normal(6), 0.9), (0, 1)),
    (ragged, (_R.standard_normal(7), 1.3), (0, 1)),
]


@pytest.mark.parametrize("f,args,wrt", ELEMENT_CASES, ids=[c[0].__name__ for c in ELEMENT_CASES])
def test_element_loops_compile_and_match_finite_differences(f, args, wrt):
    g = ast_ad.grad(f, wrt=wrt, backend="numba")
    before = [np.copy(a) for a in args]
    got = g(*args)
    for a, b in zip(args, before):  # arguments as they were
        np.testing.assert_array_equal(a, b)
    ref = fd_grad(f, args, wrt=wrt)
    for a, b in zip(as_tuple(got, wrt), as_tuple(ref, wrt)):
        assert_close(a, b, rtol=1e-6, atol_scale=1e-6, what=f.__name__)
    _close(g(*args), got)  # re-runnable
    _close(got, ast_ad.grad(f, wrt=wrt)(*args))
    assert "_push(" not in g.source(*args)


def test_entry_adjoints_are_cleared_in_place():
    # by the passes (bnew[i] = 0.0) or by the variant (_nb_clear_inplace, with copies):
    # never a copy of the whole adjoint per entry
    src = ast_ad.grad(heat, wrt=(0, 1), backend="numba").source(*ELEMENT_CASES[0][1])
    assert "clear_grad(" not in src.replace("_nb_clear_inplace(", "")
    assert "_nb_clear_inplace(" not in src or "_nb_own(" in src


def test_stacks_grow_past_the_first_call():
    g = ast_ad.grad(sumsq, backend="numba")
    np.testing.assert_allclose(g(X[:5]), 2 * X[:5], rtol=1e-14)  # sizes the stacks at 5
    big = np.random.default_rng(4).standard_normal(5000)
    np.testing.assert_allclose(g(big), 2 * big, rtol=1e-14)  # full: doubled and made again
    np.testing.assert_allclose(g(X), 2 * X, rtol=1e-14)
    src = g.source(X)
    assert "np.empty(_caps[" in src and "_st_" in src


def test_a_function_writing_its_argument_gets_growing_stacks():
    src = ast_ad.grad(writes_its_argument, backend="numba").source(ELEMENT_CASES[2][1][0])
    assert "_nb_grow(" in src and "_caps" not in src  # not safe to stop and call again


def test_keyword_arguments_and_defaults():
    def f(x, scale=2.0):
        s = 0.0
        for i in range(x.shape[0]):
            s = s + scale * x[i] * x[i]
        return s

    g = ast_ad.grad(f, backend="numba")
    np.testing.assert_allclose(g(X), 4 * X, rtol=1e-14)
    np.testing.assert_allclose(g(x=X, scale=3.0), 6 * X, rtol=1e-14)


def test_one_d_arrays_saved_whole_go_on_a_flat_stack_only_without_entry_writes():
    src = ast_ad.grad(mixture, wrt=(0, 1, 2), backend="numba").source(*ELEMENT_CASES[1][1])
    assert "_st_diff[_n_diff:_n_diff + diff__len] = diff" in src
    src = ast_ad.grad(heat, wrt=(0, 1), backend="numba").source(*ELEMENT_CASES[0][1])
    assert "_st_u.append(u)" in src  # u shares its array with new, whose entries change
