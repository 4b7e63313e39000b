"""Rules for NumPy reductions (``axis``: None, int, negative int or tuple; ``keepdims``).

``unreduce(g, a, axis, keepdims)`` broadcasts a reduction's cotangent back to the input's
shape.  ``sum``, ``mean`` and ``cumsum`` are linear (declared by their transposes),
``max``/``min``/``prod`` reductions declared by their derivative (the reverse rule
broadcasts and multiplies, the forward rule multiplies and sums); ``var``/``std`` keep
hand-written pairs (their forward rules take the scalar factor out of the sum).
``np.max``/``np.min`` share the derivative evenly among tied extrema; ``np.prod`` uses
``prod_except`` (exact with any number of zeros for first derivatives).
"""

import numpy as np

from .declare import linear, reduction, symmetric
from .helpers import count_reduced, max_weights, prod_except, real_part, uncumsum, unreduce
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
reduction([np.max, np.amax, np.min, np.amin], "a, axis=None, out=None, keepdims=False",
          "max_weights(a, ans, axis, keepdims)")
reduction(np.prod, "a, axis=None, dtype=None, out=None, keepdims=False", "prod_except(a, axis)")
R.defvjp(np.var, var_vjp)
R.defjvp(np.var, var_jvp)
R.defvjp(np.std, std_vjp)
R.defjvp(np.std, std_jvp)


# -- linear reductions and the helpers' rules: (function, parameters, transpose) ---------------
_RED = "a, axis=None, dtype=None, out=None, keepdims=False"
linear(np.sum, _RED, "unreduce(g, a, axis, keepdims)")
linear(np.mean, _RED, "unreduce(g / count_reduced(a, axis), a, axis, keepdims)")
linear(np.cumsum, "a, axis=None, dtype=None, out=None", "uncumsum(g, a, axis)")
linear(unreduce, "grad, like, axis=None, keepdims=False",
       "np.sum(g, axis=axis, keepdims=keepdims)")
linear(uncumsum, "grad, like, axis=None", "np.cumsum(g, axis=axis)")
# d prod_except(a)_j / d a_i = prod of all but a_i, a_j: exact where a has no zeros.
symmetric(prod_except, "a, axis=None", "ans * (np.sum(g / a, axis=axis, keepdims=True) - g / a)")
R.nondifferentiable(max_weights)
R.nondifferentiable(count_reduced)
