"""The one statement walker: every pass visits nested blocks through these functions,
so a new compound statement is taught here once.

>>> import gast
>>> t = gast.parse("for i in r:\\n    if c:\\n        a = 1\\n    b = 2\\nz = 3").body
>>> [(type(s).__name__, d) for s, d in statements(t)]
[('For', 0), ('If', 1), ('Assign', 1), ('Assign', 1), ('Assign', 0)]
>>> [f for f, _ in blocks_of(t[0])]
['body', 'orelse']
"""

from __future__ import annotations

import gast

#: compound statement -> (its statement-list fields, whether its body repeats)
_BLOCKS = {
    gast.If: (("body", "orelse"), False),
    gast.For: (("body", "orelse"), True),
    gast.While: (("body", "orelse"), True),
    gast.With: (("body",), False),
    gast.Try: (("body", "orelse", "finalbody"), False),
}


def blocks_of(stmt):
    """``[(field, statements)]`` of the blocks directly inside ``stmt`` (not nested defs)."""
    spec = _BLOCKS.get(type(stmt))
    if spec is None:
        return []
    out = [(f, getattr(stmt, f)) for f in spec[0]]
    if isinstance(stmt, gast.Try):
        out[1:1] = [("handler", h.body) for h in stmt.handlers]
    return out


def nodes(roots):
    """Every node under the nodes ``roots`` (a list of nodes or one node), like
    ``gast.walk`` but without its generator per node (the optimizer's hot loop)."""
    AST = gast.AST
    stack = list(roots) if isinstance(roots, list) else [roots]
    while stack:
        n = stack.pop()
        yield n
        for f in n._fields:
            v = getattr(n, f, None)
            if type(v) is list:
                stack.extend(x for x in reversed(v) if isinstance(x, AST))
            elif isinstance(v, AST) and f != "ctx":
                stack.append(v)


def is_loop(stmt) -> bool:
    spec = _BLOCKS.get(type(stmt))
    return spec is not None and spec[1]


def statements(stmts, depth=0):
    """Yield ``(stmt, loop_depth)`` for every statement, depth-first in program order."""
    for s in stmts:
        yield s, depth
        inner = depth + 1 if is_loop(s) else depth
        for _, block in blocks_of(s):
            yield from statements(block, inner)


def map_blocks(stmt, fn) -> None:
    """Replace each block ``b`` directly inside ``stmt`` by ``fn(b)`` (in place)."""
    for field, block in blocks_of(stmt):
        if field == "handler":
            continue
        setattr(stmt, field, fn(block))
    if isinstance(stmt, gast.Try):
        for h in stmt.handlers:
            h.body = fn(h.body)


def rebuild(stmts, fn):
    """``fn`` applied bottom-up: blocks first, then each statement (may return None to
    drop it, a statement, or a list of statements)."""
    out = []
    for s in stmts:
        map_blocks(s, lambda b: rebuild(b, fn))
        r = fn(s)
        if r is None:
            continue
        out.extend(r if isinstance(r, list) else [r])
    return out
