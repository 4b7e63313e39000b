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
            if isinstance(n, gast.AugAssign) and isinstance(n.target, gast.Name):
                loads[n.target.id] = loads.get(n.target.id, 0) + 1  # `+=` reads it too
    return loads, stores


def cleanup(stmts, adjoint_names, keep=(), fold_ones=False, broadcasts=None, shapes=None,
            immutable=False, floats=()):
    """Simplify the adjoint sweep ``stmts`` (a list, modified copy returned).

    ``fold_ones``: every value is a float, so ``1.0 * e`` may become ``e``; with
    ``immutable`` (Python floats only) just where ``e`` is surely a float (``floats`` names
    the primal values that are; an inactive int ``k`` keeps ``1.0 * k``, ``1.0 * 2`` is ``2.0``).
    ``broadcasts``: (unreduce reference, shape_of) to keep full-reduction cotangents scalar.
    """
    if shapes is not None:
        reps = ShapeReps(*shapes)
        stmts = [reps.visit(x) for x in stmts]
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
        if new is None and broadcasts is not None:
            new = scalar_broadcasts(stmts, *broadcasts)
        if new is not None:
            stmts, changed = new, True
        elif fold_ones:
            folder = _FoldOnes()
            if immutable:  # floats only: `+=` rebinds, nothing can alias
                folder.floats = set(floats) | set(adjoint_names)
            else:
                folder.updated = {n.target.id for x in stmts for n in gast.walk(x)
                                  if isinstance(n, gast.AugAssign)
                                  and isinstance(n.target, gast.Name)}
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
    """``1.0 * e`` -> ``e``, except as the whole value of an adjoint the code later updates
    in place (``bx = 1.0 * y; bx += ...`` must not become an update of ``y``)."""

    changed = False
    updated = frozenset()  # adjoints that are updated in place somewhere
    floats = None  # when set: fold only a surely-float `e` (the gradient of a float is a float)

    def visit_Assign(self, node):
        t = node.targets[0]
        if isinstance(t, gast.Name) and t.id in self.updated and \
                isinstance(node.value, gast.BinOp):
            node.value.left = self.visit(node.value.left)
            node.value.right = self.visit(node.value.right)
            return node
        self.generic_visit(node)
        return node

    def visit_AugAssign(self, node):
        node.value = self.visit(node.value)
        return node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, gast.Mult):
            for one, other in ((node.left, node.right), (node.right, node.left)):
                if isinstance(one, gast.Constant) and type(one.value) is float and \
                        one.value == 1.0:
                    if self.floats is not None and not _surely_float(other, self.floats):
                        if not (isinstance(other, gast.Constant) and type(other.value) is int):
                            return node
                        other = N.const(float(other.value))
                    self.changed = True
                    return other
        return node


def _surely_float(e, floats):
    """Whether ``e`` is a float when the names in ``floats`` are (Python int arithmetic
    stays int: ``1.0 * k`` must not fold to ``k``)."""
    if isinstance(e, gast.Constant):
        return type(e.value) is float
    if isinstance(e, gast.Name):
        return e.id in floats
    if isinstance(e, gast.BinOp):
        return isinstance(e.op, gast.Div) or _surely_float(e.left, floats) or \
            _surely_float(e.right, floats)
    if isinstance(e, gast.UnaryOp):
        return _surely_float(e.operand, floats)
    if isinstance(e, gast.IfExp):
        return _surely_float(e.body, floats) and _surely_float(e.orelse, floats)
    if isinstance(e, gast.Call):  # max/min give one of their arguments back
        pick = isinstance(e.func, gast.Name) and e.func.id in ("max", "min")
        return (all if pick else any)(_surely_float(a, floats) for a in e.args) and \
            bool(e.args)
    return False


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


