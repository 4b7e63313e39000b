"""Reverse: a normalized function -> forward sweep + reversed adjoint sweep.

Before (normalized)::

    _t1 = x * x
    y = _t1 * 3.0
    return y

After (joint form, before cleanup)::

    _t1 = x * x
    y = _t1 * 3.0
    by = seed(y)
    b_t1 = by * 3.0                 # y = x * x * 3.0
    bx = b_t1 * x
    bx = bx + b_t1 * x
    return bx

Discipline: during the adjoint sweep every primal variable holds the value it had at
the matching point of the forward sweep.  An assignment that overwrites a value the
adjoint reads pushes the old value first (forward) and pops it back after its adjoint
(reverse); which ones is decided after the adjoint is built (``needed`` = primal names the
adjoint reads).  ``if`` conditions are ordinary variables under that discipline; loops
record nothing per iteration except what the body needs: a ``for`` replays its range
backwards (trip counts are counted only when the loop can ``break``), a ``while`` counts.

Adjoint state is tracked at generation time: an adjoint that holds no value is not a
variable at all (its first write is a plain assignment, later writes add); loops and
branches join states, materializing ``0.0`` where one path has a value and another not.
"""

from __future__ import annotations

import operator

import gast

from ... import runtime as R
from ...errors import UnsupportedConstructError
from ...ir import anno
from ...ir import nodes as N
from ...ir.lattice import Kind
from ...ir.walk import Transformer, nodes, statements
from ...rules import helpers as H
from ..analysis.activity import operands, written_base
from . import calls as C
from . import control, tries
from . import elements as E
from .control import RESTORE
from .rules import rule_call

BINOPS = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
          gast.Div: operator.truediv, gast.Pow: operator.pow, gast.MatMult: operator.matmul,
          gast.FloorDiv: operator.floordiv, gast.Mod: operator.mod}
UNOPS = {gast.USub: operator.neg, gast.UAdd: operator.pos}
_SENTINEL = "__ast_ad_ans__"


class _Rename(Transformer):
    def __init__(self, old, new):
        self.old, self.new = old, new

    def visit_Name(self, node):
        return N.name(self.new) if node.id == self.old else node


