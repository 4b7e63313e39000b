"""Analyses over a normalized function: activity, definitions, shape classes.

- ``varied``: names whose value may depend on a ``wrt`` parameter;
- ``useful``: names whose value may reach the returned value;
  active = varied and useful (only active statements get an adjoint);
- ``overwrites``: for every assignment site, whether the target may already hold a value
  there (a parameter, an earlier definition, or any definition in an enclosing loop); only
  such sites can need their old value saved on the stack;
- ``shape_class``: names proven to have the same shape share a class (``x``, ``np.sin(x)``,
  ``x * 0.9`` all have the class of ``x``), so ``unbroadcast`` is dropped between them.

Example: for ``p = x; for i in range(3): p = np.sin(p) * 0.9 + x * 0.1``
varied = useful = {x, p, ...}, p's loop assignment overwrites, and every temporary has
the shape class of ``x``.
"""

from __future__ import annotations

import gast

from . import nodes as N

ELEMENTWISE_OPS = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow, gast.Mod, gast.FloorDiv)


def iter_stmts(stmts, loop_depth=0):
    """Yield (stmt, loop_depth) for every statement, depth-first in program order."""
    for s in stmts:
        yield s, loop_depth
        if isinstance(s, gast.If):
            yield from iter_stmts(s.body, loop_depth)
            yield from iter_stmts(s.orelse, loop_depth)
        elif isinstance(s, (gast.For, gast.While)):
            yield from iter_stmts(s.body, loop_depth + 1)


def assigned_name(s):
    if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name):
        return s.targets[0].id
    return None


def written_base(s):
    """The array/list/dict name written by ``x[i] = v`` or mutated by ``x.append(v)``."""
    if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Subscript):
        return s.targets[0].value.id
    if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call):
        f = s.value.func
        if isinstance(f, gast.Attribute) and isinstance(f.value, gast.Name) and \
                f.attr in ("append", "extend", "insert", "pop", "update", "setdefault"):
            return f.value.id
    if isinstance(s, gast.Assign) and isinstance(s.value, gast.Call):
        f = s.value.func
        if isinstance(f, gast.Attribute) and isinstance(f.value, gast.Name) and f.attr == "pop":
            return f.value.id
    return None


def operands(value):
    """Names read by one normalized right-hand side."""
    return [n.id for n in gast.walk(value) if isinstance(n, gast.Name)
            and isinstance(n.ctx, gast.Load)]


