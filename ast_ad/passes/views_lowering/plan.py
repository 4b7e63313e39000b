"""Which views ``view_writes`` rewrites, and how each statement uses one (tree -> facts).

A name bound once to a view (``view_forms.binding``) is rewritten when it is written
through (``v[j] = e``, ``v op= e``, an in-place method, ``out=v``) or when its root is
written while it is still read -- and only when every use is one whose meaning stays the
same once reads and writes go to the root: not handed to code that might keep or write
it (an unknown helper, a container), its index names and base not rebound while it lives,
``v op= e`` only where ``v`` is surely an array or a list (in place), else
``views.guard_views`` checks it at run time as before.

>>> import gast
>>> from types import SimpleNamespace
>>> t = gast.parse("def f(x):\\n    v = x[1:]\\n    v[0] = 2.0\\n    return x").body[0]
>>> res = SimpleNamespace(callable=lambda f: None)
>>> req = SimpleNamespace(registry=None, arrays={"x": (1, "<f8")}, arg_kinds={})
>>> [v.name for v in select(t.body, res, req)[0]]
['v']
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import gast
import numpy as np

from ...ir import anno
from ...ir.walk import blocks_of, nodes
from ...rules.methods import ARRAY_METHODS
from ..analysis.effects import INPLACE_METHODS, effect, mutates_first_argument
from ..analysis.elements import surely_ints
from . import forms as F


def select(body, resolver, request):
    """The views of ``body`` to rewrite, in source order (a view of a view after its
    base), the statement classifier, and the names of index temporaries that slice."""
    views = []
    for block in F.all_blocks(body):
        for s in block:
            v = F.binding(s, resolver)
            if v is not None:
                views.append(v)
    if not views:
        return [], None, None
    views = _touching_writes(views, body, resolver)
    if not views:
        return [], None, None
    plain, loads = F.count_stores(body)
    classify = Classify(resolver, request.registry)
    known = Known(F.slicing_names(body, plain), ndims(body, plain, request, resolver))
    by_name = {}
    accepted = []
    for v in views:  # source order: a view of a view extends its chain
        parent = by_name.get(v.base)
        if parent is not None:
            v.root, v.steps = parent.root, parent.steps + (v.step,)
        else:
            v.root, v.steps = v.base, (v.step,)
        found = plan(v, body, plain, loads, classify, request, known)
        if found is not None:
            by_name[v.name] = v
            accepted.append((v, found))
    # a view is rewritten when something is written through it, through a view of it,
    # or into its root while it lives
    rejected = {v.name for v in views} - set(by_name)
    changed = True
    while changed:  # a view of a view that is left alone and read after a write into
        changed = False  # the base: leave both alone (the checks follow pairs of names)
        for v in views:
            if v.name in rejected and v.base in by_name and v.base not in rejected and \
                    _read_after_a_write(v, body, classify, by_name[v.base].root):
                rejected.add(v.base)
                changed = True
    accepted = [(v, w) for v, w in accepted if v.name not in rejected]
    needed = set()
    for v, written in reversed(accepted):
        if written or v.name in needed:
            needed.add(v.name)
            needed.add(v.base)
    todo = [v for v, _ in accepted if v.name in needed]
    if todo:  # index names surely ints: their views need no run-time check
        known = replace(known, ints=surely_ints(body, list(request.arg_kinds),
                                                request.arg_kinds, resolver))
    return todo, classify, known


@dataclass(frozen=True)
class Known:
    """What the function says once, for every view: the names of slicing index
    temporaries, and the ndim of names surely holding arrays."""

    slicing: frozenset
    ndims: dict
    ints: frozenset = frozenset()  # names surely holding ints (analysis.elements)


def _touching_writes(views, body, resolver):
    """The views connected (as views of one another) to a name something writes into in
    place; the others -- most element reads of most functions -- need no plan."""
    links = {}
    for v in views:
        links.setdefault(v.name, set()).add(v.base)
        links.setdefault(v.base, set()).add(v.name)
    written = set()
    for s in F.flatten(body):
        if isinstance(s, gast.Assign):
            t = s.targets[0]
            if isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name):
                written.add(t.value.id)
            elif isinstance(t, gast.Name) and anno.has(s, anno.AugAssign):
                written.add(t.id)
        for call in (n for h in F.header(s) for n in nodes(h) if isinstance(n, gast.Call)):
            f = call.func
            if isinstance(f, gast.Attribute) and isinstance(f.value, gast.Name) and \
                    f.attr in INPLACE_METHODS:
                written.add(f.value.id)
            written.update(k.value.id for k in call.keywords
                           if k.arg == "out" and isinstance(k.value, gast.Name))
            first = call.args[0] if call.args else None
            if isinstance(first, gast.Name) and first.id in links and \
                    first.id not in written:
                try:
                    if mutates_first_argument(resolver.callable(call.func)):
                        written.add(first.id)
                except Exception:  # noqa: BLE001  (an unresolvable callee)
                    written.add(first.id)  # (planned: Classify decides)
    reached, todo = set(), [n for n in written if n in links]
    while todo:
        n = todo.pop()
        if n not in reached:
            reached.add(n)
            todo.extend(links[n])
    return [v for v in views if v.name in reached]


def _read_after_a_write(v, body, classify, root):
    """Is the view ``v`` read after its base, or the base's root, is written?"""
    block, k = F.locate(body, v.stmt)

    def writes(s):
        return any(classify(s, n) in ("store", "aug", "call") for n in (v.base, root))

    def reads(s):
        return any(n.id == v.name for n in F.names(F.header(s), gast.Load))

    return write_then_read(block[k + 1:], writes, reads, False)[1]


