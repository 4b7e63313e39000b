"""Run user code with its names rebound to the tape's stand-ins.

``Patcher.translate(obj)`` maps what a name refers to onto what the traced run should see:

    numpy / numpy.linalg / math      -> ModuleStandin (attributes translated lazily)
    np.exp, math.sin, registered fn  -> NumpyFunction (records calls on traced values)
    a user function                  -> a copy of it (same code, defaults, closure) whose
                                        globals are a PatchedGlobals and whose closure
                                        cells hold translated values
    bound method / functools.partial -> the same around the translated function
    anything else                    -> itself

``PatchedGlobals`` is a dict subclass that starts empty and translates a module global on
its first lookup (``__missing__``); its ``__builtins__`` maps ``abs``, ``float``,
``__import__``... to stand-ins.  Copies are made per differentiation call, so nothing
persists between calls and a rebound global is seen by the next call.
"""

from __future__ import annotations

import builtins
import functools
import sys
import types

import numpy as np

from .standins import (
    _OVERRIDES,
    BUILTIN_BY_OBJECT,
    NUMPY_INEXACT,
    BuiltinStandin,
    ModuleStandin,
    NumpyFunction,
    UfuncStandin,
    builtin_standins,
    numpy_scalar_type,
)
from .tracer import ArrayTracer, Tracer

_PASS = frozenset(
    [int, float, complex, str, bytes, bool, type(None), tuple, list, dict, set, frozenset,
     np.ndarray, Tracer, ArrayTracer, BuiltinStandin, NumpyFunction, UfuncStandin]
)
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | {"builtins", "_operator"}


def _root(name):
    return (name or "").partition(".")[0]


def _is_user_module(mod) -> bool:
    root = _root(mod.__name__)
    if root in _STDLIB or root in ("numpy", "ast_ad"):
        return False
    f = getattr(mod, "__file__", None) or ""
    return bool(f) and "site-packages" not in f and "dist-packages" not in f


def _is_user_function(fn) -> bool:
    root = _root(getattr(fn, "__module__", None))
    # numpy and the standard library run as they are, and so does ast_ad's own API
    return root not in _STDLIB and root not in ("numpy", "ast_ad")


_SCAN = 256  # containers up to this length are looked into for functions


def _may_translate(v, depth=2):
    """Whether ``translate(v)`` may differ from ``v`` (cheap, conservative)."""
    t = type(v)
    if t is dict or t is list or t is tuple:
        if depth == 0 or not 0 < len(v) <= _SCAN:
            return False
        items = v.values() if t is dict else v
        return any(_may_translate(e, depth - 1) for e in items)
    if t in _PASS:
        return False
    return callable(v) or isinstance(v, types.ModuleType)


class PatchedGlobals(dict):
    """Globals of a patched function: real globals, translated on first lookup."""

    def __init__(self, real, patcher):
        super().__init__()
        self._real = real
        self._translate = patcher.translate
        dict.__setitem__(self, "__builtins__", patcher.builtins)

    def __missing__(self, name):
        value = self._real[name]  # KeyError -> Python goes on to the builtins
        value = self._translate(value)
        dict.__setitem__(self, name, value)
        return value


