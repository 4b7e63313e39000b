"""Views: writes through a possible view are checked or refused (tree -> tree).

``guard_views`` inserts a run-time check after ``v = y[...]`` (or a reshape/transpose of
``y``) when ``y`` is written in place later and ``v`` is read after that write: ``v``
would see the write.  ``check_views`` refuses a name that may be a view of another array
(or an alias of an argument) and is itself written in place.

Before::

    v = x[0:2]
    x[0] = 0.0
    y = v * 2.0

After::

    v = x[0:2]
    check_no_view(v, x, 'v', 'x', '<file>', 2)
    x[0] = 0.0
    y = v * 2.0
"""

from __future__ import annotations

import gast

from .. import runtime as R
from ..errors import UnsupportedConstructError
from ..ir import anno
from ..ir import nodes as N
from ..ir.walk import blocks_of, is_loop, nodes, rebuild, statements

_VIEW_MAKERS = ("reshape", "transpose", "ravel", "squeeze", "expand_dims", "swapaxes",
                "method_reshape", "method_transpose", "broadcast_to", "asarray", "asanyarray",
                "ascontiguousarray", "asfortranarray", "atleast_1d", "atleast_2d",
                "atleast_3d", "moveaxis", "rollaxis", "flip", "fliplr", "flipud", "diagonal",
                "real", "imag", "view")


_INPLACE_METHODS = ("append", "extend", "insert", "pop", "remove", "reverse", "sort",
                    "clear", "update", "setdefault", "popitem", "add", "discard", "fill",
                    "partition", "put", "resize")


def _alias_source(v, resolver):
    """The name whose memory the value ``v`` may share: ``u``, ``u[...]``, ``u.T``,
    ``np.reshape(u)``..., ``as_sequence(u)`` (a loop over ``u``); else None."""
    if isinstance(v, gast.Name):
        return v.id
    if isinstance(v, gast.Subscript) and isinstance(v.value, gast.Name):
        return v.value.id
    if isinstance(v, gast.Attribute) and v.attr == "T" and isinstance(v.value, gast.Name):
        return v.value.id
    if isinstance(v, gast.Call) and v.args and isinstance(v.args[0], gast.Name):
        obj = resolver.callable(v.func)
        if getattr(obj, "__name__", "") in _VIEW_MAKERS or obj is R.as_sequence:
            return v.args[0].id
    return None


def _held(v):
    """Names a container literal holds (list/tuple/set entries, dict values)."""
    if isinstance(v, (gast.List, gast.Tuple, gast.Set)):
        return [e.id for e in v.elts if isinstance(e, gast.Name)]
    if isinstance(v, gast.Dict):
        return [e.id for e in v.values if isinstance(e, gast.Name)]
    return []


def _stored_into(s):
    """(holder, name) for ``holder.append(name)``/``insert``/``add``/``setdefault`` and
    ``holder[k] = name``: the holder may keep ``name`` itself (a list, a dict)."""
    out = []
    if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and \
            isinstance(s.value.func, gast.Attribute) and \
            isinstance(s.value.func.value, gast.Name) and \
            s.value.func.attr in ("append", "insert", "add", "setdefault", "extend"):
        holder = s.value.func.value.id
        for a in s.value.args:
            out += [(holder, a.id)] if isinstance(a, gast.Name) else \
                [(holder, n) for n in _held(a)]
    if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Subscript) and \
            isinstance(s.targets[0].value, gast.Name) and isinstance(s.value, gast.Name):
        out.append((s.targets[0].value.id, s.value.id))
    return out


def _written(s):
    """The name ``s`` writes into in place (``n[i] = v``, ``n op= v``, ``n.append(v)``)."""
    if isinstance(s, gast.Assign):
        t = s.targets[0]
        if isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name):
            return t.value.id
        if isinstance(t, gast.Name) and anno.has(s, anno.AugAssign):
            return t.id
    if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call):
        f = s.value.func
        if isinstance(f, gast.Attribute) and isinstance(f.value, gast.Name) and \
                f.attr in _INPLACE_METHODS:
            return f.value.id
    return None


