"""Shape helpers: axes of transposes, array-method spellings (``x.reshape(3, 4)``), casts,
and the adjoints of joining and splitting arrays."""

from __future__ import annotations

import operator
from itertools import accumulate

import numpy as np

from ._common import _PY_SCALARS, _dtype, _is_zero


def is_given(x):
    """1.0 when the optional argument ``x`` was given (is not None), else 0.0
    (non-differentiable: a flag)."""
    return 0.0 if x is None else 1.0


def invert_axes(axes, ndim):
    """The permutation undoing ``np.transpose(x, axes)`` (also ``x.transpose(*axes)`` forms)."""
    axes = transpose_axes(axes)
    if axes is None:
        return None
    inv = [0] * ndim
    for i, a in enumerate(axes):
        inv[operator.index(a) % ndim] = i
    return tuple(inv)


def transpose_axes(axes):
    """``x.transpose(*axes)`` arguments (``()``, ``(None,)``, ``((1, 0),)``, ``(1, 0)``)
    as the ``axes`` argument of ``np.transpose``."""
    if axes is None or axes == () or axes == (None,):
        return None
    if isinstance(axes, (tuple, list)) and len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        return tuple(axes[0])
    return tuple(axes)


def method_reshape(x, *shape):
    """``x.reshape(3, 4)`` or ``x.reshape((3, 4))``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return np.reshape(x, shape)


def method_transpose(x, *axes):
    """``x.transpose()``, ``x.transpose(1, 0)`` or ``x.transpose((1, 0))``."""
    return np.transpose(x, transpose_axes(axes))


def copy(x):
    """``x.copy()``: ``np.copy`` for arrays, a new list for a list, else ``x`` itself."""
    if isinstance(x, list):
        return list(x)
    if isinstance(x, dict):
        return dict(x)
    if isinstance(x, (tuple, *_PY_SCALARS)):
        return x
    return np.copy(x)


def astype(x, dtype):
    """``x.astype(dtype)``, also for Python and NumPy scalars."""
    if hasattr(x, "astype"):
        return x.astype(dtype)
    return np.dtype(dtype).type(x)


def cast_like(grad, like):
    """``grad`` cast to ``like``'s floating dtype (the cotangent of a dtype cast)."""
    ld, gd = _dtype(like), _dtype(grad)
    if ld is None or ld.kind not in "fc" or gd is None or gd == ld:
        return grad
    if ld.kind != "c" and gd.kind == "c":
        grad = grad.real  # the cotangent of a real value cast to complex: its real part
    return grad.astype(ld)


def split_like(grad, likes, axis=0):
    """Cut the cotangent of a concatenation into one piece per input, shaped like it.

    ``axis=None`` means the inputs were flattened.  Serves ``np.concatenate``,
    ``np.vstack`` and ``np.hstack`` (inputs promoted to 1-d/2-d are reshaped back).
    """
    if axis is None:
        sizes = [np.size(x) for x in likes]
        ax = 0
    else:
        shape = np.shape(grad)
        ax = axis % len(shape)
        other = np.size(grad) // shape[ax] if shape[ax] else 1
        sizes = [np.size(x) // other if other else 0 for x in likes]
    cuts = list(accumulate(sizes))[:-1]
    pieces = np.split(grad, cuts, axis=ax)
    return [np.reshape(p, np.shape(x)) for p, x in zip(pieces, likes)]


def concat_like(grads, parts, like, axis=0):
    """Concatenate ``grads`` (one per entry of ``parts``) into the shape of ``like``: the
    adjoint of ``split_like``.  A zero entry (``None`` or ``0.0``) stands for zeros."""
    if axis is None:
        flat = [np.zeros_like(like, shape=(np.size(p),)) if _is_zero(gi) else np.ravel(gi)
                for gi, p in zip(grads, parts)]
        return np.concatenate(flat)
    shape = np.shape(like)
    ax = axis % len(shape)
    other = np.size(like) // shape[ax] if shape[ax] else 1
    pieces = []
    for gi, p in zip(grads, parts):
        pshape = shape[:ax] + (np.size(p) // other if other else 0,) + shape[ax + 1:]
        pieces.append(np.zeros_like(like, shape=pshape) if _is_zero(gi)
                      else np.reshape(gi, pshape))
    return np.concatenate(pieces, axis=ax)


def unstack(grad, axis=0):
    """The adjoint of ``np.stack(xs, axis)``: the slices of ``grad`` along ``axis``."""
    return list(np.moveaxis(grad, axis, 0))


def stack_like(grads, like, axis=0):
    """``np.stack(grads, axis)`` shaped like ``like``, zero entries (None/0.0) as zeros."""
    if not any(_is_zero(gi) for gi in grads):
        return np.stack(grads, axis)
    shape = np.shape(like)
    ax = axis % len(shape)
    zero = np.zeros_like(like, shape=shape[:ax] + shape[ax + 1:])
    return np.stack([zero if _is_zero(gi) else gi for gi in grads], axis)


def hstack_axis(tup):
    """The axis ``np.hstack`` concatenates along (0 for 1-d inputs, else 1)."""
    return 0 if np.ndim(tup[0]) <= 1 else 1
