"""Copy propagation of adjoint aliases: ``b_t1 = by`` followed by uses of ``b_t1`` (and
no other write of either) -> uses of ``by``.

Before::

    b_t2 = bp
    b_t1 = b_t2 * 0.9

After::

    b_t1 = bp * 0.9
"""

from __future__ import annotations

import gast

from ...ir.walk import nodes
from .common import Rename, counts


def copy_propagation(stmts, opts):
    loads, stores = counts(stmts)
    return _propagate(stmts, opts.names, loads, stores)


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
        later = sum(1 for x in rest for n in nodes(x)
                    if isinstance(n, gast.Name) and n.id == a and isinstance(n.ctx, gast.Load))
        if later != loads.get(a, 0):
            continue
        ren = Rename(a, s.value)
        rest = [ren.visit(x) for x in rest]
        return stmts[:i] + rest
    return None
