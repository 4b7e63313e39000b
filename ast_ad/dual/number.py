"""The dual number ``Dual(a, b)`` = ``a + b·ε`` with ``ε² = 0``: Python arithmetic,
comparisons and conversions, and NumPy ufuncs on dual scalars (their derivatives are
filled into :data:`UFUNC_RULES` by :mod:`.functions`)."""

from __future__ import annotations

import math
import operator

import numpy as np


def _p(x):
    return x.primal if type(x) is Dual else x


def _t(x):
    return x.tangent if type(x) is Dual else 0.0


class Dual:
    """``primal + tangent·ε`` with ``ε² = 0``."""

    __slots__ = ("primal", "tangent")
    __array_priority__ = 100

    def __init__(self, primal, tangent=0.0):
        self.primal = primal
        self.tangent = tangent

    def __repr__(self):
        return f"Dual({self.primal!r}, {self.tangent!r})"

    # -- arithmetic (each operand may be a Dual or a plain number) -----------------------
    def __add__(self, o):
        if not _is_operand(o):
            return NotImplemented
        return Dual(self.primal + _p(o), self.tangent + _t(o))

    def __radd__(self, o):
        if not _is_operand(o):
            return NotImplemented
        return Dual(o + self.primal, self.tangent)

    def __sub__(self, o):
        if not _is_operand(o):
            return NotImplemented
        return Dual(self.primal - _p(o), self.tangent - _t(o))

    def __rsub__(self, o):
        if not _is_operand(o):
            return NotImplemented
        return Dual(o - self.primal, -self.tangent)

    def __mul__(self, o):
        if not _is_operand(o):
            return NotImplemented
        if type(o) is Dual:
            return Dual(self.primal * o.primal,
                        self.tangent * o.primal + self.primal * o.tangent)
        return Dual(self.primal * o, self.tangent * o)

    def __rmul__(self, o):
        if not _is_operand(o):
            return NotImplemented
        return Dual(o * self.primal, o * self.tangent)

    def __truediv__(self, o):
        if not _is_operand(o):
            return NotImplemented
        if type(o) is Dual:
            q = self.primal / o.primal
            return Dual(q, (self.tangent - q * o.tangent) / o.primal)
        return Dual(self.primal / o, self.tangent / o)

    def __rtruediv__(self, o):
        if not _is_operand(o):
            return NotImplemented
        q = o / self.primal
        return Dual(q, -q * self.tangent / self.primal)

    def __floordiv__(self, o):  # piecewise constant
        if not _is_operand(o):
            return NotImplemented
        return Dual(self.primal // _p(o), 0.0 * self.tangent)

    def __rfloordiv__(self, o):
        if not _is_operand(o):
            return NotImplemented
        return Dual(o // self.primal, 0.0 * self.tangent)

    def __mod__(self, o):  # a % c = a - c * floor(a / c)
        if not _is_operand(o):
            return NotImplemented
        k = self.primal // _p(o)
        return Dual(self.primal % _p(o), self.tangent - k * _t(o))

    def __rmod__(self, o):
        if not _is_operand(o):
            return NotImplemented
        k = o // self.primal
        return Dual(o % self.primal, -k * self.tangent)

    def __pow__(self, o, mod=None):
        if mod is not None or not _is_operand(o):
            return NotImplemented
        if type(o) is Dual:
            return _pow_dual(self, o)
        return _pow_const(self, o)

    def __rpow__(self, o):
        if not _is_operand(o):
            return NotImplemented
        return _pow_dual(o, self)

    def __neg__(self):
        return Dual(-self.primal, -self.tangent)

    def __pos__(self):
        return self

    def __abs__(self):
        return Dual(abs(self.primal), _sign(self.primal) * self.tangent)

    # -- comparisons and conversions look at the value ---------------------------------
    def __eq__(self, o):
        return self.primal == _p(o)

    def __ne__(self, o):
        return self.primal != _p(o)

    def __lt__(self, o):
        return self.primal < _p(o)

    def __le__(self, o):
        return self.primal <= _p(o)

    def __gt__(self, o):
        return self.primal > _p(o)

    def __ge__(self, o):
        return self.primal >= _p(o)

    def __hash__(self):
        return hash(self.primal)

    def __bool__(self):
        return bool(self.primal)

    def __int__(self):
        return int(self.primal)

    def __index__(self):
        return operator.index(self.primal)

    def __trunc__(self):
        return math.trunc(self.primal)

    def __floor__(self):
        return math.floor(self.primal)

    def __ceil__(self):
        return math.ceil(self.primal)

    def __round__(self, ndigits=None):
        if ndigits is None:
            return round(self.primal)
        return Dual(round(self.primal, ndigits), 0.0 * self.tangent)

    def __float__(self):
        raise TypeError(
            "float() of an ast_ad.dual.Dual would drop its derivative; inside "
            "ast_ad.dual.derivative(f) `float(x)` keeps it, elsewhere use d.primal"
        )

    __complex__ = __float__

    # -- NumPy: ufuncs on dual scalars ---------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__" or kwargs:
            return NotImplemented
        for x in inputs:
            if type(x) is not Dual and not _is_operand(x):
                return NotImplemented  # arrays of duals: out of scope
        rule = UFUNC_RULES.get(ufunc)
        if rule is None:
            if ufunc in _UFUNC_ON_VALUE:
                return ufunc(*[_p(x) for x in inputs])
            raise TypeError(f"ast_ad.dual has no derivative for numpy.{ufunc.__name__}")
        return rule(*inputs)


#: {ufunc: its rule on Dual operands}, filled by :mod:`.functions`
UFUNC_RULES: dict = {}
_UFUNC_ON_VALUE = frozenset([
    np.sign, np.floor, np.ceil, np.trunc, np.rint, np.isnan, np.isinf, np.isfinite,
    np.signbit, np.greater, np.greater_equal, np.less, np.less_equal, np.equal,
    np.not_equal, np.logical_and, np.logical_or, np.logical_not,
])


def _is_operand(o):
    """Plain numbers a Dual combines with (Python and NumPy scalars, 0-d arrays)."""
    return type(o) is Dual or isinstance(o, (int, float, np.number)) or (
        isinstance(o, np.ndarray) and o.ndim == 0
    )


def _sign(a):
    return (a > 0) - (a < 0)


def _pow_const(x, c):
    """x ** c for a constant exponent c."""
    a = x.primal
    if c == 0:
        return Dual(a ** c, 0.0 * x.tangent)
    return Dual(a ** c, c * a ** (c - 1) * x.tangent)


def _is_zero(t):
    return t == 0 and (type(t) is not Dual or _is_zero(t.tangent))


def _pow_dual(x, y):
    """x ** y with a dual exponent: d(x^y) = y x^(y-1) dx + x^y log(x) dy."""
    a, c = _p(x), y.primal
    ans = a ** c
    t = 0.0 * y.tangent if a == 0 or _is_zero(y.tangent) else (ans * _log(a)) * y.tangent
    if type(x) is Dual:
        t = t + (c * a ** (c - 1) * x.tangent if c != 0 else 0.0)
    return Dual(ans, t)


def _log(x, base=None):
    """log(x) or log(x, base) (the base may be a Dual too)."""
    if base is not None:
        return _log(x) / _log(base)
    if type(x) is not Dual:
        return math.log(x)
    return Dual(_log(x.primal), x.tangent / x.primal)

