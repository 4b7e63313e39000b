"""Adjoint buffers as Python lists inside element loops (issue 13, the cheap-gradient
bound).  In CPython an entry update of a NumPy vector (``bu[i] += g``: a NumPy scalar
read, an add, a write) costs about four times the same update of a list of floats.
A reversed loop whose body only reads and updates entries of some adjoint buffers
runs, when a run-time check allows it, on the buffers' ``tolist()`` copies, written
back into the same arrays after the loop (so every other name of the buffer sees the
updates, as in-place updates would have given).

The loop qualifies when it is an innermost loop of straight-line statements (plain
assignments, ``+=``, stack pops) and each buffer ``B`` appears in it only as ``B[k]``
with one index that does not mention a buffer, never rebound.  The check
(``list_buffers_ok``, once per entry into the loop) requires every buffer to be a 1-d
float64 NumPy array, no two of them to share memory, and every other name the body
reads before it binds it to be a number, a range, or a NumPy array sharing no memory
with a buffer; otherwise the loop runs as generated.  Complex values written into a
float64 buffer raise at the write-back as they raise at ``bu[i] += g``.

Before::

    for i in _r2[::-1]:
        b_t14 = bnew[i]
        bnew[i] = 0.0
        bu[i] += b_t14

After::

    if list_buffers_ok((bnew, bu), (_r2,)):
        _lb1 = bnew.tolist()
        _lb2 = bu.tolist()
        for i in _r2[::-1]:
            b_t14 = _lb1[i]
            _lb1[i] = 0.0
            _lb2[i] += b_t14
        bnew[:] = _lb1
        bu[:] = _lb2
    else:
        for i in _r2[::-1]:
            ...                         # as generated

Executed:

>>> import numpy as np, ast_ad
>>> def f(x):
...     s = 0.0
...     for i in range(x.shape[0]):
...         s = s + x[i] * x[i]
...     return s
>>> g = ast_ad.grad(f)
>>> g(np.array([1.0, 2.0, 3.0]))
array([2., 4., 6.])
>>> src = ast_ad.source(g)
>>> "if list_buffers_ok((bx,), (_r1, _t3)):" in src, "_lb[i] += 2.0 * _t3" in src
(True, True)
>>> "bx[:] = _lb" in src
True
"""

from __future__ import annotations

from dataclasses import replace

import gast

from ... import runtime as R
from ...ir import nodes as N
from ...ir.walk import blocks_of, name_nodes, nodes

_SIMPLE = (gast.Name, gast.Constant, gast.BinOp, gast.UnaryOp, gast.Subscript)
_SAME_ON_FLOATS = (gast.Add, gast.Sub, gast.Mult)


def rewrite(sw, unit):
    """``sw`` (optimized ``Sweeps``) with qualifying reversed loops in its tail doubled."""
    if sw.kind not in ("joint", "split"):
        return sw
    stack_fns = {st.targets[0].id for st in sw.head + sw.tail + (sw.bwd_head or [])
                 if isinstance(st, gast.Assign) and len(st.targets) == 1
                 and isinstance(st.targets[0], gast.Name)
                 and isinstance(st.value, gast.Attribute) and st.value.attr in ("pop", "append")}
    changed = [False]

    def block(stmts):
        out = []
        for st in stmts:
            if isinstance(st, gast.For):
                new = _loop(st, stack_fns, unit)
                if new is not None:
                    out.append(new)
                    changed[0] = True
                    continue
            for _, inner in blocks_of(st):
                inner[:] = block(inner)
            out.append(st)
        return out

    tail = block(list(sw.tail))
    if not changed[0]:
        return sw
    return replace(sw, tail=tail)


def _value_ok(v, stack_fns):
    """A stack pop, or ``+ - *`` and negation of names, constants and subscripts: the
    operations whose results are the same on Python floats (what ``tolist()`` gives) as
    on ``np.float64`` (``/`` by zero raises on floats, ``**`` may turn complex)."""
    if isinstance(v, gast.Call):
        return isinstance(v.func, gast.Name) and v.func.id in stack_fns and not v.args
    if not isinstance(v, _SIMPLE):
        return False
    for n in nodes(v):
        if isinstance(n, gast.BinOp) and not isinstance(n.op, _SAME_ON_FLOATS):
            return False
        if isinstance(n, gast.UnaryOp) and not isinstance(n.op, (gast.USub, gast.UAdd)):
            return False
        if isinstance(n, (gast.Call, gast.Attribute, gast.Lambda, gast.NamedExpr)):
            return False
    return True


