"""Reverse mode, assembled: a normalized function -> the generated function trees.

``reverse`` runs, in order: the adjoint sweep (``adjoint.Reverse``), what it reads
(``needed``), the forward sweep with its pushes (``stack.ForwardSweep``), the markers
turned into pops and the gradients' return, giving ``Sweeps``; after the optimizations,
``functions`` builds the joint function ``f_grad(*params)`` (or, for callees,
``f_fwd(*params) -> (value, record)`` and ``f_bwd(g, record)``).

>>> import ast_ad
>>> def f(x):
...     return x * x
>>> print(ast_ad.source(ast_ad.grad(f)).splitlines()[0])
def f_grad(x):
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import gast
import numpy as np

from ... import runtime as R
from ...backends.arrays import no_foreign_arrays  # eng15
from ...codegen.render import mark_lines
from ...ir import anno
from ...ir import nodes as N
from ...ir.lattice import Shape
from ...ir.walk import nodes, nodes_of, statements
from ...rules import helpers as H
from ...signature import match
from .. import optimize
from ..analysis.calls import FULL_REDUCTIONS
from ..analysis.shapes import elementwise_of
from ..views import check_views, restored_for_views
from . import elements as E
from .adjoint import Reverse
from .control import PUSH, RESTORE, State
from .stack import (
    ForwardSweep,
    add_counters,
    finalize_markers,
    insert_recomputed,
    needed_names,
    recomputed,
)


@dataclass(frozen=True)
class Sweeps:
    """One transformation's code before its functions are built: ``head`` (copies, the
    stack), the forward sweep ``fwd`` and the derivative part ``tail`` that the
    optimizations rewrite with ``options`` (and, for gradients without the value, the
    forward assignments nobody reads are dropped: ``dead_forward``)."""

    kind: str  # joint | split | forward
    tree: Any  # the normalized FunctionDef (its name and parameters)
    name: str
    head: list
    fwd: list
    tail: list
    options: Any
    guards: tuple  # (globals dict, name, object) of differentiated global helpers
    dead_forward: bool = False
    bwd_head: list = None
    bwd_params: tuple = ()
    tangent_names: dict = None  # forward mode: parameter -> tangent parameter name


def reverse(unit, facts, request):
    mode, with_value = request.mode, request.with_value
    namer, ref = unit.namer, unit.ref
    body = list(unit.tree.body)
    out_atom = body.pop().value  # the final return (normalize guarantees one)
    add_counters(body, namer)
    rev = Reverse(unit, facts)
    rev.in_place = no_foreign_arrays(request.arg_kinds)  # eng15
    state = State()
    seed = []
    out_name = out_atom.id if isinstance(out_atom, gast.Name) else None
    g_out = namer.fresh("g_out") if mode == "split" else None
    if out_name is not None and out_name in facts.active:
        b_out = rev.b(out_name)
        if mode == "joint" and _scalar_output(unit, facts, out_name):
            if out_name not in facts.real:
                # it might be complex (a reduction, or a float's `** 0.5`): checked; a
                # surely real one needs no check (nor then its unread value computed)
                seed.append(N.expr_stmt(N.call(ref(R.check_real), [out_atom])))
            seed.append(N.assign(b_out, N.const(1.0)))  # a float output: no check
        elif mode == "joint":
            seed.append(N.assign(b_out, N.call(ref(R.seed), [out_atom])))
        else:
            seed.append(N.assign(b_out, N.name(g_out)))
        state.live.add(out_name)
    elif mode == "joint":  # the output does not depend on wrt: still check its kind
        seed.append(N.expr_stmt(N.call(ref(R.check_output), [out_atom])))
    if with_value and mode == "joint" and isinstance(out_atom, gast.Name):
        value_name = namer.fresh("value")
        seed.insert(0, N.assign(value_name, out_atom))
        out_atom = N.name(value_name)
    if mode in ("joint", "split") and rev.in_place:
        rev.buffers = E.element_buffers(facts, body)
        rev.lists = E.plain_lists(body, rev.facts.resolver)
        for p in sorted(rev.buffers):  # one adjoint buffer per call, owned by this code
            if p in state.live:  # the output itself (`return v`): a buffer holding g_out
                seed.append(N.assign(rev.b(p), N.call(ref(R.own_grad), [
                    N.name(rev.b(p)), N.name(p)])))
                state.owned.add(p)
                continue
            zeros = N.call(ref(np.zeros_like, "zeros_like"), [N.name(p)])
            if mode == "split":  # once per call of a helper: np.zeros_like costs 1 us more
                spec = facts.elements.arrays.get(p)  # (a float64 one: np.zeros' default)
                zeros = N.call(ref(np.zeros, "zeros"), [gast.Attribute(
                    value=N.name(p), attr=a, ctx=gast.Load()) for a in ("shape", "dtype")
                    if a == "shape" or spec is None or spec[1] != np.float64])
            seed.append(N.assign(rev.b(p), zeros))
            state.live.add(p)
            state.owned.add(p)
    rev_code = rev.block(body, state)
    locals_ = set(unit.params) | N.stored_names(body) | {
        c.name for c in (anno.get(s, anno.Counter) for s, _ in statements(body)) if c} | {
        u.rec for u in (anno.get(s, anno.UserCall) for s, _ in statements(body)) if u}
    needed = needed_names(rev_code, locals_)
    floats = facts.pyfloat | {n for n, (nd, dt) in facts.elements.arrays.items()
                              if nd == 0 and dt == np.float64}
    recompute = {t: lv for t, lv in recomputed(body, facts.elements.ints, floats).items()
                 if t in needed}
    if recompute:  # index arithmetic recomputed in the reversed loop, never pushed
        rev_code = insert_recomputed(rev_code, recompute)
        needed = needed_names(rev_code, locals_) - set(recompute)
    needed = needed | set(rev.buffers or ())  # the buffers are made like their parameter
    needed |= restored_for_views(body, needed, facts.resolver)  # views of written arrays
    push, pop = namer.fresh("_push"), namer.fresh("_pop")
    stack = namer.fresh("_stack")
    shape_only = _shape_only_names(unit, facts, rev_code, needed) if mode == "joint" \
        else frozenset()
    fs = ForwardSweep(facts, needed, push, ref, shape_only)
    fwd = fs.block(body)
    plan = fs.plan()
    rev_code = finalize_markers(rev_code, plan, pop, ref)
    grads = [_grad_expr(unit, facts, request, p, rev, state) for p in request.wrt]
    head = _param_copies(unit, facts, body) + [
        N.assign(v, N.const(None)) for v in sorted(plan.pushed - set(unit.params))]
    uses_stack = _mentions(fwd, push)
    if uses_stack:
        head += [N.assign(stack, gast.List(elts=[], ctx=gast.Load())),
                 N.assign(push, gast.Attribute(value=N.name(stack), attr="append",
                                               ctx=gast.Load()))]
    pop_bind = [N.assign(pop, gast.Attribute(value=N.name(stack), attr="pop",
                                             ctx=gast.Load()))] if uses_stack else []
    names = frozenset(set(rev.adj.values()) | {
        n for n in namer.generated if n.startswith(("_g", "_a"))})
    tree = unit.tree
    if mode == "joint":
        ret = grads[0] if request.single else gast.Tuple(elts=grads, ctx=gast.Load())
        if with_value and request.aux:  # ((value, aux), g), as JAX
            ret = gast.Tuple(elts=[gast.Tuple(elts=[out_atom, N.name(request.aux)],
                                              ctx=gast.Load()), ret], ctx=gast.Load())
        elif with_value:
            ret = gast.Tuple(elts=[out_atom, ret], ctx=gast.Load())
        elif request.aux:  # (g, aux)
            ret = gast.Tuple(elts=[ret, N.name(request.aux)], ctx=gast.Load())
        suffix = "_value_and_grad" if with_value else "_grad"
        return Sweeps("joint", tree, tree.name + suffix, head, list(fwd),
                      pop_bind + seed + rev_code + [gast.Return(value=ret)],
                      _joint_options(unit, facts, rev, names),
                      tuple(rev.guards) + tuple(unit.namer.guards),
                      dead_forward=not with_value and not request.aux)
    # split: fwd returns (value, record); bwd(g, record) returns the adjoints
    saved = sorted(needed)
    rec = gast.Tuple(elts=[N.name(stack) if uses_stack else N.const(None)] +
                     [N.name(v) for v in saved], ctx=gast.Load())
    inited = {st.targets[0].id for st in head if isinstance(st, gast.Assign)
              and isinstance(st.targets[0], gast.Name)}
    pre_init = [N.assign(v, N.const(None)) for v in saved
                if v not in unit.params and v not in inited]
    record = namer.fresh("_record")
    unpack = gast.Assign(targets=[gast.Tuple(elts=[N.store(stack)] + [
        N.store(v) for v in saved], ctx=gast.Store())], value=N.name(record), type_comment=None)
    return Sweeps("split", tree, tree.name, pre_init + head, list(fwd) + [
        gast.Return(value=gast.Tuple(elts=[out_atom, rec], ctx=gast.Load()))],
        seed + rev_code + [gast.Return(value=gast.Tuple(elts=grads, ctx=gast.Load()))],
        _split_options(unit, facts, rev, names),
        tuple(rev.guards) + tuple(unit.namer.guards),
        bwd_head=[unpack] + _rerunnable(unit, saved, uses_stack, stack) + pop_bind,
        bwd_params=(g_out, record))


def _rerunnable(unit, saved, uses_stack, stack):
    """``bwd`` may run again on the same record (``vjp_fn`` twice, reverse Jacobians): it
    pops a copy of the stack and restores writes into copies of the record's arrays."""
    written = {st.targets[0].value.id for st, _ in statements(unit.tree.body)
               if isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Subscript)}
    out = [N.assign(stack, N.call(unit.ref(list, "list"), [N.name(stack)]))] \
        if uses_stack else []
    return out + [N.assign(v, N.call(unit.ref(H.copy, "copy"), [N.name(v)]))
                  for v in saved if v in written]


