"""Restores nobody reads, with their pushes (issue 13: nothing is pushed that the adjoint
does not read).  The stack is planned before the optimizations; they may leave a
restored value unread (``np.sum(lx * lx)``'s adjoint once ``_t17``'s cotangent is a
scalar times ``lx``: ``_t17 = _pop()`` restores a value no statement reads).  A name
``x`` that the adjoint code never reads once it restores it (a read in the code ahead
of the first top-level statement holding a restore sees the forward's last value: RK4's
``y``, read by the output's adjoint and then only restored, loop trip by loop trip,
for nobody) loses every ``_push(x)`` (or
``_push(shape_token(x))``) of the forward sweep and every ``x = _pop()`` of the
adjoint: each push of ``x`` is popped back into ``x`` (the stack's plan pairs them by
name), so the other pushes and pops keep their order.

Before::

    for i in _r1:
        _push(shape_token(_t17))
        _t17 = lx * lx
        ...
    for i in _r1[::-1]:
        blx = 2.0 * (0.5 * -b_t20 * lx)
        _t17 = _pop()

After::

    for i in _r1:
        _t17 = lx * lx
        ...
    for i in _r1[::-1]:
        blx = 2.0 * (0.5 * -b_t20 * lx)

Executed:

>>> import numpy as np, ast_ad
>>> def f(x):
...     s = 0.0
...     for i in range(3):
...         v = x * (i + 1.0)
...         s = s + np.sum(v * v)
...     return s
>>> g = ast_ad.grad(f)
>>> src = ast_ad.source(g, np.array([0.5, -1.0]))
>>> "_t" in src.split("_pop = _stack.pop")[1].split("= _pop()")[0][-12:]
False
>>> g(np.array([0.5, -1.0]))
array([ 14., -28.])
"""

from __future__ import annotations

from dataclasses import replace

import gast

from ... import runtime as R
from ...ir import nodes as N
from ...ir.walk import blocks_of, name_nodes, nodes, statements
from .stack import stack_method


def rewrite(sw, unit):
    """``sw`` without the pushes and pops of names the adjoint code never reads."""
    if sw.kind not in ("joint", "split"):
        return sw
    push = stack_method(sw.head, "append")
    pop = stack_method(list(sw.tail) + list(sw.bwd_head or []), "pop")
    if push is None or pop is None:
        return sw
    push, pop = push[0], pop[0]
    token = N.key(unit.ref(R.shape_token)) if unit is not None else None
    first = {}  # restored name -> the first top-level statement of the adjoint holding one
    for k, top in enumerate(sw.tail):
        for st in _all([top]):
            if _is_pop(st, pop):
                first.setdefault(st.targets[0].id, k)
    # read at or after its first restore: a read before it (the code ahead of the loop that
    # restores y, with y's last forward value) needs none of the restored values
    read = {n.id for k, top in enumerate(sw.tail) for n in name_nodes(top)
            if isinstance(n.ctx, gast.Load) and k >= first.get(n.id, len(sw.tail))}

    def _is_push(st, push):  # `_push(x)`, or `_push(shape_token(x))` restored into x
        return _pushed(st, push, token) is not None

    popped = set(first)
    if not popped - read:
        return sw  # (most code: every restored value is read)
    pushed = {_pushed(st, push, token) for st in _all(sw.fwd) if _is_push(st, push)}
    # (a name pushed some other way -- in a tuple, an expression -- is left alone)
    others = {n.id for st in _all(list(sw.fwd) + list(sw.tail)) if not blocks_of(st)
              and _calls(st, push) and not _is_push(st, push) for n in nodes(st)
              if isinstance(n, gast.Name)}
    if any(_calls(st, pop) and not _is_pop(st, pop) for st in _all(sw.tail)
           if not blocks_of(st)):
        return sw  # (a pop of another form -- a bare `_pop()` -- pairs with what?)
    drop = (pushed & popped) - read - others
    if not drop:
        return sw

    def block(stmts, test):
        out = []
        for st in stmts:
            if test(st):
                continue
            for _, inner in blocks_of(st):
                new = block(list(inner), test)
                inner[:] = new if new or not inner else [gast.Pass()]
            out.append(st)
        return out

    fwd = block(list(sw.fwd), lambda st: _pushed(st, push, token) in drop)
    tail = block(list(sw.tail), lambda st: _is_pop(st, pop) and st.targets[0].id in drop)
    return replace(sw, fwd=fwd, tail=tail)


def _all(stmts):
    return (st for st, _ in statements(stmts))


def _calls(st, name):
    return any(isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and
               n.func.id == name for n in nodes(st))


def _pushed(st, push, token):
    """``x`` of ``_push(x)`` or ``_push(shape_token(x))``, else None."""
    v = getattr(st, "value", None)
    if not (isinstance(st, gast.Expr) and isinstance(v, gast.Call) and
            isinstance(v.func, gast.Name) and v.func.id == push and len(v.args) == 1):
        return None
    a = v.args[0]
    if token is not None and isinstance(a, gast.Call) and N.key(a.func) == token and \
            len(a.args) == 1 and not a.keywords:
        a = a.args[0]
    return a.id if isinstance(a, gast.Name) else None


def _is_pop(st, pop):
    v = getattr(st, "value", None)
    return isinstance(st, gast.Assign) and len(st.targets) == 1 and \
        isinstance(st.targets[0], gast.Name) and isinstance(v, gast.Call) and \
        isinstance(v.func, gast.Name) and v.func.id == pop and not v.args
