"""Forward mode over the whole end-to-end corpus: jvp(f, x, v) == <grad f(x), v>."""

import inspect

import numpy as np
import pytest

import ast_ad

from .corpus import CONTROL, STRAIGHT


def _cases():
    out = []
    for c in STRAIGHT + CONTROL:
        names = list(inspect.signature(c.fn).parameters)
        wrt = c.wrt if isinstance(c.wrt, tuple) else (c.wrt,)
        wrt = tuple(names.index(w) if isinstance(w, str) else w for w in wrt)
        if c.xfail or len(c.args) != len(names):
            continue
        if all(isinstance(c.args[i], (float, np.ndarray)) for i in wrt):
            out.append(pytest.param(c.fn, c.args, wrt, id=c.fn.__name__))
    return out


@pytest.mark.parametrize("fn, args, wrt", _cases())
def test_jvp_matches_gradient_projection(fn, args, wrt):
    rng = np.random.default_rng(0)
    tangents = tuple((rng.standard_normal() if isinstance(a, float)
                      else rng.standard_normal(np.shape(a))) if k in wrt else None
                     for k, a in enumerate(args))
    value, t = ast_ad.jvp(fn, args, tangents)
    g = ast_ad.grad(fn, wrt=wrt)(*args)
    expect = sum(np.sum(np.asarray(gi) * np.asarray(tangents[i])) for gi, i in zip(g, wrt))
    np.testing.assert_allclose(t, expect, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(value, fn(*args), rtol=1e-12)
