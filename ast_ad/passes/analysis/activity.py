"""Activity and overwrites over a normalized function.

- ``varied``: names whose value may depend on a ``wrt`` parameter;
- ``useful``: names whose value may reach the returned value;
  active = varied and useful (only active statements get an adjoint);
- ``overwrites``: the assignment statements whose target may already hold a value when
  they run (a parameter, an earlier definition, or any definition in an enclosing loop);
  only those can need their old value saved on the stack.

>>> import gast
>>> src = ("def f(x, c):\\n    p = x\\n    for i in r:\\n        p = p * c\\n"
...        "    q = c + 1\\n    return p")
>>> t = gast.parse(src).body[0]
>>> v = varied(t.body, {"x"}, lambda value: False)
>>> sorted(v), sorted(useful(t.body, "p") & v)
(['p', 'x'], ['p', 'x'])
>>> [gast.unparse(s).strip() for s in t.body[1].body if s in overwrites(t.body, ["x", "c"])]
['p = p * c']
"""

from __future__ import annotations

import gast

from ...ir import nodes as N
from ...ir.walk import blocks_of, is_loop, name_nodes, statements


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
    return [n.id for n in name_nodes(value) if isinstance(n.ctx, gast.Load)]


def return_name(fdef):
    last = fdef.body[-1] if fdef.body else None
    if isinstance(last, gast.Return) and isinstance(last.value, gast.Name):
        return last.value.id
    return None


def _operand_sets():
    """``operands`` as a set, remembered per node for one fixed-point loop (whose
    statements do not change while it runs)."""
    memo = {}

    def of(node):
        got = memo.get(id(node))
        if got is None:
            got = memo[id(node)] = (frozenset(operands(node)), node)  # (node: kept alive)
        return got[0]

    return of


def varied(body, seed, nondiff_value) -> frozenset:
    """``nondiff_value(value_node) -> bool``: True for values that carry no derivative."""
    out = set(seed)
    operand_set = _operand_sets()
    changed = True
    while changed:
        changed = False
        for s, _ in statements(body):
            if isinstance(s, gast.Assign):
                t = s.targets[0]
                base = t.value.id if isinstance(t, gast.Subscript) else None
                name = t.id if isinstance(t, gast.Name) else base
                if name is None or name in out:
                    continue
                if operand_set(s.value) & out and not nondiff_value(s.value):
                    out.add(name)
                    changed = True
            elif isinstance(s, gast.Expr):
                base = written_base(s)
                if base and base not in out and operand_set(s.value) & out:
                    out.add(base)
                    changed = True
    return frozenset(out)


def useful(body, ret) -> frozenset:
    out = {ret} if ret else set()
    operand_set = _operand_sets()
    changed = True
    while changed:
        changed = False
        for s, _ in statements(body):
            new = set()
            if isinstance(s, gast.Assign):
                t = s.targets[0]
                name = t.id if isinstance(t, gast.Name) else t.value.id \
                    if isinstance(t, gast.Subscript) else None
                if name in out:
                    new = set(operand_set(s.value))
                    if isinstance(t, gast.Subscript):
                        new |= operand_set(t)
                    mb = written_base(s)
                    if mb:
                        new.add(mb)
            elif isinstance(s, gast.Expr):
                if written_base(s) in out:
                    new = set(operand_set(s.value))
            if new - out:
                out |= new
                changed = True
    return frozenset(out)


def overwrites(body, params) -> frozenset:
    """The assignments (and ``for`` loops, for their target) that may overwrite a value."""
    out = set()

    def walk(stmts, defined):
        for s in stmts:
            t = assigned_name(s)
            if t is not None:
                if t in defined:
                    out.add(s)
                defined.add(t)
            elif is_loop(s):
                inner = set(defined) | N.stored_names(s.body)
                if isinstance(s, gast.For):
                    if s.target.id in defined or s.target.id in inner:
                        out.add(s)
                    inner.add(s.target.id)
                walk(s.body, inner)
                defined |= inner
            else:
                branches = [walk(block, set(defined)) for _, block in blocks_of(s)]
                for b in branches:
                    defined |= b
        return defined

    walk(body, set(params))
    return frozenset(out)
