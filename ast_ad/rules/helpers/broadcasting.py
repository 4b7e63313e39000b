"""Broadcasting helpers: undoing a broadcast (``unbroadcast``), doing one (``broadcast_like``)
and broadcasting the cotangent of a reduction back (``unreduce``)."""

from __future__ import annotations

import numpy as np

from ...errors import UnsupportedConstructError
from ._common import _axes, _cot_dtype, _dtype, _is_scalar, _is_zero, _ndarray

_SEQUENCE_OP = (
    "`+` or `*` joined or repeated lists/tuples holding differentiated values (a list a "
    "function returned: `h(x) + h(y)`, `2 * h(x)`), which the gradient cannot follow; "
    "build the list with append, or use np.concatenate / np.tile on arrays")


_F8 = np.dtype(np.float64)
_F8_NUMBERS = (float, np.float64)


def _sequence_op():
    raise UnsupportedConstructError(_SEQUENCE_OP)


def unbroadcast(grad, like):
    """Sum ``grad`` down to the shape of ``like`` (undoes NumPy broadcasting).

    Fast path: ``grad`` itself when the shapes already agree.  A scalar ``like`` gets a
    scalar; dtypes are kept (float32 stays float32).
    """
    if type(grad) is _ndarray and type(like) is _ndarray and grad.shape == like.shape:
        return grad  # the common case, without np.shape calls
    shape = np.shape(like)
    gshape = np.shape(grad)
    if gshape == shape:
        return grad
    if isinstance(grad, (list, tuple)):
        _sequence_op()  # the cotangent of a list result of + / * (never elementwise)
    lead = len(gshape) - len(shape)
    if lead < 0:
        return broadcast_like(grad, like)
    if any(g < n for g, n in zip(gshape[lead:], shape)):
        # a cotangent smaller than its target (a scalar zero filler met a broadcast):
        # broadcast it up first, then reduce
        grad = np.broadcast_to(grad, np.broadcast_shapes(gshape, shape))
        gshape = np.shape(grad)
        lead = len(gshape) - len(shape)
    if not shape:
        return np.sum(grad)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and gshape[lead + i] != 1)
    return np.reshape(np.sum(grad, axis=axes, keepdims=True), shape)


def broadcast_like(grad, like):
    """Broadcast ``grad`` to the shape of ``like`` (a read-only view when it grows).

    A scalar ``grad`` is filled into an array made from ``like`` (same array library), with
    ``like``'s floating dtype for a Python number (so float32 stays float32).
    """
    if type(like) is _ndarray and like.ndim and like.dtype == _F8 and type(grad) in _F8_NUMBERS:
        out = np.empty_like(like)  # a float64 number into a float64 array: the fast path
        out.fill(grad)
        return out
    shape = np.shape(like)
    if np.shape(grad) == shape:
        return grad
    if isinstance(like, (list, tuple)) and isinstance(grad, (list, tuple)):
        _sequence_op()  # a list tangent of a list result of + / * (never a broadcast)
    if _is_scalar(grad) and _dtype(like) is not None:
        return np.full_like(like, grad, dtype=_cot_dtype(grad, like))
    return np.broadcast_to(grad, shape)


def unbroadcast_each(grad, likes):
    """``[unbroadcast(grad, x) for x in likes]``: the cotangents of a sum of several terms
    (for an array ``likes``, Python's ``sum`` over its rows: ``grad`` broadcast to it)."""
    if isinstance(likes, np.ndarray):
        return broadcast_like(grad, likes)
    return [unbroadcast(grad, x) for x in likes]


def sum_like(grads, like):
    """The sum of ``grads`` (zero entries None/0.0 skipped), broadcast to ``like``'s shape."""
    total = 0.0
    for gi in grads:
        if not _is_zero(gi):
            total = gi if _is_zero(total) else total + gi
    return broadcast_like(total, like)


def count_reduced(a, axis=None):
    """How many entries of ``a`` each result of a reduction over ``axis`` combines."""
    shape = np.shape(a)
    if axis is None:
        n = 1
        for d in shape:
            n *= d
        return n
    n = 1
    for ax in _axes(axis, len(shape)):
        n *= shape[ax]
    return n


def unreduce(grad, like, axis=None, keepdims=False):
    """Broadcast the cotangent of a reduction over ``axis`` back to the shape of ``like``."""
    if axis is not None and not keepdims and not _is_scalar(grad):
        grad = np.expand_dims(grad, _axes(axis, np.ndim(like)))
    return broadcast_like(grad, like)
