"""Writes through views and aliases become writes into the array they view (tree -> tree).

``v = y[1:]`` makes ``v`` a window on ``y``'s memory: writing through ``v`` changes ``y``
and writing into ``y`` changes what ``v`` reads.  The derivative passes treat every name
as its own value, so for a name bound once to a view (a basic subscript, a layout change:
``np.reshape``/``ravel``/``transpose``/``swapaxes``/``moveaxis``/``flip``/``squeeze``/
``expand_dims``/``atleast_Nd``/``asarray`` -- or the name itself, ``b = a``) that is
written through or whose array is written while it lives:

- every read of ``v`` reads the view again from its array at that point (``_k = y[1:]``:
  a view is cheap), so it sees every write before it;
- every write through ``v`` is a write into the root array: ``r = A[i]; r[j] = e`` ->
  ``A[join_index(i, j)] = e`` (leading int indices compose); any other view is written
  through a copy: ``_w = np.copy(y[1:]); _w[j] = e; y[1:] = _w``, and a layout view
  through its inverse (``y[...] = np.reshape(_w, np.shape(y))``); ``v op= e`` writes
  ``y[1:] = y[1:] op e``; in-place methods and ``out=`` act on the copy, written back;
- ``check_view`` after the binding raises when ``v`` is not a view at run time (a
  reshape that copied, a list, an int array index) -- the one thing only run time knows;
  none where it is surely one (a basic index, its names ints, of an array whose ndim the
  pass knows: a specialised parameter, ``np.zeros((n, m))``...), and then the binding,
  read nowhere any more, goes.

Names bound more than once, read outside the block after the binding, or handed to code
that might write into them are left alone (``views.guard_views``/``check_views`` check or
refuse them as before).

Before::

    y = np.sort(x)
    v = y[::2]
    v[0] = v[1] * x[0]
    return np.sum(y * x)

After (``tests/unit/test_view_writes.py::test_before_and_after`` runs it)::

    y = np.sort(x)
    v = y[::2]
    check_view(v, y, 'v', 'y', '<file>', 3)
    _k1 = y[::2]
    _t1 = _k1[1]
    _t2 = x[0]
    _t3 = _t1 * _t2
    _k2 = y[::2]
    _w1 = np.copy(_k2)
    _w1[0] = _t3
    y[::2] = _w1
    _t4 = y * x
    _t5 = np.sum(_t4)
    return _t5
"""

from __future__ import annotations

import gast
import numpy as np

from .. import runtime as R
from ..ir import anno
from ..ir import nodes as N
from ..ir.walk import blocks_of, map_blocks
from .views_lowering import forms as F
from .views_lowering import plan as P


def lower_view_writes(tree, unit, resolver, request) -> bool:
    """Rewrite the views of ``tree`` that are written through (see the module doc);
    True when anything changed."""
    todo, classify, known = P.select(tree.body, resolver, request)
    if not todo:
        return False
    ctx = _Rewrite(unit, todo, classify, known)
    for v in todo:
        ctx.apply(tree, v)
    return True


