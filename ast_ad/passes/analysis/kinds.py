"""Value kinds: how adjoints add (``Kind``), and which names are surely floats (``Num``).

>>> import gast
>>> from types import SimpleNamespace
>>> t = gast.parse("def f(x, n):\\n    y = x * 2\\n    k = n + 1\\n    return y").body[0]
>>> r = SimpleNamespace(callable=lambda f: None, is_math=lambda o: False)
>>> sorted(surely_floats(t.body, ["x", "n"], {"x": float, "n": int}, r))
['x', 'y']
>>> value_kinds(t.body, ["x", "n"], {"x": float, "n": int}, r, None)["y"]
<Kind.NUM: 'num'>
"""

from __future__ import annotations

import builtins
import types

import gast
import numpy as np

from ... import runtime as R
from ...backends.arrays import is_array_type
from ...ir import nodes as N
from ...ir.lattice import Kind, Num
from ...ir.walk import name_nodes, statements
from ...rules import helpers as H

_NUMERIC_TYPES = (float, int, np.ndarray, np.floating, np.integer, complex, bool)
_CONTAINER_CAPABLE = {list, tuple, dict, R.as_sequence, R.part, R.add_grads, R.accum_index,
                      R.take_grad, R.clear_grad, R.push_grad, R.pop_grad, R.zeros_grad,
                      R.array_parts, R.array_entries, R.number_entries, R.save_item,
                      R.tangent_setitem, R.tangent_restore,
                      R.seq_concat, R.seq_repeat, R.seq_without, R.seq_insert, R.seq_take,
                      R.seq_place, R.seq_fold, R.seq_tile, R.seq_drop, R.seq_put,
                      R.seq_onehot, R.seq_extend}
#: sequence helpers whose result is a list/tuple (the edits: when their first argument is)
_JOINS = {R.seq_concat, R.seq_repeat}
_EDITS = {R.seq_without, R.seq_insert, R.seq_extend}
#: functions with rules whose result is a tuple (their tangents add entry by entry, as
#: add_grads does, not with + which would concatenate them)
_TUPLE_RESULTS = {np.linalg.slogdet, np.linalg.eig, np.linalg.eigh, np.linalg.svd,
                  np.linalg.qr, np.linalg.lstsq, np.divmod, np.frexp, np.modf,
                  builtins.divmod}
_ARITH = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)


def _name_defs(body):
    return [(s.targets[0].id, s.value) for s, _ in statements(body)
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)]


def surely_floats(body, params, arg_kinds, resolver, elements=None) -> frozenset:
    """Names whose value is surely a Python float or an np.float64 scalar (``elements``:
    ``analysis.elements.Elements``, an element of a float64 array is one)."""
    kind = {p: (Num.FLOAT if arg_kinds.get(p) in (float, np.float64) else
                Num.INT if arg_kinds.get(p) is int else None) for p in params}
    defs = _name_defs(body)
    fors = {s.target.id for s, _ in statements(body) if isinstance(s, gast.For)
            and isinstance(s.iter, gast.Name)}
    scalar = (Num.FLOAT, Num.INT)

    def of(a, k):
        if isinstance(a, gast.Constant):
            v = a.value
            return Num.FLOAT if type(v) is float else Num.INT if type(v) is int else None
        if isinstance(a, gast.Name):
            return k.get(a.id, Num.INT if a.id in fors else Num.UNKNOWN)
        return None

    def value(v, k):
        if N.is_atom(v):
            return of(v, k)
        if isinstance(v, gast.BinOp) and isinstance(v.op, _ARITH):
            a, b = of(v.left, k), of(v.right, k)
            if Num.UNKNOWN in (a, b):
                return Num.UNKNOWN
            if a in scalar and b in scalar:
                return Num.FLOAT if Num.FLOAT in (a, b) or isinstance(v.op, gast.Div) \
                    else Num.INT
            return None
        if isinstance(v, gast.UnaryOp) and isinstance(v.op, (gast.USub, gast.UAdd)):
            return of(v.operand, k)
        if elements is not None and isinstance(v, gast.Subscript) and elements.float64(v):
            return Num.FLOAT
        if isinstance(v, gast.Call) and not v.keywords:
            obj = resolver.callable(v.func)
            kinds_ = [of(a, k) for a in v.args]
            if Num.UNKNOWN in kinds_:
                return Num.UNKNOWN
            if all(x in scalar for x in kinds_):
                if resolver.is_math(obj) or obj is float:
                    return Num.FLOAT
                if isinstance(obj, np.ufunc) and obj.nout == 1 and obj.types and \
                        Num.FLOAT in kinds_:
                    return Num.FLOAT
        return None

    k = dict(kind)
    for name, _ in defs:
        k.setdefault(name, Num.UNKNOWN)
    by_name = {}
    for name, v in defs:
        by_name.setdefault(name, []).append(v)
    for _ in range(30):
        new = dict(k)
        for name, values in by_name.items():
            vals = []  # the distinct known values (members and None: by identity, not
            for x in [value(v, k) for v in values] + (  # through Enum's Python __hash__)
                    [kind[name]] if name in kind else []):
                if x is not Num.UNKNOWN and all(x is not y for y in vals):
                    vals.append(x)
            new[name] = vals[0] if len(vals) == 1 else (None if vals else Num.UNKNOWN)
        if new == k:
            break
        k = new
    return frozenset(n for n, v in k.items() if v is Num.FLOAT)


