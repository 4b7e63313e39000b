"""The user functions a function's code reaches by name, as guards (issue 13).

What the analysis learns of a helper's value (``Callees.return_spec``/``return_shape``/
``return_long``: a (d, d) float64 array without a dimension of length 1) depends on the
helper's code and on the code of every user function it calls, and so does the caller's
code generated from it.  ``dependency_guards(fn)``: ``(mapping, name, object)`` for every
user function (not a library's) that ``fn``'s body names -- a global, a closure cell, an
attribute of a user module -- and, transitively, that those name.  The caches check them
on every call (``Generated.guards``): rebinding any of them regenerates the caller, and
the helper's analysis is not reused (``Callees``).

>>> import numpy as np
>>> def inner(d):
...     return np.zeros((d, d))
>>> def outer(d):
...     return inner(d) * 2.0
>>> [(key, obj is inner) for _, key, obj in dependency_guards(outer)]
[('inner', True)]
"""

from __future__ import annotations

import types

import gast

from .errors import AstAdError
from .frontend.parse import parse_function
from .passes.analysis.library import is_library
from .passes.reverse.calls import CellView, is_library_module


def dependency_guards(fn, _seen=None) -> list:
    seen = set() if _seen is None else _seen
    target = fn.__func__ if isinstance(fn, types.MethodType) else fn
    if not isinstance(target, types.FunctionType) or id(target) in seen:
        return []
    seen.add(id(target))
    try:
        tree = parse_function(target).tree
    except AstAdError:
        return []
    cells = dict(zip(target.__code__.co_freevars, target.__closure__ or ()))
    out = []
    for n in gast.walk(tree):
        holder, key = _root(n, cells, target.__globals__)
        if holder is None:
            continue
        value = holder.get(key)
        if isinstance(value, types.FunctionType) and not is_library(value):
            g = (holder, key, value)
            if g not in out:
                out.append(g)
            out += [d for d in dependency_guards(value, seen) if d not in out]
    return out


def _root(n, cells, globs):
    """``(mapping, key)`` a name or ``module.attr`` load reads its object from."""
    if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load):
        if n.id in cells:
            return CellView(cells[n.id]), n.id
        if n.id in globs:
            return globs, n.id
    if isinstance(n, gast.Attribute) and isinstance(n.ctx, gast.Load) and \
            isinstance(n.value, gast.Name) and n.value.id in globs:
        mod = globs[n.value.id]
        if isinstance(mod, types.ModuleType) and not is_library_module(mod):
            return vars(mod), n.attr
    return None, None


def hold(guards) -> bool:
    """Every guard still sees its object."""
    return all(d.get(k) is o for d, k, o in guards)
