"""Cleanup: simplify generated statements, to a fixed point on the tree.

- copy propagation of adjoint aliases: ``b_t1 = by`` followed by uses of ``b_t1`` (and no
  other write of either) -> uses of ``by``;
- dead adjoint stores: an adjoint assigned and never read is dropped;
- loops whose body became ``pass`` are dropped.

Before::

    b_t2 = bp
    b_t3 = bp
    b_t1 = b_t2 * 0.9

After::

    b_t3 = bp
    b_t1 = bp * 0.9
"""

from __future__ import annotations

import gast

from . import nodes as N


def _counts(stmts):
    loads, stores = {}, {}
    for s in stmts:
        for n in gast.walk(s):
            if isinstance(n, gast.Name):
                d = loads if isinstance(n.ctx, gast.Load) else stores
                d[n.id] = d.get(n.id, 0) + 1
    return loads, stores


def cleanup(stmts, adjoint_names, keep=()):
    """Simplify the adjoint sweep ``stmts`` (a list, modified copy returned)."""
    for _ in range(20):
        changed = False
        loads, stores = _counts(stmts)
        # dead stores of adjoints
        new = _drop_dead(stmts, adjoint_names, loads, set(keep))
        if new is not stmts:
            stmts, changed = new, True
            continue
        # copy propagation of `ba = bb` at top level of a straight-line block
        new = _propagate(stmts, adjoint_names, loads, stores)
        if new is not None:
            stmts, changed = new, True
        if not changed:
            break
    return stmts


def _drop_dead(stmts, adj, loads, keep):
    out, changed = [], False
    for s in stmts:
        if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name):
            t = s.targets[0].id
            if t in adj and t not in keep and loads.get(t, 0) == 0 and _pure(s.value):
                changed = True
                continue
        if isinstance(s, gast.If):
            b = _drop_dead(s.body, adj, loads, keep)
            o = _drop_dead(s.orelse, adj, loads, keep)
            if b is not s.body or o is not s.orelse:
                s.body, s.orelse, changed = b or [gast.Pass()], o, True
        if isinstance(s, gast.For):
            b = _drop_dead(s.body, adj, loads, keep)
            if b is not s.body:
                s.body, changed = b or [gast.Pass()], True
            if all(isinstance(x, gast.Pass) for x in s.body):
                changed = True
                continue
        out.append(s)
    return out if changed else stmts


def _pure(v):
    for n in gast.walk(v):
        if isinstance(n, gast.Call):
            f = n.func
            name = f.id if isinstance(f, gast.Name) else getattr(f, "attr", "")
            if name in ("bwd", "pop_grad", "append", "pop") or "pop" in name:
                return False
    return True


def _propagate(stmts, adj, loads, stores):
    """Replace `a = b` (adjoint names, each stored once) by renaming later loads of a."""
    for i, s in enumerate(stmts):
        if not (isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)
                and isinstance(s.value, gast.Name)):
            continue
        a, b = s.targets[0].id, s.value.id
        if a not in adj or stores.get(a, 0) != 1 or stores.get(b, 0) != 1:
            continue
        rest = stmts[i + 1:]
        later = sum(1 for x in rest for n in gast.walk(x)
                    if isinstance(n, gast.Name) and n.id == a and isinstance(n.ctx, gast.Load))
        if later != loads.get(a, 0):
            continue
        ren = _Rename(a, b)
        rest = [ren.visit(x) for x in rest]
        return stmts[:i] + rest
    return None


class _Rename(gast.NodeTransformer):
    def __init__(self, old, new):
        self.old, self.new = old, new

    def visit_Name(self, node):
        if node.id == self.old and isinstance(node.ctx, gast.Load):
            return N.name(self.new)
        return node
