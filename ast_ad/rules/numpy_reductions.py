"""Rules for NumPy reductions (``axis``: None, int, negative int or tuple; ``keepdims``).

``unreduce(g, a, axis, keepdims)`` broadcasts a reduction's cotangent back to the input's
shape.  ``np.max``/``np.min`` share the derivative evenly among tied extrema;
``np.prod`` uses ``prod_except`` (exact with any number of zeros for first derivatives).
"""

import numpy as np

from .helpers import count_reduced, max_weights, prod_except, uncumsum, unreduce
from .registry import default_registry as R


def sum_vjp(g, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    return unreduce(g, a, axis, keepdims)


def sum_jvp(t, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    return np.sum(t, axis=axis, dtype=dtype, keepdims=keepdims)


def mean_vjp(g, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    return unreduce(g / count_reduced(a, axis), a, axis, keepdims)


def mean_jvp(t, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    return np.mean(t, axis=axis, dtype=dtype, keepdims=keepdims)


def max_vjp(g, ans, a, axis=None, out=None, keepdims=False):
    return unreduce(g, a, axis, keepdims) * max_weights(a, ans, axis, keepdims)


def max_jvp(t, ans, a, axis=None, out=None, keepdims=False):
    return np.sum(t * max_weights(a, ans, axis, keepdims), axis=axis, keepdims=keepdims)


def prod_vjp(g, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    return unreduce(g, a, axis, keepdims) * prod_except(a, axis)


def prod_jvp(t, ans, a, axis=None, dtype=None, out=None, keepdims=False):
    return np.sum(t * prod_except(a, axis), axis=axis, keepdims=keepdims)


def var_vjp(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return (unreduce(g, a, axis, keepdims) * (a - np.mean(a, axis=axis, keepdims=True))
            * (2 / (np.size(a) // np.size(ans) - ddof)))


def var_jvp(t, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return (np.sum(t * (a - np.mean(a, axis=axis, keepdims=True)), axis=axis, keepdims=keepdims)
            * (2 / (np.size(a) // np.size(ans) - ddof)))


def std_vjp(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return (unreduce(g / ans, a, axis, keepdims) * (a - np.mean(a, axis=axis, keepdims=True))
            / (np.size(a) // np.size(ans) - ddof))


def std_jvp(t, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return (np.sum(t * (a - np.mean(a, axis=axis, keepdims=True)), axis=axis, keepdims=keepdims)
            / ((np.size(a) // np.size(ans) - ddof) * ans))


def cumsum_vjp(g, ans, a, axis=None, dtype=None, out=None):
    return uncumsum(g, a, axis)


def cumsum_jvp(t, ans, a, axis=None, dtype=None, out=None):
    return np.cumsum(t, axis=axis, dtype=dtype)


R.defvjp(np.sum, sum_vjp)
R.defjvp(np.sum, sum_jvp)
R.defvjp(np.mean, mean_vjp)
R.defjvp(np.mean, mean_jvp)
for _f in (np.max, np.amax, np.min, np.amin):
    R.defvjp(_f, max_vjp)
    R.defjvp(_f, max_jvp)
R.defvjp(np.prod, prod_vjp)
R.defjvp(np.prod, prod_jvp)
R.defvjp(np.var, var_vjp)
R.defjvp(np.var, var_jvp)
R.defvjp(np.std, std_vjp)
R.defjvp(np.std, std_jvp)
R.defvjp(np.cumsum, cumsum_vjp)
R.defjvp(np.cumsum, cumsum_jvp)


# -- helpers used by the rules above -----------------------------------------------------------
def unreduce_vjp(g, ans, grad, like, axis=None, keepdims=False):
    return np.sum(g, axis=axis, keepdims=keepdims)


def unreduce_jvp(t, ans, grad, like, axis=None, keepdims=False):
    return unreduce(t, like, axis, keepdims)


# d prod_except(a)_j / d a_i = prod of all but a_i, a_j: exact where a has no zeros.
def prod_except_vjp(g, ans, a, axis=None):
    return ans * (np.sum(g / a, axis=axis, keepdims=True) - g / a)


def prod_except_jvp(t, ans, a, axis=None):
    return ans * (np.sum(t / a, axis=axis, keepdims=True) - t / a)


def uncumsum_vjp(g, ans, grad, like, axis=None):
    return np.cumsum(g, axis=axis)


def uncumsum_jvp(t, ans, grad, like, axis=None):
    return uncumsum(t, like, axis)


R.defvjp(unreduce, unreduce_vjp)
R.defjvp(unreduce, unreduce_jvp)
R.defvjp(prod_except, prod_except_vjp)
R.defjvp(prod_except, prod_except_jvp)
R.defvjp(uncumsum, uncumsum_vjp)
R.defjvp(uncumsum, uncumsum_jvp)
R.nondifferentiable(max_weights)
R.nondifferentiable(count_reduced)
