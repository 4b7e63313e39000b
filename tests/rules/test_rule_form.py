"""The form the transformer relies on: each built-in rule is a ``def`` with one
``return <expression>`` over its parameters, ``np``, ``math``, constants and helpers; every
function it calls (and every operator it uses) has rules itself, so derivative code can be
differentiated again; and nothing creates arrays from shapes or converts user data
(``np.asarray``/``np.array``/``np.zeros(shape)``) — the GPU-neutrality rule."""

import ast
import inspect
import math
import operator
import textwrap

import numpy as np
import pytest

import ast_ad.rules
from ast_ad import default_registry
from ast_ad.rules import declare, helpers
from ast_ad.rules.helpers import broadcasting, elementwise, indexing, linalg, reductions, shapes

HELPER_MODULES = (helpers, broadcasting, elementwise, indexing, linalg, reductions, shapes)
#: the modules whose rules are (partly) declared; their generated source is checked too
GENERATED = ("elementwise", "numpy_reductions", "numpy_shape", "numpy_linalg", "indexing",
             "numpy_more", "fft")

FORBIDDEN = {np.asarray, np.array, np.zeros, np.ones, np.empty, np.full, np.eye, np.arange,
             np.linspace, np.identity}
BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv, ast.Pow: operator.pow, ast.MatMult: operator.matmul,
          ast.Mod: operator.mod, ast.FloorDiv: operator.floordiv}
CMPOPS = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
          ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}
UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}


def _rules():
    seen = {}
    for kind, fns, get in (("vjp", default_registry.functions(), default_registry.vjp),
                           ("jvp", default_registry.jvp_functions(), default_registry.jvp)):
        for f in fns:
            for r in get(f).rules:
                if r is not None and r.__module__.startswith("ast_ad.rules"):
                    seen[(kind, r)] = None
    return list(seen)


RULES = _rules()


def _resolve(node, glb):
    if isinstance(node, ast.Name):
        if node.id in glb:
            return glb[node.id]
        import builtins

        return getattr(builtins, node.id)
    if isinstance(node, ast.Attribute):
        return getattr(_resolve(node.value, glb), node.attr)
    raise AssertionError(f"cannot resolve {ast.dump(node)}")


def _has_rule(fn):
    return default_registry.vjp(fn) is not None or default_registry.is_nondifferentiable(fn)


@pytest.mark.parametrize("kind,rule", RULES, ids=[f"{k}:{r.__module__[13:]}.{r.__name__}"
                                                   for k, r in RULES])
def test_rule_is_one_return_of_differentiable_calls(kind, rule):
    tree = ast.parse(textwrap.dedent(inspect.getsource(rule))).body[0]
    assert isinstance(tree, ast.FunctionDef)
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Return)
    params = [a.arg for a in tree.args.args + tree.args.kwonlyargs]
    if tree.args.vararg:
        params.append(tree.args.vararg.arg)
    assert params[:2] == (["g", "ans"] if kind == "vjp" else ["t", "ans"])
    assert all(d is None or isinstance(d, ast.Constant) or (  # constants, -1 included
        isinstance(d, ast.UnaryOp) and isinstance(d.op, ast.USub)
        and isinstance(d.operand, ast.Constant)) for d in tree.args.defaults)
    glb = rule.__globals__
    body = tree.body[0].value
    for n in ast.walk(body):
        assert not isinstance(n, (ast.Lambda, ast.ListComp, ast.GeneratorExp, ast.IfExp))
        if isinstance(n, ast.Name) and n.id not in params:
            obj = _resolve(n, glb)
            assert obj in (np, math) or isinstance(obj, (int, float)) or _has_rule(obj), n.id
        if isinstance(n, ast.Attribute):
            base = n.value
            while isinstance(base, ast.Attribute):
                base = base.value
            assert isinstance(base, ast.Name) and glb.get(base.id) in (np, math), (
                f"attribute access on a value: {ast.unparse(n)}")
        if isinstance(n, ast.Call):
            fn = _resolve(n.func, glb)
            assert fn not in FORBIDDEN, f"{ast.unparse(n)} creates an array from scratch"
            assert _has_rule(fn), f"{ast.unparse(n.func)} has no rules"
        if isinstance(n, ast.BinOp):
            assert _has_rule(BINOPS[type(n.op)])
        if isinstance(n, ast.UnaryOp):
            assert _has_rule(UNARY[type(n.op)])
        if isinstance(n, ast.Compare):
            assert all(_has_rule(CMPOPS[type(op)]) for op in n.ops)
        if isinstance(n, ast.Subscript):
            assert _has_rule(operator.getitem)


def test_every_public_helper_has_rules():
    public = [f for name, f in vars(helpers).items() if inspect.isfunction(f)
              and not name.startswith("_") and f.__module__.startswith(helpers.__name__)]
    assert len(public) > 20
    missing = [f.__name__ for f in public if not _has_rule(f)]
    assert not missing, f"helpers without rules: {missing}"


def test_rule_sources_never_convert_or_allocate_from_shapes():
    for mod in (*HELPER_MODULES, ast_ad.rules.elementwise, ast_ad.rules.numpy_reductions,
                ast_ad.rules.numpy_shape, ast_ad.rules.numpy_linalg, ast_ad.rules.indexing,
                ast_ad.rules.builtins_rules, ast_ad.rules.declare, *GENERATED):
        tree = ast.parse(inspect.getsource(mod) if not isinstance(mod, str)
                         else declare.source(mod))
        hits = [ast.unparse(n) for n in ast.walk(tree) if isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)
                and n.func.value.id == "np" and getattr(np, n.func.attr, None) in FORBIDDEN]
        assert not hits, f"{mod} calls {hits}"


def test_rule_form_check_can_fail():
    def bad_rule(g, ans, x):
        return np.asarray(x).sum()

    tree = ast.parse(textwrap.dedent(inspect.getsource(bad_rule))).body[0]
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert any(_resolve(c.func, bad_rule.__globals__) in FORBIDDEN for c in calls
               if isinstance(c.func, ast.Attribute) and isinstance(c.func.value, ast.Name))
