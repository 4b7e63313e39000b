"""Errors raised by generated code name the user's line they come from.

At code generation, ``register`` pairs every statement of the rendered text with the
statement of the generated tree it was printed from; the tree's statements carry the
user's line numbers.  When a gradient call raises, ``annotate`` finds the innermost frame
of generated code in the traceback, looks its line up, and adds a note (PEP 678
``add_note`` where it exists, else ``__notes__`` plus the message) such as
``while differentiating loss (model.py:8: h = W @ x)``; ast_ad's own frames between the
caller and the generated code are trimmed from the traceback.

>>> import numpy as np, ast_ad
>>> def loss(W, x):
...     h = W @ x
...     return np.sum(h)
>>> try:
...     ast_ad.grad(loss)(np.ones((2, 3)), np.ones(2))
... except ValueError as e:
...     print(e.__notes__[0].split(" (")[0])
while differentiating loss
"""

from __future__ import annotations

import ast
import atexit  # noqa: F401  (weakref.finalize imports it at its first use: here, not then)
import os
import weakref

from . import tracebacks
from .errors import AstAdError

#: generated filename -> {generated line: (user file, user line, text, user function's
#: name, its def's line)}, or a _Pending table not built yet
_TABLES: dict = {}
_HAS_NOTES = hasattr(BaseException, "add_note")
_OWN = os.path.dirname(os.path.abspath(__file__))


def _statements(body):
    for s in body:
        yield s
        for field in ("body", "orelse", "finalbody", "handlers"):
            sub = getattr(s, field, None)
            if isinstance(sub, list):
                yield from _statements(sub)


def _is_marker(s):
    v = getattr(s, "value", None)
    return type(s).__name__ == "Expr" and type(v).__name__ == "Constant" and \
        isinstance(v.value, str) and v.value.startswith("__ast_ad_line__")


def register(compiled, functions, unit, source):
    """Record the line table of one generated text (called by ``codegen.emit``): the user
    lines of the generated statements now, their lines in the text when first needed."""
    parsed = unit.parsed
    gens = [[getattr(s, "lineno", None) for s in _statements(f.body) if not _is_marker(s)]
            for f in functions]
    fname = getattr(unit.fn, "__name__", None) or "<lambda>"
    first = getattr(parsed.tree, "lineno", 1) + parsed.line_offset  # the def's line
    pending = _Pending(gens, source, parsed.filename, parsed.line_offset, parsed.text,
                       (fname, first))
    for fn in compiled:
        name = fn.__code__.co_filename
        _TABLES[name] = pending
        weakref.finalize(fn, _TABLES.pop, name, None)


class _Pending:
    """A line table not built yet (most generated code never raises)."""

    def __init__(self, gens, source, filename, offset, text, function):
        self.args = (gens, source, filename, offset, text, function)

    def build(self):
        gens, source, filename, offset, text, function = self.args
        try:
            tree = ast.parse(source)
        except SyntaxError:  # pragma: no cover
            return {}
        lines = text.splitlines()
        table = {}
        defs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        for gen, d in zip(gens, defs):
            txt = list(_statements(d.body))
            if len(gen) != len(txt):
                continue
            for ln, t in zip(gen, txt):
                if ln is None or not (1 <= ln <= len(lines)):
                    continue
                hit = (filename, ln + offset, lines[ln - 1].strip()) + function
                table[t.lineno] = _lookup(_table(filename), hit[1]) or hit  # gen. of gen.
        return table


def _table(filename):
    table = _TABLES.get(filename)
    if isinstance(table, _Pending):
        table = _TABLES[filename] = table.build()
    return table


def user_where(filename, line):
    """(user file, user line) that line ``line`` of the generated text ``filename`` derives
    from (errors found while transforming generated code again: ``hessian``, grad of grad);
    other places are returned unchanged."""
    hit = _lookup(_table(filename), line)
    return (hit[0], hit[1]) if hit is not None else (filename, line)


def _lookup(table, line):
    """The entry of ``table`` for generated line ``line`` (a continuation line: the
    nearest statement above), or None."""
    if not table or line is None:
        return None
    hit = table.get(line)
    if hit is None:
        above = [k for k in table if k <= line]
        hit = table[max(above)] if above else None
    return hit


def _hit(filename, line):
    return _lookup(_table(filename), line)


def where(exc):
    """(user file, user line, user text, user function) of the innermost frame of
    generated code in ``exc``'s traceback, or None."""
    tb, found = exc.__traceback__, None
    while tb is not None:
        hit = _hit(tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        found = hit or found
        tb = tb.tb_next
    return found


def annotate(exc, name):
    """Add the note naming the user's line (once) and show the user's lines in place of
    generated ones, without ast_ad's own dispatch frames (``tracebacks.py``)."""
    hit, noted = where(exc), getattr(exc, "_ast_ad_noted", False)
    if hit is None and not noted:
        return exc
    if not noted:
        _add_note(exc, name, hit)
    try:
        exc.__traceback__ = tracebacks.rewrite(exc.__traceback__, _hit, _own)
    except Exception:  # pragma: no cover - never hide the user's error behind ours
        pass
    return exc


def _add_note(exc, name, hit):
    file, line, text = hit[:3]
    if text.startswith(("def ", "async def ")):  # the output's own check
        text = f"the output of {name}"
    note = f"while differentiating {name} ({os.path.basename(file)}:{line}: {text})"
    if isinstance(exc, AstAdError) and exc.filename is None:  # (found at run time)
        exc.filename, exc.lineno = file, line
    try:
        exc._ast_ad_noted = True
        if _HAS_NOTES:
            exc.add_note(note)
        else:  # Python 3.10: the notes are not printed, so the message carries it too
            exc.__notes__ = list(getattr(exc, "__notes__", [])) + [note]
            if exc.args and isinstance(exc.args[0], str):
                exc.args = (f"{exc.args[0]}\n{note}",) + exc.args[1:]
            else:
                exc.args = exc.args + (note,)
    except (AttributeError, TypeError):  # an exception type that takes no attributes
        pass


def _own(filename):
    """ast_ad's dispatch: the generated dispatchers, api.py, forward_api.py."""
    return filename.startswith("<ast_ad dispatch") or (
        os.path.abspath(filename).startswith(_OWN + os.sep) and
        os.path.basename(filename) in ("api.py", "forward_api.py"))