class _Rewrite:
    def __init__(self, unit, todo, classify, known):
        self.unit, self.namer, self.classify = unit, unit.namer, classify
        self.known = known
        self.slicing = known.slicing  # names of slices/None/... (not int index parts)
        self.bindings = {id(v.stmt) for v in todo}  # left as they are (chains)
        self.arrays = set()  # views made so far that are arrays: checked, or surely
        self.bases = {v.base for v in todo}  # views that other views are taken of

    def ref(self, obj, hint):
        return self.unit.ref(obj, hint)

    def fresh(self, hint):
        return self.namer.fresh(hint)

    # -- reading a view again -----------------------------------------------------------
    def read(self, root, steps, out, loc):
        cur = root
        for st in steps:
            if st.kind in F.SAME:
                continue
            t = self.fresh("_k")
            out.append(N.assign(t, self._apply(st, cur), loc=loc))
            cur = t
        return cur

    def _apply(self, st, base):
        e = N.clone(st.node)
        if st.kind == "sub":
            e.value = N.name(base)
        else:
            e.args[0] = N.name(base)
        return e

    # -- writing through a view ---------------------------------------------------------
    def store(self, root, steps, index, value, out, loc):
        """``view[index] = value`` for the view ``steps`` of ``root`` (index None: the
        whole view, ``view[...]``)."""
        if not steps:
            out.append(self._setitem(root, index, value, loc))
            return
        *parent, st = steps
        if st.kind in F.SAME:
            self.store(root, parent, index, value, out, loc)
            return
        if st.kind == "sub":
            if index is None:
                self.store(root, parent, st.node.slice, value, out, loc)
                return
            parts = F.int_parts(st, self.slicing)
            if parts is not None:
                ix = self.fresh("_ix")
                lead = parts[0] if len(parts) == 1 else gast.Tuple(
                    elts=[N.clone(p) for p in parts], ctx=gast.Load())
                out.append(N.assign(ix, N.call(self.ref(R.join_index, "join_index"),
                                               [N.clone(lead), N.clone(index)]), loc=loc))
                self.store(root, parent, N.name(ix), value, out, loc)
                return
        w = self._copy(root, steps, out, loc)
        out.append(self._setitem(w, index, value, loc))
        if st.kind == "sub":
            self.store(root, parent, st.node.slice, N.name(w), out, loc)
            return
        self.store(root, parent, None, self._inverse(st, w, root, parent, out, loc), out,
                   loc)

    def _copy(self, root, steps, out, loc):
        cur = self.read(root, steps, out, loc)
        w = self.fresh("_w")
        out.append(N.assign(w, N.call(self.ref(np.copy, "copy"), [N.name(cur)]), loc=loc))
        return w

    def _setitem(self, name, index, value, loc):
        ix = gast.Constant(value=Ellipsis, kind=None) if index is None else N.clone(index)
        target = gast.Subscript(value=N.name(name), slice=ix, ctx=gast.Store())
        return N.assign(target, value, loc=loc)

    def _inverse(self, st, w, root, parent, out, loc):
        """The value to write into the parent view so that the layout ``st`` of it reads
        ``w``."""
        kind, node = st.kind, st.node
        if kind == "same":
            return N.name(w)
        t = self.fresh("_k")
        if kind == "reshape":
            p = self.read(root, parent, out, loc)
            sh = self.fresh("_k")
            out.append(N.assign(sh, N.call(self.ref(np.shape, "shape"), [N.name(p)]),
                                loc=loc))
            e = N.call(self.ref(np.reshape, "reshape"), [N.name(w), N.name(sh)])
        elif kind == "transpose":
            e = N.call(self.ref(np.transpose, "transpose"), [N.name(w)])
        elif kind == "self":
            e = N.clone(node)
            e.args[0] = N.name(w)
        else:  # moveaxis(a, src, dst) -> moveaxis(w, dst, src)
            e = N.call(self.ref(np.moveaxis, "moveaxis"),
                       [N.name(w), N.clone(node.args[2]), N.clone(node.args[1])])
        out.append(N.assign(t, e, loc=loc))
        return N.name(t)

    # -- one view -----------------------------------------------------------------------
    def apply(self, tree, v):
        block, k = F.locate(tree.body, v.stmt)
        tail = []
        for s in block[k + 1:]:
            tail.extend(self.stmt(s, v))
        extra = []
        if v.step.kind == "view_method":
            v.stmt.value = N.name(v.base)  # x.view() is x to the derivative
        elif v.step.kind == "same_object":
            filename, line = self.unit.where(v.stmt)
            extra.append(N.copy_loc(N.expr_stmt(N.call(
                self.ref(R.check_same_object, "check_same_object"),
                [N.name(v.name), N.name(v.base), N.const(v.base), N.const(filename),
                 N.const(line)])), v.stmt))
        elif v.step.kind != "alias" and self._surely_a_view(v):
            self.arrays.add(v.name)
            if v.name not in self.bases:  # read nowhere now: the binding goes
                block[k + 1:] = tail
                del block[k]
                return
        elif v.step.kind != "alias":
            self.arrays.add(v.name)
            filename, line = self.unit.where(v.stmt)
            ints = F.int_parts(v.step, self.slicing) if v.step.kind == "sub" else None
            label = v.name if not v.name.startswith("_") else \
                gast.unparse(v.stmt.value).strip()
            args = [N.name(v.name), N.name(v.base), N.const(label), N.const(v.base),
                    N.const(filename), N.const(line)]
            args += [N.clone(p) for p in (ints or []) if isinstance(p, gast.Name)]
            extra.append(N.copy_loc(N.expr_stmt(N.call(self.ref(R.check_view, "check_view"),
                                                       args)), v.stmt))
        anno.set_(v.stmt, anno.VIEW_LOWERED)
        block[k + 1:] = extra + tail

    def _surely_a_view(self, v):
        """``v = base[basic index]`` of an array known to be one (a specialised parameter,
        ``np.zeros((n, m))``..., or a view already checked), every index name an int or a
        slice, and fewer ints than axes: a view for sure, nothing to check at run time."""
        if v.step.kind != "sub" or not (self.known.ndims.get(v.base, 0) >= 1 or
                                        v.base in self.arrays):
            return False
        idx = v.step.node.slice
        parts = idx.elts if isinstance(idx, gast.Tuple) else [idx]
        if not all(not isinstance(p, gast.Name) or p.id in self.known.ints or
                   p.id in self.slicing for p in parts):
            return False
        return P.static_array(v, self.slicing, self.known.ndims)

    def stmt(self, s, v):
        if id(s) in self.bindings:
            return [s]
        map_blocks(s, lambda b: [x for y in b for x in self.stmt(y, v)])
        name = v.name
        out = []
        if F.subscript_store(s, name):
            index, value = s.targets[0].slice, s.value
            if any(n.id == name for n in F.names([index, value], gast.Load)):
                cur = self.read(v.root, v.steps, out, s)  # v[v > 0] = v[0]: read it first
                index = N.replace_loads(index, name, N.name(cur))
                value = N.replace_loads(value, name, N.name(cur))
            self.store(v.root, v.steps, index, value, out, s)
            return out
        if F.is_aug_of(s, name) and all(st.kind in F.SAME for st in v.steps):
            s.targets[0] = N.store(v.root)  # b op= e with b = a: a op= e
            s.value = N.replace_loads(s.value, name, N.name(v.root))
            return [s]
        if F.is_aug_of(s, name):
            cur = self.read(v.root, v.steps, out, s)
            t = self.fresh("_t")
            value = N.replace_loads(s.value, name, N.name(cur))
            out.append(N.assign(t, value, loc=s))
            self.store(v.root, v.steps, None, N.name(t), out, s)
            return out
        head = F.header(s)
        if not any(n.id == name for n in F.names(head, gast.Load)):
            return [s]
        if all(st.kind in F.SAME for st in v.steps):
            cur = v.root  # the very object (checked where it is not plainly so)
        elif self.classify(s, name) == "call":
            w = self._copy(v.root, v.steps, out, s)
            _replace_header(s, name, w)
            out.append(s)
            self.store(v.root, v.steps, None, N.name(w), out, s)
            return out
        else:
            cur = self.read(v.root, v.steps, out, s)
        _replace_header(s, name, cur)
        out.append(s)
        return out


def _replace_header(s, name, new):
    """Loads of ``name`` in what ``s`` evaluates itself become loads of ``new``."""
    if not blocks_of(s):
        N.replace_loads(s, name, N.name(new))
        return
    for f in ("test", "iter", "subject"):
        e = getattr(s, f, None)
        if e is not None:
            setattr(s, f, N.replace_loads(e, name, N.name(new)))
    for item in getattr(s, "items", None) or ():
        item.context_expr = N.replace_loads(item.context_expr, name, N.name(new))
