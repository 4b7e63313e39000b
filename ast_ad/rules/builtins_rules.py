"""Rules for the Python builtins ``sum`` (and ``math.fsum``), ``divmod`` (``np.divmod``
too) and ``complex``; ``abs``, ``max``/``min`` of two values, ``float`` and ``pow`` are
elementwise (:mod:`ast_ad.rules.elementwise`).

``divmod(a, b)`` is ``(a // b, a % b)``: the quotient is piecewise constant (derivative 0),
the remainder ``a - b * (a // b)`` has the derivatives of ``a % b`` (1 and ``-(a // b)``).

``sum(xs)``/``sum(xs, start)`` give one cotangent per element of ``xs`` (a list argument: the
two modes differ, so this is a hand-written pair).
"""

import builtins
import math

import numpy as np

from ._text import text_pair
from .helpers import broadcast_like, sum_like, unbroadcast, unbroadcast_each
from .registry import default_registry as R


def sum_vjp_iterable(g, ans, iterable, start=0):
    return unbroadcast_each(g, iterable)


def sum_vjp_start(g, ans, iterable, start=0):
    return unbroadcast(g, start)


def sum_jvp_iterable(t, ans, iterable, start=0):
    return sum_like(t, ans)


def sum_jvp_start(t, ans, iterable, start=0):
    return broadcast_like(t, ans)


R.defvjp(builtins.sum, sum_vjp_iterable, sum_vjp_start)
R.defjvp(builtins.sum, sum_jvp_iterable, sum_jvp_start)
R.defvjp(math.fsum, sum_vjp_iterable)  # the exact sum of an iterable: sum's derivative
R.defjvp(math.fsum, sum_jvp_iterable)

# complex(a, b) is a + 1j * b: the rules of + and of * by 1j (ast_ad's complex convention,
# autograd's: no conjugates in the rules of holomorphic maps; a real input's derivative is
# the real part of what reaches it)
text_pair(__name__, builtins.complex, "real=0.0, imag=0.0", ["g", "1j * g"],
          ["t + 0j", "1j * t"], name="py_complex")

for _f in (builtins.divmod, np.divmod):
    text_pair(__name__, _f, "x, y",
              ["unbroadcast(cot_part(g, 1, ans[1]), x)",
               "unbroadcast(-cot_part(g, 1, ans[1]) * ans[0], y)"],
              ["(0.0 * ans[0], broadcast_like(t, ans[1]))", "(0.0 * ans[0], -t * ans[0])"],
              name=f"{_f.__module__.replace('numpy', 'np')}_divmod")

# str/repr/sorted/zip/... are deliberately absent: their results carry the values
# (float(str(x)) depends on x), so on a differentiated value they are an error, not a zero.
for _f in (builtins.len, builtins.int, builtins.round, builtins.bool, builtins.range,
           builtins.isinstance, builtins.issubclass, builtins.type, builtins.print,
           builtins.id, builtins.hash, builtins.callable, builtins.hasattr, builtins.any,
           builtins.all, np.random.seed):
    R.nondifferentiable(_f)
