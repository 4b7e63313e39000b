"""Helpers of reduction rules: ``max_weights``, ``prod_except``, ``uncumsum``, and the
``where=``/``initial=`` keywords of NumPy's reductions (``in_where``, ``masked``,
``where_or_one``, ``scaled``; the last three are their first argument for the default, and
the inliner folds them away there: ``identity_unless``).

NumPy's ``where`` masks entries out of a reduction (they act as its neutral element: their
derivative is 0) and ``initial`` is one more entry, a constant (for ``max``/``min``: where it
wins, no entry attains the result and every derivative is 0).
"""

from __future__ import annotations

import numpy as np

from ._common import _float_of
from .broadcasting import unreduce


def in_where(a, where=True):
    """NumPy's ``where=`` of a reduction over ``a`` as a bool array shaped like ``a`` (all
    True for the default).  Non-differentiable."""
    return np.logical_and(np.ones_like(a, dtype=bool), where)


def masked(x, where=True):
    """``x`` with the entries ``where`` leaves out of a reduction set to 0 (linear in
    ``x``; ``x`` itself for the default)."""
    if where is True:
        return x
    return np.where(where, x, np.zeros_like(x))


masked.identity_unless = (1, True)  # (the inliner folds masked(x, True) to x)


def max_weights(a, ans, axis=None, keepdims=False, where=True, initial=None):
    """Where ``a`` attains the reduction value ``ans``: 1/count there, 0 elsewhere (and 0
    at the entries ``where`` leaves out; all 0 where ``initial`` won).

    Ties share the derivative evenly (as JAX and autograd do); an all-nan slice gives nan.
    Non-differentiable.
    """
    if axis is None and where is True and initial is None and type(a) is np.ndarray and \
            a.dtype.kind == "f":
        eq = (a == ans).astype(a.dtype)  # (the whole array: ans broadcasts as it is)
        return eq / eq.sum()
    full = unreduce(ans, a, axis, keepdims)
    eq = np.equal(a, full)
    if where is True and initial is None:  # some entry attains the result (or all nan)
        eq = eq.astype(_float_of(a))
        return eq / np.sum(eq, axis=axis, keepdims=True)
    if where is not True:
        eq = eq & in_where(a, where)
    eq = eq.astype(_float_of(a))
    count = np.sum(eq, axis=axis, keepdims=True)
    return np.where(np.isnan(full), np.nan, eq / np.where(count == 0, 1, count))


def where_or_one(a, where=True):
    """``a`` with the entries ``where`` leaves out of a product set to 1 (``a`` itself for
    the default)."""
    if where is True:
        return a
    return np.where(where, a, np.ones_like(a))


where_or_one.identity_unless = (1, True)


def scaled(x, factor=None):
    """``x * factor`` (``x`` itself for the default: a reduction's ``initial`` not given)."""
    return x if factor is None else x * factor


scaled.identity_unless = (1, None)


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
