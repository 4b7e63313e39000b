"""First updates of a fresh zero buffer's entries are stores (issue 13): after
``b = np.zeros(...)`` (or ``np.zeros_like``), an update ``b[k] += g`` of an entry no
earlier statement touched, ``k`` a non-negative int constant (or a tuple of them), is
``b[k] = g``: the entry is 0, and ``0 + g`` stored in ``b``'s dtype is ``g`` stored in it
(the generator adds into a real buffer without ``np.real`` only where every active value
is real).  A NumPy entry update reads the entry, adds and writes; a store only writes.
The scan stops at the first statement that uses ``b`` otherwise, or indexes it with
another number of indices (``b[0]`` and ``b[0, 1]`` overlap).

Before::

    by = np.zeros(y.shape, y.dtype)
    ...
    by[0] += b_t3
    btheta[0] += b_t2
    by[1] += b_t1
    by[0] += b_t5

After::

    by = np.zeros(y.shape, y.dtype)
    ...
    by[0] = b_t3
    btheta[0] += b_t2
    by[1] = b_t1
    by[0] += b_t5

Executed:

>>> import numpy as np, ast_ad
>>> def f(y):
...     return y[0] * y[1] + y[1]
>>> g = ast_ad.grad(f)
>>> src = ast_ad.source(g, np.array([2.0, 3.0]))
>>> "bx[0] +=" in src or "by[0] +=" in src, "by[1] = " in src
(False, True)
>>> g(np.array([2.0, 3.0]))
array([3., 3.])
"""

from __future__ import annotations

from dataclasses import replace

import gast
import numpy as np

from ...ir import nodes as N
from ...ir.walk import blocks_of, nodes


def rewrite(sw, unit):
    """``sw`` with first entry updates of fresh zero buffers as stores."""
    fresh = {N.key(unit.ref(np.zeros, "zeros")), N.key(unit.ref(np.zeros_like, "zeros_like"))}
    changed = [False]

    def block(stmts):
        for st in stmts:
            for _, inner in blocks_of(st):
                block(inner)
        for i, st in enumerate(stmts):
            b = _allocation(st, fresh)
            if b is not None:
                _scan(stmts, i + 1, b, changed)
        return stmts

    tail = block(list(sw.tail))
    return replace(sw, tail=tail) if changed[0] else sw


def _allocation(st, fresh):
    if isinstance(st, gast.Assign) and len(st.targets) == 1 and \
            isinstance(st.targets[0], gast.Name) and isinstance(st.value, gast.Call) and \
            N.key(st.value.func) in fresh:
        return st.targets[0].id
    return None


def _entry(idx):
    """A hashable key of a non-negative int constant index (or a tuple of them)."""
    parts = idx.elts if isinstance(idx, gast.Tuple) else [idx]
    if all(isinstance(p, gast.Constant) and type(p.value) is int and p.value >= 0
           for p in parts):
        return tuple(p.value for p in parts)
    return None


def _scan(stmts, start, b, changed):
    touched, width = set(), None  # (b[0] and b[0, 1] overlap: one index length only)
    for k in range(start, len(stmts)):
        st = stmts[k]
        if isinstance(st, gast.AugAssign) and isinstance(st.op, gast.Add) and \
                isinstance(st.target, gast.Subscript) and \
                isinstance(st.target.value, gast.Name) and st.target.value.id == b:
            key = _entry(st.target.slice)
            if key is None or (width is not None and len(key) != width) or any(
                    isinstance(n, gast.Name) and n.id == b for n in nodes(st.value)):
                return
            width = len(key)
            if key not in touched:
                touched.add(key)
                target = N.clone(st.target)
                target.ctx = gast.Store()
                stmts[k] = N.copy_loc(gast.Assign(targets=[target], value=st.value,
                                                  type_comment=None), st)
                changed[0] = True
            continue
        if any(isinstance(n, gast.Name) and n.id == b for n in nodes(st)):
            return
