"""Callees: user functions called on differentiated values, generated in split form.

``split_for(h, ...)`` returns a ``Split`` with ``fwd(*args) -> (value, record)`` and
``bwd(g, record) -> adjoints of the differentiated parameters``.  One Split exists per
(function, differentiated parameters, argument kinds, registry version); it is registered
before its body is generated, so recursive functions refer to themselves.
"""

from __future__ import annotations

import types
import weakref

from ..errors import AstAdError

_SPLITS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class Split:
    def __init__(self, fn, param_names, wrt):
        self.fn = fn
        self.param_names = param_names
        self.wrt = wrt
        self.fwd = None
        self.bwd = None
        self.source = None
        self.__name__ = getattr(fn, "__name__", "f") + "_vjp"

    def __repr__(self):
        return f"<ast_ad split gradient of {self.__name__[:-4]} wrt {self.wrt}>"


def _params(fn):
    code = fn.__code__
    return list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])


def split_for(fn, active_args, active_kws, kinds, registry, parsed, s, static=None):
    from .pipeline import transform

    target = fn.__func__ if isinstance(fn, types.MethodType) else fn
    params = _params(target)
    offset = 1 if isinstance(fn, types.MethodType) else 0
    params_visible = params[offset:]
    wrt = [params_visible[k] for k, a in enumerate(active_args) if a and k < len(params_visible)]
    wrt += [k for k in active_kws if k not in wrt]
    wrt = sorted(wrt, key=params.index)
    arg_kinds = {params_visible[k]: ("num" if kd == "num" else None)
                 for k, kd in enumerate(kinds) if k < len(params_visible)}
    static = static or {}
    key = (tuple(wrt), tuple(sorted((k, v or "") for k, v in arg_kinds.items())),
           registry.version, tuple(sorted(static.items(), key=lambda kv: kv[0])))
    per = _SPLITS.setdefault(target, {})
    split = per.get(key)
    if split is not None:
        return split, wrt
    split = Split(target, params_visible, wrt)
    per[key] = split
    try:
        gen = transform(target, wrt, registry, arg_kinds, mode="split", static_args=static)
    except AstAdError:
        per.pop(key, None)
        raise
    split.fwd, split.bwd = gen.compiled
    split.source = gen.source
    return split, wrt


def _predicted_tangent_names(fn, wrt):
    """The names forward mode gives the tangent parameters ('dx', or 'dx_1' if taken)."""
    from ..frontend.parse import parse_function
    from . import nodes as N

    try:
        taken = N.names_in(parse_function(fn).tree)
    except AstAdError:
        return {}
    out = {}
    for p in wrt:
        name, k = "d" + p, 0
        while name in taken:
            k += 1
            name = f"d{p}_{k}"
        taken.add(name)
        out[p] = name
    return out


class Jvp:
    """A forward-mode callee: ``fn(*args, **{tangent_name: tangent})`` -> (value, tangent)."""

    def __init__(self, fn, wrt):
        self.fn = fn
        self.wrt = wrt
        self.call = None
        self.tangent_names = {}
        self.source = None
        self.__name__ = getattr(fn, "__name__", "f") + "_jvp"


_JVPS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def jvp_for(fn, wrt, kinds, registry, static=None):
    """The forward-mode version of ``fn`` for tangents of the parameters ``wrt``."""
    from .pipeline import transform

    target = fn.__func__ if isinstance(fn, types.MethodType) else fn
    static = static or {}
    key = (tuple(wrt), tuple(sorted(kinds.items(), key=lambda kv: kv[0])), registry.version,
           tuple(sorted(static.items(), key=lambda kv: kv[0])))
    try:
        per = _JVPS.setdefault(target, {})
    except TypeError:
        per = {}
    j = per.get(key)
    if j is not None:
        return j
    j = Jvp(target, tuple(wrt))
    j.tangent_names = _predicted_tangent_names(target, wrt)  # a recursive call needs them now
    per[key] = j
    try:
        gen = transform(target, list(wrt), registry, dict(kinds), mode="forward",
                        static_args=static)
    except AstAdError:
        per.pop(key, None)
        raise
    j.call = gen.compiled[0]
    j.tangent_names = gen.tangent_names
    j.source = gen.source
    return j
