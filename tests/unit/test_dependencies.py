"""What the analysis learns of a helper's value rests on every user function the helper
reaches (ast_ad/dependencies.py): rebinding one, however deep, regenerates the caller's
gradient and its helper analysis (never code specialised on the old helper)."""

import numpy as np

import ast_ad
import tests.unit.test_dependencies as me
from tests.fd import assert_close, fd_grad


def _inner(d, c):
    return np.zeros((d, d)) + c  # (d, d): long for d = x.shape[1] of a long x


def _inner_row(d, c):
    return np.zeros((1, d)) + c  # (1, d): Ls[k] @ x[i] is (1,), broadcast


def _outer(d, c):
    m = _inner(d, c)
    return m * 1.0


def f(x, c):
    d = x.shape[1]
    Ls = []
    for k in range(2):
        Ls.append(_outer(d, c))
    out = 0.0
    for i in range(x.shape[0]):
        for k in range(2):
            v = x[i] * 2.0 + Ls[k] @ x[i]
            out = out + np.sum(v * v)
    return out


def _adjoint(src):
    return src.split("_pop = _stack.pop")[1].split("# user functions")[0]


def test_rebinding_a_helper_two_calls_deep_regenerates(monkeypatch):
    rng = np.random.default_rng(4)
    x, c = rng.standard_normal((3, 3)), 0.4
    g = ast_ad.grad(f, wrt=(0, 1))
    for k, got in enumerate(g(x, c)):
        assert_close(got, fd_grad(f, (x, c), k), 1e-6, 1e-7)
    assert "unbroadcast(" not in _adjoint(ast_ad.source(g, x, c))
    monkeypatch.setattr(me, "_inner", _inner_row)
    for k, got in enumerate(g(x, c)):
        assert_close(got, fd_grad(f, (x, c), k), 1e-6, 1e-7)
    assert "unbroadcast(" in _adjoint(ast_ad.source(g, x, c))


def test_dependency_guards_are_transitive():
    from ast_ad.dependencies import dependency_guards

    keys = [k for _, k, _ in dependency_guards(f)]
    assert "_outer" in keys and "_inner" in keys
