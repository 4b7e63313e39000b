"""The traced value: a primal value plus the node that produced it on one trace.

Operators, indexing, iteration and array methods record through :func:`core.record`;
comparisons and truth tests work on the primal values and record nothing.  Conversions
that would silently drop the gradient (``float(t)`` or ``math.sin(t)`` reached through a
name the tape could not rebind, storing into a plain NumPy array, ``np.asarray(t)``)
raise :class:`~ast_ad.errors.NoRuleError` instead::

    t = Tracer(2.0, leaf, trace)
    t * 3.0 + 1.0        # two nodes: operator.mul, operator.add
    t > 1.0              # True, nothing recorded
    math.sin(t)          # NoRuleError (unless `math` is the tape's stand-in)
"""

from __future__ import annotations

import math
import operator
import weakref

import numpy as np

from ..rules.helpers import unbroadcast
from ..rules.methods import ARRAY_ATTRS, ARRAY_METHODS, method_args
from . import core
from .arrays import astype, dispatch_numpy, make_array
from .core import (
    _EMPTY,
    NONDIFF,
    Node,
    binary,
    lost_gradient,
    no_rule,
    primal,
    record,
    unbox_all,
)
from .views import check_write, link_view

__all__ = ["ArrayTracer", "Tracer", "assign_index"]


_REALS = (float, int, bool)
_PY_SCALARS = (float, int, bool, complex)


def _array_attr(get):
    def attr(s):
        p = primal(s)
        if type(p) in _PY_SCALARS:
            raise AttributeError(f"traced {type(p).__name__} has no array attributes")
        return get(s, p)

    return property(attr)


