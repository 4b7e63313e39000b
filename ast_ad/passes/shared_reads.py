"""Shared element reads: a second read of the same element of an array, in the same block
with nothing between the two reads that could change the element, reuses the first
read's temporary (issue 13: ``x[i] * x[i]`` is one read, one push at most and one
``bx[i] += g``, not two of each).

A read ``_tB = base[idx]`` is replaced by the earlier ``_tA = base[idx]`` when

- ``base[idx]`` reads one number of a NumPy array the call's specs know
  (``Elements.scalar``: an immutable value, so sharing it is invisible);
- both temporaries are bound exactly once in the function (ANF temporaries);
- every statement between them binds a plain name other than ``base``, the index names
  and ``_tA``, and its value is pure: a constant, a name, another such element read, or
  arithmetic/comparison of names and constants whose specs are known (numbers and NumPy
  arrays, never user objects whose operators could run arbitrary code).

Anything else between them (a call, an entry write, a loop, an ``if``) ends the block's
run of shared reads.

Before::

    _t3 = x[i]
    _t4 = x[i]
    _t5 = _t3 * _t4

After::

    _t3 = x[i]
    _t5 = _t3 * _t3
"""

from __future__ import annotations

import gast

from ..ir.walk import blocks_of, name_nodes, nodes
from .analysis.elements import Elements
from .optimize.common import counts

_PURE_OPS = (gast.BinOp, gast.UnaryOp, gast.Compare)


def share_element_reads(tree, params, arrays, arg_kinds, resolver, callee=None):
    """Rewrite ``tree`` (normalized, A-normal form) in place (``callee``: the spec rule of
    user functions' calls, as ``Elements.of`` takes it).  Returns the ``Elements`` of the
    tree when it read them and changed nothing (the analysis reuses them), else None."""
    if not arrays:
        return None
    el = Elements.of(tree.body, params, arrays, arg_kinds, resolver, callee)
    if not any(nd >= 1 for nd, _ in el.arrays.values()):
        return el
    once = {n for n, c in counts(tree.body)[1].items() if c == 1}  # bound exactly once
    renames = {}

    def known(e):
        if isinstance(e, gast.Constant):
            return type(e.value) in (int, float)
        return isinstance(e, gast.Name) and (e.id in el.ints or (
            e.id in el.arrays and el.arrays[e.id][1].kind in "biufc"))

    def pure(v):
        if known(v) or (isinstance(v, gast.Subscript) and el.scalar(v)):
            return True
        if isinstance(v, _PURE_OPS):
            return all(known(o) for o in (
                [v.left, v.right] if isinstance(v, gast.BinOp) else
                [v.operand] if isinstance(v, gast.UnaryOp) else [v.left, *v.comparators]))
        return False

    def block(stmts):
        seen = {}  # (base, index text) -> (first temporary, names it depends on)
        for s in stmts:
            for _, inner in blocks_of(s):
                block(inner)
            t = s.targets[0] if isinstance(s, gast.Assign) and len(s.targets) == 1 else None
            if not isinstance(t, gast.Name) or not pure(s.value):
                seen.clear()
                continue
            v = s.value
            if isinstance(v, gast.Subscript) and el.scalar(v) and t.id in once:
                key = (v.value.id, gast.unparse(v.slice))
                hit = seen.get(key)
                if hit is not None:
                    renames[t.id] = hit[0]
                    s.targets = []  # dropped below
                    continue
            for k in [k for k, (first, deps) in seen.items() if t.id in deps or t.id == first]:
                del seen[k]
            if isinstance(v, gast.Subscript) and el.scalar(v) and t.id in once:
                deps = {n.id for n in name_nodes(v)}
                seen[(v.value.id, gast.unparse(v.slice))] = (t.id, deps)
        stmts[:] = [s for s in stmts if not (isinstance(s, gast.Assign) and not s.targets)]

    block(tree.body)
    if not renames:
        return el  # (a statement is dropped only with a rename)

    for n in nodes(tree.body):
        if isinstance(n, gast.Name) and n.id in renames and isinstance(n.ctx, gast.Load):
            n.id = renames[n.id]
