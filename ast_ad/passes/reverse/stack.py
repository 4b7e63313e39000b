"""Forward sweep and stack finalization (after the adjoint is built).

Given ``needed`` (the primal names the adjoint sweep reads), every assignment that may
overwrite a needed value gets ``_push(old)`` before it in the forward sweep, and the
matching restore marker in the adjoint sweep becomes ``old = _pop()``.  Loops that can
``break`` count their trips; ``while`` loops always do.

Before (loop body)::

    p = _t2 + _t3              # p is read by the adjoint (cos(p), 2 * p)

After::

    _push(p)                   # forward
    p = _t2 + _t3
    ...
    b_t2 = bp                  # adjoint
    b_t3 = bp
    p = _pop()
"""

from __future__ import annotations

from dataclasses import dataclass

import gast

from ... import runtime as R
from ...ir import anno
from ...ir import nodes as N
from ...ir.walk import Transformer, blocks_of, is_loop, nodes, rebuild, statements
from ...ir.walk import children as _children
from ..analysis.activity import assigned_name
from .control import PUSH, RESTORE
from .tries import try_stored


def add_counters(body, namer):
    """Give every ``while`` and every ``for`` that can ``break`` a trip counter."""
    for s, _ in statements(body):
        if isinstance(s, gast.While) or (isinstance(s, gast.For) and _can_break(s)):
            anno.set_(s, anno.Counter(namer.fresh("_n")))


def _can_break(loop):
    last = loop.body[-1] if loop.body else None
    return isinstance(last, gast.If) and last.body and isinstance(last.body[0], gast.Break)


def needed_names(rev_code, primal_names):
    """Primal names read by the adjoint sweep (markers excluded)."""
    out = set()
    todo = list(rev_code)
    while todo:
        n = todo.pop()
        if isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and \
                n.func.id in (PUSH, RESTORE):
            continue
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and n.id in primal_names:
            out.add(n.id)
        if isinstance(n, gast.For) and anno.has(n, anno.Counter):
            out.add(anno.get(n, anno.Counter).name)
        todo.extend(_children(n))
    return out


@dataclass(frozen=True)
class StackPlan:
    """What the forward sweep pushed, decided after the adjoint was built: the adjoint's
    restore markers become pops exactly for these."""

    needed: frozenset  # primal names the adjoint reads
    pushed: frozenset  # names whose old values are pushed
    sites: frozenset  # the statements (and for loops) whose old values are pushed
    counters_pushed: frozenset  # loops whose trip counters are pushed


