"""Adjoints of control flow: branches join adjoint states, loops run backwards.

An ``if`` replays its (recorded) condition; a ``for`` over a range replays it backwards
(``range(n)[::-1]``, cut at the trip count when the loop can ``break``); a ``while``
replays its counted trips.  Adjoint state is tracked at generation time: where paths
join, an adjoint live on one path only is materialized as ``0.0`` on the others, and a
loop body's state is made loop-invariant (a fixed point) first.

Before (normalized)::

    for i in _r1:
        p = p * c

After (adjoint sweep, before the stack is decided)::

    for i in _r1[::-1]:
        __ast_ad_restore__(p)
        bp = bp * c
    __ast_ad_restore__(i)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import gast

from ...ir import anno
from ...ir import nodes as N
from ...ir.walk import nodes
from . import elements as E

PUSH, RESTORE = "__ast_ad_push__", "__ast_ad_restore__"  # markers, replaced by the stack


@dataclass
class State:
    live: set = field(default_factory=set)
    kinds: dict = field(default_factory=dict)
    zero: set = field(default_factory=set)  # live adjoints that may still be the 0.0 filler
    owned: set = field(default_factory=set)  # adjoints holding a buffer this code made

    def copy(self):
        return State(set(self.live), dict(self.kinds), set(self.zero), set(self.owned))



def if_(rev, s, state):
    s1, s2 = state.copy(), state.copy()
    body = rev.block(s.body, s1)
    orelse = rev.block(s.orelse, s2)
    join(rev, [(s1, body), (s2, orelse)], state)
    if not body and not orelse:
        return []
    return [N.if_(N.clone(s.test), body or [gast.Pass()], orelse, loc=s)]

def join(rev, branches, state):
    live = set().union(*(b[0].live for b in branches))
    zero = set().union(*(b[0].zero for b in branches))
    owned = None
    for st, code in branches:
        mine = set(st.owned)
        for var in sorted(live - st.live):
            code.append(zero_fill(rev, var))
            zero.add(var)
            mine.add(var)  # 0.0 is immutable: `+=` on it rebinds
        owned = mine if owned is None else owned & mine
    state.live = live
    state.zero = zero & live
    state.owned = (owned or set()) & live

def zero_fill(rev, var):
    node = N.assign(rev.b(var), N.const(0.0))
    anno.set_(node, anno.ZERO_FILL)
    return node

def loop_body(rev, body_stmts, state):
    """Reverse of a loop body, with the adjoint state made loop-invariant."""
    pre = E.own_before(rev, body_stmts, state)  # owned buffers for element updates
    entry = state.copy()
    for _ in range(2 * len(rev.facts.active) + 4):
        st = entry.copy()
        code = rev.block(body_stmts, st)
        grow = st.live - entry.live
        end_owned = st.owned | (entry.live - st.live)
        lost = entry.owned - end_owned  # ownership must hold on every iteration
        # an adjoint live on entry but not at the end is reset to 0.0 for the next trip:
        # there it may be the filler
        reset = (entry.live - st.live) - entry.zero
        entry.zero |= reset
        if not grow and not lost and not reset:
            break
        alloc = E.preallocated(rev, body_stmts, grow)  # buffers for element updates
        for var in sorted(grow):
            pre.append(E.allocate(rev, var) if var in alloc else zero_fill(rev, var))
        entry.live |= grow
        entry.zero |= grow - alloc
        entry.owned |= grow
        entry.owned -= lost
    for var in sorted(entry.live - st.live):
        code.append(zero_fill(rev, var))
    state.live = set(entry.live)
    state.zero = entry.zero | st.zero | (entry.live - st.live)
    state.owned = entry.owned & (st.owned | (entry.live - st.live))
    return pre, code

def counter_restore(s):
    m = N.expr_stmt(N.call(RESTORE, [N.name(anno.get(s, anno.Counter).name)]))
    anno.set_(m, anno.Site(s, counter=True))
    return [m]

def for_(rev, s, state):
    pre, code = loop_body(rev, s.body, state)
    _refuse_rebound_target(rev, s, code)
    restore = rev.restore(s, s.target.id)
    counter = anno.get(s, anno.Counter)
    if not code:
        return pre + (counter_restore(s) if counter else []) + [restore]
    rng = N.clone(s.iter)
    if counter:
        pre = pre + counter_restore(s)
        rng = gast.Subscript(value=rng, slice=gast.Slice(lower=None, upper=N.name(counter.name),
                                                         step=None), ctx=gast.Load())
    it = gast.Subscript(value=rng, slice=gast.Slice(lower=None, upper=None,
                                                    step=N.const(-1)), ctx=gast.Load())
    loop = gast.For(target=N.store(s.target.id), iter=it, body=code, orelse=[],
                    type_comment=None)
    N.copy_loc(loop, s)
    anno.set_(loop, anno.Site(s))  # the primal loop (stack.insert_recomputed)
    return pre + [loop, restore]

def _refuse_rebound_target(rev, s, code):
    """``for i in ...: i = i * 2`` with an adjoint that reads ``i``: the reversed loop
    would hand it the range's value, not the rebound one (refused, never wrong)."""
    t = s.target.id
    if not any(isinstance(n, gast.Name) and n.id == t and isinstance(n.ctx, gast.Store)
               for n in nodes(s.body)):
        return
    if any(isinstance(n, gast.Name) and n.id == t and isinstance(n.ctx, gast.Load)
           for n in nodes(code)):
        from ...errors import UnsupportedConstructError

        filename, line = rev.unit.where(s)
        raise UnsupportedConstructError(
            f"the loop variable `{t}` is assigned inside its own loop and the gradient "
            f"reads it; assign the new value to another name (e.g. `{t}2 = ...`)",
            filename=filename, lineno=line)


