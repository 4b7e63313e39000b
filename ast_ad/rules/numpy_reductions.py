"""Rules for NumPy reductions (``axis``: None, int, negative int or tuple; ``keepdims``).

``unreduce(g, a, axis, keepdims)`` broadcasts a reduction's cotangent back to the input's
shape.  ``sum``, ``mean`` and ``cumsum`` are linear (declared by their transposes),
``max``/``min``/``prod`` reductions declared by their derivative (the reverse rule
broadcasts and multiplies, the forward rule multiplies and sums); ``var``/``std`` keep
hand-written pairs (their forward rules take the scalar factor out of the sum).
``np.max``/``np.min`` share the derivative evenly among tied extrema; ``np.prod`` uses
``prod_except`` (exact with any number of zeros for first derivatives).  NumPy's
``initial=``/``where=`` are parameters of every declaration that NumPy's function has: in any
spelling (``np.max``, ``np.amax``, ``x.max(...)``, the nan-aware names) ``where`` leaves
entries out (derivative 0) and ``initial`` is a constant entry (derivative 0 everywhere where
it wins a max/min; a factor of every derivative of a product).
"""

import numpy as np

from .declare import linear, reduction, symmetric
from .helpers import (  # noqa: F401  (names the generated rules read)
    count_reduced,
    in_where,
    masked,
    max_weights,
    prod_except,
    real_part,
    scaled,
    uncumsum,
    unreduce,
    where_or_one,
)
from .registry import default_registry as R


def var_vjp(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return (unreduce(g, a, axis, keepdims) * np.conj(a - np.mean(a, axis=axis, keepdims=True))
            * (2 / (np.size(a) // np.size(ans) - ddof)))


def var_jvp(t, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return (real_part(np.sum(t * np.conj(a - np.mean(a, axis=axis, keepdims=True)), axis=axis,
                             keepdims=keepdims))
            * (2 / (np.size(a) // np.size(ans) - ddof)))


# the std of equal values (one value, say) is 0: its rules give 0 there, like autograd's
def std_vjp(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return (unreduce(g / (ans + (ans == 0)), a, axis, keepdims)
            * np.conj(a - np.mean(a, axis=axis, keepdims=True))
            / (np.size(a) // np.size(ans) - ddof))


def std_jvp(t, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return (real_part(np.sum(t * np.conj(a - np.mean(a, axis=axis, keepdims=True)), axis=axis,
                             keepdims=keepdims))
            / ((np.size(a) // np.size(ans) - ddof) * (ans + (ans == 0))))


# -- reductions declared by their derivative (weights shaped like the input) -------------------
# ``initial``/``where`` (NumPy's keywords of every reduction): ``where`` leaves entries out
# (derivative 0: ``masked``, ``in_where``), ``initial`` is a constant entry (it never gets a
# derivative: a differentiated ``initial`` is refused, it has no slot; where it wins a max,
# no entry attains the result and all weights are 0)
_MAX = "a, axis=None, out=None, keepdims=False, initial=None, where=True"
reduction([np.max, np.amax, np.min, np.amin], _MAX,
          "max_weights(a, ans, axis, keepdims, where, initial)")
reduction(np.prod, "a, axis=None, dtype=None, out=None, keepdims=False, initial=None, "
          "where=True",
          "scaled(masked(prod_except(where_or_one(a, where), axis), where), initial)")
R.defvjp(np.var, var_vjp)
R.defjvp(np.var, var_jvp)
R.defvjp(np.std, std_vjp)
R.defjvp(np.std, std_jvp)


# -- linear reductions and the helpers' rules: (function, parameters, transpose) ---------------
# (a linear rule's forward call leaves ``initial`` out: a constant has no tangent)
_SUM = "a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True"
_RED = "a, axis=None, dtype=None, out=None, keepdims=False"
linear(np.sum, _SUM, "masked(unreduce(g, a, axis, keepdims), where)", masks="where")
linear(np.mean, _RED, "unreduce(g / count_reduced(a, axis), a, axis, keepdims)")
linear(np.cumsum, "a, axis=None, dtype=None, out=None", "uncumsum(g, a, axis)")
linear(unreduce, "grad, like, axis=None, keepdims=False",
       "np.sum(g, axis=axis, keepdims=keepdims)")
linear(uncumsum, "grad, like, axis=None", "np.cumsum(g, axis=axis)")
# d prod_except(a)_j / d a_i = prod of all but a_i, a_j: exact where a has no zeros.
symmetric(prod_except, "a, axis=None", "ans * (np.sum(g / a, axis=axis, keepdims=True) - g / a)")
linear(masked, "x, where=True", "masked(g, where)")
symmetric(where_or_one, "a, where=True", "masked(g, where)")
linear(scaled, "x, factor=None", "scaled(g, factor)")
R.nondifferentiable(max_weights)
R.nondifferentiable(count_reduced)
R.nondifferentiable(in_where)