class ForwardSweep:
    """The forward sweep with its pushes; ``plan()`` then says what the adjoint pops."""

    def __init__(self, facts, needed, push, ref, shape_only=frozenset()):
        self.facts = facts
        self.needed = needed
        self.push = push  # name of the push function
        self.ref = ref
        self.shape_only = shape_only  # pushed as shape tokens: only their shape is read
        self.pushed = set()
        self.counters_pushed = set()
        self.sites = set()

    def plan(self) -> StackPlan:
        return StackPlan(frozenset(self.needed), frozenset(self.pushed),
                         frozenset(self.sites), frozenset(self.counters_pushed))

    def saves(self, s, var):
        return var in self.needed and s in self.facts.overwrites

    def push_stmt(self, value, loc=None):
        return N.expr_stmt(N.call(self.push, [value]), loc=loc)

    def block(self, stmts, depth=0):
        out = []
        for s in stmts:
            out.extend(self.stmt(s, depth))
        return out

    def stmt(self, s, depth):
        if isinstance(s, gast.Assign):
            t = assigned_name(s)
            if t is not None:
                out = []
                if self.saves(s, t):
                    self.sites.add(s)
                    self.pushed.add(t)
                    val = N.name(t)
                    if t in self.shape_only:
                        val = N.call(self.ref(R.shape_token), [val])
                    out.append(self.push_stmt(val, s))
                uc = anno.get(s, anno.UserCall)
                if uc is not None:
                    if self.saves(s, uc.rec):
                        self.sites.add(s)
                        self.pushed.add(uc.rec)
                        out.append(self.push_stmt(N.name(uc.rec), s))
                    for arg, param, helper, filename, line in uc.checks:
                        out.append(N.expr_stmt(N.call(self.ref(R.check_not_array), [
                            N.name(arg), N.const(param), N.const(helper), N.const(filename),
                            N.const(line)]), loc=s))
                    call = s.value
                    recv = [uc.receiver] if uc.receiver is not None else []
                    fwd = gast.Call(func=gast.Attribute(value=N.name(uc.alias), attr="fwd",
                                                        ctx=gast.Load()),
                                    args=recv + call.args, keywords=call.keywords)
                    s = N.assign(gast.Tuple(elts=[N.store(t), N.store(uc.rec)],
                                            ctx=gast.Store()), fwd, loc=s)
                return out + [s]
            tgt = s.targets[0]
            if isinstance(tgt, gast.Subscript) and tgt.value.id in self.needed:
                idx = N.index_expr(tgt.slice)
                save = N.call(self.ref(R.save_item), [N.name(tgt.value.id), idx])
                return [self.push_stmt(save, s), s]
            return [s]
        if isinstance(s, gast.Try):  # what its except clauses may bind is pushed before it
            pre = []
            for v in try_stored(s):
                if v in self.needed:
                    self.sites.add(s)
                    self.pushed.add(v)
                    pre.append(self.push_stmt(N.name(v), s))
            s.body = self.block(s.body, depth) or [gast.Pass()]  # pushes as anywhere
            return pre + [s]
        if blocks_of(s) and not is_loop(s):
            for field, block in blocks_of(s):
                setattr(s, field, self.block(block, depth))
            return [s]
        if is_loop(s):
            pre, post = [], []
            s.body = self.block(s.body, depth + 1) or [gast.Pass()]
            c = anno.get(s, anno.Counter)
            counter = c.name if c else None
            if counter:
                pre.append(N.assign(counter, N.const(0), loc=s))
                inc = N.assign(counter, gast.BinOp(left=N.name(counter), op=gast.Add(),
                                                   right=N.const(1)), loc=s)
                s.body = [inc] + s.body
            if isinstance(s, gast.For) and self.saves(s, s.target.id):
                self.sites.add(s)
                self.pushed.add(s.target.id)
                pre.append(self.push_stmt(N.name(s.target.id), s))
            if counter and depth > 0:
                post.append(self.push_stmt(N.name(counter), s))
                self.counters_pushed.add(s)
            return pre + [s] + post
        return [s]


def finalize_markers(rev_code, plan: StackPlan, pop_name, ref):
    """Replace restore markers by pops (or nothing); returns new statement list."""

    class T(Transformer):
        def visit_Expr(self, node):
            c = node.value
            if isinstance(c, gast.Call) and isinstance(c.func, gast.Name) and c.func.id == RESTORE:
                site = anno.get(node, anno.Site)
                target = c.args[0].id
                if site is not None and site.counter:  # a loop's trip counter
                    return N.assign(target, N.call(pop_name)) \
                        if site.stmt in plan.counters_pushed else None
                if len(c.args) == 2:  # x[idx] = _pop()
                    if target in plan.needed:
                        return N.expr_stmt(N.call(ref(R.restore_item), [
                            N.name(target), c.args[1], N.call(pop_name)]))
                    return None
                if target in plan.pushed and (site is None or site.stmt in plan.sites):
                    return N.assign(target, N.call(pop_name))
                return None
            return node

    out = []
    for st in rev_code:
        r = T().visit(st)
        if r is not None:
            out.append(r)
    return _drop_empty(out)


_CHEAP = (gast.Add, gast.Sub, gast.Mult)


