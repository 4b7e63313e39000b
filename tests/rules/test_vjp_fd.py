"""Reverse rules against central finite differences (random projections), over shapes."""

import zlib

import numpy as np
import pytest

from . import fd
from .cases import CASES


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_vjp_matches_finite_differences(case):
    rules = fd.vjp_rules(case.fn)
    ks = fd.checked_args(case, rules)
    assert ks, f"{case.id}: no argument with a reverse rule to check"
    rng = np.random.default_rng(zlib.crc32(case.id.encode()))
    ans = case.fn(*case.args, **case.kwargs)
    fd.skip_iterator(ans)
    for k in ks:
        g = fd.rand_like(ans, rng)
        got = rules[k](g, ans, *case.args, **case.kwargs)
        assert fd.same_structure(got, case.args[k]), (
            f"arg {k}: cotangent shape {np.shape(got)} != argument shape "
            f"{np.shape(case.args[k])}")
        for _ in range(2):
            v = fd.rand_like(case.args[k], rng)
            lhs = fd.inner(got, v)
            rhs = float(np.dot(fd.flat(g), fd.directional(case, k, v)))
            assert fd.close(lhs, rhs, scale=np.sqrt(fd.flat(g).size)), (
                f"arg {k}: <vjp(g), v> = {lhs!r} but finite differences give {rhs!r}")
