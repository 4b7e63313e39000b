"""Fold ``1.0 * e`` to ``e`` where every value is a float (the seed of a scalar output).

Before: ``bx = 1.0 * y`` -> After: ``bx = y`` (unless ``bx`` is later updated in place,
which would then update ``y``, or ``y`` is an array the adjoint restores in place, which
would then change ``bx``).
"""

from __future__ import annotations

import gast

from ...ir import nodes as N
from ...ir.walk import Transformer, nodes_of


def fold_ones(stmts, opts):
    if not opts.fold_ones:
        return None
    ones = [any(_has_one(b) for b in nodes_of(x, gast.BinOp)) for x in stmts]
    if not any(ones):  # (no `1.0 *` anywhere: nothing to visit)
        return None
    folder = _FoldOnes()
    folder.in_place = opts.in_place
    if opts.immutable:  # Python floats only: fold just where `e` is surely a float too
        folder.floats = set(opts.floats) | set(opts.names)
    else:  # `+=` on arrays, `bx[i] += g`, `bx[i] = 0.0`: never fold into an adjoint
        # updated in place
        folder.updated = {t for n in nodes_of(stmts, (gast.AugAssign, gast.Assign))
                          for t in _updated(n)}
    out = [folder.visit(x) if k else x for x, k in zip(stmts, ones)]
    return out if folder.changed else None


def _has_one(b):
    """``b`` is a product with a float constant 1.0 as an operand."""
    return isinstance(b.op, gast.Mult) and any(
        isinstance(o, gast.Constant) and type(o.value) is float and o.value == 1.0
        for o in (b.left, b.right))


def _updated(n):
    """The names ``n`` updates in place: ``b += v``, ``b[i] += v``, ``b[i] = v``."""
    if isinstance(n, gast.AugAssign):
        t = n.target
    elif isinstance(n, gast.Assign) and len(n.targets) == 1:
        t = n.targets[0]
        if not isinstance(t, gast.Subscript):
            return ()
    else:
        return ()
    while isinstance(t, gast.Subscript):
        t = t.value
    return (t.id,) if isinstance(t, gast.Name) else ()


class _FoldOnes(Transformer):
    """``1.0 * e`` -> ``e``, except as the whole value of an adjoint the code later updates
    in place (``bx = 1.0 * y; bx += ...`` must not become an update of ``y``)."""

    changed = False
    updated = frozenset()  # adjoints that are updated in place somewhere
    in_place = frozenset()  # primal arrays the adjoint writes into (restoring old values)
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
                        one.value == 1.0 and not (isinstance(other, gast.Name) and
                                                  other.id in self.in_place):
                    # (`by = 1.0 * x` stays: a bare `x` would change when x is restored)
                    if self.floats is not None and not _surely_float(other, self.floats):
                        if not (isinstance(other, gast.Constant) and type(other.value) is int):
                            return node  # `1.0 * k` of an int k stays a float
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
