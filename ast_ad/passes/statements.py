"""Normalize, the statements beyond assignment and control flow: starred assignment,
``with``, ``match``, ``try``, ``del`` (part of the normalize pass; see normalize.py and
docs/design.md, "Python statements and idioms").

Before::

    a, *b = seq

After::

    check_unpack_at_least(seq, 1)
    a = seq[0]
    b = list(seq[1:])
"""

from __future__ import annotations

import gast

from .. import runtime as R
from ..ir import anno
from ..ir import nodes as N


class StatementsMixin:
    """Host: the Normalizer (``atom``, ``emit``, ``block``, ``tmp``, ``static_ref``...)."""

    def starred_assign(self, target, value, loc):
        """``a, *b, c = seq`` -> ``a = seq[0]; b = list(seq[1:-1]); c = seq[-1]`` (with
        Python's length check first)."""
        elts = target.elts
        k = next(i for i, e in enumerate(elts) if isinstance(e, gast.Starred))
        if sum(isinstance(e, gast.Starred) for e in elts) > 1:
            self.fail(loc, "two starred targets in one assignment")
        after = len(elts) - k - 1
        seq = self.atom(value)
        self.emit(N.expr_stmt(N.call(self.static_ref(R.check_star_unpack),
                                     [seq, N.const(len(elts) - 1)]), loc=loc))
        vals = []
        for i, e in enumerate(elts):
            if i == k:
                upper = N.const(-after) if after else None
                part = gast.Subscript(value=seq, slice=gast.Slice(
                    lower=N.const(k) if k else None, upper=upper, step=None), ctx=gast.Load())
                t = self.tmp("_u")
                self.emit(N.assign(t, part, loc=loc))
                r = self.tmp("_u")
                self.emit(N.assign(r, N.call(self.static_ref(list), [N.name(t)]), loc=loc))
                vals.append(N.name(r))
            else:
                idx = i if i < k else i - len(elts)
                t = self.tmp("_u")
                self.emit(N.assign(t, gast.Subscript(value=seq, slice=N.const(idx),
                                                     ctx=gast.Load()), loc=loc))
                vals.append(N.name(t))
        for e, v in zip(elts, vals):
            self.assign_to(e.value if isinstance(e, gast.Starred) else e, v, loc)

    def stmt_With(self, s):
        """``with cm as v: body`` is kept as a ``with`` around the normalized body.

        The context managers must not take differentiated values (checked by the adjoint).
        A manager known to restore a pure state (``np.errstate``, ``warnings.catch_warnings``
        made of constants) is entered again around the adjoint of the body; any other runs
        around the forward sweep only.  A manager that could swallow an exception raised
        part-way through the body is checked at run time: the gradient raises instead
        of replaying a path the function did not take."""
        items = []
        for it in s.items:
            cm = it.context_expr
            if _reentrant(cm, self.env):
                kws = [gast.keyword(arg=k.arg, value=k.value) for k in cm.keywords]
                cm = N.copy_loc(gast.Call(func=cm.func, args=list(cm.args), keywords=kws), cm)
                anno.set_(cm, anno.REENTER)
            else:
                cm = self.atom(cm, "_cm")
            var = it.optional_vars
            if var is not None and not isinstance(var, gast.Name):
                self.fail(s, "a 'with ... as' target that is not a plain name")
            items.append(gast.withitem(context_expr=cm, optional_vars=var))
        body = self.block(s.body, self.loop_ctx) or [gast.Pass()]
        checked = not all(anno.has(it.context_expr, anno.Reenter) for it in items)
        pre, post = [], []
        if checked:
            flag = self.tmp("_wok")
            pre.append(N.assign(flag, N.const(False), loc=s))
            body = body + [N.assign(flag, N.const(True), loc=s)]
            line = self.parsed.where(s)
            post.append(N.expr_stmt(N.call(self.static_ref(R.check_with_completed), [
                N.name(flag), N.const(f"{line[0]}:{line[1]}")]), loc=s))
        w = N.copy_loc(gast.With(items=items, body=body, type_comment=None), s)
        for st in pre + [w] + post:
            self.emit(st)
        return self.may_jump(body)

    def stmt_Match(self, s):
        """``match`` on value, singleton, capture, wildcard and or-patterns -> a chain of
        ``if``s (one flag: the first case that matches runs); class, sequence and mapping
        patterns are refused."""
        subj = self.atom(s.subject)
        if isinstance(subj, gast.Name):  # a case body may rebind the subject's name
            t = self.tmp("_subj")
            self.emit(N.assign(t, subj, loc=s))
            subj = N.name(t)
        done = self.tmp("_matched")
        out = [N.assign(done, N.const(False), loc=s)]
        for c in s.cases:
            cond, binds = self.pattern(c.pattern, subj)
            body = [N.assign(done, N.const(True), loc=c.pattern)] + list(c.body)
            if c.guard is not None:
                body = [N.copy_loc(gast.If(test=c.guard, body=body, orelse=[]), c.guard)]
            inner = [N.assign(n, N.clone(subj), loc=c.pattern) for n in binds] + body
            test = gast.BoolOp(op=gast.And(), values=[N.not_(N.name(done)), cond])
            N.copy_loc(test, c.pattern)
            out.append(N.copy_loc(gast.If(test=test, body=inner, orelse=[]), c.pattern))
        for st in self.block(out, self.loop_ctx):
            self.emit(st)
        return self.may_jump(self.out)

    def pattern(self, p, subj):
        """(test expression, names bound to the subject) of a match pattern."""
        if isinstance(p, gast.MatchValue):
            return gast.Compare(left=N.clone(subj), ops=[gast.Eq()],
                                comparators=[p.value]), []
        if isinstance(p, gast.MatchSingleton):
            return gast.Compare(left=N.clone(subj), ops=[gast.Is()],
                                comparators=[N.const(p.value)]), []
        if isinstance(p, gast.MatchAs):
            if p.pattern is None:
                return N.const(True), [p.name] if p.name else []
            cond, binds = self.pattern(p.pattern, subj)
            return cond, binds + [p.name]
        if isinstance(p, gast.MatchOr):
            conds = []
            for q in p.patterns:
                cond, binds = self.pattern(q, subj)
                if binds:
                    self.fail(p, "an or-pattern that binds names")
                conds.append(cond)
            return gast.BoolOp(op=gast.Or(), values=conds), []
        self.fail(p, f"the match pattern {type(p).__name__} (use value, capture or "
                     "or-patterns, or if/elif)")

    def stmt_Try(self, s):
        """``try``/``except``/``else``/``finally``.  The ``try`` block runs as written,
        recording in ``_prog`` (``TryProgress``) after each of its statements how far it
        got, so the adjoint replays exactly the statements that completed (reverse/control.py).
        The ``except`` clauses record which one ran in ``_handler`` (after re-raising an
        error of ast_ad's own run-time checks); the handler, ``else`` and ``finally``
        bodies run after the ``try``, chosen by that record, like an ``if``.  An exception
        no clause catches propagates as in the original, ``finally`` included (a copy runs
        only on that path)."""
        for h in s.handlers:
            for n in gast.walk(h):
                if isinstance(n, gast.Raise) and n.exc is None:
                    self.fail(n, "a bare 'raise' inside an except block")
        which, prog = self.tmp("_handler"), self.tmp("_prog")
        n_h = len(s.handlers)
        unhandled = self.tmp("_unhandled") if s.finalbody else None
        handlers, moved = [], []
        for k, h in enumerate(s.handlers):
            name = h.name.id if isinstance(h.name, gast.Name) else h.name
            exc = self.tmp("_exc")
            hb = [N.expr_stmt(N.call(self.static_ref(R.reraise_internal), [N.name(exc)]),
                              loc=h), N.assign(which, N.const(k), loc=h)]
            if unhandled:
                hb.append(N.assign(unhandled, N.const(False), loc=h))
            keep = []
            if name is not None:  # Python unbinds the `as` name when the clause ends
                kept = self.tmp("_exc")
                hb.append(N.assign(kept, N.name(exc), loc=h))
                keep = [N.assign(name, N.name(kept), loc=h)]
            moved.append(keep + list(h.body))
            handlers.append(N.copy_loc(gast.ExceptHandler(
                type=h.type, name=N.store(exc), body=hb), h))
        self.emit(N.assign(which, N.const(-1), loc=s))
        self.emit(N.assign(prog, N.const(0), loc=s))
        if unhandled:
            self.emit(N.assign(unhandled, N.const(True), loc=s))
        inner = self.block(list(s.body), self.loop_ctx)
        inner.append(N.assign(which, N.const(n_h), loc=s))
        if unhandled:
            inner.append(N.assign(unhandled, N.const(False), loc=s))
        inner = _progress(inner, prog, [0])
        for h in handlers:
            h.body = self.block(h.body, self.loop_ctx)
        fin = []
        if unhandled:
            fin = self.block([N.copy_loc(gast.If(test=N.name(unhandled), body=list(s.finalbody),
                                                 orelse=[]), s)], self.loop_ctx)
        node = N.copy_loc(gast.Try(body=inner, handlers=handlers, orelse=[], finalbody=fin), s)
        anno.set_(node, anno.TryProgress(prog))
        self.emit(node)
        jumps = self.may_jump(inner)
        chain = list(enumerate(moved)) + ([(n_h, list(s.orelse))] if s.orelse else [])
        rest = []
        for k, stmts in reversed(chain):
            test = gast.Compare(left=N.name(which), ops=[gast.Eq()], comparators=[N.const(k)])
            rest = [N.copy_loc(gast.If(test=test, body=stmts or [gast.Pass()], orelse=rest), s)]
        if jumps and s.orelse:  # `else` runs only when the block did not jump out
            flag = self.loop_ctx.jump if self.loop_ctx is not None else self.ret[0]
            rest = [N.copy_loc(gast.If(test=N.not_(N.name(flag)), body=rest, orelse=[]), s)]
        for st in self.block(rest, self.loop_ctx) + self.block(list(s.finalbody),
                                                                self.loop_ctx):
            self.emit(st)  # `finally` runs after a jump too
        return self.may_jump(self.out)

    def stmt_Delete(self, s):
        """``del name`` is dropped when nothing can read ``name`` afterwards (checked on the
        source: no read after it, and inside a loop a plain assignment comes first in
        the loop body); ``del lst[i]`` (one item of a local name) is ``lst.pop(i)``
        without its value (a list edit; a dict runs its own ``pop``); ``del`` of a slice
        or an attribute is refused."""
        for t in s.targets:
            if isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name) and \
                    self.env.is_local(t.value.id) and not isinstance(t.slice, gast.Slice) \
                    and not self.parsed.generated:
                pop = gast.Call(func=gast.Attribute(value=N.name(t.value.id), attr="pop",
                                                    ctx=gast.Load()),
                                args=[t.slice], keywords=[])
                self.stmt_Expr(N.expr_stmt(N.copy_loc(pop, s), loc=s))
                continue
            if not isinstance(t, gast.Name):
                self.fail(s, "'del' of an item or attribute")
            if not _dead_after_del(self.parsed.tree, s, t.id):
                self.fail(s, f"'del {t.id}' followed by a possible read of {t.id!r}")
        return False


