"""What one transformation is asked for (``Request``) and what it works with (``Unit``).

Both are built once by the pipeline and handed to every stage as arguments.

>>> r = Request(wrt=("x",), arg_kinds={"x": float}, mode="joint")
>>> r.wrt, r.with_value, r.single
(('x',), False, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Request:
    wrt: tuple
    arg_kinds: dict  # parameter -> the Python type seen at the call (or Kind.NUM)
    mode: str = "joint"  # joint | split | forward | derivative
    with_value: bool = False
    single: bool = True
    static_args: dict = field(default_factory=dict)  # parameter -> function passed for it
    registry: Any = None
    aux: str | None = None  # has_aux: the name holding the auxiliary output
    arrays: dict = field(default_factory=dict)  # NumPy array parameter -> (ndim, dtype str)
    long: frozenset = frozenset()  # the array parameters without a dimension of length 1
    lengths: frozenset = frozenset()  # int parameters never 1 (a callee's: long_dims)


@dataclass(frozen=True)
class Unit:
    """The function being transformed and its tools."""

    fn: Any
    parsed: Any  # frontend.parse.ParsedFunction (file, line offset, text)
    env: Any  # frontend.resolve.Env
    namer: Any  # ir.naming.Namer (hands out fresh names; binds support objects)
    callees: Any  # callees.Callees
    tree: Any = None  # the normalized FunctionDef
    nested: dict = field(default_factory=dict)  # lifted nested defs: name -> function

    @property
    def params(self):
        a = self.tree.args
        var = [v.id for v in (a.vararg, a.kwarg) if v is not None]
        return [x.id for x in a.args] + [x.id for x in a.kwonlyargs] + var

    def where(self, node):
        return self.parsed.where(node)

    def ref(self, obj, hint=None):
        """An expression denoting the support object ``obj`` in generated code."""
        return self.namer.support_ref(obj, self.env, hint)
