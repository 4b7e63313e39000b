"""Rules for the ``math`` module (Python floats in, Python floats out).

``math.log(x, base)`` has a rule for ``base`` too; ``math.hypot`` has rules for two
arguments; ``math.fabs`` (like ``abs``) has derivative 0 at 0.
"""

import math

import numpy as np

from .helpers import xlogy
from .registry import default_registry as R

_LN2 = 0.6931471805599453
_LN10 = 2.302585092994046
_DEG = 0.017453292519943295  # pi / 180
_TWO_OVER_SQRT_PI = 1.1283791670955126


def sin_vjp(g, ans, x):
    return g * math.cos(x)


def sin_jvp(t, ans, x):
    return t * math.cos(x)


def cos_vjp(g, ans, x):
    return -(g * math.sin(x))


def cos_jvp(t, ans, x):
    return -(t * math.sin(x))


def tan_vjp(g, ans, x):
    return g * (1.0 + ans * ans)


def tan_jvp(t, ans, x):
    return t * (1.0 + ans * ans)


def exp_vjp(g, ans, x):
    return g * ans


def exp_jvp(t, ans, x):
    return t * ans


def expm1_vjp(g, ans, x):
    return g * (ans + 1.0)


def expm1_jvp(t, ans, x):
    return t * (ans + 1.0)


def log_vjp_x(g, ans, x, base=2.718281828459045):
    return g / (x * math.log(base))


def log_vjp_base(g, ans, x, base=2.718281828459045):
    return -(g * ans) / (base * math.log(base))


def log_jvp_x(t, ans, x, base=2.718281828459045):
    return t / (x * math.log(base))


def log_jvp_base(t, ans, x, base=2.718281828459045):
    return -(t * ans) / (base * math.log(base))


def log2_vjp(g, ans, x):
    return g / (x * _LN2)


def log2_jvp(t, ans, x):
    return t / (x * _LN2)


def log10_vjp(g, ans, x):
    return g / (x * _LN10)


def log10_jvp(t, ans, x):
    return t / (x * _LN10)


def log1p_vjp(g, ans, x):
    return g / (1.0 + x)


def log1p_jvp(t, ans, x):
    return t / (1.0 + x)


def sqrt_vjp(g, ans, x):
    return g / (2.0 * ans)


def sqrt_jvp(t, ans, x):
    return t / (2.0 * ans)


def tanh_vjp(g, ans, x):
    return g * (1.0 - ans * ans)


def tanh_jvp(t, ans, x):
    return t * (1.0 - ans * ans)


def sinh_vjp(g, ans, x):
    return g * math.cosh(x)


def sinh_jvp(t, ans, x):
    return t * math.cosh(x)


def cosh_vjp(g, ans, x):
    return g * math.sinh(x)


def cosh_jvp(t, ans, x):
    return t * math.sinh(x)


def atan_vjp(g, ans, x):
    return g / (1.0 + x * x)


def atan_jvp(t, ans, x):
    return t / (1.0 + x * x)


def asin_vjp(g, ans, x):
    return g / math.sqrt(1.0 - x * x)


def asin_jvp(t, ans, x):
    return t / math.sqrt(1.0 - x * x)


def acos_vjp(g, ans, x):
    return -g / math.sqrt(1.0 - x * x)


def acos_jvp(t, ans, x):
    return -t / math.sqrt(1.0 - x * x)


def asinh_vjp(g, ans, x):
    return g / math.sqrt(x * x + 1.0)


def asinh_jvp(t, ans, x):
    return t / math.sqrt(x * x + 1.0)


def acosh_vjp(g, ans, x):
    return g / math.sqrt(x * x - 1.0)


def acosh_jvp(t, ans, x):
    return t / math.sqrt(x * x - 1.0)


def atanh_vjp(g, ans, x):
    return g / (1.0 - x * x)


def atanh_jvp(t, ans, x):
    return t / (1.0 - x * x)


def fabs_vjp(g, ans, x):
    return g * np.sign(x)


def fabs_jvp(t, ans, x):
    return t * np.sign(x)


def radians_vjp(g, ans, x):
    return g * _DEG


def radians_jvp(t, ans, x):
    return t * _DEG


def degrees_vjp(g, ans, x):
    return g / _DEG


def degrees_jvp(t, ans, x):
    return t / _DEG


