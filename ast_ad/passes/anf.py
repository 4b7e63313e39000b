"""A-normal form for expressions: one operation per statement, operands are atoms.

Before::

    y = np.sin(x * 2.0) + a[i + 1]

After::

    _t1 = x * 2.0
    _t2 = np.sin(_t1)
    _t3 = i + 1
    _t4 = a[_t3]
    y = _t2 + _t4

Conditional expressions and ``and``/``or`` become ``if`` statements (short-circuit kept);
comprehensions become loops that append to a fresh list; array methods on locals become
calls of the matching NumPy function (``x.sum(axis=0)`` -> ``np.sum(x, axis=0)``).
This is a mixin of :class:`ast_ad.passes.normalize.Normalizer`.
"""

from __future__ import annotations

import functools

import gast

from ..ir import anno
from ..ir import nodes as N
from ..rules import methods as M
from .anf_forms import FormsMixin
from .anf_forms import Renamer as _Renamer

# the array-method table: ast_ad.rules.methods
ARRAY_METHODS, ARRAY_ATTRS, NONDIFF_ATTRS = M.ARRAY_METHODS, M.ARRAY_ATTRS, M.NONDIFF_ATTRS
CONTAINER_METHODS = {"append", "pop", "extend", "insert", "items", "keys", "values", "get",
                     "index", "count", "update", "setdefault"}

#: ``x.__iop__(v)`` written out: the operator of ``x op= v``
_IN_PLACE_DUNDERS = {"__iadd__": gast.Add, "__isub__": gast.Sub, "__imul__": gast.Mult,
                     "__itruediv__": gast.Div, "__ipow__": gast.Pow,
                     "__imatmul__": gast.MatMult}


