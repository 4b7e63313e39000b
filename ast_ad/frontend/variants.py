"""Variants: a user function recompiled in a form the passes handle, same body, globals,
closure and error lines (``frontend.lift.ORIGINS``), made once per code object.

- ``packed_variant(h)``: ``def h(a, *rest)`` as ``h(a, rest)``; a call ``h(x, u, v)``
  becomes ``h_packed(x, (u, v))`` (``passes/anf_forms``).
- ``spread_variant(w, n, kwnames)``: ``def w(*args, **kwargs)`` (a decorator's wrapper
  calling ``fn(*args, **kwargs)``) for one call form, with plain parameters
  (``passes/anf_forms``, ``spread_gradient``).
- ``writing_variant(h)``: a helper that writes into some of its parameters in place
  (``h[:] = v``, ``np.copyto(h, v)``, ``h.fill(v)``, ``lst.append(v)``) also returns them:
  ``fill(y, v)`` becomes ``_w = fill_w(y, v); y = _w[1]`` (the rebinding marked as an
  update in place of ``y``), so the write is an ordinary value the derivative follows,
  and the caller's data stays intact (the split form copies what it writes into).

>>> import numpy as np
>>> def fill(h, v):
...     h[0] = v
>>> w = writing_variant(fill)
>>> y = np.zeros(2)
>>> r, y2 = w(y, 3.0)
>>> r, y2.tolist(), y2 is y, written_params(w)
(None, [3.0, 0.0], True, ('h',))
"""

from __future__ import annotations

import types
import weakref

import gast

from ..ir import nodes as N
from .lift import compile_nested
from .parse import parse_function

_PACKED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_WRITING: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_SPREAD: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
#: a writing variant -> the parameters it returns after its own result
_RETURNED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
#: a writing variant -> those of them it updates with `p op= v` only
_AUGMENTED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def packed_variant(fn):
    """``fn`` with its ``*rest`` parameter as a plain one: ``def h(a, *rest)`` -> a function
    ``h(a, rest)`` with the same body, globals and closure (``rest`` a tuple), or None when
    ``fn`` is no such function.  A call ``h(x, u, v)`` of user code becomes
    ``h_packed(x, (u, v))`` (``passes/anf``): an ordinary call of a function with named
    parameters, whose tuple argument carries the derivatives of ``u`` and ``v``.  Made
    once per code object; errors name the lines of ``fn``."""
    code = getattr(fn, "__code__", None)
    if not isinstance(fn, types.FunctionType) or code is None or \
            not code.co_flags & 0x04 or code.co_flags & 0x08:
        return None
    made = _PACKED.get(fn)
    if made is not None and made[0] is code:
        return made[1]
    parsed, d = _copy_of(fn)
    if d is None:
        return None
    d.args.args = list(d.args.posonlyargs) + list(d.args.args) + [N.name(d.args.vararg.id,
                                                                         gast.Param())]
    d.args.posonlyargs, d.args.vararg, d.args.defaults = [], None, []
    d.args.kw_defaults = [None] * len(d.args.kwonlyargs)
    variant = compile_nested(parsed, d)
    variant.__kwdefaults__ = fn.__kwdefaults__
    variant.__module__ = fn.__module__
    _keep_mark(fn, variant)
    variant.__qualname__ = fn.__qualname__
    _PACKED[fn] = (code, variant)
    return variant


def _keep_mark(fn, variant):
    """A variant of an ``ast_ad.checkpoint`` helper is checkpointed too."""
    if getattr(fn, "__ast_ad_checkpoint__", False):
        variant.__ast_ad_checkpoint__ = True


def needs_spread(fn) -> bool:
    """Whether ``fn`` has ``**kwargs``, or stars its ``*args`` into a call (``fn(*args,
    **kwargs)``: a decorator's wrapper), so that only a call's own form makes it plain."""
    fn = fn.__func__ if isinstance(fn, types.MethodType) else fn
    code = getattr(fn, "__code__", None)
    if not isinstance(fn, types.FunctionType) or code is None or code.co_flags & 0x20:
        return False
    if code.co_flags & 0x08:
        return True
    if not code.co_flags & 0x04:
        return False
    try:
        tree = parse_function(fn).tree
    except Exception:
        return False
    rest = tree.args.vararg.id
    return any(isinstance(n, gast.Starred) and isinstance(n.value, gast.Name) and
               n.value.id == rest for n in gast.walk(tree))


