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


def cleanup(stmts, adjoint_names, keep=(), fold_ones=False):
    """Simplify the adjoint sweep ``stmts`` (a list, modified copy returned).

    ``fold_ones``: every value is a float, so ``1.0 * e`` may become ``e``.
    """
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
        elif fold_ones:
            folder = _FoldOnes()
            stmts = [folder.visit(x) for x in stmts]
            changed = folder.changed
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


class _FoldOnes(gast.NodeTransformer):
    changed = False

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, gast.Mult):
            for one, other in ((node.left, node.right), (node.right, node.left)):
                if isinstance(one, gast.Constant) and type(one.value) is float and \
                        one.value == 1.0:
                    self.changed = True
                    return other
        return node


def dead_forward(fwd, rest, pure):
    """Drop forward assignments nobody reads (grad-only functions need no value)."""
    while True:
        loads, _ = _counts(list(fwd) + list(rest))
        out = [s for s in fwd if not (isinstance(s, gast.Assign)
                                      and isinstance(s.targets[0], gast.Name)
                                      and loads.get(s.targets[0].id, 0) == 0
                                      and pure(s.value))]
        if len(out) == len(fwd):
            return out
        fwd = out


def _propagate(stmts, adj, loads, stores):
    """Replace `a = b` (adjoint names, each stored once) by renaming later loads of a."""
    for i, s in enumerate(stmts):
        if not (isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)
                and isinstance(s.value, (gast.Name, gast.Constant))):
            continue
        a = s.targets[0].id
        b = s.value.id if isinstance(s.value, gast.Name) else None
        if a not in adj or stores.get(a, 0) != 1 or (b is not None and (
                b not in adj or stores.get(b, 0) != 1)):
            continue
        rest = stmts[i + 1:]
        later = sum(1 for x in rest for n in gast.walk(x)
                    if isinstance(n, gast.Name) and n.id == a and isinstance(n.ctx, gast.Load))
        if later != loads.get(a, 0):
            continue
        ren = _Rename(a, s.value)
        rest = [ren.visit(x) for x in rest]
        return stmts[:i] + rest
    return None


class _Rename(gast.NodeTransformer):
    def __init__(self, old, new):
        self.old, self.new = old, new

    def visit_Name(self, node):
        if node.id == self.old and isinstance(node.ctx, gast.Load):
            return N.const(self.new.value) if isinstance(self.new, gast.Constant) \
                else N.name(self.new.id)
        return node