def _reads(s):
    """Names ``s`` itself reads (a compound statement: only its header)."""
    if blocks_of(s):
        part = getattr(s, "test", None) or getattr(s, "iter", None)
        found = nodes(part) if part is not None else ()
    else:
        found = nodes(s)
    return {n.id for n in found if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


def _bound(s):
    if isinstance(s, gast.Assign):
        return {n.id for t in s.targets for n in nodes(t)
                if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
                and t is not None and not isinstance(t, gast.Subscript)}
    if isinstance(s, gast.For):
        return {s.target.id} if isinstance(s.target, gast.Name) else set()
    return set()


class _Aliases:
    """Forward dataflow over statements: which pairs of names may share memory, and which
    of them were written in place through one name while the other is still read."""

    lowered = False  # whether the view lowering's own `_k = u[..]` make pairs

    def __init__(self, resolver):
        self.resolver = resolver
        self.guard = set()  # creating statements that need the run-time check
        self.holders = set()  # (container, held name) pairs: one-way sharing

    def pair(self, live, name, src, s, holds=False):
        """``name`` may share memory with ``src``, and so with what ``src`` may share
        memory with (``w = v`` of ``v = y[1:]``: ``w`` and ``y`` too).  ``holds``: the
        container ``name`` holds ``src`` (a write into ``src`` is seen through ``name``,
        an edit of the container is not a write into ``src``)."""
        if name == src:
            return live
        out = {(name, src, s)}
        for p in live:
            if src in p[:2]:
                other = p[1] if p[0] == src else p[0]
                if other != name:
                    out.add((name, other, s))
        if holds:
            self.holders |= {p[:2] for p in out}
        return live | out

    def run(self, stmts, live, dirty):
        for s in stmts:
            live, dirty = self.stmt(s, live, dirty)
        return live, dirty

    def stmt(self, s, live, dirty):
        for pair, other in dirty:
            if other in _reads(s):
                self.guard.add(pair)  # read through the other name after the write
        w = _written(s)
        if w is not None:
            dirty = dirty | {(p, p[1] if p[0] == w else p[0]) for p in live if w in p[:2]
                             and not (p[0] == w and p[:2] in self.holders)}
        bound = _bound(s)
        if bound and not (w is not None and w in bound):
            live = {p for p in live if not (set(p[:2]) & bound)}
            # a write already made through a rebound name stays seen by the other name
            dirty = {(p, o) for p, o in dirty if o not in bound}
        if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and \
                not anno.has(s, anno.AugAssign) and (
                    self.lowered or not anno.has(s, anno.ViewLowered)):
            src = _alias_source(s.value, self.resolver)
            if src is not None and src != s.targets[0].id:
                live = self.pair(live, s.targets[0].id, src, s)
            for held in _held(s.value):  # [y], (v, 1), {"a": y}: the container holds them
                live = self.pair(live, s.targets[0].id, held, s, holds=True)
        for holder, held in _stored_into(s):  # lst.append(y), d[k] = y
            live = self.pair(live, holder, held, s, holds=True)
        blocks = blocks_of(s)
        if blocks:
            outs = []
            loop = is_loop(s)
            for _, block in blocks:
                lv, dt = live, dirty
                for _ in range(2 if loop else 1):  # around the back edge once more
                    lv, dt = self.run(block, lv | live, dt | dirty)
                outs.append((lv, dt))
            for lv, dt in outs:
                live, dirty = live | lv, dirty | dt
        return live, dirty


def restored_for_views(body, needed, resolver) -> set:
    """Arrays written in place (``u[i] = v``, ``u op= v``) that share memory, at the
    write, with a name the adjoint reads (``w = u[1:3]`` read by the adjoint of a
    statement before the write; the views the view lowering made included): their
    overwritten entries must be put back when the adjoint passes the write, or ``w``
    would hold the new values.  (An adjoint that reads ``u`` itself restores it anyway;
    one that only updates ``bu`` in place does not read it.)

    >>> t = gast.parse("w = u[1:3]\\ny = w * w\\nu[1] = s\\nw = 2.0 * s\\nu[2] = w").body
    >>> sorted(restored_for_views(t, {"w"}, None)), sorted(restored_for_views(t[3:], {"w"}, None))
    (['u'], [])
    """
    if not any(_written(st) is not None for st, _ in statements(body)):
        return set()  # (nothing written in place: no dataflow to run)
    flow = _SharedAtWrites(resolver)
    flow.run(body, frozenset(), frozenset())
    return {u for u, names in flow.shared.items() if u not in needed and names & needed}


class _SharedAtWrites(_Aliases):
    """The forward dataflow, keeping for each name written in place the names that may
    share its memory at a write."""

    lowered = True  # (pairs made by the view lowering count: `_k1 = u[:2]` is a view)

    def __init__(self, resolver):
        super().__init__(resolver)
        self.shared = {}

    def stmt(self, s, live, dirty):
        w = _written(s)
        if w is not None:
            self.shared.setdefault(w, set()).update(
                p[1] if p[0] == w else p[0] for p in live if w in p[:2])
        return super().stmt(s, live, dirty)


def guard_views(tree, unit, resolver):
    """After each statement creating a possible alias (``v = y[...]``, ``b = a``, a loop
    over ``A``...) that is written in place through one name and then read through the
    other, insert ``check_no_view``: it raises at run time when the two really share
    memory (``x[0]`` of a vector does not).  True when it inserted any."""
    flow = _Aliases(resolver)
    flow.run(tree.body, frozenset(), frozenset())
    if not flow.guard:
        return False
    by_stmt = {}
    for t, src, st in flow.guard:
        by_stmt.setdefault(st, []).append((t, src))

    def add(st):
        if st not in by_stmt:
            return st
        out = [st]
        filename, line = unit.where(st)
        for name, base in sorted(by_stmt[st]):
            call = N.call(unit.ref(R.check_no_view), [
                N.name(name), N.name(base), N.const(name), N.const(base), N.const(filename),
                N.const(line)])
            out.append(N.copy_loc(N.expr_stmt(call), st))
        return out

    tree.body = rebuild(tree.body, add)
    return True


def check_views(body, written, unit, facts):
    """Writing into a view of another array would change that array behind our back."""
    for s, _ in statements(body):
        if not (isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)) or \
                anno.has(s, anno.ViewLowered):
            continue
        name = s.targets[0].id
        if name not in written:
            continue
        v = s.value
        view = isinstance(v, gast.Subscript) or (
            isinstance(v, gast.Attribute) and v.attr == "T")
        if isinstance(v, gast.Call):
            view = getattr(facts.callable(v.func), "__name__", "") in _VIEW_MAKERS
        if isinstance(v, gast.Name) and v.id in facts.params:
            view = True
        if view and name in facts.varied | set(facts.params):
            filename, line = unit.where(s)
            raise UnsupportedConstructError(
                f"`{name}` may be a view of another array (or an alias of an argument) and "
                "is written in place later; writing through a view is not supported: "
                f"make a copy first ({name} = ....copy())", filename=filename, lineno=line)


