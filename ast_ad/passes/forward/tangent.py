"""Forward mode: each primal statement is followed by its tangent statement.

Before (normalized)::

    _t1 = np.sin(x)
    y = _t1 * x
    return y

After::

    _t1 = np.sin(x)
    d_t1 = dx * np.cos(x)
    y = _t1 * x
    dy = d_t1 * x + _t1 * dx
    return (y, dy)

Loops and branches stay as they are (no stack); a tangent that exists on one path only
is materialized as ``0.0`` on the others.  Lists carry lists of tangents
(``lst.append(v)`` -> ``dlst.append(dv)``), so generated reverse-mode code, whose stack is
such a list, differentiates again in forward mode (forward-over-reverse Hessians).
Rules come from the same registry (``defjvp``), inlined like reverse rules.
"""

from __future__ import annotations

import copy

import gast
import numpy as np

from ... import runtime as R
from ...errors import NoRuleError, UnsupportedConstructError, refuse_at
from ...ir import nodes as N
from ...ir.lattice import Kind
from ...ir.walk import is_loop
from ...objects import GradientObject
from ...rules import helpers as H
from ..analysis.activity import operands
from ..inline import rule_expr
from ..reverse.adjoint import BINOPS, UNOPS
from ..reverse.calls import refuse_differentiated_index
from ..reverse.rules import (
    _own_helper,
    check_arity,
    drop_shape_helper,
    int_check,
    may_join,
    no_rule_error,
    positional_actives,
)
from .callees import forward_callee


