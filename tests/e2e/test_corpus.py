"""The end-to-end corpus: ``ast_ad.grad`` vs central finite differences (and vs the tape).

Each corpus entry (``corpus.py``) is checked for
- the gradient against central finite differences (rtol 1e-6, float64),
- the gradient against ``ast_ad.tape.grad`` (rtol 1e-12) when the tape is available,
- the kind of each gradient: float for a Python float/int, an array of the argument's
  shape and dtype for an array,
- ``value_and_grad``'s value against a plain call, and that the inputs are not mutated.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

import ast_ad

from ..fd import as_tuple, assert_close, fd_grad
from .corpus import CONTROL, STRAIGHT, Case

try:  # the tape oracle is written in parallel; compare with it only when it is there
    from ast_ad import tape as _tape

    TAPE_GRAD = getattr(_tape, "grad", None)
except Exception:  # pragma: no cover - depends on the state of the tree
    TAPE_GRAD = None

FD_RTOL = 1e-6
FD_ATOL = 1e-7  # times max(1, max |gradient|)
TAPE_RTOL = 1e-12
TAPE_ATOL = 1e-12


def _params(cases, check):
    out = []
    for c in cases:
        reason = c.reason(check)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(c, id=c.id, marks=marks))
    return out


ALL = STRAIGHT + CONTROL


def test_corpus_size():
    assert len(STRAIGHT) >= 45
    assert len(CONTROL) >= 25
    names = [c.id for c in ALL]
    assert len(names) == len(set(names)), "corpus ids must be unique"


def _fresh(args):
    return copy.deepcopy(args)


def _compare(got, ref, rtol, atol_scale, what):
    if isinstance(ref, (list, tuple)):
        assert type(got) is type(ref) and len(got) == len(ref), f"{what}: {got!r} vs {ref!r}"
        for k, (g, r) in enumerate(zip(got, ref)):
            _compare(g, r, rtol, atol_scale, f"{what}[{k}]")
        return
    if isinstance(ref, dict):
        assert isinstance(got, dict) and set(got) == set(ref), f"{what}: {got!r} vs {ref!r}"
        for k in ref:
            _compare(got[k], ref[k], rtol, atol_scale, f"{what}[{k!r}]")
        return
    assert_close(got, ref, rtol, atol_scale, what)


def _check_kind(g, x, what):
    if isinstance(x, (list, tuple)):
        assert type(g) is type(x) and len(g) == len(x), f"{what}: {type(g).__name__}"
        for k, (gk, xk) in enumerate(zip(g, x)):
            _check_kind(gk, xk, f"{what}[{k}]")
    elif isinstance(x, dict):
        assert isinstance(g, dict), f"{what}: expected a dict gradient, got {type(g).__name__}"
        for k in x:
            _check_kind(g[k], x[k], f"{what}[{k!r}]")
    elif isinstance(x, np.ndarray):
        assert isinstance(g, np.ndarray), f"{what}: expected ndarray, got {type(g).__name__}"
        assert g.shape == x.shape, f"{what}: shape {g.shape} != {x.shape}"
        assert g.dtype == x.dtype, f"{what}: dtype {g.dtype} != {x.dtype}"
    else:  # Python float / int / np.float64 -> a float
        assert type(g) in (float, np.float64), f"{what}: expected float, got {type(g).__name__}"


@pytest.mark.parametrize("case", _params(ALL, "fd"))
def test_grad_vs_finite_differences(case: Case):
    args = _fresh(case.args)
    got = ast_ad.grad(case.fn, wrt=case.wrt)(*args)
    for a, b in zip(args, case.args):  # inputs are not mutated
        if isinstance(b, int):
            assert a == b
        else:
            _compare(a, b, 0.0, 0.0, f"{case.id}: input mutated")
    if case.expected is not None:
        ref = case.expected(*_fresh(case.args))
    else:
        ref = fd_grad(case.fn, _fresh(case.args), case.wrt)
    if isinstance(case.wrt, tuple):
        assert isinstance(got, tuple) and len(got) == len(case.wrt)
    for k, (g, r) in enumerate(zip(as_tuple(got, case.wrt), as_tuple(ref, case.wrt))):
        _compare(g, r, FD_RTOL, FD_ATOL, f"{case.id} gradient {k}")


@pytest.mark.parametrize("case", _params(ALL, "kinds"))
def test_gradient_kinds(case: Case):
    got = ast_ad.grad(case.fn, wrt=case.wrt)(*_fresh(case.args))
    from ast_ad.signature import resolve_wrt

    idx = resolve_wrt(case.fn, case.wrt).indices
    for k, (g, i) in enumerate(zip(as_tuple(got, case.wrt), idx)):
        _check_kind(g, case.args[i], f"{case.id} gradient {k}")


@pytest.mark.parametrize("case", _params(ALL, "value"))
def test_value_and_grad(case: Case):
    value, got = ast_ad.value_and_grad(case.fn, wrt=case.wrt)(*_fresh(case.args))
    expected = case.fn(*_fresh(case.args))
    assert_close(value, expected, 1e-13, 1e-13, f"{case.id} value")
    g2 = ast_ad.grad(case.fn, wrt=case.wrt)(*_fresh(case.args))
    for a, b in zip(as_tuple(got, case.wrt), as_tuple(g2, case.wrt)):
        _compare(a, b, 1e-14, 0.0, f"{case.id} value_and_grad vs grad")


@pytest.mark.skipif(TAPE_GRAD is None, reason="ast_ad.tape.grad is not available")
@pytest.mark.parametrize("case", _params(ALL, "tape"))
def test_transformer_vs_tape(case: Case):
    got = ast_ad.grad(case.fn, wrt=case.wrt)(*_fresh(case.args))
    ref = TAPE_GRAD(case.fn, wrt=case.wrt)(*_fresh(case.args))
    for k, (g, r) in enumerate(zip(as_tuple(got, case.wrt), as_tuple(ref, case.wrt))):
        _compare(g, r, TAPE_RTOL, TAPE_ATOL, f"{case.id} transformer vs tape, gradient {k}")


def _to_f32(args):
    return tuple(a.astype(np.float32) if isinstance(a, np.ndarray) and a.dtype == np.float64
                 else a for a in args)


def _array_cases():
    from ast_ad.signature import resolve_wrt

    out = []
    for c in STRAIGHT:
        idx = resolve_wrt(c.fn, c.wrt).indices
        if c.xfail is None and c.expected is None and all(
                isinstance(c.args[i], np.ndarray) for i in idx):
            out.append(c)
    return out


@pytest.mark.parametrize("case", _params(_array_cases(), "f32"))
def test_float32_inputs_give_float32_gradients(case: Case):
    args32 = _to_f32(case.args)
    got = ast_ad.grad(case.fn, wrt=case.wrt)(*_fresh(args32))
    ref = ast_ad.grad(case.fn, wrt=case.wrt)(*_fresh(case.args))
    for k, (g, r) in enumerate(zip(as_tuple(got, case.wrt), as_tuple(ref, case.wrt))):
        assert isinstance(g, np.ndarray) and g.dtype == np.float32, (
            f"{case.id} gradient {k}: {type(g).__name__} {getattr(g, 'dtype', None)}")
        assert g.shape == r.shape
        assert_close(g, r, 1e-3, 1e-4, f"{case.id} float32 gradient {k}")


# -- kinds of gradients beyond the corpus --------------------------------------------------


def _quad(x):
    return np.sum(x * x * 3.0) + np.sum(np.sin(x))


def _scalar_fn(x):
    return x * x * 3.0 + math.sin(x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 1, 3)])
def test_array_gradient_keeps_shape_and_dtype(dtype, shape):
    x = np.linspace(-1.0, 1.0, int(np.prod(shape))).reshape(shape).astype(dtype)
    g = ast_ad.grad(_quad)(x)
    assert isinstance(g, np.ndarray)
    assert g.shape == shape and g.dtype == dtype
    np.testing.assert_allclose(g, 6.0 * x + np.cos(x), rtol=1e-5 if dtype == np.float32 else 1e-12)


def test_float_in_float_out():
    g = ast_ad.grad(_scalar_fn)(0.5)
    assert type(g) is float


def test_int_in_float_out():
    g = ast_ad.grad(_scalar_fn)(2)
    assert type(g) is float
    assert g == pytest.approx(12.0 + np.cos(2.0), rel=1e-14)


def test_np_float64_in_float_out():
    g = ast_ad.grad(_scalar_fn)(np.float64(0.5))
    assert type(g) in (float, np.float64)
    assert g == pytest.approx(3.0 + np.cos(0.5), rel=1e-14)


def test_mixed_kinds_in_one_call():
    def f(x, n, v):
        return x * n + np.sum(v) * x * n

    gx, gn, gv = ast_ad.grad(f, wrt=(0, 1, 2))(1.5, 3, np.ones(2, dtype=np.float32))
    assert type(gx) is float and type(gn) is float
    assert gv.dtype == np.float32 and gv.shape == (2,)
    assert (gx, gn) == (pytest.approx(9.0), pytest.approx(4.5))
