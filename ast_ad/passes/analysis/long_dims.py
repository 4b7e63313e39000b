"""Long arrays: names surely holding an array none of whose dimensions has length 1.

The gradient is specialised on whether each NumPy array argument is "long" (no dimension
of length 1: ``Request.long``; a 0-d array or a number is trivially long).  For a long
``a`` and any ``b`` of ndim <= a's, ``a op b`` elementwise has exactly a's shape (each
dimension of ``b`` is a's or 1) or raises, so the cotangent of ``a`` needs no
``unbroadcast`` there (``Facts.result_shaped``).  Long are:

- a long parameter never rebound; numbers (ndim 0); names of a fixed shape without a 1;
- ``a[i]`` / ``a[i, j]`` with surely-int indices of a long array (the dimensions left
  are a's), and leading slices ``a[:, :d]`` where ``d`` is surely not 1 (a constant >= 2
  or a length of a long array, ``d = x.shape[1]``: min(d, n) is then 0 or >= 2); never
  another slice (``a[1:]`` may have length 1) or an axis reduction;
- ``-a``, ``np.exp(a)`` (a one-output ufunc), ``np.copy(a)``, ``np.array(a)`` of a long a;
- ``a op b`` / ``np.add(a, b)`` elementwise, a long with ndim >= b's: a's ndim;
- ``a @ b`` of long arrays (matmul's ndim); ``np.zeros((d, d))`` (ones, empty) of such
  lengths (or int constants other than 1); ``Ls[k]`` of a plain list
  (``analysis.entries``) whose every entry is long of one ndim;
- ``h(d, row)``, a user function's call, when its returned name is long by this same
  analysis of its body, its parameters taking the caller's facts (long arrays, lengths:
  ``Callees.return_long``; W10's factor ``_lower(d, icf[ik])`` with ``d = x.shape[1]``);
- a name every binding of which is long of one ndim (loop-carried: a fixed point).

>>> import gast
>>> import numpy as np
>>> from types import SimpleNamespace
>>> from ast_ad.passes.analysis.elements import Elements
>>> src = ("def f(x, m, y0):\\n    y = y0\\n    r = range(3)\\n    for i in r:\\n"
...        "        a = x[i]\\n        b = m[i]\\n        xc = a - b\\n"
...        "        s = m[i, 1:]\\n        d = 0.5 * xc\\n        y = y + d\\n"
...        "    sh = x.shape\\n    k = sh[1]\\n    q = m[:, :k]\\n    return y")
>>> t = gast.parse(src).body[0]
>>> res = SimpleNamespace(callable=lambda f: range if getattr(f, "id", "") == "range"
...                       else None, is_elementwise=lambda f: False)
>>> specs = {"x": (2, "<f8"), "m": (2, "<f8"), "y0": (1, "<f8")}
>>> el = Elements.of(t.body, ["x", "m", "y0"], specs, {}, res)
>>> out = long_names(t.body, ["x", "m", "y0"], {"x", "m", "y0"}, el, res)
>>> {n: k for n, k in sorted(out.items()) if k}  # (the numbers aside: ndim 0)
{'a': 1, 'b': 1, 'd': 1, 'm': 2, 'q': 2, 'x': 2, 'xc': 1, 'y': 1, 'y0': 1}

``s`` (a slice from 1) is not long; nor is ``y`` once ``y0`` may have a length-1 dimension:

>>> sorted(n for n, k in long_names(t.body, ["x", "m", "y0"], {"x", "m"}, el, res).items() if k)
['a', 'b', 'd', 'm', 'q', 'x', 'xc']
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any

import gast
import numpy as np

from ...ir.lattice import Shape
from .elements import _TOP, _by_name, _int_atom, _untracked, meet_fixed_point
from .entries import list_entries, matmul_ndim
from .shapes import ELEMENTWISE_OPS

#: the elementwise operators of the rule stage (``a op b``, ``-a``): shape of the broadcast
ELEMENTWISE_FNS = (operator.add, operator.sub, operator.mul, operator.truediv,
                   operator.pow, operator.mod, operator.floordiv, operator.neg, operator.pos)
_SUMS = (operator.add, operator.sub, np.add, np.subtract)  # (contributions: g, -g)


def long_names(body, params, long_params, elements, resolver, floats=frozenset(),
               shapes=None, length_params=(), callee=None) -> dict:
    """name -> ndim for every name surely holding a long array (or a number: ndim 0).
    ``long_params``: the array parameters seen long at the call; ``elements``:
    ``analysis.elements.Elements`` (ndims, surely-int names); ``floats``: names surely
    holding a float; ``shapes``: name -> Shape (a fixed shape without a 1 is long);
    ``length_params``: int parameters never 1 (a callee's, from its caller);
    ``callee(call, long, lengths)``: the long ndim of a user function's value (None:
    not known, ``_TOP``: an argument not known yet)."""
    by_name = _by_name(body)
    arrays = elements.arrays
    given = {}  # name -> ndim known without this analysis
    for n in set(by_name) | set(params):
        c = (shapes or {}).get(n)
        spec = arrays.get(n)
        if n in floats or n in elements.ints or c == Shape.SCALAR or (
                spec is not None and spec[0] == 0):
            given[n] = 0
        elif c is not None and c.tag == "fixed" and 1 not in c.dims:
            given[n] = len(c.dims)
    passed = {p: arrays[p][0] for p in params if p in long_params and p in arrays}
    for p, k in passed.items():
        if p not in by_name:
            given[p] = k
    skip = _untracked(body)
    given_lengths = frozenset(p for p in length_params if p in params and p not in by_name)
    extra = _Extra(entries=list_entries(body, resolver), callee=callee, tuples={
        n: vs[0].elts for n, vs in by_name.items() if len(vs) == 1 and
        isinstance(vs[0], gast.Tuple)})
    out = _solve(by_name, params, given, passed, skip, elements, resolver, shapes,
                 given_lengths, extra)
    lengths = _lengths(by_name, out, resolver, skip | set(params)) | given_lengths
    if lengths - given_lengths:  # (with them, leading slices a[:, :d] are long too)
        out = _solve(by_name, params, given, passed, skip, elements, resolver, shapes,
                     lengths, extra)
    return out


@dataclass(frozen=True)
class _Extra:
    entries: dict  # analysis.entries.list_entries: plain lists -> their entries
    callee: Any  # see long_names
    tuples: dict  # names bound once to a tuple display -> its items


def _solve(by_name, params, given, passed, skip, elements, resolver, shapes, lengths,
           extra):
    """The fixed point of ``long_names``; ``lengths``: names surely holding an int
    that is not 1 (``_lengths``)."""
    arrays = elements.arrays
    nd = {n: _TOP for n in by_name if n not in skip and n not in given}
    nd.update(given)

    def ndim(e):  # the ndim of an operand, where known (a number: 0)
        if isinstance(e, gast.Name) and nd.get(e.id) is not None:
            return nd[e.id]
        return _ndim(e, arrays, shapes, elements.ints)

    def long(e):
        return nd.get(e.id) if isinstance(e, gast.Name) else (
            0 if isinstance(e, gast.Constant) and ndim(e) == 0 else None)

    def value(v):
        if v is None or isinstance(v, tuple):
            return None  # a loop target, an unpacking, an augmented assignment...
        if isinstance(v, (gast.Name, gast.Constant)):
            return long(v)
        if isinstance(v, gast.UnaryOp) and isinstance(v.op, (gast.USub, gast.UAdd)):
            return long(v.operand)
        if isinstance(v, gast.BinOp) and isinstance(v.op, ELEMENTWISE_OPS):
            return _broadcast(v.left, v.right, long, ndim)
        if isinstance(v, gast.BinOp) and isinstance(v.op, gast.MatMult):
            return _matmul(v, long, arrays)
        if isinstance(v, gast.Subscript) and isinstance(v.value, gast.Name) and \
                v.value.id in extra.entries:
            return _entry(v, extra.entries[v.value.id], long, elements.ints)
        if isinstance(v, gast.Subscript):
            return _row(v, long, arrays, elements.ints, lengths)
        if isinstance(v, gast.Call) and not v.keywords and 1 <= len(v.args) <= 2:
            fn = resolver.callable(v.func)
            if isinstance(fn, np.ufunc) and fn.nout == 1 and fn.nin == len(v.args):
                return long(v.args[0]) if len(v.args) == 1 else _broadcast(*v.args, long,
                                                                           ndim)
            if len(v.args) == 1 and _keeps(fn):
                return long(v.args[0])
            if len(v.args) == 1 and any(fn is f for f in (np.zeros, np.ones, np.empty)):
                return _made(v.args[0], lengths, extra.tuples)
        if isinstance(v, gast.Call) and extra.callee is not None:
            return extra.callee(v, long, lengths)
        return None

    rules = {n: vs for n, vs in by_name.items() if n in nd and n not in given}
    # (a parameter starts from the value passed; no fixed point: only what is known without)
    if not meet_fixed_point(nd, rules, lambda n: passed.get(n) if n in params else _TOP,
                            value):
        return given
    return {n: k for n, k in nd.items() if k is not None and k is not _TOP}


def _ndim(e, arrays, shapes, ints):
    """The ndim of an operand by the element and shape facts (a number: 0), or None."""
    if isinstance(e, gast.Constant):
        return 0 if type(e.value) in (int, float, complex) else None
    if not isinstance(e, gast.Name):
        return None
    if e.id in ints:
        return 0
    name = e.id
    spec = arrays.get(name)
    if spec is not None:
        return spec[0]
    c = (shapes or {}).get(name)
    if c == Shape.SCALAR:
        return 0
    if c is not None and c.tag == "fixed":
        return len(c.dims)
    return None




def _broadcast(x, y, long, ndim):
    """The ndim of ``x op y`` when it surely has a long operand's shape, else None."""
    out = None
    for a, b in ((x, y), (y, x)):
        k, other = long(a), ndim(b)
        if k is _TOP or other is _TOP:
            return _TOP
        if k is not None and other is not None and other <= k:
            out = k if out is None else max(out, k)
    return out


