"""Compile: generated text -> functions, registered in ``linecache``.

The final text is exactly what is compiled and what ``linecache`` serves to tracebacks
and pdb.  Support objects (rule helpers, callees) become closure cells of the generated
function; the user's own globals and closure cells are shared as they are (read live).
"""

from __future__ import annotations

import itertools
import linecache
import types

_counter = itertools.count(1)


def compile_functions(source, functions, unit):
    """Compile ``source`` inside a factory so support names become closure cells."""
    fn = unit.fn
    support = unit.namer.support
    user_cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    params = sorted(set(support) | set(user_cells))
    header = f"def __ast_ad_factory__({', '.join(params)}):\n"
    body = "".join("    " + line + "\n" if line else "\n" for line in source.splitlines())
    names = ", ".join(f.name for f in functions)
    text = header + body + f"    return ({names},)\n"
    filename = f"<ast_ad-{next(_counter)} {unit.tree.name}>"
    code = compile(text, filename, "exec")
    # linecache serves the text of source() (indented as compiled, without the factory
    # line), and the code objects are shifted up one line to match: a traceback's line
    # number is the line number in ast_ad.source(g)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    factory = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    factory = _shift_lines(factory, -1, 4)
    out = []
    for f in functions:
        inner = next(c for c in factory.co_consts
                     if isinstance(c, types.CodeType) and c.co_name == f.name)
        cells = []
        for v in inner.co_freevars:
            if v in user_cells:
                cells.append(user_cells[v])
            else:
                cells.append(types.CellType(support[v]))
        is_fwd = (f.name.endswith("_fwd") and len(functions) == 2) or \
            f.name.endswith(("_jvp", "_deriv"))
        func = types.FunctionType(inner, fn.__globals__, f.name,
                                  fn.__defaults__ if is_fwd else None, tuple(cells))
        if is_fwd and fn.__kwdefaults__:
            func.__kwdefaults__ = dict(fn.__kwdefaults__)
        out.append(func)
    return out


def _shift_lines(code, delta, dcol):
    """Move a code object (and its nested ones) ``delta`` lines and ``dcol`` columns left."""
    consts = tuple(_shift_lines(c, delta, dcol) if isinstance(c, types.CodeType) else c
                   for c in code.co_consts)
    first = max(1, code.co_firstlineno + delta)
    if not hasattr(code, "co_positions"):  # Python 3.10: lines only
        return code.replace(co_firstlineno=first, co_consts=consts)
    return code.replace(co_firstlineno=first, co_consts=consts,
                        co_linetable=_linetable(code, delta, dcol, first))


def _varint(out, v):
    while v >= 64:
        out.append(0x40 | (v & 63))
        v >>= 6
    out.append(v)


def _linetable(code, delta, dcol, first):
    """Re-encode the location table (CPython 3.11+): one long-form entry per run of up to
    8 code units at the same position, lines moved ``delta`` and columns ``dcol``."""
    out = bytearray()
    append = out.append
    prev = first
    runs = []  # (position, count): each run of equal positions, in pieces of 8 at most
    for pos, same in itertools.groupby(code.co_positions()):
        k = len(list(same))
        while k > 8:
            runs.append((pos, 8))
            k -= 8
        runs.append((pos, k))
    for (line, end, col, ecol), k in runs:
        if line is None:
            append(0x80 | (15 << 3) | (k - 1))
            continue
        line += delta
        append(0x80 | (14 << 3) | (k - 1))
        d = line - prev
        prev = line
        for v in ((-d << 1) | 1 if d < 0 else d << 1,
                  (end + delta - line) if end is not None else 0,
                  max(col - dcol, 0) + 1 if col is not None else 0,
                  max(ecol - dcol, 0) + 1 if ecol is not None else 0):
            if v < 64:
                append(v)
            else:
                _varint(out, v)
    return bytes(out)
