"""Adjoints of element reads and writes into adjoint buffers the generated code owns.

For a name the analysis knows to hold a float NumPy array of ndim >= 1
(``analysis.elements``), whose adjoint ``bu`` is a buffer this code allocated (``owned``,
never the ``0.0`` filler), element reads and writes update ``bu`` in place:

- ``v = u[idx]`` (a basic index) -> ``bu[idx] += bv``;
- ``u[i, j] = v`` (one element) -> ``bv = bu[i, j]; bu[i, j] = 0.0``;
- a loop that reads elements of ``u`` (not rebound in it) when ``bu`` holds nothing yet
  gets ``bu = zeros_grad(u)`` before its reversed loop, once, instead of the ``0.0``
  filler, so that every iteration takes the in-place path;
- a loop that reads elements of ``u`` while ``bu`` holds a value this code does not own
  (a callee's adjoint ``_gh[k]``, ``add_grads`` of one, another name's) gets
  ``bu = own_grad(bu, u)`` before its reversed loop: one fresh buffer, then in place;
- a ``plain_lists`` list ``Ls`` (bound once to a display, used only as ``Ls[k]``,
  ``len(Ls)`` and ``Ls.append``) read by an int index: ``bLs`` is one list of entry
  adjoints (``zeros_grad``/``own_grad`` before the loop), ``bLs[k] = add_grads(bLs[k], g)``
  (``bLs[k] = g if bLs[k] is None else bLs[k] + g`` where the entry's spec is known:
  ``analysis.entries``).

Otherwise the generic helpers (``accum_index``, ``take_grad``/``clear_grad``) run.

Before (``new`` a local copy of a float64 vector ``u``)::

    for i in _r2:
        _t4 = u[i]
        new[i] = _t4

After (adjoint sweep)::

    bu = zeros_grad(u)
    for i in _r2[::-1]:
        b_t4 = bnew[i]
        bnew[i] = 0.0
        bu[i] += b_t4
"""

from __future__ import annotations

import gast
import numpy as np

from ... import runtime as R
from ...ir import anno
from ...ir import nodes as N
from ...ir.lattice import Kind, Shape
from ...ir.walk import statements
from ...rules import helpers as H
from ..analysis.elements import _int_atom
from ..analysis.entries import plain_lists  # noqa: F401  (E.plain_lists)
from ..analysis.shapes import subscript_class


def _tracked(facts, name):
    spec = facts.elements.arrays.get(name)
    return spec is not None and spec[0] >= 1 and spec[1].kind in "fc"


def buffer_ready(rev, name, state) -> bool:
    """``name``'s adjoint is a live buffer this code owns (element updates go in place)."""
    if not rev.in_place or name not in state.live or name not in state.owned:
        return False
    if name in rev.buffers:
        return True
    return (_tracked(rev.facts, name) or name in rev.lists) and name not in state.zero


def read(rev, s, value, g, state, out) -> bool:
    """``x = base[idx]`` with ``bbase[idx] += g`` when the buffer is ready (else False)."""
    base = value.value.id
    if base in rev.lists and buffer_ready(rev, base, state) and \
            _int_index(rev.facts, value):  # bLs[k] = add_grads(bLs[k], g): one entry
        entry = gast.Subscript(value=N.name(rev.b(base)), slice=N.clone(value.slice),
                               ctx=gast.Load())
        t = s.targets[0] if isinstance(s, gast.Assign) else None
        if isinstance(t, gast.Name) and t.id in rev.facts.elements.arrays:
            # an entry of known spec (a number or an array): its adjoint is None (none
            # yet), the 0.0 filler or a value of its shape: g, or the sum
            add = gast.IfExp(test=gast.Compare(left=entry, ops=[gast.Is()],
                                               comparators=[N.const(None)]),
                             body=g, orelse=gast.BinOp(left=N.clone(entry), op=gast.Add(),
                                                       right=N.clone(g)))
        else:
            add = N.call(rev.ref(R.add_grads), [entry, g])
        st = N.assign(gast.Subscript(value=N.name(rev.b(base)), slice=N.clone(value.slice),
                                     ctx=gast.Store()), add, loc=s)
        anno.set_(st, anno.ACCUMULATES)
        out.append(st)
        return True
    if not (buffer_ready(rev, base, state) and rev.facts.elements.basic(value)):
        return False
    facts = rev.facts
    if facts.elements.arrays[base][1].kind != "c" and not facts.active <= facts.real:
        g = N.call(rev.ref(np.real), [g])  # complex values about: a real buffer takes Re(g)
    st = gast.AugAssign(target=gast.Subscript(value=N.name(rev.b(base)),
                                              slice=N.clone(value.slice),
                                              ctx=gast.Store()), op=gast.Add(), value=g)
    anno.set_(st, anno.ACCUMULATES)
    out.append(N.copy_loc(st, s))
    return True


