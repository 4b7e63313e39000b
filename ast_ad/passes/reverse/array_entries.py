"""The cotangents of ``np.array([a, b, ...])``'s entries in one call (issue 13: small
arrays built from lists cost what their numbers cost).  The adjoint of
``v = np.array(L)`` splits ``v``'s cotangent like the list (``array_parts``), and that of
the list display ``L = [a, b]`` takes its entries (``part``): three calls where one
does.  When the split list is read only by entry reads that follow it directly, and
``L`` is a list display bound once in the forward sweep, they become one unpacking of
``array_entries(g, L)`` (for a float64 vector of numbers: its ``tolist()``; otherwise
exactly what the three calls give).  Where every entry of ``L`` is surely a number
(a name the analysis knows holds a float, a numeric constant, or ``+ - * /`` of those),
the call is ``number_entries(g, L)``, which does not look at the entries.

Before::

    b_t14 = array_parts(b_t15, _t14)
    b_t1 = part(b_t14, 0)
    b_t13 = part(b_t14, 1)

After (``_t14 = [_t1, _t7 * _t1 - _t10 * _t3]``, entries the analysis knows are floats)::

    b_t1, b_t13 = number_entries(b_t15, _t14)

Executed:

>>> import numpy as np, ast_ad
>>> def f(x):
...     v = np.array([x[0] * x[1], x[1]])
...     return np.sum(v * v)
>>> g = ast_ad.grad(f)
>>> src = ast_ad.source(g, np.array([0.5, 2.0]))
>>> "number_entries(" in src, "array_parts(" in src
(True, False)
>>> g(np.array([0.5, 2.0]))
array([4., 5.])
"""

from __future__ import annotations

from dataclasses import replace

import gast

from ... import runtime as R
from ...ir import nodes as N
from ...ir.walk import blocks_of, name_nodes, nodes_of

_ARITH = (gast.Add, gast.Sub, gast.Mult, gast.Div)  # (no Pow: (-8.0) ** 0.5 is complex)


def _number(e, floats) -> bool:
    """``e`` surely evaluates to a float, an ``np.float64`` or an int."""
    if isinstance(e, gast.Constant):
        return type(e.value) in (int, float)
    if isinstance(e, gast.Name):
        return e.id in floats
    if isinstance(e, gast.BinOp):
        return isinstance(e.op, _ARITH) and _number(e.left, floats) and \
            _number(e.right, floats)
    if isinstance(e, gast.UnaryOp):
        return isinstance(e.op, (gast.USub, gast.UAdd)) and _number(e.operand, floats)
    return False


def rewrite(sw, unit, floats=frozenset()):
    """``sw`` (optimized ``Sweeps``) with split-then-read list cotangents fused;
    ``floats``: names surely holding a float (``Facts.pyfloat``)."""
    parts_key = N.key(unit.ref(R.array_parts))
    part_key = N.key(unit.ref(R.part))
    forward = list(sw.head) + list(sw.fwd)  # (a split's record unpacks it in bwd_head)
    loads, stores, displays, numbers = {}, {}, {}, set()
    for n in name_nodes(list(sw.fwd)):  # (the head's pre-initialisations `L = None` aside)
        if not isinstance(n.ctx, gast.Load):
            stores[n.id] = stores.get(n.id, 0) + 1
    for st in nodes_of(forward, gast.Assign):
        if len(st.targets) == 1 and \
                isinstance(st.targets[0], gast.Name) and isinstance(st.value, gast.List) and \
                not any(isinstance(e, gast.Starred) for e in st.value.elts):
            displays[st.targets[0].id] = len(st.value.elts)
            if all(_number(e, floats) for e in st.value.elts):
                numbers.add(st.targets[0].id)
    displays = {k: n for k, n in displays.items() if stores.get(k) == 1}
    if not displays:  # (no list display to split: nothing to fuse)
        return sw
    for n in name_nodes(forward + list(sw.tail) + list(sw.bwd_head or [])):
        if isinstance(n.ctx, gast.Load):
            loads[n.id] = loads.get(n.id, 0) + 1
    changed = [False]

    def split(st):
        """``(B, G, L)`` of ``B = array_parts(G, L)``, else None."""
        v = getattr(st, "value", None)
        if isinstance(st, gast.Assign) and len(st.targets) == 1 and \
                isinstance(st.targets[0], gast.Name) and isinstance(v, gast.Call) and \
                N.key(v.func) == parts_key and len(v.args) == 2 and not v.keywords and \
                isinstance(v.args[1], gast.Name) and v.args[1].id in displays and \
                N.is_atom(v.args[0]):
            return st.targets[0].id, v.args[0], v.args[1].id
        return None

    def entry(st, b):
        """``(x, k)`` of ``x = part(b, k)`` (k an int constant), else None."""
        v = getattr(st, "value", None)
        if isinstance(st, gast.Assign) and len(st.targets) == 1 and \
                isinstance(st.targets[0], gast.Name) and isinstance(v, gast.Call) and \
                N.key(v.func) == part_key and len(v.args) == 2 and \
                isinstance(v.args[0], gast.Name) and v.args[0].id == b and \
                isinstance(v.args[1], gast.Constant) and type(v.args[1].value) is int:
            return st.targets[0].id, v.args[1].value
        return None

    def block(stmts):
        out, i = [], 0
        while i < len(stmts):
            st = stmts[i]
            for _, inner in blocks_of(st):
                inner[:] = block(list(inner))
            sp = split(st)
            if sp is not None:
                b, g, lst = sp
                k, reads, j = displays[lst], {}, i + 1
                while j < len(stmts) and entry(stmts[j], b) is not None:
                    x, c = entry(stmts[j], b)
                    if x in reads.values() or x in (b, lst, getattr(g, "id", None)):
                        break
                    reads[c] = x
                    j += 1
                if reads and len(reads) == j - i - 1 == loads.get(b, 0) and \
                        all(0 <= c < k for c in reads):
                    targets = [N.store(reads[c]) if c in reads else
                               N.store(unit.namer.fresh("_unused")) for c in range(k)]
                    out.append(N.copy_loc(gast.Assign(
                        targets=[gast.Tuple(elts=targets, ctx=gast.Store())],
                        value=N.call(unit.ref(R.number_entries if lst in numbers
                                              else R.array_entries), [g, N.name(lst)]),
                        type_comment=None), st))
                    changed[0] = True
                    i = j
                    continue
            out.append(st)
            i += 1
        return out

    tail = block(list(sw.tail))
    return replace(sw, tail=tail) if changed[0] else sw
