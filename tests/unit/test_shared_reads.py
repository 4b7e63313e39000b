"""A repeated read of one element reuses the first read (passes/shared_reads.py): the
executed before/after, gradients against finite differences, and the cases where the
second read must stay (a write, a call or a rebinding between the reads)."""

import gast
import numpy as np
import pytest

import ast_ad
from ast_ad.passes.shared_reads import share_element_reads
from tests.fd import assert_close, fd_grad
from tests.modes import check_both_modes


class _Res:
    def callable(self, f):
        return {"range": range}.get(getattr(f, "id", ""))


def _run(src, arrays):
    tree = gast.parse(src).body[0]
    params = [a.id for a in tree.args.args]
    share_element_reads(tree, params, arrays, {"i": int}, _Res())
    return gast.unparse(tree).strip()


def test_before_after():
    src = "def f(x, i):\n    _t3 = x[i]\n    _t4 = x[i]\n    _t5 = _t3 * _t4\n    return _t5"
    out = _run(src, {"x": (1, "<f8")})
    assert out == "def f(x, i):\n    _t3 = x[i]\n    _t5 = _t3 * _t3\n    return _t5"


@pytest.mark.parametrize("between", [
    "x[i] = 2.0",          # an entry write
    "x = x * 2.0",         # the array rebound
    "i = 0",               # the index rebound
    "_t9 = print(1)",      # a call
])
def test_second_read_kept_when_something_may_change_it(between):
    src = ("def f(x, i):\n    _t3 = x[i]\n    " + between +
           "\n    _t4 = x[i]\n    _t5 = _t3 * _t4\n    return _t5")
    assert "_t3 * _t4" in _run(src, {"x": (1, "<f8")})


def test_not_for_object_arrays_or_unknown_arrays():
    src = "def f(x, i):\n    _t3 = x[i]\n    _t4 = x[i]\n    _t5 = _t3 * _t4\n    return _t5"
    assert "_t3 * _t4" in _run(src, {"x": (1, "|O")})
    assert "_t3 * _t4" in _run(src, {})


def sumsq(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[i] * x[i]
    return s


def write_between(x):
    s = 0.0
    for i in range(x.shape[0]):
        a = x[i]
        x[i] = 3.0 * a
        s = s + a * x[i]
    return s


def vdp(y):
    return y[1] * (1.0 - y[0] * y[0]) * y[1] - y[0] * y[1]


def matrix(a):
    return a[0, 1] * a[0, 1] + a[1, 0] * a[0, 1] * a[1, 0]


def test_generated_code_reads_once():
    g = ast_ad.grad(sumsq)
    x = np.linspace(0.1, 1.0, 7)
    assert_close(g(x), fd_grad(sumsq, (x,)), 1e-6, 1e-6)
    src = ast_ad.source(g)
    assert src.count("= x[i]") == 1 and src.count("bx[i] +=") == 1


@pytest.mark.parametrize("f", [sumsq, write_between, vdp, matrix])
def test_gradients_both_modes(f):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 2)) if f is matrix else rng.standard_normal(5)
    check_both_modes(f, x, rng.standard_normal(x.shape))


def test_write_between_reads_is_seen():
    # the second read sees the write: sharing it would give 3a*a's gradient wrongly
    g = ast_ad.grad(write_between)
    x = np.array([0.5, -1.0, 2.0])
    assert_close(g(x.copy()), fd_grad(write_between, (x,)), 1e-6, 1e-6)
    assert "_t4 = x[i]" in ast_ad.source(g)  # read again after the write
