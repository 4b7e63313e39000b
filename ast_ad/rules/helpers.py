"""Helpers that derivative rules (and generated code) call.

A rule is one ``return <expression>``; whatever needs statements lives here.  Every public
helper has rules of its own (registered beside the rules that use it), or is declared
non-differentiable, so generated derivative code can be differentiated again.

Helpers only create arrays from arrays they are given (``*_like``, ``np.broadcast_to``,
``np.add.at`` ...), never with ``np.asarray``/``np.zeros(shape)``, so they run unchanged on
any array library that implements NumPy's dispatch protocols.

Cotangents returned here may be read-only views (``np.broadcast_to``) or alias their input
(fast paths): callers must never update them in place.
"""

from __future__ import annotations

import math
import operator
from itertools import accumulate

import numpy as np

_PY_SCALARS = (bool, int, float, complex)


# -- small private utilities (called only from helper bodies, never from rules) -----------
_ndarray = np.ndarray


def _dtype(x):
    return getattr(x, "dtype", None)


def _float_of(x):
    """The floating dtype a derivative with respect to ``x`` should have."""
    d = _dtype(x)
    return d if d is not None and d.kind in "fc" else np.dtype(float)


def _cot_dtype(grad, like):
    """dtype of a cotangent ``grad`` placed into an array shaped like ``like``."""
    ld, gd = _dtype(like), _dtype(grad)
    if ld is not None and ld.kind in "fc":
        return ld if gd is None or gd.kind not in "fc" else np.promote_types(ld, gd)
    if gd is not None and gd.kind in "fc":
        return gd
    return np.dtype(complex) if isinstance(grad, complex) else np.dtype(float)


def _axes(axis, ndim):
    """``axis`` (None, int or sequence, negatives allowed) as a tuple of ints in [0, ndim)."""
    if axis is None:
        return tuple(range(ndim))
    n = max(ndim, 1)
    if isinstance(axis, (tuple, list)):
        return tuple(operator.index(a) % n for a in axis)
    return (operator.index(axis) % n,)


def _is_scalar(x):
    """A Python or NumPy scalar (not an array of any library, not even a 0-d one)."""
    return isinstance(x, (*_PY_SCALARS, np.generic))


def _zero_of(x):
    """A zero cotangent for a value ``x`` (Python number, array, or nested list/tuple)."""
    if isinstance(x, (list, tuple)):
        return type(x)(_zero_of(e) for e in x)
    if isinstance(x, _PY_SCALARS):
        return 0.0
    return np.zeros_like(x, dtype=_float_of(x))


def _is_zero(x):
    """The symbolic zeros of the runtime's adjoint convention: None and the float 0.0."""
    return x is None or (type(x) is float and x == 0.0)


def _is_basic_index(idx):
    """True when ``x[idx]`` cannot select one element twice (no integer-array indices)."""
    for it in idx if isinstance(idx, tuple) else (idx,):
        if it is None or it is Ellipsis or isinstance(it, (slice, bool, int, np.integer)):
            continue
        d = _dtype(it)
        if d is not None and (d.kind == "b" or np.ndim(it) == 0):
            continue
        return False
    return True


# -- broadcasting ---------------------------------------------------------------------------
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
    shape = np.shape(like)
    if np.shape(grad) == shape:
        return grad
    if _is_scalar(grad) and _dtype(like) is not None:
        return np.full_like(like, grad, dtype=_cot_dtype(grad, like))
    return np.broadcast_to(grad, shape)


def unbroadcast_each(grad, likes):
    """``[unbroadcast(grad, x) for x in likes]``: the cotangents of a sum of several terms."""
    return [unbroadcast(grad, x) for x in likes]


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


# -- reductions -------------------------------------------------------------------------------
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


