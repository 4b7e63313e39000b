"""Rules for NumPy's elementwise functions (ufuncs, ``np.where``, ``np.clip``).

Binary rules return ``unbroadcast(<contribution>, x)`` (a no-op when shapes agree); forward
rules return a tangent with the shape of the output.  ``np.maximum``/``np.minimum`` (and
``fmax``/``fmin``) split the derivative evenly between the two arguments at ties.
"""

import numpy as np

from . import operators as O
from .helpers import broadcast_like, unbroadcast
from .registry import default_registry as R

_LN2 = 0.6931471805599453
_LN10 = 2.302585092994046
_DEG = 0.017453292519943295  # pi / 180


# -- unary ------------------------------------------------------------------------------------
def sin_vjp(g, ans, x):
    return g * np.cos(x)


def sin_jvp(t, ans, x):
    return t * np.cos(x)


def cos_vjp(g, ans, x):
    return -(g * np.sin(x))


def cos_jvp(t, ans, x):
    return -(t * np.sin(x))


def tan_vjp(g, ans, x):
    return g * (1 + ans * ans)


def tan_jvp(t, ans, x):
    return t * (1 + ans * ans)


def exp_vjp(g, ans, x):
    return g * ans


def exp_jvp(t, ans, x):
    return t * ans


def exp2_vjp(g, ans, x):
    return g * ans * _LN2


def exp2_jvp(t, ans, x):
    return t * ans * _LN2


def expm1_vjp(g, ans, x):
    return g * (ans + 1)


def expm1_jvp(t, ans, x):
    return t * (ans + 1)


def log_vjp(g, ans, x):
    return g / x


def log_jvp(t, ans, x):
    return t / x


def log2_vjp(g, ans, x):
    return g / (x * _LN2)


def log2_jvp(t, ans, x):
    return t / (x * _LN2)


def log10_vjp(g, ans, x):
    return g / (x * _LN10)


def log10_jvp(t, ans, x):
    return t / (x * _LN10)


def log1p_vjp(g, ans, x):
    return g / (1 + x)


def log1p_jvp(t, ans, x):
    return t / (1 + x)


def sqrt_vjp(g, ans, x):
    return g / (2 * ans)


def sqrt_jvp(t, ans, x):
    return t / (2 * ans)


def cbrt_vjp(g, ans, x):
    return g / (3 * ans * ans)


def cbrt_jvp(t, ans, x):
    return t / (3 * ans * ans)


def square_vjp(g, ans, x):
    return g * (2 * x)


def square_jvp(t, ans, x):
    return t * (2 * x)


def reciprocal_vjp(g, ans, x):
    return -(g * ans * ans)


def reciprocal_jvp(t, ans, x):
    return -(t * ans * ans)


def tanh_vjp(g, ans, x):
    return g * (1 - ans * ans)


def tanh_jvp(t, ans, x):
    return t * (1 - ans * ans)


def sinh_vjp(g, ans, x):
    return g * np.cosh(x)


def sinh_jvp(t, ans, x):
    return t * np.cosh(x)


def cosh_vjp(g, ans, x):
    return g * np.sinh(x)


def cosh_jvp(t, ans, x):
    return t * np.sinh(x)


def arcsin_vjp(g, ans, x):
    return g / np.sqrt(1 - x * x)


def arcsin_jvp(t, ans, x):
    return t / np.sqrt(1 - x * x)


def arccos_vjp(g, ans, x):
    return -g / np.sqrt(1 - x * x)


def arccos_jvp(t, ans, x):
    return -t / np.sqrt(1 - x * x)


def arctan_vjp(g, ans, x):
    return g / (1 + x * x)


def arctan_jvp(t, ans, x):
    return t / (1 + x * x)


def arcsinh_vjp(g, ans, x):
    return g / np.sqrt(x * x + 1)


def arcsinh_jvp(t, ans, x):
    return t / np.sqrt(x * x + 1)


def arccosh_vjp(g, ans, x):
    return g / np.sqrt(x * x - 1)


def arccosh_jvp(t, ans, x):
    return t / np.sqrt(x * x - 1)


def arctanh_vjp(g, ans, x):
    return g / (1 - x * x)


def arctanh_jvp(t, ans, x):
    return t / (1 - x * x)


def deg2rad_vjp(g, ans, x):
    return g * _DEG


def deg2rad_jvp(t, ans, x):
    return t * _DEG


def rad2deg_vjp(g, ans, x):
    return g / _DEG


def rad2deg_jvp(t, ans, x):
    return t / _DEG


