"""NumPy reductions with ``initial=`` and ``where=`` (and ``axis=``/``keepdims=``), in every
spelling (``np.f``, the method, the ``a``-prefixed and nan-aware names): reverse and forward
mode against central finite differences (tests/fd.py).

``where`` leaves entries out (their derivative is 0), ``initial`` is one more entry, a
constant (where it wins a max/min, every derivative is 0); a differentiated ``initial`` has
no derivative slot and is refused, never dropped."""

from __future__ import annotations

import numpy as np
import pytest

import ast_ad

from ..fd import assert_close, fd_directional, fd_grad

M = np.array([True, False, True, True])
M2 = np.array([[True, False, True], [False, False, True]])
COL = np.array([True, False, True])  # broadcasts over the rows of a (2, 3) array


def max_init(x):
    return np.max(x, initial=-5.0) * 2.0


def max_init_wins(x):  # initial above every entry: the result does not move
    return np.max(x, initial=5.0) + np.sum(x)


def min_init(x):
    return np.min(x * 1.5, initial=5.0)


def amax_axis_init(x):
    return np.amax(x, axis=0, initial=-9.0) * 3.0


def amin_where(x):
    return np.amin(np.sin(x), where=M, initial=9.0)


def max_where_init(x):
    return np.max(x, where=M, initial=-9.0)


def method_max(x):
    return x.max(initial=-9.0) * x[0]


def method_min_where(x):
    return (x * x).min(where=M, initial=9.0)


def sum_init(x):
    return np.sum(x * x, initial=1.0) * 0.5


def sum_where(x):
    return np.sum(np.sin(x), where=M)


def method_sum_where(x):
    return x.sum(where=M) * x[1]


def sum_both(x):
    return np.sum(x ** 3, initial=2.0, where=M)


def prod_plain(x):
    return np.prod(x)


def prod_init(x):
    return np.prod(x, initial=2.0)


def prod_where(x):
    return np.prod(x + 2.0, where=M)


def prod_both(x):
    return np.prod(x, where=M, initial=-1.5)


def method_prod(x):
    return x.prod(initial=0.5)


def nanmax_init(x):
    return np.nanmax(x, initial=-9.0, where=M)


def nansum_where(x):
    return np.nansum(x * x, where=M)


def nanprod_init(x):
    return np.nanprod(x, initial=3.0)


VECTOR = [max_init, max_init_wins, min_init, amax_axis_init, amin_where, max_where_init,
          method_max, method_min_where, sum_init, sum_where, method_sum_where, sum_both,
          prod_plain, prod_init, prod_where, prod_both, method_prod, nanmax_init,
          nansum_where, nanprod_init]


def max_axis_where(A):
    return np.sum(np.max(A, axis=1, where=M2, initial=-9.0) * np.array([1.0, 2.0]))


def max_keepdims_init(A):
    return np.sum(np.max(A, axis=0, keepdims=True, initial=0.0) ** 2)


def sum_axis_where(A):
    return np.sum(np.sum(A * A, axis=1, where=COL) * np.array([1.0, -2.0]))


def sum_keepdims_where(A):
    return np.sum(np.sum(np.sin(A), axis=0, keepdims=True, where=M2) * A)


def prod_axis_where(A):
    return np.sum(np.prod(A, axis=0, where=M2, initial=2.0))


def method_amax_axis(A):
    return np.sum(A.max(axis=1, where=COL, initial=-9.0))


MATRIX = [max_axis_where, max_keepdims_init, sum_axis_where, sum_keepdims_where,
          prod_axis_where, method_amax_axis]

X = np.array([0.3, -0.7, 1.1, 0.45])
A = np.array([[0.3, -0.7, 1.1], [0.8, 0.2, -0.4]])


def check(f, x):
    ref = fd_grad(f, (x,))
    assert_close(ast_ad.grad(f)(x.copy()), ref, 1e-6, 1e-7, f.__name__)
    v = np.linspace(-1.0, 1.0, x.size).reshape(x.shape)
    _, tangent = ast_ad.jvp(f, (x.copy(),), (v,))
    assert_close(tangent, fd_directional(f, (x,), 0, v), 1e-6, 1e-7, f.__name__)


@pytest.mark.parametrize("f", VECTOR, ids=lambda f: f.__name__)
def test_vector_reductions(f):
    check(f, X)


@pytest.mark.parametrize("f", MATRIX, ids=lambda f: f.__name__)
def test_axis_reductions(f):
    check(f, A)


def test_initial_that_wins_gives_zero():
    """The initial value is the maximum: no entry moves the result (not a tie share)."""
    g = ast_ad.grad(max_init_wins)(X.copy())
    assert np.array_equal(g, np.ones(4))
    assert np.array_equal(ast_ad.grad(lambda x: np.max(x, initial=5.0))(X.copy()),
                          np.zeros(4))


def test_masked_entries_get_zero():
    g = ast_ad.grad(sum_where)(X.copy())
    assert np.all(g[~M] == 0.0) and np.all(g[M] != 0.0)


def initial_from_x(x, s):
    return np.max(x, initial=s)


def sum_initial_from_s(x, s):
    return np.sum(x, initial=s * 2.0)


@pytest.mark.parametrize("f", [initial_from_x, sum_initial_from_s], ids=lambda f: f.__name__)
def test_differentiated_initial_is_refused(f):
    with pytest.raises(ast_ad.AstAdError, match="initial"):
        ast_ad.grad(f, wrt=(0, 1))(X.copy(), 9.0)


def mean_where(x):
    return np.mean(x ** 2, where=M)


def nanmean_where(x):
    return np.nanmean(x, where=M)


@pytest.mark.parametrize("f", [mean_where, nanmean_where], ids=lambda f: f.__name__)
def test_mean_where_is_refused_at_the_line(f):
    """Not declared (its count varies per result): refused at the user's line, never a
    derivative that ignores the mask."""
    for run in (lambda: ast_ad.grad(f)(X.copy()),
                lambda: ast_ad.jvp(f, (X.copy(),), (np.ones(4),))):
        with pytest.raises(ast_ad.AstAdError, match="test_reduction_keywords.py"):
            run()


def test_defaults_cost_nothing():
    """Without where=/initial= the generated code is the plain reduction's: the helpers
    that apply them are folded away by the inliner."""
    def f(x):
        return np.sum(np.prod(x) * x) + np.max(x)

    text = ast_ad.grad(f).source(X.copy())
    assert "prod_except" in text
    assert "masked" not in text and "where_or_one" not in text and "scaled" not in text
