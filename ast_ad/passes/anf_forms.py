"""A-normal form, the Python forms that become calls with rules: starred literals
(``[*xs, y]`` -> joins), list edits (``lst.pop(i)``, ``insert``, ``extend``, ``d.pop(k)``),
calls of user functions with ``*args`` (``h(x, u, v)`` -> ``h_packed(x, (u, v))``) and
of helpers writing into their arguments (``frontend.variants``), and the builtin idioms
(``min``/``max`` of several values or with ``key=``, ``sorted(..., key=)``, ``dict(k=v)``,
``map(f, xs)``).
A mixin of :class:`ast_ad.passes.anf.AnfMixin`.

Before::

    u = [*t, y]
    v = t.pop(0)

After::

    _t1 = list(t)
    _t2 = [y]
    u = _t1 + _t2            # seq_concat once the analysis knows both are lists
    _t3 = t[0]
    t = seq_without(t, 0)    # marked as an update in place of t
    v = _t3
"""

from __future__ import annotations

import types

import gast

from ..ir import anno
from ..ir import nodes as N
from ..ir.walk import Transformer
from ..runtime import sequences as S


class FormsMixin:
    def starred_literal(self, e, node, conv):
        """``[*xs, y, *zs]`` -> ``list(xs) + [y] + list(zs)`` (a tuple likewise): joins of
        sequences, which the analysis gives their rules (``runtime.sequences``)."""
        parts, run = [], []
        for x in e.elts:
            if isinstance(x, gast.Starred):
                if run:
                    parts.append(self.atom(node(elts=run, ctx=gast.Load())))
                    run = []
                parts.append(self.atom(N.call(self.static_ref(conv), [self.atom(x.value)])))
            else:
                run.append(self.atom(x))
        if run:
            parts.append(self.atom(node(elts=run, ctx=gast.Load())))
        out = parts[0]
        for p in parts[1:-1]:
            out = self.atom(gast.BinOp(left=out, op=gast.Add(), right=p))
        return gast.BinOp(left=out, op=gast.Add(), right=parts[-1]) if len(parts) > 1 \
            else out

    def list_edit(self, e, lst, how):
        """``lst.pop(i)`` -> ``_t = lst[i]; lst = seq_without(lst, i)``; ``lst.insert(i,
        v)`` -> ``lst = seq_insert(lst, i, v)``; ``lst.extend(b)`` -> ``lst =
        seq_extend(lst, b)``.  The rebinding is marked as an update in place (an alias of
        the old list is checked by the views pass); on an object that is no list (a dict
        for pop) its own method runs, and only a derivative through it is refused."""
        want = {"pop": 1, "insert": 2, "extend": 1}[how]
        if e.keywords or len(e.args) != want:
            self.fail(e, f"{how}() with these arguments (lst.pop(i), d.pop(k, default)...)")
        args = [self.atom(a) for a in e.args]
        result = N.const(None)
        if how == "pop":
            result = self.atom(gast.Subscript(value=N.name(lst), slice=args[0],
                                              ctx=gast.Load()))
            new = N.call(self.static_ref(S.seq_without), [N.name(lst), args[0]])
        elif how == "insert":
            new = N.call(self.static_ref(S.seq_insert), [N.name(lst)] + args)
        else:
            new = N.call(self.static_ref(S.seq_extend), [N.name(lst)] + args)
        st = N.assign(lst, new, loc=e)
        anno.set_(st, anno.AUG_ASSIGN)
        self.emit(st)
        return result

    def dict_get(self, e):
        """``d.get(k, default)`` on a local dict -> ``d[k] if k in d else default``."""
        from .. import runtime as R

        d = self.atom(e.func.value)
        self.emit(N.expr_stmt(N.call(self.static_ref(R.check_mapping), [d]), loc=e))
        k = self.atom(e.args[0])
        default = e.args[1] if len(e.args) == 2 else N.const(None)
        test = gast.Compare(left=k, ops=[gast.In()], comparators=[d])
        return self.rhs(N.copy_loc(gast.IfExp(test=test, body=gast.Subscript(
            value=d, slice=k, ctx=gast.Load()), orelse=default), e))

    def dict_update(self, e):
        """``d.update({k: v, ...})`` / ``d.update(k=v)`` on a local dict -> ``d[k] = v``
        for each entry, every key and value evaluated first (as ``update`` does); a
        receiver that is no dict is refused at run time (``check_dict``)."""
        d = self.atom(e.func.value)
        self.emit(N.expr_stmt(N.call(self.static_ref(S.check_dict), [d, N.const("update")]),
                              loc=e))
        pairs = [(k, v) for k, v in zip(e.args[0].keys, e.args[0].values)] if e.args else \
            [(N.const(k.arg), k.value) for k in e.keywords]
        pairs = [(self.atom(k), self.atom(v)) for k, v in pairs]
        for k, v in pairs:
            self.assign_to(gast.Subscript(value=d, slice=k, ctx=gast.Store()), v, e)
        return N.const(None)

    def dict_form(self, e, how):
        """``d.values()``/``d.items()``/``d.keys()`` on a local dict -> the list
        ``[d[k] for k in d]`` (``(k, d[k])``, ``k``); ``d.setdefault(k, v)`` -> ``if k not in
        d: d[k] = v`` then ``d[k]``.  Reads and writes by key, which carry derivatives; a
        receiver that is no dict is refused at run time (``check_dict``)."""
        d = self.atom(e.func.value)
        self.emit(N.expr_stmt(N.call(self.static_ref(S.check_dict), [d, N.const(how)]),
                              loc=e))
        if how == "setdefault":
            k = self.atom(e.args[0])
            test = self.atom(gast.Compare(left=k, ops=[gast.NotIn()], comparators=[d]))
            saved, self.out = self.out, []
            self.assign_to(gast.Subscript(value=d, slice=k, ctx=gast.Store()),
                           e.args[1] if len(e.args) == 2 else N.const(None), e)
            body, self.out = self.out, saved
            self.emit(N.if_(test, body, loc=e))
            return gast.Subscript(value=d, slice=k, ctx=gast.Load())
        k = self.tmp("_k")
        read = gast.Subscript(value=d, slice=N.name(k), ctx=gast.Load())
        elt = {"values": read, "keys": N.name(k),
               "items": gast.Tuple(elts=[N.name(k), read], ctx=gast.Load())}[how]
        gen = gast.comprehension(target=N.store(k), iter=d, ifs=[], is_async=0)
        return self.rhs(N.copy_loc(gast.ListComp(elt=elt, generators=[gen]), e))

    def user_call(self, e, func):
        """A call of a user function with ``*args`` (``packed_call``) or one that writes
        into its arguments (``writing_call``), rewritten; else None (the call as written)."""
        from ..frontend.resolve import LOCAL, MISSING
        from .analysis.library import is_library

        fn = self.env.lookup(func)
        if fn is not LOCAL and fn is not MISSING and self.env.is_static(func):
            rewritten = self.gradient_call(e, func, fn)  # FORCE(x) of FORCE = grad(E)
            if rewritten is not None:
                return rewritten
        if fn is not LOCAL and fn is not MISSING and not isinstance(
                fn, (types.FunctionType, type)) and not any(
                isinstance(a, gast.Starred) for a in e.args):  # a class-based decorator
            return self.instance_spread_call(e, func, fn)
        if fn is LOCAL or fn is MISSING or not isinstance(fn, types.FunctionType) or \
                is_library(fn) or (fn.__module__ or "").split(".")[0] == "ast_ad" or \
                any(isinstance(a, gast.Starred) for a in e.args) or \
                any(k.arg is None for k in e.keywords):
            return None
        out = self.spread_call(e, fn) or self.packed_call(e, fn) or self.writing_call(e, fn)
        if out is not None:  # the variant stands for `func`: rebinding it regenerates
            from types import SimpleNamespace

            from .reverse.calls import guards_for

            for g in guards_for(SimpleNamespace(env=self.env), func, fn):
                if g not in self.namer.guards:
                    self.namer.guards.append(g)
        return out

    def gradient_call(self, e, func, G):
        """``FORCE(a, b)`` of a plain gradient object (``objects.plain_gradient``) ->
        ``grad_call2(FORCE, a, b)``, whose rules differentiate it again; else None."""
        from ..objects import CALLS, plain_gradient

        if not plain_gradient(G) or G._target.__code__ is getattr(
                getattr(self.parsed, "fn", None), "__code__", None) or \
                e.keywords or len(e.args) not in CALLS or \
                any(isinstance(a, gast.Starred) for a in e.args) or \
                len(e.args) != G._target.__code__.co_argcount:
            return None
        return N.call(self.static_ref(CALLS[len(e.args)]),
                      [self.atom(func)] + self.call_args(e.args))

    def instance_spread_call(self, e, func, obj):
        """``f(x)`` of a callable instance of a user class whose ``__call__(self, *args,
        **kwargs)`` stars them into a call (a class-based decorator) -> its spread variant
        called with the instance first; else None."""
        from ..objects import class_attr
        from .analysis.library import is_library
        from .analysis.receivers import user_class

        call = class_attr(type(obj), "__call__")
        if not isinstance(call, types.FunctionType) or not user_class(type(obj)) or \
                is_library(call) or not self.env.is_static(func):
            return None
        return self.spread_call(e, call, receiver=obj)

    def spread_call(self, e, fn, receiver=None):
        """``w(x, u, k=c)`` of a wrapper ``def w(*args, **kwargs)`` that stars them into a
        call -> ``w_spread(x, u, c)`` (``frontend.variants.spread_variant``: plain
        parameters for this call's form); else None."""
        from ..frontend.variants import needs_spread, spread_variant

        code = fn.__code__
        fixed, nkw = code.co_argcount, code.co_kwonlyargcount
        named = set(code.co_varnames[:fixed])
        kwonly = set(code.co_varnames[fixed:fixed + nkw])
        fixed -= receiver is not None  # (the instance is the bound method's self)
        if len(e.args) < fixed or any(k.arg in named for k in e.keywords) or \
                not needs_spread(fn):
            return None
        extra = [k for k in e.keywords if k.arg not in kwonly]
        variant = spread_variant(fn, len(e.args) - fixed, tuple(k.arg for k in extra))
        if variant is None:
            return None
        if receiver is not None:
            variant = types.MethodType(variant, receiver)
        args = self.call_args(list(e.args) + [k.value for k in extra])
        return N.call(self.static_ref(variant), args,
                      self.call_kw([k for k in e.keywords if k.arg in kwonly]))

    def packed_call(self, e, fn):
        """``h(x, u, v)`` of a user function ``def h(a, *rest)`` -> ``h_packed(x, (u,
        v))`` (``frontend.variants.packed_variant``), when every named positional
        parameter is passed by position; else None."""
        from ..frontend.variants import packed_variant

        code = fn.__code__
        fixed = code.co_argcount  # (positional-only ones included)
        named = set(code.co_varnames[:code.co_argcount])
        if not code.co_flags & 0x04 or len(e.args) < fixed or \
                any(k.arg in named for k in e.keywords):
            return None
        variant = packed_variant(fn)
        if variant is None:
            return None
        args = self.call_args(e.args)
        rest = self.atom(gast.Tuple(elts=args[fixed:], ctx=gast.Load()))
        return N.call(self.static_ref(variant), args[:fixed] + [rest],
                      self.call_kw(e.keywords))

    def writing_call(self, e, fn):
        """``r = fill(y, v)`` of a helper writing into its parameter ``h`` -> ``_w =
        fill_w(y, v); y = _w[1]; r = _w[0]`` (``frontend.variants.writing_variant``), when
        each written parameter is passed a local name (distinct ones); else None."""
        from .. import runtime as R
        from ..frontend.variants import augmented_params, writing_variant, written_params

        code = fn.__code__
        if code.co_flags & 0x2C:
            return None
        names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
        passed = dict(zip(names[:code.co_argcount], e.args))
        passed.update({k.arg: k.value for k in e.keywords})
        variant = writing_variant(fn)
        if variant is None:
            return None
        targets = [passed.get(p) for p in written_params(variant)]
        if not all(isinstance(t, gast.Name) and self.env.is_local(t.id) for t in targets) or \
                len({t.id for t in targets}) != len(targets):
            return None
        w = self.tmp("_w")
        self.emit(N.assign(w, N.call(self.static_ref(variant), self.call_args(e.args),
                                     self.call_kw(e.keywords)), loc=e))
        aug = augmented_params(variant)
        for k, (p, t) in enumerate(zip(written_params(variant), targets)):
            new = gast.Subscript(value=N.name(w), slice=N.const(k + 1), ctx=gast.Load())
            if p in aug:  # `p op= v`: in place for an array or a list, else a local rebinding
                new = N.call(self.static_ref(R.in_place_result), [N.name(t.id),
                                                                  self.atom(new)])
            st = N.assign(t.id, new, loc=e)
            anno.set_(st, anno.AUG_ASSIGN)  # y changed in place: its aliases are checked
            self.emit(st)
        return self.atom(gast.Subscript(value=N.name(w), slice=N.const(0), ctx=gast.Load()))

    def builtin_idiom(self, e, obj):
        """min/max of several values or with key=, sorted(..., key=), dict(k=v), map(f, xs)
        -> forms with rules (a nested min/max, reads by position, a dict literal, a list)."""
        from .. import runtime as R

        kw = {k.arg: k.value for k in e.keywords}
        if obj in (min, max) and not any(isinstance(a, gast.Starred) for a in e.args):
            if len(e.args) == 1 and set(kw) <= {"key"}:
                # max(xs) / max(xs, key=k): the item at the position Python's max picks
                # (the first of ties), read from as_sequence(xs) -- a dict's keys, a
                # generator's items -- so the read carries the item's derivative
                if "key" in kw:
                    kw["key"] = self.named_lambda(kw["key"])
                seq = self.atom(N.call(self.static_ref(R.as_sequence), [e.args[0]]))
                i = self.atom(N.call(self.static_ref(R.best_index), [
                    seq, self.atom(kw["key"]) if "key" in kw else N.const(None),
                    N.const(obj.__name__)]))
                return gast.Subscript(value=seq, slice=i, ctx=gast.Load())
            if "key" in kw and set(kw) == {"key"} and e.args:
                kw["key"] = self.named_lambda(kw["key"])
                vals = [self.atom(a) for a in e.args]  # min(a, b, key=k): pick by position
                i = self.atom(N.call(self.static_ref(R.best_index), [
                    gast.Tuple(elts=vals, ctx=gast.Load()), self.atom(kw["key"]),
                    N.const(obj.__name__)]))
                pick = vals[-1]
                for j in range(len(vals) - 2, -1, -1):
                    pick = gast.IfExp(test=gast.Compare(left=i, ops=[gast.Eq()],
                                                        comparators=[N.const(j)]),
                                      body=vals[j], orelse=pick)
                return self.rhs(N.copy_loc(pick, e))
            if len(e.args) > 2 and not kw:
                acc = self.atom(N.call(e.func, [e.args[0], e.args[1]]))
                for a in e.args[2:]:
                    acc = self.atom(N.call(e.func, [acc, a]))
                return acc
        if obj is sorted and len(e.args) == 1 and set(kw) <= {"key", "reverse"}:
            if "key" in kw:
                kw["key"] = self.named_lambda(kw["key"])
            seq = self.atom(e.args[0])
            order = self.atom(N.call(self.static_ref(R.sort_order), [
                seq, self.atom(kw["key"]) if "key" in kw else N.const(None),
                self.atom(kw["reverse"]) if "reverse" in kw else N.const(False)]))
            i = self.tmp("_i")
            comp = gast.ListComp(elt=gast.Subscript(value=seq, slice=N.name(i), ctx=gast.Load()),
                                 generators=[gast.comprehension(target=N.store(i), iter=order,
                                                                ifs=[], is_async=0)])
            return self.rhs(N.copy_loc(comp, e))
        if obj is dict and not e.args and kw and None not in kw:
            return self.rhs(N.copy_loc(gast.Dict(keys=[N.const(k) for k in kw],
                                                 values=list(kw.values())), e))
        if obj is map and len(e.args) >= 2 and not kw:
            names = [self.tmp("_m") for _ in e.args[1:]]
            target = N.store(names[0]) if len(names) == 1 else gast.Tuple(
                elts=[N.store(n) for n in names], ctx=gast.Store())
            it = e.args[1] if len(names) == 1 else N.call(self.static_ref(zip), e.args[1:])
            elt = gast.Call(func=e.args[0], args=[N.name(n) for n in names], keywords=[])
            lam = e.args[0]
            if isinstance(lam, gast.Lambda) and len(lam.args.args) == len(names) and not (
                    lam.args.defaults or lam.args.kwonlyargs or lam.args.vararg or
                    lam.args.kwarg):  # map(lambda a, b: e, xs, ys): e with a, b replaced
                elt = Renamer({p.id: n for p, n in zip(lam.args.args, names)}).visit(
                    N.clone(lam.body))
            comp = gast.ListComp(elt=elt,
                                 generators=[gast.comprehension(target=target, iter=it, ifs=[],
                                                                is_async=0)])
            # a list, not an iterator: only where it is consumed at once
            if not getattr(self, "_map_consumed", False):
                self.fail(e, "map() other than as the argument of a call (use a list "
                             "comprehension)")
            return self.rhs(N.copy_loc(comp, e))
        return None


class Renamer(Transformer):
    """Names renamed by ``mapping`` (a lambda's own parameters are left alone)."""

    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Name(self, node):
        if node.id in self.mapping:
            return gast.copy_location(N.name(self.mapping[node.id], node.ctx), node)
        return node

    def visit_Lambda(self, node):
        return node