_UNARY = {
    np.sin: (sin_vjp, sin_jvp), np.cos: (cos_vjp, cos_jvp), np.tan: (tan_vjp, tan_jvp),
    np.exp: (exp_vjp, exp_jvp), np.exp2: (exp2_vjp, exp2_jvp),
    np.expm1: (expm1_vjp, expm1_jvp), np.log: (log_vjp, log_jvp),
    np.log2: (log2_vjp, log2_jvp), np.log10: (log10_vjp, log10_jvp),
    np.log1p: (log1p_vjp, log1p_jvp), np.sqrt: (sqrt_vjp, sqrt_jvp),
    np.cbrt: (cbrt_vjp, cbrt_jvp), np.square: (square_vjp, square_jvp),
    np.reciprocal: (reciprocal_vjp, reciprocal_jvp), np.tanh: (tanh_vjp, tanh_jvp),
    np.sinh: (sinh_vjp, sinh_jvp), np.cosh: (cosh_vjp, cosh_jvp),
    np.arcsin: (arcsin_vjp, arcsin_jvp), np.arccos: (arccos_vjp, arccos_jvp),
    np.arctan: (arctan_vjp, arctan_jvp), np.arcsinh: (arcsinh_vjp, arcsinh_jvp),
    np.arccosh: (arccosh_vjp, arccosh_jvp), np.arctanh: (arctanh_vjp, arctanh_jvp),
    np.abs: (O.abs_vjp, O.abs_jvp), np.fabs: (O.abs_vjp, O.abs_jvp),
    np.negative: (O.negative_vjp, O.negative_jvp),
    np.positive: (O.positive_vjp, O.positive_jvp),
    np.deg2rad: (deg2rad_vjp, deg2rad_jvp), np.radians: (deg2rad_vjp, deg2rad_jvp),
    np.rad2deg: (rad2deg_vjp, rad2deg_jvp), np.degrees: (rad2deg_vjp, rad2deg_jvp),
}
for _f, (_v, _j) in _UNARY.items():
    R.defvjp(_f, _v)
    R.defjvp(_f, _j)



# -- binary ---------------------------------------------------------------------------------
def logaddexp_vjp_x(g, ans, x, y):
    return unbroadcast(g * np.exp(x - ans), x)


def logaddexp_vjp_y(g, ans, x, y):
    return unbroadcast(g * np.exp(y - ans), y)


def logaddexp_jvp_x(t, ans, x, y):
    return t * np.exp(x - ans)


def logaddexp_jvp_y(t, ans, x, y):
    return t * np.exp(y - ans)


def logaddexp2_vjp_x(g, ans, x, y):
    return unbroadcast(g * np.exp2(x - ans), x)


def logaddexp2_vjp_y(g, ans, x, y):
    return unbroadcast(g * np.exp2(y - ans), y)


def logaddexp2_jvp_x(t, ans, x, y):
    return t * np.exp2(x - ans)


def logaddexp2_jvp_y(t, ans, x, y):
    return t * np.exp2(y - ans)


def arctan2_vjp_y(g, ans, y, x):
    return unbroadcast(g * x / (x * x + y * y), y)


def arctan2_vjp_x(g, ans, y, x):
    return unbroadcast(-(g * y) / (x * x + y * y), x)


def arctan2_jvp_y(t, ans, y, x):
    return t * x / (x * x + y * y)


def arctan2_jvp_x(t, ans, y, x):
    return -(t * y) / (x * x + y * y)


def hypot_vjp_x(g, ans, x, y):
    return unbroadcast(g * x / ans, x)


def hypot_vjp_y(g, ans, x, y):
    return unbroadcast(g * y / ans, y)


def hypot_jvp_x(t, ans, x, y):
    return t * x / ans


def hypot_jvp_y(t, ans, x, y):
    return t * y / ans


def copysign_vjp_x(g, ans, x, y):
    return unbroadcast(g * np.sign(x) * np.sign(ans), x)


def copysign_jvp_x(t, ans, x, y):
    return t * np.sign(x) * np.sign(ans)


# max/min: the argument equal to the result gets g; at a tie each gets g/2.
def maximum_vjp_x(g, ans, x, y):
    return unbroadcast(g * (x == ans) - 0.5 * g * (x == y), x)


def maximum_vjp_y(g, ans, x, y):
    return unbroadcast(g * (y == ans) - 0.5 * g * (x == y), y)


def maximum_jvp_x(t, ans, x, y):
    return t * (x == ans) - 0.5 * t * (x == y)


def maximum_jvp_y(t, ans, x, y):
    return t * (y == ans) - 0.5 * t * (x == y)


