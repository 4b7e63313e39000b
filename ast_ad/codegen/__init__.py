"""Codegen: render the generated trees to text, compile it, register it.

>>> import gast
>>> from types import SimpleNamespace
>>> t = gast.parse("def f_grad(x):\\n    return 2.0 * x").body
>>> parsed = SimpleNamespace(text="", line_offset=0)
>>> print(render(t, parsed).strip())
def f_grad(x):
    return 2.0 * x
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import errnotes  # the line table for errors raised by generated code
from .compile import compile_functions
from .render import mark_lines, render  # noqa: F401  (mark_lines: used by assembly)


@dataclass(frozen=True)
class Generated:
    """The result of one transformation: its text, its compiled functions, and the
    global helpers it was specialised on (checked by the caches)."""

    source: str
    compiled: list
    guards: tuple = ()
    tangent_names: Any = None


def emit(functions, unit, guards=(), tangent_names=None) -> Generated:
    """Render, compile and register ``functions``; the text is exactly what runs."""
    source = render(functions, unit.parsed)
    compiled = compile_functions(source, functions, unit)
    errnotes.register(compiled, functions, unit, source)
    return Generated(source, compiled, guards, tangent_names)
