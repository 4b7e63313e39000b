"""Rules of elementwise functions in every spelling: NumPy's ufuncs, ``math``, the ``operator``
functions behind Python syntax, and the builtins ``abs``, ``max``, ``min``, ``pow``, ``float``.

Each function is declared once, by its derivative (:func:`ast_ad.rules.declare.elementwise`):
``[np.sin, math.sin], "cos(x)"`` gives ``g * np.cos(x)`` for ``np.sin`` and
``g * math.cos(x)`` for ``math.sin`` (a float stays a float), reverse and forward.  Reverse
rules of NumPy and ``operator`` functions of several arguments return
``unbroadcast(<contribution>, x)`` (a no-op when shapes agree).  Semantics at the edges:

* ``abs``/``np.fabs``/``math.fabs`` have derivative 0 at 0 (``np.sign``; ``float_sign``
  for ``math``); ``abs`` of a complex ``z`` has the reverse rule ``g * conj(z) / |z|``.
* ``np.maximum``/``np.minimum``/``fmax``/``fmin`` and two-argument ``max``/``min``: the
  argument equal to the result gets ``g``; at a tie each gets ``g/2``.
* ``x ** y`` asks for the exponent's rule only when ``y`` is active; that rule uses ``xlogy``
  so a zero base with a positive exponent gives 0, not nan.
* ``math.log(x, base)`` has a rule for ``base`` too; ``math.hypot`` for two arguments.
* ``np.clip``: the input gets ``g`` where it passes through unchanged (boundaries included);
  a bound gets ``g`` where the input lies strictly beyond it.

``x[i]`` lives in :mod:`ast_ad.rules.indexing`, ``@`` in :mod:`ast_ad.rules.numpy_linalg`.
List concatenation (``list + list``) and repetition (``list * n``) have no rules: the
reverse pass refuses them on known lists, and ``unbroadcast``/``broadcast_like`` refuse a
list cotangent/tangent where ``+``/``*`` may have joined lists a helper returned.
"""

import builtins
import math
import operator

import numpy as np

from .declare import elementwise, linear
from .helpers import fdiv, float_sign, fpow, real_part, unbroadcast, unseeded_zero, xlogy
from .registry import default_registry as R

# -- one argument: the spellings of a function and its derivative -------------------------
_UNARY = [
    ([np.sin, math.sin], "cos(x)"),
    ([np.cos, math.cos], "-sin(x)"),
    ([np.tan, math.tan], "1 + ans * ans"),
    ([np.exp, math.exp], "ans"),
    (np.exp2, "ans * LN2"),
    ([np.expm1, math.expm1], "ans + 1"),
    (np.log, "1 / x"),
    ([np.log2, math.log2], "1 / (x * LN2)"),
    ([np.log10, math.log10], "1 / (x * LN10)"),
    ([np.log1p, math.log1p], "1 / (1 + x)"),
    # (a derivative mentioning g is the whole contribution: a zero cotangent stays zero)
    ([np.sqrt, math.sqrt], "unseeded_zero(g / (2 * ans), g)"),
    (np.cbrt, "unseeded_zero(g / (3 * ans * ans), g)"),
    (np.square, "2 * x"),
    (np.reciprocal, "-(ans * ans)"),
    ([np.tanh, math.tanh], "1 - ans * ans"),
    ([np.sinh, math.sinh], "cosh(x)"),
    ([np.cosh, math.cosh], "sinh(x)"),
    ([np.arcsin, math.asin], "1 / sqrt(1 - x * x)"),
    ([np.arccos, math.acos], "-1 / sqrt(1 - x * x)"),
    ([np.arctan, math.atan], "1 / (1 + x * x)"),
    ([np.arcsinh, math.asinh], "1 / sqrt(x * x + 1)"),
    ([np.arccosh, math.acosh], "1 / sqrt(x * x - 1)"),
    ([np.arctanh, math.atanh], "1 / (1 - x * x)"),
    ([np.deg2rad, np.radians, math.radians], "DEG"),
    ([np.rad2deg, np.degrees, math.degrees], "1 / DEG"),
    (math.erf, "TWO_OVER_SQRT_PI * exp(-(x * x))"),
    (math.erfc, "-(TWO_OVER_SQRT_PI * exp(-(x * x)))"),
    ([np.fabs, math.fabs], "sign(x)"),
    ([operator.neg, np.negative], "-1"),
    ([operator.pos, np.positive], "1"),
    ((builtins.float, "x=0.0"), "1"),
    ((np.float64, "x=0.0"), "1"),  # np.float64(e): the value as a NumPy float
]
for _fns, _d in _UNARY:
    elementwise(_fns, _d)