def xlogy(a, x):
    """``a * log(x)``, and exactly 0 where ``a == 0`` (even where ``x == 0``)."""
    if isinstance(x, _PY_SCALARS):
        lx = math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)
        if isinstance(a, _PY_SCALARS):
            return 0.0 if a == 0 else a * lx
        with np.errstate(invalid="ignore"):
            r = a * lx
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            r = a * np.log(x)
    return np.where(np.equal(a, 0), np.zeros_like(r), r)


# -- indexing ----------------------------------------------------------------------------------
def unindex(grad, like, idx):
    """The adjoint of ``like[idx]``: zeros like ``like`` with ``grad`` added at ``idx``.

    Repeated integer-array indices accumulate (``np.add.at``).  For a list/tuple ``like``
    the result is a list/tuple of zero cotangents with ``grad`` at ``idx`` (int or slice).
    """
    if isinstance(like, (list, tuple)):
        out = [_zero_of(e) for e in like]
        if isinstance(idx, slice):
            for j, gj in zip(range(len(like))[idx], grad):
                out[j] = gj
        else:
            out[idx] = grad
        return type(like)(out)
    if isinstance(like, dict):
        return {k: (grad if k == idx else _zero_of(v)) for k, v in like.items()}
    out = np.zeros_like(like, dtype=_cot_dtype(grad, like))
    if _is_basic_index(idx):
        out[idx] = grad
    else:
        np.add.at(out, idx, grad)
    return out


# -- shapes ------------------------------------------------------------------------------------
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


def sum_like(grads, like):
    """The sum of ``grads`` (zero entries None/0.0 skipped), broadcast to ``like``'s shape."""
    total = 0.0
    for gi in grads:
        if not _is_zero(gi):
            total = gi if _is_zero(total) else total + gi
    return broadcast_like(total, like)


def hstack_axis(tup):
    """The axis ``np.hstack`` concatenates along (0 for 1-d inputs, else 1)."""
    return 0 if np.ndim(tup[0]) <= 1 else 1


# -- linear algebra ----------------------------------------------------------------------------
def matmul_adjoint_a(grad, a, b):
    """The cotangent of ``a`` in ``np.matmul(a, b)`` (1-d operands and batch dims handled)."""
    na, nb = np.ndim(a), np.ndim(b)
    if na == 1 and nb == 1:
        return grad * b
    if nb == 1:
        return unbroadcast(np.expand_dims(grad, -1) * b, a)
    if na == 1:
        return unbroadcast(np.matmul(b, np.expand_dims(grad, -1))[..., 0], a)
    return unbroadcast(np.matmul(grad, np.swapaxes(b, -1, -2)), a)


def matmul_adjoint_b(grad, a, b):
    """The cotangent of ``b`` in ``np.matmul(a, b)``."""
    na, nb = np.ndim(a), np.ndim(b)
    if na == 1 and nb == 1:
        return grad * a
    if na == 1:
        return unbroadcast(np.expand_dims(a, -1) * np.expand_dims(grad, -2), b)
    if nb == 1:
        return unbroadcast(np.matmul(np.expand_dims(grad, -2), a)[..., 0, :], b)
    return unbroadcast(np.matmul(np.swapaxes(a, -1, -2), grad), b)


def dot_adjoint_a(grad, a, b):
    """The cotangent of ``a`` in ``np.dot(a, b)`` (NumPy's N-d ``dot`` semantics)."""
    if type(a) is _ndarray and type(b) is _ndarray and a.ndim == 2 and b.ndim == 2:
        return np.dot(grad, b.T)  # the common case first: one BLAS call
    na, nb = np.ndim(a), np.ndim(b)
    if na == 2 and nb == 2:
        return np.dot(grad, np.transpose(b))
    if na == 0 or nb == 0:
        return unbroadcast(grad * b, a)
    if nb == 1:
        return grad * b if na == 1 else np.expand_dims(grad, -1) * b
    gaxes = list(range(na - 1, np.ndim(grad)))
    baxes = list(range(nb - 2)) + [nb - 1]
    return np.tensordot(grad, b, axes=(gaxes, baxes))


