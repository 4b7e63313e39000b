"""``math`` and NumPy's ufuncs on dual numbers: one derivative formula per function."""

from __future__ import annotations

import math
import types

import numpy as np

from .number import UFUNC_RULES, Dual, _log, _p, _sign, _t

# -- math: one derivative formula per function ------------------------------------------
# Formulas use ``m`` (this module's dual-aware math, or numpy for ufuncs), so a Dual whose
# parts are Duals (second derivatives) works, and NumPy scalars keep their dtype.
_LN2, _LN10 = math.log(2.0), math.log(10.0)
_UNARY = {  # name: (derivative of f at a given a and ans = f(a))
    "sin": lambda m, a, ans: m.cos(a),
    "cos": lambda m, a, ans: -m.sin(a),
    "tan": lambda m, a, ans: 1.0 + ans * ans,
    "exp": lambda m, a, ans: ans,
    "exp2": lambda m, a, ans: ans * _LN2,
    "expm1": lambda m, a, ans: ans + 1.0,
    "log": lambda m, a, ans: 1.0 / a,
    "log2": lambda m, a, ans: 1.0 / (a * _LN2),
    "log10": lambda m, a, ans: 1.0 / (a * _LN10),
    "log1p": lambda m, a, ans: 1.0 / (1.0 + a),
    "sqrt": lambda m, a, ans: 0.5 / ans,
    "cbrt": lambda m, a, ans: 1.0 / (3.0 * ans * ans),
    "sinh": lambda m, a, ans: m.cosh(a),
    "cosh": lambda m, a, ans: m.sinh(a),
    "tanh": lambda m, a, ans: 1.0 - ans * ans,
    "atan": lambda m, a, ans: 1.0 / (1.0 + a * a),
    "asin": lambda m, a, ans: 1.0 / m.sqrt(1.0 - a * a),
    "acos": lambda m, a, ans: -1.0 / m.sqrt(1.0 - a * a),
    "asinh": lambda m, a, ans: 1.0 / m.sqrt(a * a + 1.0),
    "acosh": lambda m, a, ans: 1.0 / m.sqrt(a * a - 1.0),
    "atanh": lambda m, a, ans: 1.0 / (1.0 - a * a),
    "fabs": lambda m, a, ans: _sign(a),
    "square": lambda m, a, ans: 2.0 * a,
    "reciprocal": lambda m, a, ans: -ans * ans,
    "negative": lambda m, a, ans: -1.0,
    "positive": lambda m, a, ans: 1.0,
    "degrees": lambda m, a, ans: 180.0 / math.pi,
    "radians": lambda m, a, ans: math.pi / 180.0,
    "erf": lambda m, a, ans: 2.0 / math.sqrt(math.pi) * m.exp(-a * a),
    "erfc": lambda m, a, ans: -2.0 / math.sqrt(math.pi) * m.exp(-a * a),
}


def _math_unary(name, fn, deriv):
    def f(x):
        if type(x) is Dual:
            a = x.primal
            ans = f(a)
            return Dual(ans, deriv(dual_math, a, ans) * x.tangent)
        return fn(x)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Dual-aware math.{name}."
    return f


def _atan2(y, x):
    """atan2(y, x): d = (x dy - y dx) / (x² + y²)."""
    if type(y) is not Dual and type(x) is not Dual:
        return math.atan2(y, x)
    a, b = _p(y), _p(x)
    return Dual(_atan2(a, b), (b * _t(y) - a * _t(x)) / (a * a + b * b))


def _hypot(*xs):
    """hypot(x, y, ...): d = (x dx + y dy + ...) / hypot."""
    if not any(type(x) is Dual for x in xs):
        return math.hypot(*xs)
    h = _hypot(*[_p(x) for x in xs])
    return Dual(h, sum(_p(x) * _t(x) for x in xs) / h)


