"""Every pass on its own: an executed before/after per pass, and every module's doctest.

The stages are run by hand here, in pipeline order, so each test shows what one pass
makes of the output of the ones before it.
"""

import doctest
import importlib
import pkgutil

import gast
import numpy as np
import pytest

import ast_ad
from ast_ad.frontend.fence import fence
from ast_ad.frontend.lift import lift_nested
from ast_ad.frontend.parse import parse_function
from ast_ad.frontend.resolve import Env
from ast_ad.ir import nodes as N
from ast_ad.ir.naming import Namer
from ast_ad.ir.unit import Request, Unit
from ast_ad.passes.analysis import analyze
from ast_ad.passes.analysis.calls import Resolver
from ast_ad.passes.anf import AnfMixin
from ast_ad.passes.forward.assemble import forward
from ast_ad.passes.forward.callees import forward_callee
from ast_ad.passes.forward.tangent import ForwardMode
from ast_ad.passes.inline import instantiate
from ast_ad.passes.loops import LoopsMixin
from ast_ad.passes.normalize import Normalizer
from ast_ad.passes.optimize import Options, run
from ast_ad.passes.optimize.common import counts
from ast_ad.passes.optimize.copyprop import copy_propagation
from ast_ad.passes.optimize.dead import dead_stores
from ast_ad.passes.optimize.fold import fold_ones
from ast_ad.passes.reverse import assemble
from ast_ad.passes.reverse.adjoint import Reverse
from ast_ad.passes.reverse.calls import prepare_user_call
from ast_ad.passes.reverse.control import State
from ast_ad.passes.reverse.stack import ForwardSweep, finalize_markers, needed_names
from ast_ad.passes.statements import StatementsMixin
from ast_ad.passes.views import guard_views
from ast_ad.pipeline import CALLEES
from ast_ad.rules.registry import default_registry


def front(fn, wrt, kinds):
    parsed = parse_function(fn)
    params = [a.id for a in parsed.tree.args.args]
    env = Env.of_function(fn, set(params) | N.stored_names(parsed.tree.body))
    fence(parsed, env)
    namer = Namer(N.names_in(parsed.tree) | set(params))
    nested = lift_nested(parsed, env, namer)
    tree = Normalizer(parsed, env, namer).run().tree
    unit = Unit(fn, parsed, env, namer, CALLEES, tree, nested)
    return unit, Request(tuple(wrt), kinds, "joint", False, True, dict(nested),
                         default_registry)


def text(stmts):
    m = gast.Module(body=list(stmts), type_ignores=[])
    gast.fix_missing_locations(m)
    return gast.unparse(m).strip()


def body(src):
    return gast.parse(src).body


def loop_fn(x, c):
    p = x
    for i in range(3):
        p = np.sin(p) * c
    return p


def test_normalize_and_anf():
    assert issubclass(Normalizer, AnfMixin)
    unit, _ = front(loop_fn, ["x"], {"x": float, "c": float})
    assert text(unit.tree.body) == (
        "p = x\n_r1 = range(3)\nfor i in _r1:\n    _t1 = np.sin(p)\n    p = _t1 * c\nreturn p")


def zip_fn(xs, ys):
    s = 0.0
    for a, b in zip(xs, ys):
        s = s + a * b
    return s


def test_loops_iterate_an_index_range():
    assert issubclass(Normalizer, LoopsMixin)
    unit, _ = front(zip_fn, ["xs"], {"xs": list, "ys": list})
    assert text(unit.tree.body) == (
        "s = 0.0\n_seq1 = as_sequence(xs)\n_seq2 = as_sequence(ys)\n_t1 = len(_seq1)\n"
        "_t2 = len(_seq2)\n_t3 = min(_t1, _t2)\n_r1 = range(_t3)\nfor _k1 in _r1:\n"
        "    a = _seq1[_k1]\n    b = _seq2[_k1]\n    _t4 = a * b\n    s = s + _t4\nreturn s")


def starred(x):
    a, *b = x
    return a * sum(b)


def test_statements_starred_assignment():
    assert issubclass(Normalizer, StatementsMixin)
    unit, _ = front(starred, ["x"], {"x": list})
    src = text(unit.tree.body)
    assert "a = " in src and "b = " in src
    g = ast_ad.grad(starred)([2.0, 3.0, 4.0])
    assert g == [7.0, 2.0, 2.0]


def test_adjoint_sweep_with_restore_markers():
    unit, req = front(loop_fn, ["x"], {"x": float, "c": float})
    facts = analyze(unit, req)
    rev = Reverse(unit, facts)
    state = State(live={"p"})
    code = rev.block(list(unit.tree.body[:-1]), state)
    assert text(code) == (
        "for i in _r1[::-1]:\n    b_t1 = bp * c\n    __ast_ad_restore__(p)\n"
        "    bp = b_t1 * np.cos(p)\n    __ast_ad_restore__(_t1)\n__ast_ad_restore__(i)\n"
        "__ast_ad_restore__(_r1)\nbx = bp\n__ast_ad_restore__(p)")


