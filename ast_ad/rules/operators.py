"""Rules for the ``operator`` functions the transformer uses for Python syntax.

They are broadcasting-aware, so the same rules serve Python numbers and NumPy's ``np.add``,
``np.multiply``...  ``x ** y`` asks for the exponent's rule only when ``y`` is active; that
rule uses ``xlogy`` so a zero base with a positive exponent gives 0, not nan.  ``x[i]``
(``operator.getitem``) lives in :mod:`ast_ad.rules.indexing`, ``@`` in
:mod:`ast_ad.rules.numpy_linalg`.  List concatenation (``list + list``) and repetition
(``list * n``) are not covered by these rules.
"""

import operator

import numpy as np

from .helpers import broadcast_like, unbroadcast, xlogy
from .registry import default_registry as R


def add_vjp_x(g, ans, x, y):
    return unbroadcast(g, x)


def add_vjp_y(g, ans, x, y):
    return unbroadcast(g, y)


def add_jvp_x(t, ans, x, y):
    return broadcast_like(t, ans)


def add_jvp_y(t, ans, x, y):
    return broadcast_like(t, ans)


def sub_vjp_y(g, ans, x, y):
    return unbroadcast(-g, y)


def sub_jvp_y(t, ans, x, y):
    return broadcast_like(-t, ans)


def mul_vjp_x(g, ans, x, y):
    return unbroadcast(g * y, x)


def mul_vjp_y(g, ans, x, y):
    return unbroadcast(x * g, y)


def mul_jvp_x(t, ans, x, y):
    return t * y


def mul_jvp_y(t, ans, x, y):
    return x * t


def div_vjp_x(g, ans, x, y):
    return unbroadcast(g / y, x)


def div_vjp_y(g, ans, x, y):
    return unbroadcast(-(g * ans) / y, y)


def div_jvp_x(t, ans, x, y):
    return t / y


def div_jvp_y(t, ans, x, y):
    return -(t * ans) / y


def pow_vjp_x(g, ans, x, y):
    return unbroadcast(g * y * x ** (y - 1), x)


def pow_vjp_y(g, ans, x, y):
    return unbroadcast(xlogy(g * ans, x), y)


def pow_jvp_x(t, ans, x, y):
    return t * y * x ** (y - 1)


def pow_jvp_y(t, ans, x, y):
    return xlogy(t * ans, x)


def mod_vjp_y(g, ans, x, y):
    return unbroadcast(-(g * (x // y)), y)


def mod_jvp_y(t, ans, x, y):
    return -(t * (x // y))


def negative_vjp(g, ans, x):
    return -g


def negative_jvp(t, ans, x):
    return -t


def positive_vjp(g, ans, x):
    return g


def positive_jvp(t, ans, x):
    return t


def abs_vjp(g, ans, x):
    return g * np.sign(x)


def abs_jvp(t, ans, x):
    return t * np.sign(x)


_BINARY = {
    operator.add: ((add_vjp_x, add_vjp_y), (add_jvp_x, add_jvp_y)),
    operator.sub: ((add_vjp_x, sub_vjp_y), (add_jvp_x, sub_jvp_y)),
    operator.mul: ((mul_vjp_x, mul_vjp_y), (mul_jvp_x, mul_jvp_y)),
    operator.truediv: ((div_vjp_x, div_vjp_y), (div_jvp_x, div_jvp_y)),
    operator.pow: ((pow_vjp_x, pow_vjp_y), (pow_jvp_x, pow_jvp_y)),
    operator.mod: ((add_vjp_x, mod_vjp_y), (add_jvp_x, mod_jvp_y)),
}
for _f, (_v, _j) in _BINARY.items():
    R.defvjp(_f, *_v)
    R.defjvp(_f, *_j)

R.defvjp(operator.neg, negative_vjp)
R.defjvp(operator.neg, negative_jvp)
R.defvjp(operator.pos, positive_vjp)
R.defjvp(operator.pos, positive_jvp)
R.defvjp(operator.abs, abs_vjp)
R.defjvp(operator.abs, abs_jvp)


# -- the helper used by the exponent's rule ----------------------------------------------
def xlogy_vjp_a(g, ans, a, x):
    return unbroadcast(xlogy(g, x), a)


def xlogy_vjp_x(g, ans, a, x):
    return unbroadcast(g * a / x, x)


def xlogy_jvp_a(t, ans, a, x):
    return broadcast_like(xlogy(t, x), ans)


def xlogy_jvp_x(t, ans, a, x):
    return broadcast_like(t * a / x, ans)


R.defvjp(xlogy, xlogy_vjp_a, xlogy_vjp_x)
R.defjvp(xlogy, xlogy_jvp_a, xlogy_jvp_x)


for _f in (operator.floordiv, operator.eq, operator.ne, operator.lt, operator.le,
           operator.gt, operator.ge, operator.not_, operator.truth, operator.is_,
           operator.is_not, operator.contains, operator.and_, operator.or_, operator.xor,
           operator.invert, operator.lshift, operator.rshift, operator.index):
    R.nondifferentiable(_f)
