"""Adjoints of calls that are not rules: user functions (split forward/backward) and
list methods.

A call of a user function with differentiated arguments, ``y = h(a, b)``, becomes::

    y, _rec = h_vjp.fwd(a, b)          # forward: h's forward sweep, returns its record
    ...
    _gh = h_vjp.bwd(by, _rec)          # adjoint: h's adjoint sweep from that record
    ba = _gh[0]

``h_vjp`` is generated once per (function, which arguments are differentiated), not
once per call site (by the ``Callees`` the pipeline hands over); recursion refers to the
object being generated.  The decision is recorded on the statement (``anno.UserCall``),
so the forward sweep calls ``fwd`` and the adjoint pops the record whether or not a
gradient flows.
"""

from __future__ import annotations

import os
import types

import gast
import numpy as np

from ... import runtime as R
from ...callees import defaults_left
from ...errors import AstAdError, UnsupportedConstructError, refuse_at
from ...frontend.parse import parse_function
from ...frontend.resolve import Env
from ...frontend.variants import written_params
from ...ir import anno
from ...ir import nodes as N
from ...ir.lattice import Kind
from ...ir.walk import statements
from ...signature import param_names
from ..analysis.activity import operands
from ..analysis.calls import _LIBRARY_ROOTS
from ..analysis.effects import effect
from ..checkpoint_calls import check_callee, checkpointed_split, is_checkpointed
from ..views import writes_into_params


def prepare_user_call(rev, s, value, fn):
    """Decide, once per call site, the callee and the record's name."""
    uc = anno.get(s, anno.UserCall)
    if uc is not None:
        return uc
    if is_checkpointed(fn):  # before the usual refusals: this one says why
        check_callee(fn, rev.unit.where(s))
    active = rev.facts.active
    active_args = tuple(getattr(a, "id", None) in active for a in value.args)
    active_kws = tuple(sorted(k.arg for k in value.keywords
                              if getattr(k.value, "id", None) in active))
    kinds = tuple("num" if isinstance(a, gast.Name) and rev.facts.kind(a.id) is Kind.NUM
                  else "any" for a in value.args)
    static = static_function_args(rev, fn, value)
    checks = _writes_into_arguments(rev, s, value, fn)
    specs = rev.facts.elements.arrays  # what this code knows of the arguments' ndim/dtype
    arrays = tuple((k, specs[a.id][0], specs[a.id][1].str) for k, a in enumerate(value.args)
                   if isinstance(a, gast.Name) and a.id in specs and (
                       specs[a.id][0] >= 1 or specs[a.id][1] == np.float64))
    split, wrt = rev.unit.callees.split_for(fn, active_args, active_kws, kinds,
                                            rev.facts.registry, static, arrays)
    if is_checkpointed(fn):  # @ast_ad.checkpoint: run as written, replayed in bwd
        split = checkpointed_split(split, fn, rev.unit.where(s))
    for g in split.guards:  # what the callee's code assumes, checked by this code too
        if g not in rev.guards:
            rev.guards.append(g)
    alias = rev.namer.alias(split, getattr(fn, "__name__", "f") + "_vjp")
    receiver = method_receiver(rev.facts, value.func, fn)  # obj.method(x) -> fwd(obj, x)
    uc = anno.UserCall(alias, rev.namer.fresh("_rec"), receiver, split, tuple(wrt),
                       active_args, active_kws, checks)
    anno.set_(s, uc)
    return uc


def method_receiver(facts, func, fn):
    """The expression passed as ``self`` when ``fn`` (a method) is called as ``func``."""
    if not isinstance(fn, types.MethodType):
        return None
    got = facts.resolver.method_call(func)
    if got is not None and same_function(got[0], fn):
        return got[1]
    if isinstance(func, gast.Name):  # a bound method held by a global or a cell
        return gast.Attribute(value=N.name(func.id), attr="__self__", ctx=gast.Load())
    return func.value if isinstance(func, gast.Attribute) else None


def same_function(a, b):
    return getattr(a, "__func__", a) is getattr(b, "__func__", b)


