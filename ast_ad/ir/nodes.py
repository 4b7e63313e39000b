"""Small constructors and predicates for gast nodes, shared by the passes."""

from __future__ import annotations

import gast

from .walk import _FIELDS, _fields_of
from .walk import name_nodes as _name_nodes

_Name, _Load, _Store, _Constant = gast.Name, gast.Load, gast.Store, gast.Constant
_Assign, _Call = gast.Assign, gast.Call
# (the constructors below fill a node's fields directly: gast's keyword __init__ is most
# of the cost of building the adjoint's many small nodes)


def name(id_: str, ctx=None) -> gast.Name:
    n = _Name.__new__(_Name)
    d = n.__dict__
    d["id"] = id_
    d["ctx"] = ctx if ctx is not None else _Load.__new__(_Load)
    d["annotation"] = d["type_comment"] = None
    return n


def store(id_: str) -> gast.Name:
    return name(id_, _Store.__new__(_Store))


def const(v) -> gast.Constant:
    n = _Constant.__new__(_Constant)
    d = n.__dict__
    d["value"] = v
    d["kind"] = None
    return n


def assign(target, value, loc=None) -> gast.Assign:
    if isinstance(target, str):
        target = store(target)
    node = _Assign.__new__(_Assign)
    d = node.__dict__
    d["targets"] = [target]
    d["value"] = value
    d["type_comment"] = None
    if loc is not None:
        gast.copy_location(node, loc)
    return node


def call(func, args=(), keywords=()) -> gast.Call:
    if isinstance(func, str):
        func = name(func)
    node = _Call.__new__(_Call)
    d = node.__dict__
    d["func"] = func
    d["args"] = list(args)
    d["keywords"] = list(keywords)
    return node


def expr_stmt(value, loc=None) -> gast.Expr:
    node = gast.Expr(value=value)
    if loc is not None:
        gast.copy_location(node, loc)
    return node


def if_(test, body, orelse=(), loc=None) -> gast.If:
    node = gast.If(test=test, body=list(body) or [gast.Pass()], orelse=list(orelse))
    if loc is not None:
        gast.copy_location(node, loc)
    return node


def not_(e) -> gast.UnaryOp:
    return gast.UnaryOp(op=gast.Not(), operand=e)


def key(e) -> str:
    """A cheap exact text key of an expression: equal keys, equal expressions (names,
    dotted attributes and constants spelled short, anything else ``gast.dump``)."""
    t = type(e)
    if t is gast.Name:
        return e.id
    if t is gast.Attribute and type(e.value) in (gast.Name, gast.Attribute):
        return key(e.value) + "." + e.attr
    if t is gast.Constant:
        return f"#{type(e.value).__name__}:{e.value!r}"
    return _dump(e)


_PLAIN = (str, int, float, bool, type(None))


def _dump(node):
    """``gast.dump(node)`` (its default options: the same text), without its generic
    formatter's per-node closures and layout bookkeeping."""
    if isinstance(node, gast.AST):
        cls = type(node)
        args = []
        for f in node._fields:
            try:
                value = getattr(node, f)
            except AttributeError:
                continue
            if value is None and getattr(cls, f, 42) is None:
                continue
            if type(value) is list:
                if not value:
                    continue
            elif not (type(value) in _PLAIN or isinstance(value, gast.AST)) and value == []:
                continue
            args.append(f"{f}={_dump(value)}")
        return f"{cls.__name__}({', '.join(args)})"
    if isinstance(node, list):
        return f"[{', '.join(_dump(x) for x in node)}]" if node else "[]"
    return repr(node)


def is_atom(e) -> bool:
    return isinstance(e, (gast.Name, gast.Constant))


def attr_chain(e) -> list | None:
    """``np.linalg.norm`` -> ['np', 'linalg', 'norm']; None if not a plain chain."""
    parts = []
    while isinstance(e, gast.Attribute):
        parts.append(e.attr)
        e = e.value
    if isinstance(e, gast.Name):
        parts.append(e.id)
        return parts[::-1]
    return None


def names_in(node) -> set:
    return {n.id for n in _name_nodes(node)}


