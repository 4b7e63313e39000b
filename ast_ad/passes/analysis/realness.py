"""Names surely holding real values (never complex), so the gradient's output check
``check_real`` -- and the unused output it would read -- can go where it cannot fail.

A value is surely real when it is a real parameter (a Python float/int/bool, or an array
of a real dtype seen at the call), a real constant, ``+ - * / // %`` or a unary ``-`` of
real values, an integer power of one, an element, slice or ``.T`` of one, a NumPy ufunc
or a listed real-preserving function of real values, or any ``math`` function (those
raise instead of going complex).  Everything else is unknown: a name is real only when
every definition of it is.

>>> import gast, math
>>> import numpy as np
>>> from types import SimpleNamespace
>>> body = gast.parse("m = y * w\\nt = np.exp(-m)\\nz = t ** 0.5\\nr = np.mean(t)").body
>>> res = SimpleNamespace(callable=lambda f: eval(gast.unparse(f), {"np": np}))
>>> sorted(surely_real(body, ["w", "y"], {"w": float}, {"y": (1, "float64")}, res))
['m', 'r', 't', 'w', 'y']
"""

from __future__ import annotations

import math
import operator

import gast
import numpy as np

from ...ir.walk import nodes, statements
from ...rules import helpers as _H
from ...rules import methods as _M

_REAL_FUNCTIONS = {
    np.sum, np.mean, np.prod, np.max, np.min, np.amax, np.amin, np.var, np.std,
    np.dot, np.matmul, np.inner, np.outer, np.tensordot, np.trace, np.cumsum, np.cumprod,
    np.reshape, np.transpose, np.ravel, np.concatenate, np.stack, np.hstack, np.vstack,
    np.where, np.clip, np.diag, np.zeros_like, np.ones_like, np.linalg.norm, np.linalg.det,
    np.linalg.inv, np.linalg.solve, np.squeeze, np.expand_dims, np.broadcast_to,
    abs, float, int, min, max, sum, len, range, operator.getitem,
}
# the helpers array methods become (``u.copy()`` -> ``copy(u)``, ``a.flatten()``)
_REAL_FUNCTIONS |= {_H.copy, _M.flatten, np.swapaxes, np.take, np.repeat, np.diagonal,
                    np.round, np.flip, np.roll, np.diff, np.array, np.asarray, np.zeros,
                    np.ones, np.full, np.eye, np.arange, np.linspace}
#: real whatever their argument: parts, moduli, angles
_ALWAYS_REAL = {np.real, np.imag, np.abs, np.absolute, np.angle, _M.real, _M.imag}
_REAL_METHODS = {"sum", "mean", "prod", "max", "min", "var", "std", "dot", "reshape",
                 "transpose", "ravel", "flatten", "copy", "cumsum", "squeeze"}
_CLOSED_OPS = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.FloorDiv, gast.Mod)


def name_definitions(body) -> dict:
    """name -> its definitions in a normalized body: assigned values, ``x op v`` for
    ``x op= v``, ``("for", iterable)`` for a loop target, what is written into its
    entries (``_entry_writes``), None for a binding we cannot read."""
    defs = {}
    for s, _ in statements(body):
        for name, value in _entry_writes(s):
            defs.setdefault(name, []).append(value)
        if isinstance(s, gast.Assign):
            for t in s.targets:
                if isinstance(t, gast.Name):
                    defs.setdefault(t.id, []).append(s.value)
                else:
                    for n in nodes(t):
                        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):
                            defs.setdefault(n.id, []).append(None)
        elif isinstance(s, gast.AugAssign) and isinstance(s.target, gast.Name):
            defs.setdefault(s.target.id, []).append(
                gast.BinOp(left=gast.Name(id=s.target.id, ctx=gast.Load(), annotation=None,
                                          type_comment=None), op=s.op, right=s.value))
        elif isinstance(s, gast.For):
            for n in nodes(s.target):
                if isinstance(n, gast.Name):
                    defs.setdefault(n.id, []).append(("for", s.iter))
        else:
            for n in nodes(s):
                if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store) and \
                        not isinstance(s, (gast.If, gast.While)):
                    defs.setdefault(n.id, []).append(None)
    return defs


