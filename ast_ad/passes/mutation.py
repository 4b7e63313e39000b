"""Mutation: NumPy's in-place updates become ordinary subscript writes (tree -> tree).

A write ``a[...] = v`` is modelled by the reverse pass (the old value saved and restored,
the adjoint moved to ``v``), so each in-place API that has a pure form is rewritten to one:

- ``np.add.at(a, idx, b)`` / ``np.subtract.at`` -> ``_t = add_at(a, idx, b); a[...] = _t``
- ``f(..., out=y)`` (any function or ufunc) -> ``_t = f(...); y[...] = _t`` (and a result
  assigned from the call is ``y`` itself)
- ``np.copyto(dst, src)`` -> ``dst[...] = src``
- ``np.fill_diagonal(a, v)`` -> ``_t = diagonal_filled(a, v); a[...] = _t``
- ``np.put(a, ind, v)``, ``np.place(a, mask, v)``, ``np.putmask(a, mask, v)``, ``a.put(ind,
  v)`` -> ``_t = put_into(a, ind, v); a[...] = _t`` (and ``place_into``, ``putmask_into``)
- ``np.multiply.at`` like ``np.add.at`` (``multiply_at``)
- ``y.fill(v)`` -> ``y[...] = v``; ``y.sort(...)`` -> ``y[...] = np.sort(y, ...)``;
  ``y.partition(k)`` -> ``y[...] = np.partition(y, k)`` (for array-kind names)

Everything else that writes (``analysis.effects``) is refused when a differentiated value
reaches it.

Before::

    np.add.at(out, idx, x)

After::

    _t1 = add_at(out, idx, x)
    out[...] = _t1
"""

from __future__ import annotations

import types

import gast
import numpy as np

from ..ir import nodes as N
from ..ir.lattice import Kind
from ..ir.walk import rebuild
from ..runtime.mutation import UFUNC_AT, diagonal_filled
from ..runtime.mutation_slots import place_into, put_into, putmask_into

_METHOD_FORMS = {"sort": np.sort, "partition": np.partition}
_SLOT_WRITERS = {np.put: put_into, np.place: place_into, np.putmask: putmask_into}


def _ellipsis_store(name, value, loc):
    t = gast.Subscript(value=N.name(name), slice=N.const(Ellipsis), ctx=gast.Store())
    return N.assign(t, value, loc=loc)


def model_mutations(tree, unit, facts) -> bool:
    """Rewrite the modelled in-place APIs in ``tree``; True if anything changed."""
    changed = []

    def one(s):
        out = _rewrite(s, unit, facts)
        if out is None:
            return s
        changed.append(s)
        return out

    tree.body = rebuild(tree.body, one)
    return bool(changed)


def _rewrite(s, unit, facts):
    if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call):
        target, call = None, s.value
    elif isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and \
            isinstance(s.value, gast.Call):
        target, call = s.targets[0].id, s.value
    else:
        return None
    obj = facts.callable(call.func)
    # ufunc.at(a, idx, b)
    if isinstance(obj, types.BuiltinMethodType) and obj.__name__ == "at" and \
            getattr(obj, "__self__", None) in UFUNC_AT and len(call.args) == 3 and \
            not call.keywords and isinstance(call.args[0], gast.Name):
        pure = UFUNC_AT[obj.__self__]
        tmp = unit.namer.fresh("_t")
        out = [N.assign(tmp, N.call(unit.ref(pure), call.args), loc=s),
               _ellipsis_store(call.args[0].id, N.name(tmp), s)]
        return out + ([N.assign(target, N.const(None), loc=s)] if target else [])
    # f(..., out=y)
    outs = [k for k in call.keywords if k.arg == "out"]
    if outs and isinstance(outs[0].value, gast.Name) and \
            not any(k.arg == "where" for k in call.keywords):
        y = outs[0].value.id
        kws = [k for k in call.keywords if k.arg != "out"]
        tmp = unit.namer.fresh("_t")
        out = [N.assign(tmp, N.call(call.func, call.args, kws), loc=s),
               _ellipsis_store(y, N.name(tmp), s)]
        return out + ([N.assign(target, N.name(y), loc=s)] if target else [])
    # np.fill_diagonal(a, val[, wrap])
    if obj is np.fill_diagonal and 2 <= len(call.args) <= 3 and \
            isinstance(call.args[0], gast.Name) and all(k.arg == "wrap" for k in call.keywords):
        tmp = unit.namer.fresh("_t")
        out = [N.assign(tmp, N.call(unit.ref(diagonal_filled), call.args, call.keywords),
                        loc=s), _ellipsis_store(call.args[0].id, N.name(tmp), s)]
        return out + ([N.assign(target, N.const(None), loc=s)] if target else [])
    # np.put(a, ind, v), np.place(a, mask, v), np.putmask(a, mask, v)
    try:
        pure = _SLOT_WRITERS.get(obj)
    except TypeError:  # an unhashable callee
        pure = None
    if pure is not None and len(call.args) == 3 and not call.keywords and \
            isinstance(call.args[0], gast.Name):
        tmp = unit.namer.fresh("_t")
        out = [N.assign(tmp, N.call(unit.ref(pure), call.args), loc=s),
               _ellipsis_store(call.args[0].id, N.name(tmp), s)]
        return out + ([N.assign(target, N.const(None), loc=s)] if target else [])
    # np.copyto(dst, src)
    if obj is np.copyto and len(call.args) == 2 and isinstance(call.args[0], gast.Name) and \
            all(k.arg == "casting" for k in call.keywords):
        out = [_ellipsis_store(call.args[0].id, call.args[1], s)]
        return out + ([N.assign(target, N.const(None), loc=s)] if target else [])
    # y.fill(v), y.sort(...), y.partition(k) on arrays
    f = call.func
    if isinstance(f, gast.Attribute) and isinstance(f.value, gast.Name) and \
            facts.kind(f.value.id) is Kind.NUM and target is None:
        y = f.value.id
        if f.attr == "fill" and len(call.args) == 1 and not call.keywords:
            return [_ellipsis_store(y, call.args[0], s)]
        if f.attr == "put" and len(call.args) == 2 and not call.keywords:  # y.put(ind, v)
            tmp = unit.namer.fresh("_t")
            return [N.assign(tmp, N.call(unit.ref(put_into), [N.name(y)] + list(call.args)),
                             loc=s), _ellipsis_store(y, N.name(tmp), s)]
        form = _METHOD_FORMS.get(f.attr)
        if form is not None:
            tmp = unit.namer.fresh("_t")
            return [N.assign(tmp, N.call(unit.ref(form), [N.name(y)] + list(call.args),
                                         call.keywords), loc=s),
                    _ellipsis_store(y, N.name(tmp), s)]
    return None