def _progress(stmts, prog, count):
    """``prog = k`` (k counting up) after each statement of a normalized ``try`` block
    but ``if`` (whose branches get their own)."""
    out = []
    for st in stmts:
        out.append(st)
        if isinstance(st, gast.If):
            st.body = _progress(st.body, prog, count)
            st.orelse = _progress(st.orelse, prog, count)
            continue
        count[0] += 1
        mark = N.assign(prog, N.const(count[0]), loc=st)
        anno.set_(mark, anno.TryProgress(prog))
        out.append(mark)
    return out


def _pos(n):
    return (getattr(n, "lineno", 0), getattr(n, "col_offset", 0))


def _dead_after_del(fdef, dele, name) -> bool:
    """True when no read of ``name`` can follow the ``del`` statement ``dele``."""
    reads = [n for n in gast.walk(fdef) if isinstance(n, gast.Name) and n.id == name
             and isinstance(n.ctx, gast.Load)]
    if any(_pos(n) > _pos(dele) for n in reads):
        return False
    loops = [n for n in gast.walk(fdef) if isinstance(n, (gast.For, gast.While))
             and any(m is dele for m in gast.walk(n))]
    for loop in loops:  # the next trip must rebind the name before reading it
        first = next((st for st in loop.body if name in N.names_in(st)), None)
        if not (isinstance(first, gast.Assign) and len(first.targets) == 1 and
                isinstance(first.targets[0], gast.Name) and first.targets[0].id == name
                and name not in N.names_in(first.value)):
            return False
        if isinstance(loop, gast.While) and name in N.names_in(loop.test):
            return False
    return True


def _reentrant(cm, env) -> bool:
    """``np.errstate(...)`` / ``warnings.catch_warnings(...)`` with constant arguments."""
    import warnings

    import numpy as np

    if not isinstance(cm, gast.Call) or not env.is_static(cm.func):
        return False
    if env.lookup(cm.func) not in (np.errstate, warnings.catch_warnings):
        return False
    return all(isinstance(a, gast.Constant) for a in cm.args) and all(
        k.arg is not None and isinstance(k.value, gast.Constant) for k in cm.keywords)
