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

import gast

from .. import runtime as R
from . import nodes as N
from .analysis import assigned_name, iter_stmts
from .reverse import PUSH, RESTORE


def add_counters(body, namer):
    """Give every ``while`` and every ``for`` that can ``break`` a trip counter."""
    for s, _ in iter_stmts(body):
        if isinstance(s, gast.While) or (isinstance(s, gast.For) and _can_break(s)):
            s.counter = namer.fresh("_n")


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
        if isinstance(n, (gast.For,)) and hasattr(n, "counter"):
            out.add(n.counter)
        todo.extend(gast.iter_child_nodes(n))
    return out


class ForwardSweep:
    def __init__(self, analysis, needed, namer, push, ref):
        self.an = analysis
        self.needed = needed
        self.namer = namer
        self.push = push  # name of the push function
        self.ref = ref
        self.pushed = set()
        self.counters_pushed = set()
        self.sites = set()  # ids of the (original) statements whose old values are pushed
        self.shape_only = set()  # pushed as shape tokens: the adjoint reads only their shape

    def saves(self, s, var):
        return var in self.needed and self.an.overwrites.get(id(s), False)

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
                    self.sites.add(id(s))
                    self.pushed.add(t)
                    val = N.name(t)
                    if t in self.shape_only:
                        val = N.call(self.ref(R.shape_token), [val])
                    out.append(self.push_stmt(val, s))
                uc = getattr(s, "user_call", None)
                if uc is not None:
                    alias, rec = uc
                    if self.saves(s, rec):
                        self.sites.add(id(s))
                        self.pushed.add(rec)
                        out.append(self.push_stmt(N.name(rec), s))
                    call = s.value
                    recv = getattr(s, "user_call_receiver", None)
                    fwd = gast.Call(func=gast.Attribute(value=N.name(alias), attr="fwd",
                                                        ctx=gast.Load()),
                                    args=([recv] if recv is not None else []) + call.args,
                                    keywords=call.keywords)
                    s = N.assign(gast.Tuple(elts=[N.store(t), N.store(rec)], ctx=gast.Store()),
                                 fwd, loc=s)
                return out + [s]
            tgt = s.targets[0]
            if isinstance(tgt, gast.Subscript) and tgt.value.id in self.needed:
                idx = _index_load(tgt.slice)
                save = N.call(self.ref(R.save_item), [N.name(tgt.value.id), idx])
                return [self.push_stmt(save, s), s]
            return [s]
        if isinstance(s, gast.If):
            s.body = self.block(s.body, depth)
            s.orelse = self.block(s.orelse, depth)
            return [s]
        if isinstance(s, (gast.For, gast.While)):
            pre, post = [], []
            s.body = self.block(s.body, depth + 1) or [gast.Pass()]
            counter = getattr(s, "counter", None)
            if counter:
                pre.append(N.assign(counter, N.const(0), loc=s))
                inc = N.assign(counter, gast.BinOp(left=N.name(counter), op=gast.Add(),
                                                   right=N.const(1)), loc=s)
                s.body = [inc] + s.body
            if isinstance(s, gast.For) and self.saves(s, s.target.id):
                self.sites.add(id(s))
                self.pushed.add(s.target.id)
                pre.append(self.push_stmt(N.name(s.target.id), s))
            if counter and depth > 0:
                post.append(self.push_stmt(N.name(counter), s))
                self.counters_pushed.add(id(s))
            return pre + [s] + post
        return [s]


def finalize_markers(rev_code, fs: ForwardSweep, pop_name, loops):
    """Replace restore markers by pops (or nothing); returns new statement list."""

    class T(gast.NodeTransformer):
        def visit_Expr(self, node):
            c = node.value
            if isinstance(c, gast.Call) and isinstance(c.func, gast.Name) and c.func.id == RESTORE:
                site = getattr(node, "site", None)
                target = c.args[0].id
                if isinstance(site, tuple):  # a loop's trip counter
                    return N.assign(target, N.call(pop_name)) \
                        if site[1] in fs.counters_pushed else None
                if len(c.args) == 2:  # x[idx] = _pop()
                    if target in fs.needed:
                        return N.expr_stmt(N.call(fs.ref(R.restore_item), [
                            N.name(target), c.args[1], N.call(pop_name)]))
                    return None
                if target in fs.pushed and (site in fs.sites or site is None):
                    return N.assign(target, N.call(pop_name))
                return None
            return node

    out = []
    for st in rev_code:
        r = T().visit(st)
        if r is not None:
            out.append(r)
    return _drop_empty(out)


def _drop_empty(stmts):
    out = []
    for s in stmts:
        if isinstance(s, gast.If):
            s.body = _drop_empty(s.body)
            s.orelse = _drop_empty(s.orelse)
            if not s.body and not s.orelse:
                continue
            if not s.body:
                s.body = [gast.Pass()]
        elif isinstance(s, gast.For):
            s.body = _drop_empty(s.body)
            if not s.body:
                s.body = [gast.Pass()]
        out.append(s)
    return out


def _index_load(sl):
    if isinstance(sl, gast.Slice):
        parts = [sl.lower or N.const(None), sl.upper or N.const(None), sl.step or N.const(None)]
        return N.call("slice", [N.clone(p) for p in parts])
    if isinstance(sl, gast.Tuple):
        return gast.Tuple(elts=[_index_load(e) for e in sl.elts], ctx=gast.Load())
    return N.clone(sl)


def _slice_of(idx_expr):
    """Turn an index load expression (with slice() calls) back into a subscript slice."""
    if isinstance(idx_expr, gast.Call) and isinstance(idx_expr.func, gast.Name) and \
            idx_expr.func.id == "slice":
        a = [None if isinstance(x, gast.Constant) and x.value is None else x
             for x in idx_expr.args]
        return gast.Slice(lower=a[0], upper=a[1], step=a[2])
    if isinstance(idx_expr, gast.Tuple):
        return gast.Tuple(elts=[_slice_of(e) for e in idx_expr.elts], ctx=gast.Load())
    return idx_expr
