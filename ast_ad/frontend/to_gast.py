"""``gast.ast_to_gast`` without its visitor machinery: a stdlib ``ast`` tree -> the same
gast tree (the same classes, fields, locations and field order), for the Python versions
whose conversion rules are written out here (3.10, 3.11); others use gast's own.

gast converts node by node through ``ast.NodeTransformer`` dispatch, keyword
construction and ``copy_location`` calls; this fills each node's fields directly (most
of parsing a user's function was that conversion).

>>> import ast, gast
>>> tree = ast.parse("def f(x, *, k=1):\\n    try:\\n        return x[0] + k\\n"
...                  "    except E as e:\\n        pass")
>>> gast.dump(to_gast(tree), include_attributes=True) == gast.dump(
...     gast.ast_to_gast(tree), include_attributes=True)
True
"""

from __future__ import annotations

import ast
import sys

import gast

_FAST = (3, 10) <= sys.version_info[:2] < (3, 12)
_LOC = ("lineno", "col_offset", "end_lineno", "end_col_offset")
_SPECS: dict = {}  # ast class -> (gast class or None, fields, attributes, special)
_DEFS = {ast.FunctionDef: "def", ast.AsyncFunctionDef: "def", ast.ClassDef: "class",
         ast.Name: "name", ast.arg: "arg", ast.ExceptHandler: "handler"}


def to_gast(node):
    """The gast form of the ``ast`` tree ``node`` (what ``gast.ast_to_gast`` returns)."""
    if not _FAST:
        return gast.ast_to_gast(node)
    return _convert(node)


def _spec(cls):
    g = getattr(gast, cls.__name__, None)
    out = _SPECS[cls] = (g, cls._fields, cls._attributes, _DEFS.get(cls))
    return out


def _locate(new, old, attrs):
    d = new.__dict__
    for a in _LOC:  # (copy_location: the attributes both kinds of node have)
        if a in attrs and hasattr(old, a):
            d[a] = getattr(old, a)
    return new


def _convert(node):
    if type(node) is list:
        return [_convert(x) for x in node]
    if not isinstance(node, ast.AST):
        return node
    spec = _SPECS.get(type(node)) or _spec(type(node))
    g, fields, attrs, special = spec
    if special is not None:
        if special == "name":
            new = gast.Name(node.id, _convert(node.ctx), None, None)
            return _locate(new, node, attrs)
        if special == "arg":
            new = gast.Name(node.arg, gast.Param(), _convert(node.annotation),
                            _convert(node.type_comment))
            return _locate(new, node, attrs)
        if special == "handler" and node.name:
            new = gast.ExceptHandler(_convert(node.type),
                                     gast.Name(node.name, gast.Store(), None, None),
                                     _convert(node.body))
            return _locate(new, node, attrs)
        if special == "def":
            new = g(_convert(node.name), _convert(node.args), _convert(node.body),
                    _convert(node.decorator_list), _convert(node.returns),
                    _convert(node.type_comment), [])
            return _locate(new, node, attrs)
        if special == "class":
            new = g(_convert(node.name), _convert(node.bases), _convert(node.keywords),
                    _convert(node.body), _convert(node.decorator_list), [])
            return _locate(new, node, attrs)
    if g is None:  # (not a node gast knows)
        return None
    new = g.__new__(g)
    d = new.__dict__
    for f in fields:
        try:
            v = getattr(node, f)
        except AttributeError:
            continue
        d[f] = _convert(v) if isinstance(v, (list, ast.AST)) else v
    for a in attrs:
        try:
            d[a] = getattr(node, a)
        except AttributeError:
            pass
    return new
