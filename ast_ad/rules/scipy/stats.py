"""Rules for ``scipy.stats``: ``norm``, ``t``, ``chi2``, ``beta``, ``gamma``, ``poisson``
(elementwise methods: pdf, logpdf, cdf, logcdf, sf, logsf; pmf, logpmf),
``multivariate_normal`` and ``dirichlet`` (``logpdf``/``pdf``).

The functions are bound methods of SciPy's distribution objects (``scipy.stats.norm.logpdf``)
and rules are keyed by them: ``stats.norm.logpdf`` in user code resolves (by attribute
lookup) to an equal bound method.  ``z = (x - loc) / scale`` throughout.
The shape parameters follow ``x`` positionally, ``loc``/``scale`` may be keywords.
``refused(...)``: no derivative rule (the shape parameters of the cdfs, as in autograd;
``poisson``'s integer ``k`` and ``loc``): differentiating it raises NotImplementedError.
"""

from scipy import stats
from scipy.special import digamma  # noqa: F401  (read by the declared derivatives)

from .._text import text_pair
from ..declare import elementwise, linear
from ..helpers import (  # noqa: F401
    cot_part,
    from_triangle,
    mT,
    to_triangle,
    unbroadcast,
)
from ._helpers import refused, simplex_dir, simplex_full, simplex_undir  # noqa: F401

norm_pdf, norm_logpdf = stats.norm.pdf, stats.norm.logpdf
t_pdf, t_logpdf = stats.t.pdf, stats.t.logpdf
chi2_pdf, chi2_logpdf = stats.chi2.pdf, stats.chi2.logpdf
beta_pdf, beta_logpdf = stats.beta.pdf, stats.beta.logpdf
gamma_pdf, gamma_logpdf = stats.gamma.pdf, stats.gamma.logpdf
poisson_pmf = stats.poisson.pmf

Z = "((x - loc) / scale)"


def _no(what, arg):
    return f"refused(g, 'scipy.stats.{what} in {arg}')"


def _declare(methods, params, *derivatives):
    """One declaration per method: ``derivatives`` with ``{Z}`` for the standardized x,
    ``{W}`` for the method's own factor (``ans`` for pdf, ``exp(logpdf - ans)``...)."""
    for fn, factor in methods:
        ds = [d.format(Z=Z) if d.startswith("refused") or not factor else
              f"{factor} * ({d.format(Z=Z)})" for d in derivatives]
        elementwise(fn, *ds, params=params, names=True)


# -- norm --------------------------------------------------------------------------------------
_NORM = "x, loc=0.0, scale=1.0"
_declare([(stats.norm.logpdf, ""), (stats.norm.pdf, "ans")], _NORM,
         "-{Z} / scale", "{Z} / scale", "({Z} * {Z} - 1) / scale")
for _fn, _factor in [(stats.norm.cdf, "norm_pdf(x, loc, scale)"),
                     (stats.norm.logcdf, "exp(norm_logpdf(x, loc, scale) - ans)"),
                     (stats.norm.sf, "-norm_pdf(x, loc, scale)"),
                     (stats.norm.logsf, "-exp(norm_logpdf(x, loc, scale) - ans)")]:
    _declare([(_fn, _factor)], _NORM, "1", "-1", "-{Z}")

# -- t -----------------------------------------------------------------------------------------
_T = "x, df, loc=0.0, scale=1.0"
_declare([(stats.t.logpdf, ""), (stats.t.pdf, "ans")], _T,
         "-(df + 1) * {Z} / (scale * (df + {Z} * {Z}))",
         "(digamma((df + 1) / 2) - digamma(df / 2)) / 2 - 1 / (2 * df) "
         "- log1p({Z} * {Z} / df) / 2 + (df + 1) * {Z} * {Z} / (2 * df * (df + {Z} * {Z}))",
         "(df + 1) * {Z} / (scale * (df + {Z} * {Z}))",
         "((df + 1) * {Z} * {Z} / (df + {Z} * {Z}) - 1) / scale")
for _fn, _factor in [(stats.t.cdf, "t_pdf(x, df, loc, scale)"),
                     (stats.t.logcdf, "exp(t_logpdf(x, df, loc, scale) - ans)")]:
    _declare([(_fn, _factor)], _T, "1", _no(_fn.__name__, "df"), "-1", "-{Z}")

# -- chi2, gamma, beta: x (and the shape parameters of the densities) --------------------------
# loc and scale of a density f(z) / scale: d/dloc = -d/dx, d/dscale = -(z d/dx + 1 / scale)
# (of the log density; the density itself: times ans); of a cdf F(z): -pdf, -pdf * z
_CHI2 = "x, df, loc=0.0, scale=1.0"
_CHI2_DX = "((df / 2 - 1) / {Z} - 0.5) / scale"
_declare([(stats.chi2.logpdf, ""), (stats.chi2.pdf, "ans")], _CHI2, _CHI2_DX,
         "(log({Z}) - LN2 - digamma(df / 2)) / 2", f"-({_CHI2_DX})",
         f"-({{Z}} * {_CHI2_DX} + 1 / scale)")
_declare([(stats.chi2.cdf, "chi2_pdf(x, df, loc, scale)")], _CHI2, "1", _no("chi2.cdf", "df"),
         "-1", "-{Z}")

_GAMMA = "x, a, loc=0.0, scale=1.0"
_GAMMA_DX = "((a - 1) / {Z} - 1) / scale"
_declare([(stats.gamma.logpdf, ""), (stats.gamma.pdf, "ans")], _GAMMA, _GAMMA_DX,
         "log({Z}) - digamma(a)", f"-({_GAMMA_DX})", f"-({{Z}} * {_GAMMA_DX} + 1 / scale)")