class Tracer:
    __slots__ = ("__weakref__", "_base", "_node", "_owned", "_pending", "_stale", "_trace",
                 "_value", "_views")
    __array_priority__ = 1000.0

    def __init__(self, value, node, trace, owned=False):
        self._value = value
        self._node = node  # None: a constant (no gradient flows into it)
        self._trace = trace
        self._owned = owned  # True: no node holds _value, so it may be written in place
        self._views = self._base = None  # views of this array / the array this views
        self._stale = 0  # 1: a view whose base was written since; 2: owed a view's write
        self._pending = None  # 2: the in-place result owed (views.py)

    # -- arithmetic (each records one operation) --------------------------------------
    def __add__(self, o):
        return binary(operator.add, self, o)

    def __radd__(self, o):
        return binary(operator.add, o, self)

    def __sub__(self, o):
        return binary(operator.sub, self, o)

    def __rsub__(self, o):
        return binary(operator.sub, o, self)

    def __mul__(self, o):
        return binary(operator.mul, self, o)

    def __rmul__(self, o):
        return binary(operator.mul, o, self)

    def __truediv__(self, o):
        return binary(operator.truediv, self, o)

    def __rtruediv__(self, o):
        return binary(operator.truediv, o, self)

    def __floordiv__(self, o):
        return binary(operator.floordiv, self, o)

    def __rfloordiv__(self, o):
        return binary(operator.floordiv, o, self)

    def __mod__(self, o):
        return binary(operator.mod, self, o)

    def __rmod__(self, o):
        return binary(operator.mod, o, self)

    def __divmod__(self, o):
        return (self // o, self % o)

    def __rdivmod__(self, o):
        return (o // self, o % self)

    def __pow__(self, o, mod=None):
        if mod is not None:
            return NotImplemented
        return binary(operator.pow, self, o)

    def __rpow__(self, o):
        return binary(operator.pow, o, self)

    def __matmul__(self, o):
        return binary(operator.matmul, self, o)

    def __rmatmul__(self, o):
        return binary(operator.matmul, o, self)

    def __neg__(self):
        return record(operator.neg, (self,))

    def __pos__(self):
        return record(operator.pos, (self,))

    def __abs__(self):
        return record(operator.abs, (self,))

    # -- comparisons and truth: primal values, nothing recorded ------------------------
    def __lt__(self, o):
        return primal(self) < primal(o)

    def __le__(self, o):
        return primal(self) <= primal(o)

    def __gt__(self, o):
        return primal(self) > primal(o)

    def __ge__(self, o):
        return primal(self) >= primal(o)

    def __eq__(self, o):
        return primal(self) == primal(o)

    def __ne__(self, o):
        return primal(self) != primal(o)

    __hash__ = object.__hash__

    def __bool__(self):
        return bool(primal(self))

    def __round__(self, ndigits=None):
        return round(primal(self), ndigits)

    def __trunc__(self):
        return math.trunc(primal(self))

    def __floor__(self):
        return math.floor(primal(self))

    def __ceil__(self):
        return math.ceil(primal(self))

    # -- conversions that would lose the gradient --------------------------------------
    def __float__(self):
        if self._node is None:
            return float(primal(self))
        raise lost_gradient("a Python float")

    def __int__(self):
        if self._node is None:
            return int(primal(self))
        raise lost_gradient("a Python int")

    def __complex__(self):
        if self._node is None:
            return complex(primal(self))
        raise lost_gradient("a Python complex")

    def __index__(self):
        return operator.index(primal(self))

    def __array__(self, dtype=None, copy=None):
        if self._node is None:
            self._owned = False
            return np.asarray(primal(self), dtype=dtype)
        raise lost_gradient("a plain NumPy array")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "at":
            raise no_rule(ufunc.at, " (in-place; write `y[idx] = y[idx] + v` instead)")
        fn = ufunc if method == "__call__" else getattr(ufunc, method)
        return record(fn, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return dispatch_numpy(func, args, kwargs)

    def __repr__(self):
        return f"Traced({primal(self)!r})"

    def __format__(self, spec):
        return format(primal(self), spec)

    # -- array attributes and methods -----------------------------------------------------
    # a traced Python float has the attributes of a float (no .shape: code that asks
    # hasattr(x, "shape") must take the same path as untraced)
    shape = _array_attr(lambda s, p: np.shape(p))
    ndim = _array_attr(lambda s, p: np.ndim(p))
    size = _array_attr(lambda s, p: np.size(p))
    dtype = _array_attr(lambda s, p: np.asarray(p).dtype)
    itemsize = _array_attr(lambda s, p: np.asarray(p).itemsize)
    T = _array_attr(lambda s, p: _call(ARRAY_ATTRS["T"], s, (), {}))
    real = property(lambda s: s if type(primal(s)) in _REALS else
                    _call(ARRAY_ATTRS["real"], s, (), {}))
    imag = property(lambda s: 0.0 if type(primal(s)) in _REALS else
                    _call(ARRAY_ATTRS["imag"], s, (), {}))

    # the methods of ast_ad.rules.methods.ARRAY_METHODS go through __getattr__; these
    # three need the tracer itself (copy on write, an exact cast, an in-place write)
    def copy(self, order="C"):
        self._owned = False
        return type(self)(self._value, self._node, self._trace, False)

    def astype(self, dtype, *args, **kw):
        return astype(self, dtype)

    def fill(self, value):
        self[...] = value

    def __getattr__(self, name):
        p = primal(self)
        if not name.startswith("__"):
            if type(p) in _PY_SCALARS:
                if name == "conjugate" and type(p) in _REALS:
                    return lambda: self
                if name in ("is_integer", "hex", "as_integer_ratio", "bit_length"):
                    return getattr(p, name)  # queries: no gradient flows through them
            elif name in ARRAY_METHODS:
                return lambda *args, **kw: _method(self, name, args, kw)
        raise AttributeError(f"traced {type(p).__name__!s} has no attribute {name!r}")


class ArrayTracer(Tracer):
    """A traced array: indexable, writable and iterable.

    Scalars are plain :class:`Tracer` objects without ``__getitem__``/``__len__``, so NumPy
    does not take them for sequences (it would turn the clear error of ``__float__`` into
    "setting an array element with a sequence").
    """

    __slots__ = ()

    def __len__(self):
        return len(self._value)

    def __iter__(self):
        return (self[i] for i in range(len(self._value)))

    def __getitem__(self, idx):
        idx = unbox_all(idx)
        v = self._value
        if self._owned and type(v) is np.ndarray:
            return _read_owned(self, v, idx)
        return record(operator.getitem, (self, idx))

    def __setitem__(self, idx, v):
        _write(self, unbox_all(idx), v)


# in-place operators write into the traced array itself (aliases and callers see it)
for _name, _op in (("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                   ("truediv", operator.truediv), ("pow", operator.pow)):
    setattr(ArrayTracer, f"__i{_name}__", lambda self, o, _op=_op: inplace(self, _op, o))


def _method(x, name, args, kwargs):
    """``x.name(*args)``: a rule registered for the ndarray method itself, else the table's
    function (:data:`ast_ad.rules.methods.ARRAY_METHODS`)."""
    desc = getattr(np.ndarray, name, None)
    if desc is not None and callable(desc) and x._trace.kind(desc)[0] is not None:
        return record(desc, (x,) + tuple(args), kwargs)
    fn, mode = ARRAY_METHODS[name]
    return _call(fn, x, method_args(mode, args), kwargs)


def _call(fn, x, args, kwargs):
    """``fn(x, *args, **kwargs)``: recorded when ``fn`` has rules, else run (a helper of the
    table written with functions that have rules records those)."""
    if x._trace.kind(fn)[0] is not None:
        return dispatch_numpy(fn, (x,) + tuple(args), kwargs)
    return fn(x, *args, **kwargs)


# -- indexing into buffers the tape may write in place ------------------------------------
def _like(v):
    """A read-only stand-in with ``v``'s shape and dtype (rules of indexing need only these)."""
    return np.broadcast_to(np.zeros((), v.dtype), v.shape)


def _read_owned(x, v, idx):
    """``x[idx]`` when ``x``'s buffer may still be written in place.

    The node gets a copy of the result and a shape/dtype stand-in for ``x`` rather than the
    live buffer, so ``x`` stays writable without a copy (``y[i] = y[i-1] * 2`` in a loop
    stays linear).
    """
    ans = v[idx]
    view = type(ans) is np.ndarray and ans.base is not None  # NumPy: a view of x
    if view:
        ans = ans.copy()
    trace = x._trace
    if x._node is None:
        out = core.wrap_constant(ans, trace)
    else:
        kind, rules = trace.kind(operator.getitem)
        if kind is None:
            raise no_rule(operator.getitem)
        if kind is NONDIFF or rules[0] is None:
            return ans
        node = Node(operator.getitem, rules, [_like(v), idx], _EMPTY, ans, [(0, x._node)])
        trace.nodes.append(node)
        out = core.wrap(ans, node, trace)
    if view and isinstance(out, Tracer):
        link_view(out, x)
    return out


def assign_index(x, idx, v):
    """Functional ``x[idx] = v``: a copy of ``x`` with ``idx`` replaced (what a write records)."""
    out = np.array(x, copy=True)
    out[idx] = v
    return out


def _assign_index_x(g, ans, x, idx, v):
    g = np.array(g, copy=True)
    g[idx] = 0
    return g


def _assign_index_v(g, ans, x, idx, v):
    from ..runtime.adjoints import take_written  # repeated indices: the last write counts

    return unbroadcast(take_written(np.asarray(g), idx), v)


_ASSIGN_RULES = (_assign_index_x, None, _assign_index_v)


def inplace(x, op, other):
    """``x op= other`` for a traced array: the result is written into ``x`` itself, so
    aliases and a helper's caller see it. On a view of a live array (``y[i] += v`` reads
    the view ``y[i]`` first) the result is a new value that the base is still owed: the
    base is marked, and the write ``y[i] = result`` that Python runs next clears the mark;
    any other use of the base raises (``v = y[:2]; v += 1.0``, then ``y`` read)."""
    new = op(x, other)
    base = x._base() if x._base is not None else None
    if base is None:
        _write(x, Ellipsis, new)
        return x
    base._stale, base._pending = 2, weakref.ref(new)
    return new


def _write(x, idx, v):
    val = x._value
    if type(val) is not np.ndarray:
        raise TypeError(f"'{type(primal(x)).__name__}' object does not support item assignment")
    check_write(x, v)
    if type(v) in (list, tuple) and core.has_tracer(v):
        v = make_array(v)
    trace = x._trace
    vnode = None
    if isinstance(v, Tracer):
        if v._trace is trace:
            v._owned = False
            vnode, v = v._node, v._value
        elif v._trace.level > trace.level:
            raise core.NoRuleError(
                "cannot write a value differentiated by an inner gradient into an array "
                "created outside it; create the array inside the inner function"
            )
    if not x._owned:
        x._value = val = val.copy()
        x._owned = True
    val[idx] = v
    old = x._node
    if old is None and vnode is None:
        return
    kind, rules = trace.kind(assign_index)
    if kind is None:
        rules = _ASSIGN_RULES
    parents = []
    if old is not None and rules[0] is not None:
        parents.append((0, old))
    if vnode is not None and rules[2] is not None:
        parents.append((2, vnode))
    if not parents:
        x._node = None
        return
    node = Node(assign_index, rules, [_like(val), idx, v], _EMPTY, None, parents)
    trace.nodes.append(node)
    x._node = node


core.Tracer = Tracer
core.ArrayTracer = ArrayTracer