# -- several arguments: the spellings, then one derivative per argument (default x, y) ------
_MAX = "g * (x == ans) - 0.5 * g * (x == y)", "g * (y == ans) - 0.5 * g * (x == y)"
_BINARY = [
    ([operator.add, np.add], "1", "1"),
    ([operator.sub, np.subtract], "1", "-1"),
    ([operator.mul, np.multiply], "y", "x * g"),  # x * g: the order of x * y
    ([operator.truediv, np.divide], "1 / y", "-ans / y"),
    ([operator.pow, np.power, (builtins.pow, "base, exp, mod=None")],
     "y * x ** (y - 1 + (y == 0))", "xlogy(g * ans, x)", None),  # x ** 0: 0 at x = 0
    (math.pow, "y * pow(x, y - 1)", "xlogy(g * ans, x)"),
    ([operator.mod, np.mod], "1", "-(x // y)"),
    (np.logaddexp, "exp(x - ans)", "exp(y - ans)"),
    (np.logaddexp2, "exp2(x - ans)", "exp2(y - ans)"),
    ([np.hypot, math.hypot], "x / ans", "y / ans"),
    ([np.copysign, math.copysign], "sign(x) * sign(ans)", None),
    ([np.maximum, np.minimum, np.fmax, np.fmin, (builtins.max, "a, b"), (builtins.min, "a, b")],
     *_MAX),
]
for _fns, *_ds in _BINARY:
    elementwise(_fns, *_ds)
elementwise([np.arctan2, math.atan2], "x / (x * x + y * y)", "-y / (x * x + y * y)",
            params="y, x")
elementwise(math.log, "1 / (x * log(base))", "-ans / (base * log(base))",
            params="x, base=2.718281828459045")
elementwise(xlogy, "xlogy(g, x)", "a / x", params="a, x")  # used by the exponent's rule
# /, ** with NumPy's inf/nan for Python numbers: used by the declared rules themselves
elementwise(fdiv, "1 / y", "-ans / y")
# the mask of a zero cotangent: linear in r, piecewise constant in s
linear(unseeded_zero, "r, s", "unseeded_zero(g, s)", None)
elementwise(fpow, "y * x ** (y - 1 + (y == 0))", "xlogy(g * ans, x)")
elementwise(np.clip, "ans == a", "a < a_min", "a > a_max",
            params="a, a_min=None, a_max=None, out=None, min=None, max=None")
elementwise(np.full_like, None, "1",
            params="a, fill_value, dtype=None, order='K', subok=True, shape=None")
elementwise(np.full, None, "1", params="shape, fill_value, dtype=None, order='C'")


# -- np.where: the two modes differ (zeros where the other branch is taken) ---------------------
def where_vjp_x(g, ans, condition, x, y):
    return unbroadcast(np.where(condition, g, np.zeros_like(g)), x)


def where_vjp_y(g, ans, condition, x, y):
    return unbroadcast(np.where(condition, np.zeros_like(g), g), y)


def where_jvp_x(t, ans, condition, x, y):
    return np.where(condition, t, np.zeros_like(ans))


def where_jvp_y(t, ans, condition, x, y):
    return np.where(condition, np.zeros_like(ans), t)


R.defvjp(np.where, None, where_vjp_x, where_vjp_y)


# -- abs: conj(x) / |x| (sign(x) for real x, 0 at 0), autograd's convention for complex x;
# the forward rule is real: Re(conj(x) t) / |x|
def abs_vjp(g, ans, x):
    return g * np.conj(x) / (ans + (ans == 0))


def abs_jvp(t, ans, x):
    return real_part(t * np.conj(x)) / (ans + (ans == 0))


for _f in (operator.abs, builtins.abs, np.abs):
    R.defvjp(_f, abs_vjp)
    R.defjvp(_f, abs_jvp)
R.defjvp(np.where, None, where_jvp_x, where_jvp_y)


# -- zero derivative ---------------------------------------------------------------------------
for _f in (np.sign, np.floor, np.ceil, np.round, np.around, np.rint, np.trunc, np.fix,
           np.floor_divide, np.isnan, np.isinf, np.isfinite, np.signbit, np.equal,
           np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal,
           np.logical_and, np.logical_or, np.logical_not, np.logical_xor, np.isclose,
           np.allclose, np.array_equal, np.argmax, np.argmin, np.argsort, np.nonzero,
           np.count_nonzero, np.any, np.all, np.heaviside, np.searchsorted,
           math.floor, math.ceil, math.trunc, math.isnan, math.isinf, math.isfinite,
           math.isclose, math.factorial, math.gcd, math.comb, math.perm, math.isqrt,
           operator.floordiv, operator.eq, operator.ne, operator.lt, operator.le,
           operator.gt, operator.ge, operator.not_, operator.truth, operator.is_,
           operator.is_not, operator.contains, operator.and_, operator.or_, operator.xor,
           operator.invert, operator.lshift, operator.rshift, operator.index, float_sign):
    R.nondifferentiable(_f)
