"""Hypothesis strategies that generate random differentiable programs as Python source text.

A generated program is a whole module: ``import math``, ``import numpy as np``, zero or
more helper functions ``h0, h1, ...`` and the function under test ``f``, whose result is a
scalar. Two families:

- scalar programs, ``f(x)`` / ``f(x, y)`` / ``f(x, y, z)`` over Python floats: ``+ - * /``,
  unary ``-``, ``**2``, ``math.sin/cos/tanh/exp/log/sqrt`` and ``np.sin/tanh/exp/cos`` on
  safe domains (``math.log(1.0 + v * v)``, ``v / (1.5 + w * w)``, ``math.exp(math.sin(v))``),
  ``abs``/``max``/``min``, conditional expressions;
- vector programs, ``f(x, A, s)`` with ``x.shape == (n,)``, ``A.shape == (m, n)`` and a
  float ``s``: elementwise ufuncs, ``np.sum``/``np.mean`` (whole and with ``axis``,
  ``keepdims``), ``np.dot``, ``@``, ``np.outer``, ``np.concatenate``, ``np.zeros_like``,
  ``np.abs``/``np.maximum``, indexing ``x[i]``/``A[i, j]``/``A[i]``/``A[:, j]``, slices
  (``x[1:]``, ``x[::-1]``, ``x[a:b]``), ``[:, None]`` and broadcasting with scalars, rows
  and columns.

Statements: assignments to fresh names, re-assignments of the same name (parameters
included), augmented assignment, in-place element writes ``y[i] = v`` / ``y[i] += v`` on
arrays the program allocated, ``for i in range(k)`` (nested), ``for t in x`` and
``enumerate``, ``if``/``else`` on data (values compared against constants or each other)
and on loop indices, ``while`` with a counter bound (optionally ``and`` a data
condition), ``break``/``continue``, early ``return``, calls of helpers defined in the same
module (helpers may call earlier helpers), and a list filled with ``append`` in a loop and
then summed (``sum(lst)`` / ``np.sum(np.stack(lst), axis=0)``).

Values stay bounded so finite differences are well conditioned: inputs lie in
[-1.5, 1.5], denominators are ``c + w * w`` or ``2 + sin(w)``, ``exp``/``log`` see bounded
or squared arguments, and every re-assignment inside a loop is squashed by ``tanh``.

Each program renders twice: ``source`` (what is differentiated) and ``instrumented``,
where every data-dependent comparison and every ``abs``/``max``/``min``/``np.abs``/
``np.maximum`` goes through a helper that records its distance to the tie (``_M``). The
harness runs the instrumented twin at the input point and discards the example when a
margin is small, so a finite-difference step never crosses a branch or a kink; the
differentiated source itself is plain user code.

``Features`` switches constructs on and off; a construct that ast_ad gets systematically
wrong is switched off by default here (and named in docs/differential.md) rather than
removed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from hypothesis import strategies as st


@dataclass(frozen=True)
class Features:
    """Which constructs the generator may use."""

    augassign: bool = True
    loops: bool = True  # for i in range(k)
    nested_loops: bool = True
    for_over_array: bool = True  # for t in x / for i, t in enumerate(x)
    if_data: bool = True
    if_index: bool = True
    while_loops: bool = True
    break_continue: bool = True
    early_return: bool = True
    helpers: bool = True
    append_sum: bool = True
    inplace_writes: bool = True  # y = np.zeros_like(x); y[i] = v; y[i] += v
    abs_min_max: bool = True
    ifexp: bool = True  # a if cond else b
    boolops: bool = True  # and / or / not in conditions
    # break / early return inside `while <a> and <b>:` (ast_ad once misaligned its stack
    # when such a loop was left that way; docs/differential.md)
    exit_boolop_while: bool = True
    # `for i in range(k): pass` (ast_ad once emitted a `for` with no body)
    empty_loop_bodies: bool = True


DEFAULT_FEATURES = Features()

S = "S"  # scalar
N = "N"  # vector of length n (like x)
MV = "Mv"  # vector of length m (like a column of A)
MN = "MN"  # matrix (m, n) (like A)
COND = "C"  # a condition (only as an expression child)


# ---------------------------------------------------------------------------------------
# Expression and statement trees (rendered twice: plain and instrumented)
# ---------------------------------------------------------------------------------------

_INSTRUMENTED = {
    "abs": "_abs({0})",
    "max": "_max({0}, {1})",
    "min": "_min({0}, {1})",
    "gt": "_gt({0}, {1})",
    "lt": "_lt({0}, {1})",
    "npabs": "_npabs({0})",
    "npmax": "_npmax({0}, {1})",
}

_PRELUDE = '''
_M = []


def _abs(a):
    _M.append(float(abs(a)))
    return abs(a)


def _max(a, b):
    _M.append(float(abs(a - b)))
    return max(a, b)


def _min(a, b):
    _M.append(float(abs(a - b)))
    return min(a, b)


def _gt(a, b):
    _M.append(float(abs(a - b)))
    return a > b


def _lt(a, b):
    _M.append(float(abs(a - b)))
    return a < b


def _npabs(a):
    _M.append(float(np.min(np.abs(a))))
    return np.abs(a)


def _npmax(a, b):
    _M.append(float(np.min(np.abs(a - b))))
    return np.maximum(a, b)
'''


class X:
    """An expression: a format string over rendered children; ``tag`` marks a tie point."""

    __slots__ = ("fmt", "kids", "tag", "view")

    def __init__(self, fmt, *kids, tag=None, view=False):
        self.fmt = fmt
        self.kids = kids
        self.tag = tag
        self.view = view  # may alias an existing array (leaf, index, slice)

    def render(self, instr=False):
        parts = [k.render(instr) if isinstance(k, X) else str(k) for k in self.kids]
        fmt = _INSTRUMENTED[self.tag] if instr and self.tag else self.fmt
        return fmt.format(*parts)


class Line:
    def __init__(self, fmt, *kids):
        self.x = X(fmt, *kids)

    def lines(self, instr, ind):
        return ["    " * ind + self.x.render(instr)]


class Block:
    def __init__(self, header, body, orelse=None):
        self.header = header
        self.body = body
        self.orelse = orelse

    def lines(self, instr, ind):
        out = ["    " * ind + self.header.render(instr)]
        out += _body_lines(self.body, instr, ind + 1)
        if self.orelse:
            out.append("    " * ind + "else:")
            out += _body_lines(self.orelse, instr, ind + 1)
        return out


def _body_lines(stmts, instr, ind):
    out = []
    for s in stmts:
        out += s.lines(instr, ind)
    return out or ["    " * ind + "pass"]


@dataclass
class Func:
    name: str
    params: list  # [(name, shape)]
    body: list
    ret: X
    ret_shape: str

    def lines(self, instr):
        head = f"def {self.name}({', '.join(p for p, _ in self.params)}):"
        return [head] + _body_lines(self.body + [Line("return {0}", self.ret)], instr, 1)


@dataclass(frozen=True, repr=False)
class Program:
    """A generated module: its source, its instrumented twin and how to call ``f``."""

    kind: str  # "scalar" or "vector"
    source: str
    instrumented: str
    params: tuple  # ((name, shape tuple), ...) of f
    n: int
    m: int

    def __repr__(self):
        return f"<{self.kind} program, params {self.params!r}:\n{self.source}>"

    def _repr_pretty_(self, p, cycle):  # how hypothesis prints a falsifying example
        p.text(repr(self))


def _module(funcs, instr):
    out = ["import math", "", "import numpy as np", ""]
    if instr:
        out += _PRELUDE.strip("\n").split("\n") + [""]
    for fn in funcs:
        out += ["", *fn.lines(instr), ""]
    return "\n".join(out).rstrip("\n") + "\n"


# ---------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------

_CONSTS = ["0.5", "1.5", "(-0.7)", "2.0", "0.3", "(-1.2)", "0.9", "(-0.25)"]
_THRESHOLDS = ["0.0", "0.2", "(-0.3)", "0.5", "(-0.6)", "1.0"]


@dataclass
class Scope:
    vars: dict  # name -> shape, in definition order
    params: frozenset
    idx: tuple = ()  # ((loop index name, bound), ...) usable as indices
    loops: int = 0  # enclosing loop depth
    depth: int = 0  # enclosing block depth
    fixed: frozenset = frozenset()  # names never re-assigned (loop variables)
    can_break: bool = False  # directly inside a loop that break/continue may leave
    can_return: bool = True  # an early return may appear here

    def child(self, **kw):
        return dataclasses.replace(self, vars=dict(self.vars), **kw)


class Gen:
    """Draws one program, decision by decision, through hypothesis's ``draw``."""

    def __init__(self, draw, feats, kind, n=0, m=0):
        self.draw = draw
        self.f = feats
        self.kind = kind
        self.n = n
        self.m = m
        self.counter = 0
        self.helpers = []  # Func
        self.size = 0  # statements emitted (keeps programs small)

    # -- drawing primitives ----------------------------------------------------------
    def pick(self, seq):
        return self.draw(st.sampled_from(seq))

    def int(self, lo, hi):
        return self.draw(st.integers(lo, hi))

    def fresh(self, prefix="v"):
        self.counter += 1
        return f"{prefix}{self.counter}"

    def dim(self, shape):
        return {N: self.n, MV: self.m}.get(shape)

    # -- expressions ----------------------------------------------------------------
    def available(self, sc):
        shapes = {S}
        have = set(sc.vars.values())
        if N in have or MN in have:
            shapes.add(N)
        if MV in have or MN in have:
            shapes.add(MV)
        if MN in have:
            shapes.add(MN)
        return shapes

    def leaf(self, shape, sc):
        names = [v for v, s in sc.vars.items() if s == shape]
        opts = [X(v, view=True) for v in names]
        if shape == S:
            opts.append(X(self.pick(_CONSTS)))
            for i, _ in sc.idx:
                opts.append(X("(0.5 * {0})", i))
            for v, s in sc.vars.items():
                if s in (N, MV):
                    d = self.dim(s)
                    opts.append(X("{0}[%d]" % self.int(-1, d - 1), v))
                    opts += [X("{0}[{1}]", v, i) for i, b in sc.idx if b <= d]
                elif s == MN:
                    opts.append(X("{0}[%d, %d]" % (self.int(0, self.m - 1),
                                                   self.int(0, self.n - 1)), v))
                    opts += [X("{0}[{1}, %d]" % self.int(0, self.n - 1), v, i)
                             for i, b in sc.idx if b <= self.m]
        elif shape == N:
            for v, s in sc.vars.items():
                if s == MN:
                    opts.append(X("{0}[%d]" % self.int(0, self.m - 1), v, view=True))
                    opts += [X("{0}[{1}]", v, i, view=True) for i, b in sc.idx if b <= self.m]
        elif shape == MV:
            for v, s in sc.vars.items():
                if s == MN:
                    opts.append(X("{0}[:, %d]" % self.int(0, self.n - 1), v, view=True))
                    opts += [X("{0}[:, {1}]", v, i, view=True)
                             for i, b in sc.idx if b <= self.n]
        return self.pick(opts)

    def ops(self, shape, sc):
        """(child shapes, builder) pairs for an expression of ``shape``."""
        f = self.f
        out = []

        def op(kids, fmt, tag=None, view=False, on=True):
            if on:
                out.append((kids, lambda *k: X(fmt, *k, tag=tag, view=view)))

        if shape == S:
            op([S, S], "({0} + {1})")
            op([S, S], "({0} * {1})")
            op([S, S], "({0} - {1})")
            op([S], "math.sin({0})")
            op([S], "math.tanh({0})")
            op([S, S], "({0} / (1.5 + {1} * {1}))")
            op([S, S], "({0} / (2.0 + math.sin({1})))")
            op([S], "(-{0})")
            op([S], "math.cos({0})")
            op([S], "math.exp(math.sin({0}))")
            op([S], "math.log(1.0 + {0} * {0})")
            op([S], "math.sqrt(1.0 + {0} * {0})")
            op([S], "math.exp(-{0} * {0})")
            op([S], "({0} ** 2)")
            op([S], "np.sin({0})")
            op([S], "np.tanh({0})")
            op([S], "np.exp(np.cos({0}))")
            op([S], "abs({0})", tag="abs", on=f.abs_min_max)
            op([S, S], "max({0}, {1})", tag="max", on=f.abs_min_max)
            op([S, S], "min({0}, {1})", tag="min", on=f.abs_min_max)
            op([S, COND, S], "({0} if {1} else {2})", on=f.ifexp)
            # reductions and indexing of arrays
            op([N], "np.sum({0})")
            op([N, N], "np.dot({0}, {1})")
            op([MV], "np.mean({0})")
            op([MV, MV], "({0} @ {1})")
            op([MN], "np.sum({0})")
            op([MN], "np.mean({0})")
            op([MN, MN], "np.sum({0} * {1})")
            if self.n:
                a = self.int(0, self.n - 2)
                b = self.int(a + 1, self.n)
                op([N], "np.sum({0}[%d:%d])" % (a, b))
                op([N], "np.sum({0}[1:] * {0}[:-1])")
                op([N, N], "np.dot({0}[::-1], {1})")
                length = self.int(1, self.n - 1)
                op([N, N], "np.dot({0}[:%d], {1}[-%d:])" % (length, length))
                op([N], "{0}[%d]" % self.int(-1, self.n - 1))
                op([MN], "{0}[%d, %d]" % (self.int(0, self.m - 1), self.int(0, self.n - 1)))
                op([MN], "np.sum({0}, axis=1)[%d]" % self.int(0, self.m - 1))
        else:
            vec = shape in (N, MV)
            op([shape, shape], "({0} + {1})")
            op([shape, shape], "({0} * {1})")
            op([S, shape], "({0} * {1})")
            op([shape, S], "({0} - {1})")
            op([shape], "np.tanh({0})")
            op([shape], "np.sin({0})")
            op([shape, shape], "({0} / (1.5 + {1} * {1}))")
            op([shape, S], "({0} / (2.0 + np.sin({1})))")
            op([shape], "(-{0})")
            op([shape], "np.cos({0})")
            op([shape], "np.exp(np.sin({0}))")
            op([shape], "np.log(1.0 + {0} * {0})")
            op([shape], "np.sqrt(1.0 + {0} * {0})")
            op([shape], "({0} ** 2)")
            op([shape, shape], "({0} - {1})")
            op([shape], "np.abs({0})", tag="npabs", on=f.abs_min_max)
            op([shape, shape], "np.maximum({0}, {1})", tag="npmax", on=f.abs_min_max)
            op([shape], "np.zeros_like({0})")
            if shape == N:
                op([MN], "np.sum({0}, axis=0)")
                op([MN], "np.mean({0}, axis=0)")
                op([MV, MN], "({0} @ {1})")
                op([MV, MN], "np.dot({0}, {1})")
                op([MN], "{0}[%d]" % self.int(0, self.m - 1), view=True)
                k = self.int(1, self.n - 1)
                op([N], "np.concatenate(({0}[%d:], {0}[:%d]))" % (k, k))
                op([N], "{0}[::-1]", view=True)
            if shape == MV:
                op([MN], "np.sum({0}, axis=1)")
                op([MN], "np.mean({0}, axis=1)")
                op([MN, N], "({0} @ {1})")
                op([MN, N], "np.dot({0}, {1})")
                op([MN], "{0}[:, %d]" % self.int(0, self.n - 1), view=True)
            if shape == MN:
                op([MN, N], "({0} * {1})")
                op([MN, MV], "({0} + {1}[:, None])")
                op([MV, N], "np.outer({0}, {1})")
                op([MV, N], "({0}[:, None] * {1}[None, :])")
                op([MN], "({0} - np.mean({0}, axis=1, keepdims=True))")
                op([MN], "({0} / (1.0 + np.sum({0} * {0}, axis=0)))")
            del vec
        for h in self.helpers:
            if h.ret_shape == shape:
                fmt = f"{h.name}({', '.join('{%d}' % i for i in range(len(h.params)))})"
                op([s for _, s in h.params], fmt, view=shape != S)
        return out

    def expr(self, shape, sc, depth):
        if depth <= 0:
            return self.leaf(shape, sc)
        avail = self.available(sc)
        ops = [(k, b) for k, b in self.ops(shape, sc) if all(c in avail or c == COND for c in k)]
        choice = self.int(0, len(ops))  # 0 = a leaf (shrinks towards leaves)
        if choice == 0 or not ops:
            return self.leaf(shape, sc)
        kids, build = ops[choice - 1]
        args = [self.cond(sc, depth - 1) if c == COND else self.expr(c, sc, depth - 1)
                for c in kids]
        return build(*args)

    def fresh_expr(self, shape, sc, depth):
        """An expression that does not alias an existing array (safe to write into)."""
        e = self.expr(shape, sc, depth)
        if shape != S and e.view:
            e = X("np.tanh({0})", e)
        return e

    def squash(self, shape, e):
        return X("math.tanh({0})" if shape == S else "np.tanh({0})", e)

    def cond(self, sc, depth):
        f = self.f
        kinds = []
        if f.if_data:
            kinds += ["gt", "lt", "cmp2"]
        if f.if_index and sc.idx:
            kinds += ["idx"]
        if f.boolops and depth > 0:
            kinds += ["and", "or", "not"]
        if not kinds:
            return X("True")
        k = self.pick(kinds)
        d = min(depth, 2)
        if k == "gt":
            return X("{0} > {1}", self.expr(S, sc, d), self.pick(_THRESHOLDS), tag="gt")
        if k == "lt":
            return X("{0} < {1}", self.expr(S, sc, d), self.pick(_THRESHOLDS), tag="lt")
        if k == "cmp2":
            return X("{0} > {1}", self.expr(S, sc, d), self.expr(S, sc, d), tag="gt")
        if k == "idx":
            i, b = self.pick(list(sc.idx))
            c = self.int(0, max(b - 1, 0))
            form = self.pick(["{0} %% 2 == %d" % (c % 2), "{0} < %d" % c, "{0} == %d" % c,
                              "{0} > %d" % c, "{0} >= %d" % c])
            return X(form, i)
        if k == "not":
            return X("not {0}", self.cond(sc, depth - 1))
        return X("({0} %s {1})" % k, self.cond(sc, depth - 1), self.cond(sc, depth - 1))

    # -- statements -----------------------------------------------------------------
    def block(self, sc, lo, hi, fn):
        """``lo`` to ``hi`` statements (past the size budget, only ``lo``)."""
        count = self.int(lo, hi)
        out = []
        for k in range(count):
            if self.size > 40 and k >= lo:
                break
            out += self.stmt(sc, fn)
        return out

    def loop_body(self, sc, fn):
        lo = 0 if self.f.empty_loop_bodies else 1
        out = []
        for _ in range(4):  # a statement may come out empty (nothing to re-assign)
            out += self.block(sc, lo, 3, fn)
            if len(out) >= lo:
                return out
        return out or [Line("%s = 0.5" % self.fresh())]

    def assignable(self, sc):
        return [v for v in sc.vars if v not in sc.fixed]

    def stmt(self, sc, fn):
        """One statement (or a short group) appended to scope ``sc``; returns a list."""
        self.size += 1
        f = self.f
        d = 2 if sc.loops else 3
        kinds = ["assign", "assign", "reassign", "reassign"]
        if f.augassign:
            kinds += ["aug"]
        if f.inplace_writes and self.kind == "vector":
            kinds += ["inplace"]
        if sc.depth < 2:
            if f.if_data or (f.if_index and sc.idx):
                kinds += ["if", "if"]
            if f.loops and (sc.loops == 0 or f.nested_loops):
                kinds += ["for", "for"]
            if f.for_over_array and self.kind == "vector" and (sc.loops == 0 or f.nested_loops):
                kinds += ["forarr"]
            if f.while_loops and (sc.loops == 0 or f.nested_loops):
                kinds += ["while"]
            if f.append_sum and (sc.loops == 0 or f.nested_loops):
                kinds += ["append"]
        if f.break_continue and sc.can_break:
            kinds += ["break"]
        if f.early_return and sc.can_return:
            kinds += ["return"]
        k = self.pick(kinds)

        if k == "assign":
            shape = self.pick(sorted(self.available(sc)))
            name = self.fresh()
            e = self.fresh_expr(shape, sc, d)
            sc.vars[name] = shape
            return [Line("%s = {0}" % name, e)]
        if k in ("reassign", "aug"):
            names = self.assignable(sc)
            if not names:
                return []
            name = self.pick(names)
            shape = sc.vars[name]
            if k == "aug":
                if shape != S and name in sc.params:
                    return []  # never write into the caller's arrays
                opname = self.pick(["+=", "-=", "*="])
                e = self.fresh_expr(shape, sc, d)
                if sc.loops or opname == "*=":
                    e = self.squash(shape, e)
                return [Line("%s %s {0}" % (name, opname), e)]
            e = self.fresh_expr(shape, sc, d)
            if sc.loops:
                e = self.squash(shape, e)
            return [Line("%s = {0}" % name, e)]
        if k == "inplace":
            owned = [v for v in self.assignable(sc) if sc.vars[v] in (N, MV, MN)
                     and v not in sc.params]
            pre = []
            if not owned or self.int(0, 3) == 0:
                shape = self.pick(sorted(self.available(sc) - {S}))
                name = self.fresh("buf")
                src = self.leaf(shape, sc)
                pre = [Line("%s = np.zeros_like({0})" % name, src)]
                sc.vars[name] = shape
            else:
                name = self.pick(owned)
            shape = sc.vars[name]
            if shape == MN:
                ii = [X(str(self.int(0, self.m - 1)))] + [X(i) for i, b in sc.idx if b <= self.m]
                jj = [X(str(self.int(0, self.n - 1)))] + [X(i) for i, b in sc.idx if b <= self.n]
                target = X("%s[{0}, {1}]" % name, self.pick(ii), self.pick(jj))
            else:
                dim = self.dim(shape)
                ii = [X(str(self.int(-1, dim - 1)))] + [X(i) for i, b in sc.idx if b <= dim]
                target = X("%s[{0}]" % name, self.pick(ii))
            opname = self.pick(["=", "+="])
            e = self.expr(S, sc, d)
            if sc.loops:
                e = self.squash(S, e)
            return pre + [Line("{0} %s {1}" % opname, target, e)]
        if k == "if":
            c = self.cond(sc, 1)
            body_sc = sc.child(depth=sc.depth + 1)
            body = self.block(body_sc, 1, 3, fn)
            orelse = None
            else_sc = None
            if self.int(0, 1):
                else_sc = sc.child(depth=sc.depth + 1)
                orelse = self.block(else_sc, 1, 3, fn)
            # names defined on every path stay visible
            if else_sc is not None:
                for v, s in body_sc.vars.items():
                    if v not in sc.vars and else_sc.vars.get(v) == s:
                        sc.vars[v] = s
            return [Block(X("if {0}:", c), body, orelse)]
        if k == "for":
            i = self.fresh("i")
            bound = self.int(1, 4)
            if self.kind == "vector" and self.int(0, 1):
                bound = self.pick([self.n, self.m])
            inner = sc.child(idx=sc.idx + ((i, bound),), loops=sc.loops + 1,
                             depth=sc.depth + 1, fixed=sc.fixed | {i}, can_break=True)
            body = self.loop_body(inner, fn)
            return [Block(X("for %s in range(%d):" % (i, bound)), body)]
        if k == "forarr":
            arrs = [v for v, s in sc.vars.items() if s in (N, MV)] or ["x"]
            a = self.pick(arrs)
            t = self.fresh("t")
            fixed = sc.fixed | {t}
            idx = sc.idx
            if self.int(0, 1):
                i = self.fresh("i")
                header = X("for %s, %s in enumerate({0}):" % (i, t), a)
                idx = idx + ((i, self.dim(sc.vars.get(a, N))),)
                fixed = fixed | {i}
            else:
                header = X("for %s in {0}:" % t, a)
            # the iterated array is not written while the loop walks it
            inner = sc.child(idx=idx, loops=sc.loops + 1, depth=sc.depth + 1,
                             fixed=fixed | {a}, can_break=True)
            inner.vars[t] = S
            body = self.loop_body(inner, fn)
            return [Block(header, body)]
        if k == "while":
            kk = self.fresh("k")
            bound = self.int(1, 4)
            cond = X("%s < %d" % (kk, bound))
            boolop = self.f.if_data and self.int(0, 1)
            if boolop:
                cond = X("{0} and {1}", cond, self.cond(sc, 1))
            exits = not boolop or self.f.exit_boolop_while
            inner = sc.child(loops=sc.loops + 1, depth=sc.depth + 1, fixed=sc.fixed | {kk},
                             can_break=exits, can_return=sc.can_return and exits)
            # the counter moves first, so `continue` cannot loop forever
            body = [Line("%s += 1" % kk)] + self.block(inner, 1, 3, fn)
            return [Line("%s = 0" % kk), Block(X("while {0}:", cond), body)]
        if k == "append":
            shape = S if self.kind == "scalar" else self.pick([S, N])
            lst = self.fresh("lst")
            i = self.fresh("i")
            bound = self.int(1, 4)
            inner = sc.child(idx=sc.idx + ((i, bound),), loops=sc.loops + 1,
                             depth=sc.depth + 1, fixed=sc.fixed | {i}, can_break=True)
            # the first statement appends, so the list is never empty
            body = [Line("%s.append({0})" % lst, self.fresh_expr(shape, inner, 2))]
            body += self.block(inner, 0, 2, fn)
            name = self.fresh()
            total = X("sum(%s)" % lst) if shape == S else X("np.sum(np.stack(%s), axis=0)" % lst)
            sc.vars[name] = shape
            return [Line("%s = []" % lst), Block(X("for %s in range(%d):" % (i, bound)), body),
                    Line("%s = {0}" % name, total)]
        if k == "break":
            word = self.pick(["break", "continue"])
            return [Block(X("if {0}:", self.cond(sc, 1)), [Line(word)])]
        if k == "return":
            e = self.expr(fn.ret_shape, sc, 2)
            return [Block(X("if {0}:", self.cond(sc, 1)), [Line("return {0}", e)])]
        raise AssertionError(k)

    def result(self, sc, shape):
        """The return expression: a random term plus the program's own variables."""
        terms = [self.expr(shape, sc, 2)]
        local = [v for v in sc.vars if v not in sc.params and v not in sc.fixed][-5:]
        for v in local:
            s = sc.vars[v]
            if s == shape:
                terms.append(X(v))
            elif shape == S:
                terms.append(X("np.sum({0})", v))
        fmt = " + ".join("{%d}" % i for i in range(len(terms)))
        return X(fmt, *terms)

    def function(self, name, params, ret_shape, lo, hi):
        fn = Func(name, list(params), [], None, ret_shape)
        sc = Scope(vars=dict(params), params=frozenset(p for p, _ in params))
        fn.body = self.block(sc, lo, hi, fn)
        fn.ret = self.result(sc, ret_shape)
        return fn


