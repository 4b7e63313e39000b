"""Constructs that ADBench's Autograd objectives use, in our own small functions.

Each one is checked against central differences: a counter kept as a function
attribute and bumped from a nested closure, columns built with ``np.concatenate`` and
stacked by ``np.column_stack``, per-element list comprehensions turned into arrays,
row writes into ``np.empty``, a branch on an exact-zero test, and a residual
function returning a tuple.  Plus the ADBench benchmark script's skip path.
"""

from __future__ import annotations

import numpy as np

import ast_ad

from ..fd import assert_close, fd_grad, fd_jacobian


def _tri(d, v):
    _tri.pos = d

    def column(j):
        m = d - j - 1
        c = np.concatenate((np.zeros(j + 1), v[_tri.pos:(_tri.pos + m)]))
        _tri.pos += m
        return c
    return np.column_stack([column(j) for j in range(d)])


def _scaled(a, s):
    return np.asarray([a[i] * s for i in range(a.size)])


def energy(v, x):
    d = x.size
    L = _tri(d, v)
    y = np.asarray([np.exp(v[i]) * x[i] for i in range(d)])
    for j in range(d):
        y = y + _scaled(L[:, j], x[j])
    return np.log(np.square(y).sum() + 1.0)


def test_function_attribute_counter_and_column_stack():
    rng = np.random.default_rng(4)
    d = 4
    v = rng.standard_normal(d + d * (d - 1) // 2)
    x = rng.standard_normal(d)
    assert_close(ast_ad.grad(energy)(v, x), fd_grad(energy, (v, x)), 1e-6, 1e-8)
    # A second call with another size reuses nothing stale.
    v3, x3 = rng.standard_normal(6), rng.standard_normal(3)
    assert_close(ast_ad.grad(energy)(v3, x3), fd_grad(energy, (v3, x3)), 1e-6, 1e-8)


def _turn(r, p):
    s = np.sum(np.square(r))
    if s != 0.:
        t = np.sqrt(s)
        u = r / t
        return p * np.cos(t) + np.cross(u, p) * np.sin(t) + u * np.dot(u, p) * (1. - np.cos(t))
    else:
        return p + np.cross(r, p)


def residuals(q, pts):
    out = np.empty((pts.shape[0], 2))
    for i in range(pts.shape[0]):
        z = _turn(q[:3], pts[i] - q[3:6])
        out[i] = q[6] * z[0:2] / z[2]
    return (out, 1. - np.square(q))


def test_row_writes_branch_and_tuple_residual():
    rng = np.random.default_rng(5)
    pts = rng.standard_normal((3, 3)) + np.array([0.0, 0.0, 6.0])
    for q in (0.2 * rng.standard_normal(7), np.r_[np.zeros(3), rng.standard_normal(4)]):
        for mode in ("forward", "reverse"):
            J = ast_ad.jacobian(lambda q: residuals(q, pts)[0], mode=mode)(q)
            assert_close(J, fd_jacobian(lambda q: residuals(q, pts)[0], q), 1e-6, 1e-8)


def test_benchmark_skips_without_folder(monkeypatch, capsys):
    from benchmarks import adbench_objectives

    monkeypatch.delenv(adbench_objectives.ENV, raising=False)
    assert adbench_objectives.main([]) == 0
    assert "skipped" in capsys.readouterr().out