def dot_adjoint_b(grad, a, b):
    """The cotangent of ``b`` in ``np.dot(a, b)``."""
    if type(a) is _ndarray and type(b) is _ndarray and a.ndim == 2 and 1 <= b.ndim <= 2:
        return np.dot(a.T, grad)  # (n,k)@(k,m) or (n,k)@(k,): one BLAS call
    na, nb = np.ndim(a), np.ndim(b)
    if na == 2 and nb <= 2 and nb != 0:
        return np.dot(np.transpose(a), grad)
    if na == 1 and nb == 2:
        return np.outer(a, grad)
    if na == 0 or nb == 0:
        return unbroadcast(grad * a, b)
    lead = list(range(na - 1))
    r = np.tensordot(a, grad, axes=(lead, lead))
    return r if nb == 1 else np.moveaxis(r, 0, -2)


def untrace(grad, like, offset=0, axis1=0, axis2=1):
    """The adjoint of ``np.trace``: zeros like ``like`` with ``grad`` on the diagonal."""
    nd = np.ndim(like)
    a1, a2 = axis1 % nd, axis2 % nd
    moved = np.moveaxis(like, (a1, a2), (-2, -1))
    n, m = np.shape(moved)[-2:]
    z = np.zeros_like(moved, dtype=_cot_dtype(grad, like), order="C")
    flat = np.reshape(z, np.shape(z)[:-2] + (n * m,))
    length = min(n - max(-offset, 0), m - max(offset, 0))
    if length > 0:
        start = offset if offset >= 0 else -offset * m
        diag = grad if _is_scalar(grad) else np.expand_dims(grad, -1)
        flat[..., start:start + (length - 1) * (m + 1) + 1:m + 1] = diag
    return np.moveaxis(z, (-2, -1), (a1, a2))


def norm_dir(x, nrm, ord=None, axis=None, keepdims=False):
    """d norm(x) / dx given the norm ``nrm``: ``x/nrm`` for the 2-norm and Frobenius norm,
    ``sign(x)`` for ord=1, the (tie-shared) signed arg-max/min of ``|x|`` for ord=+-inf.

    Matrix norms other than Frobenius and vector p-norms for other p are not supported.
    """
    matrix = (axis is None and np.ndim(x) == 2) or (
        isinstance(axis, (tuple, list)) and len(axis) == 2)
    if matrix and ord not in (None, "fro"):
        raise NotImplementedError(
            f"no derivative rule for np.linalg.norm with a matrix ord={ord!r}")
    if ord is None or ord == 2 or ord == "fro":
        return x / unreduce(nrm, x, axis, keepdims)
    if ord == 1:
        return np.sign(x)
    if ord == math.inf or ord == -math.inf:
        ax = np.abs(x)
        ext = (np.max if ord > 0 else np.min)(ax, axis=axis, keepdims=True)
        return max_weights(ax, ext, axis, True) * np.sign(x)
    if ord == 0:
        return np.zeros_like(x, dtype=_float_of(x))
    raise NotImplementedError(f"no derivative rule for np.linalg.norm with ord={ord!r}")


def norm_is_smooth(ord):
    """1.0 where ``norm_dir`` depends smoothly on its inputs (2-norm), 0.0 where it is
    piecewise constant (ord 0, 1, +-inf).  Non-differentiable."""
    return 1.0 if ord is None or ord == 2 or ord == "fro" else 0.0


# -- used by the normalize pass ----------------------------------------------------------------
def as_sequence(xs):
    """An indexable version of an iterable (lists, tuples, arrays and ranges pass through)."""
    if isinstance(xs, (list, tuple, range)) or hasattr(xs, "shape"):
        return xs
    return list(xs)


def check_unpack(seq, n):
    """Raise like Python does when unpacking ``seq`` into ``n`` targets fails."""
    k = len(seq)
    if k > n:
        raise ValueError(f"too many values to unpack (expected {n})")
    if k < n:
        raise ValueError(f"not enough values to unpack (expected {n}, got {k})")