def _generate(draw, kind, feats):
    if kind == "scalar":
        gen = Gen(draw, feats, kind)
        params = [(p, S) for p in ["x", "y", "z"][: draw(st.integers(1, 3))]]
    else:
        gen = Gen(draw, feats, kind, n=draw(st.integers(2, 4)), m=draw(st.integers(2, 3)))
        params = [("x", N), ("A", MN), ("s", S)]
    if feats.helpers:
        for h in range(draw(st.integers(0, 2))):
            if kind == "scalar":
                hp, ret = [("a", S), ("b", S)], S
            else:
                hp, ret = [("v", N), ("t", S)], draw(st.sampled_from([S, N]))
            gen.size = 0
            gen.helpers.append(gen.function(f"h{h}", hp, ret, 1, 3))
    gen.size = 0
    main = gen.function("f", params, S, 2, 6)
    funcs = gen.helpers + [main]
    shapes = {S: (), N: (gen.n,), MN: (gen.m, gen.n)}
    return Program(
        kind=kind,
        source=_module(funcs, False),
        instrumented=_module(funcs, True),
        params=tuple((p, shapes[s]) for p, s in params),
        n=gen.n,
        m=gen.m,
    )


@st.composite
def scalar_programs(draw, features: Features = DEFAULT_FEATURES):
    """Programs ``f(x[, y[, z]])`` over Python floats."""
    return _generate(draw, "scalar", features)


@st.composite
def vector_programs(draw, features: Features = DEFAULT_FEATURES):
    """Programs ``f(x, A, s)`` with ``x: (n,)``, ``A: (m, n)``, ``s: float``."""
    return _generate(draw, "vector", features)
