"""Rules run unchanged on another array library (GPU neutrality, see DESIGN.md).

``Device`` is a stand-in for a CuPy-like array: NumPy functions and ufuncs reach it only
through ``__array_function__``/``__array_ufunc__``, it refuses implicit conversion
(``np.asarray``), and mixing it with host ``np.ndarray`` operands raises — as CuPy does.
Every case with array arguments is replayed on ``Device`` arrays: each rule must run, return
no host arrays, and give the same numbers as on NumPy arrays.
"""

import numpy as np
import pytest

from ast_ad import default_registry
from ast_ad.rules import helpers as H

from ..fd import _rebuild
from . import fd
from .cases import CASES


class HostArrayError(TypeError):
    pass


class Device:
    __array_priority__ = 1000
    __hash__ = None

    def __init__(self, a):
        self.a = a

    def __array__(self, *args, **kwargs):
        raise HostArrayError("implicit conversion of a device array to a NumPy array")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        r = getattr(ufunc, method)(*_unwrap(inputs), **_unwrap(kwargs))
        return None if method == "at" else _wrap(r)

    def __array_function__(self, func, types, args, kwargs):
        return _wrap(func(*_unwrap(args), **_unwrap(kwargs)))

    shape = property(lambda self: self.a.shape)
    dtype = property(lambda self: self.a.dtype)
    ndim = property(lambda self: self.a.ndim)
    size = property(lambda self: self.a.size)

    def astype(self, dtype, **kwargs):
        return Device(self.a.astype(dtype, **kwargs))

    def copy(self):
        return Device(self.a.copy())

    def __getitem__(self, idx):
        return _wrap(self.a[_unwrap(idx, index=True)])

    def __setitem__(self, idx, value):
        self.a[_unwrap(idx, index=True)] = _unwrap(value)

    def __len__(self):
        return len(self.a)

    def __iter__(self):
        return (_wrap(x) for x in self.a)

    def __float__(self):
        return float(self.a)

    def __bool__(self):
        return bool(self.a)


def _binop(ufunc, reflected=False):
    if reflected:
        return lambda self, other: ufunc(other, self)
    return lambda self, other: ufunc(self, other)


for _name, _uf in [("add", np.add), ("sub", np.subtract), ("mul", np.multiply),
                   ("truediv", np.divide), ("floordiv", np.floor_divide), ("mod", np.mod),
                   ("pow", np.power), ("matmul", np.matmul)]:
    setattr(Device, f"__{_name}__", _binop(_uf))
    setattr(Device, f"__r{_name}__", _binop(_uf, reflected=True))
for _name, _uf in [("eq", np.equal), ("ne", np.not_equal), ("lt", np.less),
                   ("le", np.less_equal), ("gt", np.greater), ("ge", np.greater_equal),
                   ("and", np.logical_and), ("or", np.logical_or)]:
    setattr(Device, f"__{_name}__", _binop(_uf))
Device.__neg__ = lambda self: np.negative(self)
Device.__pos__ = lambda self: np.positive(self)
Device.__abs__ = lambda self: np.abs(self)


def _unwrap(x, index=False):
    if isinstance(x, Device):
        return x.a
    if isinstance(x, np.ndarray) and not index:
        raise HostArrayError(f"a host array of shape {x.shape} met a device array")
    if isinstance(x, (list, tuple)):
        return _rebuild(x, [_unwrap(e, index) for e in x])
    if isinstance(x, dict):
        return {k: _unwrap(v, index) for k, v in x.items()}
    return x


def _wrap(x):
    if isinstance(x, np.ndarray):
        return Device(x)
    if isinstance(x, (list, tuple)):
        return _rebuild(x, [_wrap(e) for e in x])
    return x


to_device = _wrap  # host arrays (also inside lists and tuples) as device arrays


def host_arrays(x):
    if isinstance(x, np.ndarray):
        return [x.shape]
    if isinstance(x, (list, tuple)):
        return [s for e in x for s in host_arrays(e)]
    return []


def to_host(x):
    if isinstance(x, Device):
        return x.a
    if isinstance(x, (list, tuple)):
        return _rebuild(x, [to_host(e) for e in x])
    return x


def _has_device_array(x):
    return isinstance(x, np.ndarray) and x.ndim > 0 or (
        isinstance(x, (list, tuple)) and any(_has_device_array(e) for e in x))


def _builtin_rules(fn):
    rs = default_registry.vjp(fn)
    return rs is not None and any(r is not None and r.__module__.startswith("ast_ad.rules")
                                  for r in rs.rules)


# np.full(shape, value) makes a host array by design (its primal cannot run on a device), and
# so do np.r_/np.c_ (index_concat: they convert their items with np.array)
DEVICE_CASES = [c for c in CASES if _builtin_rules(c.fn) and _has_device_array(c.args)
                and getattr(c.fn, "__module__", "") not in ("math", "builtins")
                and c.fn is not np.full and c.fn is not H.index_concat]


@pytest.mark.parametrize("case", DEVICE_CASES, ids=[c.id for c in DEVICE_CASES])
def test_rules_run_on_device_arrays(case):
    dargs = to_device(case.args)
    dkw = {k: to_device(v) for k, v in case.kwargs.items()}  # (a where= mask too)
    ans = case.fn(*case.args, **case.kwargs)
    try:
        dans = case.fn(*dargs, **dkw)
    except (HostArrayError, AttributeError):  # odeint: dt.all() on the stand-in
        if not (getattr(case.fn, "__module__", None) or "").startswith("scipy"):
            raise
        pytest.skip("a SciPy function that converts its arguments to NumPy arrays itself")
    rng = np.random.default_rng(3)
    for kind, rules in (("vjp", fd.vjp_rules(case.fn)), ("jvp", fd.jvp_rules(case.fn))):
        for k in fd.checked_args(case, rules):
            seed = fd.rand_like(ans if kind == "vjp" else case.args[k], rng)
            want = rules[k](seed, ans, *case.args, **case.kwargs)
            got = rules[k](to_device(seed), dans, *dargs, **dkw)
            assert not host_arrays(got), f"{kind} rule {k} returned host arrays {host_arrays(got)}"
            np.testing.assert_allclose(fd.flat(to_host(got)), fd.flat(want), rtol=1e-12,
                                       atol=1e-14, err_msg=f"{kind} rule {k}")


def test_device_stand_in_refuses_host_arrays():
    d = Device(np.ones(3))
    with pytest.raises(HostArrayError):
        np.asarray(d)
    with pytest.raises(HostArrayError):
        d + np.zeros(3)
    assert isinstance(np.sum(d, axis=0, keepdims=True), Device)
