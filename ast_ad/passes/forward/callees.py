"""Forward mode through a user function: ``y = h(a)`` with a live tangent ``da`` becomes
``y, dy = h_jvp.call(a, da=da)``, with ``h_jvp`` generated once by the ``Callees``.
"""

from __future__ import annotations

import types

import gast

from ...ir import nodes as N
from ...ir.lattice import Kind
from ...objects import GradientObject
from ...signature import param_names
from ..analysis.library import is_library


def forward_callee(unit, facts, value, live, tangent_of):
    """``(callee, call expression)`` for a user function called on live tangents."""
    obj = facts.callable(value.func)
    reg = facts.registry
    if isinstance(obj, GradientObject) and reg.jvp(obj) is None and not reg.has_rule(obj):
        return gradient_object_call(unit, value, live, tangent_of)
    if isinstance(obj, GradientObject) or getattr(obj, "_ast_ad_api", False) or not isinstance(
            obj, (types.FunctionType, types.MethodType)) or reg.has_rule(obj) \
            or reg.jvp(obj) is not None:
        return None
    if is_library(obj) and getattr(obj, "__code__", None) is not getattr(
            unit.fn, "__code__", False):  # library code is never parsed (as in reverse
        return None  # mode, analysis/calls.classify): its rule, or NoRuleError
    target = obj.__func__ if isinstance(obj, types.MethodType) else obj
    params = param_names(target)
    vis = params[1:] if isinstance(obj, types.MethodType) else params
    wrt, tangents = [], {}
    for k, a in enumerate(value.args):
        if isinstance(a, gast.Name) and a.id in live and k < len(vis):
            wrt.append(vis[k])
            tangents[vis[k]] = a.id
    for kw in value.keywords:
        if isinstance(kw.value, gast.Name) and kw.value.id in live:
            wrt.append(kw.arg)
            tangents[kw.arg] = kw.value.id
    if not wrt:
        return None
    kinds = {p: (Kind.NUM if facts.kind(v) is Kind.NUM else None)
             for p, v in tangents.items()}
    from types import SimpleNamespace

    from ..reverse.calls import static_function_args  # (functions passed, defaults left)
    static = static_function_args(SimpleNamespace(facts=facts, unit=unit), obj, value)
    j = unit.callees.jvp_for(obj, sorted(wrt, key=params.index), kinds, reg, static or None)
    alias = unit.namer.alias(j, getattr(target, "__name__", "f") + "_jvp")
    from ..reverse.calls import method_receiver

    r = method_receiver(facts, value.func, obj)  # obj.method(x), self(x), layer(x)...
    recv = [r] if r is not None else []
    call = N.call(gast.Attribute(value=N.name(alias), attr="call", ctx=gast.Load()),
                  recv + list(value.args), list(value.keywords) + [
                      gast.keyword(arg=j.tangent_names[p], value=N.name(tangent_of(
                          tangents[p]))) for p in j.wrt])
    return j, call


def gradient_object_call(unit, value, live, tangent_of):
    """``g(x)`` of an ast_ad gradient object ``g`` (``FORCE = grad(energy)``) with a live
    tangent: ``y, dy = jvp(g, (x,), (dx,))`` when the code runs (forward over reverse,
    specialised on the arguments then, as any call of ``ast_ad.jvp``)."""
    from ...rules.registry import _DERIVE

    run = _DERIVE.get("jvp_through")
    if run is None or value.keywords or any(isinstance(a, gast.Starred) for a in value.args):
        return None
    tans = [N.name(tangent_of(a.id)) if isinstance(a, gast.Name) and a.id in live
            else N.const(None) for a in value.args]
    call = N.call(unit.ref(run, "jvp_through"), [value.func, gast.Tuple(
        elts=list(value.args), ctx=gast.Load()), gast.Tuple(elts=tans, ctx=gast.Load())])
    return None, call