def spread_variant(fn, nrest, kwnames):
    """``def w(a, *args, **kwargs)`` for a call ``w(x, u, v, k=c)`` (``nrest`` = 2 entries
    gathered by ``*args``, ``kwnames`` = ("k",) gathered by ``**kwargs``) as a function of
    plain positional parameters ``w(a, args_0, args_1, kwargs_k)`` whose body starts with
    ``args = (args_0, args_1)`` and ``kwargs = {"k": kwargs_k}``, and whose calls
    ``g(*args, **kwargs)`` are ``g(args_0, args_1, k=kwargs_k)`` (when the body never
    rebinds ``args``/``kwargs``).  Keyword-only parameters stay keyword-only.  None when
    ``fn`` is no such function.  Made once per (code object, call form)."""
    code = getattr(fn, "__code__", None)
    if not isinstance(fn, types.FunctionType) or code is None or \
            not code.co_flags & 0x0C or code.co_flags & 0x20:
        return None
    key = (code, int(nrest), tuple(kwnames))
    per = _SPREAD.setdefault(fn, {})
    if key in per:
        return per[key]
    parsed, d = _copy_of(fn)
    if d is None:
        return None
    a = d.args
    taken = set(code.co_varnames) | set(code.co_names) | set(code.co_freevars)

    def fresh(base):
        while base in taken:
            base += "_"
        taken.add(base)
        return base

    rest = a.vararg.id if a.vararg is not None else None
    kw = a.kwarg.id if a.kwarg is not None else None
    if (kwnames and kw is None) or (nrest and rest is None) or \
            N.stored_names(d.body) & {rest, kw} - {None} or not _reads_only(d, kw):
        per[key] = None
        return None
    items = [fresh(f"{rest}_{i}") for i in range(nrest)]
    kws = {k: fresh(f"{kw}_{k}") for k in kwnames}
    prologue = []
    if rest is not None:
        prologue.append(N.assign(N.store(rest), gast.Tuple(
            elts=[N.name(n) for n in items], ctx=gast.Load()), d.body[0]))
    if kw is not None:
        prologue.append(N.assign(N.store(kw), gast.Dict(
            keys=[N.const(k) for k in kws], values=[N.name(n) for n in kws.values()]),
            d.body[0]))
    for c in gast.walk(d):
        if isinstance(c, gast.Call):
            c.args = [x for e in c.args for x in (
                [N.name(n) for n in items] if isinstance(e, gast.Starred) and
                getattr(e.value, "id", None) == rest else [e])]
            c.keywords = [x for k in c.keywords for x in (
                [gast.keyword(arg=k2, value=N.name(n)) for k2, n in kws.items()]
                if k.arg is None and getattr(k.value, "id", None) == kw else [k])]
    d.body = prologue + d.body
    a.args = list(a.posonlyargs) + list(a.args) + [N.name(n, gast.Param()) for n in
                                                   items + list(kws.values())]
    a.posonlyargs, a.vararg, a.kwarg, a.defaults = [], None, None, []
    a.kw_defaults = [None] * len(a.kwonlyargs)
    variant = compile_nested(parsed, d)
    variant.__kwdefaults__ = fn.__kwdefaults__
    variant.__module__, variant.__qualname__ = fn.__module__, fn.__qualname__
    _keep_mark(fn, variant)
    per[key] = variant
    return variant


def _reads_only(d, kw):
    """Whether the body only reads its ``**kw`` dict (``**kw`` in a call, ``kw.get(k)``,
    ``kw[k]``, ``k in kw``, ``len(kw)``...): a body that writes into it
    (``kw.setdefault(...)``, ``kw[k] = v``) must keep the dict it passes on."""
    if kw is None:
        return True
    ok = set()
    for n in gast.walk(d):
        if isinstance(n, gast.Call):
            ok.update(id(k.value) for k in n.keywords if k.arg is None)
            if isinstance(n.func, gast.Attribute) and n.func.attr in (
                    "get", "keys", "items", "values", "copy"):
                ok.add(id(n.func.value))
            if isinstance(n.func, gast.Name) and n.func.id in ("len", "dict", "sorted"):
                ok.update(id(a) for a in n.args)
        elif isinstance(n, gast.Subscript) and isinstance(n.ctx, gast.Load):
            ok.add(id(n.value))
        elif isinstance(n, gast.Compare):
            ok.update(id(c) for c, op in zip(n.comparators, n.ops)
                      if isinstance(op, (gast.In, gast.NotIn)))
    return all(id(n) in ok for n in gast.walk(d)
               if isinstance(n, gast.Name) and n.id == kw and isinstance(n.ctx, gast.Load))


