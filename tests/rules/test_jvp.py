"""Forward rules against central finite differences, and the adjoint identity
``<u, J v> == <J^T u, v>`` between each forward rule and its reverse rule."""

import zlib

import numpy as np
import pytest

from . import fd
from .cases import CASES

# functions with forward rules (a few runtime helpers only have reverse rules)
# (and not refusing: odeint has reverse rules only, its forward rules raise)
JVP_CASES = [c for c in CASES if fd.checked_args(c, fd.jvp_rules(c.fn))]


@pytest.mark.parametrize("case", JVP_CASES, ids=[c.id for c in JVP_CASES])
def test_jvp_matches_finite_differences(case):
    rules = fd.jvp_rules(case.fn)
    ks = fd.checked_args(case, rules)
    assert ks, f"{case.id}: no argument with a forward rule to check"
    rng = np.random.default_rng(zlib.crc32(case.id.encode()) + 1)
    ans = case.fn(*case.args, **case.kwargs)
    fd.skip_iterator(ans)
    for k in ks:
        t = fd.rand_like(case.args[k], rng)
        got = rules[k](t, ans, *case.args, **case.kwargs)
        assert fd.same_structure(got, ans), (
            f"arg {k}: tangent shape {np.shape(got)} != output shape {np.shape(ans)}")
        want = fd.directional(case, k, t)
        np.testing.assert_allclose(fd.flat(fd.dense_like(got, ans)), want, rtol=1e-6,
                                   atol=1e-7, err_msg=f"forward rule of argument {k}")


@pytest.mark.parametrize("case", JVP_CASES, ids=[c.id for c in JVP_CASES])
def test_jvp_and_vjp_are_adjoint(case):
    vrules, jrules = fd.vjp_rules(case.fn), fd.jvp_rules(case.fn)
    ks = [k for k in fd.checked_args(case, vrules) if k < len(jrules) and jrules[k]]
    assert ks
    rng = np.random.default_rng(zlib.crc32(case.id.encode()) + 2)
    ans = case.fn(*case.args, **case.kwargs)
    fd.skip_iterator(ans)
    for k in ks:
        u = fd.rand_like(ans, rng)
        v = fd.rand_like(case.args[k], rng)
        lhs = fd.inner(u, jrules[k](v, ans, *case.args, **case.kwargs))
        rhs = fd.inner(vrules[k](u, ans, *case.args, **case.kwargs), v)
        assert abs(lhs - rhs) <= 1e-10 * (1 + abs(lhs) + abs(rhs)), (
            f"arg {k}: <u, jvp(v)> = {lhs!r} but <vjp(u), v> = {rhs!r}")
