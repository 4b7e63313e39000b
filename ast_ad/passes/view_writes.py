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
  reshape that copied, a list, an int array index) -- the one thing only run time knows.

Names bound more than once, read outside the block after the binding, or handed to code
that might write into them are left alone (``views.guard_views``/``check_views`` check or
refuse them as before).

Before::

    y = x * 1.0
    v = y[::2]
    v[0] = v[1] * x[0]
    return np.sum(y * x)

After::

    y = x * 1.0
    v = y[::2]
    check_view(v, y, 'v', 'y', '<file>', 3)
    _k1 = y[::2]
    _t1 = _k1[1]
    ...
    _k2 = y[::2]
    _w1 = np.copy(_k2)
    _w1[0] = _t3
    y[::2] = _w1
    _t4 = y * x
"""

from __future__ import annotations

from dataclasses import dataclass

import gast
import numpy as np

from .. import runtime as R
from ..ir import anno
from ..ir import nodes as N
from ..ir.walk import blocks_of, map_blocks, nodes
from ..rules.helpers import shapes as _shapes
from .analysis.effects import INPLACE_METHODS, MUTATING_FUNCTIONS, effect

#: layout changes whose result is a view (or a copy: checked) -> how to write back
_LAYOUT = {
    np.reshape: "reshape", np.ravel: "reshape", np.squeeze: "reshape",
    np.expand_dims: "reshape", np.atleast_1d: "reshape", np.atleast_2d: "reshape",
    np.atleast_3d: "reshape", _shapes.method_reshape: "reshape",
    np.transpose: "transpose", np.swapaxes: "self", np.flip: "self", np.fliplr: "self",
    np.flipud: "self", np.moveaxis: "moveaxis", np.asarray: "same", np.asanyarray: "same",
    np.ascontiguousarray: "same", np.asfortranarray: "same",
}


@dataclass
class _Step:
    kind: str  # "alias", "sub" (basic subscript), or a _LAYOUT kind
    node: object  # the binding's value (its base is replaced when read again)


@dataclass
class _View:
    name: str
    stmt: object
    base: str
    step: _Step
    root: str = ""
    steps: tuple = ()


def _step_of(v, resolver):
    """(base name, step) when ``v`` may be a view of a name; else None."""
    if isinstance(v, gast.Name):
        return v.id, _Step("alias", v)
    if isinstance(v, gast.Subscript) and isinstance(v.value, gast.Name):
        return v.value.id, _Step("sub", v)
    if isinstance(v, gast.Call) and v.args and isinstance(v.args[0], gast.Name) and \
            not any(k.arg is None for k in v.keywords) and \
            not any(isinstance(a, gast.Starred) for a in v.args):
        try:
            kind = _LAYOUT.get(resolver.callable(v.func))
        except TypeError:
            kind = None
        if kind == "transpose" and (len(v.args) > 1 or v.keywords):
            kind = None  # axes: not inverted here
        if kind == "moveaxis" and (len(v.args) != 3 or v.keywords):
            kind = None
        if kind == "same" and (len(v.args) > 1 or v.keywords):
            kind = None  # a dtype/order may copy; keep it simple
        if kind is not None:
            return v.args[0].id, _Step(kind, v)
    return None


def _binding(s, resolver):
    if isinstance(s, gast.Assign) and len(s.targets) == 1 and \
            isinstance(s.targets[0], gast.Name) and not anno.has(s, anno.AugAssign):
        found = _step_of(s.value, resolver)
        if found is not None and found[0] != s.targets[0].id:
            return _View(s.targets[0].id, s, found[0], found[1])
    return None


def _all_blocks(stmts):
    """Every statement list of the function: the body and the blocks inside it."""
    out = [stmts]
    for s in stmts:
        for _, b in blocks_of(s):
            out.extend(_all_blocks(b))
    return out


def _header(s):
    """The expressions a statement evaluates itself (a compound one: only its header)."""
    if not blocks_of(s):
        return [s]
    return [getattr(s, f) for f in ("test", "iter", "items", "subject")
            if getattr(s, f, None) is not None]


def _names(roots, ctx):
    return [n for n in nodes(roots) if isinstance(n, gast.Name) and isinstance(n.ctx, ctx)]


def _count_stores(body):
    """Bindings (not counting ``v op= e``) and loads of each name."""
    plain, loads = {}, {}
    for s in _flatten(body):
        aug = _aug_target(s)
        for n in nodes(_header_and_targets(s)):
            if isinstance(n, gast.Name) and n is not aug:
                d = loads if isinstance(n.ctx, gast.Load) else plain
                d[n.id] = d.get(n.id, 0) + 1
    return plain, loads


def _aug_target(s):
    if isinstance(s, gast.Assign) and anno.has(s, anno.AugAssign) and \
            isinstance(s.targets[0], gast.Name):
        return s.targets[0]
    return None


def _flatten(stmts):
    out = []
    for s in stmts:
        out.append(s)
        for _, b in blocks_of(s):
            out.extend(_flatten(b))
    return out


def _is_aug_of(s, name):
    return isinstance(s, gast.Assign) and anno.has(s, anno.AugAssign) and \
        isinstance(s.targets[0], gast.Name) and s.targets[0].id == name


def _subscript_store(s, name):
    return isinstance(s, gast.Assign) and len(s.targets) == 1 and \
        isinstance(s.targets[0], gast.Subscript) and \
        isinstance(s.targets[0].value, gast.Name) and s.targets[0].value.id == name


class _Classify:
    """How a statement uses a view name: "read", "store" (``v[j] = e``), "aug"
    (``v op= e``), "call" (an in-place method, ``out=v``, ``np.copyto(v, ...)``), None
    (not at all) or "unknown" (handed to code that might write into it)."""

    def __init__(self, resolver, registry):
        self.resolver, self.registry = resolver, registry

    def __call__(self, s, name):
        if _subscript_store(s, name):
            return "store"
        if _is_aug_of(s, name):
            return "aug"
        head = _header(s)
        if not any(n.id == name for n in _names(head, gast.Load)):
            return None
        if isinstance(s, gast.While):
            return "unknown"  # its test runs again every round
        if _escapes(head, name):
            return "unknown"  # held by a container or an object: it would see later writes
        write = False
        for call in (n for n in nodes(head) if isinstance(n, gast.Call)):
            mine = [a for a in call.args if isinstance(a, gast.Name) and a.id == name] + [
                k.value for k in call.keywords
                if isinstance(k.value, gast.Name) and k.value.id == name]
            recv = isinstance(call.func, gast.Attribute) and \
                isinstance(call.func.value, gast.Name) and call.func.value.id == name
            if not mine and not recv:
                continue
            if recv:
                if call.func.attr in INPLACE_METHODS:
                    write = True
                    continue
                if not _pure_method(call.func.attr):
                    return "unknown"
                mine = [a for a in mine if a is not call.func.value]
                if not mine:
                    continue
            try:
                obj = self.resolver.callable(call.func)
            except Exception:  # noqa: BLE001  (an unresolvable callee: unknown)
                obj = None
            if any(k.arg == "out" and k.value in mine for k in call.keywords) or (
                    call.args and call.args[0] in mine and _mutates_first(obj)):
                write = True
                continue
            e = effect(call, obj, self.registry)
            if e != "pure":
                return "unknown"  # a helper that may write into it, or a container
        if write:
            if not isinstance(s, gast.Expr) or sum(
                    1 for n in _names(head, gast.Load) if n.id == name) != 1:
                return "unknown"
            return "call"
        return "read"


_HOLDERS = (gast.List, gast.Tuple, gast.Set, gast.Dict, gast.Starred, gast.Yield,
            gast.YieldFrom, gast.Lambda)


def _escapes(head, name):
    """Is ``name`` put into a container, an attribute or a subscript of another object?"""
    for n in nodes(head):
        if isinstance(n, _HOLDERS):
            if any(isinstance(m, gast.Name) and m.id == name for m in nodes(n)):
                return True
        if isinstance(n, gast.Assign) and isinstance(n.value, gast.Name) and \
                n.value.id == name and not isinstance(n.targets[0], gast.Name):
            return True  # obj.a = v, lst[0] = v
    return False


def _mutates_first(obj):
    try:
        if obj in MUTATING_FUNCTIONS:
            return True
    except TypeError:
        return False
    return getattr(obj, "__name__", None) == "at" and \
        isinstance(getattr(obj, "__self__", None), np.ufunc)


def _pure_method(attr):
    from ..rules.methods import ARRAY_METHODS

    return attr in ARRAY_METHODS and attr not in INPLACE_METHODS


def _static_array(view, request):
    """Is the view surely an array (so ``v op= e`` writes in place)?"""
    kinds = [st.kind for st in view.steps]
    if any(k not in ("alias", "sub") for k in kinds):
        return True
    for st in view.steps:
        if st.kind == "sub":
            idx = st.node.slice
            parts = idx.elts if isinstance(idx, gast.Tuple) else [idx]
            if any(isinstance(p, gast.Slice) or (isinstance(p, gast.Constant) and (
                    p.value is Ellipsis or p.value is None)) for p in parts):
                return True
    spec = (request.arrays or {}).get(view.root)
    if spec is not None:
        nints = sum(len(st.node.slice.elts) if isinstance(st.node.slice, gast.Tuple) else 1
                    for st in view.steps if st.kind == "sub")
        return spec[0] > nints
    return False


def _int_parts(step):
    """The index parts of a subscript step when they are all ints (constants or names,
    names checked at run time), else None."""
    idx = step.node.slice
    parts = idx.elts if isinstance(idx, gast.Tuple) else [idx]
    for p in parts:
        if isinstance(p, gast.Constant) and type(p.value) is int:
            continue
        if isinstance(p, gast.Name):
            continue
        return None
    return parts


def lower_view_writes(tree, unit, resolver, request) -> bool:
    """Rewrite the views of ``tree`` that are written through (see the module doc);
    True when anything changed."""
    body = tree.body
    views = []
    for block in _all_blocks(body):
        for s in block:
            v = _binding(s, resolver)
            if v is not None:
                views.append(v)
    if not views:
        return False
    plain, loads = _count_stores(body)
    classify = _Classify(resolver, request.registry)
    by_name = {}
    accepted = []
    for v in views:  # source order: a view of a view extends its chain
        parent = by_name.get(v.base)
        if parent is not None:
            v.root, v.steps = parent.root, parent.steps + (v.step,)
        else:
            v.root, v.steps = v.base, (v.step,)
        plan = _plan(v, body, plain, loads, classify, request)
        if plan is not None:
            by_name[v.name] = v
            accepted.append((v, plan))
    # a view is rewritten when something is written through it, through a view of it,
    # or into its root while it lives
    rejected = {v.name for v in views} - set(by_name)
    changed = True
    while changed:  # a view of a view that is left alone: leave both alone
        changed = False
        for v in views:
            if v.name in rejected and v.base in by_name and v.base not in rejected:
                rejected.add(v.base)
                changed = True
    accepted = [(v, plan) for v, plan in accepted if v.name not in rejected]
    needed = set()
    for v, plan in reversed(accepted):
        if plan or v.name in needed:
            needed.add(v.name)
            needed.add(v.base)
    todo = [(v, plan) for v, plan in accepted if v.name in needed]
    if not todo:
        return False
    ctx = _Rewrite(unit, {id(v.stmt) for v, _ in todo}, classify)
    for v, _ in todo:
        ctx.apply(tree, v)
    return True


def _plan(v, body, plain, loads_all, classify, request):
    """None: leave ``v`` alone; else True/False: is it written (or its root written)
    while it lives."""
    if plain.get(v.name, 0) != 1:
        return None
    block, k = _locate(body, v.stmt)
    region = _flatten(block[k + 1:])
    # every other use of v is after its binding in its block
    loads_here = sum(1 for s in region for h in _header(s) for n in _names(h, gast.Load)
                     if n.id == v.name)
    if loads_here != loads_all.get(v.name, 0):
        return None
    # the view's index/argument names and its base are not rebound while it lives
    fixed = {n.id for n in _names(v.stmt.value, gast.Load)}
    stored_after = {n.id for s in region for n in _names(_header_and_targets(s),
                                                         (gast.Store, gast.Del))}
    augs = {t.id for t in map(_aug_target, region) if t is not None}
    if (fixed - {v.base}) & stored_after:
        return None
    if v.base in stored_after - augs or v.name in stored_after - augs:
        return None
    uses = [classify(s, v.name) for s in region]
    if "unknown" in uses:
        return None
    if "aug" in uses and not _static_array(v, request):
        return None
    if v.base in augs and not _static_array(v, request):
        return None
    written = any(u in ("store", "aug", "call") for u in uses)
    if written:
        return True
    # only the root is written: a view reads it again; a copy (or an element) is left
    # to views.guard_views, which checks at run time
    def writes(s):
        return classify(s, v.root) in ("store", "aug", "call") or _is_aug_of(s, v.base)

    def reads(s):
        return any(n.id == v.name for n in _names(_header(s), gast.Load))

    return _write_then_read(block[k + 1:], writes, reads, False)[1] and \
        _static_array(v, request)


def _write_then_read(stmts, writes, reads, seen):
    """(a write seen by the end, a read after a write) over ``stmts`` in run order (a
    loop's body runs again after its end)."""
    found = False
    for s in stmts:
        blocks = blocks_of(s)
        if reads(s) and seen:
            found = True
        after = seen
        for _, b in blocks:
            w, f = _write_then_read(b, writes, reads, seen)
            if isinstance(s, (gast.For, gast.While)):
                w, f2 = _write_then_read(b, writes, reads, w)
                f = f or f2
            found, after = found or f, after or w
        seen = after
        if writes(s):
            seen = True
    return seen, found


def _header_and_targets(s):
    if isinstance(s, gast.For):
        return [s.target, s.iter]
    return _header(s)


def _locate(stmts, target):
    for block in _all_blocks(stmts):
        for k, s in enumerate(block):
            if s is target:
                return block, k
    raise LookupError("statement not found")


class _Rewrite:
    def __init__(self, unit, bindings, classify):
        self.unit, self.namer, self.classify = unit, unit.namer, classify
        self.bindings = bindings  # binding statements: left as they are (chains)

    def ref(self, obj, hint):
        return self.unit.ref(obj, hint)

    def fresh(self, hint):
        return self.namer.fresh(hint)

    # -- reading a view again -----------------------------------------------------------
    def read(self, root, steps, out, loc):
        cur = root
        for st in steps:
            if st.kind == "alias":
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
        if st.kind == "alias":
            self.store(root, parent, index, value, out, loc)
            return
        if st.kind == "sub":
            if index is None:
                self.store(root, parent, st.node.slice, value, out, loc)
                return
            parts = _int_parts(st)
            if parts is not None:
                ix = self.fresh("_ix")
                lead = parts[0] if len(parts) == 1 else gast.Tuple(
                    elts=[N.clone(p) for p in parts], ctx=gast.Load())
                out.append(N.assign(ix, N.call(self.ref(R.join_index, "join_index"),
                                               [N.clone(lead), _as_expr(index)]), loc=loc))
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
        ix = gast.Constant(value=Ellipsis, kind=None) if index is None else _as_expr(index)
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
        block, k = _locate(tree.body, v.stmt)
        tail = []
        for s in block[k + 1:]:
            tail.extend(self.stmt(s, v))
        extra = []
        if any(st.kind != "alias" for st in v.steps[-1:]):
            filename, line = self.unit.where(v.stmt)
            ints = _int_parts(v.step) if v.step.kind == "sub" else None
            label = v.name if not v.name.startswith("_") else \
                gast.unparse(v.stmt.value).strip()
            args = [N.name(v.name), N.name(v.base), N.const(label), N.const(v.base),
                    N.const(filename), N.const(line)]
            args += [N.clone(p) for p in (ints or []) if isinstance(p, gast.Name)]
            extra.append(N.copy_loc(N.expr_stmt(N.call(self.ref(R.check_view, "check_view"),
                                                       args)), v.stmt))
        anno.set_(v.stmt, anno.VIEW_LOWERED)
        block[k + 1:] = extra + tail

    def stmt(self, s, v):
        if id(s) in self.bindings:
            return [s]
        map_blocks(s, lambda b: [x for y in b for x in self.stmt(y, v)])
        name = v.name
        out = []
        if _subscript_store(s, name):
            self.store(v.root, v.steps, s.targets[0].slice, s.value, out, s)
            return out
        if _is_aug_of(s, name):
            cur = self.read(v.root, v.steps, out, s)
            t = self.fresh("_t")
            value = N.replace_loads(s.value, name, N.name(cur))
            out.append(N.assign(t, value, loc=s))
            self.store(v.root, v.steps, None, N.name(t), out, s)
            return out
        head = _header(s)
        if not any(n.id == name for n in _names(head, gast.Load)):
            return [s]
        if all(st.kind == "alias" for st in v.steps):
            cur = v.root
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


def _as_expr(index):
    return N.clone(index)
