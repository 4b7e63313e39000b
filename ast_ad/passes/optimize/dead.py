"""Dead code: adjoint (or tangent) stores never read, loops left empty, and forward
assignments nobody reads.

Before::

    b_t2 = by * 2.0
    bx = by
    return bx

After::

    bx = by
    return bx
"""

from __future__ import annotations

import gast

from ...ir.walk import blocks_of, nodes_of
from .common import counts


def dead_stores(stmts, opts):
    """An adjoint assigned and never read is dropped (and loops whose body is ``pass``)."""
    loads, _ = counts(stmts)
    new = _drop_dead(stmts, opts.names, loads, opts.keep)
    return None if new is stmts else new


def _drop_dead(stmts, adj, loads, keep):
    out, changed = [], False
    for s in stmts:
        if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name):
            t = s.targets[0].id
            if t in adj and t not in keep and loads.get(t, 0) == 0 and _pure(s.value):
                changed = True
                continue
        for field, block in blocks_of(s):
            new = _drop_dead(block, adj, loads, keep)
            if new is not block:
                changed = True
                setattr(s, field, new or ([gast.Pass()] if field == "body" else []))
        if isinstance(s, gast.For) and all(isinstance(x, gast.Pass) for x in s.body):
            changed = True
            continue
        out.append(s)
    return out if changed else stmts


def _pure(v):
    for n in nodes_of(v, gast.Call):
        f = n.func
        name = f.id if isinstance(f, gast.Name) else getattr(f, "attr", "")
        if name in ("bwd", "pop_grad", "append", "pop") or "pop" in name:
            return False
    return True


def dead_forward(fwd, rest, pure):
    """Drop forward assignments nobody reads (grad-only functions need no value)."""
    while True:
        loads, _ = counts(list(fwd) + list(rest))
        out = [s for s in fwd if not (isinstance(s, gast.Assign)
                                      and isinstance(s.targets[0], gast.Name)
                                      and loads.get(s.targets[0].id, 0) == 0
                                      and pure(s.value))]
        if len(out) == len(fwd):
            return out
        fwd = out
