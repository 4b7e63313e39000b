"""Adjoint of ``try``: replay the statements of the block that completed.

Normalize (statements.py) leaves the ``try`` block running as written with a progress
record ``_prog = k`` after each of its statements (``TryProgress``; not after an ``if``,
whose branches get their own): an exception part-way leaves ``_prog`` at the last
statement that completed, and the statement that raised bound nothing.  The handlers,
``else`` and ``finally`` run after the ``try``, chosen by ``_handler`` like an ``if``
(their adjoints are ordinary code).

The forward sweep pushes inside the block as anywhere else; a statement's pushes happen
once it is *reached* (the record before it), its adjoint is due once it *completed* (the
record after it).  So each statement's adjoint (restores included) is guarded by
``_stop >= done``, and else its restores alone by ``_stop >= reached``.  A loop,
``with`` or inner ``try`` in the block may push any number of values before raising:
reaching one without completing it is an error at run time (``check_try_complete``).

Before (normalized)::

    _prog = 0
    try:
        _t1 = 1.0 / x
        _prog = 1
        y = np.sin(_t1)
        _prog = 2
        _handler = 1
        _prog = 3
    except ZeroDivisionError as _exc1:
        ...

After (adjoint of the ``try``)::

    _stop = _prog
    if _stop >= 2:
        b_t1 = by * np.cos(_t1)
        __ast_ad_restore__(y)
    else:
        b_t1 = 0.0
        if _stop >= 1:
            __ast_ad_restore__(y)
    if _stop >= 1:
        bx = -b_t1 / x ** 2
"""

from __future__ import annotations

import gast

from ... import runtime as R
from ...ir import anno
from ...ir import nodes as N
from ...ir.walk import blocks_of
from .control import PUSH, RESTORE, join


def try_stored(s):
    """Names the ``except`` clauses may bind: pushed before the ``try``, restored after
    its adjoint (the block's own statements push and restore as anywhere else)."""
    names = N.stored_names([st for h in s.handlers for st in h.body])
    for h in s.handlers:
        if isinstance(h.name, gast.Name):
            names.add(h.name.id)
    return sorted(names)


class _Try:
    def __init__(self, rev, s):
        self.rev, self.s = rev, s
        self.prog = anno.get(s, anno.TryProgress).name
        self.stop = rev.namer.fresh("_stop")

    def block(self, stmts, state):
        items, prev = [], None
        for i, st in enumerate(stmts):
            if _is_marker(st, self.prog):
                k = st.value.value
                items.append((st, k, k))
                prev = k
            elif isinstance(st, gast.If):
                items.append((st, prev, None))
            else:
                nxt = stmts[i + 1] if i + 1 < len(stmts) else None
                done = nxt.value.value if nxt is not None and _is_marker(nxt, self.prog) \
                    else None
                items.append((st, prev, done))
        out = []
        for st, reached, done in reversed(items):
            work = state.copy()
            if isinstance(st, gast.If):
                out.extend(self.guarded(reached, state, work, self.if_(st, work)))
                continue
            code = self.rev.stmt(st, work)
            if not code:
                self.guarded(done, state, work, [])
                continue
            if done is None:  # (every statement but `if` is followed by a record)
                raise AssertionError("a try statement without a progress record")
            restores = [c for c in code if _is_restore(c)]
            if blocks_of(st) or any(_has_restore(c) for c in code if not _is_restore(c)):
                filename, line = self.rev.unit.where(st)
                out.append(N.expr_stmt(N.call(self.rev.ref(R.check_try_complete), [
                    N.name(self.stop), N.const(-1 if reached is None else reached),
                    N.const(done), N.const(f"{filename}:{line}")]), loc=st))
                restores = []
            if restores and reached is not None:
                restores = [N.if_(self.test(reached), restores, loc=self.s)]
            out.extend(self.guarded(done, state, work, code, restores))
        return out

    def test(self, k):
        return gast.Compare(left=N.name(self.stop), ops=[gast.GtE()], comparators=[N.const(k)])

    def guarded(self, k, state, work, code, other=()):
        """``if _stop >= k: <code> else: <other>`` where ``code`` took ``state`` to
        ``work`` and ``other`` (restores) leaves it as it is (``k`` None: unguarded);
        ``state`` becomes the join of both paths."""
        if k is None or not code:
            state.live, state.kinds, state.zero, state.owned = \
                work.live, work.kinds, work.zero, work.owned
            return list(code)
        code, other = list(code), list(other)
        join(self.rev, [(work, code), (state.copy(), other)], state)
        return [N.if_(self.test(k), code, other, loc=self.s)]

    def if_(self, st, state):
        s1, s2 = state.copy(), state.copy()
        body = self.block(st.body, s1)
        orelse = self.block(st.orelse, s2)
        join(self.rev, [(s1, body), (s2, orelse)], state)
        if not body and not orelse:
            return []
        return [N.if_(N.clone(st.test), body or [gast.Pass()], orelse, loc=st)]


def try_(rev, s, state):
    """Adjoint of the statements of the block that completed, newest first, then the
    restores of what the ``except`` clauses may have bound (pushed before the ``try``)."""
    restores = [rev.restore(s, v) for v in try_stored(s)]
    if not anno.has(s, anno.TryProgress):
        return restores
    t = _Try(rev, s)
    code = t.block(s.body, state)
    if not code:
        return restores
    return [N.assign(t.stop, N.name(t.prog), loc=s)] + code + restores


def _is_marker(st, prog):
    return isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Name) and \
        st.targets[0].id == prog and isinstance(st.value, gast.Constant)


def _is_restore(st):
    c = st.value if isinstance(st, gast.Expr) else None
    return isinstance(c, gast.Call) and isinstance(c.func, gast.Name) and \
        c.func.id in (PUSH, RESTORE)


def _has_restore(st):
    return any(isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and
               n.func.id in (PUSH, RESTORE) for n in gast.walk(st))
