"""Rules for Python builtins: ``abs``, ``max``/``min`` of two values, ``float``, ``sum``, ``pow``.

``max(a, b)``/``min(a, b)``: the argument equal to the result gets ``g``; at a tie each gets
``g/2`` (like ``np.maximum``).  Only the two-argument form has rules.  ``abs`` has
derivative 0 at 0.  ``sum(xs)``/``sum(xs, start)`` give one cotangent per element of ``xs``.
"""

import builtins

import numpy as np

from . import operators as O
from .helpers import broadcast_like, sum_like, unbroadcast, unbroadcast_each, xlogy
from .registry import default_registry as R


def max_vjp_a(g, ans, a, b):
    return g * (a == ans) - 0.5 * g * (a == b)


def max_vjp_b(g, ans, a, b):
    return g * (b == ans) - 0.5 * g * (a == b)


def max_jvp_a(t, ans, a, b):
    return t * (a == ans) - 0.5 * t * (a == b)


def max_jvp_b(t, ans, a, b):
    return t * (b == ans) - 0.5 * t * (a == b)


def float_vjp(g, ans, x=0.0):
    return g


def float_jvp(t, ans, x=0.0):
    return t


def sum_vjp_iterable(g, ans, iterable, start=0):
    return unbroadcast_each(g, iterable)


def sum_vjp_start(g, ans, iterable, start=0):
    return unbroadcast(g, start)


def sum_jvp_iterable(t, ans, iterable, start=0):
    return sum_like(t, ans)


def sum_jvp_start(t, ans, iterable, start=0):
    return broadcast_like(t, ans)


def pow_vjp_base(g, ans, base, exp, mod=None):
    return unbroadcast(g * exp * base ** (exp - 1), base)


def pow_vjp_exp(g, ans, base, exp, mod=None):
    return unbroadcast(xlogy(g * ans, base), exp)


def pow_jvp_base(t, ans, base, exp, mod=None):
    return t * exp * base ** (exp - 1)


def pow_jvp_exp(t, ans, base, exp, mod=None):
    return xlogy(t * ans, base)


R.defvjp(builtins.abs, O.abs_vjp)
R.defjvp(builtins.abs, O.abs_jvp)
for _f in (builtins.max, builtins.min):
    R.defvjp(_f, max_vjp_a, max_vjp_b)
    R.defjvp(_f, max_jvp_a, max_jvp_b)
R.defvjp(builtins.float, float_vjp)
R.defjvp(builtins.float, float_jvp)
R.defvjp(builtins.sum, sum_vjp_iterable, sum_vjp_start)
R.defjvp(builtins.sum, sum_jvp_iterable, sum_jvp_start)
R.defvjp(builtins.pow, pow_vjp_base, pow_vjp_exp, None)
R.defjvp(builtins.pow, pow_jvp_base, pow_jvp_exp, None)

# str/repr/sorted/zip/... are deliberately absent: their results carry the values
# (float(str(x)) depends on x), so on a differentiated value they are an error, not a zero.
for _f in (builtins.len, builtins.int, builtins.round, builtins.bool, builtins.range,
           builtins.isinstance, builtins.issubclass, builtins.type, builtins.print,
           builtins.id, builtins.hash, builtins.callable, builtins.hasattr, builtins.any,
           builtins.all, np.random.seed):
    R.nondifferentiable(_f)