def _pow(x, y):
    """math.pow: the value is a float like math.pow's."""
    if type(x) is not Dual and type(y) is not Dual:
        return math.pow(x, y)
    _pow(_p(x), _p(y))  # math.pow's domain errors
    return x ** y


def _copysign(x, y):
    if type(x) is not Dual:
        return math.copysign(x, _p(y))
    s = math.copysign(1.0, _p(x)) * math.copysign(1.0, _p(y))
    return Dual(math.copysign(_p(x), _p(y)), s * x.tangent)


def _on_value(fn):
    """math functions of the value alone (floor, isnan...): work on Duals unchanged."""
    def f(*args):
        return fn(*[_p(a) for a in args])

    f.__name__ = f.__qualname__ = fn.__name__
    return f


def _unsupported(fn):
    def f(*args, **kwargs):
        if any(type(a) is Dual for a in args) or any(type(v) is Dual for v in kwargs.values()):
            raise TypeError(f"ast_ad.dual has no derivative for math.{fn.__name__}")
        return fn(*args, **kwargs)

    f.__name__ = f.__qualname__ = fn.__name__
    return f


class _DualMath(types.SimpleNamespace):
    """``math`` for dual numbers (what ``math`` is rebound to inside :func:`derivative`)."""

    def __getattr__(self, name):  # anything not overridden: the real math function
        value = getattr(math, name)
        return _unsupported(value) if callable(value) else value


dual_math = _DualMath()
for _name, _d in _UNARY.items():
    if hasattr(math, _name):
        setattr(dual_math, _name, _math_unary(_name, getattr(math, _name), _d))
dual_math.log = _log
dual_math.atan2 = _atan2
dual_math.hypot = _hypot
dual_math.pow = _pow
dual_math.copysign = _copysign
for _name in ("floor", "ceil", "trunc", "isnan", "isinf", "isfinite", "isclose"):
    setattr(dual_math, _name, _on_value(getattr(math, _name)))

#: {real math function: its dual-aware version}, for rebinding names bound to them
_MATH_BY_OBJECT = {
    getattr(math, n): v for n, v in vars(dual_math).items() if hasattr(math, n)
}


# -- numpy ufuncs -----------------------------------------------------------------------
_NP_NAMES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh",
             "arccosh": "acosh", "arctanh": "atanh", "absolute": "fabs"}


def _ufunc_unary(ufunc, deriv):
    def rule(x):
        a = _p(x)
        ans = ufunc(a)
        return Dual(ans, deriv(np, a, ans) * x.tangent)

    return rule


def _binop(name):
    """A binary ufunc through Dual's own operator methods (NumPy scalars' operators would
    send it back to the ufunc)."""
    op, rop = getattr(Dual, f"__{name}__"), getattr(Dual, f"__r{name}__")

    def rule(x, y):
        return op(x, y) if type(x) is Dual else rop(y, x)

    return rule


def _min_max(pick_first):
    def rule(x, y):
        return x if pick_first(_p(x), _p(y)) else y

    return rule


for _u in [getattr(np, n) for n in dir(np)]:
    if isinstance(_u, np.ufunc) and _u.nin == 1:
        _d = _UNARY.get(_NP_NAMES.get(_u.__name__, _u.__name__))
        if _d is not None:
            UFUNC_RULES[_u] = _ufunc_unary(_u, _d)
UFUNC_RULES.update({
    np.add: _binop("add"),
    np.subtract: _binop("sub"),
    np.multiply: _binop("mul"),
    np.true_divide: _binop("truediv"),
    np.power: _binop("pow"),
    np.float_power: _binop("pow"),
    np.arctan2: _atan2,
    np.hypot: _hypot,
    np.maximum: _min_max(lambda a, b: a >= b),
    np.fmax: _min_max(lambda a, b: a >= b),
    np.minimum: _min_max(lambda a, b: a <= b),
    np.fmin: _min_max(lambda a, b: a <= b),
    np.floor_divide: _binop("floordiv"),
    np.remainder: _binop("mod"),
    np.copysign: _copysign,
})
