"""The breadth rules (trapezoid, cov, corrcoef, correlate, ediff1d, insert, delete,
compress, extract, choose, block, multi_dot, cond, eigvals, polyfit) through user code:
``grad`` against central finite differences, ``hessian`` against finite differences of the
gradient, ``jvp`` against directional differences, and the forms that are refused."""

import numpy as np
import pytest

import ast_ad
from ast_ad.errors import AstAdError

from ..fd import assert_close, fd_directional, fd_grad, fd_jacobian

rng = np.random.default_rng(12)
X = np.cumsum(rng.uniform(0.2, 1.0, 6))
Y = rng.normal(size=6)
M = rng.normal(size=(3, 7))
A = rng.normal(size=(3, 4))
B = rng.normal(size=(4, 4)) + 3.0 * np.eye(4)


def trap(y, x):
    return np.trapezoid(np.sin(y), x) ** 2 + np.trapezoid(y * y, dx=0.3)


def trap2d(y, x):
    return np.sum(np.trapezoid(y ** 2, x, axis=0))


def cov(m, y):
    return np.sum(np.cov(m, y) ** 2) + np.sum(np.cov(m.T, rowvar=False, ddof=2))


def corr(m):
    return np.sum(np.corrcoef(m) ** 3) + np.sum(np.corrcoef(m[0], m[1] ** 2))


def correl(a, v):
    return np.sum(np.correlate(a, v, "same") ** 2) + np.sum(np.correlate(v, a, "full") ** 3)


def ediff(a, b):
    return np.sum(np.ediff1d(a * b[0], b) ** 2)


def selections(a, v):
    c = np.insert(a, [1, 3], v) ** 2
    d = np.delete(a, 1) ** 3
    e = np.compress([True, False, True], a) * v[0]
    f = np.extract(a > 0.0, a) ** 3
    return np.sum(c) + np.sum(d) + np.sum(e) + np.sum(f)


def choose(a, v):
    return np.sum(np.choose(np.array([0, 1, 0, 1]), [a, v * a]) ** 3)


def block(a, b):
    return np.sum(np.block([[a, b], [b, a * a]]) ** 2 * np.arange(16.0).reshape(4, 4))


def mdot(a, b):
    return np.sum(np.linalg.multi_dot([a, b, a.T]) ** 2) + np.linalg.multi_dot([a[0], b, a[1]])


def cond(b):
    return np.linalg.cond(b) + np.linalg.cond(b, "fro") + np.linalg.cond(b, -2)


def eigvals(b):
    return np.sum(np.abs(np.linalg.eigvals(b)) ** 2)


def polyfit(x, y):
    return np.sum(np.polyfit(x, y, 2) ** 2) + np.sum(np.polyfit(x, np.stack([y, y * y], 1), 3))


GRAD_CASES = [
    (trap, (Y, X)), (trap2d, (rng.normal(size=(5, 3)), X[:5])), (cov, (M, M[0] ** 2)),
    (corr, (M,)), (correl, (rng.normal(size=5), rng.normal(size=3))),
    (ediff, (rng.normal(size=5), rng.normal(size=2))),
    (selections, (rng.normal(size=4), rng.normal(size=2))),
    (choose, (rng.normal(size=4), rng.normal(size=4))),
    (block, (rng.normal(size=(2, 2)), rng.normal(size=(2, 2)))), (mdot, (A, B)), (cond, (B,)),
    (eigvals, (B,)), (polyfit, (X, Y)),
]


@pytest.mark.parametrize("f, args", GRAD_CASES, ids=[f.__name__ for f, _ in GRAD_CASES])
def test_grad_matches_finite_differences(f, args):
    wrt = tuple(range(len(args)))
    got = ast_ad.grad(f, wrt=wrt)(*args)
    for g, w, k in zip(got, fd_grad(f, args, wrt=wrt), wrt):
        assert_close(g, w, 1e-5, 1e-6, f"{f.__name__} argument {k}")


def h_trap(y):
    return trap(y, X)


def h_cov(m):
    return cov(m, m[1] ** 2)


def h_correl(v):
    return correl(np.linspace(-1.0, 1.0, 5) ** 2, v)


def h_sel(a):
    return selections(a, a[:2] * 2.0)


def h_choose(v):
    return choose(v[::-1], v)


def h_block(a):
    return block(a, a.T * 3.0)


def h_mdot_a(a):
    return mdot(a, B)


def h_mdot_b(b):
    return mdot(A, b)


def h_poly_x(x):
    return polyfit(x, Y)


def h_poly_y(y):
    return polyfit(X, y)


HESS_CASES = [(h_trap, Y), (h_cov, M), (corr, M), (h_correl, rng.normal(size=3)),
              (h_sel, rng.normal(size=4)), (h_choose, rng.normal(size=4)),
              (h_block, rng.normal(size=(2, 2))), (h_mdot_a, A), (h_mdot_b, B), (eigvals, B),
              (h_poly_x, X), (h_poly_y, Y)]


@pytest.mark.parametrize("f, x", HESS_CASES, ids=[f.__name__ for f, _ in HESS_CASES])
def test_hessian_matches_finite_differences_of_the_gradient(f, x):
    assert_close(ast_ad.hessian(f)(x), fd_jacobian(ast_ad.grad(f), x), 1e-4, 1e-5, f.__name__)


def j_trap(y):
    return np.trapezoid(np.sin(y), X, axis=0)


def j_cov(m):
    return np.cov(m)


def j_corr(m):
    return np.corrcoef(m, rowvar=False)


def j_mdot(a):
    return np.linalg.multi_dot([a, B, a.T])


def j_eigvals(b):  # the finite-difference oracle is real: both parts, stacked
    w = np.linalg.eigvals(b)
    return np.stack([np.real(w), np.imag(w)])