def functions(sw):
    """The generated function trees of optimized sweeps."""
    if sw.kind == "joint":
        return [function_def(sw.tree, sw.name, sw.head + sw.fwd + mark_lines(sw.tail),
                             flat=True)]
    if sw.kind == "forward":
        fdef = function_def(sw.tree, sw.name, mark_lines(sw.tail))
        for p in sw.tangent_names or {}:
            fdef.args.kwonlyargs.append(N.name(sw.tangent_names[p], gast.Param()))
            fdef.args.kw_defaults.append(None)
        return [fdef]
    fwd_def = function_def(sw.tree, sw.name + "_fwd", sw.head + sw.fwd)
    args = gast.arguments(args=[N.name(p, gast.Param()) for p in sw.bwd_params],
                          posonlyargs=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                          kwarg=None, defaults=[])
    bwd_def = gast.FunctionDef(name=sw.name + "_bwd", args=args,
                               body=sw.bwd_head + mark_lines(sw.tail), decorator_list=[],
                               returns=None, type_comment=None, type_params=[])
    return [fwd_def, bwd_def]


def function_def(tree, name, body, flat=False):
    """A def with the user's parameters (``flat``: every parameter positional)."""
    pos = [N.name(a.id, gast.Param()) for a in tree.args.posonlyargs + tree.args.args]
    kwo = [N.name(a.id, gast.Param()) for a in tree.args.kwonlyargs]
    if flat:  # *args/**kwargs (joint mode): plain parameters in the signature's order
        var = [N.name(a.id, gast.Param()) for a in (tree.args.vararg,) if a is not None]
        kw = [N.name(a.id, gast.Param()) for a in (tree.args.kwarg,) if a is not None]
        pos, kwo = pos + var + kwo + kw, []
    args = gast.arguments(args=pos, posonlyargs=[], vararg=None, kwonlyargs=kwo,
                          kw_defaults=[None] * len(kwo), kwarg=None, defaults=[])
    return gast.FunctionDef(name=name, args=args, body=body, decorator_list=[], returns=None,
                            type_comment=None, type_params=[])


