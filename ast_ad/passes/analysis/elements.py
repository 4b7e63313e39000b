"""Element reads of the NumPy arrays seen at the call (issue 13).

The gradient is specialised on the ndim and dtype of every NumPy array argument
(``Request.arrays``). For a parameter that is never rebound, ``x[i]`` with one surely-int
index per dimension is one element: a scalar (an ``np.float64`` for a float64 array), so
shapes and kinds know it, and its adjoint accumulates in place (``bx[i] += g``).

- ``surely_ints``: int parameters, targets of ``for`` over a ``range``, int constants and
  ``+ - * //`` of those, when every definition of the name is such;
- ``Elements.scalar(sub)``: ``sub`` reads one element (a number) of a specialised array;
- ``Elements.basic(sub)``: ``sub`` is a basic index (ints and slices of ints) of a
  specialised array with an inexact dtype (its adjoint may be ``bx[idx] += g``).

>>> import gast
>>> from types import SimpleNamespace
>>> t = gast.parse("def f(x):\\n    r = range(3)\\n    for i in r:\\n"
...                "        j = i + 1\\n        y = x[j]\\n    return y").body[0]
>>> res = SimpleNamespace(callable=lambda f: range if getattr(f, "id", "") == "range" else None)
>>> sorted(surely_ints(t.body, ["x"], {}, res))
['i', 'j']
>>> e = Elements.of(t.body, ["x"], {"x": (1, "<f8")}, {}, res)
>>> sub = t.body[1].body[1].value
>>> e.scalar(sub), e.float64(sub), e.basic(sub)
(True, True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import gast
import numpy as np

from ...ir.walk import statements

_INT_OPS = (gast.Add, gast.Sub, gast.Mult, gast.FloorDiv)


def _defs(body):
    """(name, value or None) of every binding of a plain name (None: a loop target)."""
    out = []
    for s, _ in statements(body):
        if isinstance(s, gast.Assign):
            for t in s.targets:
                for n in gast.walk(t):
                    if isinstance(n, gast.Name):
                        out.append((n.id, s.value if t is n else None))
        elif isinstance(s, gast.AugAssign) and isinstance(s.target, gast.Name):
            out.append((s.target.id, None))
        elif isinstance(s, (gast.For,)):
            for n in gast.walk(s.target):
                if isinstance(n, gast.Name):
                    out.append((n.id, ("for", s.iter)))
        elif isinstance(s, (gast.With, gast.Try)):
            for n in gast.walk(s):
                if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):
                    out.append((n.id, None))
    return out


def surely_ints(body, params, arg_kinds, resolver) -> frozenset:
    defs = _defs(body)
    by_name = {}
    for name, v in defs:
        by_name.setdefault(name, []).append(v)
    ranges = {n for n, vs in by_name.items() if len(vs) == 1 and isinstance(vs[0], gast.Call)
              and resolver.callable(vs[0].func) is range}
    ints = {p for p in params if arg_kinds.get(p) is int and p not in by_name}

    def is_int(v, known):
        if isinstance(v, gast.Constant):
            return type(v.value) is int
        if isinstance(v, gast.Name):
            return v.id in known
        if isinstance(v, tuple):  # a for loop's target
            it = v[1]
            return isinstance(it, gast.Name) and it.id in ranges
        if isinstance(v, gast.BinOp) and isinstance(v.op, _INT_OPS):
            return is_int(v.left, known) and is_int(v.right, known)
        if isinstance(v, gast.UnaryOp) and isinstance(v.op, gast.USub):
            return is_int(v.operand, known)
        return False

    known = set(by_name) - set(params)  # optimistic start, shrinks to the fixed point
    for _ in range(50):
        new = {n for n in known if all(v is not None and is_int(v, known | ints)
                                       for v in by_name[n])}
        if new == known:
            break
        known = new
    return frozenset(known | ints)


def _int_atom(e, ints):
    return (isinstance(e, gast.Constant) and type(e.value) is int) or (
        isinstance(e, gast.Name) and e.id in ints)


@dataclass(frozen=True)
class Elements:
    arrays: dict  # parameter never rebound -> (ndim, np.dtype)
    ints: frozenset

    @staticmethod
    def of(body, params, arrays, arg_kinds, resolver):
        ints = surely_ints(body, params, arg_kinds, resolver)
        bound = {n for n, _ in _defs(body)}
        specs = {p: (nd, np.dtype(dt)) for p, (nd, dt) in arrays.items()
                 if p in params and p not in bound}
        return Elements(specs, ints)

    def _parts(self, sub):
        if not (isinstance(sub, gast.Subscript) and isinstance(sub.value, gast.Name)):
            return None, None
        spec = self.arrays.get(sub.value.id)
        if spec is None:
            return None, None
        sl = sub.slice
        return spec, (list(sl.elts) if isinstance(sl, gast.Tuple) else [sl])

    def scalar(self, sub) -> bool:
        spec, parts = self._parts(sub)
        return spec is not None and spec[1].kind in "biufc" and len(parts) == spec[0] and \
            all(_int_atom(p, self.ints) for p in parts)

    def float64(self, sub) -> bool:
        return self.scalar(sub) and self.arrays[sub.value.id][1] == np.float64

    def basic(self, sub) -> bool:
        spec, parts = self._parts(sub)
        if spec is None or spec[1].kind not in "fc" or len(parts) > spec[0]:
            return False
        for p in parts:
            if isinstance(p, gast.Slice):
                if not all(b is None or _int_atom(b, self.ints)
                           for b in (p.lower, p.upper, p.step)):
                    return False
            elif not _int_atom(p, self.ints):
                return False
        return True