def surely_real(body, params, arg_kinds, arrays, resolver, known=frozenset()) -> frozenset:
    """The surely-real names of a normalized body (see the module docstring); ``known``:
    names surely holding values of a real dtype (``analysis.elements`` specs: a user
    function's float64 result, an entry of a list of float64 arrays).  What is written
    into a name's entries (``v[k] = e``, ``v.append(e)``, ``v.extend(e)``,
    ``v.insert(k, e)``) counts as one of its definitions: a list is real only if every
    entry is."""
    real = {p for p in params if _real_type(arg_kinds.get(p)) or (
        p in arrays and np.dtype(arrays[p][1]).kind in "fiub")} | set(known)
    defs = name_definitions(body)
    # a real parameter rebound stays real only if every definition is; any other
    # parameter may already be complex
    ints = set(defs) - set(params)  # names surely holding ints (exponents)
    for _ in range(50):
        drop = {n for n in ints if not all(_int(v, ints) for v in defs[n])}
        if not drop:
            break
        ints -= drop
    cand = real | (set(defs) - set(params))
    for _ in range(50):  # optimistic: drop names with a definition not surely real
        drop = {n for n in cand if n in defs and n not in known and not all(
            _real(v, cand, ints, resolver) for v in defs[n])}
        if not drop:
            break
        cand -= drop
    return frozenset(cand)


def _entry_writes(s):
    """[(name, value written into its entries)] of ``v[k] = e`` / ``v[k] += e`` and
    ``v.append(e)``, ``v.extend(e)``, ``v.insert(k, e)`` statements."""
    out = []
    if isinstance(s, (gast.Assign, gast.AugAssign)):
        for t in s.targets if isinstance(s, gast.Assign) else [s.target]:
            while isinstance(t, (gast.Subscript, gast.Attribute)):
                t = t.value
                if isinstance(t, gast.Name):
                    out.append((t.id, s.value))
    elif isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and isinstance(
            s.value.func, gast.Attribute) and isinstance(s.value.func.value, gast.Name):
        name, args = s.value.func.value.id, s.value.args
        what = {"append": 0, "extend": 0, "insert": 1}.get(s.value.func.attr)
        if what is not None and len(args) == what + 1 and not s.value.keywords:
            out.append((name, args[what]))
    return out


def _int(v, ints) -> bool:
    if isinstance(v, gast.Constant):
        return type(v.value) is int
    if isinstance(v, gast.Name):
        return v.id in ints
    if isinstance(v, gast.UnaryOp):
        return isinstance(v.op, gast.USub) and _int(v.operand, ints)
    if isinstance(v, gast.BinOp):
        return isinstance(v.op, (gast.Add, gast.Sub, gast.Mult, gast.FloorDiv)) and \
            _int(v.left, ints) and _int(v.right, ints)
    return False


def _real_type(t) -> bool:
    return isinstance(t, type) and issubclass(t, (bool, int, float, np.integer, np.floating))


def _real(v, real, ints, resolver) -> bool:
    if v is None:
        return False
    if isinstance(v, tuple):  # ("for", iter): the elements of a real array or range
        return _real(v[1], real, ints, resolver)
    if isinstance(v, gast.Constant):
        return isinstance(v.value, (bool, int, float))
    if isinstance(v, gast.Name):
        return v.id in real
    if isinstance(v, gast.UnaryOp):
        return isinstance(v.op, (gast.USub, gast.UAdd)) and _real(v.operand, real, ints,
                                                                  resolver)
    if isinstance(v, gast.BinOp):
        both = _real(v.left, real, ints, resolver) and _real(v.right, real, ints,
                                                               resolver)
        if isinstance(v.op, _CLOSED_OPS):
            return both
        if isinstance(v.op, gast.Pow):  # (-1.0) ** 0.5 is complex; an int power is not
            return both and _int(v.right, ints)
        return False
    if isinstance(v, gast.Subscript):
        return _real(v.value, real, ints, resolver)
    if isinstance(v, (gast.Tuple, gast.List)):
        return all(_real(e, real, ints, resolver) for e in v.elts)
    if isinstance(v, gast.Attribute):
        if v.attr in ("shape", "ndim", "size"):  # ints, of an array known here
            return isinstance(v.value, gast.Name) and v.value.id in real
        return v.attr in ("real", "imag", "T") and _real(v.value, real, ints, resolver)
    if isinstance(v, gast.Call):
        try:
            if resolver.callable(v.func) in _ALWAYS_REAL and len(v.args) == 1:
                return True
        except TypeError:  # unhashable
            pass
        args = list(v.args) + [k.value for k in v.keywords]
        if not all(_real(a, real, ints, resolver) for a in args):
            return False
        f = v.func
        if isinstance(f, gast.Attribute) and f.attr in _REAL_METHODS and \
                _real(f.value, real, ints, resolver):
            return True
        fn = resolver.callable(f)
        if isinstance(fn, np.ufunc):  # NumPy's own (np.frompyfunc's make objects)
            return getattr(np, getattr(fn, "__name__", ""), None) is fn
        if getattr(fn, "__module__", None) == "math" or (
                getattr(fn, "__self__", None) is math):
            return True
        try:
            return fn in _REAL_FUNCTIONS
        except TypeError:  # unhashable
            return False
    return False