_BINARY = {
    np.add: ((O.add_vjp_x, O.add_vjp_y), (O.add_jvp_x, O.add_jvp_y)),
    np.subtract: ((O.add_vjp_x, O.sub_vjp_y), (O.add_jvp_x, O.sub_jvp_y)),
    np.multiply: ((O.mul_vjp_x, O.mul_vjp_y), (O.mul_jvp_x, O.mul_jvp_y)),
    np.divide: ((O.div_vjp_x, O.div_vjp_y), (O.div_jvp_x, O.div_jvp_y)),
    np.power: ((O.pow_vjp_x, O.pow_vjp_y), (O.pow_jvp_x, O.pow_jvp_y)),
    np.mod: ((O.add_vjp_x, O.mod_vjp_y), (O.add_jvp_x, O.mod_jvp_y)),
    np.logaddexp: ((logaddexp_vjp_x, logaddexp_vjp_y), (logaddexp_jvp_x, logaddexp_jvp_y)),
    np.logaddexp2: ((logaddexp2_vjp_x, logaddexp2_vjp_y),
                    (logaddexp2_jvp_x, logaddexp2_jvp_y)),
    np.arctan2: ((arctan2_vjp_y, arctan2_vjp_x), (arctan2_jvp_y, arctan2_jvp_x)),
    np.hypot: ((hypot_vjp_x, hypot_vjp_y), (hypot_jvp_x, hypot_jvp_y)),
    np.copysign: ((copysign_vjp_x, None), (copysign_jvp_x, None)),
    np.maximum: ((maximum_vjp_x, maximum_vjp_y), (maximum_jvp_x, maximum_jvp_y)),
    np.minimum: ((maximum_vjp_x, maximum_vjp_y), (maximum_jvp_x, maximum_jvp_y)),
    np.fmax: ((maximum_vjp_x, maximum_vjp_y), (maximum_jvp_x, maximum_jvp_y)),
    np.fmin: ((maximum_vjp_x, maximum_vjp_y), (maximum_jvp_x, maximum_jvp_y)),
}
for _f, (_v, _j) in _BINARY.items():
    R.defvjp(_f, *_v)
    R.defjvp(_f, *_j)


# -- selection ---------------------------------------------------------------------------------
def where_vjp_x(g, ans, condition, x, y):
    return unbroadcast(np.where(condition, g, np.zeros_like(g)), x)


def where_vjp_y(g, ans, condition, x, y):
    return unbroadcast(np.where(condition, np.zeros_like(g), g), y)


def where_jvp_x(t, ans, condition, x, y):
    return np.where(condition, t, np.zeros_like(ans))


def where_jvp_y(t, ans, condition, x, y):
    return np.where(condition, np.zeros_like(ans), t)


# clip: the input gets g where it passes through unchanged (boundaries included); a bound
# gets g where the input lies strictly beyond it.
def clip_vjp_a(g, ans, a, a_min=None, a_max=None, out=None, min=None, max=None):
    return unbroadcast(g * (ans == a), a)


def clip_vjp_min(g, ans, a, a_min=None, a_max=None, out=None):
    return unbroadcast(g * (a < a_min), a_min)


def clip_vjp_max(g, ans, a, a_min=None, a_max=None, out=None):
    return unbroadcast(g * (a > a_max), a_max)


def clip_jvp_a(t, ans, a, a_min=None, a_max=None, out=None, min=None, max=None):
    return broadcast_like(t * (ans == a), ans)


def clip_jvp_min(t, ans, a, a_min=None, a_max=None, out=None):
    return broadcast_like(t * (a < a_min), ans)


def clip_jvp_max(t, ans, a, a_min=None, a_max=None, out=None):
    return broadcast_like(t * (a > a_max), ans)


R.defvjp(np.where, None, where_vjp_x, where_vjp_y)
R.defjvp(np.where, None, where_jvp_x, where_jvp_y)
R.defvjp(np.clip, clip_vjp_a, clip_vjp_min, clip_vjp_max)
R.defjvp(np.clip, clip_jvp_a, clip_jvp_min, clip_jvp_max)



# -- zero derivative ---------------------------------------------------------------------------
for _f in (np.sign, np.floor, np.ceil, np.round, np.around, np.rint, np.trunc, np.fix,
           np.floor_divide, np.isnan, np.isinf, np.isfinite, np.signbit, np.equal,
           np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal,
           np.logical_and, np.logical_or, np.logical_not, np.logical_xor, np.isclose,
           np.allclose, np.array_equal, np.argmax, np.argmin, np.argsort, np.nonzero,
           np.count_nonzero, np.any, np.all, np.heaviside, np.searchsorted):
    R.nondifferentiable(_f)
