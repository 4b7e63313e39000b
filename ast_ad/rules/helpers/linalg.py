"""Linear-algebra helpers: the adjoints of ``matmul``/``dot`` and ``trace``, and the
direction of a norm's derivative."""

from __future__ import annotations

import math

import numpy as np

from ...errors import UndefinedDerivativeError
from ._common import _cot_dtype, _is_scalar, _ndarray
from .broadcasting import unbroadcast, unreduce
from .reductions import max_weights


def _matrix_vector(grad, a, b):
    """NumPy arrays ``a`` (m, n), ``b`` (n,) and ``grad`` (m,): nothing to broadcast."""
    return type(a) is _ndarray and type(b) is _ndarray and type(grad) is _ndarray and \
        a.ndim == 2 and b.ndim == 1 and grad.ndim == 1 and grad.shape[0] == a.shape[0]


def matmul_adjoint_a(grad, a, b):
    """The cotangent of ``a`` in ``np.matmul(a, b)`` (1-d operands and batch dims handled)."""
    if _matrix_vector(grad, a, b):
        return np.outer(grad, b)  # (m, n) @ (n,): the common case first, one call
    na, nb = np.ndim(a), np.ndim(b)
    if na == 1 and nb == 1:
        return np.multiply(grad, b)  # np.multiply: an operand may be a list
    if nb == 1:
        return unbroadcast(np.multiply(np.expand_dims(grad, -1), b), a)
    if na == 1:
        return unbroadcast(np.matmul(b, np.expand_dims(grad, -1))[..., 0], a)
    return unbroadcast(np.matmul(grad, np.swapaxes(b, -1, -2)), a)


def matmul_adjoint_b(grad, a, b):
    """The cotangent of ``b`` in ``np.matmul(a, b)``."""
    if _matrix_vector(grad, a, b):
        return grad @ a  # (m,) @ (m, n): a.T @ grad without the transpose
    na, nb = np.ndim(a), np.ndim(b)
    if na == 1 and nb == 1:
        return np.multiply(grad, a)
    if na == 1:
        return unbroadcast(np.multiply(np.expand_dims(a, -1), np.expand_dims(grad, -2)), b)
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
        return unbroadcast(np.multiply(grad, b), a)  # np.multiply: b may be a list
    if nb == 1:
        return np.multiply(grad if na == 1 else np.expand_dims(grad, -1), b)
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
        return unbroadcast(np.multiply(grad, a), b)
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


def _is_matrix_norm(x, axis):
    return (axis is None and np.ndim(x) == 2) or (
        isinstance(axis, (tuple, list)) and len(axis) == 2)


def _matrix_norm_dir(x, ord, axis):
    """d norm / dx of the matrix norms other than Frobenius, on the axes ``axis``."""
    nd = np.ndim(x)
    r, c = (0, 1) if axis is None else (axis[0] % nd, axis[1] % nd)
    xm = np.moveaxis(x, (r, c), (-2, -1))
    if ord in ("nuc", 2, -2):
        u, s, vh = np.linalg.svd(xm, full_matrices=False)
        if ord == "nuc":
            d = np.matmul(u, vh)
        else:
            k = 0 if ord == 2 else np.shape(s)[-1] - 1
            d = np.matmul(u[..., :, k:k + 1], vh[..., k:k + 1, :])
    elif ord in (1, -1, math.inf, -math.inf):
        along = -2 if ord in (1, -1) else -1  # column sums (1) or row sums (inf)
        sums = np.sum(np.abs(xm), axis=along)
        ext = (np.max if ord > 0 else np.min)(sums, axis=-1, keepdims=True)
        w = np.expand_dims(max_weights(sums, ext, -1, True), along)
        d = np.sign(xm) * w
    else:
        raise UndefinedDerivativeError(
            f"no derivative rule for np.linalg.norm with a matrix ord={ord!r}")
    return np.moveaxis(d, (-2, -1), (r, c))


def norm_dir(x, nrm, ord=None, axis=None, keepdims=False):
    """d norm(x) / dx given the norm ``nrm``: ``x/nrm`` for the 2-norm and Frobenius norm,
    ``sign(x) |x|^(p-1) / nrm^(p-1)`` for a vector p-norm (``sign(x)`` for ord=1), the
    (tie-shared) signed arg-max/min of ``|x|`` for ord=+-inf; for matrix norms ``U V^T``
    (nuclear), ``u_1 v_1^T`` (2; -2: the last singular pair), the signed arg-max/min column
    (1, -1) or row (inf, -inf).  ord=0 (a count) is refused."""
    if ord == 0:
        raise UndefinedDerivativeError(
            "no derivative rule for np.linalg.norm with ord=0 (it counts nonzeros)")
    if _is_matrix_norm(x, axis) and ord not in (None, "fro"):
        return _matrix_norm_dir(x, ord, axis)
    if ord is None or ord == 2 or ord == "fro":
        return x / unreduce(nrm, x, axis, keepdims)
    if ord == 1:
        return np.sign(x)
    if ord == math.inf or ord == -math.inf:
        ax = np.abs(x)
        ext = (np.max if ord > 0 else np.min)(ax, axis=axis, keepdims=True)
        return max_weights(ax, ext, axis, True) * np.sign(x)
    if isinstance(ord, str):
        raise UndefinedDerivativeError(f"no derivative rule for np.linalg.norm with ord={ord!r}")
    return np.sign(x) * np.abs(x) ** (ord - 1) / unreduce(nrm, x, axis, keepdims) ** (ord - 1)


def norm_p(x, ord=None, axis=None):
    """The exponent p of the second derivative of a norm (``norm_dir``'s own rules): 2 for
    the 2-norm and Frobenius norm, p for a vector p-norm, 1 (a zero second derivative) where
    ``norm_dir`` is piecewise constant (ord 1, +-inf, matrix 1 and inf), and 2 (a finite
    placeholder: ``not_spectral`` zeroes that part) for the spectral matrix norms (nuclear,
    2, -2), whose second derivative is ``spectral_dir_d``.  Non-differentiable."""
    if _is_matrix_norm(x, axis) and ord not in (None, "fro"):
        return 2.0 if ord in ("nuc", 2, -2) else 1.0
    if ord is None or ord == "fro":
        return 2.0
    if ord == math.inf or ord == -math.inf:
        return 1.0
    return float(ord)


def norm_is_smooth(ord):
    """1.0 where ``norm_dir`` depends smoothly on its inputs (2-norm), 0.0 where it is
    piecewise constant (ord 1, +-inf).  Non-differentiable (kept for callers; the rules of
    ``norm_dir`` use :func:`norm_p`)."""
    return 1.0 if ord is None or ord == 2 or ord == "fro" else 0.0
