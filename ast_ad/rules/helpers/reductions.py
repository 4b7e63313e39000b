"""Helpers of reduction rules: ``max_weights``, ``prod_except``, ``uncumsum``."""

from __future__ import annotations

import numpy as np

from ._common import _float_of
from .broadcasting import unreduce


def max_weights(a, ans, axis=None, keepdims=False):
    """Where ``a`` attains the reduction value ``ans``: 1/count there, 0 elsewhere.

    Ties share the derivative evenly (as JAX and autograd do).  Non-differentiable.
    """
    eq = np.equal(a, unreduce(ans, a, axis, keepdims)).astype(_float_of(a))
    return eq / np.sum(eq, axis=axis, keepdims=True)


def prod_except(a, axis=None):
    """The product of all other elements along ``axis`` (exact with zeros in ``a``)."""
    zero = np.equal(a, 0)
    nz = np.where(zero, np.ones_like(a), a)
    p = np.prod(nz, axis=axis, keepdims=True)
    count = np.sum(zero, axis=axis, keepdims=True)
    return np.where(zero, np.where(count == 1, p, 0), np.where(count == 0, p / nz, 0))


def uncumsum(grad, like, axis=None):
    """The adjoint of ``np.cumsum(like, axis)``: a reversed cumulative sum of ``grad``."""
    if axis is None:
        return np.reshape(np.flip(np.cumsum(np.flip(grad))), np.shape(like))
    return np.flip(np.cumsum(np.flip(grad, axis), axis=axis), axis)
