"""Rules are differentiable again: the forward rules of everything a rule body calls give
the derivative of the rule itself (what the transformer relies on for higher order).

A small forward-mode evaluator walks each rule's ``return`` expression: every call, operator
and subscript is evaluated with its registered forward rule (helpers are *not* entered), and
the resulting tangent of the rule's output is compared with finite differences of the rule.
The primal arguments are perturbed together with ``ans`` (whose tangent comes from the
function's own forward rule), and the cotangent/tangent seed is perturbed on its own.
"""

import ast
import inspect
import operator
import textwrap
import zlib

import numpy as np
import pytest

from ast_ad import default_registry as R

from . import fd
from .cases import CASES

BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv, ast.Pow: operator.pow, ast.MatMult: operator.matmul,
          ast.Mod: operator.mod, ast.FloorDiv: operator.floordiv}
CMPOPS = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
          ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}
UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_trees = {}


def _body(rule):
    if rule not in _trees:
        _trees[rule] = ast.parse(textwrap.dedent(inspect.getsource(rule))).body[0].body[0].value
    return _trees[rule]


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, (list, tuple)):
        return [_add(x, y) for x, y in zip(a, b)]
    return a + b


def _call(fn, vals, tans, kwargs):
    """(value, tangent) of fn(*vals, **kwargs), the tangent from fn's forward rules."""
    v = fn(*vals, **kwargs)
    if all(t is None for t in tans) or R.is_nondifferentiable(fn):
        return v, None
    rs = R.jvp(fn)
    assert rs is not None, f"no forward rule for {fn!r}, called by a rule"
    out = None
    for k, t in enumerate(tans):
        if t is not None and k < len(rs.rules) and rs.rules[k] is not None:
            try:
                out = _add(out, rs.rules[k](t, v, *vals, **kwargs))
            except NotImplementedError:
                if not getattr(rs.rules[k], "refuses", False):
                    raise
                raise Refused(rs.rules[k]) from None
    return v, out


class Refused(Exception):
    """A callee's forward rule marked ``rule.refuses`` raised ``NotImplementedError`` (a
    derivative of an order that is not given, such as a second derivative of
    ``np.linalg.cond``): that direction is not checked (it cannot be silently wrong)."""


def _eval(node, env, tenv, glb):
    ev = lambda n: _eval(n, env, tenv, glb)  # noqa: E731
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id], tenv.get(node.id)
        import builtins

        return glb.get(node.id, getattr(builtins, node.id, None)), None
    if isinstance(node, ast.Constant):
        return node.value, None
    if isinstance(node, ast.Attribute):
        return getattr(ev(node.value)[0], node.attr), None
    if isinstance(node, ast.Tuple):
        parts = [ev(e) for e in node.elts]
        if all(t is None for _, t in parts):
            return tuple(v for v, _ in parts), None
        # a rule returning a tuple (the forward rule of eigh): the tuple of the tangents
        return tuple(v for v, _ in parts), tuple(
            t if t is not None else 0.0 * np.asarray(v) for v, t in parts)
    if isinstance(node, ast.List):  # np.concatenate([a, b]): the list of the tangents
        parts = [ev(e) for e in node.elts]
        if all(t is None for _, t in parts):
            return [v for v, _ in parts], None
        return [v for v, _ in parts], [t if t is not None else 0.0 * np.asarray(v)
                                       for v, t in parts]
    if isinstance(node, ast.Slice):
        parts = [ev(e)[0] if e is not None else None for e in (node.lower, node.upper, node.step)]
        return slice(*parts), None
    if isinstance(node, ast.BinOp):
        (a, ta), (b, tb) = ev(node.left), ev(node.right)
        return _call(BINOPS[type(node.op)], [a, b], [ta, tb], {})
    if isinstance(node, ast.UnaryOp):
        a, ta = ev(node.operand)
        return _call(UNARY[type(node.op)], [a], [ta], {})
    if isinstance(node, ast.Compare):
        assert len(node.ops) == 1
        a, b = ev(node.left)[0], ev(node.comparators[0])[0]
        assert R.is_nondifferentiable(CMPOPS[type(node.ops[0])])
        return CMPOPS[type(node.ops[0])](a, b), None
    if isinstance(node, ast.Subscript):
        (a, ta), (i, _) = ev(node.value), ev(node.slice)
        return _call(operator.getitem, [a, i], [ta, None], {})
    if isinstance(node, ast.Call):
        fn = ev(node.func)[0]
        args = []
        for a in node.args:
            if isinstance(a, ast.Starred):  # f(t, *shape): the shape carries no tangent
                vs, ts = ev(a.value)
                assert ts is None, "a tangent in a starred argument"
                args += [(v, None) for v in vs]
            else:
                args.append(ev(a))
        kw = {k.arg: ev(k.value) for k in node.keywords}
        assert all(t is None for _, t in kw.values()), "a tangent in a keyword argument"
        return _call(fn, [v for v, _ in args], [t for _, t in args],
                     {k: v for k, (v, _) in kw.items()})
    raise AssertionError(f"unexpected node {ast.dump(node)}")


