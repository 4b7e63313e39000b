"""Rules made from declarations (ast_ad.rules.declare): real module-level functions whose text
is in linecache, inlined by the transformer; math.* rules call math.* (a float stays a float);
a declaration gives reverse, forward and higher-order derivatives at once."""

import inspect
import linecache
import math
import pickle

import numpy as np
import pytest

import ast_ad
from ast_ad import Registry, default_registry
from ast_ad.passes.inline import template
from ast_ad.rules import declare

from .cases import CASES


def _library_rules():
    seen = {}
    for fns, get in ((default_registry.functions(), default_registry.vjp),
                     (default_registry.jvp_functions(), default_registry.jvp)):
        for f in fns:
            for r in get(f).rules:
                if r is not None and r.__module__.startswith("ast_ad.rules"):
                    seen[r] = None
    return list(seen)


RULES = _library_rules()
DECLARED = [r for r in RULES if r.__code__.co_filename.startswith("<ast_ad-rules ")]


def test_most_rules_are_declared():
    # the hand-written pairs left are those whose two modes really differ
    hand = [r for r in RULES if r not in DECLARED]
    assert len(DECLARED) > 3 * len(hand), [r.__name__ for r in hand]


@pytest.mark.parametrize("rule", RULES, ids=[f"{r.__module__[13:]}.{r.__name__}" for r in RULES])
def test_every_rule_is_inlinable(rule):
    if inspect.signature(rule).parameters and any(
            p.kind is p.VAR_POSITIONAL for p in inspect.signature(rule).parameters.values()):
        pytest.skip("a rule with *args is called, not inlined")
    assert template(rule).inlinable


@pytest.mark.parametrize("rule", DECLARED, ids=[r.__name__ for r in DECLARED])
def test_declared_rule_text_is_in_linecache_at_its_line(rule):
    code = rule.__code__
    lines = linecache.getlines(code.co_filename)
    assert lines[code.co_firstlineno - 1].startswith(f"def {rule.__name__}(")
    assert lines[code.co_firstlineno].startswith("    return ")
    module = code.co_filename[len("<ast_ad-rules "):-1]
    assert "".join(lines) == declare.source(module)


MATH_CASES = [c for c in CASES if getattr(c.fn, "__module__", None) == "math"
              and all(type(a) is float for a in c.args)]


@pytest.mark.parametrize("case", MATH_CASES, ids=[c.id for c in MATH_CASES])
def test_math_rules_keep_python_floats(case):
    ans = case.fn(*case.args)
    for rules, seed in ((default_registry.vjp(case.fn).rules, 1.0),
                        (default_registry.jvp(case.fn).rules, 1.0)):
        for r in rules:
            if r is not None:
                out = r(seed, ans, *case.args)
                assert type(out) is float, f"{r.__name__} gave {type(out).__name__}"
    assert len(MATH_CASES) > 20


def test_declared_rules_are_functions_of_their_module():
    import ast_ad.rules.elementwise as E

    rule = default_registry.vjp(math.sin).rules[0]
    assert E.math_sin_vjp is rule and rule.__module__ == E.__name__
    assert pickle.loads(pickle.dumps(rule)) is rule


def test_math_rules_call_math_and_numpy_rules_call_numpy():
    sin_vjp = default_registry.vjp(math.sin).rules[0]
    assert "math.cos(x)" in inspect.getsource(sin_vjp)
    assert "np.cos(x)" in inspect.getsource(default_registry.vjp(np.sin).rules[0])
    assert "math.cos(x)" in inspect.getsource(default_registry.jvp(math.sin).rules[0])


def test_generated_gradient_inlines_math_cos():
    def f(x):
        return math.sin(x) * x

    g = ast_ad.grad(f)
    assert "math.cos(x)" in ast_ad.source(g, 0.5)
    assert type(g(0.5)) is float
    assert g(0.5) == pytest.approx(math.cos(0.5) * 0.5 + math.sin(0.5))


def test_one_declaration_gives_reverse_forward_and_higher_order():
    def softplus(x):
        return np.log1p(np.exp(x))

    reg = Registry(default_registry)
    declare.elementwise(softplus, "1 / (1 + exp(-x))", registry=reg)
    x = 0.3
    sig = 1 / (1 + math.exp(-x))

    def f(x):
        return softplus(x) * 2.0

    assert ast_ad.grad(f, registry=reg)(x) == pytest.approx(2 * sig)
    _, tangent = ast_ad.jvp(f, (x,), (1.0,), registry=reg)
    assert tangent == pytest.approx(2 * sig)
    assert ast_ad.grad(ast_ad.grad(f, registry=reg), registry=reg)(x) == pytest.approx(
        2 * sig * (1 - sig))


def test_binary_declaration_unbroadcasts_and_broadcasts():
    def blend(x, y):
        return x + 2.0 * y

    reg = Registry(default_registry)
    declare.elementwise(blend, "1", "2", registry=reg)
    vx, vy = (reg.vjp(blend).rules[k] for k in (0, 1))
    jx = reg.jvp(blend).rules[0]
    x, y = np.ones((2, 3)), np.ones(3)
    ans = blend(x, y)
    assert np.shape(vy(np.ones((2, 3)), ans, x, y)) == (3,)
    np.testing.assert_array_equal(vy(np.ones((2, 3)), ans, x, y), [4.0, 4.0, 4.0])
    assert np.shape(jx(np.ones(3) * 0 + 1.0, ans, np.ones(3), np.ones((2, 3)))) == (2, 3)
    assert "unbroadcast(g * 2, y)" in inspect.getsource(vx.__globals__[vy.__name__])


def test_linear_declaration_applies_the_function_to_the_tangent():
    def scale_rows(a, w):
        return a * w[:, None]

    reg = Registry(default_registry)
    declare.linear(scale_rows, "a, w", "scale_rows(g, w)", None, registry=reg)
    fwd = reg.jvp(scale_rows).rules[0]
    assert "return scale_rows(t, w)" in inspect.getsource(fwd)
    a, w = np.ones((2, 3)), np.array([1.0, 2.0])
    np.testing.assert_array_equal(fwd(a, None, a, w), [[1, 1, 1], [2, 2, 2]])

    def f(a):
        return np.sum(scale_rows(a, w) ** 2)

    np.testing.assert_allclose(ast_ad.grad(f, registry=reg)(a), 2 * a * w[:, None] ** 2)


def test_unknown_names_are_refused_when_declared():
    reg = Registry(default_registry)
    with pytest.raises(NameError):
        declare.elementwise(lambda x: x, "no_such_function(x)", registry=reg)


def test_generated_text_survives_linecache_checks():
    linecache.checkcache()  # what traceback printing does: entries without an mtime stay
    rule = default_registry.vjp(math.sin).rules[0]
    assert "math.cos" in inspect.getsource(rule)
