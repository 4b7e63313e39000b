"""Fold ``1.0 * e`` to ``e`` where every value is a float (the seed of a scalar output).

Before: ``bx = 1.0 * y`` -> After: ``bx = y`` (unless ``bx`` is later updated in place,
which would then update ``y``, or ``y`` is an array the adjoint restores in place, which
would then change ``bx``).
"""

from __future__ import annotations

import gast


def fold_ones(stmts, opts):
    if not opts.fold_ones:
        return None
    folder = _FoldOnes()
    folder.in_place = opts.in_place
    if not opts.immutable:  # floats only: `+=` rebinds, nothing can alias
        folder.updated = {n.target.id for x in stmts for n in gast.walk(x)
                          if isinstance(n, gast.AugAssign) and isinstance(n.target, gast.Name)}
    out = [folder.visit(x) for x in stmts]
    return out if folder.changed else None


class _FoldOnes(gast.NodeTransformer):
    """``1.0 * e`` -> ``e``, except as the whole value of an adjoint the code later updates
    in place (``bx = 1.0 * y; bx += ...`` must not become an update of ``y``)."""

    changed = False
    updated = frozenset()  # adjoints that are updated in place somewhere
    in_place = frozenset()  # primal arrays the adjoint writes into (restoring old values)

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
                    self.changed = True
                    return other
        return node
