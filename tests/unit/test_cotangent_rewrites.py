"""Rewrites of cotangent code that save an array operation per use (issue 13): a helper's
``bwd`` keeps a full reduction's cotangent a scalar as joint code does; ``X += -e`` is
``X -= e``; a doubled product puts its 2.0 on the left operand (``2.0 * g * v``); in
all-float code two products sharing a cotangent are one (``g * (a + b)``)."""

import math

import numpy as np

import ast_ad
from tests.fd import assert_close, fd_grad


def _lse(v):
    mx = np.max(v)
    return np.log(np.sum(np.exp(v - mx))) + mx


def _sq(v):
    return np.sum(v * v)


def per_row(x, m):
    s = 0.0
    for i in range(m.shape[0]):
        d = x - m[i]
        s = s + _lse(d) + 0.5 * _sq(d)
    return s


def _args():
    rng = np.random.default_rng(3)
    return rng.standard_normal(4), rng.standard_normal((3, 4))


def test_gradients_match_finite_differences():
    x, m = _args()
    g = ast_ad.grad(per_row, wrt=(0, 1))
    got = g(x, m)
    for k in (0, 1):
        assert_close(got[k], fd_grad(per_row, (x, m), k), 1e-6, 1e-7)


def _callee(src, name):
    return src[src.index(f"def {name}_bwd"):].split("\ndef ")[0]


def test_helper_bwd_keeps_the_reduction_cotangent_a_scalar():
    x, m = _args()
    src = ast_ad.source(ast_ad.grad(per_row, wrt=(0, 1)), x, m)
    lse = _callee(src, "_lse")
    # np.sum(np.exp(v - mx)): its cotangent times exp(...) directly, no broadcast copy
    assert lse.count("unreduce(") == 1  # (np.max's, inside max_weights' product)
    sq = _callee(src, "_sq")
    assert "unreduce(" not in sq and "2.0 * b_t2 * v" in sq


def test_negated_cotangent_subtracted_in_place():
    x, m = _args()
    src = ast_ad.source(ast_ad.grad(per_row, wrt=(0, 1)), x, m)
    loop = src[src.index("_pop = _stack.pop"):]
    assert "bm[i] -= bd" in loop and "= -bd" not in loop


def _unparse(stmts):
    import gast

    return gast.unparse(gast.Module(body=stmts, type_ignores=[])).strip()


def _copyprop(src, names):
    import gast

    from ast_ad.passes.optimize.copyprop import copy_propagation

    code = gast.parse(src).body
    out = copy_propagation(code, type("O", (), {"names": frozenset(names)})())
    return None if out is None else _unparse(out)


def test_alias_in_a_loop_body_goes_when_its_source_is_not_rebound_first():
    src = "for t in r:\n    b_t1 = by\n    bc += b_t1 * y\n    by = by * 0.5 + c * b_t1\n"
    assert _copyprop(src, {"b_t1", "by", "bc"}) == (
        "for t in r:\n    bc += by * y\n    by = by * 0.5 + c * by")
    # by rebound before the alias's last read: the alias stays
    src = "for t in r:\n    b_t1 = by\n    by = by * 0.5\n    bc += b_t1 * y\n"
    assert _copyprop(src, {"b_t1", "by", "bc"}) is None
    # a read in another block: stays
    src = "for t in r:\n    b_t1 = by\n    by = by * 0.5\nbc = b_t1 * 2.0\n"
    assert _copyprop(src, {"b_t1", "by", "bc"}) is None


def recurrence(y, c):
    for i in range(50):
        y = c * y + 0.01 * math.sin(y) * y
    return y


def test_scalar_recurrence_gradient():
    g = ast_ad.grad(recurrence, wrt=(0, 1))
    got = g(0.3, 0.97)
    for k in (0, 1):
        assert_close(got[k], fd_grad(recurrence, (0.3, 0.97), k), 1e-6, 1e-8)


def shared_factor(y, c):
    for i in range(50):
        y = 0.5 * math.cos(y) + c * y
    return y


def test_products_sharing_a_cotangent_are_factored():
    """``y``'s two uses give ``by * (...)`` in one product: one multiplication by the
    cotangent per step, as a hand-written adjoint has; the values match finite
    differences (distributivity only rounds differently)."""
    g = ast_ad.grad(shared_factor, wrt=(0, 1))
    src = ast_ad.source(g, 0.4, 0.9)
    body = src[src.index("reversed("):]
    assert "by = by * (" in body, src
    assert " * by" not in body and body.count("by * ") == 2, src  # (bc, by: once each)
    got = g(0.4, 0.9)
    h = 1e-6
    for k in (0, 1):
        a = [0.4, 0.9]
        b = list(a)
        a[k] += h
        b[k] -= h
        fd = (shared_factor(*a) - shared_factor(*b)) / (2 * h)
        assert math.isclose(got[k], fd, rel_tol=1e-6, abs_tol=1e-9), (k, got[k], fd)
