"""Rules for the ``operator`` functions the transformer uses for Python syntax.

``x + y``, ``x * y``... reuse the broadcasting-aware NumPy rules, which also serve Python
numbers.  ``x ** y`` asks for the exponent's rule only when ``y`` is active; that rule uses
``xlogy`` so a zero base with a positive exponent gives 0, not nan.  ``x[i]``
(``operator.getitem``) lives in :mod:`ast_ad.rules.indexing`.  List concatenation
(``list + list``) and repetition are not covered by these rules.
"""

import operator

from . import numpy_elementwise as E
from .registry import default_registry as R

_BINARY = {
    operator.add: ((E.add_vjp_x, E.add_vjp_y), (E.add_jvp_x, E.add_jvp_y)),
    operator.sub: ((E.add_vjp_x, E.sub_vjp_y), (E.add_jvp_x, E.sub_jvp_y)),
    operator.mul: ((E.mul_vjp_x, E.mul_vjp_y), (E.mul_jvp_x, E.mul_jvp_y)),
    operator.truediv: ((E.div_vjp_x, E.div_vjp_y), (E.div_jvp_x, E.div_jvp_y)),
    operator.pow: ((E.pow_vjp_x, E.pow_vjp_y), (E.pow_jvp_x, E.pow_jvp_y)),
    operator.mod: ((E.add_vjp_x, E.mod_vjp_y), (E.add_jvp_x, E.mod_jvp_y)),
}
for _f, (_v, _j) in _BINARY.items():
    R.defvjp(_f, *_v)
    R.defjvp(_f, *_j)

R.defvjp(operator.neg, E.negative_vjp)
R.defjvp(operator.neg, E.negative_jvp)
R.defvjp(operator.pos, E.positive_vjp)
R.defjvp(operator.pos, E.positive_jvp)
R.defvjp(operator.abs, E.abs_vjp)
R.defjvp(operator.abs, E.abs_jvp)

for _f in (operator.floordiv, operator.eq, operator.ne, operator.lt, operator.le,
           operator.gt, operator.ge, operator.not_, operator.truth, operator.is_,
           operator.is_not, operator.contains, operator.and_, operator.or_, operator.xor,
           operator.invert, operator.lshift, operator.rshift, operator.index):
    R.nondifferentiable(_f)
