"""Second order over the corpus: hvp (forward over the generated reverse code) against
central differences of the gradient."""

import inspect

import numpy as np
import pytest

import ast_ad

from ..fd import fd_directional
from .corpus import CONTROL, STRAIGHT

# stop_gradient blocks every order (as in JAX), so differences of the gradient disagree by
# design
SKIP = {"s_stop_gradient"}


def _cases():
    out = []
    for c in STRAIGHT + CONTROL:
        names = list(inspect.signature(c.fn).parameters)
        wrt = c.wrt if isinstance(c.wrt, tuple) else (c.wrt,)
        wrt = tuple(names.index(w) if isinstance(w, str) else w for w in wrt)
        if c.xfail or len(c.args) != len(names) or c.fn.__name__ in SKIP:
            continue
        x = c.args[wrt[0]]
        if isinstance(x, float) or (isinstance(x, np.ndarray) and x.dtype == np.float64):
            out.append(pytest.param(c.fn, c.args, wrt[0], id=c.fn.__name__))
    return out


@pytest.mark.parametrize("fn, args, i", _cases())
def test_hvp_matches_differences_of_gradients(fn, args, i):
    rng = np.random.default_rng(1)
    x = args[i]
    v = rng.standard_normal() if isinstance(x, float) else rng.standard_normal(x.shape)
    hv = ast_ad.hvp(fn, args, v, wrt=i)
    g = ast_ad.grad(fn, wrt=i)
    fdv = fd_directional(g, args, i, v, eps=1e-5)
    np.testing.assert_allclose(hv, fdv, rtol=1e-4, atol=1e-5)