class Classify:
    """How a statement uses a view name: "read", "store" (``v[j] = e``), "aug"
    (``v op= e``), "call" (an in-place method, ``out=v``, ``np.copyto(v, ...)``), None
    (not at all) or "unknown" (handed to code that might write into it)."""

    def __init__(self, resolver, registry):
        self.resolver, self.registry = resolver, registry

    def __call__(self, s, name):
        if F.subscript_store(s, name):
            return "store"
        if F.is_aug_of(s, name):
            return "aug"
        head = F.header(s)
        if not any(n.id == name for n in F.names(head, gast.Load)):
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
                    call.args and call.args[0] in mine and mutates_first_argument(obj)):
                write = True
                continue
            e = effect(call, obj, self.registry)
            if e != "pure":
                return "unknown"  # a helper that may write into it, or a container
        if write:
            if not isinstance(s, gast.Expr) or sum(
                    1 for n in F.names(head, gast.Load) if n.id == name) != 1:
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


def _pure_method(attr):
    return attr in ARRAY_METHODS and attr not in INPLACE_METHODS


_NDIM2 = (np.outer, np.eye, np.identity)
_SHAPED = (np.zeros, np.ones, np.empty, np.full)
_SAME_NDIM = (np.zeros_like, np.ones_like, np.empty_like, np.copy, np.array, np.asarray,
              np.sin, np.cos, np.tanh, np.exp)


def ndims(body, plain, request, resolver):
    """ndim of the names surely holding arrays of a known ndim: array parameters (the
    specialisation), and names bound once to ``np.zeros((n, m))``-like calls, ``np.outer``,
    or ``np.copy``/``zeros_like``/... of such a name."""
    out = {p: spec[0] for p, spec in (request.arrays or {}).items()}
    out.update({p: 0 for p, k in request.arg_kinds.items() if k in (float, int)})
    tuples, lists = {}, {}

    def nd(e):  # ndim of an operand: a known name or a number
        if isinstance(e, gast.Constant) and type(e.value) in (int, float):
            return 0
        return out.get(e.id) if isinstance(e, gast.Name) else None

    for s in F.flatten(body):
        if not (isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and
                plain.get(s.targets[0].id) == 1) or s.targets[0].id in out:
            continue
        t, e = s.targets[0].id, s.value
        if isinstance(e, gast.Tuple):
            tuples[t] = len(e.elts)
        if isinstance(e, gast.List) and e.elts:
            dims = {nd(x) for x in e.elts}
            if len(dims) == 1 and None not in dims:
                lists[t] = dims.pop()  # [u, v] of one known ndim (for np.stack)
        if isinstance(e, gast.Subscript) and isinstance(e.value, gast.Name) and \
                out.get(e.value.id) is not None:
            parts = e.slice.elts if isinstance(e.slice, gast.Tuple) else [e.slice]
            if all(isinstance(q, gast.Constant) and type(q.value) is int for q in parts) \
                    and len(parts) <= out[e.value.id]:
                out[t] = out[e.value.id] - len(parts)  # x[0] of a vector: a number
            continue
        if isinstance(e, gast.BinOp) and not isinstance(e.op, gast.MatMult):
            a, b = nd(e.left), nd(e.right)
            if a is not None and b is not None:
                out[t] = max(a, b)  # broadcasting: the larger ndim
            continue
        if not (isinstance(e, gast.Call) and e.args) or e.keywords:
            continue
        try:
            fn = resolver.callable(e.func)
            a = e.args[0]
            if fn in _NDIM2:
                out[t] = 2
            elif fn in _SHAPED:
                n = len(a.elts) if isinstance(a, gast.Tuple) else tuples.get(getattr(a, "id", None))
                if n is None and isinstance(a, gast.Constant) and type(a.value) is int:
                    n = 1
                if n is not None:
                    out[t] = n
            elif fn in _SAME_NDIM and len(e.args) == 1 and isinstance(a, gast.Name) and \
                    a.id in out:
                out[t] = out[a.id]
            elif fn is np.stack and len(e.args) == 1 and isinstance(a, gast.Name) and \
                    a.id in lists and out.get(t) is None:
                out[t] = lists[a.id] + 1
        except TypeError:
            continue
    return out