def _joint_options(unit, facts, rev, names):
    shape_args, rep_of = shape_reps(unit, facts)
    in_place = frozenset(st.targets[0].value.id for st, _ in statements(unit.tree.body)
                         if isinstance(st, gast.Assign)
                         and isinstance(st.targets[0], gast.Subscript))
    opts = _split_options(unit, facts, rev, names)
    return replace(opts, fold_ones=True, immutable=facts.all_pyfloat, in_place=in_place,
                   floats=facts.pyfloat, shape_args=shape_args, rep_of=rep_of,
                   extra={**opts.extra, "pure": lambda v: facts.resolver.pure_value(v)
                          and not _may_raise(v, facts)})


def _split_options(unit, facts, rev, names):
    """The rewrites of cotangents only (a full reduction's cotangent kept a scalar): they
    read no primal name the record does not hold already, so they serve a callee's
    ``bwd`` as well (its seed ``g_out`` comes from generated code: never larger than the
    output).  Joint code adds those that change which primal names are read."""
    primal_of = {b: p for p, b in rev.adj.items()}
    return optimize.Options(
        names=names,
        unreduce=unit.ref(H.unreduce, "unreduce"),
        shape_of=lambda name: facts.shape(primal_of.get(name, name)),
        same_shape=lambda a, o, derived=elementwise_of(unit.tree.body, facts):
            derived.get(a) == o,
        extra={"pure_value": facts.resolver.pure_value,
               "is_zero": N.key(unit.ref(R.is_zero)),
               "ieee": {N.key(unit.ref(H.fpow, "fpow")): "pow",
                        N.key(unit.ref(H.fdiv, "fdiv")): "div",
                        N.key(unit.ref(H.unseeded_zero, "unseeded_zero")): "seeded"}})


