"""The generated code of the whole end-to-end corpus runs on a CuPy-like array library.

``Device`` (tests/rules/test_array_neutrality.py) stands in for a CuPy array without a
GPU: NumPy reaches it only through ``__array_function__``/``__array_ufunc__``, it refuses
implicit conversion to ``numpy.ndarray`` and mixing with host arrays, as CuPy does.  Here
every corpus case (tests/e2e/corpus.py) with array arguments gets its arrays (also inside
lists, tuples and dicts) as ``Device`` arrays: the gradient must run, return no host
arrays, and equal the NumPy gradient.

A case whose *function itself* cannot run on device arrays (it builds host arrays with
``np.arange``/``np.eye``/``np.zeros(shape)`` and mixes them with its arguments — CuPy
refuses that too) is skipped, naming the reason: that is the user's code, not ast_ad's.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import ast_ad

from ..e2e.corpus import CONTROL, STRAIGHT
from ..fd import as_tuple
from ..rules import test_array_neutrality as dev

HostArrayError = dev.HostArrayError


class Device(dev.Device):
    """``dev.Device`` whose ``ufunc.at`` takes host index arrays (``cupy.add.at`` does)."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "at":
            a, idx, *rest = inputs
            getattr(ufunc, method)(dev._unwrap(a), dev._unwrap(idx, index=True),
                                   *dev._unwrap(tuple(rest)), **dev._unwrap(kwargs))
            return None
        return super().__array_ufunc__(ufunc, method, *inputs, **kwargs)

    def astype(self, dtype, **kwargs):
        return Device(self.a.astype(dtype, **kwargs))

    def copy(self):
        return Device(self.a.copy())

    # array methods, as CuPy has them (each through NumPy's dispatch, never on host data)
    T = property(lambda self: np.transpose(self))

    def reshape(self, *shape, **kwargs):
        return np.reshape(self, shape[0] if len(shape) == 1 else shape, **kwargs)

    def transpose(self, *axes):
        return np.transpose(self, (axes[0] if len(axes) == 1 else axes) or None)

    def flatten(self):
        return np.ravel(self).copy()

    def item(self):
        return self.a.item()

    def fill(self, v):
        self.a.fill(v)

    def __getattr__(self, name):
        f = getattr(np, name, None) if not name.startswith("_") else None
        if f is None or not callable(f):
            raise AttributeError(name)
        return lambda *args, **kwargs: f(self, *args, **kwargs)


def _wrap(x):
    if isinstance(x, np.ndarray):
        return Device(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_wrap(e) for e in x)
    return x


dev._wrap = _wrap  # results of the stand-in's operations are this Device too


def to_device(x):
    if isinstance(x, dict):
        return {k: to_device(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(to_device(e) for e in x)
    return _wrap(x)


def host_arrays(x):
    if isinstance(x, np.ndarray):
        return [x.shape]
    if isinstance(x, dict):
        return [s for e in x.values() for s in host_arrays(e)]
    if isinstance(x, (list, tuple)):
        return [s for e in x for s in host_arrays(e)]
    return []


def to_host(x):
    if isinstance(x, dev.Device):
        return x.a
    if isinstance(x, dict):
        return {k: to_host(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(to_host(e) for e in x)
    return x


def _has_array(x):
    if isinstance(x, np.ndarray):
        return x.ndim > 0
    if isinstance(x, dict):
        return any(_has_array(v) for v in x.values())
    if isinstance(x, (list, tuple)):
        return any(_has_array(e) for e in x)
    return False


def _cases():
    out = []
    for c in STRAIGHT + CONTROL:
        if not any(_has_array(a) for a in c.args):
            continue
        reason = c.reason("fd")
        marks = [pytest.mark.skip(reason=f"known ast_ad bug on NumPy too: {reason}")] \
            if reason else []
        out.append(pytest.param(c, id=c.id, marks=marks))
    return out


def _compare(got, ref, what):
    if isinstance(ref, dict):
        assert isinstance(got, dict) and set(got) == set(ref), what
        for k in ref:
            _compare(got[k], ref[k], f"{what}[{k!r}]")
    elif isinstance(ref, (list, tuple)):
        assert isinstance(got, (list, tuple)) and len(got) == len(ref), what
        for k, (g, r) in enumerate(zip(got, ref)):
            _compare(g, r, f"{what}[{k}]")
    else:
        if isinstance(ref, np.ndarray):
            assert isinstance(got, dev.Device), f"{what}: {type(got).__name__}, not a device array"
            assert got.shape == ref.shape and got.dtype == ref.dtype, what
        np.testing.assert_allclose(np.asarray(to_host(got), dtype=float),
                                   np.asarray(ref, dtype=float), rtol=1e-10, atol=1e-12,
                                   err_msg=what)


@pytest.mark.parametrize("case", _cases())
def test_corpus_gradient_on_device_arrays(case):
    dargs = to_device(copy.deepcopy(case.args))
    try:
        case.fn(*copy.deepcopy(dargs))
    except HostArrayError as e:
        pytest.skip(f"{case.id}: the function itself is not device-neutral: {e}")
    ref = ast_ad.grad(case.fn, wrt=case.wrt)(*copy.deepcopy(case.args))
    got = ast_ad.grad(case.fn, wrt=case.wrt)(*dargs)
    assert not host_arrays(got), f"the gradient holds host arrays {host_arrays(got)}"
    for k, (g, r) in enumerate(zip(as_tuple(got, case.wrt), as_tuple(ref, case.wrt))):
        _compare(g, r, f"{case.id} gradient {k}")


def test_device_corpus_covers_most_array_cases():
    assert len(_cases()) >= 80
