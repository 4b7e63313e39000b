"""Fence: reject what the transformer does not support, at the user's line.

Before: ``def f(x):\\n    try: ...`` -> ``UnsupportedConstructError: 'try' statement is not
supported in f (model.py:13); move it out of the differentiated function``.
After a successful fence the tree is unchanged.
"""

from __future__ import annotations

import gast

from ..errors import UnsupportedConstructError
from ..ir.walk import nodes

_HINT = "move it out of the differentiated function, or use ast_ad.grad(f, fallback='tape')"

_STATEMENTS = {
    gast.AsyncWith: ("an 'async with' statement", _HINT),
    gast.AsyncFor: ("an 'async for' loop", _HINT),
    gast.AsyncFunctionDef: ("an async function", _HINT),
    gast.ClassDef: ("a class definition inside the function", "define the class at module level"),
    gast.Global: ("a 'global' statement", "pass the value in and return it instead"),
    gast.Nonlocal: ("a 'nonlocal' statement", "pass the value in and return it instead"),
    gast.Import: ("an import inside the function", "import at module level"),
    gast.ImportFrom: ("an import inside the function", "import at module level"),
}
_EXPRESSIONS = {
    gast.Yield: ("a generator ('yield')", "return a list instead"),
    gast.YieldFrom: ("a generator ('yield from')", "return a list instead"),
    gast.Await: ("'await'", _HINT),
    gast.SetComp: ("a set comprehension", "use a list"),
}
if hasattr(gast, "TryStar"):
    _STATEMENTS[gast.TryStar] = ("a 'try' statement", _HINT)

_FORBIDDEN_CALLS = {"exec", "eval", "globals", "locals", "vars", "compile", "setattr", "delattr"}


def fence(parsed, env, varargs=False) -> None:
    """Raise UnsupportedConstructError for the first unsupported construct.

    ``varargs``: the function handed to grad may have ``*args``/``**kwargs`` (passed
    through as values, not differentiated); a callee may not."""
    fname = parsed.tree.name
    args = parsed.tree.args
    if (args.vararg is not None or args.kwarg is not None) and not varargs:
        _fail(parsed, parsed.tree, "*args/**kwargs parameters in a function called on "
              "differentiated values", "name the parameters", fname)
    if not any(_suspect(node) for node in nodes(parsed.tree)):
        return  # (the walk below, in its order, names the first refused construct)
    for node in gast.walk(parsed.tree):
        for kinds in (_STATEMENTS, _EXPRESSIONS):
            hit = kinds.get(type(node))
            if hit is not None:
                _fail(parsed, node, hit[0], hit[1], fname)
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name):
            if node.func.id in _FORBIDDEN_CALLS and not env.is_local(node.func.id):
                _fail(parsed, node, f"a call to {node.func.id}()", "write the code directly", fname)
        if isinstance(node, (gast.AugAssign, gast.For)):
            targets = [node.target]
            for t in targets:
                for sub in gast.walk(t):
                    if isinstance(sub, gast.Starred):
                        _fail(parsed, node, "starred assignment ('a, *b = ...')",
                              "index the sequence instead", fname)
        if isinstance(node, gast.Lambda) and (node.args.vararg or node.args.kwarg):
            _fail(parsed, node, "a lambda with *args/**kwargs", "name the parameters", fname)


def _suspect(node):
    """Whether ``fence``'s checks may refuse ``node`` (a cheap over-approximation)."""
    t = type(node)
    if t in _STATEMENTS or t in _EXPRESSIONS or t is gast.ExceptHandler:
        return True  # (a handler: the fast walker does not look into its ``type``)
    if t is gast.Call:
        return isinstance(node.func, gast.Name) and node.func.id in _FORBIDDEN_CALLS
    if t is gast.AugAssign or t is gast.For:
        return any(type(m) is gast.Starred for m in nodes(node.target))
    if t is gast.Lambda:
        return bool(node.args.vararg or node.args.kwarg)
    return False


def _fail(parsed, node, what, hint, fname):
    filename, line = parsed.where(node)
    raise UnsupportedConstructError(
        f"{what} is not supported in {fname}(); {hint}", filename=filename, lineno=line
    )