class AnfMixin(FormsMixin):
    # -- helpers expected from the host class: self.env, self.tmp(), self.emit(stmt),
    #    self.fail(node, msg), self.np_name (a Name/Attribute node for numpy)

    def atom(self, e, hint="_t"):
        """Flatten ``e``; return a Name or Constant holding its value."""
        if N.is_atom(e):
            return e
        v = self.rhs(e)
        if N.is_atom(v):
            return v
        t = self.tmp(hint)
        self.emit(N.assign(t, v, loc=e))
        return N.name(t)

    def rhs(self, e):
        """Flatten ``e`` into one operation over atoms (or an atom)."""
        m = getattr(self, "rhs_" + type(e).__name__, None)
        if m is None:
            self.fail(e, f"the expression {type(e).__name__}")
        return m(e)

    def rhs_Name(self, e):
        return e

    def rhs_Constant(self, e):
        return e

    def rhs_BinOp(self, e):
        return gast.BinOp(left=self.atom(e.left), op=e.op, right=self.atom(e.right))

    def rhs_UnaryOp(self, e):
        if isinstance(e.op, (gast.USub, gast.UAdd)) and isinstance(e.operand, gast.Constant) \
                and type(e.operand.value) in (int, float, complex):
            # a signed number literal (`np.swapaxes(x, -1, -2)`) stays a constant: no
            # temporary, nothing recorded for the adjoint, nothing a second derivative
            # could take for a differentiated value
            v = e.operand.value
            return N.copy_loc(N.const(-v if isinstance(e.op, gast.USub) else v), e)
        return gast.UnaryOp(op=e.op, operand=self.atom(e.operand))

    def rhs_Compare(self, e):
        if len(e.ops) > 1:  # a < b < c  ->  (a < b) and (b < c), short-circuit kept
            left = self.atom(e.left)
            mids = [self.atom(c) for c in e.comparators]
            parts = []
            prev = left
            for op, c in zip(e.ops, mids):
                parts.append(gast.Compare(left=prev, ops=[op], comparators=[c]))
                prev = c
            return self.rhs_BoolOp(gast.BoolOp(op=gast.And(), values=parts))
        return gast.Compare(left=self.atom(e.left), ops=e.ops,
                            comparators=[self.atom(c) for c in e.comparators])

    def rhs_BoolOp(self, e):
        # r = a; if r: r = b   (and)      r = a; if not r: r = b   (or)
        t = self.tmp("_b")
        self.emit(N.assign(t, self.rhs(e.values[0]), loc=e))
        for v in e.values[1:]:
            saved = self.out
            self.out = []
            self.emit(N.assign(t, self.rhs(v), loc=e))
            body = self.out
            self.out = saved
            test = N.name(t) if isinstance(e.op, gast.And) else self.atom(N.not_(N.name(t)))
            self.emit(N.if_(test, body, loc=e))
        return N.name(t)

    def rhs_IfExp(self, e):
        t = self.tmp("_c")
        test = self.atom(e.test)
        branches = []
        for part in (e.body, e.orelse):
            saved = self.out
            self.out = []
            self.emit(N.assign(t, self.rhs(part), loc=e))
            branches.append(self.out)
            self.out = saved
        self.emit(N.if_(test, branches[0], branches[1], loc=e))
        return N.name(t)

    def rhs_Tuple(self, e):
        if any(isinstance(x, gast.Starred) for x in e.elts):
            return self.starred_literal(e, gast.Tuple, tuple)
        return gast.Tuple(elts=[self.atom(x) for x in e.elts], ctx=gast.Load())

    def rhs_List(self, e):
        if any(isinstance(x, gast.Starred) for x in e.elts):
            return self.starred_literal(e, gast.List, list)
        return gast.List(elts=[self.atom(x) for x in e.elts], ctx=gast.Load())

    def rhs_Dict(self, e):
        if any(k is None for k in e.keys):
            self.fail(e, "dict unpacking ('**')")
        return gast.Dict(keys=[self.atom(k) for k in e.keys],
                         values=[self.atom(v) for v in e.values])

    def rhs_JoinedStr(self, e):
        return e  # f-strings are non-differentiable values; evaluated as written

    def index(self, s):
        if isinstance(s, gast.Slice):
            return gast.Slice(lower=s.lower and self.atom(s.lower),
                              upper=s.upper and self.atom(s.upper),
                              step=s.step and self.atom(s.step))
        if isinstance(s, gast.Tuple):
            return gast.Tuple(elts=[self.index(x) for x in s.elts], ctx=gast.Load())
        return self.atom(s)

    def rhs_Subscript(self, e):
        if self.env.is_static(e.value) and _index_trick(self.env.lookup(e.value)):
            # np.r_[a, 0:3, b] -> index_concat(np.r_, a, slice(0, 3), b): a call with rules
            from ..rules.helpers import index_concat

            items = e.slice.elts if isinstance(e.slice, gast.Tuple) else [e.slice]
            args = [N.call(self.static_ref(slice, e), [
                self.atom(b) if b is not None else N.const(None)
                for b in (x.lower, x.upper, x.step)]) if isinstance(x, gast.Slice)
                else self.atom(x) for x in items]
            return N.call(self.static_ref(index_concat, e), [self.atom(e.value), *args])
        return gast.Subscript(value=self.atom(e.value), slice=self.index(e.slice), ctx=gast.Load())

    def rhs_Attribute(self, e):
        if self.env.is_static(e):
            return e  # np.pi, math.e, module constants: read as written
        base = self.atom(e.value)
        if e.attr in ARRAY_ATTRS:
            return N.call(self.static_ref(ARRAY_ATTRS[e.attr], e), [base])
        return gast.Attribute(value=base, attr=e.attr, ctx=gast.Load())

    def rhs_NamedExpr(self, e):
        """``(y := v)`` -> ``y = v`` where it is evaluated, then ``y``."""
        v = self.atom(e.value)
        self.emit(N.assign(e.target.id, v, loc=e))
        return N.name(e.target.id)

    def rhs_Lambda(self, e):
        self.fail(e, "a lambda used as a value (not bound to a name)")

    def rhs_Call(self, e):
        func = e.func
        if isinstance(func, gast.Name) and func.id in getattr(self, "method_aliases", {}):
            func = self.method_aliases[func.id]
        if isinstance(func, gast.Call) and self.env.is_static(func.func) and \
                self.env.lookup(func.func) is getattr and len(func.args) == 2 and \
                not func.keywords and isinstance(func.args[1], gast.Constant) and \
                isinstance(func.args[1].value, str) and func.args[1].value.isidentifier():
            func = N.copy_loc(gast.Attribute(value=func.args[0], attr=func.args[1].value,
                                             ctx=gast.Load()), func)  # getattr(m, "f")(x)
            e = N.copy_loc(gast.Call(func=func, args=e.args, keywords=e.keywords), e)
        obj = self.env.lookup(func) if self.env.is_static(func) else None
        if obj is getattr and len(e.args) == 2 and not e.keywords and \
                isinstance(e.args[1], gast.Constant) and isinstance(e.args[1].value, str) \
                and e.args[1].value.isidentifier():
            # getattr(obj, "name") -> obj.name
            return self.rhs(N.copy_loc(gast.Attribute(value=e.args[0], attr=e.args[1].value,
                                                      ctx=gast.Load()), e))
        rewritten = self.builtin_idiom(e, obj)
        if rewritten is not None:
            return rewritten
        # map(f, xs) becomes a list only where a consumer reads it once, at once
        self._consumer = obj in (sum, list, tuple, sorted, min, max, any, all)
        if isinstance(obj, functools.partial) and not isinstance(obj.func, functools.partial):
            # a partial object: its function with the bound arguments (constants) first
            e = N.copy_loc(gast.Call(
                func=self.static_ref(obj.func),
                args=[self.static_ref(a) for a in obj.args] + list(e.args),
                keywords=[gast.keyword(arg=k, value=self.static_ref(v))
                          for k, v in obj.keywords.items()
                          if not any(kw.arg == k for kw in e.keywords)] + list(e.keywords)), e)
            func = e.func
        if isinstance(func, gast.Attribute) and not self.env.is_static(func):
            meth = ARRAY_METHODS.get(func.attr)
            if meth is not None:
                recv = self.atom(func.value)
                rest = self.call_args(e.args)
                if meth[1] == "xs" and len(rest) > 1:  # x.reshape(3, 4): one tuple (3, 4)
                    rest = [self.atom(gast.Tuple(elts=rest, ctx=gast.Load()))]
                return N.call(self.static_ref(meth[0], func), [recv] + rest,
                              self.call_kw(e.keywords))
            op = _IN_PLACE_DUNDERS.get(func.attr)
            if op is not None and len(e.args) == 1 and not e.keywords and \
                    isinstance(func.value, gast.Name) and self.env.is_local(func.value.id):
                # x.__imul__(v) is x *= v (in place for an array or a list), its value x
                x = func.value.id
                st = N.assign(x, gast.BinOp(left=N.name(x), op=op(),
                                            right=self.atom(e.args[0])), loc=e)
                anno.set_(st, anno.AUG_ASSIGN)
                self.emit(st)
                return N.name(x)
            if func.attr in ("pop", "insert", "extend") and (e.args or e.keywords) and \
                    isinstance(func.value, gast.Name) and self.env.is_local(func.value.id):
                return self.list_edit(e, func.value.id, func.attr)
            if isinstance(func.value, gast.Name) and self.env.is_local(func.value.id) and \
                    not e.keywords and ((func.attr in ("values", "items", "keys") and
                                         not e.args) or (func.attr == "setdefault" and
                                                         1 <= len(e.args) <= 2)):
                return self.dict_form(e, func.attr)
            if func.attr == "update" and isinstance(func.value, gast.Name) and \
                    self.env.is_local(func.value.id) and (
                        (len(e.args) == 1 and not e.keywords and isinstance(e.args[0], gast.Dict)
                         and None not in e.args[0].keys) or
                        (not e.args and all(k.arg is not None for k in e.keywords))):
                return self.dict_update(e)
            if func.attr == "get" and isinstance(func.value, gast.Name) and \
                    self.env.is_local(func.value.id) and 1 <= len(e.args) <= 2 and \
                    not e.keywords:
                return self.dict_get(e)
            recv = self.atom(func.value)
            f = gast.Attribute(value=recv, attr=func.attr, ctx=gast.Load())
            return N.call(f, self.call_args(e.args), self.call_kw(e.keywords))
        if isinstance(func, gast.Name) or self.env.is_static(func):
            if isinstance(func, gast.Name) and not self.env.is_local(func.id):
                comp = self.builtin_comprehension_call(e)
                if comp is not None:
                    return comp
            rewritten = self.user_call(e, func)
            if rewritten is not None:
                return rewritten
            return N.call(func, self.call_args(e.args), self.call_kw(e.keywords))
        f = self.atom(func, "_f")
        return N.call(f, self.call_args(e.args), self.call_kw(e.keywords))

    def named_lambda(self, f):
        """A lambda passed as a key function: bound to a fresh name first (a nested def)."""
        if not isinstance(f, gast.Lambda):
            return f
        name = self.tmp("_key")
        self.emit(self.lambda_def(name, f))
        return N.name(name)

    def rhs_Set(self, e):
        if not all(isinstance(x, gast.Constant) for x in e.elts):
            self.fail(e, "a set literal of computed values")
        return e

    def call_args(self, args):
        out = []
        for a in args:
            if isinstance(a, gast.Starred):
                self.fail(a, "a starred argument ('f(*xs)')")
            self._map_consumed = getattr(self, "_consumer", False) and a is args[0]
            self._consumer = False
            try:
                out.append(self.atom(a))
            finally:
                self._map_consumed = False
        return out

    def call_kw(self, kws):
        out = []
        for k in kws:
            if k.arg is None:
                self.fail(k.value, "a '**kwargs' argument")
            out.append(gast.keyword(arg=k.arg, value=self.atom(k.value)))
        return out

    def builtin_comprehension_call(self, e):
        """sum(x*x for x in xs) -> sum(<list built by a loop>)."""
        if len(e.args) >= 1 and isinstance(e.args[0], gast.GeneratorExp):
            gen = e.args[0]
            lst = self.comprehension(gen.elt, None, gen.generators, gen)
            rest = self.call_args(e.args[1:])
            return N.call(e.func, [lst] + rest, self.call_kw(e.keywords))
        return None

    def rhs_ListComp(self, e):
        return self.comprehension(e.elt, None, e.generators, e)

    def rhs_GeneratorExp(self, e):
        return self.comprehension(e.elt, None, e.generators, e)

    def rhs_DictComp(self, e):
        return self.comprehension(e.value, e.key, e.generators, e)

    def comprehension(self, elt, key, generators, node):
        """[e for x in xs if c] -> _l = []; for x in xs: if c: _l.append(e)"""
        acc = self.tmp("_d" if key is not None else "_l")
        self.emit(N.assign(acc, gast.Dict(keys=[], values=[]) if key is not None
                           else gast.List(elts=[], ctx=gast.Load()), loc=node))
        # comprehension variables are private to the comprehension: rename them
        renames = {}
        for g in generators:
            for n in gast.walk(g.target):
                if isinstance(n, gast.Name):
                    renames[n.id] = self.tmp(n.id)
        self.env.locals.update(renames.values())  # (e.item() of a comprehension's e)
        ren = _Renamer(renames)
        gens = [ren.visit(g) for g in generators]
        elt = ren.visit(elt)
        key = ren.visit(key) if key is not None else None
        if key is not None:
            target = gast.Subscript(value=N.name(acc), slice=key, ctx=gast.Store())
            inner = [N.assign(target, elt, loc=node)]
        else:
            app = gast.Attribute(value=N.name(acc), attr="append", ctx=gast.Load())
            inner = [N.expr_stmt(N.call(app, [elt]), loc=node)]
        for g in reversed(gens):
            for cond in reversed(g.ifs):
                inner = [N.if_(cond, inner, loc=node)]
            loop = gast.For(target=g.target, iter=g.iter, body=inner, orelse=[], type_comment=None)
            N.copy_loc(loop, node)
            inner = [loop]
        for s in self.block(inner, self.loop_ctx):
            self.emit(s)
        return N.name(acc)


def _index_trick(obj):
    """``np.r_`` / ``np.c_`` (NumPy's index-trick concatenations)."""
    import numpy as np

    return obj is np.r_ or obj is np.c_
