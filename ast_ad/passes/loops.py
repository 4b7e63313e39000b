"""Normalize, loops: ``for`` over any iterable becomes a loop over a range object,
``while`` re-tests at the end of its body, and ``break``/``continue``/``return`` inside
loops become flags (part of the normalize pass; see normalize.py).

Before::

    for a, b in zip(xs, ys):
        s = s + a * b

After::

    _seq1 = as_sequence(xs)
    _seq2 = as_sequence(ys)
    ...
    for _k1 in _r1:
        a = _seq1[_k1]
        b = _seq2[_k1]
        ...
"""

from __future__ import annotations

from dataclasses import dataclass, field

import gast

from .. import runtime as R
from ..ir import anno
from ..ir import nodes as N


@dataclass
class LoopCtx:
    jump: str | None = None  # flag: the rest of this iteration is skipped
    brk: str | None = None  # flag: leave the loop after this iteration
    uses: set = field(default_factory=set)  # which of 'break', 'continue', 'return' occurred



class LoopsMixin:
    """Host: the Normalizer (``atom``, ``emit``, ``block``, ``tmp``, ``static_ref``...)."""

    def new_loop_ctx(self):
        return LoopCtx(jump=self.tmp("_jump"), brk=self.tmp("_brk"))

    def finish_loop(self, ctx, body, loc):
        """Reset/test the loop's flags; returns (prologue, body)."""
        pro = []
        if ctx.uses:
            body = [N.assign(ctx.jump, N.const(False), loc=loc)] + body
        if ctx.uses & {"break", "return"}:
            pro.append(N.assign(ctx.brk, N.const(False), loc=loc))
            body = body + [N.if_(N.name(ctx.brk), [gast.Break()], loc=loc)]
        return pro, body

    def after_loop(self, ctx, orelse, loc):
        """The else clause and the propagation of a return out of the loop."""
        jumps = False
        if orelse:
            els = self.block(orelse, self.loop_ctx)
            if ctx.uses & {"break", "return"}:
                test = self.atom(N.not_(N.name(ctx.brk)))
                self.emit(N.if_(test, els, loc=loc))
            else:
                for st in els:
                    self.emit(st)
            jumps = self.may_jump(els)
        if "return" in ctx.uses:
            outer = self.loop_ctx
            if outer is not None:
                outer.uses.add("return")
                self.emit(N.if_(N.name(self.ret[0]), [N.assign(outer.jump, N.const(True)),
                                                      N.assign(outer.brk, N.const(True))], loc=loc))
            jumps = True
        return jumps

    def stmt_For(self, s):
        from .checkpoint import strip

        target = s.target
        it, ck = strip(self, s.iter, s)  # for t in ast_ad.checkpointed(range(n)):
        pre = []
        outer_out = self.out
        self.out = []
        range_obj, bind = self.loop_iterable(it, target, s)
        ctx = self.new_loop_ctx()
        loop_var = bind[0]
        body = self.block(bind[1] + list(s.body), ctx)
        pro, body = self.finish_loop(ctx, body, s)
        loop = gast.For(target=N.store(loop_var), iter=range_obj, body=body, orelse=[],
                        type_comment=None)
        N.copy_loc(loop, s)
        if ck is not None:
            anno.set_(loop, ck)
        pre = self.out
        self.out = outer_out
        for st in pre + pro:
            self.emit(st)
        self.emit(loop)
        return self.after_loop(ctx, s.orelse, s)

    def loop_iterable(self, it, target, loc):
        """(atom of a range object, (loop variable, statements binding the target))."""
        obj = self.env.lookup(it.func) if isinstance(it, gast.Call) else None
        if obj is range and isinstance(target, gast.Name) and not it.keywords:
            r = self.atom(N.call(self.static_ref(range), self.call_args(it.args)), "_r")
            return r, (target.id, [])
        k = self.tmp("_k")
        start = it.args[1] if isinstance(it, gast.Call) and len(it.args) == 2 else None
        if isinstance(it, gast.Call) and len(it.keywords) == 1 and it.keywords[0].arg == "start":
            start = it.keywords[0].value
        if obj is enumerate and isinstance(target, gast.Tuple) and len(target.elts) == 2 \
                and len(it.args) + len(it.keywords) in (1, 2) and \
                (len(it.args) == 1 or not it.keywords) and isinstance(it.args[0], gast.Call) \
                and self.env.lookup(it.args[0].func) is zip:
            # for i, (a, b) in enumerate(zip(xs, ys)): the zip loop, i from its index
            r, (k, binds) = self.loop_iterable(it.args[0], target.elts[1], loc)
            index = N.name(k) if start is None else gast.BinOp(
                left=N.name(k), op=gast.Add(), right=self.atom(start))
            bind = N.copy_loc(gast.Assign(targets=[target.elts[0]], value=index,
                                          type_comment=None), loc)
            return r, (k, [bind] + binds)
        if obj is enumerate and isinstance(target, gast.Tuple) and len(target.elts) == 2 \
                and len(it.args) + len(it.keywords) in (1, 2) and \
                (len(it.args) == 1 or not it.keywords):
            seq = self.seq_atom(it.args[0])
            n = self.atom(N.call(self.static_ref(len), [seq]))
            r = self.atom(N.call(self.static_ref(range), [n]), "_r")
            first = target.elts[0]
            index = N.name(k) if start is None else self.atom(start)
            if start is not None:
                index = gast.BinOp(left=N.name(k), op=gast.Add(), right=index)
            binds = [gast.Assign(targets=[first], value=index, type_comment=None),
                     gast.Assign(targets=[target.elts[1]],
                                 value=gast.Subscript(value=seq, slice=N.name(k), ctx=gast.Load()),
                                 type_comment=None)]
            return r, (k, [N.copy_loc(b, loc) for b in binds])
        if obj is zip and isinstance(target, gast.Tuple) and len(target.elts) == len(it.args) \
                and not it.keywords:
            seqs = [self.seq_atom(a) for a in it.args]
            lens = [self.atom(N.call(self.static_ref(len), [q])) for q in seqs]
            n = self.atom(N.call(self.static_ref(min), lens)) if len(lens) > 1 else lens[0]
            r = self.atom(N.call(self.static_ref(range), [n]), "_r")
            binds = [N.copy_loc(gast.Assign(targets=[t], value=gast.Subscript(
                value=q, slice=N.name(k), ctx=gast.Load()), type_comment=None), loc)
                for t, q in zip(target.elts, seqs)]
            return r, (k, binds)
        if isinstance(it, gast.Call) and isinstance(it.func, gast.Attribute) and \
                it.func.attr in ("items", "values", "keys") and not it.args and \
                isinstance(it.func.value, gast.Name) and self.env.is_local(it.func.value.id):
            # for k, v in d.items(): iterate the keys, read the values by key
            d = it.func.value
            keys = self.atom(N.call(self.static_ref(list), [d]), "_keys")
            n = self.atom(N.call(self.static_ref(len), [keys]))
            r = self.atom(N.call(self.static_ref(range), [n]), "_r")
            key = self.tmp("_key")
            binds = [N.assign(key, gast.Subscript(value=keys, slice=N.name(k), ctx=gast.Load()),
                              loc=loc)]
            val = gast.Subscript(value=N.name(d.id), slice=N.name(key), ctx=gast.Load())
            if it.func.attr == "items":
                if not (isinstance(target, gast.Tuple) and len(target.elts) == 2):
                    self.fail(loc, "iterating d.items() without unpacking (k, v)")
                binds += [gast.Assign(targets=[target.elts[0]], value=N.name(key),
                                      type_comment=None),
                          gast.Assign(targets=[target.elts[1]], value=val, type_comment=None)]
            elif it.func.attr == "values":
                binds.append(gast.Assign(targets=[target], value=val, type_comment=None))
            else:
                binds.append(gast.Assign(targets=[target], value=N.name(key), type_comment=None))
            return r, (k, [N.copy_loc(b, loc) for b in binds])
        seq = self.seq_atom(it)
        n = self.atom(N.call(self.static_ref(len), [seq]))
        r = self.atom(N.call(self.static_ref(range), [n]), "_r")
        bind = gast.Assign(targets=[target], value=gast.Subscript(
            value=seq, slice=N.name(k), ctx=gast.Load()), type_comment=None)
        return r, (k, [N.copy_loc(bind, loc)])

    def seq_atom(self, e):
        """An indexable view of an iterable (lists/tuples/arrays/ranges pass through)."""
        a = self.atom(e)
        t = self.tmp("_seq")
        self.emit(N.assign(t, N.call(self.static_ref(R.as_sequence), [a]), loc=e))
        return N.name(t)

    def stmt_While(self, s):
        outer_out = self.out
        self.out = []
        test = self.atom(s.test)
        cond_stmts = self.out
        if not isinstance(test, gast.Name):
            t = self.tmp("_w")
            cond_stmts.append(N.assign(t, test, loc=s))
            test = N.name(t)
        ctx = self.new_loop_ctx()
        body = self.block(list(s.body), ctx)
        pro, body = self.finish_loop(ctx, body, s)
        if ctx.uses & {"break", "return"}:
            # the test is recomputed only when the loop goes on; `if brk: break` stays last
            brk = body.pop()
            guard = N.name(self.tmp("_c"))
            self.out = []
            body = body + [N.assign(guard.id, N.not_(N.name(ctx.brk)), loc=s),
                           N.if_(guard, N.clone(cond_stmts), loc=s), brk]
        else:
            body = body + N.clone(cond_stmts)
        loop = N.copy_loc(gast.While(test=test, body=body, orelse=[]), s)
        self.out = outer_out
        for st in cond_stmts + pro:
            self.emit(st)
        self.emit(loop)
        return self.after_loop(ctx, s.orelse, s)
