"""How calls are differentiated: user functions (split forward/backward), list methods.

A call of a user function with differentiated arguments, ``y = h(a, b)``, becomes::

    y, _rec = h_vjp.fwd(a, b)          # forward: h's forward sweep, returns its record
    ...
    _gh = h_vjp.bwd(by, _rec)          # adjoint: h's adjoint sweep from that record
    ba = _gh[0]

``h_vjp`` is generated once per (function, which arguments are differentiated), not
once per call site; recursion refers to the object being generated.
"""

from __future__ import annotations

import types

import gast

from .. import runtime as R
from ..errors import UnsupportedConstructError
from . import nodes as N
from .analysis import iter_stmts

_VIEW_MAKERS = ("reshape", "transpose", "ravel", "squeeze", "expand_dims", "swapaxes",
                "method_reshape", "method_transpose", "broadcast_to")


class CallSupport:
    def call_handler(self, obj, func_node, s, statement=False):
        from ..api import GradientFunction

        if isinstance(obj, GradientFunction):
            if self.registry.vjp(obj) is not None:
                return None
            if getattr(obj.fn, "__code__", None) is getattr(self.fn, "__code__", False):
                # a recursive function whose name a @grad decorator rebound: the call in
                # its body means the function itself
                return self._user_call(obj.fn)
            filename, line = self.parsed.where(s)
            raise UnsupportedConstructError(
                f"reverse mode through a call of the ast_ad gradient {obj!r} inside a "
                "differentiated function is not supported; use ast_ad.hessian / ast_ad.hvp "
                "(forward over reverse) or grad(grad(f)) for scalar arguments",
                filename=filename, lineno=line)
        if obj is not None and self.registry.vjp(obj) is None and \
                not self.registry.is_nondifferentiable(obj) and \
                isinstance(obj, types.FunctionType):
            return self._user_call(obj)
        if obj is not None and isinstance(obj, types.MethodType) and \
                isinstance(obj.__func__, types.FunctionType) and self.registry.vjp(obj) is None:
            return self._user_call(obj)
        if obj is None and not statement:
            return self._dynamic_call
        return None

    def _user_call(self, fn):
        def handler(rev, s, value, g, ans, state):
            return self.user_call_adjoint(rev, s, value, g, state, fn)
        handler.user_fn = fn
        return handler

    def prepare_user_call(self, s, value, fn):
        """Decide, once per call site, the callee and the record's name (the forward sweep
        calls ``fwd`` and the adjoint pops the record whether or not a gradient flows)."""
        from .callees import split_for

        if hasattr(s, "user_call_split"):
            return s.user_call_split
        active_args = tuple(isinstance(a, gast.Name) and a.id in self.analysis.active
                            for a in value.args)
        active_kws = tuple(sorted(k.arg for k in value.keywords
                                  if isinstance(k.value, gast.Name)
                                  and k.value.id in self.analysis.active))
        kinds = tuple(self.kinds.get(a.id, "any") if isinstance(a, gast.Name) else "any"
                      for a in value.args)
        static = self.static_function_args(fn, value)
        split, wrt = split_for(fn, active_args, active_kws, kinds, self.registry, self.parsed, s,
                               static)
        f = value.func
        if isinstance(f, gast.Name) and not self.env.is_local(f.id) and \
                f.id not in self.env.closure and self.env.globals.get(f.id) is not None:
            self.guards.append((self.env.globals, f.id, self.env.globals[f.id]))
        alias = self.namer.alias(split, getattr(fn, "__name__", "f") + "_vjp")
        rec = self.namer.fresh("_rec")
        s.user_call = (alias, rec)
        if isinstance(fn, types.MethodType) and isinstance(value.func, gast.Attribute):
            s.user_call_receiver = value.func.value  # obj.method(x) -> fwd(obj, x)
        s.user_call_split = (split, wrt, active_args, active_kws)
        return s.user_call_split

    def _dynamic_call(self, rev, s, value, g, ans, state):
        filename, line = self.parsed.where(s)
        try:
            label = gast.unparse(value.func).strip()
        except Exception:
            label = "this function"
        raise UnsupportedConstructError(
            f"cannot resolve the function `{label}` called on a differentiated value when "
            "the gradient is generated; call a module-level function or a nested def "
            "directly", filename=filename, lineno=line)

    def user_call_adjoint(self, rev, s, value, g, state, fn):
        split, wrt, active_args, active_kws = self.prepare_user_call(s, value, fn)
        alias, rec = s.user_call
        out = []
        if g is not None:
            gres = self.namer.fresh("_gh")
            out.append(N.assign(gres, N.call(gast.Attribute(value=N.name(alias), attr="bwd",
                                                             ctx=gast.Load()),
                                              [g, N.name(rec)]), loc=s))
            arg_of = {}
            for k, a in enumerate(value.args):
                if active_args[k]:
                    arg_of[split.param_names[k]] = a.id
            for kw in value.keywords:
                if kw.arg in active_kws:
                    arg_of[kw.arg] = kw.value.id
            for j, pname in enumerate(wrt):
                self.accumulate_part(rev, arg_of[pname], N.name(gres), j, state, out, s)
        return out

    def static_function_args(self, fn, value):
        """Arguments of a call that are functions known now: the callee is specialised."""
        target = fn.__func__ if isinstance(fn, types.MethodType) else fn
        code = getattr(target, "__code__", None)
        if code is None:
            return {}
        params = list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
        params = params[1:] if isinstance(fn, types.MethodType) else params
        out = {}
        pairs = list(zip(params, value.args)) + [(k.arg, k.value) for k in value.keywords]
        for p, a in pairs:
            if isinstance(a, gast.Name) and a.id not in self.analysis.varied:
                obj = self.resolve_callable(a)
                if obj is None:
                    defs = [st.value for st, _ in iter_stmts(self.tree.body)
                            if isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Name)
                            and st.targets[0].id == a.id]
                    if len(defs) == 1 and isinstance(defs[0], (gast.Name, gast.Attribute)):
                        obj = self.resolve_callable(defs[0])
                if obj is not None and callable(obj) and not isinstance(obj, type):
                    out[p] = obj
        return out

    def accumulate_part(self, rev, var, container, k, state, out, s):
        rev.accumulate(var, gast.Subscript(value=container, slice=N.const(k), ctx=gast.Load()),
                       state, out, s, maybe_none=True)

    # -- list methods ---------------------------------------------------------------------
    def method_adjoint(self, rev, s, base, call, state):
        meth = call.func.attr
        out = []
        active = self.analysis.active
        if isinstance(s, gast.Assign):  # v = lst.pop()
            v = s.targets[0].id
            if base in active and v in state.live:
                bb = rev.b(base)
                cur = N.name(bb) if base in state.live else N.const(None)
                out.append(N.assign(bb, N.call(self.ref(R.push_grad),
                                               [cur, N.call(self.ref(len), [N.name(base)]),
                                                N.name(rev.b(v))]), loc=s))
                state.live.add(base)
            state.live.discard(v)
            out.append(N.expr_stmt(N.call(gast.Attribute(value=N.name(base), attr="append",
                                                         ctx=gast.Load()), [N.name(v)])))
            return out
        if meth == "append":
            arg = call.args[0] if call.args else None
            if base in active and base in state.live:
                bb = rev.b(base)
                gv = self.namer.fresh("_g")
                out.append(gast.Assign(targets=[gast.Tuple(elts=[N.store(gv), N.store(bb)],
                                                           ctx=gast.Store())],
                                       value=N.call(self.ref(R.pop_grad), [N.name(bb)]),
                                       type_comment=None))
                if isinstance(arg, gast.Name) and arg.id in active:
                    rev.accumulate(arg.id, N.name(gv), state, out, s, maybe_none=True)
            out.append(N.expr_stmt(N.call(gast.Attribute(value=N.name(base), attr="pop",
                                                         ctx=gast.Load()), [])))
            return out
        if base in active:
            filename, line = self.parsed.where(s)
            raise UnsupportedConstructError(
                f"differentiating through list.{meth}() is not supported; build the list "
                "with append", filename=filename, lineno=line)
        return out

    def guard_views(self, body):
        """Insert a runtime check after ``v = y[...]`` when ``y`` is written in place
        after it and ``v`` is read after that write (v would see the write)."""
        order = []

        def walk(stmts, parent):
            for k, st in enumerate(stmts):
                order.append((st, parent, k))
                for field in ("body", "orelse"):
                    sub = getattr(st, field, None)
                    if isinstance(sub, list) and not isinstance(st, gast.FunctionDef):
                        walk(sub, sub)

        walk(body, body)
        pos = {id(st): i for i, (st, _, _) in enumerate(order)}
        writes = {}
        for st, _, _ in order:
            if isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Subscript):
                writes.setdefault(st.targets[0].value.id, []).append(pos[id(st)])
        inserts = []
        for st, parent, k in order:
            if not (isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Name)):
                continue
            v = st.value
            base = None
            if isinstance(v, gast.Subscript) and isinstance(v.value, gast.Name):
                base = v.value.id
            elif isinstance(v, gast.Call) and v.args and isinstance(v.args[0], gast.Name) and \
                    getattr(self.resolve_callable(v.func), "__name__", "") in _VIEW_MAKERS:
                base = v.args[0].id
            if base is None or base not in writes:
                continue
            name = st.targets[0].id
            d = pos[id(st)]
            uses = [i for i, (u, _, _) in enumerate(order) if i > d and any(
                isinstance(n, gast.Name) and n.id == name and isinstance(n.ctx, gast.Load)
                for n in gast.walk(u) if not isinstance(u, (gast.If, gast.For, gast.While))
                or n is getattr(u, "test", None))]
            if any(d < w < u for w in writes[base] for u in uses):
                filename, line = self.parsed.where(st)
                call = N.call(self.namer.support_ref(R.check_no_view, self.env), [
                    N.name(name), N.name(base), N.const(name), N.const(base), N.const(filename),
                    N.const(line)])
                inserts.append((parent, st, N.expr_stmt(call)))
        for parent, st, guard in inserts:
            parent.insert(parent.index(st) + 1, guard)

    def check_views(self, body, written):
        """Writing into a view of another array would change that array behind our back."""
        for s, _ in iter_stmts(body):
            if not (isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)):
                continue
            name = s.targets[0].id
            if name not in written:
                continue
            v = s.value
            view = isinstance(v, gast.Subscript) or (
                isinstance(v, gast.Attribute) and v.attr == "T")
            if isinstance(v, gast.Call):
                obj = self.resolve_callable(v.func)
                view = getattr(obj, "__name__", "") in _VIEW_MAKERS
            if isinstance(v, gast.Name) and v.id in self.params:
                view = True
            if view and name in self.analysis.varied | {
                    n for n in self.params}:
                filename, line = self.parsed.where(s)
                raise UnsupportedConstructError(
                    f"`{name}` may be a view of another array (or an alias of an argument) and "
                    "is written in place later; writing through a view is not supported: "
                    f"make a copy first ({name} = ....copy())", filename=filename, lineno=line)