class Patcher:
    """Translates the objects a traced run can reach by name (one per differentiation)."""

    def __init__(self, registry, through_rules=False):
        self.registry = registry
        # True: the helpers that derivative rules call (ast_ad.rules.*) are traced through
        # rather than recorded with their own rules (used to differentiate rules again)
        self.through_rules = through_rules
        self._cache: dict = {}
        self._busy: set = set()
        self._globals: dict = {}
        self.builtins = dict(builtins.__dict__)
        self.builtins.update(builtin_standins())
        self.builtins["__import__"] = self._import

    def _import(self, name, globals=None, locals=None, fromlist=(), level=0):
        mod = builtins.__import__(name, globals, locals, fromlist, level)
        return self.translate(mod)

    def translate(self, obj):
        t = type(obj)
        if t in _PASS:
            if (t is dict or t is list or t is tuple) and 0 < len(obj) <= _SCAN:
                return self._container(obj)
            return obj
        key = id(obj)
        hit = self._cache.get(key)
        if hit is not None:
            return hit[1]
        res = self._translate(obj)
        self._cache[key] = (obj, res)
        return res

    def _container(self, obj):
        """A shallow copy of a small dict/list/tuple holding functions or modules (a table
        of activation functions, say), with those translated; else ``obj`` itself."""
        key = id(obj)
        hit = self._cache.get(key)
        if hit is not None:
            return hit[1]
        if key in self._busy or not _may_translate(obj):
            return obj
        self._busy.add(key)
        try:
            if type(obj) is dict:
                res = {k: self.translate(v) for k, v in obj.items()}
                changed = any(res[k] is not v for k, v in obj.items())
            else:
                vals = [self.translate(v) for v in obj]
                changed = any(a is not b for a, b in zip(vals, obj))
                res = type(obj)(vals)
        finally:
            self._busy.discard(key)
        res = res if changed else obj
        self._cache[key] = (obj, res)
        return res

    def _has_rule(self, obj):
        try:
            return self.registry.has_rule(obj)
        except TypeError:
            return False

    def _translate(self, obj):
        if isinstance(obj, (ModuleStandin, PatchedGlobals)):
            return obj
        if isinstance(obj, types.ModuleType):
            name = obj.__name__
            if (_root(name) == "numpy" or name in ("math", "cmath", "ast_ad", "ast_ad.runtime")
                    or _is_user_module(obj)):
                return ModuleStandin(obj, self.translate)
            return obj
        if isinstance(obj, type):
            return numpy_scalar_type(obj) if obj in NUMPY_INEXACT else obj
        if not callable(obj):
            return obj
        if isinstance(obj, np.ufunc):
            return UfuncStandin(obj)
        try:
            b = BUILTIN_BY_OBJECT.get(obj)
        except TypeError:
            b = None
        if b is not None:
            return self.builtins[b]
        if self.through_rules and self._is_rule_helper(obj):
            return self.patch_function(obj)
        if self._has_rule(obj):
            return NumpyFunction(obj)
        mod = getattr(obj, "__module__", None) or ""
        if _root(mod) == "numpy" or mod in ("math", "cmath"):
            try:
                if obj in _OVERRIDES:
                    return NumpyFunction(obj)
            except TypeError:
                pass
            if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)) or (
                type(obj).__name__ == "_ArrayFunctionDispatcher"
            ):
                return NumpyFunction(obj)
            return obj
        if isinstance(obj, types.FunctionType):
            return self.patch_function(obj) if _is_user_function(obj) else obj
        if isinstance(obj, types.MethodType):
            f = self.translate(obj.__func__)
            return obj if f is obj.__func__ else types.MethodType(f, obj.__self__)
        if isinstance(obj, functools.partial):
            f = self.translate(obj.func)
            return obj if f is obj.func else functools.partial(f, *obj.args, **obj.keywords)
        return obj

    @staticmethod
    def _is_rule_helper(obj):
        return isinstance(obj, types.FunctionType) and (
            getattr(obj, "__module__", None) or "").startswith("ast_ad.rules.")

    def entry(self, f):
        """The callable the traced run starts from."""
        g = self.translate(f)
        if g is f and not isinstance(f, (types.FunctionType, types.MethodType)):
            call = next((vars(c)["__call__"] for c in type(f).__mro__
                         if "__call__" in vars(c)), None)
            if isinstance(call, types.FunctionType) and _is_user_function(call):
                return types.MethodType(self.translate(call), f)
        return g

    def patch_function(self, fn):
        g = self._globals.get(id(fn.__globals__))
        if g is None:
            g = PatchedGlobals(fn.__globals__, self)
            self._globals[id(fn.__globals__)] = g
        cells, todo = None, []
        if fn.__closure__:
            cells = []
            for c in fn.__closure__:
                try:
                    v = c.cell_contents
                except ValueError:  # not yet bound
                    cells.append(c)
                    continue
                if not _may_translate(v):
                    cells.append(c)
                else:
                    nc = types.CellType()
                    cells.append(nc)
                    todo.append((nc, v))
            cells = tuple(cells)
        new = types.FunctionType(fn.__code__, g, fn.__name__, fn.__defaults__, cells)
        new.__kwdefaults__ = fn.__kwdefaults__
        new.__qualname__ = fn.__qualname__
        new.__doc__ = fn.__doc__
        new.__module__ = fn.__module__
        new.__dict__.update(fn.__dict__)
        self._cache[id(fn)] = (fn, new)  # before the cells: recursion finds it
        for nc, v in todo:
            nc.cell_contents = self.translate(v)
        return new