def _writes_into_arguments(rev, s, value, fn):
    """A differentiated helper runs as its generated forward sweep, which copies what it
    writes into (the caller's data stays intact): a helper that fills an argument in place
    for its caller is refused.  ``p += v`` writes only into an array: for an argument that
    is not surely a scalar, the returned checks raise at run time when it is one."""
    target = fn.__func__ if isinstance(fn, types.MethodType) else fn
    try:
        fdef = parse_function(target).tree
    except AstAdError:
        return ()
    a = fdef.args
    local = {v.id for v in a.args + a.kwonlyargs + a.posonlyargs + [a.vararg, a.kwarg]
             if v is not None} | N.stored_names(fdef.body)
    written = writes_into_params(fdef, Env.of_function(target, local))
    for p in written_params(target):  # a writing variant returns them: modelled
        written.pop(p, None)
    if not written:
        return ()
    params = param_names(target)
    params = params[1:] if isinstance(fn, types.MethodType) else params
    passed = {p: a.id for p, a in zip(params, value.args) if isinstance(a, gast.Name)}
    passed.update({k.arg: k.value.id for k in value.keywords if isinstance(k.value, gast.Name)})
    filename, line = rev.unit.where(s)
    name = getattr(target, "__name__", "the helper")
    checks = []
    for p, how in sorted(written.items()):
        if p not in passed:
            continue
        arg = passed[p]
        if how == "aug":
            if arg in rev.facts.pyfloat or rev.facts.shape(arg).tag == "scalar":
                continue  # `p += v` rebinds a number
            checks.append((arg, p, name, filename, line))
            continue
        raise UnsupportedConstructError(
            f"`{name}` writes into its argument `{p}` in place; a differentiated helper "
            f"must return what it computes (e.g. `{arg} = {name}(...)`)",
            filename=filename, lineno=line)
    return tuple(checks)


def user_call_adjoint(rev, s, value, g, state, fn):
    if g is None and isinstance(s, gast.Expr):
        # a statement call runs the helper itself: one that updates an argument in place
        # (`p += v` on an array) would change the caller's data without a derivative
        for arg, param, helper, filename, line in _writes_into_arguments(rev, s, value, fn):
            raise UnsupportedConstructError(
                f"`{helper}` updates its argument `{param}` in place and its result is not "
                f"used; a differentiated helper must return what it computes "
                f"(`{arg} = {helper}(...)`)", filename=filename, lineno=line)
    uc = prepare_user_call(rev, s, value, fn)
    out = []
    if g is not None:
        gres = rev.namer.fresh("_gh")
        out.append(N.assign(gres, N.call(gast.Attribute(value=N.name(uc.alias), attr="bwd",
                                                         ctx=gast.Load()),
                                          [g, N.name(uc.rec)]), loc=s))
        arg_of = {}
        for k, a in enumerate(value.args):
            if uc.active_args[k]:
                arg_of[uc.split.param_names[k]] = a.id
        for kw in value.keywords:
            if kw.arg in uc.active_kws:
                arg_of[kw.arg] = kw.value.id
        for j, pname in enumerate(uc.wrt):
            # the helper's adjoint of an argument the caller knows to be a NumPy array or
            # a float64 number is a number or an array (0.0 when untouched): plain `+`
            known = arg_of[pname] in rev.facts.elements.arrays
            rev.accumulate(arg_of[pname], gast.Subscript(value=N.name(gres), slice=N.const(j),
                                                         ctx=gast.Load()),
                           state, out, s, maybe_none=not known, from_zero=True)
    return out


def static_function_args(rev, fn, value):
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
        if isinstance(a, gast.Name) and a.id not in rev.facts.varied:
            obj = rev.facts.callable(a)
            if obj is None:
                defs = [st.value for st, _ in statements(rev.unit.tree.body)
                        if isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Name)
                        and st.targets[0].id == a.id]
                if len(defs) == 1 and isinstance(defs[0], (gast.Name, gast.Attribute)):
                    obj = rev.facts.callable(defs[0])
            if obj is not None and callable(obj) and not isinstance(obj, type):
                out[p] = obj
    return {**defaults_left(fn, value), **out}  # (net=NET, act=np.tanh left to defaults)


class CellView:
    """A closure cell seen as a one-entry mapping (guards read ``view.get(name)``)."""

    def __init__(self, cell):
        self.cell = cell

    def get(self, name, default=None):
        try:
            return self.cell.cell_contents
        except ValueError:
            return default