def writing_variant(fn):
    """``fn`` returning ``(its result, *the parameters it writes into)``, or None when it
    writes into none, or rebinds one of them, or has ``*args``/``**kwargs``."""
    code = getattr(fn, "__code__", None)
    if not isinstance(fn, types.FunctionType) or code is None or code.co_flags & 0x2C:
        return None  # (*args, **kwargs, generators)
    made = _WRITING.get(fn)
    if made is not None and made[0] is code:
        return made[1]
    variant = _make_writing(fn)
    _WRITING[fn] = (code, variant)
    return variant


def written_params(fn) -> tuple:
    """The parameters a writing variant returns (``()`` for any other function)."""
    try:
        return _RETURNED.get(fn, ())
    except TypeError:
        return ()


def _copy_of(fn):
    """``fn``'s parse and a copy of its tree to edit into a variant; (None, None) when its
    source cannot be read (no variant: the caller keeps its own refusal)."""
    try:
        parsed = parse_function(fn)
    except Exception:
        return None, None
    return parsed, N.clone(parsed.tree)


def _make_writing(fn):
    from ..passes.views import writes_into_params
    from .resolve import Env

    parsed, d = _copy_of(fn)
    if d is None:
        return None
    a = d.args
    params = [p.id for p in a.posonlyargs + a.args + a.kwonlyargs]
    local = set(params) | N.stored_names(d.body)
    written = writes_into_params(d, Env.of_function(fn, local))
    ws = tuple(p for p in params if written.get(p) in ("write", "aug"))
    if not ws or written.keys() - set(ws) or _rebound(d.body) & set(ws):
        return None  # a rebound parameter
    # `p op= v` writes in place only into an array or a list: the caller keeps its old
    # value otherwise (runtime.in_place_result)
    aug = frozenset(p for p in ws if written.get(p) == "aug")
    outs = [N.name(p) for p in ws]
    for r in _own_returns(d.body):
        elts = [r.value or N.const(None)] + [N.clone(o) for o in outs]
        r.value = N.copy_loc(gast.Tuple(elts=elts, ctx=gast.Load()), r)
    last = gast.Return(value=gast.Tuple(elts=[N.const(None)] + outs, ctx=gast.Load()))
    d.body.append(N.copy_loc(last, d.body[-1]))
    variant = compile_nested(parsed, d)
    variant.__defaults__, variant.__kwdefaults__ = fn.__defaults__, fn.__kwdefaults__
    variant.__module__, variant.__qualname__ = fn.__module__, fn.__qualname__
    _keep_mark(fn, variant)
    _RETURNED[variant] = ws
    _AUGMENTED[variant] = aug
    return variant


def augmented_params(variant) -> frozenset:
    """The parameters a writing variant updates with ``p op= v`` only."""
    try:
        return _AUGMENTED.get(variant, frozenset())
    except TypeError:
        return frozenset()


def _rebound(stmts) -> set:
    """Names bound by the statements other than by ``name op= value``."""
    every = [m for st in stmts for m in gast.walk(st)]
    aug = {id(n.target) for n in every if isinstance(n, gast.AugAssign)}
    return {n.id for n in every if isinstance(n, gast.Name) and
            isinstance(n.ctx, gast.Store) and id(n) not in aug}


def _own_returns(stmts):
    """The ``return`` statements of a body, not those of defs or lambdas inside it."""
    todo = list(stmts)
    while todo:
        n = todo.pop()
        if isinstance(n, gast.Return):
            yield n
        if isinstance(n, (gast.FunctionDef, gast.AsyncFunctionDef, gast.Lambda, gast.ClassDef)):
            continue
        todo.extend(gast.iter_child_nodes(n))