def recomputed(body, ints, floats=frozenset()):
    """Arithmetic recomputed in the reversed loop instead of pushed: ``t = a op b``
    (``op`` one of ``+ - *``, or ``/`` by a nonzero constant; ``a``/``b`` int or float
    constants, surely-int names, or ``floats``: names surely holding a float) directly in
    the body of a ``for`` loop, the only binding of ``t``, every read of ``t`` later in that
    same body, and no name of ``a op b`` bound in the body (but the loop's own target).
    Two numbers combined cost less than a push and a pop (``0.5 * h``, ``i + 1``); the
    names read keep their values in the reversed loop (the adjoint reads them, so what
    overwrites them later is pushed). Returns ``{t: (loop, value)}``."""
    bound, loads = {}, {}
    for st, _ in statements(body):
        for n in nodes(st) if not blocks_of(st) else _header(st):
            if isinstance(n, gast.Name):
                if isinstance(n.ctx, gast.Store):
                    bound[n.id] = bound.get(n.id, 0) + 1
                else:
                    loads.setdefault(n.id, []).append(n)
    numbers = ints | floats
    out = {}
    for loop, _ in statements(body):
        if not isinstance(loop, gast.For) or not isinstance(loop.target, gast.Name):
            continue
        inner = {n.id for st, _ in statements(loop.body) for n in nodes(st)
                 if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
        for k, st in enumerate(loop.body):
            t = assigned_name(st)
            v = st.value if t is not None else None
            if not isinstance(v, gast.BinOp) or bound.get(t) != 1 or t not in numbers:
                continue
            if not isinstance(v.op, _CHEAP) and not (
                    isinstance(v.op, gast.Div) and isinstance(v.right, gast.Constant)
                    and type(v.right.value) in (int, float) and v.right.value != 0):
                continue
            ops = [v.left, v.right]
            if not all((isinstance(o, gast.Constant) and type(o.value) in (int, float)) or (
                    isinstance(o, gast.Name) and o.id in numbers and o.id not in inner)
                    for o in ops):  # (the loop's target included: not rebound in it)
                continue
            later = {id(n) for n in nodes(loop.body[k + 1:])}
            if all(id(n) in later for n in loads.get(t, [])):
                out[t] = (loop, v)
    return out


def _header(st):
    """The nodes of a compound statement outside its blocks (a loop's target and iter)."""
    parts = [getattr(st, f) for f in ("target", "iter", "test", "items") if hasattr(st, f)]
    for p in parts:
        for q in (p if isinstance(p, list) else [p]):
            yield from nodes(q)


def insert_recomputed(rev_code, recompute):
    """Put ``t = a op b`` at the top of the reversed loop of each recomputed ``t``, or just
    before that loop when ``a op b`` does not read the loop's target (``0.5 * h``: its
    operands are not bound in the loop, so they hold the same values on every trip)."""
    by_loop = {}
    for t, (loop, v) in recompute.items():
        by_loop.setdefault(id(loop), []).append((t, v))
    order = {}

    def visit(stmts):
        out = []
        for st in stmts:
            site = anno.get(st, anno.Site) if isinstance(st, gast.For) else None
            if site is not None and id(site.stmt) in by_loop:
                pos = {id(b): k for k, b in enumerate(site.stmt.body)}
                for t, v in by_loop[id(site.stmt)]:
                    order[t] = pos.get(id(_def_of(site.stmt, t)), 0)
                target = site.stmt.target.id
                code = [(t, v, any(isinstance(n, gast.Name) and n.id == target
                                   for n in nodes(v)))
                        for t, v in sorted(by_loop[id(site.stmt)],
                                           key=lambda tv: order[tv[0]])]
                out += [N.assign(t, N.clone(v), loc=st) for t, v, per_trip in code
                        if not per_trip]
                st.body = [N.assign(t, N.clone(v), loc=st) for t, v, per_trip in code
                           if per_trip] + st.body
            for _, block in blocks_of(st):
                block[:] = visit(block)
            out.append(st)
        return out

    return visit(rev_code)


def _def_of(loop, t):
    for st in loop.body:
        if assigned_name(st) == t:
            return st
    return None


def _drop_empty(stmts):
    """Branches and loops left without statements by the markers' removal."""

    def keep(s):
        if not blocks_of(s):
            return s
        if isinstance(s, gast.If) and not s.body and not s.orelse:
            return None
        for field, block in blocks_of(s):
            if field == "body" and not block:
                s.body = [gast.Pass()]
        return s

    return rebuild(stmts, keep)


def stack_method(stmts, attr):
    """``(name, stack)`` of the statement ``name = stack.<attr>`` among ``stmts``."""
    for st in stmts:
        if isinstance(st, gast.Assign) and len(st.targets) == 1 and \
                isinstance(st.targets[0], gast.Name) and isinstance(st.value, gast.Attribute) \
                and st.value.attr == attr and isinstance(st.value.value, gast.Name):
            return st.targets[0].id, st.value.value.id
    return None
