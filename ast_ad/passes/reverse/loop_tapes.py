"""Per-loop tapes (issue 13, the cheap-gradient bound): a loop whose forward body pushes
a fixed number of values on every trip records them in lists of its own, and its
reversed loop reads them by iterating those lists backwards instead of popping the stack
(a ``pop()`` call per value is a fifth of a scalar step's adjoint in CPython).

A forward loop ``for i in R`` in no other loop (a loop run once per call: a tape costs
about as much as the pops of 10-20 trips, so a short inner loop run many times would
lose) qualifies, with its reversed loop ``for i in R[::-1]``, when each of its pushes is
a statement of its own body (not under an ``if`` or a nested loop), nothing else in it
uses the stack, it cannot leave early (no ``break``, ``continue``, ``return``: every trip
pushes the same values), and the reversed loop's only uses of the stack are
``v = pop()`` statements of its own body, as many as there are pushes.  A tape of values
that are surely Python floats (``exact_floats``) over a range of at least
``runtime.fastpaths.TYPED_TAPE_TRIPS`` trips is an ``array('d')`` (``float_tape(R)``: 8
bytes a value, against 32 for a list slot and its float object, for ~10% more time).

The k tapes ``L1..Lk`` (one per push) are pushed on the stack as one tuple after the loop
and popped before the reversed loop, so a loop in a branch, and split functions (the
stack travels in the record), keep the stack's order.  The reversed loop
iterates ``zip(R[::-1], reversed(L1), ...)`` (without ``R[::-1]`` when nothing reads
``i``) and each ``v = pop()`` becomes ``v = <its list's value>``.

``loop_tape(popped, R)`` returns ``popped``; it keeps ``R`` in the text so that code
differentiated again, or compiled by numba, takes the plain loop back
(``frontend.parse.drop_fast_paths``).

Before::

    for i in _r1:
        _push(y)
        y = c * y + 0.001 * math.sin(y)
    ...
    for i in _r1[::-1]:
        b_t1 = by
        y = _pop()
        bc += b_t1 * y

After (``y`` and ``c`` Python floats)::

    _tape = float_tape(_r1)
    _tapa = _tape.append
    for i in _r1:
        _tapa(y)
        y = c * y + 0.001 * math.sin(y)
    _push((_tape,))
    ...
    (_tape,) = loop_tape(_pop(), _r1)
    for _tapv in reversed(_tape):
        b_t1 = by
        y = _tapv
        bc += b_t1 * y

(a body that opens with ``y = _tapv`` loops ``for y in reversed(_tape):`` instead).

Executed:

>>> import math, ast_ad
>>> def f(y, c):
...     for step in range(4):
...         y = math.cos(y) * c + y
...     return y
>>> g = ast_ad.grad(f, wrt=(0, 1))
>>> src = ast_ad.source(g, 0.5, 0.9)
>>> "in zip(reversed(_tape), reversed(_tape_1))" in src  # (y and cos(y) kept per step)
True
>>> "_pop()\\n" in src.split("loop_tape")[1]
False
>>> y, c, h = 0.5, 0.9, 1e-6
>>> abs(g(y, c)[1] - (f(y, c + h) - f(y, c - h)) / (2 * h)) < 1e-8
True
"""

from __future__ import annotations

from dataclasses import replace

import gast

from ... import runtime as R
from ...frontend.plain_tapes import TAPE_VALUE
from ...ir import nodes as N
from ...ir.walk import blocks_of, name_nodes, nodes, rebuild
from .exact_floats import exact_floats
from .stack import stack_method

_EXITS = (gast.Break, gast.Continue, gast.Return, gast.Yield, gast.YieldFrom, gast.Try,
          gast.FunctionDef, gast.Lambda)