def write(rev, s, t, state, out) -> bool:
    """``base[idx] = v`` for a basic index (one element, a slice, a row):
    ``bv = bbase[idx]`` (a copy unless one element), ``bbase[idx] = 0.0`` (else False).
    A basic index selects each entry once, so the whole ``bbase[idx]`` is ``v``'s."""
    base = t.value.id
    facts = rev.facts
    if not (buffer_ready(rev, base, state) and facts.elements.basic(t)
            and facts.elements.arrays[base][1].kind in "fc"):
        return False
    bb = rev.b(base)
    v = s.value
    if isinstance(v, gast.Name) and v.id in facts.active:
        take = gast.Subscript(value=N.name(bb), slice=N.clone(t.slice), ctx=gast.Load())
        one = facts.elements.scalar(t)
        if not one:  # a view of the buffer, zeroed below: v's adjoint takes a copy
            take = N.call(gast.Attribute(value=take, attr="copy", ctx=gast.Load()), [])
        c = facts.shape(v.id)
        if (one and c != Shape.SCALAR) or (not one and not (
                c.known and c == subscript_class(t, facts))):
            # (a size-1 array written into one element; a number or a smaller array
            # broadcast into a slice: summed down to v's shape)
            take = N.call(rev.ref(H.unbroadcast, "unbroadcast"), [take, N.name(v.id)])
        # (from a ready buffer: a number or an array, never None nor the 0.0 filler; a
        # copy is v's alone)
        num = facts.kind(v.id) is Kind.NUM or v.id in facts.elements.arrays
        rev.accumulate(v.id, take, state, out, s, maybe_none=not num,
                       owned=num and not one and rev.in_place)
    clear = N.assign(gast.Subscript(value=N.name(bb), slice=N.clone(t.slice),
                                    ctx=gast.Store()), N.const(0.0), loc=s)
    anno.set_(clear, anno.ACCUMULATES)
    out.append(clear)
    return True


def _int_index(facts, sub):
    return isinstance(sub.slice, (gast.Name, gast.Constant)) and \
        _int_atom(sub.slice, facts.elements.ints)


def _reads(facts, body_stmts, lists=frozenset()):
    """(names the body binds, tracked names whose elements the body reads by basic
    indices), nested loops and branches included; ``lists``: ``plain_lists`` read by an
    int index in the body and not appended to there."""
    bound, read_, appended = set(), set(), set()
    for st, _ in statements(body_stmts):
        if isinstance(st, gast.Expr) and isinstance(st.value, gast.Call) and \
                isinstance(st.value.func, gast.Attribute) and \
                isinstance(st.value.func.value, gast.Name):
            appended.add(st.value.func.value.id)
        if isinstance(st, gast.Assign):
            for t in st.targets:
                if isinstance(t, gast.Name):
                    bound.add(t.id)
            v = st.value
            if isinstance(v, gast.Subscript) and isinstance(v.value, gast.Name) and (
                    facts.elements.basic(v) or (v.value.id in lists and
                                                _int_index(facts, v))):
                read_.add(v.value.id)
        elif isinstance(st, gast.For):
            bound.update(n.id for n in gast.walk(st.target) if isinstance(n, gast.Name))
        elif isinstance(st, (gast.AugAssign, gast.With, gast.Try)):
            bound.update(n.id for n in gast.walk(st) if isinstance(n, gast.Name)
                         and isinstance(n.ctx, gast.Store))
    return bound, {v for v in read_ if v not in bound and (_tracked(facts, v) or (
        v in lists and v not in appended))}


def preallocated(rev, body_stmts, grow):
    """Adjoints growing in a loop body that get a buffer before the reversed loop: those of
    tracked arrays whose elements the body reads and that the body does not rebind."""
    if not rev.in_place:
        return set()
    return set(grow) & _reads(rev.facts, body_stmts, rev.lists)[1]


def own_before(rev, body_stmts, state):
    """``bx = own_grad(bx, x)`` before a reversed loop whose body reads elements of ``x``
    while ``bx`` holds a value this code does not own (a callee's adjoint, ``add_grads``
    of one, the 0.0 filler): one fresh buffer, then every read updates it in place."""
    if not rev.in_place:
        return []
    out = []
    for var in sorted(_reads(rev.facts, body_stmts, rev.lists)[1]):
        if var in state.live and (var not in state.owned or var in state.zero):
            node = N.assign(rev.b(var), N.call(rev.ref(R.own_grad),
                                               [N.name(rev.b(var)), N.name(var)]))
            anno.set_(node, anno.ACCUMULATES)
            out.append(node)
            state.owned.add(var)
            state.zero.discard(var)
    return out


def allocate(rev, var):
    node = N.assign(rev.b(var), N.call(rev.ref(R.zeros_grad), [N.name(var)]))
    anno.set_(node, anno.ACCUMULATES)
    return node


def element_buffers(facts, body):
    """Differentiated array parameters read by basic indices (``x[i]``, ``x[i:j]``) inside
    a loop, or at least twice: their adjoint is one buffer allocated before the sweep,
    never a temporary per read (parameters written in place keep the generic adjoint)."""
    written = {st.targets[0].value.id for st, _ in statements(body)
               if isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Subscript)}
    out, reads = set(), {}
    for st, depth in statements(body):
        if isinstance(st, gast.Assign) and isinstance(st.value, gast.Subscript):
            base = st.value.value
            if isinstance(base, gast.Name) and base.id in facts.active and \
                    base.id in facts.elements.fixed and base.id not in written and \
                    facts.elements.basic(st.value):
                reads[base.id] = reads.get(base.id, 0) + 1
                if depth or reads[base.id] >= 2:
                    out.add(base.id)
    return frozenset(out)
