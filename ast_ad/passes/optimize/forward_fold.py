"""Forward temporaries folded back into their one reader (issue 13: scalar loops).

The normal form gives every operation its own temporary; in CPython each costs a store
and a load, a fifth of a scalar step's time.  A forward temporary ``_tK = e`` that is read
exactly once in the whole generated code, by a later statement of the same block and of
the same user line, moves into that read when

- ``e`` has no effects (arithmetic, comparisons, ufuncs, ``math`` functions: the
  resolver's ``pure_value`` on every call in it), and is no subscript or attribute read;
- every statement in between only binds names ``e`` does not read, from values without
  effects, or pushes onto the stack (nothing in between can change what ``e`` reads);
- in the reading statement, every call that runs before the read (not one the read is an
  argument of) has no effects, and the read is not under a short circuit (``and``,
  ``or``, ``if else``), a lambda or a comprehension (it would run a different number of
  times).

``e`` is then evaluated after the statements it skipped, with the same operands, once.

Before::

    for i in _r1:
        _t1 = c * y
        _t2 = math.sin(y)
        _t3 = 0.001 * _t2
        _push(y)
        y = _t1 + _t3

After::

    for i in _r1:
        _push(y)
        y = c * y + 0.001 * math.sin(y)

Executed:

>>> import math, ast_ad
>>> def f(y, c):
...     for i in range(3):
...         y = c * y + 0.001 * math.sin(y)
...     return y
>>> src = ast_ad.source(ast_ad.grad(f, wrt=(0, 1)), 0.5, 0.9)
>>> "y = c * y + 0.001 * math.sin(y)" in src, "_t1 = c * y" in src
(True, False)
"""

from __future__ import annotations

import gast

from ...ir import nodes as N
from ...ir.walk import blocks_of, name_nodes, nodes, nodes_of
from .common import counts
from .inline import _MAX, _TEMP, _size, _target

_LAZY = (gast.BoolOp, gast.IfExp, gast.Lambda, gast.ListComp, gast.SetComp, gast.DictComp,
         gast.GeneratorExp, gast.NamedExpr, gast.Yield, gast.YieldFrom, gast.Await)


def fold_forward(fwd, others, pure_value, pushes):
    """``fwd`` with single-use temporaries folded into their readers; ``others``: the
    rest of the generated code (their reads count); ``pushes``: the stack's push names."""
    loads, stores = counts(list(fwd) + list(others))

    def effect_free(e):
        return not any(isinstance(n, _LAZY) for n in nodes(e)) and all(
            pure_value(n) for n in nodes_of(e, gast.Call))

    def candidate(d):
        t = _target(d)
        return t if t is not None and _TEMP.match(t) and stores.get(t) == 1 and \
            loads.get(t) == 1 else None

    def foldable(d):
        t = candidate(d)
        if t is None:
            return None
        e = d.value
        if not isinstance(e, (gast.BinOp, gast.UnaryOp, gast.Call, gast.Compare)) or \
                not effect_free(e) or any(isinstance(n, (gast.Subscript, gast.Attribute))
                                          and not _is_func(n, e) for n in nodes(e)):
            return None
        return t

    def skippable(s, reads):
        if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and \
                isinstance(s.value.func, gast.Name) and s.value.func.id in pushes and \
                all(N.is_atom(a) for a in s.value.args):
            return True
        if not (isinstance(s, gast.Assign) and len(s.targets) == 1):
            return False
        tgt = s.targets[0]
        names = [tgt] if isinstance(tgt, gast.Name) else list(getattr(tgt, "elts", [None]))
        if not all(isinstance(x, gast.Name) and x.id not in reads for x in names):
            return False
        return effect_free(s.value)

    def block(stmts):
        for s in stmts:
            for _, inner in blocks_of(s):
                inner[:] = block(list(inner))
        if not any(candidate(s) for s in stmts):
            return stmts
        names = [{n.id for n in name_nodes(s)} for s in stmts]
        i = 0
        while i < len(stmts):
            d = stmts[i]
            t = foldable(d)
            j = next((j for j in range(i + 1, len(stmts)) if t in names[j]), None) \
                if t is not None else None
            if j is None or not _reader_ok(stmts[j], t) or \
                    getattr(stmts[j], "lineno", None) is None or \
                    getattr(stmts[j], "lineno", None) != getattr(d, "lineno", None):
                i += 1
                continue
            reads = {n.id for n in name_nodes(d.value)}
            if not all(skippable(s, reads) for s in stmts[i + 1:j]) or \
                    not _read_ok(stmts[j], t, pure_value) or \
                    _size(stmts[j].value) + _size(d.value) > _MAX:
                i += 1
                continue
            stmts[j].value = N.replace_loads(stmts[j].value, t, d.value)
            names[j] |= names[i]
            del stmts[i], names[i]
            i = max(i - 1, 0)  # a temporary before it may now fold into the same reader
        return stmts

    return block(list(fwd))


def _is_func(n, e):
    """``math.sin`` as the function of a call in ``e`` (not a value read)."""
    return isinstance(n, gast.Attribute) and any(
        isinstance(c, gast.Call) and c.func is n for c in nodes(e))


def _reader_ok(s, t):
    """``s``, the statement that reads ``t``, is a simple one reading it in its value."""
    if blocks_of(s) or not isinstance(s, (gast.Assign, gast.Expr, gast.Return)) or \
            getattr(s, "value", None) is None:
        return False
    return not (isinstance(s, gast.Assign) and any(
        isinstance(n, gast.Name) and n.id == t for x in s.targets for n in nodes(x)))


def _read_ok(s, t, pure_value):
    """The read of ``t`` in ``s.value`` is evaluated exactly once, and every call that
    runs before it (one it is not an argument of) has no effects."""
    path = _path(s.value, t)
    if path is None or any(isinstance(n, _LAZY) for n in path):
        return False
    on_path = {id(n) for n in path}
    return all(pure_value(n) for n in nodes(s.value)
               if isinstance(n, gast.Call) and id(n) not in on_path)


def _path(e, t):
    """The nodes from ``e`` down to its load of ``t`` (None if not exactly one)."""
    found = []

    def walk(n, trail):
        if isinstance(n, gast.Name) and n.id == t:
            found.append(trail + [n])
            return
        for f in n._fields:
            v = getattr(n, f, None)
            for c in (v if isinstance(v, list) else [v]):
                if isinstance(c, gast.AST):
                    walk(c, trail + [n])

    walk(e, [])
    return found[0] if len(found) == 1 else None
