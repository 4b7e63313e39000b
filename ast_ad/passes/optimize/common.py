"""What the optimizations share: name counts and renaming."""

from __future__ import annotations

import gast

from ...ir import nodes as N
from ...ir.walk import nodes


def counts(stmts):
    loads, stores = {}, {}
    Name, Load, AugAssign = gast.Name, gast.Load, gast.AugAssign
    for n in nodes(stmts):
        t = type(n)
        if t is Name:
            d = loads if type(n.ctx) is Load else stores
            d[n.id] = d.get(n.id, 0) + 1
        elif t is AugAssign and type(n.target) is Name:
            loads[n.target.id] = loads.get(n.target.id, 0) + 1  # `+=` reads it too
    return loads, stores


class Rename(gast.NodeTransformer):
    """Loads of ``old`` become ``new`` (a Name or a Constant)."""

    def __init__(self, old, new):
        self.old, self.new = old, new

    def visit_Name(self, node):
        if node.id == self.old and isinstance(node.ctx, gast.Load):
            return N.const(self.new.value) if isinstance(self.new, gast.Constant) \
                else N.name(self.new.id)
        return node