def guards_for(unit, func, obj, resolver=None):
    """What the code generated for a call of ``func`` (resolved now to ``obj``) assumes:
    ``(mapping, key, obj)`` entries the caches check on every call, so that rebinding a
    global, a closure cell or a user module's attribute regenerates the gradient, and so
    does any change to the objects a method call was resolved through (their attributes,
    methods and classes: ``analysis.receivers``).  Library modules (``np.sin``) are not
    guarded: rebinding their attributes is not supported."""
    extra = []
    if resolver is not None and obj is not None:
        got = resolver.method_call(func)
        if got is not None and same_function(got[0], obj):
            extra = list(got[2])
    return _root_guards(unit, func, obj) + extra


def _root_guards(unit, func, obj):
    chain = N.attr_chain(func)
    if chain is None or obj is None or unit.env.is_local(chain[0]):
        return []
    env = unit.env
    root = chain[0]
    if root in env.closure:
        holder, key = CellView(env.closure[root]), root
    elif root in env.globals:
        holder, key = env.globals, root
    else:
        return []  # a builtin
    value = holder.get(key)
    if isinstance(value, types.ModuleType):
        if len(chain) != 2 or is_library_module(value):
            return []
        return [(vars(value), chain[1], obj)]  # mod.h of a user module
    return [(holder, key, value)]


def is_library_module(mod):
    path = getattr(mod, "__file__", None)
    if path is None:
        return True  # builtin modules
    return os.path.abspath(path).startswith(_LIBRARY_ROOTS)


def varied_inputs(facts, call):
    """The differentiated names a call reads (arguments, keywords, a method's receiver)."""
    names = [a.id for a in call.args if isinstance(a, gast.Name)]
    names += [k.value.id for k in call.keywords if isinstance(k.value, gast.Name)]
    f = call.func
    while isinstance(f, gast.Attribute):
        f = f.value
    if isinstance(f, gast.Name) and f is not call.func:
        names.append(f.id)
    return [n for n in names if n in facts.varied]


def check_effect(unit, facts, s, call, obj):
    """A call whose result carries no derivative runs as-is only when it cannot write into
    the differentiated values it is handed (``analysis.effects``); otherwise: refused."""
    names = varied_inputs(facts, call)
    if not names:
        return
    if isinstance(call.func, gast.Attribute) and isinstance(call.func.value, gast.Constant):
        return  # "...".format(x): a method of a literal
    eff = effect(call, obj, facts.registry)
    if eff == "pure":
        return
    filename, line = unit.where(s)
    try:
        label = gast.unparse(call.func).strip()
    except Exception:
        label = "this function"
    why = "writes into its arguments in place" if eff == "writes" else \
        "may write into its arguments (ast_ad cannot tell)"
    raise UnsupportedConstructError(
        f"`{label}` {why}, and it is handed the differentiated value `{names[0]}`: its "
        "derivative would be lost; compute a new value instead (e.g. `y = np.sort(y)`, "
        "`y = y + v`), or pass a copy", filename=filename, lineno=line)


def no_derivative(unit, s, value, active):
    """A right-hand side with no derivative (an f-string, ``~x``...): if a differentiated
    value reaches it, refused (never a silent zero); otherwise nothing to do."""
    names = [n for n in operands(value) if n in active]
    if names:
        filename, line = unit.where(s)
        raise UnsupportedConstructError(
            f"`{gast.unparse(value).strip()}` has no derivative, and the differentiated value "
            f"`{names[0]}` reaches it (through a string, a bit operation...); compute with "
            "numbers instead", filename=filename, lineno=line)
    return []


def refuse_container_arithmetic(unit, facts, s, value, active):
    """``[x] + [y]``, ``(s,) * 3`` on differentiated lists/tuples are refused: the
    elementwise rules of ``+``/``*`` do not describe concatenation or repetition.  A list
    of constants with a differentiated array (``[3, 5] * np.exp(x)``, ``x[0] - [1, 2]``,
    ``A @ [2.0, 3.0]``) is NumPy arithmetic: ``+ - * / @`` keep their rules."""
    sides = [value.left, value.right]
    if not any(getattr(e, "id", None) in active for e in sides):
        return
    if any(isinstance(e, gast.Constant) and isinstance(e.value, (str, bytes)) for e in sides):
        no_derivative(unit, s, value, active)  # "%r" % x: string formatting
    seqs = [e.id for e in sides if isinstance(e, gast.Name) and e.id in facts.sequences]
    if seqs and not any(n in active for n in seqs) and \
            isinstance(value.op, (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.MatMult)):
        return  # the differentiated side is an array (a list there fails the helper check)
    if seqs:
        filename, line = unit.where(s)
        raise UnsupportedConstructError(
            "concatenating or repeating differentiated lists/tuples (`+`, `*`) is not "
            "supported; build the list with append, or use np.concatenate / np.tile",
            filename=filename, lineno=line)


