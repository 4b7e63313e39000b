"""The tape's NumPy array creators and its dispatch of NumPy functions on traced values.

``np.zeros``, ``np.array``, ``np.zeros_like``... return traced arrays (so element and slice
writes into them are recorded); ``np.array([t, t])`` stacks traced values (recorded);
:func:`dispatch_numpy` calls any NumPy function on possibly traced arguments.

This module sits below :mod:`.tracer` (whose array methods call :func:`dispatch_numpy`)
and :mod:`.standins` (whose NumPy stand-ins use the same overrides); it sees the traced
value classes through :mod:`.core`, where :mod:`.tracer` installs them.
"""

from __future__ import annotations

import numpy as np

from ..rules import helpers as _helpers
from . import core
from .core import current_trace, has_tracer, primal, record, unbox_all

__all__ = ["OVERRIDES", "SEQUENCE", "astype", "dispatch_numpy", "make_array"]


def _const(value, trace=None, owned=True):
    trace = trace if trace is not None else current_trace()
    if trace is None:
        return value
    return core.wrap_constant(value, trace, owned)


def _trace_of(x):
    return x._trace if isinstance(x, core.Tracer) else None


def make_array(obj, dtype=None, copy=True, **kwargs):
    """``np.array``: traced values are stacked (recorded), constants become traced arrays."""
    if isinstance(obj, core.Tracer):
        if type(obj._value) is not np.ndarray:  # a traced scalar: a 0-d array
            res = record(np.reshape, (obj, ()))
        elif copy is False or copy is None:
            res = obj
            if dtype is not None and np.asarray(primal(obj)).dtype == np.dtype(dtype):
                return res  # np.asarray(x, dtype=float) is x itself: an alias
        else:
            res = obj.copy()
        return res if dtype is None else astype(res, dtype)
    if type(obj) in (list, tuple) and has_tracer(obj):
        elems = [make_array(e) if type(e) in (list, tuple) else e for e in obj]
        res = record(np.stack, (elems,))
        return res if dtype is None else astype(res, dtype)
    value = np.array(obj, dtype=dtype, copy=copy, **kwargs)
    return _const(value, owned=value is not obj)


def asarray(obj, dtype=None, **kwargs):
    return make_array(obj, dtype=dtype, copy=None, **kwargs)


def astype(x, dtype):
    """``x.astype(dtype)``, recorded as the registry's ``helpers.astype``."""
    if not isinstance(x, core.Tracer):
        return np.asarray(x).astype(dtype)
    dtype = np.dtype(dtype)
    if np.asarray(primal(x)).dtype == dtype:
        return x.copy()
    return record(_helpers.astype, (x, dtype))


def _shape_creator(fn):
    def create(*args, **kwargs):
        if fn in _VALUED and _differentiated(args, kwargs):  # its values vary with them
            return record(fn, args, kwargs)
        return _const(fn(*unbox_all(args), **unbox_all(kwargs)))

    create.__name__ = fn.__name__
    return create


def _like_creator(fn):
    def create(a, *args, **kwargs):
        return _const(fn(primal(a), *unbox_all(args), **unbox_all(kwargs)), _trace_of(a))

    create.__name__ = fn.__name__
    return create


def full(shape, fill_value, dtype=None, **kwargs):
    out = _const(np.empty(shape, dtype=dtype or np.result_type(primal(fill_value)), **kwargs))
    out[...] = fill_value
    return out


def full_like(a, fill_value, dtype=None, **kwargs):
    out = _const(np.empty_like(primal(a), dtype=dtype, **kwargs), _trace_of(a))
    out[...] = fill_value
    return out


def copy(a, *args, **kwargs):
    return make_array(a, copy=True)


def fill_diagonal(a, val, wrap=False):
    """``np.fill_diagonal`` on a traced array: the write of its pure form (recorded)."""
    from ..runtime.mutation import diagonal_filled

    if isinstance(a, core.Tracer):
        a[...] = record(diagonal_filled, (a, val), {"wrap": wrap})
        return None
    if has_tracer(val):
        raise core.lost_gradient("an untraced array written by np.fill_diagonal")
    return np.fill_diagonal(a, val, wrap=wrap)


OVERRIDES = {
    np.array: make_array,
    np.asarray: asarray,
    np.asanyarray: asarray,
    np.ascontiguousarray: asarray,
    np.copy: copy,
    np.full: full,
    np.full_like: full_like,
    np.fill_diagonal: fill_diagonal,
}
#: creators whose values (not only their shape) depend on their arguments: recorded by
#: their rules when an argument is differentiated
_VALUED = frozenset([np.arange, np.linspace])


def _differentiated(args, kwargs):
    from .core import Tracer

    return any(isinstance(a, Tracer) and a._node is not None
               for a in (*args, *kwargs.values()))


for _f in (np.zeros, np.ones, np.empty, np.eye, np.identity, np.arange, np.linspace):
    OVERRIDES[_f] = _shape_creator(_f)
for _f in (np.zeros_like, np.ones_like, np.empty_like):
    OVERRIDES[_f] = _like_creator(_f)

# functions whose first argument is a sequence of arrays (rules return one entry each)
SEQUENCE = frozenset(
    [np.concatenate, np.stack, np.hstack, np.vstack, np.dstack, np.column_stack, np.block]
)


def _arrays_in(args):
    """Lists of traced values given where an array is expected become traced arrays."""
    return tuple(make_array(a) if type(a) in (list, tuple) and has_tracer(a) else a for a in args)


def dispatch_numpy(fn, args, kwargs):
    """Call the NumPy function ``fn`` on possibly traced arguments."""
    try:
        ov = OVERRIDES.get(fn)
    except TypeError:
        ov = None
    if ov is not None:
        return ov(*args, **kwargs)
    if fn in SEQUENCE:
        if args and type(args[0]) in (list, tuple):
            args = (_arrays_in(args[0]),) + tuple(args[1:])
    else:
        args = _arrays_in(args)
    return record(fn, args, kwargs)
