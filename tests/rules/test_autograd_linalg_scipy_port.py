"""autograd's numeric tests of ``np.linalg`` and ``scipy`` (test_linalg.py, test_scipy.py),
restated: scalar functions of the decompositions and SciPy functions differentiated by
``ast_ad.grad`` (reverse), ``ast_ad.jvp`` (forward) and ``ast_ad.hessian`` (second order),
checked against central finite differences (``tests/fd.py``).

Ill-defined points give what autograd gives: a repeated eigenvalue makes the eigenvector
part ``inf``/``nan`` (the eigenvalue part stays finite), the extra columns of a full SVD of
a non-square matrix are refused when they reach the result.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import ast_ad

from ..fd import fd_directional, fd_grad

scipy = pytest.importorskip("scipy")
from scipy import linalg as sla  # noqa: E402
from scipy import signal, special, stats  # noqa: E402

rng = np.random.default_rng(0)
D = 4


def rand(*shape):
    return rng.standard_normal(shape)


def spd(d=D):
    x = rand(d, d)
    return x @ x.T + d * np.eye(d)


def sym(x):
    return 0.5 * (x + np.swapaxes(x, -1, -2))


# -- the functions under test (module level: ast_ad reads their source) ------------------------
def f_inv(a):
    return np.sum(np.sin(np.linalg.inv(a)))


def f_det(a):
    return np.linalg.det(a) ** 2


def f_slogdet(a):
    s, logdet = np.linalg.slogdet(a)
    return logdet * 2.0


def f_solve(a, b):
    return np.sum(np.linalg.solve(a, b) ** 2)


def f_solve_batched(a, b):
    return np.sum(np.tanh(np.linalg.solve(a, b)))


def f_cholesky(a):
    return np.sum(np.sin(np.linalg.cholesky(0.5 * (a + np.transpose(a)) + D * np.eye(D))))


def f_cholesky_upper(a):
    return np.sum(np.linalg.cholesky(a @ a.T + np.eye(D), upper=True) ** 3)


def f_eigh(a):
    w, v = np.linalg.eigh(0.5 * (a + np.transpose(a)))
    return np.sum(w * np.arange(D)) + np.sum(np.abs(v[0]) * w)


def f_eigh_upper(a):
    w, v = np.linalg.eigh(a, UPLO="U")
    return np.sum(np.abs(v) * np.cos(w))


def f_eigvals_only(a):
    w, _ = np.linalg.eigh(a)
    return np.sum(w ** 3)


W = rng.standard_normal((D, D))


def f_eigvecs_weighted(a):
    w, v = np.linalg.eigh(a)
    return np.sum(v * W)


def f_gammainc_both(a, x):
    return special.gammainc(a, x)


def f_eigh_batched(a):
    w, v = np.linalg.eigh(sym(a))
    return np.sum(np.abs(v) * w[..., None, :])


def f_svd_thin(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return np.sum(np.abs(u) * s[..., None, :]) + np.sum(np.abs(vh[..., 0, :]) ** 3)


def f_svd_values(a):
    return np.sum(np.linalg.svd(a, compute_uv=False) ** 1.5)


def f_svd_full_square(a):
    u, s, vh = np.linalg.svd(a)
    return np.sum(np.abs(u @ vh) * s)


def f_svd_full_used_part(a):
    u, s, vh = np.linalg.svd(a)  # a is 5 x 3: the last two columns of u are not unique
    return np.sum(np.abs(u[:, :3]) * s)


def f_svd_full_extra_columns(a):
    u, s, vh = np.linalg.svd(a)
    return np.sum(u ** 3)


def f_eig(a):
    w, v = np.linalg.eig(a)
    return np.sum(w ** 2) + np.sum(np.abs(v) * np.arange(D))


def f_qr(a):
    q, r = np.linalg.qr(a)
    return np.sum(np.sin(q)) + np.sum(r ** 2 * np.arange(np.shape(r)[-1]))


def f_qr_wide(a):
    q, r = np.linalg.qr(a)
    return np.sum(r)


def f_pinv(a):
    return np.sum(np.linalg.pinv(a) ** 2)


def f_matrix_power(a):
    return np.sum(np.linalg.matrix_power(a, 3)) + np.sum(np.linalg.matrix_power(a, -2))


def f_norm(x):
    return np.linalg.norm(x) + np.linalg.norm(x, axis=0)[1] + np.linalg.norm(x, 3, axis=1)[0]


def f_norm_spectral(x):
    return np.linalg.norm(x, "nuc") + np.linalg.norm(x, 2) + np.linalg.norm(x, -2) + np.sum(
        np.linalg.norm(np.reshape(x, (2, 2, 3)), "nuc", axis=(2, 1)))


def f_norm_zero(x):
    return np.linalg.norm(x, 0)


def f_special(x):
    return np.sum(special.gammaln(x) + special.digamma(x) + special.erf(x) * special.expit(x)
                  + special.polygamma(1, x) + special.i0(x) + special.jv(1.5, x)
                  + special.log_ndtr(x) + special.xlogy(x, x + 1.0) + special.rgamma(x))


def f_special_two(a, b):
    return np.sum(special.betaln(a, b) + special.gammainc(1.5, b) + special.betainc(1.5, 2.0, b / 4)
                  + special.beta(a, b))


def f_multigammaln(a):
    return special.multigammaln(a, 3)


def f_logsumexp(x):
    return special.logsumexp(x) + np.sum(special.logsumexp(x, axis=1, keepdims=True) ** 2)


def f_softmax(x):
    return np.sum(special.softmax(x, axis=1) * np.arange(3)) + np.sum(
        special.log_softmax(x, axis=0) ** 2)


def f_norm_dist(x, loc, scale):
    return np.sum(stats.norm.logpdf(x, loc, scale) + stats.norm.cdf(x, loc, scale)
                  + stats.norm.logsf(x, loc=loc, scale=scale) + stats.norm.pdf(x))


def f_t_dist(x, df):
    return np.sum(stats.t.logpdf(x, df) + stats.t.cdf(x, 3.0) + stats.t.pdf(x, df, 0.5, 2.0))


def f_gamma_family(x, a):
    return np.sum(stats.gamma.logpdf(x, a) + stats.chi2.logpdf(x, 3.0) + stats.chi2.cdf(x, 2.0)
                  + stats.gamma.cdf(x, 2.0) + stats.beta.logpdf(x / 4, a, 2.0))


def f_poisson(mu):
    k = np.array([0.0, 1.0, 4.0])
    return np.sum(stats.poisson.logpmf(k, mu) + stats.poisson.pmf(k, mu)
                  + stats.poisson.cdf(k, mu))


def f_mvn(x, mean, cov):
    return np.sum(stats.multivariate_normal.logpdf(x, mean, cov))


def f_mvn_pdf(x, mean, cov):
    return stats.multivariate_normal.pdf(x, mean, cov)


def f_dirichlet(x, alpha):
    return stats.dirichlet.logpdf(x, alpha) + stats.dirichlet.pdf(x, alpha) * 0.1


def f_expm(a):
    return np.sum(np.sin(sla.expm(a)))


def f_sqrtm(a):
    return np.sum(sla.sqrtm(a @ a.T + np.eye(D)) ** 2)


def f_solve_triangular(a, b):
    return np.sum(sla.solve_triangular(a, b, lower=True) ** 2) + np.sum(
        sla.solve_triangular(a, b, trans="T") ** 2)


def f_cho(a, b):
    c = sla.cho_factor(a @ a.T + D * np.eye(D))
    return np.sum(sla.cho_solve(c, b) ** 2)


def f_sylvester(a, b, q):
    return np.sum(np.tanh(sla.solve_sylvester(a, b, q)))


def f_convolve(x, y):
    return np.sum(signal.convolve(x, y) ** 2) + np.sum(signal.convolve(x, y, mode="same")) + \
        np.sum(np.sin(signal.convolve(x, y, mode="valid")))


def f_convolve_2d(x, y):
    return np.sum(signal.convolve(x, y, mode="same") ** 2)


_tri = np.tril(rand(D, D)) + 3 * np.eye(D)
_sv = rand(5, 3)
CASES = [
    (f_inv, (rand(D, D) + 3 * np.eye(D),)),
    (f_det, (rand(D, D),)),
    (f_slogdet, (rand(D, D),)),
    (f_solve, (rand(D, D) + 3 * np.eye(D), rand(D))),
    (f_solve, (rand(D, D) + 3 * np.eye(D), rand(D, 2))),
    (f_solve_batched, (rand(2, D, D) + 3 * np.eye(D), rand(2, D, 3))),
    (f_cholesky, (rand(D, D),)),
    (f_cholesky_upper, (rand(D, D),)),
    (f_eigh, (rand(D, D),)),
    (f_eigh_upper, (spd(),)),
    (f_eigvals_only, (spd(),)),
    (f_eigh_batched, (rand(3, D, D),)),
    (f_svd_thin, (rand(5, 3),)),
    (f_svd_thin, (rand(3, 5),)),
    (f_svd_thin, (rand(2, 3, 3),)),
    (f_svd_values, (rand(4, 3),)),
    (f_svd_full_square, (rand(D, D),)),
    (f_svd_full_used_part, (_sv,)),
    (f_eig, (np.diag([-1.0, 0.5, 1.5, 3.0]) + 0.1 * rand(D, D),)),
    (f_qr, (rand(5, 3),)),
    (f_qr, (rand(2, 3, 3),)),
    (f_pinv, (rand(5, 3),)),
    (f_pinv, (rand(3, 5),)),
    (f_matrix_power, (rand(D, D) / 3 + np.eye(D),)),
    (f_norm, (rand(3, 4),)),
    (f_norm_spectral, (rand(4, 3),)),
    (f_special, (rng.uniform(0.5, 2.0, 5),)),
    (f_special_two, (rng.uniform(0.5, 2.0, 3), rng.uniform(0.5, 2.0, 3))),
    (f_multigammaln, (3.7,)),
    (f_logsumexp, (rand(3, 4),)),
    (f_softmax, (rand(4, 3),)),
    (f_norm_dist, (rand(5), 0.3, 1.7)),
    (f_t_dist, (rand(5), 4.5)),
    (f_gamma_family, (rng.uniform(0.5, 3.0, 4), 2.5)),
    (f_poisson, (2.3,)),
    (f_mvn, (rand(5, 3), rand(3), spd(3))),
    (f_mvn_pdf, (rand(3) * 0.3, rand(3) * 0.3, spd(3))),
    (f_dirichlet, (np.array([0.2, 0.3, 0.1]), np.array([1.5, 2.0, 3.0, 2.5]))),
    (f_expm, (rand(D, D) / 2,)),
    (f_sqrtm, (rand(D, D),)),
    (f_solve_triangular, (_tri, rand(D))),
    (f_cho, (rand(D, D), rand(D, 2))),
    (f_sylvester, (rand(3, 3) + 3 * np.eye(3), rand(2, 2) + 3 * np.eye(2), rand(3, 2))),
    (f_convolve, (rand(6), rand(3))),
    (f_convolve_2d, (rand(4, 5), rand(2, 3))),
]
IDS = [f"{f.__name__}{i}" for i, (f, _) in enumerate(CASES)]


def _close(got, want, what):
    np.testing.assert_allclose(np.asarray(got, float), np.asarray(want, float), rtol=1e-5,
                               atol=1e-6 * max(1.0, float(np.max(np.abs(want)))), err_msg=what)


@pytest.mark.parametrize("f,args", CASES, ids=IDS)
def test_grad_matches_finite_differences(f, args):
    wrt = tuple(range(len(args)))
    got = ast_ad.grad(f, wrt=wrt)(*args)
    want = fd_grad(f, args, wrt=wrt)
    for k, (g, w) in enumerate(zip(got, want)):
        _close(g, w, f"gradient {k}")


FORWARD = [(c, i) for c, i in zip(CASES, IDS) if c[0] is not f_svd_full_used_part]


@pytest.mark.parametrize("f,args", [c for c, _ in FORWARD], ids=[i for _, i in FORWARD])
def test_jvp_matches_finite_differences(f, args):
    ts = tuple(rand(*np.shape(a)) if np.ndim(a) else float(rand()) for a in args)
    _, got = ast_ad.jvp(f, args, ts)
    want = fd_directional(f, args, tuple(range(len(args))), ts)
    _close(got, want, "directional derivative")


SECOND_ORDER = [c for c in CASES if c[0] in (
    f_inv, f_slogdet, f_solve, f_cholesky, f_eigh, f_svd_thin, f_svd_values, f_pinv,
    f_matrix_power, f_qr, f_special, f_logsumexp, f_norm_dist, f_mvn, f_expm, f_solve_triangular,
    f_convolve)]


@pytest.mark.parametrize("f,args", SECOND_ORDER, ids=[f.__name__ for f, _ in SECOND_ORDER])
def test_hessian_vector_product_matches_finite_differences_of_the_gradient(f, args):
    x = args[0]
    v = rand(*np.shape(x))
    hv = ast_ad.hvp(f, args, v)
    g = ast_ad.grad(f)

    def gx(x_):
        return g(x_, *args[1:])

    want = fd_directional(gx, (x,), 0, v, eps=1e-5)
    np.testing.assert_allclose(hv, want, rtol=1e-4, atol=1e-5 * max(1.0, np.max(np.abs(want))))


# -- ill-defined points and refusals ---------------------------------------------------------
def test_full_svd_extra_columns_are_refused_when_they_reach_the_result():
    with pytest.raises(NotImplementedError, match="not unique"):
        ast_ad.grad(f_svd_full_extra_columns)(rand(5, 3))
    with pytest.raises(NotImplementedError, match="not unique"):
        ast_ad.jvp(f_svd_full_used_part, (rand(5, 3),), (rand(5, 3),))


def test_qr_of_a_wide_matrix_is_refused():
    with pytest.raises(NotImplementedError, match="qr of a 3x5"):
        ast_ad.grad(f_qr_wide)(rand(3, 5))


def test_norm_ord_0_is_refused():
    with pytest.raises(NotImplementedError, match="ord=0"):
        ast_ad.grad(f_norm_zero)(rand(4))


def test_repeated_eigenvalues_as_autograd():
    a = np.diag([1.0, 1.0, 2.0, 3.0])
    g = ast_ad.grad(f_eigvals_only)(a)  # eigenvalues only: finite
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, np.tril(3 * a @ a), atol=1e-12)
    with np.errstate(all="ignore"):
        gv = ast_ad.grad(f_eigvecs_weighted)(a)  # the eigenvectors reach the result: inf/nan
    assert not np.all(np.isfinite(gv))


def test_an_unused_shape_parameter_derivative_is_refused():
    with pytest.raises(NotImplementedError, match="gammainc in a"):
        ast_ad.grad(f_gammainc_both)(1.5, 0.7)
    assert np.isfinite(ast_ad.grad(f_gammainc_both, wrt=1)(1.5, 0.7))


def test_float32_stays_float32():
    a = (rand(3, 3) + 3 * np.eye(3)).astype(np.float32)
    assert ast_ad.grad(f_inv)(a).dtype == np.float32
    assert ast_ad.grad(f_slogdet)(a).dtype == np.float32
    assert ast_ad.grad(f_eigvals_only)(sym(a) + 0 * a).dtype == np.float32


def test_import_ast_ad_does_not_import_scipy_and_scipy_rules_load_lazily():
    code = textwrap.dedent("""
        import sys
        import ast_ad
        assert "scipy" not in sys.modules, "import ast_ad imported scipy"
        assert "ast_ad.rules.scipy" not in sys.modules
        import scipy.special
        assert "ast_ad.rules.scipy" not in sys.modules
        rs = ast_ad.default_registry.vjp(scipy.special.gammaln)  # the first SciPy lookup
        assert rs is not None and "ast_ad.rules.scipy" in sys.modules
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=str(__import__("pathlib").Path(ast_ad.__file__).parents[1]))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def f_sym_helper(a):
    return np.sum(np.sin(sym(a)))


def test_hvp_through_a_helper_with_constant_axes():
    """The helper's signed literals (``np.swapaxes(x, -1, -2)``) stay constants at second
    order (they were once recorded, and then taken for differentiated values)."""
    a, v = rand(3, 3), rand(3, 3)
    got = ast_ad.hvp(f_sym_helper, (a,), v)
    got = got[0] if isinstance(got, tuple) else got
    want = fd_directional(ast_ad.grad(f_sym_helper), (a,), 0, v)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
