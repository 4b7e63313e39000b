"""Lift: nested functions and named lambdas become functions of their free variables.

Before::

    def f(x):
        scale = lambda v: v * x
        return scale(3.0)

After::

    def f(x):
        def scale(v, x):
            return v * x
        return scale(3.0, x)

The lifted definition no longer reads the enclosing function's locals, so it is compiled
on its own (same globals and closure cells as the outer function) and differentiated like
any module-level helper; gradients flow to ``x`` through the new argument.  A nested
function that reads enclosing locals but is used as a value (passed or returned) cannot be
lifted and is rejected, since its gradient would be lost.
"""

from __future__ import annotations

import types
import weakref

import gast

from ..errors import refuse_at
from ..ir import nodes as N
from ..ir.walk import blocks_of, nodes


def lift_nested(parsed, env, namer):
    """Lift the nested defs of ``parsed.tree`` in place; return {name: function object}."""
    fdef = parsed.tree
    _lambdas_to_defs(fdef.body)
    _hoist_argument_lambdas(fdef, env)
    if not any(isinstance(n, gast.FunctionDef) for n in nodes(fdef.body)):
        return {}  # nothing nested to lift
    outer_locals = {a.id for a in fdef.args.args + fdef.args.kwonlyargs} | \
        N.stored_names(fdef.body)
    nested = [s for s in gast.walk(fdef) if isinstance(s, gast.FunctionDef) and s is not fdef]
    defs_by_name = {}
    for d in nested:
        defs_by_name.setdefault(d.name, []).append(d)
    out = {}
    for d in nested:
        inner_locals = {a.id for a in d.args.posonlyargs + d.args.args + d.args.kwonlyargs +
                        [d.args.vararg, d.args.kwarg] if a is not None} | \
            N.stored_names(d.body)
        free = sorted(n.id for n in gast.walk(d) if isinstance(n, gast.Name)
                      and isinstance(n.ctx, gast.Load) and n.id in outer_locals
                      and n.id not in inner_locals and n.id != d.name)
        free = list(dict.fromkeys(free))
        uses = [n for n in gast.walk(fdef) if isinstance(n, gast.Name) and n.id == d.name
                and isinstance(n.ctx, gast.Load)]
        calls = [c for c in gast.walk(fdef) if isinstance(c, gast.Call)
                 and isinstance(c.func, gast.Name) and c.func.id == d.name]
        only_called = len(uses) == len(calls)
        const_defaults = all(isinstance(x, gast.Constant) for x in d.args.defaults) and \
            all(x is None or isinstance(x, gast.Constant) for x in d.args.kw_defaults)
        if len(defs_by_name[d.name]) > 1 or not only_called or not const_defaults:
            if free:
                what = "a lambda passed to a helper" if d.name.startswith("_lambda_") \
                    else f"the nested function {d.name}()"
                refuse_at(parsed.where, d, (
                    f"{what} reads {', '.join(free)} of the enclosing function and is used "
                    "as a value (or defined twice): the derivative through those values "
                    "would be lost; call it directly, or pass those values as arguments"))
            if len(defs_by_name[d.name]) == 1 and const_defaults and d in fdef.body and \
                    d.name not in N.stored_names([x for x in fdef.body if x is not d]):
                out[d.name] = compile_nested(parsed, d)  # a value known now (passed to a
            continue  # helper: its code is specialised on it, as on a global function)
        if d.args.vararg is not None and d.args.kwarg is None:
            _pack_calls(d, calls)  # def g(a, *r): g(x, u, v) -> def g(a, r): g(x, (u, v))
        for v in free:
            d.args.args.append(N.name(v, gast.Param()))
        if (d.args.defaults or d.args.vararg or d.args.kwarg) and free:
            # keep defaulted parameters last: the free variables become keyword arguments
            for v in free:
                d.args.args.pop()
                d.args.kwonlyargs.append(N.name(v, gast.Param()))
                d.args.kw_defaults.append(None)
            for c in calls:
                c.keywords = list(c.keywords) + [gast.keyword(arg=v, value=N.name(v))
                                                 for v in free]
        else:
            for c in calls:
                c.args = list(c.args) + [N.name(v) for v in free]
        out[d.name] = compile_nested(parsed, d)
    return out


def _pack_calls(d, calls):
    """A nested ``def g(a, *rest)`` whose every call passes each named positional
    parameter by position, with nothing starred: ``rest`` becomes a plain parameter and
    each call passes a tuple (``g(x, u, v)`` -> ``g(x, (u, v))``); else nothing changes."""
    a = d.args
    fixed = a.posonlyargs + a.args
    named = {p.id for p in fixed}
    for c in calls:
        if len(c.args) < len(fixed) or any(isinstance(x, gast.Starred) for x in c.args) or \
                any(k.arg is None or k.arg in named for k in c.keywords):
            return
    for c in calls:
        c.args = c.args[:len(fixed)] + [N.copy_loc(gast.Tuple(elts=c.args[len(fixed):],
                                                              ctx=gast.Load()), c)]
    a.args = fixed + [N.name(a.vararg.id, gast.Param())]
    a.posonlyargs, a.vararg, a.defaults = [], None, []