def stored_names(stmts) -> set:
    """Names assigned anywhere in ``stmts`` (not inside nested function bodies)."""
    out = set()
    todo = list(stmts)
    pop, push, extend = todo.pop, todo.append, todo.extend
    AST, FD, AFD, Lam, Name, Store = (gast.AST, gast.FunctionDef, gast.AsyncFunctionDef,
                                      gast.Lambda, gast.Name, gast.Store)
    fields = _FIELDS
    while todo:
        n = pop()
        t = type(n)
        if t is Name:
            if isinstance(n.ctx, Store):
                out.add(n.id)
            continue  # (its annotation is no binding)
        if t is FD or t is AFD:
            out.add(n.name)
            continue
        if t is Lam or not isinstance(n, AST):
            continue
        fs = fields.get(t)
        for f in _fields_of(t) if fs is None else fs:
            v = getattr(n, f, None)
            if type(v) is list:
                extend(v)
            elif v is not None:
                push(v)
    return out


def copy_loc(new, old):
    if old is not None and hasattr(old, "lineno"):
        gast.copy_location(new, old)
    return new


_NAME_KEYS = frozenset(("id", "ctx", "annotation", "type_comment", "lineno", "col_offset",
                        "end_lineno", "end_col_offset", "_ast_ad"))


def clone(n):
    """A deep copy of a gast tree (much faster than copy.deepcopy; keeps annotations)."""
    if type(n) is _Name and n.__dict__.keys() <= _NAME_KEYS:  # the most cloned node
        new = _Name.__new__(_Name)
        d = new.__dict__
        d.update(n.__dict__)
        ctx = d.get("ctx")
        if ctx is not None:
            d["ctx"] = clone(ctx)
        if d.get("annotation") is not None:
            d["annotation"] = clone(d["annotation"])
        if "_ast_ad" in d:
            d["_ast_ad"] = dict(d["_ast_ad"])
        return new
    if isinstance(n, list):
        return [clone(x) for x in n]
    if isinstance(n, gast.AST):
        new = n.__class__.__new__(n.__class__)
        d = new.__dict__
        for k, v in n.__dict__.items():
            d[k] = clone(v) if isinstance(v, (list, gast.AST)) else \
                dict(v) if k == "_ast_ad" else v  # annotations: frozen values, own dict
        return new
    return n


def substituted(n, mapping):
    """A copy of the tree ``n`` in which every ``Name`` whose id is in ``mapping`` is a
    copy of the mapped expression (one pass; rule templates are instantiated with it)."""
    t = type(n)
    if t is _Name:
        if n.id in mapping:
            return clone(mapping[n.id])
        if getattr(n, "annotation", None) is None:
            return clone(n)  # (no name inside it to replace: its copy)
    if t is list:
        return [substituted(x, mapping) for x in n]
    if isinstance(n, gast.Name) and n.id in mapping:
        return clone(mapping[n.id])
    if isinstance(n, gast.AST):
        new = t.__new__(t)
        d = new.__dict__
        for k, v in n.__dict__.items():
            d[k] = substituted(v, mapping) if isinstance(v, (list, gast.AST)) else \
                dict(v) if k == "_ast_ad" else v
        return new
    if isinstance(n, list):
        return [substituted(x, mapping) for x in n]
    return n


def replace_loads(n, name, e):
    """Loads of ``name`` inside ``n`` become copies of ``e``, in place; returns ``n``
    (or the copy, when ``n`` itself is such a load)."""
    if isinstance(n, gast.Name):
        return clone(e) if n.id == name and isinstance(n.ctx, gast.Load) else n
    AST, Name, Load = gast.AST, gast.Name, gast.Load
    stack = [n]
    while stack:
        x = stack.pop()
        for f in x._fields:
            v = getattr(x, f, None)
            if type(v) is list:
                for i, c in enumerate(v):
                    if type(c) is Name:
                        if c.id == name and isinstance(c.ctx, Load):
                            v[i] = clone(e)
                    elif isinstance(c, AST):
                        stack.append(c)
            elif type(v) is Name:
                if v.id == name and isinstance(v.ctx, Load):
                    setattr(x, f, clone(e))
            elif isinstance(v, AST) and f != "ctx":
                stack.append(v)
    return n


def index_expr(sl):
    """A load expression for a subscript's index (slices become ``slice(...)`` calls)."""
    if isinstance(sl, gast.Slice):
        parts = [sl.lower or const(None), sl.upper or const(None), sl.step or const(None)]
        return call("slice", [clone(p) for p in parts])
    if isinstance(sl, gast.Tuple):
        return gast.Tuple(elts=[index_expr(e) for e in sl.elts], ctx=gast.Load())
    return clone(sl)
