"""Forward-mode derivatives by dual numbers: ``a + b·ε`` with ``ε² = 0``.

``Dual(a, b)`` carries a value ``a`` (``.primal``) and a derivative ``b`` (``.tangent``)
through Python arithmetic, the ``math`` functions and NumPy's scalar ufuncs, each with its
own derivative written out here (not taken from the rule registry, so that dual numbers
are an *independent* oracle for the registry's rules)::

    from ast_ad.dual import Dual, derivative
    import math

    (Dual(2.0, 1.0) ** 3).tangent          # 12.0 = 3 * 2.0**2

    def f(x):
        return math.sin(x) * x

    derivative(f)(1.0)                      # cos(1) * 1 + sin(1)

``derivative(f)`` runs ``f`` unmodified with its ``math``/``numpy``/builtin names rebound to
dual-aware stand-ins (the tape's rebinding machinery, :mod:`ast_ad.tape.patch`), so
``math.sin(x)`` and ``float(x)`` inside ``f`` keep the derivative; NumPy ufuncs
(``np.sin(x)``) dispatch to :meth:`Dual.__array_ufunc__` on their own.

Scope: scalars.  A ``Dual`` holds a Python or NumPy scalar; NumPy ufuncs accept it as a
scalar operand, not inside arrays (``np.sum([d1, d2])`` works through object arrays, but
vectorised array code is out of scope: use ``ast_ad.grad``).  Comparisons look at the
value only; ``float(d)`` outside :func:`derivative` raises rather than silently dropping
the derivative.  Nesting (``derivative(derivative(f))``) works for second derivatives.
"""

from __future__ import annotations

import builtins
import inspect
import math
import operator
import types

import numpy as np

from . import signature
from .errors import AstAdError

__all__ = ["Dual", "derivative", "value_and_derivative", "dual_math"]


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
        rule = _UFUNCS.get(ufunc)
        if rule is None:
            if ufunc in _UFUNC_ON_VALUE:
                return ufunc(*[_p(x) for x in inputs])
            raise TypeError(f"ast_ad.dual has no derivative for numpy.{ufunc.__name__}")
        return rule(*inputs)


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


def _log(x, base=None):
    """log(x) or log(x, base) (the base may be a Dual too)."""
    if base is not None:
        return _log(x) / _log(base)
    if type(x) is not Dual:
        return math.log(x)
    return Dual(_log(x.primal), x.tangent / x.primal)


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


_UFUNCS = {}
for _u in [getattr(np, n) for n in dir(np)]:
    if isinstance(_u, np.ufunc) and _u.nin == 1:
        _d = _UNARY.get(_NP_NAMES.get(_u.__name__, _u.__name__))
        if _d is not None:
            _UFUNCS[_u] = _ufunc_unary(_u, _d)