def value_kinds(body, params, arg_kinds, resolver, registry, known=frozenset()) -> dict:
    """name -> Kind.NUM (a number or array: adjoints add with +) or Kind.ANY; ``known``:
    names surely holding a number or an array (``analysis.elements`` specs), even
    where their definitions alone do not show it (``t = Ls[k]``, ``h(x)``)."""
    kinds = {}
    for p in params:
        t = arg_kinds.get(p)
        kinds[p] = Kind.NUM if t is Kind.NUM or p in known or (isinstance(t, type) and (
            issubclass(t, _NUMERIC_TYPES) or is_array_type(t))) else Kind.ANY  # eng15: CuPy
    defs = [(n, v) for n, v in _name_defs(body)
            if not (isinstance(v, gast.Constant) and v.value is None)]
    for name, _ in defs:
        kinds.setdefault(name, Kind.NUM)
    for _ in range(20):
        changed = False
        for name, v in defs:
            if name not in known and kinds.get(name) is not Kind.ANY and \
                    _value_kind(v, kinds, resolver, registry) is Kind.ANY:
                kinds[name] = Kind.ANY
                changed = True
        if not changed:
            break
    for s, _ in statements(body):
        if isinstance(s, gast.For):
            kinds.setdefault(s.target.id, Kind.NUM)
    return kinds


def sequence_names(body, params, arg_kinds, resolver, active=frozenset()) -> frozenset:
    """Names surely holding a list or tuple (``+`` concatenates and ``*`` repeats them):
    literals, ``list(...)``/``tuple(...)``, list/tuple parameters, and sums of those.  A
    list met by a differentiated value that is no list (``[3, 5] * np.exp(x)``) is NumPy
    arithmetic -- that value is a float or an array, never the int of a repetition."""
    seq = {p for p in params if arg_kinds.get(p) in (list, tuple)}
    defs = _name_defs(body)

    def joined(v):
        ids = [getattr(e, "id", None) for e in (v.left, v.right)]
        return any(i in seq for i in ids) and not any(
            i in active and i not in seq for i in ids)

    for _ in range(10):
        new = set(seq)
        for name, v in defs:
            call = resolver.callable(v.func) if isinstance(v, gast.Call) else None
            call = call if isinstance(call, (type, types.FunctionType)) else None
            if isinstance(v, (gast.List, gast.Tuple)) or call in (list, tuple) or \
                    call in _JOINS or (call in _EDITS and getattr(v.args[0], "id", None) in seq) \
                    or (isinstance(v, gast.BinOp) and isinstance(v.op, (gast.Add, gast.Mult)) and
                        joined(v)):
                new.add(name)
        if new == seq:
            break
        seq = new
    return frozenset(seq)


def _all_num(names, kinds):
    return Kind.NUM if all(kinds.get(n) is Kind.NUM for n in names) else Kind.ANY


def _value_kind(v, kinds, resolver, registry):
    if isinstance(v, gast.Constant):
        return Kind.NUM if isinstance(v.value, (int, float, complex)) else Kind.ANY
    if isinstance(v, gast.Name):
        return kinds.get(v.id, Kind.ANY)
    if isinstance(v, (gast.BinOp, gast.UnaryOp)):
        return _all_num([n.id for n in name_nodes(v)], kinds)
    if isinstance(v, gast.Attribute) and resolver.callable(v) is not None:
        obj = resolver.callable(v)  # math.pi, a module's constant
        return Kind.NUM if isinstance(obj, (int, float, complex, np.number, np.ndarray)) \
            else Kind.ANY
    if isinstance(v, gast.Subscript):
        return Kind.NUM if isinstance(v.value, gast.Name) and \
            kinds.get(v.value.id) is Kind.NUM else Kind.ANY
    if isinstance(v, gast.Call):
        obj = resolver.callable(v.func)
        if obj is None or obj in _CONTAINER_CAPABLE or obj in _TUPLE_RESULTS or (
                getattr(obj, "__name__", None) == "cho_factor") or getattr(
                obj, "sequence_result", False):  # a rule helper returning a list
            return Kind.ANY
        if registry.vjp(obj) is None:  # no rule: NumPy's constructors still make arrays
            numpy = isinstance(obj, np.ufunc) or (
                getattr(obj, "__module__", None) or "").startswith("numpy")
            return Kind.NUM if numpy and obj not in (np.split, np.array_split) else Kind.ANY
        if obj in (sum, max, min, abs, float):
            return _all_num([a.id for a in v.args if isinstance(a, gast.Name)], kinds)
        if obj in (H.copy, H.astype):
            return _all_num([a.id for a in v.args[:1] if isinstance(a, gast.Name)], kinds)
        return Kind.NUM
    return Kind.ANY