def erf_vjp(g, ans, x):
    return g * _TWO_OVER_SQRT_PI * math.exp(-(x * x))


def erf_jvp(t, ans, x):
    return t * _TWO_OVER_SQRT_PI * math.exp(-(x * x))


def erfc_vjp(g, ans, x):
    return -(g * _TWO_OVER_SQRT_PI * math.exp(-(x * x)))


def erfc_jvp(t, ans, x):
    return -(t * _TWO_OVER_SQRT_PI * math.exp(-(x * x)))


_UNARY = {
    math.sin: (sin_vjp, sin_jvp), math.cos: (cos_vjp, cos_jvp), math.tan: (tan_vjp, tan_jvp),
    math.exp: (exp_vjp, exp_jvp), math.expm1: (expm1_vjp, expm1_jvp),
    math.log2: (log2_vjp, log2_jvp), math.log10: (log10_vjp, log10_jvp),
    math.log1p: (log1p_vjp, log1p_jvp), math.sqrt: (sqrt_vjp, sqrt_jvp),
    math.tanh: (tanh_vjp, tanh_jvp), math.sinh: (sinh_vjp, sinh_jvp),
    math.cosh: (cosh_vjp, cosh_jvp), math.atan: (atan_vjp, atan_jvp),
    math.asin: (asin_vjp, asin_jvp), math.acos: (acos_vjp, acos_jvp),
    math.asinh: (asinh_vjp, asinh_jvp), math.acosh: (acosh_vjp, acosh_jvp),
    math.atanh: (atanh_vjp, atanh_jvp), math.fabs: (fabs_vjp, fabs_jvp),
    math.radians: (radians_vjp, radians_jvp), math.degrees: (degrees_vjp, degrees_jvp),
    math.erf: (erf_vjp, erf_jvp), math.erfc: (erfc_vjp, erfc_jvp),
}
for _f, (_v, _j) in _UNARY.items():
    R.defvjp(_f, _v)
    R.defjvp(_f, _j)
R.defvjp(math.log, log_vjp_x, log_vjp_base)
R.defjvp(math.log, log_jvp_x, log_jvp_base)


def atan2_vjp_y(g, ans, y, x):
    return g * x / (x * x + y * y)


def atan2_vjp_x(g, ans, y, x):
    return -(g * y) / (x * x + y * y)


def atan2_jvp_y(t, ans, y, x):
    return t * x / (x * x + y * y)


def atan2_jvp_x(t, ans, y, x):
    return -(t * y) / (x * x + y * y)


def hypot_vjp_x(g, ans, x, y):
    return g * x / ans


def hypot_vjp_y(g, ans, x, y):
    return g * y / ans


def hypot_jvp_x(t, ans, x, y):
    return t * x / ans


def hypot_jvp_y(t, ans, x, y):
    return t * y / ans


def pow_vjp_x(g, ans, x, y):
    return g * y * math.pow(x, y - 1.0)


def pow_vjp_y(g, ans, x, y):
    return xlogy(g * ans, x)


def pow_jvp_x(t, ans, x, y):
    return t * y * math.pow(x, y - 1.0)


def pow_jvp_y(t, ans, x, y):
    return xlogy(t * ans, x)


def copysign_vjp_x(g, ans, x, y):
    return g * np.sign(x) * np.sign(ans)


def copysign_jvp_x(t, ans, x, y):
    return t * np.sign(x) * np.sign(ans)


R.defvjp(math.atan2, atan2_vjp_y, atan2_vjp_x)
R.defjvp(math.atan2, atan2_jvp_y, atan2_jvp_x)
R.defvjp(math.hypot, hypot_vjp_x, hypot_vjp_y)
R.defjvp(math.hypot, hypot_jvp_x, hypot_jvp_y)
R.defvjp(math.pow, pow_vjp_x, pow_vjp_y)
R.defjvp(math.pow, pow_jvp_x, pow_jvp_y)
R.defvjp(math.copysign, copysign_vjp_x, None)
R.defjvp(math.copysign, copysign_jvp_x, None)

for _f in (math.floor, math.ceil, math.trunc, math.isnan, math.isinf, math.isfinite,
           math.isclose, math.factorial, math.gcd, math.comb, math.perm, math.isqrt):
    R.nondifferentiable(_f)
