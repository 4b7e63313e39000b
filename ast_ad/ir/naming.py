"""Deterministic, capture-free names for generated code.

Every name the user's function mentions is reserved; generated names (temporaries
``_t1``, adjoints ``bx``, aliases of support objects) never collide with one of them.
Names are handed out in order, so the same input always gives the same text.
"""

from __future__ import annotations

import math
import re

import gast
import numpy as np

from . import nodes as N

_MODULES = (("np", np), ("numpy", np), ("math", math))
_NONWORD = re.compile(r"\W")


class Namer:
    def __init__(self, reserved=()):
        self.reserved = set(reserved)
        self.counters = {}
        self.support = {}  # alias -> object (bound as closure cells in generated code)
        self.generated = set()  # every name handed out by fresh()
        self._alias_of = {}  # id(obj) -> alias
        self._refs = {}  # (id(obj), hint, id(env)) -> (support_ref's expression, obj, env)
        # (mapping, key, object) the code assumes beyond its calls' own guards: a user
        # function replaced by a variant (passes/anf_forms.py) still regenerates on rebinding
        self.guards = []

    def fresh(self, hint: str) -> str:
        """A new name from ``hint``: '_t' -> '_t1', '_t2'...; 'bx' -> 'bx', 'bx_1'..."""
        hint = _NONWORD.sub("_", hint) or "_v"
        numbered = hint in ("_t", "_b", "_c", "_u", "_s", "_k", "_r", "_w", "_f", "_l", "_d",
                            "_n", "_g", "_jump", "_brk", "_ret", "_retval", "_seq")
        if not numbered and hint not in self.reserved:
            self.reserved.add(hint)
            self.generated.add(hint)
            return hint
        k = self.counters.get(hint, 0)
        while True:
            k += 1
            cand = f"{hint}{k}" if numbered else f"{hint}_{k}"
            if cand not in self.reserved:
                self.counters[hint] = k
                self.reserved.add(cand)
                self.generated.add(cand)
                return cand

    def support_ref(self, obj, env=None, hint: str | None = None, copy=True):
        """An expression denoting ``obj`` in generated code (``copy=False``: the one kept
        here, for a caller that only reads it or copies it itself)."""
        key = (id(obj), hint, id(env))
        found = self._refs.get(key)
        if found is None:  # (obj and env kept alive with it: their ids stay theirs)
            found = self._refs[key] = (self._support_ref(obj, env, hint), obj, env)
        return N.clone(found[0]) if copy else found[0]

    def _support_ref(self, obj, env, hint):
        if env is not None:
            if hint and not env.is_local(hint) and env.lookup_name(hint) is obj:
                return N.name(hint)
            short = getattr(obj, "__name__", None)
            if short and not isinstance(short, str):
                short = None
            for modname, mod in _MODULES:
                if short and mod.__dict__.get(short) is obj and env.lookup_name(modname) is mod:
                    return gast.Attribute(value=N.name(modname), attr=short, ctx=gast.Load())
            if short and not env.is_local(short) and env.lookup_name(short) is obj:
                return N.name(short)
        return N.name(self.alias(obj, hint))

    def alias(self, obj, hint=None) -> str:
        key = id(obj)
        if key in self._alias_of:
            return self._alias_of[key]
        base = hint or getattr(obj, "__name__", None) or "obj"
        base = _NONWORD.sub("_", base)
        a = self.fresh(base if base not in self.reserved else base)
        self.support[a] = obj
        self._alias_of[key] = a
        return a