def _lambdas_to_defs(stmts):
    for i, s in enumerate(stmts):
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and \
                isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Lambda):
            lam = s.value
            ret = N.copy_loc(gast.Return(value=lam.body), lam)
            d = gast.FunctionDef(name=s.targets[0].id, args=lam.args, body=[ret],
                                 decorator_list=[], returns=None, type_comment=None,
                                 type_params=[])
            stmts[i] = N.copy_loc(d, s)
        for _, block in blocks_of(s):
            _lambdas_to_defs(block)


def _hoist_argument_lambdas(fdef, env):
    """``h(lambda v: v * 2.0, x)`` with ``h`` a user function, at the top level of the
    body: the lambda becomes a nested def ``_lambda_1`` placed before the statement (then
    a value known now, as a nested def passed to a helper); builtins' lambdas (``map``,
    ``sorted(key=...)``) stay where their idioms read them."""
    from .resolve import LOCAL, MISSING

    if not any(isinstance(n, gast.Lambda) for n in nodes(fdef.body)):
        return  # no lambda to hoist
    taken = {n.id for n in gast.walk(fdef) if isinstance(n, gast.Name)} | {
        n.name for n in gast.walk(fdef) if isinstance(n, gast.FunctionDef)}
    body, k = [], 0
    for s in fdef.body:
        for c in [n for n in _own_nodes(s) if isinstance(n, gast.Call)]:
            fn = env.lookup(c.func)
            if fn is LOCAL or fn is MISSING or not isinstance(fn, types.FunctionType):
                continue
            for i, a in enumerate(c.args):
                if isinstance(a, gast.Lambda) and all(  # (moved earlier: constant defaults)
                        isinstance(x, gast.Constant) for x in a.args.defaults + [
                            x for x in a.args.kw_defaults if x is not None]):
                    k += 1
                    while f"_lambda_{k}" in taken:
                        k += 1
                    name = f"_lambda_{k}"
                    ret = N.copy_loc(gast.Return(value=a.body), a)
                    body.append(N.copy_loc(gast.FunctionDef(
                        name=name, args=a.args, body=[ret], decorator_list=[], returns=None,
                        type_comment=None, type_params=[]), s))
                    c.args[i] = N.copy_loc(N.name(name), a)
        body.append(s)
    fdef.body[:] = body


def _own_nodes(s):
    """The nodes of statement ``s``, not those inside defs, lambdas or classes in it."""
    todo = [s]
    while todo:
        n = todo.pop()
        yield n
        if n is not s and isinstance(n, (gast.FunctionDef, gast.Lambda, gast.ClassDef,
                                         gast.ListComp, gast.SetComp, gast.DictComp,
                                         gast.GeneratorExp)):
            continue  # (a comprehension's lambda may read its loop variable)
        todo.extend(gast.iter_child_nodes(n))


def compile_nested(parsed, d):
    """Compile a lifted nested def on its own, with the outer function's globals/cells."""
    import linecache

    fn = parsed.fn
    mod = gast.Module(body=[N.clone(d)], type_ignores=[])
    gast.fix_missing_locations(mod)
    text = gast.unparse(mod)
    cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    params = sorted(cells)
    src = f"def __ast_ad_nested__({', '.join(params)}):\n" + "".join(
        "    " + ln + "\n" for ln in text.splitlines()) + f"    return {d.name}\n"
    filename = f"<ast_ad nested-{next(_ids)} {d.name} of {parsed.tree.name}>"
    code = compile(src, filename, "exec")
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    factory = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    inner = next(c for c in factory.co_consts if isinstance(c, types.CodeType)
                 and c.co_name == d.name)
    closure = tuple(cells[v] for v in inner.co_freevars)
    defaults = tuple(x.value for x in d.args.defaults) or None
    f = types.FunctionType(inner, fn.__globals__, d.name, defaults, closure)
    # its parse is the lifted def itself, placed in the user's file (errors name their line)
    ORIGINS[inner] = (N.clone(d), parsed.filename, parsed.line_offset, parsed.text)
    kwd = {a.id: x.value for a, x in zip(d.args.kwonlyargs, d.args.kw_defaults) if x is not None}
    if kwd:
        f.__kwdefaults__ = kwd
    return f


_ids = __import__("itertools").count(1)

class _ByIdentity:
    """A weak mapping keyed by object identity.  Code objects compare by content, not
    by file: in a ``WeakKeyDictionary`` two identical nested defs (lifted from two
    functions) share one entry, which goes when the first code object does."""

    def __init__(self):
        self._d = {}

    def __setitem__(self, obj, value):
        key = id(obj)

        def gone(ref, key=key, d=self._d):
            if d.get(key, (None,))[0] is ref:
                del d[key]

        self._d[key] = (weakref.ref(obj, gone), value)

    def get(self, obj, default=None):
        hit = self._d.get(id(obj))
        return hit[1] if hit is not None and hit[0]() is obj else default


#: code object of a lifted nested def -> (its lifted FunctionDef, the user's file, the
#: line offset and text of the enclosing parse): see ``frontend.parse.parse_function``
ORIGINS = _ByIdentity()
