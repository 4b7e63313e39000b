"""Functions written the way people write them, each checked against central finite
differences (tests/fd.py): logging and timing calls, counters on objects, try/with,
assertions, walrus, starred unpacking, *args, aliases, methods, NamedTuples."""

from __future__ import annotations

import logging
import time
import warnings

import numpy as np
import pytest

import ast_ad

from ..fd import as_tuple, assert_close, fd_grad
from .real_python_lib import helper_scale

log = logging.getLogger("ast_ad.tests.real_python")
CASES = []


def case(*args, wrt=0, **kw):
    def deco(fn):
        CASES.append(pytest.param(fn, args, wrt, kw, id=fn.__name__))
        return fn
    return deco


X3 = np.array([0.3, -0.7, 1.1])


# -- library calls run as-is or by their rule, never parsed --------------------------------
@case(1.3)
def logs_and_times(x):
    log.info("evaluating at %s", x)
    log.debug("debug %d", 3)
    t0 = time.perf_counter()
    y = np.sin(x) * x
    elapsed = time.perf_counter() - t0
    log.info("took %.3f s", elapsed)
    return y


@case(0.7)
def warns(x):
    if x > 100.0:
        warnings.warn("large x")
    return x ** 3


@case(X3)
def prints_shape(x):
    print("shape", x.shape, "norm", np.linalg.norm(x))
    return np.sum(x ** 2)


@case(0.4)
def helper_in_other_file(x):
    return helper_scale(x) + helper_scale(x, k=0.5)


@pytest.mark.parametrize("fn,args,wrt,kw", CASES)
def test_real_python(fn, args, wrt, kw):
    g = ast_ad.grad(fn, wrt=wrt, **kw)(*args)
    ref = fd_grad(fn, args, wrt=wrt)
    for got, want in zip(as_tuple(g, wrt), as_tuple(ref, wrt)):
        assert_close(got, want, rtol=1e-6, atol_scale=1e-7, what=fn.__name__)


def test_library_function_without_rule_is_refused_at_the_users_line():
    import statistics

    def uses_fmean(x):
        return statistics.fmean([x, 2.0 * x])  # ERR

    with pytest.raises(ast_ad.NoRuleError) as info:
        ast_ad.grad(uses_fmean)(1.0)
    err = info.value
    assert err.filename == __file__
    assert "library code" in str(err)
    assert "nondifferentiable" not in str(err)  # fmean has a derivative


# -- auxiliary outputs and argnums (JAX conventions) --------------------------------------
def _loss_with_aux(w, x):
    pred = np.tanh(x @ w)
    loss = np.mean(pred ** 2)
    return loss, {"pred": pred, "calls": 1}


def test_has_aux_grad_returns_gradient_and_aux():
    w, x = np.array([0.2, -0.4]), np.array([[1.0, 2.0], [0.5, -1.0]])
    g, aux = ast_ad.grad(_loss_with_aux, has_aux=True)(w, x)
    ref = fd_grad(lambda w_, x_: _loss_with_aux(w_, x_)[0], (w, x), wrt=0)
    assert_close(g, ref, rtol=1e-6, atol_scale=1e-7)
    np.testing.assert_allclose(aux["pred"], np.tanh(x @ w))
    assert aux["calls"] == 1


def test_value_and_grad_has_aux_nests_like_jax():
    w, x = np.array([0.2, -0.4]), np.array([[1.0, 2.0], [0.5, -1.0]])
    (value, aux), (gw, gx) = ast_ad.value_and_grad(_loss_with_aux, argnums=(0, 1),
                                                   has_aux=True)(w, x)
    assert value == pytest.approx(_loss_with_aux(w, x)[0])
    np.testing.assert_allclose(aux["pred"], np.tanh(x @ w))
    ref = fd_grad(lambda w_, x_: _loss_with_aux(w_, x_)[0], (w, x), wrt=(0, 1))
    assert_close(gw, ref[0], rtol=1e-6, atol_scale=1e-7)
    assert_close(gx, ref[1], rtol=1e-6, atol_scale=1e-7)


def test_has_aux_needs_a_pair():
    with pytest.raises(ast_ad.AstAdError, match="has_aux"):
        ast_ad.grad(lambda x: x * x, has_aux=True)(1.0)


def test_argnums_is_an_alias_of_wrt():
    def f(a, b):
        return a * b * b
    assert ast_ad.grad(f, argnums=1)(2.0, 3.0) == pytest.approx(12.0)
    with pytest.raises(ast_ad.AstAdError, match="not both"):
        ast_ad.grad(f, wrt=0, argnums=1)
