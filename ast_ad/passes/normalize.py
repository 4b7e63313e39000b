"""Normalize: desugar statements and control flow, then A-normal form (see anf.py).

After this pass a function body holds only: ``x = <one operation over atoms>``,
``x[i] = atom``, ``a, b = <tuple literal>`` (as separate copies), ``f(atoms)`` as a
statement, ``if name: ...``, ``for i in <range name>: ...``, ``while name: ...`` (the
test recomputed at the end of the body), ``if flag: break`` at the end of a loop body,
and one final ``return atom``.

``break``/``continue``/``return`` anywhere become flags that guard what follows.  Before::

    for i in range(n):
        if x[i] < 0:
            break
        s = s + x[i]

After::

    _brk1 = False
    _r1 = range(n)
    for i in _r1:
        _jump1 = False
        _t1 = x[i]
        _t2 = _t1 < 0
        if _t2:
            _jump1 = True
            _brk1 = True
        _t3 = not _jump1
        if _t3:
            _t4 = x[i]
            s = s + _t4
        if _brk1:
            break

Augmented assignment ``x += e`` becomes ``x = x + e`` (also for arrays: the gradient
code never mutates an array in place behind the user's back).  Loops over anything but
``range`` iterate an index: ``for a, b in zip(xs, ys)`` -> ``for _k in range(min(len(xs),
len(ys))): a = xs[_k]; b = ys[_k]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import gast

from .. import runtime as R
from ..errors import UnsupportedConstructError
from ..ir import anno
from ..ir import nodes as N
from ..ir.walk import nodes
from .anf import AnfMixin
from .loops import LoopsMixin
from .statements import StatementsMixin


@dataclass
class Normalized:
    tree: gast.FunctionDef
    counters: set  # loop trip counters (never restored inside their loop)
    ret_flag: str | None


class Normalizer(AnfMixin, LoopsMixin, StatementsMixin):
    def __init__(self, parsed, env, namer):
        self.parsed = parsed
        self.env = env
        self.namer = namer
        self.out = []
        self.loop_ctx = None
        self.ret = None  # (flag, value name) once a non-final return is seen
        self.counters = set()
        self.support = {}  # alias -> object referenced by generated code
        self.method_aliases = {}  # `push = stack.append` -> push(x) is stack.append(x)

    # -- infrastructure ----------------------------------------------------------------
    def tmp(self, hint="_t"):
        return self.namer.fresh(hint if hint.startswith("_") else "_" + hint)

    def emit(self, stmt):
        self.out.append(stmt)

    def fail(self, node, what):
        filename, line = self.parsed.where(node)
        raise UnsupportedConstructError(
            f"{what} is not supported in {self.parsed.tree.name}()", filename=filename,
            lineno=line,
        )

    def static_ref(self, obj, loc=None):
        return self.namer.support_ref(obj, self.env)

    # -- driver ------------------------------------------------------------------------
    def run(self) -> Normalized:
        fdef = self.parsed.tree
        body = list(fdef.body)
        if body and isinstance(body[0], gast.Expr) and isinstance(body[0].value, gast.Constant) \
                and isinstance(body[0].value.value, str):
            body = body[1:]  # docstring
        final_return = _single_final_return(body)
        if not final_return:
            self.ret = (self.tmp("_ret"), self.tmp("_retval"))
        new = self.block(body, None)
        new = self.stable_tests(new)
        if self.ret is not None:
            flag, val = self.ret
            new = [N.assign(flag, N.const(False)), N.assign(val, N.const(None))] + new
            new.append(gast.Return(value=N.name(val)))
        elif not new or not isinstance(new[-1], gast.Return):
            new.append(gast.Return(value=N.const(None)))
        out = gast.FunctionDef(name=fdef.name, args=fdef.args, body=new, decorator_list=[],
                               returns=None, type_comment=None, type_params=[])
        N.copy_loc(out, fdef)
        return Normalized(out, self.counters, self.ret[0] if self.ret else None)

    def stable_tests(self, stmts):
        """``if c:`` whose branches reassign ``c`` tests a copy (the adjoint re-tests it)."""
        out = []
        for st in stmts:
            if isinstance(st, gast.If):
                st.body = self.stable_tests(st.body)
                st.orelse = self.stable_tests(st.orelse)
                if isinstance(st.test, gast.Name) and \
                        st.test.id in N.stored_names(st.body + st.orelse):
                    t = self.tmp("_c")
                    out.append(N.assign(t, N.name(st.test.id), loc=st))
                    st.test = N.name(t)
            elif isinstance(st, (gast.For, gast.While)):
                st.body = self.stable_tests(st.body)
                if isinstance(st, gast.While) and st.test.id in N.stored_names(st.body):
                    pass  # the loop test is re-evaluated at the end of the body; no adjoint use
            out.append(st)
        return out

    # -- statements --------------------------------------------------------------------
    def block(self, stmts, ctx):
        """Normalize a statement list; statements after a possible jump are guarded."""
        saved_out, saved_ctx = self.out, self.loop_ctx
        self.loop_ctx = ctx
        out = []
        i = 0
        while i < len(stmts):
            s = stmts[i]
            self.out = []
            jumps = self.stmt(s)
            out.extend(self.out)
            i += 1
            if isinstance(s, (gast.Break, gast.Continue, gast.Return)):
                break  # the rest of the block is unreachable
            if jumps and i < len(stmts):
                rest = self.block(stmts[i:], ctx)
                if rest:
                    self.out = []
                    flag = ctx.jump if ctx is not None else self.ret[0]
                    test = self.atom(N.not_(N.name(flag)))
                    out.extend(self.out)
                    out.append(N.if_(test, rest, loc=s))
                break
        self.out, self.loop_ctx = saved_out, saved_ctx
        return out

    def stmt(self, s) -> bool:
        """Normalize one statement into self.out; True if it may jump."""
        m = getattr(self, "stmt_" + type(s).__name__, None)
        if m is None:
            self.fail(s, f"the statement {type(s).__name__}")
        return bool(m(s))

    def stmt_Pass(self, s):
        return False

    def stmt_Expr(self, s):
        if isinstance(s.value, gast.Constant):
            return False  # a stray string or constant
        v = self.rhs(s.value)
        if isinstance(v, gast.Call) and isinstance(v.func, gast.Attribute) and \
                v.func.attr == "pop" and not v.args and not v.keywords and not \
                self.parsed.generated:
            # a bare `lst.pop()` of the user's: its value is kept, so the adjoint can put
            # it back (generated code's bare pops are refused in reverse mode: calls.py)
            self.emit(N.assign(self.namer.fresh("_popped"), v, loc=s))
            return False
        if not N.is_atom(v):
            self.emit(N.expr_stmt(v, loc=s))
        return False

    def stmt_Assert(self, s):
        test = self.atom(s.test)
        self.emit(N.copy_loc(gast.Assert(test=test, msg=s.msg and self.atom(s.msg)), s))
        return False

    def stmt_Raise(self, s):
        self.emit(s)
        return False

    def stmt_Assign(self, s):
        targets = s.targets
        if len(targets) == 1:
            self.assign_to(targets[0], s.value, s)
        else:
            v = self.atom(s.value)
            for t in targets:
                self.assign_to(t, v, s)
        return False

    def stmt_AnnAssign(self, s):
        if s.value is not None:
            self.assign_to(s.target, s.value, s)
        return False

    def stmt_AugAssign(self, s):
        t = s.target
        if isinstance(t, gast.Name):
            load = N.name(t.id)
        elif isinstance(t, gast.Subscript):
            base, idx = self.subscript_target(t, s)
            t = gast.Subscript(value=base, slice=idx, ctx=gast.Store())
            load = gast.Subscript(value=base, slice=idx, ctx=gast.Load())
        elif isinstance(t, gast.Attribute):  # self.nfev += 1 (a counter on an object)
            base = self.atom(t.value) if not self.env.is_static(t.value) else t.value
            t = gast.Attribute(value=base, attr=t.attr, ctx=gast.Store())
            load = gast.Attribute(value=base, attr=t.attr, ctx=gast.Load())
        else:
            self.fail(s, "this augmented assignment target")
        self.assign_to(t, gast.BinOp(left=load, op=s.op, right=s.value), s)
        if isinstance(t, gast.Name) and self.out and isinstance(self.out[-1], gast.Assign):
            # NumPy updates an array in place here: a view or alias of it sees the change
            anno.set_(self.out[-1], anno.AUG_ASSIGN)
        return False

    def subscript_target(self, target, loc):
        """(base, index) atoms of the written ``base[index]``; ``y.flat[i]`` becomes
        ``y[flat_position(i, y)]`` (an index of ``y`` itself, not a write through a
        ``flatiter`` view)."""
        flat = isinstance(target.value, gast.Attribute) and target.value.attr == "flat" \
            and not isinstance(target.slice, (gast.Slice, gast.Tuple))
        base = self.atom(target.value.value if flat else target.value)
        if not isinstance(base, gast.Name):
            self.fail(loc, "assignment into this kind of target")
        idx = self.index(target.slice)
        if flat:
            idx = self.atom(N.call(self.static_ref(R.flat_position), [idx, base]))
        return base, idx

    def call_alias(self, target, value):
        """``th = np.tanh`` (the name bound once in the function): calls ``th(x)`` are
        calls of ``np.tanh``."""
        if isinstance(value, gast.Call) and self.env.is_static(value.func) and \
                self.env.lookup(value.func) is getattr and len(value.args) == 2 and \
                not value.keywords and isinstance(value.args[1], gast.Constant) and \
                isinstance(value.args[1].value, str) and self.env.is_static(value.args[0]):
            value = gast.Attribute(value=value.args[0], attr=value.args[1].value,
                                   ctx=gast.Load())  # fn = getattr(np, "sin")
        if not (isinstance(target, gast.Name) and isinstance(value, (gast.Name, gast.Attribute))
                and self.env.is_static(value)):
            return False
        obj = self.env.lookup(value)
        if not callable(obj) or isinstance(obj, type):
            return False
        stores = sum(isinstance(n, gast.Name) and n.id == target.id and
                     isinstance(n.ctx, (gast.Store, gast.Param))
                     for n in gast.walk(self.parsed.tree))
        if stores != 1:  # (a parameter rebound, `fn = np.sin`, is bound twice)
            return False
        self.method_aliases[target.id] = value
        return True

    def assign_to(self, target, value, loc):
        if isinstance(target, gast.Name) and isinstance(value, gast.Attribute) and \
                value.attr in ("append", "pop") and isinstance(value.value, gast.Name) and \
                self.env.is_local(value.value.id):
            self.method_aliases[target.id] = value  # generated code's `_push = _stack.append`
            return
        if self.call_alias(target, value):
            self.emit(N.assign(target.id, self.method_aliases[target.id], loc=loc))
            return
        if isinstance(target, gast.Name):
            if isinstance(value, gast.Lambda):
                self.emit(self.lambda_def(target.id, value))
                return
            self.emit(N.assign(target.id, self.rhs(value), loc=loc))
        elif isinstance(target, (gast.Tuple, gast.List)) and \
                any(isinstance(e, gast.Starred) for e in target.elts):
            self.starred_assign(target, value, loc)
        elif isinstance(target, (gast.Tuple, gast.List)):
            if isinstance(value, (gast.Tuple, gast.List)) and len(value.elts) == len(target.elts) \
                    and not any(isinstance(e, gast.Starred) for e in value.elts):
                vals = [v if isinstance(v, gast.Attribute) and self.env.is_static(v) and
                        isinstance(t, gast.Name) else self.atom(v)
                        for t, v in zip(target.elts, value.elts)]  # all first (a, b = b, a)
                vals = [self.snapshot(v, target) for v in vals]
            else:
                seq = self.atom(value)
                vals = []
                for k in range(len(target.elts)):
                    t = self.tmp("_u")
                    sub = gast.Subscript(value=seq, slice=N.const(k), ctx=gast.Load())
                    self.emit(N.assign(t, sub, loc=loc))
                    vals.append(N.name(t))
                self.emit(N.expr_stmt(N.call(self.static_ref(R.check_unpack),
                                             [seq, N.const(len(target.elts))]), loc=loc))
            for t, v in zip(target.elts, vals):
                self.assign_to(t, v, loc)
        elif isinstance(target, gast.Subscript):
            base, idx = self.subscript_target(target, loc)
            v = self.atom(value)
            self.emit(N.assign(gast.Subscript(value=base, slice=idx, ctx=gast.Store()), v, loc=loc))
        elif isinstance(target, gast.Attribute):
            # obj.attr = v runs as written; a differentiated v is refused by the modes
            base = target.value if self.env.is_static(target.value) else self.atom(target.value)
            if not isinstance(base, (gast.Name, gast.Attribute)):
                self.fail(loc, "assignment to this attribute")
            v = self.atom(value)
            self.emit(N.assign(gast.Attribute(value=base, attr=target.attr, ctx=gast.Store()),
                               v, loc=loc))
        else:
            self.fail(loc, "this assignment target")

    def snapshot(self, v, target):
        """Copy a Name about to be overwritten by a parallel assignment."""
        if isinstance(v, gast.Name) and v.id in N.names_in(target):
            t = self.tmp("_s")
            self.emit(N.assign(t, v))
            return N.name(t)
        return v

    def lambda_def(self, name, lam):
        ret = N.copy_loc(gast.Return(value=lam.body), lam)
        fdef = gast.FunctionDef(name=name, args=lam.args, body=[ret], decorator_list=[],
                                returns=None, type_comment=None, type_params=[])
        return N.copy_loc(fdef, lam)

    def stmt_FunctionDef(self, s):
        if s.decorator_list:
            self.fail(s, "a decorated nested function")
        self.emit(s)  # nested functions are transformed on their own when called
        return False

    def stmt_Return(self, s):
        value = self.atom(s.value) if s.value is not None else N.const(None)
        if self.ret is None:
            self.emit(gast.Return(value=value))
            return True
        flag, val = self.ret
        self.emit(N.assign(val, value, loc=s))
        self.emit(N.assign(flag, N.const(True), loc=s))
        if self.loop_ctx is not None:
            self.jump(s, "return", leave=True)
        return True

    def stmt_Break(self, s):
        return self.jump(s, "break", leave=True)

    def stmt_Continue(self, s):
        return self.jump(s, "continue", leave=False)

    def jump(self, s, kind, leave):
        """Set the enclosing loop's flags: skip the rest of the iteration (and ``leave``
        the loop after it)."""
        ctx = self.loop_ctx
        ctx.uses.add(kind)
        self.emit(N.assign(ctx.jump, N.const(True), loc=s))
        if leave:
            self.emit(N.assign(ctx.brk, N.const(True), loc=s))
        return True

    def stmt_If(self, s):
        test = self.atom(s.test)
        ctx = self.loop_ctx
        body = self.block(s.body, ctx)
        orelse = self.block(s.orelse, ctx)
        self.emit(N.if_(test, body, orelse, loc=s))
        return self.may_jump(body + orelse)

    def may_jump(self, stmts) -> bool:
        ctx = self.loop_ctx
        flags = {ctx.jump} if ctx is not None else ({self.ret[0]} if self.ret else set())
        return bool(flags & N.stored_names(stmts))


def _single_final_return(body) -> bool:
    """True when the only return is the last top-level statement (or there is none)."""
    count = 0
    for n in nodes(body):
        if isinstance(n, gast.Return):
            count += 1
    nested_returns = 0
    for s in body:
        if isinstance(s, gast.FunctionDef):
            nested_returns += sum(isinstance(n, gast.Return) for n in nodes(s))
    count -= nested_returns
    last_is_return = bool(body) and isinstance(body[-1], gast.Return)
    return count == 0 or (count == 1 and last_is_return)