def j_poly(y):
    return np.polyfit(X, np.sin(y), 2)


def j_block(a):
    return np.block([[a, a], [a, 2.0 * a]])


JVP_CASES = [(j_trap, Y), (j_cov, M), (j_corr, M.T), (j_mdot, A), (j_eigvals, B), (j_poly, Y),
             (j_block, A)]


@pytest.mark.parametrize("f, x", JVP_CASES, ids=[f.__name__ for f, _ in JVP_CASES])
def test_jvp_matches_directional_differences(f, x):
    v = rng.normal(size=np.shape(x))
    _, got = ast_ad.jvp(f, (x,), (v,))
    assert_close(got, fd_directional(f, (x,), 0, v), 1e-5, 1e-6, f.__name__)


def _cov_weights(m):
    return np.sum(np.cov(m, fweights=np.array([1, 2, 1, 1, 1, 1, 1])))


def _cov_aweights(m):
    return np.sum(np.cov(m, aweights=np.ones(7)))


def _polyfit_w(y):
    return np.sum(np.polyfit(X, y, 2, w=np.ones(6)))


def _polyfit_full(y):
    return np.sum(np.polyfit(X, y, 2, full=True)[0])


@pytest.mark.parametrize("f, x", [(_cov_weights, M), (_cov_aweights, M), (_polyfit_w, Y),
                                  (_polyfit_full, Y)])
def test_unsupported_keywords_are_refused_at_the_users_line(f, x):
    with pytest.raises(AstAdError, match="no derivative rule") as e:
        ast_ad.grad(f)(x)
    assert "test_breadth_e2e.py" in str(e.value)


def _corr_complex(a):
    return np.sum(np.abs(np.correlate(a, 1j * np.ones(2))))


def _cov_complex(a):
    return np.sum(np.abs(np.cov(a + 1j * a[::-1])))


def _eig_repeated(a):
    return np.sum(np.real(np.linalg.eigvals(a)))


def _poly_rank(y):
    return np.sum(np.polyfit(np.ones(6), y, 2))


def _trap_broadcast(y):
    return np.sum(np.trapezoid(y, np.cumsum(np.ones((3, 6)), axis=1)))


@pytest.mark.filterwarnings("ignore:Polyfit may be poorly conditioned")
@pytest.mark.parametrize("f, x, what", [
    (_corr_complex, rng.normal(size=4), "complex"), (_cov_complex, M, "complex"),
    (_eig_repeated, np.eye(3), "repeated eigenvalues"), (_poly_rank, Y, "rank-deficient"),
    (_trap_broadcast, Y, "broadcast y")])
def test_unsound_forms_are_refused(f, x, what):
    with pytest.raises(NotImplementedError, match=what):
        ast_ad.grad(f)(x)


def test_second_derivative_of_cond_is_refused():
    with pytest.raises(NotImplementedError, match="second derivative of np.linalg.cond"):
        ast_ad.hessian(lambda b: np.linalg.cond(b))(B)


W8 = np.arange(1.0, 9.0)


def r_pair(x):
    return np.sum(np.r_[x, x] * W8[:6] * x[0])


def r_mixed(x):
    return np.sum(np.r_[x[:2], x[0] * 3.0, 1.0, 0:2] * W8[:6] * x[1])


def c_cols(x):
    return np.sum((np.c_[x, x ** 2] @ np.array([0.5, -0.7])) ** 2)


def r_directive(x):
    return np.sum(np.r_["0,2", x, x ** 2] ** 3)


@pytest.mark.parametrize("f", [r_pair, r_mixed, c_cols, r_directive])
def test_index_tricks_are_differentiated(f):
    x = np.array([0.3, -0.5, 0.7])
    assert_close(ast_ad.grad(f)(x), fd_grad(f, (x,)), 1e-5, 1e-6, f.__name__)
    assert_close(ast_ad.hessian(f)(x), fd_jacobian(ast_ad.grad(f), x), 1e-4, 1e-5, f.__name__)
    v = np.array([0.2, 0.1, -0.4])
    assert_close(ast_ad.jvp(f, (x,), (v,))[1], fd_directional(f, (x,), 0, v), 1e-5, 1e-6)


def r_nine(x):
    return np.sum(np.r_[x, x, x, x, x, x, x, x, x])


def test_index_trick_with_more_items_than_rules_is_refused():
    with pytest.raises(AstAdError, match="no derivative rule"):
        ast_ad.grad(r_nine)(np.array([0.3, -0.5]))


# A constant handed to a helper's parameter: the helper's backward sweep is differentiated
# with a symbolic zero (0.0) as that parameter's tangent, which the rules must accept.
def cov_of(m, y):
    return np.sum(np.cov(m, y) ** 2) + np.sum(np.corrcoef(m, y) ** 2)


def trap_of(y, x):
    return np.trapezoid(y ** 2, x) ** 2


def correl_of(a, v):
    return np.sum(np.correlate(a, v, "same") ** 2)


def select_of(a, v):
    return np.sum(np.insert(a, [1, 2], v) ** 3) + np.sum(np.delete(v[0] * a, 1) ** 3)


def z_cov(m):
    return cov_of(m, M[0] ** 3)


def z_trap(x):
    return trap_of(Y, x)


def z_correl(v):
    return correl_of(Y, v)


def z_select(v):
    return select_of(Y, v)


@pytest.mark.parametrize("f, x", [(z_cov, M[1:]), (z_trap, X), (z_correl, Y[:3]),
                                  (z_select, Y[:2])], ids=["cov", "trap", "correl", "select"])
def test_hessian_through_a_helper_given_a_constant(f, x):
    assert_close(ast_ad.hessian(f)(x), fd_jacobian(ast_ad.grad(f), x), 1e-4, 1e-5, f.__name__)
