"""The tape oracle and NumPy's views and in-place writes: right or refused, never a value
computed as if a write were absent (ast_ad/tape/views.py)."""

from __future__ import annotations

import numpy as np
import pytest

import ast_ad
from ast_ad import tape

from ..fd import fd_grad

X, S = np.array([0.3, -0.5, 0.8]), 0.7


def add_into(h, v):
    h += v


def helper_adds_into_its_argument(x, s):
    y = np.sin(x) + 0.5
    add_into(y, 2.0 * s)
    return np.sum(y * x)


def alias_updated_in_place(x, s):
    y = x * 2.0
    b = y
    b += s
    b *= x
    return np.sum(y * x)


def row_loop(x, s):
    h = np.zeros((3, 2))
    h[0] = x[:2]
    for t in range(1, 3):
        h[t] = h[t - 1] * s + x[t]
    return np.sum(h * h)


def augmented_slice(x, s):
    y = np.zeros((3, 4))
    y[:, 1:3] = x[:, None]
    y[0, :] += s
    y[1:, 2] *= x[1:]
    return np.sum(y ** 2)


def asarray_alias(x, s):
    b = np.asarray(x, dtype=float)
    b[0] = x[0] ** 2
    return x[0] * s + np.sum(b)


def linspace_and_arange(x, s):
    return np.sum(np.linspace(0.0, s, 3) * x) + np.sum(np.arange(s, s + 3.0) * x)


@pytest.mark.parametrize("f", [helper_adds_into_its_argument, alias_updated_in_place,
                               row_loop, augmented_slice, asarray_alias,
                               linspace_and_arange])
def test_in_place_writes_the_tape_models(f):
    got = tape.grad(f, wrt=(0, 1))(X.copy(), S)
    for g, r in zip(got, fd_grad(f, (X, S), wrt=(0, 1))):
        np.testing.assert_allclose(g, r, rtol=1e-6, atol=1e-8)


def rows_read_after_the_base_is_written(x, s):
    A = np.outer(x, x)
    acc = 0.0
    for row in A:
        A += 0.3
        acc = acc + np.sum(row * row)
    return acc * s


def write_through_a_slice(x, s):
    y = x * 1.5
    v = y[::2]
    v += s
    return np.sum(y * y)


def write_through_a_transpose(x, s):
    y = np.outer(x, x)
    b = y.T
    b[:] = np.tanh(b)
    return np.sum(y * s)


def enumerate_rows_rewritten(x, s):
    M = np.stack([x, x * s])
    acc = 0.0
    for k, row in enumerate(M):
        M[k] = row * 2.0
        acc = acc + np.sum(row * x)
    return acc


@pytest.mark.parametrize("f", [rows_read_after_the_base_is_written, write_through_a_slice,
                               write_through_a_transpose, enumerate_rows_rewritten])
def test_views_the_tape_cannot_model_are_refused(f):
    with pytest.raises(ast_ad.AstAdError, match="the tape does not model"):
        tape.grad(f, wrt=(0, 1))(X.copy(), S)


def test_a_dead_temporary_view_may_be_written():
    def f(x):
        v = (x * 2.0)[:2]
        v[0] = x[2] ** 2
        return np.sum(v)

    np.testing.assert_allclose(tape.grad(f)(X), fd_grad(f, (X,)), atol=1e-8)
