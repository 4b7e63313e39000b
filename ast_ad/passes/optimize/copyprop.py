"""Copy propagation of adjoint aliases: ``b_t1 = by`` followed by uses of ``b_t1`` (and
no other write of either) -> uses of ``by``.

Before::

    b_t2 = bp
    b_t1 = b_t2 * 0.9

After::

    b_t1 = bp * 0.9

Inside a block (a reversed loop's body) the source may be written elsewhere: the alias
``b_t1`` (written once) goes when its every read follows it in the same block and
``by`` is not rebound before the last one, or only by the statement holding it (its
value is read before the store: ``by = 0.001 * by * cos(y) + c * b_t1``).  An in-place
update of ``by`` changes the object both names hold, so it is no obstacle.

>>> code = gast.parse("for t in r:\\n    b_t1 = by\\n    bc += b_t1 * y\\n"
...                   "    by = by * 0.5 + c * b_t1").body
>>> out = copy_propagation(code, type("O", (), {"names": {"b_t1", "by", "bc"}})())
>>> print(gast.unparse(gast.Module(body=out, type_ignores=[])).strip())
for t in r:
    bc += by * y
    by = by * 0.5 + c * by
"""

from __future__ import annotations

import gast

from ...ir.walk import blocks_of, name_nodes, nodes
from .common import Rename, check_counts, counts, remember


def copy_propagation(stmts, opts):
    """To the fixed point in one call: each step keeps the counts by what it changed
    (``_renamed``), so no step recounts the function."""
    loads, stores = counts(stmts)
    out = None
    while True:
        new = _propagate(stmts, opts.names, loads, stores)
        if new is None:
            new = _in_blocks(stmts, opts.names, loads, stores)
        if new is None:
            return remember(out, loads, stores)
        stmts = out = new
        check_counts(out, loads, stores)


copy_propagation.fixed_point = True  # (the driver need not call it again on its result)


def _renamed(a, b, loads, stores):
    """The counts once the copy ``a = b`` (``b`` a name, or None for a constant) is gone
    and every read of ``a`` reads ``b``."""
    stores[a] = 0
    if b is not None:
        loads[b] = loads.get(b, 0) - 1 + loads.get(a, 0)
    loads[a] = 0


def _in_blocks(stmts, adj, loads, stores):
    """The block-local form (module docstring) in ``stmts`` or any block inside them."""
    for i, s in enumerate(stmts):
        new = _local(stmts, i, adj, loads, stores)
        if new is not None:
            return new
        for field, block in blocks_of(s):
            inner = _in_blocks(block, adj, loads, stores)
            if inner is not None:
                setattr(s, field, inner)
                return list(stmts)
    return None


def _local(stmts, i, adj, loads, stores):
    s = stmts[i]
    if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and
            isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Name)):
        return None
    a, b = s.targets[0].id, s.value.id
    if a == b or a not in adj or b not in adj or stores.get(a, 0) != 1 or not loads.get(a):
        return None
    seen, last = 0, None
    for j in range(i + 1, len(stmts)):
        k = sum(1 for n in name_nodes(stmts[j]) if n.id == a)
        if k:
            seen, last = seen + k, j
        if seen == loads[a]:
            break
    if seen != loads[a]:
        return None  # (a read elsewhere: another block, or before the copy)
    for x in stmts[i + 1:last]:
        if any(n.id == b and not isinstance(n.ctx, gast.Load) for n in name_nodes(x)):
            return None  # b rebound while the alias is read
    end = stmts[last]
    if any(n.id == b and not isinstance(n.ctx, gast.Load) for n in name_nodes(end)) and not (
            isinstance(end, (gast.Assign, gast.AugAssign)) and not blocks_of(end) and
            _only_target(end, b) and not _reads_in_target(end, a)):
        return None
    ren = Rename(a, s.value)
    _renamed(a, b, loads, stores)
    return stmts[:i] + [ren.visit(x) for x in stmts[i + 1:last + 1]] + stmts[last + 1:]


def _only_target(st, b):
    """``st`` stores ``b`` only as its whole target (``b = e``, ``b += e``)."""
    t = st.targets[0] if isinstance(st, gast.Assign) else st.target
    if not (isinstance(t, gast.Name) and t.id == b) or (
            isinstance(st, gast.Assign) and len(st.targets) != 1):
        return False
    return not any(isinstance(n, gast.Name) and n.id == b and not isinstance(n.ctx, gast.Load)
                   for n in nodes(st.value))


def _reads_in_target(st, a):
    t = st.targets[0] if isinstance(st, gast.Assign) else st.target
    return any(isinstance(n, gast.Name) and n.id == a for n in nodes(t))


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
        reads = [sum(1 for n in name_nodes(x) if n.id == a and isinstance(n.ctx, gast.Load))
                 for x in rest]
        if sum(reads) != loads.get(a, 0):
            continue
        ren = Rename(a, s.value)
        _renamed(a, b, loads, stores)  # (a statement without a read of `a` stays as it is)
        return stmts[:i] + [ren.visit(x) if k else x for x, k in zip(rest, reads)]
    return None