def _matmul(v, long, arrays):
    """``a @ b`` of long arrays (both NumPy arrays, ndim >= 1): long, of matmul's ndim
    (its dimensions are a's and b's, the batch ones broadcast without a 1 or raise)."""
    if not (isinstance(v.left, gast.Name) and isinstance(v.right, gast.Name)):
        return None
    ka, kb = long(v.left), long(v.right)
    if ka is _TOP or kb is _TOP:
        return _TOP
    if ka is None or kb is None or any(
            arrays.get(n, (None,))[0] != k for n, k in ((v.left.id, ka), (v.right.id, kb))):
        return None
    return matmul_ndim(ka, kb)


def _entry(v, entries, long, ints):
    """``Ls[k]`` (``k`` an int) of a plain list whose every entry is long of one ndim."""
    if not _int_atom(v.slice, ints) or not entries:
        return None
    ks = set()
    for e in entries:
        k = long(e) if isinstance(e, gast.Name) else None
        if k is _TOP:
            return _TOP
        ks.add(k)
    return ks.pop() if len(ks) == 1 and None not in ks else None


def _made(arg, lengths, tuples):
    """``np.zeros(d)`` / ``np.zeros((d, 3))`` (also ones, empty) of lengths never 1 (int
    constants other than 1, names of ``lengths``): long of that many dimensions."""
    def ok(e):
        return (isinstance(e, gast.Constant) and type(e.value) is int and e.value != 1) or (
            isinstance(e, gast.Name) and e.id in lengths)
    if ok(arg):
        return 1
    items = tuples.get(arg.id) if isinstance(arg, gast.Name) else (
        arg.elts if isinstance(arg, gast.Tuple) else None)
    if items and all(ok(e) for e in items):
        return len(items)
    return None