_RAISING_OPS = (gast.Div, gast.FloorDiv, gast.Mod, gast.Pow)


def _number(e):
    if isinstance(e, gast.UnaryOp) and isinstance(e.op, (gast.USub, gast.UAdd)):
        e = e.operand
    return isinstance(e, gast.Constant) and type(e.value) in (int, float, complex)


def _int_constant(e):
    """The value of an int constant expression (``3 - 1``), else None."""
    import operator

    if isinstance(e, gast.Constant):
        return e.value if type(e.value) is int else None
    if isinstance(e, gast.UnaryOp) and isinstance(e.op, gast.USub):
        v = _int_constant(e.operand)
        return None if v is None else -v
    ops = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul}
    if isinstance(e, gast.BinOp) and type(e.op) in ops:
        a, b = _int_constant(e.left), _int_constant(e.right)
        return None if a is None or b is None else ops[type(e.op)](a, b)
    return None


def _may_raise(v, facts):
    """A forward value kept although nobody reads it: it may raise where the function does
    (``math.log(x)`` at ``x <= 0``, ``1.0 / x`` at 0 on Python numbers), and a gradient at
    a point where the function raises must raise as well, never give a number.  Dropped
    still: ``math`` functions defined on every finite float (``math.sin``), and ``x ** k``
    for an int ``k >= 0`` (it can only overflow, past 1e154)."""
    if isinstance(v, gast.Call):
        obj = facts.resolver.callable(v.func)
        return facts.resolver.is_math(obj) and not _total_on_finite(obj)
    if isinstance(v, gast.BinOp) and isinstance(v.op, _RAISING_OPS):
        k = _int_constant(v.right)
        if isinstance(v.op, gast.Pow) and k is not None and k >= 0:
            return False
        return all(_number(e) or (isinstance(e, gast.Name) and (
            e.id in facts.pyfloat or facts.shape(e.id) == Shape.SCALAR))
                   for e in (v.left, v.right))
    return False


_PROBES = (-1e308, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 1e308)
_TOTAL: dict = {}


def _total_on_finite(fn):
    """True when the math function ``fn`` of one or two arguments raised on none of a few
    finite floats (0, +-1, +-2, +-1e308...): sin, atan, erf, hypot yes; log, sqrt, exp,
    acos, pow, fmod no.  Computed once per function."""
    if fn not in _TOTAL:
        import itertools
        import math

        ok = fn in vars(math).values()
        for n in (1, 2):
            try:
                for args in itertools.product(_PROBES, repeat=n):
                    fn(*args)
                break
            except TypeError:
                continue
            except (ArithmeticError, ValueError):
                ok = False
                break
        _TOTAL[fn] = ok
    return _TOTAL[fn]


