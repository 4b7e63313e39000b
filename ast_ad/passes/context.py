"""TransformContext: what the reverse pass asks about the function being transformed.

It resolves callables, decides how each call is differentiated (rule, non-differentiable,
user function, list method), infers value kinds, and assembles the final function from
the forward and adjoint sweeps.
"""

from __future__ import annotations

import operator

import gast
import numpy as np

from .. import runtime as R
from ..frontend.resolve import LOCAL, MISSING
from . import nodes as N
from .analysis import Analysis, iter_stmts
from .anf import NONDIFF_ATTRS
from .calls import CallSupport
from .cleanup import cleanup
from .forward_sweep import ForwardSweep, add_counters, finalize_markers, needed_names
from .reverse import Reverse, State, no_rule_error

_ELEMENTWISE = {operator.add, operator.sub, operator.mul, operator.truediv, operator.pow,
                operator.neg, operator.pos}
_CONTAINER_CAPABLE = {list, tuple, dict, R.as_sequence, R.part, R.add_grads, R.accum_index,
                      R.take_grad, R.clear_grad, R.push_grad, R.pop_grad, R.zeros_grad,
                      R.array_parts, R.save_item, R.tangent_setitem, R.tangent_restore}
_FULL_REDUCTIONS = {np.sum, np.mean, np.max, np.min, np.prod, np.var, np.std, np.amax,
                    np.amin}
_PURE_NUMPY = {np.dot, np.matmul, np.outer, np.transpose, np.reshape, np.where, np.clip,
               np.tanh, np.exp, np.log, np.sum, np.mean, np.linalg.norm, np.concatenate,
               np.stack, np.squeeze, np.expand_dims, np.ravel, np.trace, np.maximum, np.minimum}
_NUMERIC_TYPES = (float, int, np.ndarray, np.floating, np.integer, complex, bool)


