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
dual-aware stand-ins (the tape's rebinding machinery, :mod:`ast_ad.tape.patch`; see :mod:`.run`), so
``math.sin(x)`` and ``float(x)`` inside ``f`` keep the derivative; NumPy ufuncs
(``np.sin(x)``) dispatch to :meth:`Dual.__array_ufunc__` on their own.

Scope: scalars.  A ``Dual`` holds a Python or NumPy scalar; NumPy ufuncs accept it as a
scalar operand, not inside arrays (``np.sum([d1, d2])`` works through object arrays, but
vectorised array code is out of scope: use ``ast_ad.grad``).  Comparisons look at the
value only; ``float(d)`` outside :func:`derivative` raises rather than silently dropping
the derivative.  Nesting (``derivative(derivative(f))``) works for second derivatives.
"""


from __future__ import annotations

from .functions import dual_math
from .number import Dual
from .run import derivative, value_and_derivative

__all__ = ["Dual", "derivative", "value_and_derivative", "dual_math"]
