"""The numba backend's dry run: the Python gradient run once on the first arguments,
recording the type of every variable (numba needs one type per variable) and how many
values each saved variable had on the tape (the first sizes of the typed stacks)."""

from __future__ import annotations

import ast

import numpy as np

from .numba_codegen import _is_call_to, _saved_item, _support


def _describe(v):
    if isinstance(v, (bool, np.bool_)):
        return ("b",)
    if isinstance(v, (int, np.integer)):
        return ("i",)
    if isinstance(v, (float, np.floating)):
        return ("f",)
    if type(v) is np.ndarray:
        return ("a", v.dtype.name, v.ndim)
    if isinstance(v, range):
        return ("r", "range")
    if isinstance(v, tuple) and all(isinstance(e, (int, np.integer)) for e in v):
        return ("t", "tuple")
    return ("o", type(v).__name__)


def _merge(types_, name, d):
    old = types_.get(name)
    if old is None or old == ("f",) and d[0] == "a" or old == ("i",) and d == ("f",):
        types_[name] = d


def _dry_run(fn, source, args):
    """Run the Python gradient, recording the type of every variable; its result too."""
    tree = ast.parse(source)
    fdef = tree.body[0]
    types_, counts = {}, {}

    class Instrument(ast.NodeTransformer):
        def visit_Expr(self, node):
            self.generic_visit(node)
            v = node.value
            item = _saved_item(v.args[0]) if _is_call_to(v, "_push") else None
            if item is not None:
                v.args[0] = ast.Call(ast.Name("__ad_note", ast.Load()),
                                     [ast.Constant(item), v.args[0]], [])
            if _is_call_to(v, "restore_item") and len(v.args) == 3 and \
                    _is_call_to(v.args[2], "_pop") and isinstance(v.args[0], ast.Name):
                v.args[2] = ast.parse(f"__ad_pop(_pop, '_si_{v.args[0].id}', None)",
                                      mode="eval").body
            return node

        def visit_Assign(self, node):
            self.generic_visit(node)
            t = node.targets[0]
            if len(node.targets) == 1 and isinstance(t, ast.Name) and \
                    _is_call_to(node.value, "_pop"):
                node.value = ast.parse(f"__ad_pop(_pop, {t.id!r}, {t.id})",
                                       mode="eval").body
            return node

        def visit_Return(self, node):
            rec = ast.parse("__ad_rec(locals())").body[0]
            return [ast.copy_location(rec, node), node]

    fdef = Instrument().visit(fdef)
    fdef.args.args += fdef.args.kwonlyargs  # as the variant: tangents positional
    fdef.args.kwonlyargs, fdef.args.kw_defaults = [], []
    ast.fix_missing_locations(tree)

    def pop(p, name, cur):
        counts[name] = counts.get(name, 0) + 1
        if cur is not None:
            _merge(types_, name, _describe(cur))
        val = p()
        if type(val) is np.ndarray:  # the entries it held: a flat stack's size
            counts[name + "__flat"] = counts.get(name + "__flat", 0) + val.size
        return val

    def rec(loc):
        for k, v in loc.items():
            if v is not None and not k.startswith("__ad") and \
                    k not in ("_stack", "_push", "_pop"):
                _merge(types_, k, _describe(v))

    ns = dict(fn.__globals__)
    ns.update(_support(fn))
    def note(name, v):
        _merge(types_, name, _describe(v))
        return v

    ns["__ad_pop"], ns["__ad_rec"], ns["__ad_note"] = pop, rec, note
    exec(compile(tree, f"<ast_ad numba dry run {fn.__name__}>", "exec"), ns)
    result = ns[fdef.name](*args)
    return result, types_, counts