def while_(rev, s, state):
    pre, code = loop_body(rev, s.body, state)
    if not code:
        return pre + counter_restore(s)
    pre = pre + counter_restore(s)
    loop = gast.For(target=N.store(rev.namer.fresh("_")), iter=N.call(
        rev.ref(range), [N.name(anno.get(s, anno.Counter).name)]), body=code, orelse=[],
        type_comment=None)
    N.copy_loc(loop, s)
    return pre + [loop]




def with_(rev, s, state):
    """``with cm: body`` -> the adjoint of ``body``, inside a fresh ``cm`` when the manager
    restores a pure state (``np.errstate``: the adjoint computes under the same floating-point
    error settings); other managers (timers, locks, files) wrap the forward sweep only."""
    for it in s.items:
        for n in gast.walk(it.context_expr):
            if isinstance(n, gast.Name) and n.id in rev.facts.active:
                filename, line = rev.unit.where(s)
                from ...errors import UnsupportedConstructError
                raise UnsupportedConstructError(
                    "a 'with' statement whose context manager takes a differentiated value "
                    "is not supported", filename=filename, lineno=line)
    body = rev.block(s.body, state)
    again = [gast.withitem(context_expr=N.clone(it.context_expr), optional_vars=None)
             for it in s.items if anno.has(it.context_expr, anno.Reenter)]
    if not again or not body:
        return body
    return [N.copy_loc(gast.With(items=again, body=_filters(rev, s.body) + body,
                                 type_comment=None), s)]


def _filters(rev, body):
    """``warnings.simplefilter(...)``/``filterwarnings(...)`` calls with constant arguments
    at the top of a ``catch_warnings`` body: replayed before its adjoint."""
    import warnings

    out = []
    for st in body:
        c = st.value if isinstance(st, gast.Expr) else None
        if isinstance(c, gast.Call) and rev.unit.env.lookup(c.func) in (
                warnings.simplefilter, warnings.filterwarnings) and all(
                isinstance(a, gast.Constant) for a in c.args) and all(
                isinstance(k.value, gast.Constant) for k in c.keywords):
            out.append(N.clone(st))
    return out