def rewrite(sw, unit, arg_kinds=None, resolve=None):
    """``sw`` with qualifying forward/reversed loop pairs on per-loop tapes (a tape of
    values that are surely Python floats, ``exact_floats``, is an ``array('d')``)."""
    if sw.kind not in ("joint", "split"):
        return sw
    push = stack_method(sw.head, "append")
    pop = stack_method(list(sw.tail) + list(sw.bwd_head or []), "pop")
    if push is None or pop is None or push[1] != pop[1]:
        return sw
    push, stack, pop = push[0], push[1], pop[0]
    fwd_loops, bwd_loops, other = {}, {}, set()
    seen = set()
    for loop in _loops(sw.fwd):  # (a range two forward loops run over: neither)
        r = _range_name(loop.iter)
        if r is not None:
            (other if r in seen else seen).add(r)
    for loop in _loops(sw.fwd, outer_only=True):
        r = _range_name(loop.iter)
        if r is not None:
            fwd_loops.setdefault(r, loop)
    for loop in _loops(sw.tail):
        r = _reversed_name(loop.iter)
        if r is not None:
            bwd_loops.setdefault(r, []).append(loop)
        elif _range_name(loop.iter) is not None:
            other.add(_range_name(loop.iter))  # (a forward replay in the adjoint)
    stack_names = {push, pop, stack}
    done = {}
    for r, f in sorted(fwd_loops.items()):
        bs = bwd_loops.get(r, [])
        if r in other or not bs:
            continue
        k = _pushes(f, push, stack_names)
        if not k or not all(_pops(b, pop, stack_names, f.target.id) == k for b in bs):
            continue
        done[id(f)] = (f, bs, k)
    if not done:
        return sw
    tail_loads = {}
    for n in name_nodes(list(sw.tail)):
        if isinstance(n.ctx, gast.Load):
            tail_loads[n.id] = tail_loads.get(n.id, 0) + 1
    forward = list(sw.head) + list(sw.fwd)
    ranges = _ranges(forward, resolve)
    long_ranges = {r for r in ranges if _may_be_long(forward, r)} & set(
        _range_name(f.iter) for f, _, _ in done.values())
    exact = exact_floats(forward, arg_kinds or {}, ranges, resolve) \
        if resolve and long_ranges else frozenset()
    exact = {(r, x) for r in long_ranges for x in exact}  # (a typed tape needs the trips)
    fwd = _apply_forward(list(sw.fwd), done, push, unit, exact)
    tail = _apply_reversed(list(sw.tail), done, pop, tail_loads, unit)
    return replace(sw, fwd=fwd, tail=tail)


def _loops(stmts, outer_only=False, inside=False):
    """The ``for`` loops in ``stmts`` (``outer_only``: those in no other loop)."""
    for st in stmts:
        if isinstance(st, gast.For) and not (outer_only and inside):
            yield st
        for _, inner in blocks_of(st):
            yield from _loops(inner, outer_only, inside or isinstance(st, (gast.For,
                                                                           gast.While)))


def _range_name(it):
    return it.id if isinstance(it, gast.Name) else None


def _reversed_name(it):
    """``R`` of ``R[::-1]``."""
    if isinstance(it, gast.Subscript) and isinstance(it.value, gast.Name) and \
            isinstance(it.slice, gast.Slice) and it.slice.lower is None and \
            it.slice.upper is None and isinstance(it.slice.step, gast.Constant) and \
            it.slice.step.value == -1:
        return it.value.id
    return None


def _plain(loop):
    return not loop.orelse and isinstance(loop.target, gast.Name) and not any(
        isinstance(n, _EXITS) for n in nodes(loop.body))


def _is_call_of(st, name, nargs):
    v = st.value if isinstance(st, (gast.Expr, gast.Assign)) else None
    return isinstance(v, gast.Call) and isinstance(v.func, gast.Name) and \
        v.func.id == name and len(v.args) == nargs and not v.keywords


def _pushes(loop, push, stack_names):
    """The number of pushes of a qualifying forward loop (0: it does not qualify)."""
    if not _plain(loop):
        return 0
    k = sum(1 for st in loop.body if isinstance(st, gast.Expr) and _is_call_of(st, push, 1))
    uses = sum(1 for n in name_nodes(loop.body) if n.id in stack_names)
    return k if uses == k else 0


def _pops(loop, pop, stack_names, target):
    """The number of ``v = pop()`` statements of a qualifying reversed loop (-1: none)."""
    if not _plain(loop) or loop.target.id != target:
        return -1
    k = sum(1 for st in loop.body if isinstance(st, gast.Assign) and len(st.targets) == 1
            and isinstance(st.targets[0], gast.Name) and _is_call_of(st, pop, 0))
    uses = sum(1 for n in name_nodes(loop.body) if n.id in stack_names)
    return k if uses == k else -1


def _ranges(stmts, resolve):
    """Names bound once, to ``range(...)``."""
    count, out = {}, set()
    for st in name_nodes(stmts):
        if isinstance(st.ctx, gast.Store):
            count[st.id] = count.get(st.id, 0) + 1
    for st in stmts:
        if isinstance(st, gast.Assign) and len(st.targets) == 1 and \
                isinstance(st.targets[0], gast.Name) and isinstance(st.value, gast.Call) and \
                resolve is not None and resolve(st.value.func) is range:
            out.add(st.targets[0].id)
    return {r for r in out if count.get(r) == 1}


