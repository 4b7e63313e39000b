"""Render: generated function trees -> deterministic text, with comments naming the
user's lines.

The text is produced by ``gast.unparse`` (gast bundles a port of CPython's unparser, so
no third-party code generator is needed).  Unparsing drops comments, so each block is
preceded by a string marker statement (``mark_lines``) that is replaced by a ``# ...``
comment naming the user's line afterwards.
"""

from __future__ import annotations

import gast

from ..ir import nodes as N
from ..ir.walk import map_blocks, nodes

_MARK = "__ast_ad_line__"


def mark_lines(stmts, last=None):
    """Insert a marker before each block that comes from a new user line (rendered as a
    comment naming that line)."""
    out = []
    for s in stmts:
        ln = getattr(s, "lineno", None)
        if ln is not None and ln != last and not isinstance(s, gast.Return):
            out.append(N.expr_stmt(N.const(f"{_MARK}{ln}")))
            last = ln
        map_blocks(s, lambda b, last=last: mark_lines(b, last))
        out.append(s)
    return out


def render(functions, parsed) -> str:
    lines = parsed_lines(parsed)
    chunks = []
    for f in functions:
        _statement_lines([f], 1)
        text = _unparse(gast.Module(body=[f], type_ignores=[]))
        out = []
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.lstrip("'\"").startswith(_MARK) and stripped[:1] in "'\"":
                ln = int(stripped.strip("'\"")[len(_MARK):])
                indent = line[: len(line) - len(line.lstrip())]
                src = lines.get(ln, "").strip()
                out.append(f"{indent}# {src}  [line {ln + parsed.line_offset}]")
            else:
                out.append(line)
        chunks.append("\n".join(out))
    return "\n\n".join(chunks) + "\n"


def _unparse(module) -> str:
    """``gast.unparse``, except for an f-string with a control character in its text
    (``f"\\r{i}/{n}"``), which gast's unparser drops or writes across lines: CPython's
    ``ast.unparse`` keeps it escaped, on one line."""
    text = gast.unparse(module)
    if "f'" not in text and 'f"' not in text:
        return text  # (no f-string: every one is written with its prefix, f then a quote)
    if any(isinstance(n, gast.JoinedStr) and any(
            isinstance(v, gast.Constant) and isinstance(v.value, str) and
            any(ord(c) < 32 for c in v.value) for v in n.values) for n in nodes(module)):
        import ast

        return ast.unparse(gast.gast_to_ast(module))
    return text


def _statement_lines(body, line):
    """A statement without a line number takes its parent's (what ``fix_missing_locations``
    does, for statements only: the unparser and the error table read no other)."""
    for s in body:
        if hasattr(s, "lineno"):
            line = s.lineno
        else:
            s.lineno = line
        for field in ("body", "orelse", "finalbody", "handlers"):
            sub = getattr(s, field, None)
            if isinstance(sub, list):
                _statement_lines(sub, line)


def parsed_lines(parsed):
    """{line number in the parsed text: line} for the comments naming user lines."""
    return {i + 1: line for i, line in enumerate(parsed.text.splitlines())}