def writes_into_params(fdef, env=None) -> dict:
    """Parameters of the (parsed, not yet normalized) function ``fdef`` that it writes into
    in place: ``p[i] = v``, ``p.append(v)``, ``p.fill(v)``, a mutating NumPy call
    (-> "write"), ``p op= v`` (-> "aug": in place only for an array), or the same through
    a name bound to ``p`` or a slice of it.  ``env`` (the function's ``resolve.Env``)
    resolves the callee of a NumPy call however it is spelled (``from numpy import
    copyto``, ``npx = numpy``); without it only ``np.``/``numpy.`` chains are seen."""
    params = {a.id for a in fdef.args.args + fdef.args.kwonlyargs + fdef.args.posonlyargs}
    holders = set(params)
    out = {}
    of = {p: p for p in params}
    for s, _ in statements(fdef.body):
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and \
                isinstance(s.targets[0], gast.Name):
            src = s.value.value if isinstance(s.value, gast.Subscript) else s.value
            if isinstance(src, gast.Name) and src.id in holders:
                holders.add(s.targets[0].id)
                of[s.targets[0].id] = of[src.id]
            elif s in fdef.body:  # rebound to a new value on every path (`p = p.copy()`)
                holders.discard(s.targets[0].id)
        targets = s.targets if isinstance(s, gast.Assign) else \
            [s.target] if isinstance(s, gast.AugAssign) else []
        for t in targets:
            root = t
            while isinstance(root, gast.Subscript):
                root = root.value
            if isinstance(root, gast.Name) and root.id in holders and (
                    root is not t or isinstance(s, gast.AugAssign)):
                kind = "aug" if root is t else "write"
                if out.get(of[root.id]) != "write":
                    out[of[root.id]] = kind
        if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call):
            f = s.value.func
            if isinstance(f, gast.Attribute) and isinstance(f.value, gast.Name) and \
                    f.value.id in holders and f.attr in _INPLACE_METHODS:
                out[of[f.value.id]] = "write"
        for p in _numpy_writes(s, holders, env):
            out[of[p]] = "write"
    return out


def _numpy_writes(s, holders, env=None):
    """Holders a NumPy call in statement ``s`` writes into: ``np.copyto(p, v)`` and the
    other mutating functions (their first argument), ``np.add.at(p, ...)``, any
    ``out=p``.  The callee is resolved by ``env`` when given (any spelling), else read
    from a ``np.``/``numpy.`` chain (the helper's ``np`` taken to be NumPy)."""
    own = [s.value] if isinstance(s, (gast.Expr, gast.Assign, gast.AugAssign, gast.Return)) \
        and s.value is not None else []
    for call in (n for e in own for n in gast.walk(e) if isinstance(n, gast.Call)):
        for k in call.keywords:
            if k.arg == "out":
                for e in (k.value.elts if isinstance(k.value, gast.Tuple) else [k.value]):
                    if isinstance(e, gast.Name) and e.id in holders:
                        yield e.id
        first = call.args[0] if call.args else None
        if isinstance(first, gast.Name) and first.id in holders and \
                _mutating_callee(call.func, env):
            yield first.id


def _mutating_callee(func, env):
    """Is ``func`` (a call's callee node) a NumPy function writing into its first
    argument: ``np.copyto``/``put``/``place``/... or a ``ufunc.at``?"""
    import numpy as np

    from .analysis.effects import mutates_first_argument

    obj = None
    if env is not None:
        from ..frontend.resolve import LOCAL, MISSING

        obj = env.lookup(func)
        if obj is LOCAL or obj is MISSING:
            obj = None
    if obj is None:
        path, f = [], func
        while isinstance(f, gast.Attribute):
            path.append(f.attr)
            f = f.value
        if not (isinstance(f, gast.Name) and f.id in ("np", "numpy") and path):
            return False
        obj = np
        for a in reversed(path):
            obj = getattr(obj, a, None)
    return mutates_first_argument(obj)