_UFUNCS.update({
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
_UFUNC_ON_VALUE = frozenset([
    np.sign, np.floor, np.ceil, np.trunc, np.rint, np.isnan, np.isinf, np.isfinite,
    np.signbit, np.greater, np.greater_equal, np.less, np.less_equal, np.equal,
    np.not_equal, np.logical_and, np.logical_or, np.logical_not,
])


# -- running user code on duals ---------------------------------------------------------
def _float(x=0.0):
    """``float`` inside :func:`derivative`: a Dual stays a Dual (with float parts)."""
    if type(x) is Dual:
        return x
    return builtins.float(x)


def _patcher_class():
    from .rules.registry import default_registry
    from .tape import patch

    class DualPatcher(patch.Patcher):
        """The tape's rebinding, translating ``math``/``float`` to the dual-aware versions
        and leaving NumPy as it is (its ufuncs dispatch to ``Dual.__array_ufunc__``)."""

        def __init__(self):
            super().__init__(default_registry)
            self.builtins = dict(builtins.__dict__)
            self.builtins["float"] = _float
            self.builtins["__import__"] = self._import

        def _translate(self, obj):
            if isinstance(obj, types.ModuleType):
                if obj is math:
                    return dual_math
                if obj.__name__.partition(".")[0] == "numpy":
                    return obj
            elif obj is builtins.float:
                return _float
            else:
                try:
                    hit = _MATH_BY_OBJECT.get(obj)
                except TypeError:
                    hit = None
                if hit is not None:
                    return hit
                mod = getattr(obj, "__module__", None) or ""
                if mod == "math" and callable(obj):
                    return _unsupported(obj)
                if isinstance(obj, types.FunctionType) and patch._is_user_function(obj):
                    return self.patch_function(obj)  # its body, even if it has a rule
                if mod.partition(".")[0] == "numpy":
                    return obj
            return super()._translate(obj)

    return DualPatcher


_PATCHER = []


def _rebind(f):
    """``f`` with its ``math``/``float`` names rebound to the dual-aware versions."""
    if not _PATCHER:
        _PATCHER.append(_patcher_class())
    return _PATCHER[0]().entry(f)


def _seed(x):
    if type(x) is Dual:
        return Dual(x, type(x.primal)(1) if isinstance(x.primal, np.generic) else 1.0)
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise AstAdError(
            f"ast_ad.dual.derivative differentiates scalars, not {type(x).__name__}; "
            "use ast_ad.grad for arrays"
        )
    if isinstance(x, np.floating):
        return Dual(x, type(x)(1))
    return Dual(float(x), 1.0)


def _tangent(out, like):
    """The derivative carried by ``out`` (0 where ``out`` does not depend on the input)."""
    if type(out) is Dual:
        t = out.tangent
        if type(like.primal) is float and isinstance(t, np.float64):
            return float(t)
        return t
    if isinstance(out, (tuple, list)):
        return type(out)(_tangent(o, like) for o in out)
    if isinstance(out, np.ndarray) and out.dtype == object:
        return np.array([_tangent(o, like) for o in out.ravel()], dtype=float).reshape(out.shape)
    if isinstance(out, np.ndarray):
        return np.zeros_like(out, dtype=float)
    if isinstance(out, (int, float, np.number)):
        return 0.0
    raise AstAdError(f"ast_ad.dual: cannot read a derivative out of a {type(out).__name__}")


def _primal(out):
    if type(out) is Dual:
        return out.primal
    if isinstance(out, (tuple, list)):
        return type(out)(_primal(o) for o in out)
    if isinstance(out, np.ndarray) and out.dtype == object:
        return np.array([_primal(o) for o in out.ravel()]).reshape(out.shape)
    return out


def _run(f, spec, args, kwargs):
    run = _rebind(f)
    outs, derivs = [], []
    for name in spec.names:
        b = signature.bind(f, args, kwargs)
        seed = _seed(b.arguments[name])
        b.arguments[name] = seed
        out = run(*b.args, **b.kwargs)
        outs.append(out)
        derivs.append(_tangent(out, seed))
    value = _primal(outs[0])
    return value, (derivs[0] if spec.single else tuple(derivs))


def value_and_derivative(f, wrt=0):
    """Like :func:`derivative`, returning ``(f(...), derivative(s))``."""
    def vd(*args, **kwargs):
        return _run(f, signature.resolve_wrt(f, wrt), args, kwargs)

    _like(vd, f)
    return vd


def derivative(f, wrt=0):
    """The derivative function of ``f`` with respect to the scalar argument ``wrt``.

    ``wrt`` is an int, a parameter name, or a tuple of them (then a tuple of partial
    derivatives, one run of ``f`` per entry).  ``f`` may return a scalar, or a tuple/list
    (or object array) of scalars: the derivative has that structure.
    """
    vd = value_and_derivative(f, wrt)

    def df(*args, **kwargs):
        return vd(*args, **kwargs)[1]

    _like(df, f)
    return df


def _like(new, f):
    """Name, doc and signature of ``f`` (not ``__wrapped__``: ``inspect`` would follow it
    to ``f``'s source), so derivatives nest: ``derivative(derivative(f))``."""
    for a in ("__name__", "__qualname__", "__doc__"):
        try:
            setattr(new, a, getattr(f, a))
        except AttributeError:
            pass
    try:
        new.__signature__ = inspect.signature(f)
    except (TypeError, ValueError):
        pass
