"""Rules for ``scipy.special``: gamma-family, beta-family, error functions, the logistic
pair, normal-distribution functions, ``xlogy``/``xlog1py``/``entr``, ``logsumexp``,
``softmax``/``log_softmax`` and Bessel functions.

Declared like NumPy's elementwise functions (:func:`ast_ad.rules.declare.elementwise`): one
derivative expression per argument, in SciPy's own functions (each with rules here, so the
rules differentiate again).  ``refused(...)``: no closed form for that derivative (the
shape parameter of ``gammainc``, ``betainc``; the order of Bessel functions; integer
arguments): differentiating that argument raises NotImplementedError, as in autograd.
SciPy's dtype is kept (float32 in, float32 or float64 out as SciPy gives).
"""

from scipy import special
from scipy.special import (  # noqa: F401  (names the declared derivatives read)
    beta,
    betaln,
    digamma,
    erfcinv,
    erfinv,
    expit,
    gammaln,
    i0,
    i1,
    iv,
    ive,
    j0,
    j1,
    jv,
    log_ndtr,
    ndtr,
    y0,
    y1,
    yn,
)

from ..declare import elementwise, linear, reduction, symmetric
from ..registry import default_registry as R
from . import _helpers
from ._helpers import (  # noqa: F401
    multipolygamma,
    no_sign,
    or_one,
    poly_gamma,
    refused,
)

SQRT_PI_2 = 0.886226925452758  # sqrt(pi) / 2
INV_SQRT_2PI = 0.3989422804014327  # 1 / sqrt(2 pi)
SQRT_2PI = 2.5066282746310002

def _no(fn, arg):
    return f"refused(g, 'scipy.special.{fn} in {arg}')"


_UNARY = [
    (special.gammaln, "digamma(x)"),
    (special.gamma, "ans * digamma(x)"),
    (special.digamma, "poly_gamma(1, x)"),
    (special.rgamma, "-ans * digamma(x)"),
    (special.erf, "TWO_OVER_SQRT_PI * exp(-x * x)"),
    (special.erfc, "-TWO_OVER_SQRT_PI * exp(-x * x)"),
    (special.erfinv, "SQRT_PI_2 * exp(ans * ans)"),
    (special.erfcinv, "-SQRT_PI_2 * exp(ans * ans)"),
    (special.expit, "ans * (1 - ans)"),
    (special.logit, "1 / (x * (1 - x))"),
    (special.ndtr, "INV_SQRT_2PI * exp(-x * x / 2)"),
    (special.log_ndtr, "INV_SQRT_2PI * exp(-x * x / 2 - ans)"),
    (special.ndtri, "SQRT_2PI * exp(ans * ans / 2)"),
    (special.entr, "-(1 + log(x))"),
    (special.i0, "i1(x)"),
    (special.i1, "(i0(x) + iv(2, x)) / 2"),
    (special.j0, "-j1(x)"),
    (special.j1, "(j0(x) - jv(2, x)) / 2"),
    (special.y0, "-y1(x)"),
    (special.y1, "(y0(x) - yn(2, x)) / 2"),
]
for _fn, _d in _UNARY:
    elementwise(_fn, _d, names=True)

_BINARY = [
    (special.polygamma, "n, x", _no("polygamma", "n"), "poly_gamma(n + 1, x)"),
    (special.gammainc, "a, x", _no("gammainc", "a"), "exp((a - 1) * log(x) - x - gammaln(a))"),
    (special.gammaincc, "a, x", _no("gammaincc", "a"), "-exp((a - 1) * log(x) - x - gammaln(a))"),
    (special.beta, "a, b", "ans * (digamma(a) - digamma(a + b))",
     "ans * (digamma(b) - digamma(a + b))"),
    (special.betaln, "a, b", "digamma(a) - digamma(a + b)", "digamma(b) - digamma(a + b)"),
    (special.xlogy, "x, y", "log(y)", "x / y"),
    (special.xlog1py, "x, y", "log1p(y)", "x / (1 + y)"),
    (special.iv, "v, x", _no("iv", "the order v"), "(iv(v - 1, x) + iv(v + 1, x)) / 2"),
    (special.ive, "v, x", _no("ive", "the order v"),
     "(ive(v - 1, x) + ive(v + 1, x)) / 2 - sign(x) * ans"),
    (special.jv, "v, x", _no("jv", "the order v"), "(jv(v - 1, x) - jv(v + 1, x)) / 2"),
    (special.yn, "n, x", _no("yn", "the order n"), "(yn(n - 1, x) - yn(n + 1, x)) / 2"),
]
for _fn, _params, *_ds in _BINARY:
    elementwise(_fn, *_ds, params=_params, names=True)
elementwise(special.betainc,
            _no("betainc", "a"), _no("betainc", "b"),
            "exp((a - 1) * log(x) + (b - 1) * log1p(-x) - betaln(a, b))",
            params="a, b, x", names=True)
elementwise(special.multigammaln, "multipolygamma(0, a, d)", _no("multigammaln", "d"),
            params="a, d", names=True)
elementwise(multipolygamma, None, "multipolygamma(n + 1, a, d)", None, params="n, a, d",
            names=True)
elementwise(poly_gamma, None, "poly_gamma(n + 1, x)", params="n, x", names=True)
R.nondifferentiable(or_one)
R.nondifferentiable(refused)

# logsumexp(a, axis, b): d/da = b exp(a - lse) (b, return_sign: no rule; see _helpers)
reduction(special.logsumexp,
          "a, axis=None, b=None, keepdims=False, return_sign=False",
          "exp(a - unreduce(no_sign(ans, return_sign), a, axis, keepdims)) * or_one(b)")
linear(no_sign, "x, return_sign=False", "no_sign(g, return_sign)")
# softmax: J = diag(s) - s s^T is symmetric; log_softmax: J = I - 1 s^T
symmetric(special.softmax, "x, axis=None",
          "ans * (g - np.sum(g * ans, axis=axis, keepdims=True))")
R.defvjp(special.log_softmax, _helpers.log_softmax_vjp)
R.defjvp(special.log_softmax, _helpers.log_softmax_jvp)