def test_stack_pushes_only_what_the_adjoint_reads():
    unit, req = front(loop_fn, ["x"], {"x": float, "c": float})
    facts = analyze(unit, req)
    rev = Reverse(unit, facts)
    body_ = list(unit.tree.body[:-1])
    code = rev.block(body_, State(live={"p"}))
    needed = needed_names(code, {"p", "_t1", "i", "_r1", "x", "c"})
    assert needed == {"p", "c", "_r1"}
    fs = ForwardSweep(facts, needed, "_push", unit.ref)
    fwd = fs.block(body_)
    assert text(fwd) == ("p = x\n_r1 = range(3)\nfor i in _r1:\n    _t1 = np.sin(p)\n"
                         "    _push(p)\n    p = _t1 * c")
    back = finalize_markers(code, fs.plan(), "_pop", unit.ref)
    assert text(back) == ("for i in _r1[::-1]:\n    b_t1 = bp * c\n    p = _pop()\n"
                          "    bp = b_t1 * np.cos(p)\nbx = bp")


def test_reverse_assembles_sweeps_and_functions():
    unit, req = front(loop_fn, ["x"], {"x": float, "c": float})
    sw = assemble.reverse(unit, analyze(unit, req), req)
    assert sw.kind == "joint" and sw.name == "loop_fn_grad"
    fdef = assemble.functions(sw)[0]
    assert fdef.name == "loop_fn_grad" and [a.id for a in fdef.args.args] == ["x", "c"]


def test_forward_mode_tangents():
    unit, req = front(loop_fn, ["x"], {"x": float, "c": float})
    facts = analyze(unit, req)
    fm = ForwardMode(unit, facts, ["x"])
    code = fm.block(list(unit.tree.body[:-1]), {"x"})
    assert "dp = dx" in text(code) and "d_t1 = dp * np.cos(p)" in text(code)
    unit, req = front(loop_fn, ["x"], {"x": float, "c": float})
    sw = forward(unit, analyze(unit, req), Request(("x",), req.arg_kinds, "forward",
                                                   registry=default_registry))
    assert sw.tangent_names == {"x": "dx"} and sw.kind == "forward"


def helper(a):
    return a * a


def calls_helper(x):
    return helper(x) + 1.0


def test_user_calls_reverse_and_forward():
    unit, req = front(calls_helper, ["x"], {"x": float})
    facts = analyze(unit, req)
    rev = Reverse(unit, facts)
    s = unit.tree.body[0]
    uc = prepare_user_call(rev, s, s.value, helper)
    assert uc.wrt == ("a",) and uc.active_args == (True,)
    j, call = forward_callee(unit, facts, s.value, {"x"}, lambda v: "d" + v)
    assert gast.unparse(call).strip() == "helper_jvp.call(x, da=dx)" and j.wrt == ("a",)


def view_fn(x):
    v = x[0:2]
    x[0] = 0.0
    y = v * 2.0
    return np.sum(y)


def test_views_guard_inserted_after_the_view():
    unit, req = front(view_fn, ["x"], {"x": np.ndarray})
    guard_views(unit.tree, unit, Resolver.of(unit, req))
    src = text(unit.tree.body)
    assert src.splitlines()[1].startswith("check_no_view(v, x, 'v', 'x'")


def test_inline_rule_with_parameters_replaced():
    def sin_vjp(g, ans, x):
        return g * np.cos(x)

    unit, _ = front(loop_fn, ["x"], {"x": float, "c": float})
    e = instantiate(sin_vjp, {"g": N.name("bp"), "ans": N.name("y"), "x": N.name("p")},
                    unit.namer, unit.env)
    assert gast.unparse(e).strip() == "bp * np.cos(p)"


NAMES = frozenset({"by", "b_t1", "b_t2", "bx"})


@pytest.mark.parametrize("opt, before, after, opts", [
    (copy_propagation, "by = g\nb_t1 = by\nbx = b_t1 * 0.9\nout(bx)",
     "by = g\nbx = by * 0.9\nout(bx)",
     Options(names=NAMES)),
    (dead_stores, "b_t2 = by * 2.0\nbx = by\nout(bx)", "bx = by\nout(bx)",
     Options(names=NAMES)),
    (fold_ones, "bx = 1.0 * y", "bx = y", Options(names=NAMES, fold_ones=True)),
])
def test_each_optimization(opt, before, after, opts):
    assert text(opt(body(before), opts)) == after
    assert opt(body(after), opts) is None  # a fixed point: nothing more to do


def test_optimizations_run_to_a_fixed_point():
    out = run(body("by = g\nb_t1 = by\nb_t2 = b_t1 * 0.9\nbx = b_t2\nout(bx)"),
              Options(names=NAMES))
    assert text(out) == "by = g\nb_t2 = by * 0.9\nout(b_t2)"
    assert counts(out)[0] == {"g": 1, "by": 1, "out": 1, "b_t2": 1}


def test_generated_code_matches_finite_differences():
    g = ast_ad.grad(loop_fn)
    h = 1e-6
    fd = (loop_fn(0.3 + h, 0.9) - loop_fn(0.3 - h, 0.9)) / (2 * h)
    assert abs(g(0.3, 0.9) - fd) < 1e-7


MODULES = sorted({m.name for pkg in ("ast_ad.ir", "ast_ad.passes", "ast_ad.frontend",
                                     "ast_ad.codegen")
                  for m in pkgutil.walk_packages(importlib.import_module(pkg).__path__,
                                                 pkg + ".")}
                 | {"ast_ad.pipeline", "ast_ad.callees", "ast_ad.objects"})


@pytest.mark.parametrize("name", MODULES)
def test_module_doctests(name):
    mod = importlib.import_module(name)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