def refuse_differentiated_index(unit, s, value, active, facts):
    """``obj[x]`` with a differentiated number in the index (``np.r_[x, y]``, a dict keyed
    by floats): the derivative would be lost, so it is refused.  Returns the run-time
    checks (``check_index_value`` calls) for differentiated names of unknown kind there
    (an int position, a dict key, or a float: only run time can tell)."""
    if unit.parsed.generated:
        return []  # generated code indexes with ints only (trip counters, restored indices)
    found = [n.id for n in gast.walk(value.slice) if isinstance(n, gast.Name)
             and isinstance(n.ctx, gast.Load) and n.id in active]
    names = [n for n in found if facts.kind(n) is Kind.NUM]
    if names:
        refuse_at(unit.where, s, (
            f"the differentiated value `{names[0]}` is used inside an index (`[...]`); "
            "its derivative would be lost: build arrays with np.concatenate/np.stack "
            "(not np.r_/np.c_) and index with integers"))
    filename, line = unit.where(s)
    return [N.call(unit.ref(R.check_index_value), [N.name(n), N.const(n), N.const(filename),
                                                   N.const(line)])
            for n in dict.fromkeys(found)]


def dynamic_call_error(rev, s, value):
    filename, line = rev.unit.where(s)
    try:
        label = gast.unparse(value.func).strip()
    except Exception:
        label = "this function"
    raise UnsupportedConstructError(
        f"cannot resolve the function `{label}` called on a differentiated value when "
        "the gradient is generated; call a module-level function or a nested def "
        "directly", filename=filename, lineno=line)


def method_adjoint(rev, s, base, call, state):
    """``v = lst.pop()`` and ``lst.append(v)`` (other list methods are refused)."""
    out = []
    active = rev.facts.active
    ref = rev.unit.ref
    if isinstance(s, gast.Assign):  # v = lst.pop()
        v = s.targets[0].id
        if base in active and v in state.live:
            bb = rev.b(base)
            cur = N.name(bb) if base in state.live else N.const(None)
            out.append(N.assign(bb, N.call(ref(R.push_grad),
                                           [cur, N.call(ref(len), [N.name(base)]),
                                            N.name(rev.b(v))]), loc=s))
            state.live.add(base)
        state.live.discard(v)
        out.append(N.expr_stmt(N.call(gast.Attribute(value=N.name(base), attr="append",
                                                     ctx=gast.Load()), [N.name(v)])))
        return out
    if call.func.attr == "append":
        arg = call.args[0] if call.args else None
        if base in active and base in state.live:
            bb = rev.b(base)
            gv = rev.namer.fresh("_g")
            out.append(gast.Assign(targets=[gast.Tuple(elts=[N.store(gv), N.store(bb)],
                                                       ctx=gast.Store())],
                                   value=N.call(ref(R.pop_grad), [N.name(bb), N.call(
                                       ref(len), [N.name(base)])]),  # aligned by length
                                   type_comment=None))
            if isinstance(arg, gast.Name) and arg.id in active:
                rev.accumulate(arg.id, N.name(gv), state, out, s, maybe_none=True)
        out.append(N.expr_stmt(N.call(gast.Attribute(value=N.name(base), attr="pop",
                                                     ctx=gast.Load()), [])))
        return out
    if base in active or (call.func.attr == "pop" and rev.unit.parsed.filename.startswith(
            "<ast_ad-")):  # (a generated bare pop: the value to put back is not kept)
        filename, line = rev.unit.where(s)
        raise UnsupportedConstructError(
            f"differentiating through list.{call.func.attr}() is not supported; build the "
            "list with append", filename=filename, lineno=line)
    return out