class ForwardMode:
    def __init__(self, unit, facts, tangent_params):
        self.unit = unit
        self.facts = facts
        self.namer = unit.namer
        self.varied = facts.varied
        self.tan = {}
        self.params = tangent_params

    def zero_fill(self, var, defined):
        """A zero tangent for ``var``: shaped like it when it surely exists here."""
        if var in defined:
            return N.assign(self.d(var), N.call(self.ref(R.zeros_grad), [N.name(var)]))
        return N.assign(self.d(var), N.const(0.0))

    def d(self, var):
        if var not in self.tan:
            self.tan[var] = self.namer.fresh("d" + var)
        return self.tan[var]

    def ref(self, obj, hint=None):
        return self.unit.ref(obj, hint)

    def where(self, node):
        return self.unit.where(node)

    # -- statements ------------------------------------------------------------------------
    def block(self, stmts, live, defined=None):
        """Tangent code for ``stmts``; ``defined``: names surely bound before them."""
        if defined is None:
            defined = set(self.params) | set(self.unit.params)
        out = []
        for s in stmts:
            out.extend(self.stmt(s, live, defined))
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name):
                defined.add(s.targets[0].id)
        return out

    def stmt(self, s, live, defined=frozenset()):
        if isinstance(s, gast.Assign):
            t = s.targets[0]
            if isinstance(t, gast.Name):
                return self.assign(s, t.id, live)
            if isinstance(t, gast.Subscript):
                return self.setitem(s, t, live)
            if isinstance(t, gast.Tuple):
                return [s]
            if isinstance(t, gast.Attribute):
                from ..reverse.adjoint import refuse_attribute_write
                refuse_attribute_write(self.unit, self.facts, s)
                return [s]
        if isinstance(s, gast.Expr):
            return self.expr_stmt(s, live)
        if isinstance(s, gast.If):
            l1, l2 = set(live), set(live)
            d1, d2 = set(defined), set(defined)
            body = self.block(s.body, l1, d1)
            orelse = self.block(s.orelse, l2, d2)
            joined = l1 | l2
            for var in sorted(joined - l1):
                body.append(self.zero_fill(var, d1))
            for var in sorted(joined - l2):
                orelse.append(self.zero_fill(var, d2))
            defined |= d1 & d2
            live |= joined
            return [N.if_(s.test, body, orelse, loc=s)]
        if isinstance(s, gast.Try):
            # tangents run next to the lines of the block: an exception part-way leaves
            # the names and tangents of the lines not reached as they were; what becomes
            # live in the block gets a zero tangent first (the handler path may read it)
            body_live = set(live)
            t = copy.copy(s)
            t.body = self.block(s.body, body_live, set(defined)) or [gast.Pass()]
            pre = [self.zero_fill(var, defined) for var in sorted(body_live - live)]
            live |= body_live
            return pre + [t]
        if isinstance(s, gast.With):  # the tangent code runs inside the same managers
            w = copy.copy(s)
            w.body = self.block(s.body, live, defined) or [gast.Pass()]
            return [w]
        if is_loop(s):
            pre = []
            entry = set(live)
            for _ in range(len(self.varied) + 2):
                st = set(entry)
                body = self.block(N.clone(s.body), st, set(defined))
                grow = st - entry
                if not grow:
                    break
                for var in sorted(grow):
                    pre.append(self.zero_fill(var, defined))
                entry |= grow
            live |= entry
            loop = copy.copy(s)
            loop.body = body
            return pre + [loop]
        return [s]

    def assign(self, s, x, live):
        value = s.value
        live_args = self.live_operands(value, live)
        if x in self.varied and isinstance(value, (gast.List, gast.Dict)) and not live_args:
            live.add(x)  # a container that will receive differentiated entries
            return [s] + self.tangent(s, value, N.name(x), live)
        if x not in self.varied or not live_args:
            live.discard(x)
            return [s]
        if isinstance(value, gast.Call):
            r = forward_callee(self.unit, self.facts, value, live, self.d)
            if r is not None:
                live.add(x)
                tgt = gast.Tuple(elts=[N.store(x), N.store(self.d(x))], ctx=gast.Store())
                return [N.assign(tgt, r[1], loc=s)]
        if x in operands(value):  # x = f(x): compute into a temporary first
            tmp = self.namer.fresh("_v")
            prim = N.assign(tmp, value, loc=s)
            tan = self.tangent(s, value, N.name(tmp), live)
            if tan is None:
                live.discard(x)
                return [s]
            live.add(x)
            return [prim] + tan + [N.assign(x, N.name(tmp), loc=s)]
        tan = self.tangent(s, value, N.name(x), live)
        if tan is None:
            live.discard(x)
            return [s]
        live.add(x)
        return [s] + tan

    def live_operands(self, value, live):
        return [n for n in operands(value) if n in live]

    def tangent(self, s, value, ans, live):
        """Statements computing the tangent of ``ans`` (stored in d(target))."""
        target = s.targets[0].id
        dt = self.d(target)
        out = []
        terms = self.terms(s, value, ans, live)
        expr = None
        for e in terms:
            expr = e if expr is None else N.call(self.ref(R.add_grads), [expr, e]) \
                if self.facts.kind(target) is not Kind.NUM else gast.BinOp(left=expr, op=gast.Add(),
                                                                       right=e)
        if expr is None:
            if not isinstance(value, (gast.List, gast.Dict, gast.Tuple)):
                return None  # nothing reaches the result: its tangent stays absent
            expr = N.const(0.0)
        out.append(N.assign(dt, expr, loc=s))
        return out

    def terms(self, s, value, ans, live):
        if isinstance(value, gast.Name):
            return [N.name(self.d(value.id))] if value.id in live else []
        if isinstance(value, gast.BinOp):
            # "%r" % x, [x] + [y]: refused as in reverse mode (never a tangent of a string)
            from ..reverse.calls import refuse_container_arithmetic
            refuse_container_arithmetic(self.unit, self.facts, s, value, self.reaching(s, live))
            return self.rule_terms(s, BINOPS.get(type(value.op)), [value.left, value.right], [],
                                   ans, live)
        if isinstance(value, gast.UnaryOp):
            fn = UNOPS.get(type(value.op))
            return [] if fn is None else self.rule_terms(s, fn, [value.operand], [], ans, live)
        if isinstance(value, gast.Subscript):
            checks = refuse_differentiated_index(self.unit, s, value, live, self.facts)
            if isinstance(value.value, gast.Name) and value.value.id in live:
                return [N.call(self.ref(R.take_grad), [N.name(self.d(value.value.id)),
                                                       N.index_expr(value.slice)])] + checks
            return checks  # (each 0.0 when the index holds no float)
        if isinstance(value, (gast.Tuple, gast.List)):
            elts = [N.name(self.d(e.id)) if isinstance(e, gast.Name) and e.id in live
                    else self.entry_zero(e) for e in value.elts]
            return [type(value)(elts=elts, ctx=gast.Load())]
        if isinstance(value, gast.Dict):
            vals = [N.name(self.d(e.id)) if isinstance(e, gast.Name) and e.id in live
                    else N.const(0.0) for e in value.values]
            return [gast.Dict(keys=N.clone(value.keys), values=vals)]
        if isinstance(value, gast.Call):
            return self.call_terms(s, value, ans, live)
        if isinstance(value, gast.Attribute):
            return []
        if isinstance(value, (gast.JoinedStr, gast.FormattedValue)):  # f"{x}": refused
            from ..reverse.calls import no_derivative
            return no_derivative(self.unit, s, value, self.reaching(s, live))
        return []

    def reaching(self, s, live):
        """``live`` when what ``s`` computes can reach the output, else nothing: a string
        handed to ``log.info`` only needs no tangent (as in reverse mode)."""
        t = s.targets[0] if isinstance(s, gast.Assign) and len(s.targets) == 1 else None
        return live if not isinstance(t, gast.Name) or t.id in self.facts.useful else ()

    def entry_zero(self, e):
        """The tangent of an entry that is not differentiated: ``0.0``, or zeros shaped
        like it where it may be an array (generated code only: the recorded arguments of a
        helper, whose tangents rules read at second order)."""
        if isinstance(e, gast.Name) and self.facts.kind(e.id) is not Kind.NUM and \
                self.unit.parsed.generated:
            return N.call(self.ref(R.zero_tangent), [N.name(e.id)])
        return N.const(0.0)

    def call_terms(self, s, value, ans, live):
        func = value.func
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and \
                func.attr == "pop" and func.value.id in live:
            return [N.call(self.ref(R.tangent_pop), [N.name(self.d(func.value.id))])]
        obj = self.facts.callable(func)
        reg = self.facts.registry
        if obj is not None and reg.jvp(obj) is not None:
            return self.rule_terms(s, obj, value.args, value.keywords, ans, live, func)
        if obj is not None and reg.is_nondifferentiable(obj):
            return []
        from ..analysis.calls import classify

        d = classify(obj, reg, self.unit.fn)
        if d.what in ("refused", "unresolved") and not isinstance(obj, GradientObject):
            try:
                label = gast.unparse(func).strip()
            except Exception:  # noqa: BLE001 - only a label
                label = "this function"
            refuse_at(self.unit.where, s, d.why or (
                f"cannot resolve the function `{label}` called on a differentiated value "
                "when the derivative is generated; call a module-level function or a "
                "nested def directly"))
        no_rule_error(self.unit.parsed, s, obj, func)

    def rule_terms(self, s, fn, args, keywords, ans, live, func_node=None):
        reg = self.facts.registry
        rs = reg.jvp(fn) if fn is not None else None
        if rs is None:
            if fn is not None and reg.is_nondifferentiable(fn):
                return []
            from ...errnotes import user_where

            filename, line = user_where(*self.where(s))  # generated code: the user's line
            from ..reverse.rules import _library

            label = getattr(fn, "__name__", repr(fn))
            raise NoRuleError(f"no forward (jvp) rule for `{label}` on a differentiated value"
                              f"{_library(fn)}; register one with ast_ad.defjvp (or a reverse "
                              "rule with ast_ad.defvjp)", filename=filename, lineno=line)
        out = []
        args, keywords = positional_actives(self.unit, s, rs, args, keywords, live, func_node,
                                            self.facts)
        for k, a in enumerate(args):
            if not (isinstance(a, gast.Name) and a.id in live):
                continue
            rule = rs.rules[k] if k < len(rs.rules) else None
            if rule is None:
                if k < len(rs.rules) or _own_helper(fn):
                    continue
                check = int_check(self.unit.parsed, self.ref(R.int_argument), a, k, fn,
                                  func_node)
                if check is None:
                    no_rule_error(self.unit.parsed, s, fn, func_node, arg=k)
                out.append(check)  # (a zero term, or the error when it runs)
                continue
            check_arity(self.unit, s, fn, rule, args, keywords, func_node)
            t = N.name(self.d(a.id))
            if a.id in self.facts.sequences and isinstance(fn, np.ufunc):
                # a ufunc reads the list as an array: so does its tangent (the rule's t * y
                # would join lists); reverse mode's array_parts gives the list shape back
                t = N.call(self.ref(R.array_tangent), [t, N.call(self.ref(np.asarray), [a])])
            e = self.rule_expr(rule, t, ans, args, keywords)
            if R.is_user_rule(rule):  # a user's rule: its result is checked
                e = N.call(self.ref(R.check_tangent),
                           [e, N.clone(ans), N.const(R.rule_label(rule, fn, k))])
            # broadcast_like(t, ans) is t when the argument and the result share a shape
            # (kept where + / * may join lists: it refuses a list tangent of a list result)
            # (or when the argument is long and the other operands of its shape: long_dims)
            same = self.facts.result_shaped(fn, args, keywords, a.id)
            out.append(e if may_join(self.facts, fn, args) else drop_shape_helper(
                e, self.ref(H.broadcast_like, "broadcast_like"), self.facts, a.id,
                s.targets[0].id, same=same))
        return out

    def rule_expr(self, rule, t, ans, args, keywords):
        return rule_expr(rule, t, ans, args, keywords, self.namer, self.unit.env)

    def setitem(self, s, t, live):
        base = t.value.id
        v = s.value
        if base not in self.varied:
            return [s]
        if base not in live and not (isinstance(v, gast.Name) and v.id in live):
            return [s]
        db = self.d(base)
        cur = N.name(db) if base in live else N.const(0.0)
        tv = N.name(self.d(v.id)) if isinstance(v, gast.Name) and v.id in live else N.const(0.0)
        upd = N.assign(db, N.call(self.ref(R.tangent_setitem),
                                  [cur, N.name(base), N.index_expr(t.slice), tv]), loc=s)
        live.add(base)
        return [s, upd]

    def expr_stmt(self, s, live):
        call = s.value
        if isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and \
                isinstance(call.func.value, gast.Name) and call.func.attr in ("append", "pop"):
            base = call.func.value.id
            if base in self.varied:
                if base not in live:
                    live.add(base)
                    init = N.assign(self.d(base), N.call(self.ref(R.tangent_list),
                                                         [N.name(base)]))
                    pre = [init]
                else:
                    pre = []
                db = self.d(base)
                if call.func.attr == "append":
                    a = call.args[0]
                    ta = N.name(self.d(a.id)) if isinstance(a, gast.Name) and a.id in live \
                        else N.const(0.0)
                    upd = N.assign(db, N.call(self.ref(R.tangent_append),
                                              [N.name(db), N.name(base), ta]), loc=s)
                    return pre + [upd, s]
                return pre + [s, N.expr_stmt(N.call(self.ref(R.tangent_pop), [N.name(db)]))]
        if isinstance(call, gast.Call) and self.facts.callable(call.func) is \
                R.restore_item and isinstance(call.args[0], gast.Name):
            base, idx, old = call.args  # generated code undoing a write: x[idx] = old
            if base.id in self.varied and (base.id in live or (
                    isinstance(old, gast.Name) and old.id in live)):
                db = self.d(base.id)
                cur = N.name(db) if base.id in live else N.const(0.0)
                told = N.name(self.d(old.id)) if isinstance(old, gast.Name) and old.id in live \
                    else N.const(0.0)
                live.add(base.id)
                return [s, N.assign(db, N.call(self.ref(R.tangent_restore),
                                               [cur, base, idx, told]), loc=s)]
            return [s]
        if isinstance(call, gast.Call) and self.live_operands(call, live):
            from ..analysis.library import is_library
            from ..reverse.calls import check_effect

            obj = self.facts.callable(call.func)
            if obj is not None and not self.facts.registry.has_rule(obj) and \
                    callable(obj) and hasattr(obj, "__code__") and not is_library(obj):
                filename, line = self.where(s)
                raise UnsupportedConstructError(
                    "forward mode through a statement call of a user function is not "
                    "supported", filename=filename, lineno=line)
            # a library call whose result is dropped (log.info(x), rng.shuffle(y),
            # lst.clear()): runs as-is only when it cannot write into what it is handed;
            # else refused as in reverse mode (a stale tangent is never kept)
            check_effect(self.unit, self.facts, s, call, obj)
        return [s]