def _row(v, long, arrays, ints, lengths=()):
    """``a[i]`` / ``a[i, j]`` of a long array with surely-int indices: a's remaining
    dimensions (a number when every dimension is indexed); ``a[:, :d]`` too, when ``d``
    is surely not 1 (``_lengths``): min(d, n) is 0 or >= 2 for n = 0 or n >= 2."""
    if not isinstance(v.value, gast.Name):
        return None
    base = v.value.id
    spec = arrays.get(base)
    k = long(v.value)
    if k is _TOP:
        return _TOP
    if k is None or spec is None or spec[0] != k:
        return None  # (surely an ndarray of that ndim, not a list or another object)
    parts = list(v.slice.elts) if isinstance(v.slice, gast.Tuple) else [v.slice]
    if len(parts) > k or not all(_int_atom(p, ints) or _leading(p, lengths)
                                 for p in parts):
        return None
    return k - sum(not isinstance(p, gast.Slice) for p in parts)


def _leading(p, lengths):
    """``:`` or ``:d`` (from 0, step 1) with ``d`` None, an int constant >= 2 or a name
    of ``lengths``: the slice keeps a dimension n of 0 or >= 2 so (min(d, n))."""
    if not isinstance(p, gast.Slice):
        return False
    lo, hi, step = p.lower, p.upper, p.step
    if not (lo is None or (isinstance(lo, gast.Constant) and type(lo.value) is int and
                           lo.value == 0)):
        return False
    if not (step is None or (isinstance(step, gast.Constant) and step.value == 1 and
                             type(step.value) is int)):
        return False
    return hi is None or (isinstance(hi, gast.Constant) and type(hi.value) is int and
                          hi.value >= 2) or (isinstance(hi, gast.Name) and hi.id in lengths)