def _may_be_long(stmts, r):
    """Whether ``r = range(...)`` may run ``TYPED_TAPE_TRIPS`` trips (not when its
    arguments are int constants giving fewer: ``range(100)``)."""
    from ...runtime.fastpaths import TYPED_TAPE_TRIPS

    for st in stmts:
        if isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Name) and \
                st.targets[0].id == r and isinstance(st.value, gast.Call):
            args = st.value.args
            if args and all(isinstance(a, gast.Constant) and type(a.value) is int
                            for a in args) and not st.value.keywords:
                try:
                    return len(range(*[a.value for a in args])) >= TYPED_TAPE_TRIPS
                except (TypeError, ValueError):
                    return True
    return True


def _apply_forward(stmts, done, push, unit, exact):
    def one(st):
        job = done.get(id(st)) if isinstance(st, gast.For) else None
        if job is None:
            return st
        out, tapes, adders, typed = [], [], [], []
        for s in st.body:
            if isinstance(s, gast.Expr) and _is_call_of(s, push, 1):
                tapes.append(unit.namer.fresh("_tape"))
                adders.append(unit.namer.fresh("_tapa"))
                a = s.value.args[0]
                typed.append(isinstance(a, gast.Name) and (st.iter.id, a.id) in exact)
                s.value.func = N.name(adders[-1])
        for t, a, d in zip(tapes, adders, typed):
            out.append(N.assign(t, N.call(unit.ref(R.float_tape), [N.clone(st.iter)]) if d else
                                gast.List(elts=[], ctx=gast.Load()), loc=st))
            out.append(N.assign(a, gast.Attribute(value=N.name(t), attr="append",
                                                  ctx=gast.Load()), loc=st))
        out.append(st)
        out.append(N.expr_stmt(N.call(push, [gast.Tuple(
            elts=[N.name(t) for t in tapes], ctx=gast.Load())]), loc=st))
        done[id(st)] = (*job[:3], tapes)
        return out

    return rebuild(stmts, one)


def _restore_of(s, values, targets, index):
    """``s`` is ``y = _tapv`` of a value ``_tapv`` still bound as itself, and ``y`` a
    name no other target of the loop binds (nor the index)."""
    return isinstance(s, gast.Assign) and len(s.targets) == 1 and \
        isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Name) and \
        s.value.id in values and targets[values.index(s.value.id)].id == s.value.id and \
        s.targets[0].id != index and all(x.id != s.targets[0].id for x in targets) and \
        not s.targets[0].id.startswith(TAPE_VALUE)  # (plain_tapes tells them apart)


def _apply_reversed(stmts, done, pop, tail_loads, unit):
    by_loop = {id(b): job for job in done.values() for b in job[1]}

    def one(st):
        job = by_loop.get(id(st)) if isinstance(st, gast.For) else None
        if job is None:
            return st
        f, _, k, tapes = job
        r = _reversed_name(st.iter)
        values = [unit.namer.fresh(TAPE_VALUE) for _ in tapes]
        popped = 0
        for s in st.body:  # the j-th pop reads the (k - j)-th push's list
            if isinstance(s, gast.Assign) and _is_call_of(s, pop, 0):
                popped += 1
                s.value = N.name(values[k - popped])
        t = st.target.id
        needs_index = tail_loads.get(t, 0) > 0
        items = [N.call(unit.ref(reversed, "reversed"), [N.name(x)]) for x in tapes]
        targets = [N.store(v) for v in values]
        # `y = _tapv` opening the body: the loop binds `y` itself (one store less a step)
        while len(st.body) > 1 and _restore_of(st.body[0], values, targets, t):
            s = st.body.pop(0)
            targets[values.index(s.value.id)] = N.store(s.targets[0].id)
        if needs_index:
            items.insert(0, st.iter)
            targets.insert(0, N.store(t))
        if len(items) == 1:
            st.iter, st.target = items[0], targets[0]
        else:
            st.iter = N.call(unit.ref(zip, "zip"), items)
            st.target = gast.Tuple(elts=targets, ctx=gast.Store())
        unpack = gast.Tuple(elts=[N.store(x) for x in tapes], ctx=gast.Store())
        return [N.copy_loc(gast.Assign(targets=[unpack], value=N.call(
            unit.ref(R.loop_tape), [N.call(pop, []), N.name(r)]), type_comment=None), st), st]

    return rebuild(stmts, one)
