"""A full reduction's cotangent times the operand its argument was made of elementwise
(``np.sum(v * v)``'s adjoint ``2 * (g * v)``) stays a scalar inside loops too, also where
``v``'s shape changes from one trip to the next and where the cotangent may be the 0.0
filler (optimize/shapes.py with analysis.shapes.elementwise_of)."""

import numpy as np

import ast_ad
from tests.fd import assert_close, fd_grad


def growing(x):
    s = 0.0
    for i in range(1, x.shape[0] + 1):
        v = x[:i] * 2.0
        q = v * v
        s = s + np.sum(q) * 0.5
    return s


def listed(x):
    terms = []
    for i in range(3):
        v = x * (i + 1.0)
        terms.append(np.sum(np.exp(v)))
    return terms[0] * terms[2]


def test_gradients_match_finite_differences():
    x = np.array([0.3, -0.7, 1.1, 0.4])
    for fn in (growing, listed):
        g = ast_ad.grad(fn)
        assert_close(g(x), fd_grad(fn, (x,), 0), 1e-6, 1e-7)


def test_no_full_size_cotangent_in_the_loop():
    x = np.array([0.3, -0.7, 1.1, 0.4])
    src = ast_ad.source(ast_ad.grad(growing), x)
    loop = src[src.index("_pop = _stack.pop"):]
    assert "unreduce(" not in loop and "is_zero(" not in loop


def test_values_the_adjoint_no_longer_reads_are_not_pushed():
    # q = v * v: its cotangent is a scalar times v, so q itself is never restored
    x = np.array([0.3, -0.7, 1.1, 0.4])
    src = ast_ad.source(ast_ad.grad(growing), x)
    assert "q = _pop()" not in src and "_push(q)" not in src and \
        "shape_token(q)" not in src
    assert "else:" not in src