_declare([(stats.gamma.cdf, "gamma_pdf(x, a, loc, scale)")], _GAMMA, "1",
         _no("gamma.cdf", "a"), "-1", "-{Z}")

_BETA = "x, a, b, loc=0.0, scale=1.0"
_BETA_DX = "((a - 1) / {Z} - (b - 1) / (1 - {Z})) / scale"
_declare([(stats.beta.logpdf, ""), (stats.beta.pdf, "ans")], _BETA, _BETA_DX,
         "log({Z}) - digamma(a) + digamma(a + b)", "log1p(-{Z}) - digamma(b) + digamma(a + b)",
         f"-({_BETA_DX})", f"-({{Z}} * {_BETA_DX} + 1 / scale)")
_declare([(stats.beta.cdf, "beta_pdf(x, a, b, loc, scale)")], _BETA, "1",
         _no("beta.cdf", "a"), _no("beta.cdf", "b"), "-1", "-{Z}")

# -- the other tails of t, chi2, gamma, beta: x, loc and scale (the shape parameters refused,
# as for the cdfs).  d/dx of logcdf is pdf / cdf = exp(logpdf - ans); of sf -pdf; of logsf
# -exp(logpdf - ans)
def _tails(dist, params, logpdf, shapes):
    for name, factor in [("logcdf", "exp({L} - ans)"), ("sf", "-exp({L})"),
                         ("logsf", "-exp({L} - ans)")]:
        fn = getattr(dist, name)
        if fn in _DONE:
            continue
        ds = ["1"] + [_no(f"{dist.name}.{name}", s) for s in shapes] + ["-1", "-{Z}"]
        _declare([(fn, factor.format(L=logpdf))], params, *ds)


_DONE = {stats.t.logcdf}
_tails(stats.t, _T, "t_logpdf(x, df, loc, scale)", ["df"])
_tails(stats.chi2, _CHI2, "chi2_logpdf(x, df, loc, scale)", ["df"])
_tails(stats.gamma, _GAMMA, "gamma_logpdf(x, a, loc, scale)", ["a"])
_tails(stats.beta, _BETA, "beta_logpdf(x, a, b, loc, scale)", ["a", "b"])

# -- poisson: the rate ---------------------------------------------------------------------------
_POISSON = "k, mu, loc=0"
_declare([(stats.poisson.logpmf, ""), (stats.poisson.pmf, "ans")], _POISSON,
         _no("poisson", "k (discrete)"), "(k - loc) / mu - 1", _no("poisson", "loc"))
_declare([(stats.poisson.cdf, "-poisson_pmf(floor(k), mu, loc)")], _POISSON,
         _no("poisson.cdf", "k (discrete)"), "1", _no("poisson.cdf", "loc"))


# -- multivariate_normal: r = x - mean, P = cov^-1; logpdf = -r P r / 2 - log det(cov) / 2 - ...
# x: (..., d) (batched: a result per row), mean (d,), cov (d, d), read (by SciPy's eigh) from
# its lower triangle.
_MVN = dict(
    P="np.linalg.inv(cov)", RP="np.matmul(x - mean, {P})",
    R2="np.reshape(x - mean, (-1, np.shape(cov)[-1]))",
    GX="unbroadcast(-np.expand_dims({G}, -1) * {RP}, x)",
    GM="unbroadcast(np.expand_dims({G}, -1) * {RP}, mean)",
    GC="to_triangle(-0.5 * (np.sum({G}) * {P} - np.matmul(np.matmul({P}, mT({R2})), "
       "np.reshape({G}, (-1, 1)) * np.matmul({R2}, {P}))), False)",
    TX="-np.sum({RP} * t, axis=-1)", TM="np.sum({RP} * t, axis=-1)",
    TC="-0.5 * np.sum({P} * from_triangle(t, False)) + "
       "0.5 * np.sum(np.matmul({RP}, from_triangle(t, False)) * {RP}, axis=-1)",
)
_MVN_PARAMS = "x, mean=None, cov=1, allow_singular=False"
for _fn, _g, _t in [(stats.multivariate_normal.logpdf, "g", "{T}"),
                    (stats.multivariate_normal.pdf, "(g * ans)", "ans * ({T})")]:
    text_pair(__name__, _fn, _MVN_PARAMS, ["{GX}", "{GM}", "{GC}", None],
              [_t.format(T="{TX}"), _t.format(T="{TM}"), _t.format(T="{TC}"), None],
              name="mvn_" + _fn.__name__, G=_g, **_MVN)

# -- dirichlet: logpdf = sum((alpha - 1) log x) + gammaln(sum alpha) - sum gammaln(alpha);
# x and alpha of shape (k,)
# (x may be one entry short: SciPy completes it with 1 - sum(x))
_DIR = dict(X="simplex_full(x, alpha)", DX="(alpha - 1) / {X}",
            DA="np.log({X}) + digamma(np.sum(alpha)) - digamma(alpha)")
for _fn, _f in [(stats.dirichlet.logpdf, "g"), (stats.dirichlet.pdf, "(g * ans)")]:
    text_pair(__name__, _fn, "x, alpha",
              [f"simplex_undir({_f} * {{DX}}, x)", f"{_f} * ({{DA}})"],
              [("" if _f == "g" else "ans * ") + "np.sum(simplex_dir(t, alpha) * {DX})",
               ("" if _f == "g" else "ans * ") + "np.sum(t * ({DA}))"],
              name="dirichlet_" + _fn.__name__, **_DIR)

linear(simplex_dir, "t_, alpha", "simplex_undir(g, t_)", None)
linear(simplex_undir, "x, xs", "simplex_dir(g, x)", None)
text_pair(__name__, simplex_full, "x, alpha", ["simplex_undir(g, x)", None],
          ["simplex_dir(t, alpha)", None])