class TransformContext(CallSupport):
    def __init__(self, fn, parsed, env, namer, registry, norm, wrt_names, arg_kinds,
                 static_args=None):
        self.fn = fn
        self.static_args = static_args or {}  # parameter -> the function passed for it
        self.parsed = parsed
        self.env = env
        self.namer = namer
        self.registry = registry
        self.norm = norm
        self.tree = norm.tree
        self.wrt = list(wrt_names)
        self.arg_kinds = arg_kinds
        self.params = [a.id for a in self.tree.args.args] + \
            [a.id for a in self.tree.args.kwonlyargs]
        self.callees = {}
        self.guards = []  # (globals dict, name, object) of differentiated global callees
        if not getattr(fn, "__code__", None) or \
                not fn.__code__.co_filename.startswith("<ast_ad-"):
            # generated code restores every write before reading a view again
            self.guard_views(self.tree.body)
        self.analysis = Analysis(self.tree, self.wrt, self.nondiff_value)
        self.kinds = self.infer_kinds()
        scalar = {p for p, t in arg_kinds.items() if t in (float, int, np.float64, bool)}
        self.shapes = self.analysis.shape_classes(self.is_elementwise, scalar, self.scalar_call)
        self.ans_shape = {}
        self.pyfloat = self.infer_pyfloat()
        self.all_pyfloat = self.analysis.active <= self.pyfloat

    def infer_pyfloat(self):
        """Names whose value is surely a Python float or np.float64 scalar."""
        import math

        kind = {p: ("f" if self.arg_kinds.get(p) in (float, np.float64) else
                    "i" if self.arg_kinds.get(p) is int else None) for p in self.params}
        defs = [(s.targets[0].id, s.value) for s, _ in iter_stmts(self.tree.body)
                if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)]
        fors = {s.target.id for s, _ in iter_stmts(self.tree.body) if isinstance(s, gast.For)
                and isinstance(s.iter, gast.Name)}

        def of(a, k):
            if isinstance(a, gast.Constant):
                v = a.value
                return "f" if type(v) is float else "i" if type(v) is int else None
            if isinstance(a, gast.Name):
                return k.get(a.id, "i" if a.id in fors else "?")
            return None

        def value(v, k):
            if N.is_atom(v):
                return of(v, k)
            if isinstance(v, gast.BinOp) and type(v.op) in (gast.Add, gast.Sub, gast.Mult,
                                                            gast.Div, gast.Pow):
                a, b = of(v.left, k), of(v.right, k)
                if "?" in (a, b):
                    return "?"
                if a in ("f", "i") and b in ("f", "i"):
                    return "f" if "f" in (a, b) or isinstance(v.op, gast.Div) else "i"
                return None
            if isinstance(v, gast.UnaryOp) and isinstance(v.op, (gast.USub, gast.UAdd)):
                return of(v.operand, k)
            if isinstance(v, gast.Call) and not v.keywords:
                obj = self.resolve_callable(v.func)
                kinds_ = [of(a, k) for a in v.args]
                if "?" in kinds_:
                    return "?"
                scalar_in = all(x in ("f", "i") for x in kinds_)
                if scalar_in and (getattr(obj, "__module__", None) == "math" or
                                  (obj in vars(math).values() and callable(obj))):
                    return "f"
                if scalar_in and isinstance(obj, np.ufunc) and obj.nout == 1 and \
                        obj.types and any(x == "f" for x in kinds_):
                    return "f"
                if scalar_in and obj is float:
                    return "f"
            return None

        k = dict(kind)
        for name, _ in defs:
            k.setdefault(name, "?")
        for _ in range(30):
            new = dict(k)
            for name in {d[0] for d in defs}:
                vals = {value(v, k) for n2, v in defs if n2 == name}
                if name in kind:
                    vals.add(kind[name])
                vals.discard("?")
                new[name] = vals.pop() if len(vals) == 1 else (None if vals else "?")
            if new == k:
                break
            k = new
        return {n for n, v in k.items() if v == "f"}

    # -- classification -----------------------------------------------------------------
    def has_active_args(self, call):
        active = self.analysis.active
        return any(isinstance(a, gast.Name) and a.id in active for a in call.args) or any(
            isinstance(k.value, gast.Name) and k.value.id in active for k in call.keywords)

    def resolve_callable(self, func):
        if isinstance(func, gast.Name) and func.id in self.static_args:
            obj = self.static_args[func.id]
            return None if hasattr(obj, "obj") and type(obj).__name__ == "_Bound" else obj
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and \
                func.value.id in self.static_args:
            holder = self.static_args[func.value.id]
            if type(holder).__name__ == "_Bound":  # self.helper(...) in a method gradient
                return getattr(holder.obj, func.attr, None)
        if isinstance(func, gast.Name) and func.id in getattr(self, "nested", {}):
            return self.nested[func.id]
        if isinstance(func, gast.Name) and func.id in self.namer.support:
            return self.namer.support[func.id]
        obj = self.env.lookup(func)
        if obj is LOCAL or obj is MISSING:
            return None
        return obj

    def is_elementwise(self, func):
        obj = self.resolve_callable(func)
        return isinstance(obj, np.ufunc) and obj.nin <= 2 and obj.nout == 1

    def nondiff_value(self, v):
        if isinstance(v, (gast.Compare, gast.Constant)):
            return True
        if isinstance(v, gast.UnaryOp) and isinstance(v.op, gast.Not):
            return True
        if isinstance(v, gast.Attribute) and v.attr in NONDIFF_ATTRS:
            return True
        if isinstance(v, gast.Call):
            obj = self.resolve_callable(v.func)
            if obj is not None and self.registry.is_nondifferentiable(obj):
                return True
        return False

    def broadcast_info(self):
        """(unreduce reference, shape class of a primal or adjoint name) for cleanup."""
        from ..rules import helpers as H

        primal_of = {b: p for p, b in getattr(self, "adjoint_map", {}).items()}

        def shape_of(name):
            return self.shapes.get(primal_of.get(name, name), "?")

        return self.namer.support_ref(H.unreduce, self.env, "unreduce"), shape_of

    def shape_only_names(self, rev_code, needed):
        """Needed names that the adjoint reads only for their shape (pushed as tokens)."""
        from .reverse import PUSH, RESTORE

        shape_args, _ = self.shape_reps()
        shape_uses, loads = set(), {}
        markers = set()
        for st in rev_code:
            for n in gast.walk(st):
                if isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and \
                        n.func.id in (PUSH, RESTORE):
                    markers.update(id(a) for a in gast.walk(n))
        for st in rev_code:
            for n in gast.walk(st):
                if id(n) in markers:
                    continue
                if isinstance(n, gast.Call):
                    for k in shape_args.get(gast.dump(n.func), ()):
                        if k < len(n.args) and isinstance(n.args[k], gast.Name):
                            shape_uses.add(id(n.args[k]))
                if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load):
                    loads.setdefault(n.id, []).append(id(n))
        written = {st.targets[0].value.id for st, _ in iter_stmts(self.tree.body)
                   if isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Subscript)}
        return {v for v in needed if v in loads and v not in written
                and all(i in shape_uses for i in loads[v])}

    def shape_reps(self):
        """(shape-only argument positions, representative name of a shape class)."""
        from ..rules import helpers as H

        def d(obj, hint):
            return gast.dump(self.namer.support_ref(obj, self.env, hint))

        shape_args = {d(H.unbroadcast, "unbroadcast"): (1,), d(H.unreduce, "unreduce"): (1,),
                      d(H.broadcast_like, "broadcast_like"): (1,),
                      d(H.count_reduced, "count_reduced"): (0,), d(np.size, "size"): (0,),
                      d(np.shape, "shape"): (0,)}

        def rep_of(name):
            c = self.shapes.get(name, "?")
            if c.startswith(("v:", "p:")):
                return c[2:]
            return None

        return shape_args, rep_of

    def scalar_call(self, v):
        """A call whose result is one number: a full reduction, len()."""
        obj = self.resolve_callable(v.func)
        if obj is len:
            return True
        return obj in _FULL_REDUCTIONS and len(v.args) == 1 and all(
            k.arg == "dtype" for k in v.keywords)

    def scalar_output(self, name):
        """True if ``name`` is surely a scalar: a float, or a full reduction."""
        if name in self.pyfloat or self.shapes.get(name) == "scalar":
            return True
        defs = [s.value for s, _ in iter_stmts(self.tree.body) if isinstance(s, gast.Assign)
                and isinstance(s.targets[0], gast.Name) and s.targets[0].id == name]
        if len(defs) != 1 or not isinstance(defs[0], gast.Call):
            return False
        v = defs[0]
        obj = self.resolve_callable(v.func)
        return obj in _FULL_REDUCTIONS and len(v.args) == 1 and all(
            k.arg == "dtype" for k in v.keywords)

    def pure_value(self, v):
        """True for a right-hand side without side effects (safe to drop if unused)."""
        if N.is_atom(v) or isinstance(v, (gast.BinOp, gast.UnaryOp, gast.Compare)):
            return True
        if isinstance(v, gast.Call):
            obj = self.resolve_callable(v.func)
            if any(k.arg == "out" for k in v.keywords):
                return False
            mod = getattr(obj, "__module__", None) or ""
            return isinstance(obj, np.ufunc) or mod == "math" or obj in _FULL_REDUCTIONS or \
                obj in _PURE_NUMPY
        return False

    def infer_kinds(self):
        """name -> 'num' (a number or array: adjoints add with +) or 'any'."""
        kinds = {}
        for p in self.params:
            t = self.arg_kinds.get(p)
            kinds[p] = "num" if t == "num" or (isinstance(t, type) and issubclass(
                t, _NUMERIC_TYPES)) else "any"
        defs = [(s.targets[0].id, s.value) for s, _ in iter_stmts(self.tree.body)
                if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)
                and not (isinstance(s.value, gast.Constant) and s.value.value is None)]
        for name, _ in defs:
            if name not in kinds:
                kinds[name] = "num"
        for _ in range(20):
            changed = False
            for name, v in defs:
                k = self.value_kind(v, kinds)
                if k == "any" and kinds.get(name) != "any":
                    kinds[name] = "any"
                    changed = True
            if not changed:
                break
        for s, _ in iter_stmts(self.tree.body):
            if isinstance(s, gast.For):
                kinds.setdefault(s.target.id, "num")
        return kinds

    def value_kind(self, v, kinds):
        if isinstance(v, gast.Constant):
            return "num" if isinstance(v.value, (int, float, complex)) else "any"
        if isinstance(v, gast.Name):
            return kinds.get(v.id, "any")
        if isinstance(v, (gast.BinOp, gast.UnaryOp)):
            names = [n.id for n in gast.walk(v) if isinstance(n, gast.Name)]
            return "num" if all(kinds.get(n) == "num" for n in names) else "any"
        if isinstance(v, gast.Subscript):
            return "num" if isinstance(v.value, gast.Name) and kinds.get(v.value.id) == "num" \
                else "any"
        if isinstance(v, gast.Call):
            obj = self.resolve_callable(v.func)
            if obj is None or obj in _CONTAINER_CAPABLE or self.registry.vjp(obj) is None:
                return "any"
            if obj in (sum, max, min, abs, float):
                names = [a.id for a in v.args if isinstance(a, gast.Name)]
                return "num" if all(kinds.get(n) == "num" for n in names) else "any"
            from ..rules import helpers as H

            if obj in (H.copy, H.astype):
                names = [a.id for a in v.args[:1] if isinstance(a, gast.Name)]
                return "num" if all(kinds.get(n) == "num" for n in names) else "any"
            return "num"
        return "any"

    # -- rules ----------------------------------------------------------------------------
    def no_rule(self, s, fn, func_node, arg=None):
        no_rule_error(self.parsed, s, fn, func_node, arg)

    def simplify_unbroadcast(self, expr, ans, target):
        """Drop ``unbroadcast(e, x)`` where e and x provably have the same shape."""
        from ..rules import helpers as H

        ub = self.namer.support_ref(H.unbroadcast, self.env, "unbroadcast")
        ub_src = gast.dump(ub)
        if not isinstance(ans, gast.Name):
            return expr
        a_cls = self.shapes.get(ans.id, "?")
        t_cls = self.shapes.get(target, "?")
        if a_cls == "?" or a_cls != t_cls:
            return expr
        if isinstance(expr, gast.Call) and gast.dump(expr.func) == ub_src and len(expr.args) == 2:
            return expr.args[0]
        return expr

    # -- assembly -------------------------------------------------------------------------
    def build(self, mode, with_value):
        from ..codegen import Generated

        body = list(self.tree.body)
        ret = body.pop()  # the final return (normalize guarantees one)
        out_atom = ret.value
        add_counters(body, self.namer)
        rev = Reverse(self)
        state = State()
        seed_stmts = []
        out_name = out_atom.id if isinstance(out_atom, gast.Name) else None
        g_out = self.namer.fresh("g_out") if mode == "split" else None
        if out_name is not None and out_name in self.analysis.active:
            b_out = rev.b(out_name)
            if mode == "joint" and self.scalar_output(out_name):
                seed_stmts.append(N.assign(b_out, N.const(1.0)))  # a float output: no check
            elif mode == "joint":
                seed_stmts.append(N.assign(b_out, N.call(self.ref(R.seed), [out_atom])))
            else:
                seed_stmts.append(N.assign(b_out, N.name(g_out)))
            state.live.add(out_name)
        elif mode == "joint":  # the output does not depend on wrt: still check its kind
            seed_stmts.append(N.expr_stmt(N.call(self.ref(R.check_output), [out_atom])))
        if with_value and mode == "joint" and isinstance(out_atom, gast.Name):
            value_name = self.namer.fresh("value")
            seed_stmts.insert(0, N.assign(value_name, out_atom))
            out_atom = N.name(value_name)
        rev_code = rev.block(body, state)
        self.adjoint_names = set(rev.adj.values())
        self.adjoint_map = dict(rev.adj)
        locals_ = set(self.params) | N.stored_names(body) | self.counter_names(body) | {
            s.user_call[1] for s, _ in iter_stmts(body) if hasattr(s, "user_call")}
        needed = needed_names(rev_code, locals_)
        push, pop = self.namer.fresh("_push"), self.namer.fresh("_pop")
        stack = self.namer.fresh("_stack")
        fs = ForwardSweep(self.analysis, needed, self.namer, push, self.ref)
        if mode == "joint":
            fs.shape_only = self.shape_only_names(rev_code, needed)
        fwd = fs.block(body)
        rev_code = finalize_markers(rev_code, fs, pop, body)
        grads = [self.grad_expr(p, rev, state, mode) for p in self.wrt]
        head = self.param_copies(body) + [
            N.assign(v, N.const(None)) for v in sorted(fs.pushed - set(self.params))]
        uses_stack = _mentions(fwd, push)
        return Generated(self, mode, with_value, head, fwd, seed_stmts, rev_code, grads,
                         out_atom, needed, (stack, push, pop), uses_stack, g_out, cleanup)

    def build_forward(self, seeded=False, with_value=False):
        """Forward mode: ``f_jvp(*params, *tangents) -> (value, tangent of the output)``.

        ``seeded``: the derivative w.r.t. the single scalar ``wrt`` parameter, as a plain
        function of the parameters (its tangent starts at 1.0): ``f_deriv(*params)``.
        """
        from ..codegen import GeneratedForward
        from .forward_mode import ForwardMode

        body = list(self.tree.body)
        ret = body.pop()
        out_atom = ret.value
        fm = ForwardMode(self, self.wrt)
        tnames = {p: fm.d(p) for p in self.wrt}
        live = set(self.wrt)
        code = fm.block(body, live)
        out = out_atom.id if isinstance(out_atom, gast.Name) else None
        if out is not None and out in live:
            tan = N.name(fm.d(out))
        else:
            tan = N.call(self.ref(R.zeros_grad), [out_atom])
        if seeded:
            code = [N.assign(tnames[p], N.const(1.0)) for p in self.wrt] + code
            tan = N.call(self.ref(R.as_float_tangent), [tan])
            ret = gast.Tuple(elts=[out_atom, tan], ctx=gast.Load()) if with_value else tan
            code.append(gast.Return(value=ret))
            return GeneratedForward(self, code, {}, suffix="_deriv")
        code.append(gast.Return(value=gast.Tuple(elts=[out_atom, tan], ctx=gast.Load())))
        return GeneratedForward(self, code, tnames)

    def forward_callee(self, value, live, s, tangent_of):
        """``(callee, call expression)`` for a user function called on live tangents."""
        import types

        from ..api import GradientFunction
        from .callees import jvp_for

        obj = self.resolve_callable(value.func)
        if isinstance(obj, GradientFunction) or not isinstance(
                obj, (types.FunctionType, types.MethodType)) or self.registry.has_rule(obj) \
                or self.registry.jvp(obj) is not None:
            return None
        target = obj.__func__ if isinstance(obj, types.MethodType) else obj
        code = target.__code__
        params = list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
        offset = 1 if isinstance(obj, types.MethodType) else 0
        vis = params[offset:]
        wrt, tangents = [], {}
        for k, a in enumerate(value.args):
            if isinstance(a, gast.Name) and a.id in live and k < len(vis):
                wrt.append(vis[k])
                tangents[vis[k]] = a.id
        for kw in value.keywords:
            if isinstance(kw.value, gast.Name) and kw.value.id in live:
                wrt.append(kw.arg)
                tangents[kw.arg] = kw.value.id
        if not wrt:
            return None
        kinds = {p: ("num" if self.kinds.get(v) == "num" else None) for p, v in tangents.items()}
        j = jvp_for(obj, sorted(wrt, key=params.index), kinds, self.registry)
        alias = self.namer.alias(j, getattr(target, "__name__", "f") + "_jvp")
        recv = [value.func.value] if isinstance(obj, types.MethodType) and \
            isinstance(value.func, gast.Attribute) else []
        call = N.call(gast.Attribute(value=N.name(alias), attr="call", ctx=gast.Load()),
                      recv + list(value.args), list(value.keywords) + [
                          gast.keyword(arg=j.tangent_names[p], value=N.name(tangent_of(
                              tangents[p]))) for p in j.wrt])
        return j, call

    def counter_names(self, body):
        return {s.counter for s, _ in iter_stmts(body) if getattr(s, "counter", None)}

    def ref(self, obj, hint=None):
        return self.namer.support_ref(obj, self.env, hint)

    def grad_expr(self, p, rev, state, mode="joint"):
        """The returned gradient of parameter p, shaped like its argument."""
        t = self.arg_kinds.get(p)
        if mode == "split":
            return (N.name(rev.b(p)) if p in state.live else N.const(0.0)), True
        if p not in state.live:
            return N.call(self.ref(R.zeros_grad), [N.name(p)]), False
        bp = N.name(rev.b(p))
        if (t is float or t is np.float64) and self.all_pyfloat:
            return bp, True  # every differentiated value is a Python/NumPy float
        if t is float or t is np.float64:
            # a float for a float (float32 arrays met on the way would leave np.float32)
            return gast.IfExp(test=gast.Compare(left=N.call(self.ref(type, "type"), [bp]),
                                                ops=[gast.Is()],
                                                comparators=[self.ref(float, "float")]),
                              body=bp, orelse=N.call(self.ref(float, "float"), [bp])), True
        if t is int or t is bool:
            return N.call(self.ref(float, "float"), [bp]), True
        if t is np.ndarray:
            return N.call(self.ref(R.fix_array), [bp, N.name(p)]), True
        from ..signature import match

        return N.call(self.ref(match), [bp, N.name(p)]), True

    def param_copies(self, body):
        """Parameters written in place are copied first (the caller's data stays intact)."""
        from ..rules import helpers as H

        out = []
        written = set()
        for s, _ in iter_stmts(body):
            if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Subscript):
                written.add(s.targets[0].value.id)
            if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and \
                    isinstance(s.value.func, gast.Attribute) and \
                    isinstance(s.value.func.value, gast.Name) and \
                    s.value.func.attr in ("append", "pop", "extend", "insert"):
                written.add(s.value.func.value.id)
        for p in self.params:
            if p in written:
                out.append(N.assign(p, N.call(self.ref(H.copy, "copy"), [N.name(p)])))
        self.check_views(body, written)
        return out


def _mentions(stmts, name):
    for s in stmts:
        for n in gast.walk(s):
            if isinstance(n, gast.Name) and n.id == name:
                return True
    return False
