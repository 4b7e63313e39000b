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

import itertools

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


#: fields that never hold a node (names, flags, strings) and ``ctx``: not looked into
_SCALAR = frozenset({"ctx", "id", "attr", "arg", "kind", "type_comment", "level", "module",
                     "is_async", "conversion", "simple"})
_FIELDS: dict = {}  # node class -> the fields that may hold nodes


def _fields_of(cls):
    out = _FIELDS.get(cls)
    if out is None:
        out = _FIELDS[cls] = tuple(
            f for f in cls._fields if f not in _SCALAR and not (
                (cls is gast.Constant and f == "value") or
                (cls in (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef)
                 and f == "name") or (cls in (gast.Global, gast.Nonlocal) and f == "names")))
    return out


_NAME_FIELDS: dict = {}  # node class -> the fields that may hold a node but an operator


def _name_fields_of(cls):
    out = _NAME_FIELDS.get(cls)
    if out is None:
        out = _NAME_FIELDS[cls] = tuple(f for f in _fields_of(cls) if f not in ("op", "ops"))
    return out


def nodes(roots):
    """Every node under the nodes ``roots`` (a list of nodes or one node), depth-first in
    source order, like ``gast.walk`` (which is breadth-first) without its generator per
    node and without looking into name, flag and ``ctx`` fields (the hot loop of most
    passes)."""
    AST, fields = gast.AST, _FIELDS
    stack = list(roots) if isinstance(roots, list) else [roots]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        n = pop()
        fs = fields.get(type(n))
        if fs is None:
            if not isinstance(n, AST):  # (lists may hold strings: Global.names)
                continue
            fs = _fields_of(type(n))
        yield n
        for f in fs:
            v = getattr(n, f, None)
            if v is None:
                continue
            if type(v) is list:
                if v:
                    extend(v[::-1])
            else:
                push(v)


def name_nodes(roots) -> list:
    """The ``Name`` nodes among ``nodes(roots)``, in its order, as a list (its walk
    written out: no generator, no test of each node by the caller)."""
    return nodes_of(roots, gast.Name)


def nodes_of(roots, cls) -> list:
    """The nodes of class ``cls`` (exactly, or of one of a tuple of classes; not an
    operator's class) among ``nodes(roots)``, in its order, as a list (its walk written
    out: no generator, no test of each node by the caller, no operator visited)."""
    AST, fields, Name = gast.AST, _NAME_FIELDS, gast.Name
    wanted = cls if isinstance(cls, tuple) else (cls,)
    out = []
    stack = list(roots) if isinstance(roots, list) else [roots]
    pop, push, extend, found = stack.pop, stack.append, stack.extend, out.append
    while stack:
        n = pop()
        t = type(n)
        if t in wanted:
            found(n)
            if t is Name and getattr(n, "annotation", None) is None:
                continue
        fs = fields.get(t)
        if fs is None:
            if not isinstance(n, AST):
                continue
            fs = _name_fields_of(t)
        for f in fs:
            v = getattr(n, f, None)
            if v is None:
                continue
            if type(v) is list:
                if v:
                    extend(v[::-1])
            else:
                push(v)
    return out


def children(n):
    """The nodes directly under ``n`` (``gast.iter_child_nodes`` without ``ctx``)."""
    out = []
    cls = type(n)
    for f in _FIELDS.get(cls) or _fields_of(cls):
        v = getattr(n, f, None)
        if type(v) is list:
            out.extend(x for x in v if isinstance(x, gast.AST))
        elif isinstance(v, gast.AST):
            out.append(v)
    return out


def is_loop(stmt) -> bool:
    spec = _BLOCKS.get(type(stmt))
    return spec is not None and spec[1]


def statements(stmts, depth=0):
    """Yield ``(stmt, loop_depth)`` for every statement, depth-first in program order."""
    stack = [(iter(stmts), depth)]  # (one generator for the whole walk, not one per block)
    while stack:
        it, d = stack[-1]
        for s in it:
            yield s, d
            spec = _BLOCKS.get(type(s))
            if spec is not None:
                blocks = [b for _, b in blocks_of(s)]
                stack.append((itertools.chain.from_iterable(blocks), d + 1 if spec[1] else d))
                break
        else:
            stack.pop()


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


_MISSING = object()


class Transformer(gast.NodeTransformer):
    """``gast.NodeTransformer`` with the same contract, faster: the ``visit_`` method is
    looked up once per (transformer class, node class), ``ctx`` nodes are not visited,
    and constants skip the base class's deprecated-name checks.

    >>> class Neg(Transformer):
    ...     def visit_Constant(self, node):
    ...         return gast.Constant(value=-node.value, kind=None)
    >>> tree = Neg().visit(gast.parse("y = x + 2"))
    >>> gast.unparse(tree).strip()
    'y = x + -2'
    """

    def visit(self, node):
        cls = type(self)
        table = cls.__dict__.get("_visit_table")
        if table is None:
            table = _table(cls)
        fn = table.get(type(node), _MISSING)
        if fn is _MISSING:
            fn = _visitor(cls, table, type(node))
        if fn is None:
            return self.generic_visit(node)
        return fn(self, node)

    def generic_visit(self, node):
        AST, Name = gast.AST, gast.Name
        table = type(self).__dict__.get("_visit_table")
        if table is None:
            table = _table(type(self))
        leaves = table[_LEAVES]
        fs = _FIELDS.get(type(node))
        for f in _fields_of(type(node)) if fs is None else fs:
            old = getattr(node, f, None)
            if type(old) is list:
                new = []
                for v in old:
                    if isinstance(v, AST):
                        t = type(v)
                        if t in leaves and (
                                t is not Name or getattr(v, "annotation", None) is None):
                            new.append(v)  # (a leaf without a visit_ method: itself)
                            continue
                        v = self.visit(v)
                        if v is None:
                            continue
                        if not isinstance(v, AST):
                            new.extend(v)
                            continue
                    new.append(v)
                old[:] = new
            elif isinstance(old, AST):
                t = type(old)
                if t in leaves and (t is not Name or getattr(old, "annotation", None) is None):
                    continue
                r = self.visit(old)
                if r is None:
                    delattr(node, f)
                elif r is not old:
                    setattr(node, f, r)
        return node


_LEAVES = object()  # (a visit table's key: the node classes not visited, see _table)


def _table(cls):
    """A transformer class's table, kept on the class: node class -> its ``visit_``
    method or None; ``_LEAVES`` -> the node classes seen without a ``visit_`` method and
    without fields (and ``Name``, its annotation aside), when ``visit`` and
    ``generic_visit`` are Transformer's own: such a node is not visited at all (visiting
    it would return it unchanged)."""
    table = {_LEAVES: set()}
    cls._visit_table = table
    return table


def _visitor(cls, table, node_cls):
    fn = getattr(cls, "visit_" + node_cls.__name__, None)
    if fn is getattr(gast.NodeVisitor, "visit_Constant", None):
        fn = None
    table[node_cls] = fn
    if fn is None and (node_cls is gast.Name or _fields_of(node_cls) == ()) and \
            cls.visit is Transformer.visit and cls.generic_visit is Transformer.generic_visit:
        table[_LEAVES].add(node_cls)
    return fn
