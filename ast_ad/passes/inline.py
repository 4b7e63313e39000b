"""Inline derivative rules: a rule's ``return`` expression with its parameters replaced.

Before: ``def sin_vjp(g, ans, x): return g * np.cos(x)`` used for ``_t1 = np.sin(p)``.
After: ``bp = b_t1 * np.cos(p)`` in the generated adjoint.  Free names of the rule body
(``np``, ``unbroadcast``...) become support names of the generated module.  A rule whose
source cannot be read unambiguously (a lambda, several statements) is called instead.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import linecache
import textwrap

import gast

from ..frontend.to_gast import to_gast
from ..ir import nodes as N
from ..ir.walk import nodes

_cache: dict = {}


#: expression nodes whose gast form has the same fields as their ``ast`` form (``Name``
#: gains two fields); a rule whose expression holds another kind goes through
#: ``gast.ast_to_gast`` (much slower: it is most of a rule template's cost)
_SAME = frozenset(
    "BinOp UnaryOp BoolOp Compare Call keyword Name Constant Attribute Subscript Slice "
    "Tuple List IfExp Starred Dict Set Load Store Del".split())
_OPS = (ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


class _Other(Exception):
    pass


def _expr_to_gast(n):
    """An ``ast`` expression as gast, for the node kinds of ``_SAME`` (else ``_Other``)."""
    if isinstance(n, list):
        return [None if x is None else _expr_to_gast(x) for x in n]
    name = type(n).__name__
    if isinstance(n, _OPS):
        return getattr(gast, name)()
    if name not in _SAME:
        raise _Other(name)
    cls = getattr(gast, name)
    new = cls.__new__(cls)
    d = new.__dict__
    for f in n._fields:
        v = getattr(n, f, None)
        d[f] = _expr_to_gast(v) if isinstance(v, (ast.AST, list)) else v
    for a in n._attributes:
        if hasattr(n, a):
            d[a] = getattr(n, a)
    if name == "Name":
        d["annotation"] = d["type_comment"] = None
    return new


def _def_of(fn):
    """The ``ast`` FunctionDef of a module-level function (a few lines parsed), or None."""
    code = getattr(fn, "__code__", None)
    mod = getattr(fn, "__module__", None)
    if code is None or mod is None or "<locals>" in getattr(fn, "__qualname__", "<locals>"):
        return None
    lines = linecache.getlines(code.co_filename)
    start = code.co_firstlineno - 1
    if not lines or start >= len(lines) or not lines[start].startswith("def "):
        return None
    end = start + 1  # a module-level def ends at the next line that is not indented
    while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t#"):
        end += 1
    try:
        d = ast.parse("".join(lines[start:end])).body[0]
    except (SyntaxError, IndexError):
        return None
    if not isinstance(d, ast.FunctionDef) or d.name != fn.__name__ or d.decorator_list:
        return None
    return d


def _one_return(fn):
    """``(parameter names, return expression as gast)`` of a rule whose body is a single
    ``return`` (no ``*args``/``**kwargs``), or None."""
    d = _def_of(fn)
    if d is not None:
        a = d.args
        if len(d.body) != 1 or not isinstance(d.body[0], ast.Return) or a.vararg or \
                a.kwarg or d.body[0].value is None:
            return None
        params = [x.arg for x in a.args] + [x.arg for x in a.kwonlyargs]
        try:
            return params, _expr_to_gast(d.body[0].value)
        except _Other:
            tree = to_gast(d)
            return params, tree.body[0].value
    try:
        tree = gast.parse(textwrap.dedent(inspect.getsource(fn))).body[0]
    except Exception:
        return None
    if not isinstance(tree, gast.FunctionDef) or len(tree.body) != 1 or \
            not isinstance(tree.body[0], gast.Return) or tree.args.vararg or tree.args.kwarg:
        return None
    a = tree.args
    return [x.id for x in a.args] + [x.id for x in a.kwonlyargs], tree.body[0].value


def _defaults(fn):
    """{parameter: default} of a plain function (what ``inspect.signature`` reports)."""
    code, out = fn.__code__, {}
    positional = code.co_varnames[:code.co_argcount]
    for name, value in zip(positional[len(positional) - len(fn.__defaults__ or ()):],
                           fn.__defaults__ or ()):
        out[name] = value
    out.update(fn.__kwdefaults__ or {})
    return out


class RuleTemplate:
    def __init__(self, fn):
        self.fn = fn
        self.expr = None
        self.params = []
        self.defaults = {}
        self.free = {}
        parts = _one_return(fn)
        if parts is None or parts[1] is None:
            return
        self.params, expr = parts
        self.defaults = _defaults(fn) if hasattr(fn, "__code__") else {}
        glb = getattr(fn, "__globals__", {})
        free = {}
        for n in nodes(expr):
            if isinstance(n, gast.Name) and n.id not in self.params:
                if n.id in glb:
                    free[n.id] = glb[n.id]
                elif hasattr(builtins, n.id):
                    free[n.id] = getattr(builtins, n.id)
                else:
                    return
        self.free = free
        self.expr = expr

    @property
    def inlinable(self):
        return self.expr is not None


def template(fn) -> RuleTemplate:
    t = _cache.get(fn)
    if t is None:
        t = _cache[fn] = RuleTemplate(fn)
    return t


def instantiate(rule, bindings: dict, namer, env):
    """The rule's expression with parameters bound; or a call when not inlinable.

    ``bindings`` maps parameter names to gast expressions (atoms).  Missing keyword
    parameters take the rule's defaults.
    """
    t = template(rule)
    if not t.inlinable:
        return None
    mapping = {}
    for p in t.params:
        if p in bindings:
            mapping[p] = bindings[p]
        elif p in t.defaults:
            d = t.defaults[p]
            if d is None or isinstance(d, (bool, int, float, str)):
                mapping[p] = N.const(d)
            else:
                mapping[p] = N.name(namer.alias(d))
        else:
            return None
    folds = {}
    for name, obj in t.free.items():
        # (not copied here: ``substituted`` copies it where the name is read)
        mapping[name] = namer.support_ref(obj, env, hint=name, copy=False)
        spec = getattr(obj, "identity_unless", None)
        if spec is not None and isinstance(mapping[name], gast.Name):
            folds[mapping[name].id] = spec
    e = N.substituted(t.expr, mapping)
    return _fold_identities(e, folds) if folds else e


def _fold_identities(e, folds):
    """``h(x, ..., d)`` -> ``x`` for a helper ``h`` that returns its first argument while
    its argument ``k`` has the default ``d`` (``h.identity_unless = (k, d)``: ``masked(g,
    True)``, a reduction's ``where=`` not given), so a rule declared with NumPy's keywords
    costs nothing where they are not used."""
    if isinstance(e, gast.Call) and isinstance(e.func, gast.Name) and e.func.id in folds:
        k, d = folds[e.func.id]
        if len(e.args) > k and not e.keywords and isinstance(e.args[k], gast.Constant) and \
                e.args[k].value is d:
            return _fold_identities(e.args[0], folds)
    for field, v in gast.iter_fields(e):
        if isinstance(v, list):
            setattr(e, field, [_fold_identities(x, folds) if isinstance(x, gast.AST) else x
                               for x in v])
        elif isinstance(v, gast.AST):
            setattr(e, field, _fold_identities(v, folds))
    return e


def rule_expr(rule, seed, ans, args, keywords, namer, env):
    """The contribution of one rule ``rule(seed, ans, *args, **keywords)``: its inlined
    expression, or a call of the rule where it cannot be inlined (both modes use this)."""
    t = template(rule)
    if t.inlinable and len(t.params) >= 2 and len(args) <= len(t.params) - 2:
        bindings = {t.params[0]: seed, t.params[1]: ans}
        bindings.update(zip(t.params[2:], args))
        ok = True
        for kw in keywords:
            if kw.arg in t.params and kw.arg not in bindings:
                bindings[kw.arg] = kw.value
            else:
                ok = False
        if ok:
            e = instantiate(rule, bindings, namer, env)
            if e is not None:
                return e
    return N.call(namer.support_ref(rule, env, getattr(rule, "__name__", "rule")),
                  [seed, ans] + list(args), list(keywords))