def _loop(loop, stack_fns, unit):
    if loop.orelse or not isinstance(loop.target, gast.Name):
        return None
    body = loop.body
    for st in body:
        if isinstance(st, gast.Assign) and len(st.targets) == 1:
            t = st.targets[0]
        elif isinstance(st, gast.AugAssign):
            t = st.target
        elif isinstance(st, gast.Expr) and _value_ok(st.value, stack_fns) and \
                isinstance(st.value, gast.Call):
            continue
        else:
            return None
        if not isinstance(t, (gast.Name, gast.Subscript)) or not _value_ok(st.value, stack_fns):
            return None
        if isinstance(t, gast.Subscript) and not isinstance(t.value, gast.Name):
            return None
    written = set()
    for st in body:
        t = st.targets[0] if isinstance(st, gast.Assign) else getattr(st, "target", None)
        if isinstance(t, gast.Subscript):
            written.add(t.value.id)
    bound = {loop.target.id} | {n.id for st in body for n in nodes(st)
                                if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
    subs = [n for st in body for n in nodes(st) if isinstance(n, gast.Subscript)]
    cands = set()
    for b in sorted(written):
        if b in bound or b in stack_fns:
            continue
        mine = [s for s in subs if isinstance(s.value, gast.Name) and s.value.id == b]
        uses = [n for st in body for n in nodes(st) if isinstance(n, gast.Name) and n.id == b]
        if len(uses) != len(mine):
            continue  # the buffer is read whole somewhere
        if not all(_index_ok(s.slice) for s in mine):
            continue
        cands.add(b)
    cands = {b for b in cands if not any(
        isinstance(n, gast.Name) and n.id in cands for s in subs
        if isinstance(s.value, gast.Name) and s.value.id == b for n in nodes(s.slice))}
    if not cands:
        return None
    # every subscript of a non-buffer must not be written (primal reads stay as they are)
    for s in subs:
        if isinstance(s.ctx, gast.Store) and s.value.id not in cands:
            return None
    names = sorted(cands)
    lists = {b: unit.namer.fresh("_lb") for b in names}
    others = sorted(_read_before_bound(loop, body, bound - {loop.target.id}) - cands
                    - stack_fns - {loop.target.id})
    fast = N.clone(loop)
    for n in nodes(fast.body):
        if isinstance(n, gast.Subscript) and isinstance(n.value, gast.Name) and \
                n.value.id in lists:
            n.value = N.name(lists[n.value.id])
    check = N.call(unit.ref(R.list_buffers_ok), [
        gast.Tuple(elts=[N.name(b) for b in names], ctx=gast.Load()),
        gast.Tuple(elts=[N.name(o) for o in others], ctx=gast.Load())])
    pre = [N.assign(lists[b], N.call(gast.Attribute(value=N.name(b), attr="tolist",
                                                    ctx=gast.Load()), []), loc=loop)
           for b in names]
    post = [N.assign(gast.Subscript(value=N.name(b), slice=gast.Slice(
        lower=None, upper=None, step=None), ctx=gast.Store()), N.name(lists[b]), loc=loop)
        for b in names]
    st = gast.If(test=check, body=pre + [fast] + post, orelse=[loop])
    return N.copy_loc(st, loop)


def _index_ok(idx):
    """One index (not a tuple, not a slice, not a ``slice(...)`` object: a list's slice
    update would extend it)."""
    return not isinstance(idx, (gast.Tuple, gast.Slice)) and all(
        not isinstance(n, (gast.Slice, gast.Tuple, gast.List)) and not (
            isinstance(n, gast.Call) and isinstance(n.func, gast.Name)
            and n.func.id == "slice") for n in nodes(idx))


def _read_before_bound(loop, body, bound):
    """Names the loop reads that it has not bound yet when it reads them (its iterable's
    names included): their values come from outside the loop."""
    out = {n.id for n in name_nodes(loop.iter)}
    seen = set()
    for st in body:
        value = st.value
        for n in nodes(value):
            if isinstance(n, gast.Name) and n.id not in seen:
                out.add(n.id)
        t = st.targets[0] if isinstance(st, gast.Assign) else getattr(st, "target", None)
        if isinstance(t, gast.Subscript):
            for n in nodes(t.slice):
                if isinstance(n, gast.Name) and n.id not in seen:
                    out.add(n.id)
        elif isinstance(t, gast.Name):
            if isinstance(st, gast.AugAssign) and t.id not in seen:
                out.add(t.id)
            seen.add(t.id)
    return out | ({n for n in bound if n not in seen} & out)
