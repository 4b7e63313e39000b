"""Inline derivative rules: a rule's ``return`` expression with its parameters replaced.

Before: ``def sin_vjp(g, ans, x): return g * np.cos(x)`` used for ``_t1 = np.sin(p)``.
After: ``bp = b_t1 * np.cos(p)`` in the generated adjoint.  Free names of the rule body
(``np``, ``unbroadcast``...) become support names of the generated module.  A rule whose
source cannot be read unambiguously (a lambda, several statements) is called instead.
"""

from __future__ import annotations

import inspect
import textwrap

import gast

from ..ir import nodes as N

_cache: dict = {}


def _def_of(fn):
    """The FunctionDef of a module-level function, parsing its module once (fast path)."""
    code = getattr(fn, "__code__", None)
    mod = getattr(fn, "__module__", None)
    if code is None or mod is None or "<locals>" in getattr(fn, "__qualname__", "<locals>"):
        return None
    import ast
    import linecache

    lines = linecache.getlines(code.co_filename)
    start = code.co_firstlineno - 1
    if not lines or start >= len(lines) or not lines[start].startswith("def "):
        return None
    end = start + 1  # a module-level def ends at the next line that is not indented
    while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t#"):
        end += 1
    try:
        d = ast.parse("".join(lines[start:end])).body[0]  # a few lines: fast
    except (SyntaxError, IndexError):
        return None
    if not isinstance(d, ast.FunctionDef) or d.name != fn.__name__ or d.decorator_list:
        return None
    return gast.ast_to_gast(d)  # only this function is converted


class RuleTemplate:
    def __init__(self, fn):
        self.fn = fn
        self.expr = None
        self.params = []
        self.defaults = {}
        self.free = {}
        tree = _def_of(fn)
        if tree is None:
            try:
                src = textwrap.dedent(inspect.getsource(fn))
                tree = gast.parse(src).body[0]
            except Exception:
                return
        if not isinstance(tree, gast.FunctionDef) or len(tree.body) != 1 or \
                not isinstance(tree.body[0], gast.Return) or tree.args.vararg or tree.args.kwarg:
            return
        a = tree.args
        self.params = [x.id for x in a.args] + [x.id for x in a.kwonlyargs]
        sig = inspect.signature(fn)
        for p in sig.parameters.values():
            if p.default is not inspect.Parameter.empty:
                self.defaults[p.name] = p.default
        glb = getattr(fn, "__globals__", {})
        free = {}
        for n in gast.walk(tree.body[0]):
            if isinstance(n, gast.Name) and n.id not in self.params:
                if n.id in glb:
                    free[n.id] = glb[n.id]
                else:
                    import builtins

                    if hasattr(builtins, n.id):
                        free[n.id] = getattr(builtins, n.id)
                    else:
                        return
        self.free = free
        self.expr = tree.body[0].value

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
    for name, obj in t.free.items():
        mapping[name] = namer.support_ref(obj, env, hint=name)
    return N.substituted(t.expr, mapping)


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