class ShapeReps(gast.NodeTransformer):
    """Arguments used only for their shape read the earliest name of the same shape.

    ``unbroadcast(g, _t4)`` with ``_t4 = np.log1p(_t3)``, ``_t3 = np.exp(-m)``: all have
    m's shape, so ``unbroadcast(g, m)``: ``_t4`` need not be kept (nor computed, when
    nothing else reads it).  ``shape_args`` maps a function reference (dumped) to the
    positions of its shape-only arguments.
    """

    def __init__(self, shape_args, rep_of):
        self.shape_args = shape_args
        self.rep_of = rep_of
        self.changed = False

    def visit_Call(self, node):
        self.generic_visit(node)
        pos = self.shape_args.get(gast.dump(node.func))
        if pos:
            for k in pos:
                if k < len(node.args) and isinstance(node.args[k], gast.Name):
                    rep = self.rep_of(node.args[k].id)
                    if rep and rep != node.args[k].id:
                        node.args[k] = N.name(rep)
                        self.changed = True
        return node


def scalar_broadcasts(stmts, unreduce_ref, shape_of):
    """``b = unreduce(s, a)`` of a full reduction feeds elementwise products: use ``s``.

    Before::

        b_t5 = unreduce(b_t6, _t5, None, False)
        b_t1 = b_t5 * _t4

    After (``_t4`` has the shape of ``_t5``, so broadcasting the scalar does the same)::

        b_t1 = b_t6 * _t4
    """
    ref = gast.dump(unreduce_ref)
    loads, stores = _counts(stmts)
    for i, st in enumerate(stmts):
        if not (isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Name)):
            continue
        b = st.targets[0].id
        scalar, like = _full_unreduce(st.value, ref)
        if scalar is None or stores.get(b, 0) != 1:
            continue
        cls = shape_of(like)
        if cls == "?":
            continue
        rest = stmts[i + 1:]
        uses = [n for x in rest for n in gast.walk(x)
                if isinstance(n, gast.Name) and n.id == b and isinstance(n.ctx, gast.Load)]
        if len(uses) != loads.get(b, 0) or not uses:
            continue
        sub = _ScalarUse(b, scalar, cls, shape_of)
        new_rest = [sub.visit(x) for x in rest]
        if sub.replaced == len(uses):
            return stmts[:i] + new_rest
    return None


def _full_unreduce(v, ref):
    """(scalar expression, like name) for unreduce(s, like, None, False) [/ n]."""
    div = None
    if isinstance(v, gast.BinOp) and isinstance(v.op, gast.Div):
        v, div = v.left, v.right
    if isinstance(v, gast.Call) and gast.dump(v.func) == ref and len(v.args) >= 2 and \
            isinstance(v.args[1], gast.Name) and all(
                isinstance(a, gast.Constant) and a.value in (None, False) for a in v.args[2:]):
        s = v.args[0]
        if div is not None:
            s = gast.BinOp(left=s, op=gast.Div(), right=div)
        return s, v.args[1].id
    return None, None


class _ScalarUse(gast.NodeTransformer):
    def __init__(self, name, scalar, cls, shape_of):
        self.name, self.scalar, self.cls, self.shape_of = name, scalar, cls, shape_of
        self.replaced = 0

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, gast.Mult):
            pairs = ((node.left, node.right, "left"), (node.right, node.left, "right"))
        elif isinstance(node.op, gast.Div):
            pairs = ((node.left, node.right, "left"),)
        else:
            return node
        for mine, other, side in pairs:
            if isinstance(mine, gast.Name) and mine.id == self.name and \
                    _expr_class(other, self.shape_of) == self.cls:
                setattr(node, side, gast.BinOp(left=self.scalar, op=gast.Mult(),
                                               right=N.const(1.0)) if False else self.scalar)
                self.replaced += 1
                break
        return node


def _expr_class(e, shape_of):
    if isinstance(e, gast.Name):
        return shape_of(e.id)
    if isinstance(e, gast.Constant):
        return "scalar"
    if isinstance(e, gast.BinOp):
        a, b = _expr_class(e.left, shape_of), _expr_class(e.right, shape_of)
        if a == "scalar":
            return b
        if b == "scalar":
            return a
        return a if a == b else "?"
    if isinstance(e, gast.UnaryOp):
        return _expr_class(e.operand, shape_of)
    return "?"
