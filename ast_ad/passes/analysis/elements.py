"""Element reads of the NumPy arrays seen at the call (issue 13).

The gradient is specialised on the ndim and dtype of every NumPy array argument
(``Request.arrays``). Those carry over to local names every binding of which keeps them:
the parameter itself, another such name (``u = new``), ``np.copy``/``x.copy()``,
``np.zeros_like``/``np.empty_like``/``np.ones_like`` without keywords, ``np.array``/
``np.asarray`` of such a name (element writes ``u[i] = v`` keep an array's ndim and dtype;
a name whose attributes are written or that calls ``resize`` is not tracked), basic
slices and rows (``icf[:, :d]``, ``a[i]``) and ``np.sum``/``mean``/``prod``/``max``/``min``
of a float64 array with ``axis=k`` (one dimension less); entries of plain lists of one
spec, ``a @ b``, ``np.zeros``/``ones``/``empty`` of an int or a tuple, and ``+ - * /`` of
ints with float constants (``analysis.entries``). For those,
``x[i]`` with one surely-int index per dimension is one element: a scalar (an
``np.float64`` for a float64 array), so shapes and kinds know it, and its adjoint
accumulates in place (``bx[i] += g``).

- ``surely_ints``: int parameters, targets of ``for`` over a ``range``, int constants,
  ``x.shape[k]`` of a tracked array, ``len(...)``, and ``+ - * //`` of those, when every
  definition of the name is such;
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
>>> t = gast.parse("def f(u):\\n    for t in range(3):\\n        new = np.copy(u)\\n"
...                "        u = new\\n    return u").body[0]
>>> res = SimpleNamespace(callable=lambda f: {"range": range, "copy": np.copy}.get(
...     getattr(f, "attr", getattr(f, "id", ""))))
>>> e = Elements.of(t.body, ["u"], {"u": (1, "<f8")}, {}, res)
>>> sorted(e.arrays), sorted(e.fixed)
(['new', 'u'], [])
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import gast
import numpy as np

from ...ir.walk import nodes, statements
from .entries import (
    _from_list,
    _read_only_lists,
    _strong_names,
    array_rule,
    entry_rule,
    list_entries,
    maker_rule,
    matmul_rule,
    with_int_args,
)

_INT_OPS = (gast.Add, gast.Sub, gast.Mult, gast.FloorDiv)
_KEEPS = (np.copy, np.zeros_like, np.empty_like, np.ones_like, np.array, np.asarray)
_TOP = "top"  # not yet known (the optimistic start of the fixed point)


def meet_top(a, b):
    """Two facts about one name: ``_TOP`` (nothing known yet) is neutral, equal ones stay,
    different ones give None."""
    if a is _TOP:
        return b
    if b is _TOP or a == b:
        return a
    return None


def meet_fixed_point(facts, rules, start, value, rounds=50):
    """Solve ``facts`` in place (``value`` reads it): a round gives each name ``n`` of
    ``rules`` the :func:`meet_top` of ``start(n)`` and ``value(r)`` for each of its rules
    ``r``, over the previous round's facts; True once a round changes none, False after
    ``rounds`` rounds.

    >>> f = {"a": _TOP, "b": 2}
    >>> meet_fixed_point(f, {"a": ["b", "a"]}, lambda n: _TOP, f.get), f
    (True, {'a': 2, 'b': 2})
    """
    for _ in range(rounds):
        new = {}
        for name, rs in rules.items():
            c = start(name)
            for r in rs:
                c = meet_top(c, value(r))
            new[name] = c
        old = dict(facts)
        facts.update(new)
        if facts == old:
            return True
    return False


def _walk(t):
    """``gast.walk(t)`` for a target (a plain name, most often: itself)."""
    return (t,) if type(t) is gast.Name else gast.walk(t)


def _defs(body):
    """(name, value or None) of every binding of a plain name (None: a loop target)."""
    out = []
    for s, _ in statements(body):
        if isinstance(s, gast.Assign):
            for t in s.targets:
                for n in _walk(t):  # x[i] = v and x.a = v bind no name
                    if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):
                        out.append((n.id, s.value if t is n else None))
        elif isinstance(s, gast.AugAssign) and isinstance(s.target, gast.Name):
            out.append((s.target.id, None))
        elif isinstance(s, (gast.For,)):
            for n in _walk(s.target):
                if isinstance(n, gast.Name):
                    out.append((n.id, ("for", s.iter)))
        elif isinstance(s, (gast.With, gast.Try)):
            for n in nodes(s):
                if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):
                    out.append((n.id, None))
    return out


def _by_name(body):
    by_name = {}
    for name, v in _defs(body):
        by_name.setdefault(name, []).append(v)
    return by_name


def surely_ints(body, params, arg_kinds, resolver, arrays=(), by_name=None) -> frozenset:
    """``arrays``: names surely holding NumPy arrays (``t = x.shape``; ``t[0]`` is an int)."""
    by_name = _by_name(body) if by_name is None else by_name
    ranges = {n for n, vs in by_name.items() if len(vs) == 1 and isinstance(vs[0], gast.Call)
              and resolver.callable(vs[0].func) is range}
    shapes = {n for n, vs in by_name.items() if len(vs) == 1 and isinstance(
        vs[0], gast.Attribute) and vs[0].attr == "shape" and isinstance(vs[0].value, gast.Name)
        and vs[0].value.id in arrays}
    ints = {p for p in params if arg_kinds.get(p) is int and p not in by_name}

    def is_int(v, known):
        if isinstance(v, gast.Constant):
            return type(v.value) is int
        if isinstance(v, gast.Name):
            return v.id in known
        if isinstance(v, gast.Subscript):  # x.shape[k]
            return isinstance(v.value, gast.Name) and v.value.id in shapes and isinstance(
                v.slice, gast.Constant) and type(v.slice.value) is int
        if isinstance(v, gast.Call) and len(v.args) == 1 and not v.keywords and \
                getattr(v.func, "id", None) == "len":
            return resolver.callable(v.func) is len
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


_F8 = np.dtype(np.float64)
_F8_UFUNCS = (np.exp, np.log, np.sin, np.cos, np.tanh, np.sqrt, np.abs, np.square,
              np.log1p, np.expm1, np.negative)  # float64 in, float64 out, same shape
_F8_REDUCTIONS = (np.sum, np.mean, np.prod, np.max, np.min)  # float64 in, one float64 out
_MATH_FLOATS = frozenset(
    "sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh exp expm1 log log1p "
    "log2 log10 sqrt hypot pow fabs erf erfc lgamma gamma".split())
_F8_OPS = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)
_CALL_NAMES = frozenset(["copy"] + [f.__name__ for f in (
    *_KEEPS, *_F8_UFUNCS, *_F8_REDUCTIONS)] + ["abs", "max", "min", "amax", "amin"])


def _rule(v, resolver, ints, lists=None, callee=None, entries=None, tuples=None):
    """``(names read, combine)`` when ``v``'s ndim and dtype follow from those of the names
    (``combine`` maps their specs to v's, None: unknown), else None.  ``lists``: names
    bound once to a list display and only ever read by ``np.array``/``np.asarray``;
    ``callee(v)``: the rule of a call of a user function (its return's spec), or None;
    ``entries``: ``entries.list_entries`` (``Ls[k]`` of a list of one entry spec);
    ``tuples``: name -> length of the names bound once to a tuple display."""
    if callee is not None:
        callee = (lambda c: lambda call: with_int_args(c(call), ints))(callee)
    if isinstance(v, gast.Name):
        return [v.id], lambda a: a[0]
    if isinstance(v, gast.Constant) and type(v.value) is float:
        return [], lambda a: (0, _F8)  # a Python float, as float parameters are
    if isinstance(v, gast.Call) and not v.keywords and isinstance(v.func, gast.Attribute) \
            and v.func.attr in _MATH_FLOATS and resolver.callable(v.func) is getattr(
                math, v.func.attr):
        return [], lambda a: (0, _F8)  # math.sin(...) is a Python float (or raises)
    axis = _axis_keyword(v)
    if axis is not None:  # np.sum(x, axis=1) of a float64 array: one dimension less
        if resolver.callable(v.func) in _F8_REDUCTIONS:
            return [v.args[0].id], lambda a: (a[0][0] - 1, _F8) if a[0][1] == _F8 and \
                -a[0][0] <= axis < a[0][0] else None
        return callee(v) if callee is not None else None
    if isinstance(v, gast.Call) and not v.keywords and len(v.args) == 1 and \
            isinstance(v.args[0], gast.Name):
        f = v.func
        made = maker_rule(v, resolver, ints, tuples or {}) or (
            array_rule(v, entries, resolver) if entries else None)
        if made is not None:
            return made
        if getattr(f, "attr", getattr(f, "id", None)) not in _CALL_NAMES:
            return callee(v) if callee is not None else None
        from ...rules.helpers import copy as h_copy

        fn = resolver.callable(v.func)
        if lists and v.args[0].id in lists and fn in (np.array, np.asarray):
            return _from_list(lists[v.args[0].id], ints)
        if fn is h_copy:
            return [v.args[0].id], lambda a: a[0]
        if any(fn is k for k in _KEEPS):  # (of a number: a 0-d array, not a number)
            return [v.args[0].id], lambda a: a[0] if a[0][0] >= 1 else None
        if any(fn is k for k in _F8_UFUNCS):
            return [v.args[0].id], lambda a: a[0] if a[0][1] == _F8 else None
        if any(fn is k for k in _F8_REDUCTIONS):
            return [v.args[0].id], lambda a: (0, _F8) if a[0][1] == _F8 else None
        return None
    if isinstance(v, gast.UnaryOp) and isinstance(v.op, gast.USub) and \
            isinstance(v.operand, gast.Name):
        return [v.operand.id], lambda a: a[0] if a[0][1] == _F8 else None
    if isinstance(v, gast.BinOp) and isinstance(v.op, _F8_OPS):
        names = _strong_names((v.left, v.right), ints)
        floats = any(isinstance(o, gast.Constant) and type(o.value) is float
                     for o in (v.left, v.right))
        if names == [] and not isinstance(v.op, gast.Pow) and (
                floats or isinstance(v.op, gast.Div)):
            return [], lambda a: (0, _F8)  # ints and float constants: a Python float
        if not names:
            return None
        if isinstance(v.op, gast.Pow) and not _int_atom(v.right, ints):
            # (-8.0) ** 0.5 is complex; with an array operand NumPy gives nan
            return names, lambda a: (max(x[0] for x in a), _F8) if all(
                x[1] == _F8 for x in a) and max(x[0] for x in a) >= 1 else None
        return names, lambda a: (max(x[0] for x in a), _F8) if all(
            x[1] == _F8 for x in a) else None
    if isinstance(v, gast.BinOp) and isinstance(v.op, gast.MatMult):
        return matmul_rule(v)
    if entries and isinstance(v, gast.Subscript) and isinstance(v.value, gast.Name) and \
            v.value.id in entries:
        return entry_rule(v, entries, lambda e: _int_atom(e, ints))
    if isinstance(v, gast.Subscript) and isinstance(v.value, gast.Name):
        sl = v.slice
        parts = list(sl.elts) if isinstance(sl, gast.Tuple) else [sl]
        if all(_int_atom(q, ints) or _int_slice(q, ints) for q in parts):
            # rows, elements and basic slices (``icf[:, :d]``): ints drop a dimension
            k, n = sum(not isinstance(q, gast.Slice) for q in parts), len(parts)
            return [v.value.id], lambda a: (a[0][0] - k, a[0][1]) if a[0][0] >= n else None
    if isinstance(v, gast.Call) and callee is not None:
        return callee(v)
    return None


def _int_slice(q, ints):
    return isinstance(q, gast.Slice) and all(
        b is None or _int_atom(b, ints) for b in (q.lower, q.upper, q.step))


def _axis_keyword(v):
    """k for ``f(name, axis=k)`` with an int constant k (else None)."""
    if isinstance(v, gast.Call) and len(v.args) == 1 and isinstance(v.args[0], gast.Name) \
            and len(v.keywords) == 1 and v.keywords[0].arg == "axis":
        k = v.keywords[0].value
        if isinstance(k, gast.UnaryOp) and isinstance(k.op, gast.USub) and \
                isinstance(k.operand, gast.Constant) and type(k.operand.value) is int:
            return -k.operand.value
        if isinstance(k, gast.Constant) and type(k.value) is int:
            return k.value
    return None


def _untracked(body):
    """Names whose attributes are written or that call ``resize`` (shape may change)."""
    out = set()

    def look(e):
        for n in nodes(e):
            if isinstance(n, gast.Attribute) and isinstance(n.value, gast.Name) and (
                    isinstance(n.ctx, gast.Store) or n.attr == "resize"):
                out.add(n.value.id)

    for st, _ in statements(body):  # (normalized: calls and stores are statement-level)
        if isinstance(st, (gast.Assign, gast.AugAssign, gast.Expr)):
            for t in (st.targets if isinstance(st, gast.Assign) else
                      [st.target] if isinstance(st, gast.AugAssign) else []):
                if not isinstance(t, gast.Name):
                    look(t)
            v = st.value
            if isinstance(v, gast.Call) and isinstance(v.func, gast.Attribute) and \
                    v.func.attr == "resize" and isinstance(v.func.value, gast.Name):
                out.add(v.func.value.id)
        elif isinstance(st, (gast.With, gast.Try, gast.For)):
            look([x for f in ("items", "handlers", "target") for x in (
                getattr(st, f, None) if isinstance(getattr(st, f, None), list)
                else [getattr(st, f, None)]) if x is not None])
    return out


def array_specs(body, params, arrays, resolver, ints=frozenset(), arg_kinds=None,
                by_name=None, callee=None):
    """name -> (ndim, np.dtype) for every name surely holding an array of that spec (ndim
    0: a float64 number, for float parameters and what float64 arithmetic makes of them).
    ``callee(call)``: the rule of a user function's call (see ``_rule``)."""
    by_name = _by_name(body) if by_name is None else by_name
    lists = _read_only_lists(body, by_name, resolver)
    entries = list_entries(body, resolver)
    tuples = {n: len(vs[0].elts) for n, vs in by_name.items() if len(vs) == 1 and isinstance(
        vs[0], gast.Tuple) and not any(isinstance(e, gast.Starred) for e in vs[0].elts)}
    given = {p: (nd, np.dtype(dt)) for p, (nd, dt) in arrays.items() if p in params}
    for p, t in (arg_kinds or {}).items():
        if p in params and t in (float, np.float64):
            given[p] = (0, _F8)
    rules = {}
    for name, vs in by_name.items():
        rs = [_rule(v, resolver, ints, lists, callee, entries, tuples)
              if v is not None and not isinstance(v, tuple) else None for v in vs]
        if any(r is None for r in rs) or (name in params and name not in given):
            continue
        rules[name] = rs
    skip = _untracked(body)
    spec = {n: _TOP for n in rules}
    spec.update({p: g for p, g in given.items() if p not in by_name})

    def apply(rule):
        names, combine = rule[0], rule[1]  # (a third entry: unknown specs may be None)
        a = [spec.get(n) for n in names]
        if len(rule) == 2 and any(x is None for x in a):
            return None
        if any(x is _TOP for x in a):
            return _TOP
        return combine(a)

    meet_fixed_point(spec, rules, lambda name: given.get(name, _TOP), apply)
    return {n: v for n, v in spec.items() if v is not None and v is not _TOP and n not in skip}


@dataclass(frozen=True)
class Elements:
    arrays: dict  # name surely holding an array -> (ndim, np.dtype)
    ints: frozenset
    fixed: frozenset = frozenset()  # the parameters in ``arrays`` never rebound

    @staticmethod
    def of(body, params, arrays, arg_kinds, resolver, callee=None):
        by_name = _by_name(body)
        ints = surely_ints(body, params, arg_kinds, resolver, (), by_name)
        specs = array_specs(body, params, arrays, resolver, ints, arg_kinds, by_name, callee)
        if any(len(vs) == 1 and isinstance(vs[0], gast.Attribute) and vs[0].attr == "shape"
               for vs in by_name.values()):  # x.shape[k] of a tracked array is an int
            ints = surely_ints(body, params, arg_kinds, resolver, specs, by_name)
            # (with those ints, slices such as ``icf[:, :d]`` keep their spec)
            specs = array_specs(body, params, arrays, resolver, ints, arg_kinds, by_name,
                                callee)
        bound = set(by_name)
        fixed = frozenset(p for p in specs if p in params and p not in bound)
        return Elements(specs, ints, fixed)

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