def _lengths(by_name, long, resolver, skip):
    """Names every binding of which is a length of a long array (``t = a.shape``, then
    ``d = t[1]``; ``a.shape[1]``; ``len(a)``): an int, 0 or >= 2, never 1."""
    def shape_of_long(v):
        return isinstance(v, gast.Attribute) and v.attr == "shape" and \
            isinstance(v.value, gast.Name) and long.get(v.value.id, 0) >= 1

    tuples = {n for n, vs in by_name.items() if n not in skip and vs and
              all(shape_of_long(v) for v in vs)}

    def length(v):
        if isinstance(v, gast.Subscript) and isinstance(v.slice, gast.Constant) and \
                type(v.slice.value) is int:
            t = v.value
            return (isinstance(t, gast.Name) and t.id in tuples) or shape_of_long(t)
        if isinstance(v, gast.Call) and len(v.args) == 1 and not v.keywords and \
                isinstance(v.args[0], gast.Name) and long.get(v.args[0].id, 0) >= 1:
            return resolver.callable(v.func) is len
        return False

    return frozenset(n for n, vs in by_name.items() if n not in skip and vs and
                     all(length(v) for v in vs))


def _keeps(fn):
    from ...rules.helpers import copy as h_copy

    return fn is h_copy or any(fn is f for f in (np.copy, np.array, np.asarray,
                                                 np.zeros_like, np.ones_like, np.empty_like))


def operand_ndim(facts, e):
    """The ndim of an operand ``e`` of a statement, where the facts know it."""
    if isinstance(e, gast.Name) and e.id in facts.long:
        return facts.long[e.id]
    if isinstance(e, gast.Name) and e.id in facts.pyfloat:
        return 0
    return _ndim(e, facts.elements.arrays, facts.shapes, facts.elements.ints)


def result_shaped(facts, fn, args, keywords, target, signed=False) -> bool:
    """``x = fn(*args)`` elementwise surely has the shape of its operand ``target`` and
    so has every contribution to ``target`` a rule makes of the cotangent, the operands
    and ``x``: ``unbroadcast`` to ``target`` is the identity.  So it is when ``target`` is
    long and every other operand is a number or long of target's ndim (of target's shape,
    or the call raises), or when every operand is ``target`` (``u * u``).  (Not merely
    ndim <= target's: a cotangent that is the 0.0 filler, as a loop's adjoint is in the
    iterations after its last use, times a (1,)-shaped ``b`` has b's shape.)  ``signed``:
    the contribution is ``g`` or ``-g`` itself (``a + b``, ``a - b``), of x's shape or the
    filler: then ndim <= target's is enough."""
    if keywords or not (any(fn is f for f in ELEMENTWISE_FNS) or (
            isinstance(fn, np.ufunc) and fn.nout == 1 and fn.nin == len(args))):
        return False
    mine = [isinstance(a, gast.Name) and a.id == target for a in args]
    if mine and all(mine):
        return True  # (the shape of x op x is x's, whatever it is)
    k = facts.long.get(target)
    if k is None or not any(mine):
        return False
    for a, own in zip(args, mine):
        if own:
            continue
        other = operand_ndim(facts, a)
        if signed and fn in _SUMS and other is not None and other <= k:
            continue
        if other != 0 and not (isinstance(a, gast.Name) and facts.long.get(a.id) == k):
            return False
    return True