def shape_reps(unit, facts):
    """(shape-only argument positions of helpers, representative name of a shape class)."""
    def d(obj, hint):
        return N.key(unit.ref(obj, hint))

    shape_args = {d(H.unbroadcast, "unbroadcast"): (1,), d(H.unreduce, "unreduce"): (1,),
                  d(H.broadcast_like, "broadcast_like"): (1,),
                  d(H.count_reduced, "count_reduced"): (0,), d(np.size, "size"): (0,),
                  d(np.shape, "shape"): (0,)}
    return shape_args, lambda name: facts.shape(name).rep


def _shape_only_names(unit, facts, rev_code, needed):
    """Needed names that the adjoint reads only for their shape (pushed as tokens)."""
    shape_args, _ = shape_reps(unit, facts)
    shape_uses, loads, markers = set(), {}, set()
    # (depth-first: a marker comes before the nodes inside it)
    for n in nodes_of(rev_code, (gast.Call, gast.Name)):
        if n in markers:
            continue
        if isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and \
                n.func.id in (PUSH, RESTORE):
            markers.update(nodes(n))
            continue
        if isinstance(n, gast.Call):
            for k in shape_args.get(N.key(n.func), ()):
                if k < len(n.args) and isinstance(n.args[k], gast.Name):
                    shape_uses.add(n.args[k])
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load):
            loads.setdefault(n.id, []).append(n)
    written = {st.targets[0].value.id for st, _ in statements(unit.tree.body)
               if isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Subscript)}
    return frozenset(v for v in needed if v in loads and v not in written
                     and all(n in shape_uses for n in loads[v]))


def _scalar_output(unit, facts, name):
    """True if ``name`` is surely a scalar: a float, or a full reduction."""
    if name in facts.pyfloat or facts.shape(name).tag == "scalar":
        return True
    defs = [s.value for s, _ in statements(unit.tree.body) if isinstance(s, gast.Assign)
            and isinstance(s.targets[0], gast.Name) and s.targets[0].id == name]
    if len(defs) != 1 or not isinstance(defs[0], gast.Call):
        return False
    v = defs[0]
    return facts.callable(v.func) in FULL_REDUCTIONS and len(v.args) == 1 and all(
        k.arg == "dtype" for k in v.keywords)


def _grad_expr(unit, facts, request, p, rev, state):
    """The returned gradient of parameter p, shaped like its argument."""
    ref = unit.ref
    t = request.arg_kinds.get(p)
    if request.mode == "split":
        return N.name(rev.b(p)) if p in state.live else N.const(0.0)
    if p not in state.live:
        return N.call(ref(R.zeros_grad), [N.name(p)])
    bp = N.name(rev.b(p))
    if (t is float or t is np.float64) and facts.all_pyfloat:
        return bp  # every differentiated value is a Python/NumPy float
    if t is float or t is np.float64:
        # a float for a float (float32 arrays met on the way would leave np.float32)
        return gast.IfExp(test=gast.Compare(left=N.call(ref(type, "type"), [bp]),
                                            ops=[gast.Is()], comparators=[ref(float, "float")]),
                          body=bp, orelse=N.call(ref(R.as_float), [bp]))
    if t is int or t is bool:
        return N.call(ref(float, "float"), [bp])
    if t is np.ndarray:
        return N.call(ref(R.fix_array), [bp, N.name(p)])
    return N.call(ref(match), [bp, N.name(p)])


def _param_copies(unit, facts, body):
    """Parameters written in place are copied first (the caller's data stays intact)."""
    written = set()
    for s, _ in statements(body):
        if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Subscript):
            written.add(s.targets[0].value.id)
        if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and \
                isinstance(s.value.func, gast.Attribute) and \
                isinstance(s.value.func.value, gast.Name) and \
                s.value.func.attr in ("append", "pop", "extend", "insert"):
            written.add(s.value.func.value.id)
    out = [N.assign(p, N.call(unit.ref(H.copy, "copy"), [N.name(p)]))
           for p in unit.params if p in written]
    check_views(body, written, unit, facts)
    return out


def _mentions(stmts, name):
    return any(isinstance(n, gast.Name) and n.id == name for n in nodes(stmts))
