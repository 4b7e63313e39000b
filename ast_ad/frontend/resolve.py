"""Resolve: bind the free names of a function to objects.

A name read in the body is a local (parameter or assigned somewhere in the body), a
closure variable, a global of the function's module, or a builtin.  ``Env.lookup``
resolves a ``Name`` or an attribute chain rooted at a non-local name (``np.linalg.norm``)
to the object it denotes *now*; locals resolve to ``LOCAL``.

Before: ``np.sin(x)`` in ``def f(x)`` with ``import numpy as np`` at module level.
After:  ``env.lookup(<np.sin>) -> np.sin`` (the ufunc object); ``env.lookup(<x>) -> LOCAL``.
"""

from __future__ import annotations

import builtins

import gast

from ..ir.nodes import attr_chain

LOCAL = object()
MISSING = object()


class Env:
    def __init__(self, globals_: dict, closure: dict, local_names: set, parent=None):
        self.globals = globals_
        self.closure = closure  # name -> cell
        self.locals = set(local_names)
        self.parent = parent  # Env of an enclosing generated function (nested defs)

    @classmethod
    def of_function(cls, fn, local_names: set) -> "Env":
        code = fn.__code__
        cells = dict(zip(code.co_freevars, fn.__closure__ or ()))
        return cls(fn.__globals__, cells, local_names)

    def is_local(self, name: str) -> bool:
        return name in self.locals

    def lookup_name(self, name: str):
        if name in self.locals:
            return LOCAL
        if name in self.closure:
            try:
                return self.closure[name].cell_contents
            except ValueError:
                return MISSING
        if self.parent is not None:
            return self.parent.lookup_name(name)
        if name in self.globals:
            return self.globals[name]
        b = self.globals.get("__builtins__", builtins)
        b = b if isinstance(b, dict) else vars(b)
        return b.get(name, MISSING)

    def lookup(self, node):
        """The object a Name/Attribute chain denotes, LOCAL, or MISSING."""
        chain = attr_chain(node)
        if chain is None:
            return MISSING
        obj = self.lookup_name(chain[0])
        if obj is LOCAL or obj is MISSING:
            return obj
        for part in chain[1:]:
            try:
                obj = getattr(obj, part)
            except Exception:
                return MISSING
        return obj

    def is_static(self, node) -> bool:
        """True for a Name/attribute chain whose root is not a local."""
        chain = attr_chain(node)
        return chain is not None and not self.is_local(chain[0])


def root_name(node) -> str | None:
    while isinstance(node, gast.Attribute):
        node = node.value
    return node.id if isinstance(node, gast.Name) else None
