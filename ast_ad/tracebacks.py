"""Tracebacks of errors raised by generated code show the user's lines.

``rewrite(tb, hit_of, own)`` returns a new traceback chain in which

- each frame of generated code is preceded by a frame at the user's file and line it
  derives from (named after the user's function; its locals are a copy of the generated
  frame's, so a post-mortem debugger sees the values);
- the generated frame itself is kept only when its text differs from the user's line
  (an adjoint statement such as ``bW = outer(bh, x)`` says which part of the derivative
  failed; a forward statement that repeats the user's line says nothing more);
- ast_ad's own dispatch frames (``api.py``, the generated ``<ast_ad dispatch>``) are
  dropped.

The user's frame is made the way template engines make theirs: a one-statement code
object compiled under the user's filename, with the ``raise`` on the user's line and
spanning its width (so no caret marks a part of the line), executed once to obtain a
real frame.  Where the user's file cannot be read (code made by ``exec``) the generated
frame is kept as it is.

>>> import types
>>> tb = _user_frame(__file__, 1, "f", {})
>>> isinstance(tb, types.TracebackType), tb.tb_lineno, tb.tb_frame.f_code.co_name
(True, 1, 'f')
"""

from __future__ import annotations

import ast
import linecache
import sys
import types

_MARK = "__ast_ad_user_frame__"  # in the globals of the user frames made here


class _Raised(Exception):
    """Raised by the user's frame made here (and caught at once)."""


def rewrite(tb, hit_of, own):
    """The traceback ``tb`` with the user's frames (see the module docstring)."""
    entries = []
    while tb is not None:
        code = tb.tb_frame.f_code
        if own(code.co_filename):
            tb = tb.tb_next
            continue
        hit = hit_of(code.co_filename, tb.tb_lineno)
        if hit and entries and _MARK in entries[-1][0].f_globals and \
                (entries[-1][0].f_code.co_filename, entries[-1][2]) == (hit[0], hit[1]):
            hit = None  # rewritten before (a nested entry point): its user frame is there
        user = _user_frame(hit[0], hit[1], hit[3], tb.tb_frame.f_locals, hit[4]) \
            if hit else None
        if user is not None:
            entries.append((user.tb_frame, user.tb_lasti, user.tb_lineno))
        generated = linecache.getline(code.co_filename, tb.tb_lineno).strip()
        if user is None or _normal(generated) != _normal(hit[2]):  # (hit None: kept)
            entries.append((tb.tb_frame, tb.tb_lasti, tb.tb_lineno))
        tb = tb.tb_next
    out = None
    for frame, lasti, lineno in reversed(entries):
        out = types.TracebackType(out, frame, lasti, lineno)
    return out


def _normal(text):
    """``text`` as one canonical line of Python (quotes, spacing), else as it is."""
    try:
        return ast.unparse(ast.parse(text))
    except (SyntaxError, ValueError):
        return text


def _user_frame(filename, line, name, f_locals, first=1):
    """A traceback entry whose frame is at ``filename:line`` in a code object named
    ``name`` that starts at line ``first`` (the user's ``def``: pytest shows the function
    from there), or None when that line cannot be read."""
    raw = linecache.getline(filename, line) if line else ""
    if not raw.strip():
        return None
    first = first if 1 <= first <= line else line
    at = line - first + 1  # the raise's line in the text compiled (moved to ``first``)
    text = raw.rstrip("\r\n")
    indent = len(text) - len(text.lstrip()) if at >= 2 else 0
    marker = "_" * max(1, len(text.strip()) - len("raise "))
    head = "\n" * (at - 2) + "if 1:\n" if indent else "\n" * (at - 1)
    try:
        code = compile(f"{head}{' ' * indent}raise {marker}", filename, "exec")
        code = code.replace(co_name=name, co_firstlineno=first)
    except (SyntaxError, ValueError, TypeError):  # pragma: no cover
        return None
    scope = dict(f_locals)
    scope.pop(marker, None)
    try:
        exec(code, {"__name__": name, marker: _Raised(), _MARK: True}, scope)
    except _Raised:
        tb = sys.exc_info()[2]
        return tb.tb_next if tb is not None else None
    return None  # pragma: no cover