class Reverse:
    def __init__(self, unit, facts):
        self.unit = unit
        self.facts = facts
        self.namer = unit.namer
        self.adj = {}  # primal name -> adjoint name
        self.guards = []  # (globals, name, object) of differentiated global callees
        # eng15: ``bv += c`` only when every array is NumPy's (a NumPy buffer cannot take
        # a Dask array in place); set by assemble.reverse from the argument types
        self.in_place = True
        # array parameters whose adjoint buffer is allocated before the sweep (element
        # reads then accumulate into it in place); set by assemble.reverse
        self.buffers = frozenset()
        self.lists = frozenset()  # elements.plain_lists of the body (set by assemble)

    # -- names -----------------------------------------------------------------------
    def b(self, var):
        if var not in self.adj:
            self.adj[var] = self.namer.fresh("b" + var)
        return self.adj[var]


    # -- accumulation ----------------------------------------------------------------
    def accumulate(self, var, expr, state, out, loc, maybe_none=False, from_zero=False,
                   owned=False):
        """First write: ``bv = c``; later: ``bv = bv + c``, and ``bv += c`` once ``bv`` holds
        a buffer this code allocated (never a view of user data or another adjoint).
        ``from_zero``: ``c`` may be (derived from) the 0.0 filler; ``owned``: ``c`` is a
        buffer this code owns that nothing else reads (a first write takes it over)."""
        bv = self.b(var)
        from_zero = from_zero or maybe_none
        num = self.facts.kind(var) is Kind.NUM or var in self.facts.elements.arrays
        was_live = var in state.live
        if not from_zero:
            state.zero.discard(var)
        elif not was_live:
            state.zero.add(var)  # its first value may be (derived from) the 0.0 filler
        if var in state.live:
            if num and not maybe_none:
                if var in state.owned and self.in_place:
                    st = gast.AugAssign(target=N.store(bv), op=gast.Add(), value=expr)
                    anno.set_(st, anno.ACCUMULATES)
                    out.append(N.copy_loc(st, loc))
                    return
                value = gast.BinOp(left=N.name(bv), op=gast.Add(), right=expr)
                node = N.assign(bv, value, loc=loc)
                anno.set_(node, anno.ACCUMULATES)
                out.append(node)
                state.owned.add(var)
                return
            value = N.call(self.ref(R.add_grads), [N.name(bv), expr])
        else:
            value = expr
            state.live.add(var)
            if num and not maybe_none and (owned or isinstance(expr, (gast.BinOp,
                                                                       gast.UnaryOp))):
                # arithmetic makes a new array (or an immutable number): ours to update
                node = N.assign(bv, value, loc=loc)
                anno.set_(node, anno.ACCUMULATES)
                out.append(node)
                state.owned.add(var)
                return
        state.owned.discard(var)
        out.append(N.assign(bv, value, loc=loc))

    def ref(self, obj, hint=None):
        return self.unit.ref(obj, hint)

    # -- driver ----------------------------------------------------------------------
    def block(self, stmts, state):
        """Adjoint of a statement list (returned in execution order)."""
        out = []
        for s in reversed(stmts):
            out.extend(self.stmt(s, state))
        return out

    def stmt(self, s, state):
        out = self._stmt(s, state)
        if state.owned:
            names = set(self.adj.values())
            for n, _ in statements(out):  # (assignments are statements)
                if isinstance(n, (gast.Assign, gast.AugAssign)) and \
                        not anno.has(n, anno.Accumulates) and not anno.has(n, anno.ZeroFill):
                    for t in (n.targets if isinstance(n, gast.Assign) else [n.target]):
                        for m in nodes(t):
                            if isinstance(m, gast.Name) and m.id in names:
                                state.owned.discard(self._primal_of(m.id))
        return out

    def _primal_of(self, adj_name):
        for k, v in self.adj.items():
            if v == adj_name:
                return k
        return None

    def _stmt(self, s, state):
        if isinstance(s, gast.Assign):
            t = s.targets[0]
            if isinstance(t, gast.Name):
                return self.assign(s, t.id, s.value, state)
            if isinstance(t, gast.Subscript):
                return self.setitem(s, t, state)
            if isinstance(t, gast.Attribute):
                refuse_attribute_write(self.unit, self.facts, s)
                return []
        if isinstance(s, gast.Expr):
            return self.expr_stmt(s, state)
        if isinstance(s, gast.If):
            return control.if_(self, s, state)
        if isinstance(s, gast.For):
            return control.for_(self, s, state)
        if isinstance(s, gast.While):
            return control.while_(self, s, state)
        if isinstance(s, gast.With):
            return control.with_(self, s, state)
        if isinstance(s, gast.Try):
            return tries.try_(self, s, state)
        if isinstance(s, (gast.Return, gast.Assert, gast.Raise, gast.Pass, gast.Break,
                          gast.FunctionDef)):
            return []
        filename, line = self.unit.where(s)
        raise UnsupportedConstructError(f"cannot differentiate {type(s).__name__}",
                                        filename=filename, lineno=line)

    def restore(self, s, var):
        m = N.expr_stmt(N.call(RESTORE, [N.name(var)]))
        anno.set_(m, anno.Site(s))
        return m

    # -- x = value -----------------------------------------------------------------------
    def assign(self, s, x, value, state):
        out = self._assign(s, x, value, state)
        uc = anno.get(s, anno.UserCall)
        if uc is not None:
            # the callee's record is popped whether or not a gradient flows, just before
            # x's own restore (pushes were: old x, then old record)
            rec = self.restore(s, uc.rec)
            for k, st in enumerate(out):
                if anno.get(st, anno.Site) == anno.Site(s) and isinstance(st, gast.Expr) and \
                        st.value.args and getattr(st.value.args[0], "id", None) == x:
                    out.insert(k, rec)
                    break
            else:
                out.append(rec)
        return out

    def _assign(self, s, x, value, state):
        restore = self.restore(s, x)
        base = written_base(s)
        if base is not None and isinstance(value, gast.Call):  # x = lst.pop()
            return C.method_adjoint(self, s, base, value, state) + [restore]
        if x in self.facts.active and isinstance(value, gast.Call) and \
                self.facts.has_active_args(value):
            d = self.decide(s, value.func)
            if d.what == "user":
                C.prepare_user_call(self, s, value, d.fn)
        if x not in self.facts.active or x not in state.live:
            if isinstance(value, gast.Call) and x not in self.facts.active:
                d = self.decide(s, value.func)
                if d.what != "user":
                    C.check_effect(self.unit, self.facts, s, value, d.fn)
            state.live.discard(x)
            state.owned.discard(x)
            return [restore]
        out = []
        g = N.name(self.b(x))
        reads = set(operands(value))
        self_ref = x in reads
        ans = N.name(x)
        if self_ref:
            gt = self.namer.fresh("_g")
            out.append(N.assign(gt, g, loc=s))
            g = N.name(gt)
            ans = N.name(_SENTINEL)
        # x = y: y's adjoint takes over x's buffer (x's adjoint is dead from here)
        g_owned = x in state.owned and not self_ref and isinstance(value, gast.Name)
        state.live.discard(x)
        state.owned.discard(x)
        # a 0.0 filler meets only shape-sensitive rules (dot, concatenate...) in calls
        was_zero = x in state.zero
        maybe_zero = was_zero and (isinstance(value, gast.Call) or (
            isinstance(value, gast.BinOp) and isinstance(value.op, gast.MatMult)))
        state.zero.discard(x)
        if maybe_zero:  # bx may be the 0.0 filler: shape-sensitive rules must not see it
            inner = state.copy()
            contrib = self.contributions(s, x, value, g, ans, inner)
            other = state.copy()
            control.join(self, [(inner, contrib), (other, skip := [])], state)
            test = N.not_(N.call(self.ref(R.is_zero), [g]))
            contrib = [N.if_(test, contrib or [gast.Pass()], skip, loc=s)]
        else:
            # elementwise rules carry a 0.0 filler through as a scalar: what they feed may
            # be the filler too
            contrib = self.contributions(s, x, value, g, ans, state, from_zero=was_zero,
                                         g_owned=g_owned)
        # x = h(x) with a user function: its backward reads the record, not x, and the
        # record sits above old x on the stack, so x is restored last
        late = self_ref and anno.has(s, anno.UserCall)
        if self_ref and not late:
            if any(isinstance(n, gast.Name) and n.id == _SENTINEL
                   for c in contrib for n in nodes(c)):
                at = self.namer.fresh("_a")
                out.append(N.assign(at, N.name(x), loc=s))
                contrib = [_Rename(_SENTINEL, at).visit(c) for c in contrib]
            out.append(restore)
        out.extend(contrib)
        if not self_ref or late:
            out.append(restore)
        return out

    def contributions(self, s, x, value, g, ans, state, from_zero=False, g_owned=False):
        """Adjoint statements of ``x = value`` given the output adjoint ``g`` (``ans``
        stands for the value); ``from_zero``: ``g`` may be the 0.0 filler; ``g_owned``:
        ``g`` is a buffer this code owns that nothing else will read."""
        out = []
        active = self.facts.active
        if isinstance(value, gast.Name):
            if value.id in active:
                self.accumulate(value.id, g, state, out, s, from_zero=from_zero,
                                owned=g_owned)
            return out
        if isinstance(value, gast.Constant):
            return out
        if isinstance(value, gast.BinOp):
            C.refuse_container_arithmetic(self.unit, self.facts, s, value, active)
            fn = BINOPS.get(type(value.op))
            return self.rule_call(s, x, fn, [value.left, value.right], [], g, ans, state,
                                  from_zero=from_zero)
        if isinstance(value, gast.UnaryOp):
            fn = UNOPS.get(type(value.op))
            if fn is None:
                return C.no_derivative(self.unit, s, value, active)
            return self.rule_call(s, x, fn, [value.operand], [], g, ans, state,
                                  from_zero=from_zero)
        if isinstance(value, gast.Subscript):
            base = value.value
            for check in C.refuse_differentiated_index(self.unit, s, value, active,
                                                       self.facts):
                out.append(N.expr_stmt(check, loc=s))
            if isinstance(base, gast.Name) and base.id in active:
                idx = N.index_expr(value.slice)
                was_live = base.id in state.live
                num = self.facts.kind(base.id) is Kind.NUM
                if E.read(self, s, value, g, state, out):  # bx[i] += g into bx's buffer
                    return out
                # an adjoint buffer this code allocated takes element reads in place
                into = num and was_live and base.id in state.owned
                acc = N.call(self.ref(R.accum_index_into if into else R.accum_index), [
                    N.name(self.b(base.id)) if was_live else N.const(0.0),
                    base, idx, g])
                node = N.assign(self.b(base.id), acc, loc=s)
                out.append(node)
                state.live.add(base.id)
                if num and (into or not was_live):  # in place, or a fresh buffer (or 0.0)
                    anno.set_(node, anno.ACCUMULATES)
                    state.owned.add(base.id)
                else:
                    state.owned.discard(base.id)
                if from_zero:
                    if not was_live:
                        state.zero.add(base.id)  # g may be the filler: so may this be
                else:
                    state.zero.discard(base.id)
            return out
        if isinstance(value, (gast.Tuple, gast.List)):
            for k, e in enumerate(value.elts):
                if isinstance(e, gast.Name) and e.id in active:
                    self.accumulate(e.id, N.call(self.ref(R.part), [g, N.const(k)]), state,
                                    out, s, maybe_none=True)
            return out
        if isinstance(value, gast.Dict):
            for k, e in zip(value.keys, value.values):
                if isinstance(e, gast.Name) and e.id in active:
                    self.accumulate(e.id, N.call(self.ref(R.part), [g, k]), state, out, s,
                                    maybe_none=True)
            return out
        if isinstance(value, gast.Call):
            return self.call(s, x, value, g, ans, state, from_zero)
        if isinstance(value, gast.Attribute):
            base = value.value
            if isinstance(base, gast.Name) and base.id in active:
                bb = self.b(base.id)
                acc = N.call(self.ref(R.accum_index), [
                    N.name(bb) if base.id in state.live else N.const(None), base,
                    N.const(value.attr), g])
                out.append(N.assign(bb, acc, loc=s))
                state.live.add(base.id)
                state.zero.discard(base.id)
            return out
        return C.no_derivative(self.unit, s, value, active)  # default-deny

    def decide(self, s, func, statement=False):
        """The call's classification; refusals raise here, at the user's line."""
        d = self.facts.decision(func)
        if d.what == "refused":
            filename, line = self.unit.where(s)
            raise UnsupportedConstructError(d.why, filename=filename, lineno=line)
        for g in C.guards_for(self.unit, func, d.fn, self.facts.resolver):
            if g not in self.guards:
                self.guards.append(g)
        return d

    def call(self, s, x, value, g, ans, state, from_zero=False):
        if not self.facts.has_active_args(value):
            f = value.func
            while isinstance(f, gast.Attribute):
                f = f.value
            if f is not value.func and getattr(f, "id", None) in self.facts.active and \
                    self.facts.decision(value.func).what == "unresolved":
                C.dynamic_call_error(self, s, value)  # d.get(k): a method of a value
            return []
        d = self.decide(s, value.func)
        if d.what == "user":
            return C.user_call_adjoint(self, s, value, g, state, d.fn)
        if d.what == "unresolved":
            C.dynamic_call_error(self, s, value)
        return self.rule_call(s, x, d.fn, value.args, value.keywords, g, ans, state,
                              value.func, from_zero)

    def rule_call(self, s, x, fn, args, keywords, g, ans, state, func_node=None,
                  from_zero=False):
        """The adjoint of ``x = fn(*args, **keywords)`` by ``fn``'s registered rules."""
        return rule_call(self, s, x, fn, args, keywords, g, ans, state, func_node, from_zero)

    # -- x[idx] = v ----------------------------------------------------------------------
    def setitem(self, s, t, state):
        base = t.value.id
        v = s.value
        out = []
        if base in self.facts.active and E.write(self, s, t, state, out):
            pass  # bv = bx[i]; bx[i] = 0.0 in x's buffer
        elif base in self.facts.active and base in state.live:
            idx = N.index_expr(t.slice)
            bb = self.b(base)
            if isinstance(v, gast.Name) and v.id in self.facts.active:
                take = N.call(self.ref(R.take_written), [N.name(bb), idx])
                if self.facts.kind(base) is Kind.NUM:  # h[i] = a broadcasts a into a row
                    take = N.call(self.ref(H.unbroadcast, "unbroadcast"), [take, N.name(v.id)])
                else:  # an array or a list: told at run time
                    take = N.call(self.ref(R.fit_entry), [take, N.name(v.id)])
                self.accumulate(v.id, take, state, out, s, maybe_none=True)
            out.append(N.assign(bb, N.call(self.ref(R.clear_grad),
                                           [N.name(bb), N.name(base), N.clone(idx)]), loc=s))
        m = N.expr_stmt(N.call(RESTORE, [N.name(base), N.index_expr(t.slice)]))
        anno.set_(m, anno.Site(s))
        return out + [m]

    # -- statements with calls ----------------------------------------------------------
    def expr_stmt(self, s, state):
        call = s.value
        base = written_base(s)
        if base is not None and isinstance(call, gast.Call):
            return C.method_adjoint(self, s, base, call, state)
        if isinstance(call, gast.Call):
            d = self.decide(s, call.func)
            if d.what == "user":
                return C.user_call_adjoint(self, s, call, None, state, d.fn)
            C.check_effect(self.unit, self.facts, s, call, d.fn)
        return []


def refuse_attribute_write(unit, facts, s):
    """``obj.attr = v`` runs as written; with a differentiated ``v`` it is refused (a later
    read of the attribute would carry no derivative)."""
    v = s.value
    if isinstance(v, gast.Name) and v.id in facts.varied:
        filename, line = unit.where(s)
        raise UnsupportedConstructError(
            "writing a differentiated value into an attribute "
            f"(`{gast.unparse(s.targets[0]).strip()} = ...`) is not supported; keep it in a "
            "local variable or return it", filename=filename, lineno=line)