class Analysis:
    def __init__(self, fdef, wrt, nondiff_value):
        """``nondiff_value(value_node) -> bool``: True for values that carry no derivative."""
        self.fdef = fdef
        self.params = [a.id for a in fdef.args.args] + [a.id for a in fdef.args.kwonlyargs]
        self.body = fdef.body
        self.ret = _return_name(fdef)
        self.nondiff_value = nondiff_value
        self.varied = self._varied(set(wrt))
        self.useful = self._useful()
        self.active = self.varied & self.useful
        self.overwrites = self._overwrites()
        self.n_defs = {}
        for s, _ in iter_stmts(self.body):
            t = assigned_name(s)
            if t is not None:
                self.n_defs[t] = self.n_defs.get(t, 0) + 1

    def _varied(self, seed):
        varied = set(seed)
        changed = True
        while changed:
            changed = False
            for s, _ in iter_stmts(self.body):
                if isinstance(s, gast.Assign):
                    t = s.targets[0]
                    reads = set(operands(s.value))
                    base = t.value.id if isinstance(t, gast.Subscript) else None
                    name = t.id if isinstance(t, gast.Name) else base
                    if name is None or name in varied:
                        continue
                    if reads & varied and not self.nondiff_value(s.value):
                        varied.add(name)
                        changed = True
                elif isinstance(s, gast.Expr):
                    base = written_base(s)
                    if base and base not in varied and set(operands(s.value)) & varied:
                        varied.add(base)
                        changed = True
                elif isinstance(s, gast.For):
                    pass  # the loop index is an int
        return varied

    def _useful(self):
        useful = {self.ret} if self.ret else set()
        changed = True
        while changed:
            changed = False
            for s, _ in iter_stmts(self.body):
                new = set()
                if isinstance(s, gast.Assign):
                    t = s.targets[0]
                    name = t.id if isinstance(t, gast.Name) else t.value.id \
                        if isinstance(t, gast.Subscript) else None
                    if name in useful:
                        new = set(operands(s.value))
                        if isinstance(t, gast.Subscript):
                            new |= set(operands(t))
                        mb = written_base(s)
                        if mb:
                            new.add(mb)
                elif isinstance(s, gast.Expr):
                    base = written_base(s)
                    if base in useful:
                        new = set(operands(s.value))
                if new - useful:
                    useful |= new
                    changed = True
        return useful

    def _overwrites(self):
        """id(stmt) -> True if its target may already be defined when it runs."""
        out = {}

        def walk(stmts, defined):
            for s in stmts:
                t = assigned_name(s)
                if t is not None:
                    out[id(s)] = t in defined
                    defined.add(t)
                elif isinstance(s, gast.If):
                    a = walk(s.body, set(defined))
                    b = walk(s.orelse, set(defined))
                    defined |= a | b
                elif isinstance(s, (gast.For, gast.While)):
                    inner = set(defined) | N.stored_names(s.body)
                    if isinstance(s, gast.For):
                        out[id(s)] = s.target.id in defined or s.target.id in inner
                        inner.add(s.target.id)
                    walk(s.body, inner)
                    defined |= inner
            return defined

        walk(self.body, set(self.params))
        return out

    # -- shapes ---------------------------------------------------------------------------
    def shape_classes(self, elementwise, scalar_params=(), scalar_call=lambda v: False):
        """name -> class; names in one class have equal shapes ('?' = unknown)."""
        cls = {p: ("scalar" if p in scalar_params else "p:" + p) for p in self.params}
        defs = [(s.targets[0].id, s.value) for s, _ in iter_stmts(self.body)
                if assigned_name(s) is not None]
        for_targets = {s.target.id for s, _ in iter_stmts(self.body) if isinstance(s, gast.For)}
        shape_tuples = {name for name, v in defs if isinstance(v, gast.Attribute)
                        and v.attr == "shape"}
        for t in for_targets:
            cls[t] = "?"
        assigned = {d[0] for d in defs}

        def of(a):
            if isinstance(a, gast.Constant) and a.value is None:
                return None  # a pre-initialisation (generated code): no shape information
            if isinstance(a, gast.Constant):
                return "scalar" if isinstance(a.value, (int, float)) and \
                    not isinstance(a.value, bool) else "?"
            if isinstance(a, gast.Name):
                return cls.get(a.id, "?" if a.id not in assigned else None)
            return "?"

        def join(a, b):
            if a is None:
                return b
            if b is None:
                return a
            if a == b:
                return a
            if a == "scalar" or b == "scalar":
                return "?"
            return "?"

        def value_class(v):
            if N.is_atom(v):
                return of(v)
            if isinstance(v, gast.BinOp) and isinstance(v.op, ELEMENTWISE_OPS):
                return bcast(of(v.left), of(v.right))
            if isinstance(v, gast.UnaryOp) and isinstance(v.op, (gast.USub, gast.UAdd)):
                return of(v.operand)
            if isinstance(v, gast.Call) and not v.keywords and elementwise(v.func) \
                    and 1 <= len(v.args) <= 2:
                c = of(v.args[0])
                for a in v.args[1:]:
                    c = bcast(c, of(a))
                return c
            if isinstance(v, gast.Call) and scalar_call(v):
                return "scalar"  # a full reduction, len(), ...: one number
            if isinstance(v, gast.Attribute) and v.attr in ("ndim", "size"):
                return "scalar"
            if isinstance(v, gast.Subscript) and isinstance(v.value, gast.Name) and \
                    v.value.id in shape_tuples and not isinstance(v.slice, gast.Slice):
                return "scalar"  # x.shape[0]
            return "?"

        def bcast(a, b):
            if a is None or b is None:
                return None
            if a == "scalar":
                return b
            if b == "scalar":
                return a
            return a if a == b else "?"

        # a name defined once, outside every loop, is its own class when nothing better
        # is known ("v:d"), so `d * d` is known to have d's shape
        depth = {}
        for st, dep in iter_stmts(self.body):
            name = assigned_name(st)
            if name is not None:
                depth.setdefault(name, []).append(dep)
        single = {t for t, ds in depth.items() if len(ds) == 1 and ds[0] == 0}
        for _ in range(50):
            new = dict(cls)
            for t in assigned:
                c = cls.get(t) if t in self.params else None
                for name, v in defs:
                    if name == t:
                        c = join(c, value_class(v))
                if c == "?" and t in single and t not in self.params:
                    c = "v:" + t
                new[t] = c
            if new == cls:
                break
            cls = new
        return {k: (v if v is not None else "?") for k, v in cls.items()}


def _return_name(fdef):
    last = fdef.body[-1] if fdef.body else None
    if isinstance(last, gast.Return) and isinstance(last.value, gast.Name):
        return last.value.id
    return None