def rule_tangent(rule, seed, ans, args, kwargs, tangents):
    """Tangent of rule(seed, ans, *args, **kwargs); ``tangents`` maps parameter -> tangent."""
    bound = inspect.signature(rule).bind(seed, ans, *args, **kwargs)
    bound.apply_defaults()
    return _eval(_body(rule), dict(bound.arguments), tangents, rule.__globals__)


def _builtin(fn):
    rs = R.vjp(fn)
    return rs is not None and any(r is not None and r.__module__.startswith("ast_ad.rules")
                                  for r in rs.rules)


def _smooth_rules(case):
    # np.prod's rule is exact with zeros for first derivatives only (see prod_except)
    return not (case.fn is np.prod and any(np.any(np.asarray(a) == 0) for a in case.args[:1]))


def _forward_rules(case):
    # odeint's reverse rule runs the adjoint ODE at run time: no rules to differentiate it by
    # (its forward rules and those of its adjoint helper refuse; tests/rules/test_odeint.py)
    return bool(fd.checked_args(case, fd.jvp_rules(case.fn)))


HO_CASES = [c for c in CASES if _builtin(c.fn) and _smooth_rules(c) and _forward_rules(c)]


@pytest.mark.parametrize("case", HO_CASES, ids=[c.id for c in HO_CASES])
def test_rules_are_differentiable_by_their_callees_rules(case):
    rng = np.random.default_rng(zlib.crc32(case.id.encode()))
    f, args, kw = case.fn, case.args, case.kwargs
    ans = f(*args, **kw)
    for kind, rules, jrules in (("vjp", fd.vjp_rules(f), fd.jvp_rules(f)),
                                ("jvp", fd.jvp_rules(f), fd.jvp_rules(f))):
        for k in fd.checked_args(case, rules):
            rule = rules[k]
            seed = fd.rand_like(ans if kind == "vjp" else args[k], rng)
            names = list(inspect.signature(rule).parameters)
            # 1) perturb each float primal argument m (and ans with it)
            for m in fd.checked_args(case, jrules):
                v = fd.rand_like(args[m], rng)
                t_ans = jrules[m](v, ans, *args, **kw)
                tans = {names[1]: t_ans, names[2 + m]: v}
                try:
                    _, got = rule_tangent(rule, seed, ans, args, kw, tans)
                except Refused:
                    continue

                def r_of(s, m=m):
                    a2 = fd.with_arg(args, m, fd.axpy(args[m], s, v))
                    return rule(seed, f(*a2, **kw), *a2, **kw)

                want = (fd.flat(r_of(fd.EPS)) - fd.flat(r_of(-fd.EPS))) / (2 * fd.EPS)
                got = np.zeros_like(want) if got is None else fd.flat(got)
                np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=(
                    f"{kind} rule {k} ({rule.__name__}) differentiated along argument {m}"))
            # 2) perturb the seed (g or t) alone: every rule is linear in it
            w = fd.rand_like(seed, rng)
            _, got = rule_tangent(rule, seed, ans, args, kw, {names[0]: w})
            want = rule(w, ans, *args, **kw)
            np.testing.assert_allclose(fd.flat(got), fd.flat(want), rtol=1e-9, atol=1e-12,
                                       err_msg=f"{kind} rule {k} differentiated along its seed")