def static_array(view, slicing=frozenset(), ndims=None):
    """Is the view surely an array (so ``v op= e`` writes in place)?"""
    kinds = [st.kind for st in view.steps]
    if any(k not in ("alias", "same_object", "sub") for k in kinds):
        return True
    for st in view.steps:
        if st.kind == "sub":
            idx = st.node.slice
            parts = idx.elts if isinstance(idx, gast.Tuple) else [idx]
            if any(F.slicing(p, slicing) for p in parts):
                return True
    ndim = (ndims or {}).get(view.root)
    if ndim is not None:
        nints = sum(len(st.node.slice.elts) if isinstance(st.node.slice, gast.Tuple) else 1
                    for st in view.steps if st.kind == "sub")
        return ndim > nints
    return False


def surely_list(name, body, request):
    """Is every binding of ``name`` a list (``[...]``, a comprehension, ``list(...)``, or
    an in-place update of it), or is it a list parameter?"""
    if name in request.arg_kinds:
        return request.arg_kinds[name] is list
    found = False
    for s in F.flatten(body):
        for n in nodes(F.header_and_targets(s)):
            if isinstance(n, gast.Name) and n.id == name and not isinstance(n.ctx, gast.Load):
                ok = isinstance(s, gast.Assign) and (anno.has(s, anno.AugAssign) or isinstance(
                    s.value, (gast.List, gast.ListComp)) or (
                    isinstance(s.value, gast.Call) and isinstance(s.value.func, gast.Name)
                    and s.value.func.id == "list"))
                if not ok:
                    return False
                found = True
    return found


def plan(v, body, plain, loads_all, classify, request, known):
    """None: leave ``v`` alone; else True/False: is it written (or its root written)
    while it lives."""
    if plain.get(v.name, 0) != 1:
        return None
    block, k = F.locate(body, v.stmt)
    region = F.flatten(block[k + 1:])
    # every other use of v is after its binding in its block
    loads_here = sum(1 for s in region for h in F.header(s) for n in F.names(h, gast.Load)
                     if n.id == v.name)
    if loads_here != loads_all.get(v.name, 0):
        return None
    # the view's index/argument names and its base are not rebound while it lives
    fixed = {n.id for n in F.names(v.stmt.value, gast.Load)}
    stored_after = {n.id for s in region for n in F.names(F.header_and_targets(s),
                                                         (gast.Store, gast.Del))}
    augs = {t.id for t in map(F.aug_target, region) if t is not None}
    if (fixed - {v.base}) & stored_after:
        return None
    if v.base in stored_after - augs or v.name in stored_after - augs:
        return None
    uses = [classify(s, v.name) for s in region]
    if "unknown" in uses:
        return None
    # `v op= e` writes in place when v is surely an array or a list: a view with a slice,
    # an alias of a list, or something written into (`v[j] = e` fails on numbers)
    in_place = "store" in uses or "call" in uses or \
        static_array(v, known.slicing, known.ndims) or (
        all(st.kind in F.SAME for st in v.steps) and surely_list(v.root, body, request))
    if ("aug" in uses or v.base in augs) and not in_place:
        return None
    written = any(u in ("store", "aug", "call") for u in uses)
    if written:
        return True
    # only the root is written: a view reads it again; a copy (or an element) is left
    # to views.guard_views, which checks at run time
    def writes(s):
        return classify(s, v.root) in ("store", "aug", "call") or F.is_aug_of(s, v.base)

    def reads(s):
        return any(n.id == v.name for n in F.names(F.header(s), gast.Load))

    return write_then_read(block[k + 1:], writes, reads, False)[1] and in_place


def write_then_read(stmts, writes, reads, seen):
    """(a write seen by the end, a read after a write) over ``stmts`` in run order (a
    loop's body runs again after its end)."""
    found = False
    for s in stmts:
        blocks = blocks_of(s)
        if reads(s) and seen:
            found = True
        after = seen
        for _, b in blocks:
            w, f = write_then_read(b, writes, reads, seen)
            if isinstance(s, (gast.For, gast.While)):
                w, f2 = write_then_read(b, writes, reads, w)
                f = f or f2
            found, after = found or f, after or w
        seen = after
        if writes(s):
            seen = True
    return seen, found
