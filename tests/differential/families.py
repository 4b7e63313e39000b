"""Random programs aimed at the soundness issue's families, as hypothesis strategies.

Every program is a whole module (``import math``, ``import numpy as np``, whatever
classes and helpers it needs, then ``f``) tagged with its family and with the names of
the kernels it was built from. A program is a few *kernels* of its family (each a small
pattern: a statement list and a scalar read-out), combined with ordinary arithmetic:
a transformed copy of the input, a loop that repeats a kernel, a branch on data, and a
final expression mixing the kernels' results.

Families (``FAMILIES``):

- ``objects``: losses calling methods of user objects: ``NET.forward(u)``, ``NET(u)``
  (``__call__``), ``NET.loss(u, s)``, nested attribute objects (``self.act.fn(z)``),
  lists of layer objects, a function defined at module level installed as a method,
  static methods, properties, inheritance with ``super()``, dataclasses, an object as a
  default argument, and the bound method itself as the function differentiated;
- ``mutation``: writes through every NumPy in-place API (``np.add.at``, ufuncs with
  ``out=``, ``sort``/``fill``/``put``/``clip(out=)``, ``np.copyto``/``np.put``/
  ``np.place``/``np.putmask``/``np.fill_diagonal``), writes through views and aliases
  (``v = y[:2]; v *= c``, ``b = a; b[0] = ...``, ``np.asarray``, ``reshape``, rows of a
  matrix as loop variables), reads before writes, element swaps, helpers that write into
  their argument and list aliases;
- ``containers``: NumPy functions over lists (comprehensions, ``append``), dicts
  (``sum(d.values())``, ``d.get``), conversions (``tolist``, ``list``, ``tuple``,
  ``float``, ``item``), ``np.r_``/``np.c_``/``np.linspace``/``np.full``, list methods that
  reorder or alias, list and tuple concatenation and repetition, and ``float(f"{x}")``
  (which must be refused: ``expect="must_refuse"``);
- ``vanish``: complex intermediates, complex outputs (``must_refuse``), ``*args``
  functions under ``jvp``/``grad``, ``hessian``/``jacobian``/``vjp`` with a tuple ``wrt``,
  ``value_and_grad``;
- ``crashes``: builtin ``sum``/``max``/``min`` over arrays, ``initial=``/``where=``
  reductions, ``x.flat``, a scalar broadcast into a row, ``**0.0`` at zero, ``sqrt(0)``
  (in ``containers`` and ``crashes`` a quarter of the programs run under ``jvp``:
  ``FORWARD_TOO``);
- ``caller_data``: programs that write into their own arguments (every API above, applied
  to the parameters): the gradient must be right and the caller's arrays unchanged.

Parameters are ``x`` (shape ``(n,)``, ``n`` in 3..4), a float ``s`` and, when a kernel
asks for one, ``A`` (shape ``(2, n)``); inputs lie in [-1.5, 1.5] (the harness draws them).
Values stay smooth and bounded; kinks (``max``, ``sort``, branches) are left in, and the
harness's two-step finite-difference check tells a crossed kink from a wrong gradient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import strategies as st


@dataclass(frozen=True, repr=False)
class Program:
    """A generated module and how to differentiate it."""

    family: str
    source: str
    params: tuple  # ((name, shape), ...) of the function differentiated
    tags: tuple  # kernel names, for grouping failures
    # grad | value_and_grad | vjp | jvp | hessian | hessian2 | jacobian | jacobian2
    mode: str = "grad"
    target: str = "f"  # expression (in the module) of the function differentiated
    # "any": a gradient or a refusal; "must_refuse": the issue requires a refusal (a
    # differentiated value through a string, ``grad`` of a complex output, as autograd
    # and JAX refuse it): refused counts as "refused_required", anything else as silent;
    # "ill_defined": evaluated where a derivative is infinite (sqrt at 0): entries that
    # are nan/inf are accepted, the finite ones must match
    expect: str = "any"

    def __repr__(self):
        return (f"<{self.family} program {self.tags} mode={self.mode} target={self.target} "
                f"params {self.params!r}:\n{self.source}>")

    def _repr_pretty_(self, p, cycle):
        p.text(repr(self))


_C = ["0.5", "1.5", "(-0.7)", "2.0", "0.3", "(-1.2)", "0.9", "(-0.25)", "1.1", "(-0.4)"]
_TH = ["0.0", "0.2", "(-0.3)", "0.5", "(-0.6)"]


class G:
    """Drawing state for one program."""

    def __init__(self, draw, family):
        self.draw = draw
        self.family = family
        self.n = draw(st.integers(3, 4))
        self.counter = 0
        self.defs = []  # module-level blocks (classes, helpers, instances)
        self.imports = set()
        self.need_A = False
        self.tags = []
        self.direct = family == "caller_data"  # mutate the parameters themselves
        self.extra_params = []  # e.g. "net=NET1" appended to f's signature
        self.signature = None  # replaces "x, s[, A]" (e.g. "*args")
        self.prelude = []  # first lines of f (e.g. unpacking *args)
        self.target = "f"
        self.mode = "grad"
        self.expect = "any"

    # -- primitives ------------------------------------------------------------------
    def pick(self, seq):
        return self.draw(st.sampled_from(seq))

    def int(self, lo, hi):
        return self.draw(st.integers(lo, hi))

    def coin(self):
        return self.draw(st.booleans())

    def c(self):
        return self.pick(_C)

    def th(self):
        return self.pick(_TH)

    def i(self):
        return str(self.int(0, self.n - 1))

    def idxs(self, k):
        return "[" + ", ".join(str(self.int(0, self.n - 1)) for _ in range(k)) + "]"

    def name(self, p="v"):
        self.counter += 1
        return f"{p}{self.counter}"

    def wts(self, k=None):
        k = self.n if k is None else k
        return "np.array([" + ", ".join(self.pick(_C) for _ in range(k)) + "])"

    def mask(self):
        bits = [self.coin() for _ in range(self.n)]
        if not any(bits):
            bits[self.int(0, self.n - 1)] = True
        return "np.array([" + ", ".join(str(b) for b in bits) + "])"

    def buf(self, u):
        """An array to write into: ``u`` itself (always for caller_data) or a copy."""
        if self.direct or self.int(0, 3) == 0:
            return u, []
        y = self.name("y")
        how = self.pick([f"{u} * {self.c()}", f"{u}.copy()", f"np.array({u})",
                         f"np.sin({u}) + {self.c()}", f"{u} + 0.0"])
        return y, [f"{y} = {how}"]

    def out(self, o, u, s):
        """A scalar read-out of the length-n array ``o``."""
        return self.pick([
            f"np.sum({o} * {o})",
            f"np.sum({o} * {u})",
            f"{o}[{self.i()}] * {s}",
            f"np.sum(np.sin({o}) * {self.wts()})",
            f"{o} @ {self.wts()}",
            f"np.sum({o}) * {s}",
        ])

    def helper(self, text):
        if text not in self.defs:
            self.defs.append(text)


KERNELS: dict = {}


def K(*families):
    def deco(fn):
        for fam in families:
            KERNELS.setdefault(fam, []).append(fn)
        return fn
    return deco


# =======================================================================================
# ordinary arithmetic (mixed into every family)
# =======================================================================================

@K("arith")
def ar_tanh(g, u, s):
    t = g.name("t")
    return [f"{t} = np.tanh({u} * {g.c()} + {s})"], f"np.sum({t} * {g.wts()})"


@K("arith")
def ar_loop(g, u, s):
    a = g.name("acc")
    k = g.name("k")
    return [f"{a} = 0.0", f"for {k} in range({g.n}):",
            f"    {a} = {a} + {u}[{k}] * {g.c()} * {s}"], a


@K("arith")
def ar_branch(g, u, s):
    q = g.name("q")
    return [f"if {u}[{g.i()}] > {g.th()}:", f"    {q} = np.sum({u} ** 2) * {g.c()}",
            "else:", f"    {q} = {s} * {u}[{g.i()}] + {g.c()}"], q


@K("arith")
def ar_dot(g, u, s):
    return [], f"np.dot({u}, {g.wts()}) * {s}"


@K("arith")
def ar_while(g, u, s):
    a = g.name("w")
    k = g.name("k")
    return [f"{a} = {s}", f"{k} = 0", f"while {k} < {g.int(1, 3)}:",
            f"    {a} = np.tanh({a} * {g.c()} + {u}[{k} % {g.n}])", f"    {k} += 1"], a


# =======================================================================================
# family 1: calls on objects
# =======================================================================================

def _object_classes(g):
    """Module-level classes and an instance; returns (instance, entry kinds available)."""
    k = g.counter + 1
    g.counter += 1
    net, cls = f"NET{k}", f"Net{k}"
    style = g.pick(["plain", "call", "modfunc", "static", "property", "inherit",
                    "dataclass", "layers"])
    act = g.pick(["tanh", "sin", "nested", "nested2", "none"])
    body = g.pick(["vec", "loop", "matrix"])
    g.tags.append(f"obj:{style}/{act}/{body}")
    lines = []
    if act in ("nested", "nested2"):
        lines += [f"class Act{k}:", "    def __init__(self, k):", "        self.k = k", "",
                  "    def fn(self, z):", "        return np.tanh(z) * self.k", ""]
        if act == "nested2":
            lines += [f"class Holder{k}:", "    def __init__(self, inner):",
                      "        self.inner = inner", ""]
    apply = {"tanh": "np.tanh(z)", "sin": "np.sin(z) * self.b", "nested": "self.act.fn(z)",
             "nested2": "self.act.inner.fn(z)", "none": "z * self.b"}[act]
    if body == "vec":
        fwd = ["z = self.w * x + self.b"]
    elif body == "loop":
        fwd = ["z = np.zeros(len(x))", "for i in range(len(x)):",
               "    z[i] = self.w[i] * x[i] + self.b"]
    else:
        fwd = ["z = self.W @ x + self.b"]
    fwd = fwd + [f"return {apply}"]
    init_args = "w, b"
    init = ["self.w = w", "self.b = b", f"self.W = np.stack([w, w[::-1] * {g.c()}])"]
    if act == "nested":
        init.append(f"self.act = Act{k}({g.c()})")
    elif act == "nested2":
        init.append(f"self.act = Holder{k}(Act{k}({g.c()}))")

    def meth(name, params, body_lines, deco=None):
        out = [f"    @{deco}"] if deco else []
        out.append(f"    def {name}({params}):")
        out += ["        " + ln for ln in body_lines]
        return out + [""]

    loss_call = "self(x)" if style == "call" else "self.forward(x)"
    loss = meth("loss", "self, x, y", [f"h = {loss_call}", "return np.sum((h - y) ** 2)"])
    if style == "dataclass":
        g.imports.add("from dataclasses import dataclass")
        lines += ["@dataclass", f"class {cls}:", "    w: np.ndarray", "    b: float", ""]
        lines += meth("forward", "self, x", [ln.replace("self.W", "np.stack([self.w, self.w])")
                                             for ln in fwd]) + loss
        if act in ("nested", "nested2"):
            lines = [ln.replace(apply, "np.tanh(z)") for ln in lines]
    elif style == "inherit":
        lines += [f"class Base{k}:", "    def __init__(self, w, b):"]
        lines += ["        " + ln for ln in init] + [""]
        lines += meth("forward", "self, x", fwd)
        lines += [f"class {cls}(Base{k}):"]
        lines += meth("forward", "self, x", [f"return super().forward(x) * {g.c()} + self.b"])
        lines += loss
    elif style == "layers":
        lines += [f"class Layer{k}:", "    def __init__(self, w, b):",
                  "        self.w = w", "        self.b = b", ""]
        lines += meth("__call__", "self, x", ["return np.tanh(self.w * x + self.b)"])
        lines += [f"class {cls}:", "    def __init__(self, w, b):",
                  f"        self.layers = [Layer{k}(w, b), Layer{k}(w[::-1], {g.c()})]", ""]
        lines += meth("forward", "self, x", ["for layer in self.layers:", "    x = layer(x)",
                                            "return x"])
        lines += loss
    else:
        if style == "modfunc":
            lines += [f"def _forward{k}(self, x):"] + ["    " + ln for ln in fwd] + [""]
        lines += [f"class {cls}:", f"    def __init__(self, {init_args}):"]
        lines += ["        " + ln for ln in init] + [""]
        if style == "modfunc":
            lines += [f"    forward = _forward{k}", ""]
        elif style == "call":
            lines += meth("__call__", "self, x", fwd)
            lines += meth("forward", "self, x", ["return self(x)"])
        elif style == "static":
            lines += meth("affine", "w, x, b", ["return w * x + b"], deco="staticmethod")
            lines += meth("forward", "self, x", ["z = self.affine(self.w, x, self.b)",
                                                 f"return {apply}"])
        elif style == "property":
            lines += meth("scale", "self", ["return self.b * 2.0"], deco="property")
            lines += meth("forward", "self, x", [ln.replace("+ self.b", "+ self.scale")
                                                 for ln in fwd])
        else:
            lines += meth("forward", "self, x", fwd)
        lines += loss
    lines += [f"{net} = {cls}({g.wts()}, {g.c()})"]
    g.helper("\n".join(lines))
    return net


@K("objects")
def obj_forward(g, u, s):
    net = _object_classes(g)
    h = g.name("h")
    call = g.pick([f"{net}.forward({u})", f"{net}.forward({u} * {s})"])
    return [f"{h} = {call}"], f"np.sum({h} * {h}) + {s}"


@K("objects")
def obj_loss(g, u, s):
    net = _object_classes(g)
    return [], g.pick([f"{net}.loss({u}, {s})", f"{net}.loss({u}, {u}[{g.i()}]) * {s}"])


@K("objects")
def obj_default_arg(g, u, s):
    net = _object_classes(g)
    p = g.name("net")
    g.extra_params.append(f"{p}={net}")
    h = g.name("h")
    return [f"{h} = {p}.forward({u})"], f"{p}.loss({u}, {s}) + np.sum({h})"


@K("objects")
def obj_getattr(g, u, s):
    net = _object_classes(g)
    m = g.name("m")
    return [f"{m} = {net}.forward"], f"np.sum({m}({u}) * {s})"


# the patterns the issue names come up more often than the extra ones
KERNELS["objects"] += [obj_forward, obj_loss, obj_forward, obj_loss]


# =======================================================================================
# family 2 (and 8): mutation through every API, views and aliases
# =======================================================================================

@K("mutation", "caller_data")
def mu_add_at(g, u, s):
    y, pre = g.buf(u)
    op = g.pick(["add", "subtract", "multiply"])
    what = g.pick([f"{u} * {g.c()}", s, f"np.sin({u})"])
    if what == s or g.coin():
        if what != s:
            what = f"{u}[{g.i()}]"
        return pre + [f"np.{op}.at({y}, {g.i()}, {what})"], g.out(y, u, s)
    if g.coin():
        o = g.name("o")
        init = "np.ones" if op == "multiply" else "np.zeros"
        return pre + [f"{o} = {init}({g.n})", f"np.{op}.at({o}, {g.idxs(g.n)}, {what})"], \
            g.out(o, u, s)
    return pre + [f"np.{op}.at({y}, {g.idxs(g.n)}, {what})"], g.out(y, u, s)


@K("mutation", "caller_data")
def mu_ufunc_out(g, u, s):
    y, pre = g.buf(u)
    fn = g.pick([f"np.multiply({u}, {g.c()}, out={{o}})", f"np.sin({u}, out={{o}})",
                 f"np.add({u}, {s}, out={{o}})", f"np.exp({u} * 0.5, out={{o}})",
                 f"np.tanh({y}, out={{o}})", f"np.negative({y}, out={{o}})",
                 f"np.multiply({y}, {s}, out={{o}})", f"np.square({y}, out={{o}})"])
    where = g.pick(["self", "fresh", "view"])
    if where == "self":
        return pre + [fn.format(o=y)], g.out(y, u, s)
    if where == "fresh":
        o = g.name("o")
        return pre + [f"{o} = np.empty({g.n})", fn.format(o=o)], g.out(o, u, s)
    o = g.name("o")
    return pre + [f"{o} = np.zeros({g.n + 2})", fn.format(o=f"{o}[1:{g.n + 1}]")], \
        f"np.sum({o} * {g.wts(g.n + 2)})"


@K("mutation", "caller_data")
def mu_methods(g, u, s):
    y, pre = g.buf(u)
    op = g.pick([f"{y}.sort()", f"{y}.fill({s} * {g.c()})", f"{y}.put({g.i()}, {s})",
                 f"{y}.put({g.idxs(2)}, [{s}, {u}[{g.i()}] ** 2])",
                 f"{y}.clip(-1.0, 1.0, out={y})", f"{y}[1:].sort()", f"{y}[::-1].sort()",
                 f"{y}.__iadd__({s})", f"{y}.__imul__({g.c()})",
                 f"{y}.itemset({g.i()}, {s})" if False else f"{y}.setfield({s}, np.float64)"])
    return pre + [op], g.pick([f"np.sum({y} * {g.wts()})", g.out(y, u, s)])


@K("mutation", "caller_data")
def mu_np_writers(g, u, s):
    y, pre = g.buf(u)
    op = g.pick([f"np.copyto({y}, {u} * {s})" if y != u else f"np.copyto({y}, np.sin({u}))",
                 f"np.copyto({y}, {s})", f"np.copyto({y}[:2], {s} * {g.c()})",
                 f"np.put({y}, {g.idxs(2)}, [{s}, {s} * {g.c()}])",
                 f"np.put({y}, {g.i()}, {s} ** 2)",
                 f"np.place({y}, {g.mask()}, [{s}, {s} * {g.c()}])",
                 f"np.putmask({y}, {g.mask()}, {s} * {g.c()})",
                 f"np.putmask({y}, {g.mask()}, np.cos({y}))"])
    return pre + [op], g.pick([f"np.sum({y} * {g.wts()})", g.out(y, u, s)])


@K("mutation", "caller_data")
def mu_fill_diagonal(g, u, s):
    m = g.name("M")
    return [f"{m} = np.outer({u}, {u}[::-1])", f"np.fill_diagonal({m}, {s})"], \
        f"np.sum({m} * {g.c()}) + np.sum({m}[0] * {u})"


@K("mutation", "caller_data")
def mu_view_aug(g, u, s):
    y, pre = g.buf(u)
    v = g.name("v")
    view = g.pick([f"{y}[:2]", f"{y}[1:]", f"{y}[::2]", f"{y}[::-1]", f"{y}.reshape({g.n})",
                   f"{y}.view()", f"{y}[...]", f"{y}[np.newaxis]"])
    op = g.pick(["*=", "+=", "-=", "/="])
    rhs = g.pick([g.c(), s, f"({s} * {s} + 1.0)" if op == "/=" else f"np.sin({s})"])
    if op == "/=":
        rhs = g.pick(["2.0", f"({s} * {s} + 1.0)"])
    lines = pre + [f"{v} = {view}", f"{v} {op} {rhs}"]
    if g.coin():
        lines += [f"{v}[0] = {v}[0] * {s}"] if "newaxis" not in view else \
            [f"{v}[0, 0] = {v}[0, 0] * {s}"]
    return lines, g.pick([f"np.sum({y} * {g.wts()})", g.out(y, u, s)])


@K("mutation", "caller_data")
def mu_slice_aug(g, u, s):
    y, pre = g.buf(u)
    tgt = g.pick([f"{y}[:2]", f"{y}[{g.idxs(2)}]", f"{y}[{g.mask()}]", f"{y}[{g.i()}]",
                  f"{y}[...]", f"{y}[:]", f"{y}[{y} > {g.th()}]"])
    op = g.pick(["*=", "+=", "-=", "="])
    rhs = g.pick([s, f"{u}[{g.i()}] ** 2", f"np.sin({s})", g.c()])
    return pre + [f"{tgt} {op} {rhs}"], g.out(y, u, s)


@K("mutation", "caller_data")
def mu_alias(g, u, s):
    y, pre = g.buf(u)
    b = g.name("b")
    how = g.pick([f"{y}", f"np.asarray({y})", f"np.asarray({y}, dtype=float)",
                  f"{y}.ravel()", f"np.atleast_1d({y})", f"{y}[:]", f"{y}.reshape(-1)",
                  f"np.asanyarray({y})", f"{y}.T"])
    op = g.pick([f"{b}[{g.i()}] = {u}[{g.i()}] ** 2", f"{b} += 1.0", f"{b} *= {s}",
                 f"{b}[{g.i()}] = 3.0", f"{b}[:] = np.tanh({b})", f"{b} -= {s} * {g.c()}"])
    read = g.pick([f"{y}[{g.i()}]", f"np.sum({y} * {u})", f"np.sum({y} * {b})",
                   f"np.sum({y} * {g.wts()}) * {s}"])
    return pre + [f"{b} = {how}", op], read


@K("mutation")
def mu_shared(g, u, s):
    """Memory shared through other names: a chain of aliases of a view, a container
    holding the array (or a view of it) that is written afterwards, nested subscripts."""
    y, pre = g.buf(u)
    v, w, c = g.name("v"), g.name("w"), g.name("c")
    style = g.pick(["chain", "list", "append", "dict", "nested", "rebound"])
    if style == "chain":
        return pre + [f"{v} = {y}[{g.pick(['1:', '::2', ':'])}]", f"{w} = {v}",
                      f"{w}[0] = {u}[{g.i()}] * {s}"], f"np.sum({y} * {u})"
    if style == "rebound":
        return pre + [f"{v} = {y}[1:]", f"{w} = {v}", f"{w} *= {s}", f"{w} = {s}"], \
            f"np.sum({y} * {u}) + {w}"
    if style == "nested":
        m = g.name("M")
        return [f"{m} = np.outer({u}, {u})", f"for {w} in range(2):",
                f"    {m}[{w}][{g.i()}] = {u}[{w}] * {s}"], f"np.sum({m} * {m})"
    hold = g.pick([y, f"{y}[1:]"])
    make = {"list": [f"{c} = [{hold}, {s}]"], "dict": [f"{c} = {{'a': {hold}}}"],
            "append": [f"{c} = []", f"{c}.append({hold})"]}[style]
    key = "'a'" if style == "dict" else "0"
    return pre + make + [f"{y}[{g.i()}] = {u}[{g.i()}] ** 2"], \
        f"np.sum({c}[{key}] * {c}[{key}]) + np.sum({y})"


@K("mutation", "caller_data")
def mu_rows(g, u, s):
    if g.direct or g.coin():
        g.need_A = True
        a, pre = "A", []
    else:
        a = g.name("M")
        pre = [f"{a} = np.stack([{u}, {u} * {s}])"]
    acc, row = g.name("acc"), g.name("row")
    style = g.pick(["after", "inside", "mutrow", "enum"])
    if style == "after":
        return pre + [f"{acc} = 0.0", f"{a} += 1.0", f"for {row} in {a}:",
                      f"    {acc} = {acc} + np.sum({row} * {u})"], acc
    if style == "inside":
        return pre + [f"{acc} = 0.0", f"for {row} in {a}:", f"    {a} += {g.c()}",
                      f"    {acc} = {acc} + np.sum({row} * {row})"], acc
    if style == "mutrow":
        return pre + [f"for {row} in {a}:", f"    {row} *= {s}",
                      f"    {row}[0] = {row}[1] ** 2"], \
            f"np.sum({a} * {g.c()}) + np.sum({a}[0] * {u})"
    k = g.name("k")
    return pre + [f"{acc} = 0.0", f"for {k}, {row} in enumerate({a}):",
                  f"    {a}[{k}] = {row} * {g.c()}",
                  f"    {acc} = {acc} + np.sum({row} * {u}) * {s}"], acc


@K("mutation", "caller_data")
def mu_read_before_write(g, u, s):
    y, pre = g.buf(u)
    z = g.name("z")
    keep = g.pick([f"{g.c()} * {y}", f"{y}[{g.i()}]", f"{y}[:2]", f"np.sin({y})", f"{y}"])
    write = g.pick([f"{y}[{g.i()}] = 0.0", f"{y}[{g.i()}] = {s}", f"{y}[:2] = {s}",
                    f"{y} *= {s}", f"{y} += {g.c()}", f"{y}[:] = 0.5"])
    read = (f"np.sum({y}) * np.sum({z})" if keep.endswith("]") and ":" not in keep
            else f"np.sum({y} * {z})" if ":2" not in keep else f"np.sum({y}[:2] * {z})")
    return pre + [f"{z} = {keep}", write], read


@K("mutation", "caller_data")
def mu_copy_then_write(g, u, s):
    y = g.name("y")
    cp = g.pick([f"{u} * 1.0", f"{u}.copy()", f"np.copy({u})", f"{u} + 0.0", f"+{u}",
                 f"np.array({u}, copy=True)"])
    return [f"{y} = {cp}", f"{y}[{g.i()}] = {u}[{g.i()}] ** 2"], \
        g.pick([f"np.sum({y} * {u})", f"np.sum({y} * {y})"])


@K("mutation", "caller_data")
def mu_swap(g, u, s):
    y, pre = g.buf(u)
    a, b = g.int(0, g.n - 1), g.int(0, g.n - 1)
    op = g.pick([f"{y}[{a}], {y}[{b}] = {y}[{b}], {y}[{a}]",
                 f"{y}[[{a}, {b}]] = {y}[[{b}, {a}]]",
                 f"{y}[:] = {y}[::-1]", f"{y}[1:] = {y}[:-1]"])
    return pre + [op], f"np.sum({y} * {g.wts()})"


_HELPERS = {
    "fill_all": "def fill_all(h, v):\n    h[:] = v",
    "fill_first": "def fill_first(h, v):\n    h[0] = v",
    "add_into": "def add_into(h, v):\n    h += v",
    "copy_into": "def copy_into(h, v):\n    np.copyto(h, v)",
    "scale_into": "def scale_into(h, v):\n    h *= v\n    return h",
    "write_ret": "def write_ret(h, v):\n    h[-1] = v * h[0]\n    return np.sum(h)",
}


@K("mutation", "caller_data")
def mu_helper(g, u, s):
    y, pre = g.buf(u)
    name = g.pick(sorted(_HELPERS))
    g.helper(_HELPERS[name])
    g.tags.append(f"helper:{name}")
    v = g.pick([f"3.0 * {s}", f"{u} * {g.c()}" if name != "fill_first" else s, f"np.sin({s})"])
    if name == "write_ret":  # writes a scalar
        r = g.name("r")
        v = g.pick([f"3.0 * {s}", f"np.sin({s})", f"{u}[{g.i()}] * {s}"])
        return pre + [f"{r} = write_ret({y}, {v})"], f"{r} + {g.out(y, u, s)}"
    return pre + [f"{name}({y}, {v})"], g.out(y, u, s)


@K("mutation")
def mu_list_alias(g, u, s):
    a, b = g.name("a"), g.name("b")
    op = g.pick([f"{b}.append({u}[{g.i()}] * {s})", f"{b}[0] = {s} ** 2",
                 f"{b}.extend([{s}, {u}[{g.i()}]])", f"{b} += [{s} * {g.c()}]",
                 f"{b}.insert(0, {s} * {s})", f"{b}.pop()", f"{b}.reverse()",
                 f"{b}.sort()", f"{b}[:1] = [{s}]", f"del {b}[0]"])
    read = g.pick([f"sum({a})", f"{a}[0] * {u}[{g.i()}]", f"np.sum(np.array({a}) ** 2)",
                   f"{a}[-1] + {a}[0]"])
    return [f"{a} = [{u}[{g.i()}], {s}, {u}[{g.i()}] * {g.c()}]", f"{b} = {a}", op], read


# =======================================================================================
# family 3: containers and conversions
# =======================================================================================

@K("containers")
def co_reduce_list(g, u, s):
    t = g.name("t")
    lst = g.pick([f"[{t} * {g.c()} for {t} in {u}]", f"[{t} ** 2 for {t} in {u}]",
                  f"[{s} * {t} for {t} in {u} if True]", f"[{u}[0], {s}, {u}[1]]",
                  f"[np.sin({t}) for {t} in {u}]", f"({t} * {s} for {t} in {u})"])
    red = g.pick(["np.sum", "np.mean", "np.prod", "sum", "np.max", "np.min", "np.linalg.norm",
                  "math.fsum"])
    if lst.startswith("(") and red.startswith("np."):
        lst = "[" + lst[1:-1] + "]"
    return [], f"{red}({lst})"


@K("containers")
def co_append(g, u, s):
    lst, t = g.name("lst"), g.name("t")
    red = g.pick([f"np.sum({lst})", f"np.array({lst}) @ {g.wts()}",
                  f"np.sum(np.asarray({lst}) * {u})",
                  f"sum({lst})", f"np.dot({lst}, {u})", f"np.stack({lst}) @ {u}"])
    return [f"{lst} = []", f"for {t} in {u}:", f"    {lst}.append({t} * {s} + {g.c()})"], red


@K("containers")
def co_list_to_numpy(g, u, s):
    return [], g.pick([
        f"np.dot([{s}, {u}[0], {u}[1]], {u}[:3])",
        f"np.sum(np.sin([{s}, {u}[{g.i()}]]))",
        f"np.linalg.norm([{s}, {u}[{g.i()}], 1.0])",
        f"np.sum(np.exp([{s} * 0.5, {u}[{g.i()}]]) * [1.0, {g.c()}])",
        f"np.sum(np.multiply([{s}, {s}], [{u}[0], {u}[1]]))",
        f"np.mean(np.array([[{s}, {u}[0]], [{u}[1], {s}]]) @ [{g.c()}, {g.c()}])",
        f"np.sum(np.maximum([{s}, {u}[0]], -5.0))",
        f"np.sum(np.stack([{u}, {u} * {s}]) * {g.c()})",
        f"np.sum(np.concatenate([[{s}], {u}]) ** 2)",
    ])


@K("containers")
def co_dict(g, u, s):
    d = g.name("d")
    lines = [f'{d} = {{"a": {s}, "b": {u}[{g.i()}] ** 2, "c": np.sum({u})}}']
    op = g.pick([None, f'{d}["a"] = {d}["a"] * {s}', f'{d}.update({{"b": {s} * {g.c()}}})',
                 f'{d}.setdefault("e", {u}[{g.i()}])', f'{d}["e"] = {d}.pop("b")'])
    if op:
        lines.append(op)
    read = g.pick([f"sum({d}.values())", f'{d}.get("a", {s})', f'{d}.get("z", {u}[{g.i()}])',
                   f'{d}.get("b", {u}) * {s}', f"np.sum(list({d}.values()))",
                   f"sum(v * v for v in {d}.values())",
                   f"sum({d}[k] for k in {d})", f"sum(v for _, v in {d}.items())"])
    if "get(\"b\"" in read and op and "pop" in op:
        read = f"np.sum({read})"
    return lines, read


@K("containers")
def co_convert(g, u, s):
    t = g.name("t")
    conv = g.pick([f"{u}.tolist()", f"list({u})", f"tuple({u})", f"[*{u}]",
                   f"[float(e) for e in {u}]", f"[e.item() for e in {u}]",
                   f"list(map(float, {u}))", f"{u}.copy()", f"np.array({u}.tolist())",
                   f"{u}.astype(np.float64)", f"list(np.float64(e) for e in {u})"])
    read = g.pick([f"{t}[0] * {t}[1] + sum({t})", f"sum({t}) * {s}", f"{t}[-1] ** 2 * {s}",
                   f"np.sum(np.array({t}) * {u})", f"float({u}[{g.i()}]) * {s}",
                   f"{u}[{g.i()}].item() * {s} + {t}[0]", f"float(np.sum({t})) * {s}"])
    return [f"{t} = {conv}"], read


@K("containers")
def co_index_tricks(g, u, s):
    return [], g.pick([
        f"np.sum(np.r_[{u}, {u}] * {g.wts(2 * g.n)})",
        f"np.sum(np.r_[{s}, {u}] ** 2)",
        f"np.sum(np.r_[{u}[:2], {s}, 1.0] * {g.wts(4)})",
        f"np.sum(np.c_[{u}, {u} * {s}] * {g.c()})",
        f"np.sum(np.c_[{u}, {u} ** 2] @ np.array([{g.c()}, {g.c()}]))",
        f"np.sum(np.column_stack([{u}, {u} * {s}]) ** 2)",
        f"np.sum(np.hstack([{u}, [{s}]]) ** 2)",
        f"np.sum(np.block([{u}, {u} * {s}]) * {g.c()})",
    ])


@K("containers")
def co_linspace(g, u, s):
    t = g.name("t")
    make = g.pick([f"np.linspace({s}, {u}[{g.i()}], {g.n})", f"np.linspace(0.0, {s}, {g.n})",
                   f"np.linspace({s}, 2.0, {g.n}, endpoint=False)", f"np.full({g.n}, {s})",
                   f"np.full_like({u}, {s})", f"np.ones({g.n}) * {s}",
                   f"np.repeat({u}[:2], 2)[:{g.n}]", f"np.tile([{s}, {u}[0]], 2)[:{g.n}]",
                   f"np.linspace({u}[0], {u}[1], {g.n}) * {s}"])
    return [f"{t} = {make}"], f"np.sum({t} * {u})"


@K("containers")
def co_list_methods(g, u, s):
    lst = g.name("lst")
    op = g.pick([f"{lst}.reverse()", f"{lst}.remove({lst}[1])", f"{lst}.sort()",
                 f"{lst}.pop(0)", f"{lst}.insert(1, {s} * {g.c()})", f"{lst} = sorted({lst})",
                 f"{lst} = list(reversed({lst}))", f"{lst} = {lst}[::-1]",
                 f"{lst}.sort(reverse=True)", f"{lst}.extend({lst})"])
    ws = [float(c.strip("()")) for c in (g.c(), g.c(), g.c())]
    read = g.pick([f"{lst}[0] * {g.c()} + {lst}[1]",
                   f"sum(w * e for w, e in zip({ws}, {lst}))",
                   f"np.dot({lst}[:2], [{g.c()}, {g.c()}])"])
    return [f"{lst} = [{u}[0] * {s}, {u}[1] ** 2, np.sin({u}[2])]", op], read


@K("containers")
def co_concat(g, u, s):
    t = g.name("t")
    make = g.pick([f"[{u}[0]] + [{s}] * 2", f"[{s}, {u}[1]] * 2", f"({s}, {u}[0]) + ({u}[1],)",
                   f"({s},) * 3", f"[{u}[0]] + list({u}[1:])", f"list(({s}, {u}[0])) + [{s}]"])
    lines = [f"{t} = {make}"]
    if g.coin():
        lines.append(f"{t} += [{s} * {g.c()}]" if make.startswith("[") or "list(" in make
                     else f"{t} += ({s} * {g.c()},)")
    read = g.pick([f"sum({t})", f"{t}[0] * {t}[-1]",
                   f"sum(e * e for e in {t})", f"np.prod({t})"])
    return lines, read


@K("containers")
def co_string(g, u, s):
    g.expect = "must_refuse"  # (through a string: the issue requires a refusal)
    return [], g.pick([f'float(f"{{{s}}}")', f"float(str({s}))", f"float(str({u}[{g.i()}]))",
                       f'float("%r" % {s})', f"float(format({s}))",
                       f'float(f"{{{u}[{g.i()}]}}") * {s}'])


# =======================================================================================
# family 4: values that vanish (complex, *args, tuple wrt)
# =======================================================================================

@K("vanish")
def va_complex(g, u, s):
    z = g.name("z")
    mk = g.pick([f"{u}[0] + 1j * {u}[1]", f"complex({s}, {u}[{g.i()}])",
                 f"np.exp(1j * {s})", f"{u} * (1.0 + 1j * {s})", f"np.fft.fft({u})",
                 f"{u}.astype(complex) * {s}", f"{s} * 1j + {u}[{g.i()}]"])
    read = g.pick([f"np.sum(np.abs({z}) ** 2)", f"np.sum(np.real({z} * {z}))",
                   f"np.sum(({z} * np.conj({z})).real)", f"np.sum(np.imag({z} * {z}))",
                   f"np.sum({z}.real) + np.sum({z}.imag) * {s}",
                   f"np.sum(np.real(np.exp({z} * 0.5)))"])
    return [f"{z} = {mk}"], read


def _vanish_program(draw):
    g = G(draw, "vanish")
    n = g.n
    x, s = "x", "s"
    style = g.pick(["complex", "complex_out", "args_jvp", "args_grad", "hessian2",
                    "jacobian2", "hessian", "jacobian", "vjp", "value_and_grad", "jvp"])
    g.tags.append(f"vanish:{style}")
    body, ret = [], None
    if style in ("complex",):
        lines, e = va_complex(g, x, s)
        body += lines
        ret = e
    elif style == "complex_out":
        g.expect = "must_refuse"  # grad of a complex output
        ret = g.pick([f"np.sum({x}) * 1j + {s}", f"complex({s}, {x}[0])",
                      f"np.sum(np.exp(1j * {x}))", f"({x}[0] + 1j * {s}) ** 2"])
    else:
        k1 = g.pick(KERNELS["arith"])
        lines, e = k1(g, x, s)
        body += lines
        ret = f"{e} + np.sum(np.sin({x}) * {s}) * {g.c()}"
    if style in ("args_jvp", "args_grad"):
        g.signature = "*args"
        g.prelude = [g.pick([f"{x}, {s} = args", f"{x} = args[0]\n{s} = args[1]",
                             f"{x}, {s} = args[:2]"])]
        g.mode = "jvp" if style == "args_jvp" else "grad"
    elif style in ("hessian2", "hessian", "vjp", "value_and_grad", "jvp"):
        g.mode = style
    elif style in ("jacobian", "jacobian2"):
        g.mode = style
        ret = g.pick([f"np.sin({x}) * {s} + {x}[0] * {x}", f"np.tanh({x} * {s}) * ({ret})",
                      f"np.array([{s} * {x}[0], {x}[1] ** 2, {s} ** 2])",
                      f"{x}[:2] * {s} ** 2 + np.cos({x}[1:3])"])
    g.tags.append(pattern(f"vanish:{style}", body + [f"return {ret}"]))
    return g, body, ret, n


# =======================================================================================
# family 7: internal crashes
# =======================================================================================

@K("crashes")
def cr_builtin_sum(g, u, s):
    return [], g.pick([f"sum({u} * 2.0)", f"sum({u})", f"sum({u} ** 2, {s})",
                       f"sum(np.stack([{u}, {u} * {s}]))[0]", f"sum([{u}, {u} * {s}])[1]",
                       f"sum({u}[i] * {s} for i in range({g.n}))", f"sum(np.sin({u}), 1.0) * {s}"])


@K("crashes")
def cr_builtin_maxmin(g, u, s):
    return [], g.pick([f"max({u})", f"min({u}) * {s}", f"max({u} * {s})",
                       f"max({u}[0], {u}[1], {s})", f"min({s}, {u}[0], {u}[1], {u}[2])",
                       f"max([{s}, {u}[0] * 2.0])", f"max({s}, 3.0)", f"min({s} ** 2, -1.0)",
                       f"max(np.sin({u}))", f"max(e * {s} for e in {u})"])


@K("crashes")
def cr_initial(g, u, s):
    return [], g.pick([f"np.max({u}, initial=-5.0)", f"np.max({u} * {s}, initial=0.0)",
                       f"np.min({u}, initial=5.0) * {s}", f"np.sum({u}, initial=1.0) * {s}",
                       f"np.prod({u}, initial=2.0)", f"np.amax({u}, axis=0, initial=-9.0)",
                       f"np.sum({u} * {s}, where={g.mask()})",
                       f"np.max({u}, where={g.mask()}, initial=-9.0)",
                       f"{u}.max(initial=-9.0) * {s}", f"{u}.sum(where={g.mask()})"])


@K("crashes")
def cr_flat(g, u, s):
    if g.coin():
        y, pre = g.buf(u)
        return pre + [f"{y}.flat[{g.i()}] = {s}"], g.out(y, u, s)
    return [], g.pick([f"{u}.flat[0]", f"{u}.flat[{g.i()}] * {s}", f"np.sum({u}.flat[1:3])",
                       f"sum(e for e in {u}.flat)", f"np.outer({u}, {u}).flat[{g.i()}]"])


@K("crashes")
def cr_row_broadcast(g, u, s):
    h, t = g.name("h"), g.name("t")
    rhs = g.pick([f"{u}[{t}]", s, f"{u}[{t}] * {s}", f"np.sin({u}[{t}])"])
    op = g.pick(["=", "+=", "*="])
    tgt = g.pick([f"{h}[{t}]", f"{h}[{t}, :]", f"{h}[{t}, 1:]"])
    init = "np.ones" if op == "*=" else "np.zeros"
    return [f"{h} = {init}(({g.n}, 3))", f"for {t} in range({g.n}):", f"    {tgt} {op} {rhs}"], \
        f"np.sum({h} * np.arange(1.0, {3 * g.n + 1}.0).reshape({g.n}, 3))"


@K("crashes")
def cr_pow_zero(g, u, s):
    z = g.name("z")
    mk = g.pick([f"{u} * 0.0", f"{u} - {u}", f"np.zeros({g.n}) * {s}", f"{s} - {s}",
                 f"0.0 * {s}"])
    p = g.pick(["0.0", "0", "1.0", "2.0", "2", "1"])
    read = g.pick([f"np.sum({z} ** {p} * {u})", f"np.sum(np.power({z}, {p})) * {s}",
                   f"np.sum(({z} + {s}) ** {p})", f"np.sum({z} ** {p}) + {s}"])
    return [f"{z} = {mk}"], read


@K("crashes")
def cr_sqrt_zero(g, u, s):
    e = g.pick([f"math.sqrt(0.0) * {s}", f"np.sqrt(0.0) + {s}",
                       f"math.sqrt({s} * 0.0) + {s}",
                       f"np.sum(np.sqrt({u} * 0.0) + {u})", f"math.sqrt({s} ** 2 + 1.0)",
                       f"np.sum(np.sqrt({u} ** 2 + 0.5))", f"math.log(1.0) + {s}",
                       f"math.pow({s}, 2) + math.pow({u}[0], 3.0)", f"math.hypot({s}, 1.0)",
                       f"np.sum(np.abs({u} * 0.0)) + {s}"])
    if "sqrt" in e and "* 0.0)" in e and g.expect == "any":
        # sqrt at 0 of a differentiated value: inf * 0 = nan, what autograd and JAX give
        # (docs/design.md); the harness accepts nan/inf entries there, the rest must match
        g.expect = "ill_defined"
    return [], e


@K("crashes")
def cr_misc(g, u, s):
    return [], g.pick([f"len({u}) * {s}", f"{u}.shape[0] * {s} + {u}[0]", f"np.size({u}) * {s}",
                       f"{u}.mean() * {s}", f"np.sum({u}.T * {u})", f"{u}.conj() @ {u}",
                       f"np.sum({u}.real ** 2)", f"float(np.float32(2.0)) * {s}",
                       f"{u}.dot({u}) * {s}", f"np.sum(divmod({s}, 3.0)[1] * {u})",
                       f"abs({s} - 5.0) * {u}[0]", f"np.sum(np.round({u}, 3) * 0.0 + {u})"])


# =======================================================================================
# assembly
# =======================================================================================

def pattern(name, lines, expr=None):
    """``name: statements [-> expression]`` with generated names, weights and numbers
    blanked (a key that groups failures); the expression only for expression kernels."""
    text = "; ".join(ln.strip() for ln in lines)
    if expr is not None and not lines:
        text = "-> " + expr
    text = re.sub(r"np\.array\(\[[^\]]*\]\)", "W", text)
    text = re.sub(r"\b([A-Za-z_]+?)\d+\b", r"\1", text)
    text = re.sub(r"(?<![\w.])-?\d+(\.\d+)?", "c", text)
    text = text.replace("(-c)", "c").replace("(c)", "c")
    return f"{name}: {text}"


FAMILIES = ("objects", "mutation", "containers", "vanish", "crashes", "caller_data")
#: families a quarter of whose programs are differentiated by ``jvp`` (the others by
#: ``grad``; ``vanish`` draws its own modes)
FORWARD_TOO = ("containers", "crashes")


def _indent(lines, k=1):
    out = []
    for ln in lines:
        for part in ln.split("\n"):
            out.append("    " * k + part)
    return out


def _module(g, body, ret):
    params = g.signature or ("x, s, A" if g.need_A else "x, s")
    if g.extra_params:
        params += ", " + ", ".join(g.extra_params)
    head = ["import math", "", "import numpy as np"] + sorted(g.imports)
    parts = ["\n".join(head)]
    parts += list(g.defs)
    parts.append("\n".join([f"def f({params}):"] + _indent(g.prelude + body + [f"return {ret}"])))
    return "\n\n\n".join(parts) + "\n"


@st.composite
def family_programs(draw, family):
    """One program of ``family`` (see ``FAMILIES``)."""
    if family == "vanish":
        g, body, ret, n = _vanish_program(draw)
    else:
        g = G(draw, family)
        n = g.n
        body = []
        # the vector the kernels work on: the parameter itself or a transformed copy
        if family == "caller_data" or g.int(0, 2) == 0:
            u = "x"
        else:
            u = "u"
            body.append("u = " + g.pick([f"x * {g.c()} + s", "np.sin(x) + 0.5 * s",
                                         "np.tanh(x * s)", "x * s", "x + 0.0"]))
        terms = []
        nk = g.int(1, 2)
        for _ in range(nk):
            pool = KERNELS[family] if (not terms or g.int(0, 2)) else KERNELS["arith"]
            kern = g.pick(pool)
            g.tags.append(kern.__name__)
            lines, expr = kern(g, u, "s")
            if pool is KERNELS[family]:
                g.tags.append(pattern(kern.__name__, lines, expr))
            wrap = g.int(0, 5)
            r = g.name("r")
            if wrap == 0:  # repeat the kernel in a loop
                it = g.name("it")
                body += [f"{r} = 0.0", f"for {it} in range({g.int(1, 2)}):"]
                body += _indent(lines + [f"{r} = {r} + {expr}"])
            elif wrap == 1:  # a branch on data around the kernel
                body += [f"if x[{g.i()}] > {g.th()}:"] + _indent(lines + [f"{r} = {expr}"])
                body += ["else:", f"    {r} = s * {g.c()}"]
            else:
                body += lines + [f"{r} = {expr}"]
                if wrap == 2:
                    body += [f"if {r} > {g.th()}:", f"    {r} = {r} * {g.c()}"]
            terms.append(r)
        ret = terms[0] if len(terms) == 1 else g.pick(
            [f"{terms[0]} + {g.c()} * {terms[1]}", f"{terms[0]} * np.cos({terms[1]})",
             f"np.tanh({terms[0]}) + {terms[1]}"])
        if family == "objects" and g.int(0, 4) == 0:
            # differentiate a bound method itself
            g.defs = [d for d in g.defs]
            nets = [d.split("\n")[-1].split(" = ")[0] for d in g.defs if "\nNET" in d]
            if nets:
                g.target = f"{nets[0]}.loss"
                g.tags.append("obj:bound_method")
        if family in FORWARD_TOO and g.int(0, 3) == 0:
            g.mode = "jvp"  # forward mode too: its refusals and tangents are held alike
            g.tags.append("mode:jvp")
    src = _module(g, body, ret)
    params = [("x", (n,)), ("s", ())]
    if g.need_A:
        params.append(("A", (2, n)))
    return Program(family, src, tuple(params), tuple(g.tags), g.mode, g.target, g.expect)


def all_programs():
    """A program of any family."""
    return st.sampled_from(FAMILIES).flatmap(family_programs)
