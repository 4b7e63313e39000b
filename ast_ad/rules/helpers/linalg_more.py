"""Helpers of the matrix-decomposition rules (``slogdet``, ``solve``, ``cholesky``, ``eigh``,
``svd``, ``qr``, ``pinv``, ``lstsq``, ``matrix_power``, matrix norms, ``scipy.linalg``).

Everything works on the last two axes and broadcasts over the leading ones.  Each public
helper is linear in its first argument (rules in :mod:`ast_ad.rules.linalg_more`) or
non-differentiable (``eye_like``); none creates arrays from a shape alone (``*_like`` only),
so they run on any array library with NumPy's dispatch protocols.
"""

from __future__ import annotations

import numpy as np

from ...errors import UndefinedDerivativeError
from ._common import _float_of

#: what ``ast_ad.rules.helpers`` re-exports
__all__ = [
    "col", "cot_part", "cot_place", "diag_blocks_sum", "diag_embed", "diag_part", "eye_like",
    "first_cols", "from_triangle", "maybe_mT", "mT", "nonzero_product", "offdiag_recip",
    "phi_lower", "qr_check", "strict_lower", "svd_cot", "svd_pack", "svd_uncot", "thin_cols",
    "to_triangle", "top_right", "uncol", "unthin_cols", "upper_block",
]


def mT(x):
    """The matrix transpose of the last two axes."""
    return np.swapaxes(x, -1, -2)


def eye_like(x, n=None):
    """The ``n`` x ``n`` identity (``n``: the last axis of ``x``) in ``x``'s float dtype,
    made from ``x`` (``zeros_like``), so on ``x``'s device.  Non-differentiable."""
    n = np.shape(x)[-1] if n is None else n
    z = np.zeros_like(x, dtype=_float_of(x), shape=(n * n,))
    z[::n + 1] = 1
    return np.reshape(z, (n, n))


def diag_part(x):
    """The diagonals of the matrices in ``x`` (shape ``(..., n)``)."""
    return np.diagonal(x, 0, -2, -1)


def diag_embed(d):
    """Diagonal matrices with diagonals ``d`` (the adjoint of :func:`diag_part`)."""
    return np.expand_dims(d, -1) * eye_like(d)


def phi_lower(x):
    """The lower triangle of ``x`` with the diagonal halved (self-adjoint)."""
    return np.tril(x) - 0.5 * diag_embed(diag_part(x))


def _upper(uplo):
    return uplo in ("U", "u") if isinstance(uplo, str) else bool(uplo)


def from_triangle(x, uplo=False):
    """The symmetric matrix a routine reading one triangle of ``x`` sees (``eigh``,
    ``cholesky``): that triangle mirrored, the diagonal kept.  ``uplo``: ``"U"``/``True``
    for the upper triangle, ``"L"``/``False`` for the lower one."""
    tri = np.triu(x, 1) if _upper(uplo) else np.tril(x, -1)
    return tri + mT(tri) + diag_embed(diag_part(x))


def to_triangle(x, uplo=False):
    """The adjoint of :func:`from_triangle`: ``x + x^T`` on the read triangle, ``x``'s
    diagonal, zeros on the other triangle."""
    s = x + mT(x)
    return (np.triu(s, 1) if _upper(uplo) else np.tril(s, -1)) + diag_embed(diag_part(x))


def maybe_mT(x, flag):
    """``mT(x)`` when ``flag`` is true, else ``x`` (a factor given as upper or lower)."""
    return mT(x) if flag else x


def _absent(v):
    return v is None or (type(v) is float and v == 0.0)


def cot_part(cot, k, like):
    """Entry ``k`` of the cotangent ``cot`` of a tuple output, zeros like ``like`` where the
    entry is absent (``None``, ``0.0``: that output does not reach the result)."""
    v = None if _absent(cot) else cot[k]
    if _absent(v):
        return np.zeros_like(like, dtype=_float_of(like))
    return v


def cot_place(x, cot, k):
    """The adjoint of :func:`cot_part` in ``cot``: a list as long as ``cot`` with ``x`` at
    ``k`` (zeros like ``cot``'s other entries: 0.0 for Python scalars such as a flag,
    ``None`` where absent)."""
    out = [0.0 if isinstance(c, (bool, int, float)) else None if c is None else
           np.zeros_like(c, dtype=_float_of(c)) for c in cot]
    out[k] = x
    return out


def col(x, b):
    """``x`` as a stack of columns when ``b`` is a vector (``np.linalg.solve``'s convention)."""
    return np.expand_dims(x, -1) if np.ndim(b) == 1 else x


def uncol(x, b):
    """The inverse (and adjoint) of :func:`col`."""
    return x[..., 0] if np.ndim(b) == 1 else x


def offdiag_recip(d):
    """``F[..., i, j] = 1 / (d_j - d_i)`` off the diagonal, 0 on it (the eigen- and
    singular-vector derivatives' divided differences; inf where values repeat)."""
    eye = eye_like(d)
    with np.errstate(divide="ignore"):  # repeated values: inf, as documented
        return (1.0 - eye) / (np.expand_dims(d, -2) - np.expand_dims(d, -1) + eye)


def nonzero_product(f, m):
    """``f * m`` with 0 wherever ``m`` is exactly 0 (so an unused eigenvector cotangent
    does not turn the inf of a repeated eigenvalue into nan, as in autograd)."""
    with np.errstate(invalid="ignore"):  # inf * 0 where m is 0: replaced by 0
        return np.where(m == 0, 0.0, f * m)


def thin_cols(x, k):
    """The first ``k`` columns of ``x``.  Refuses (NotImplementedError) when the other
    columns are not zero: the extra columns of a full SVD's ``U``/``V`` (``qr``'s
    ``complete`` mode) have no unique derivative."""
    if np.shape(x)[-1] > k and bool(np.any(x[..., k:] != 0)):
        raise UndefinedDerivativeError(
            "the extra columns of a full_matrices=True SVD (or of a complete QR) of a "
            "non-square matrix are not unique and have no derivative; they reach the "
            "result here (use full_matrices=False, or only the first min(m, n) columns)")
    return x[..., :k]


def first_cols(x, k):
    """The first ``k`` columns of ``x`` (no check)."""
    return x[..., :k]


def unthin_cols(x, like):
    """The adjoint of :func:`thin_cols`/:func:`first_cols`: ``x`` in the first columns of
    zeros like ``like``."""
    k = np.shape(x)[-1]
    if np.shape(like)[-1] == k:
        return x
    z = np.zeros_like(like, dtype=np.result_type(_float_of(like), x))
    z[..., :k] = x
    return z


# -- the SVD's two result forms (compute_uv: a tuple (U, S, Vh), else S) ----------------------
def _thin_like(a, idx):
    """Zeros shaped like thin factor ``idx`` (0: U, 1: S, 2: Vh) of the SVD of ``a``."""
    m, n = np.shape(a)[-2:]
    k = min(m, n)
    part = (a[..., :k], a[..., 0, :k], a[..., :k, :])[idx]
    return np.zeros_like(part, dtype=_float_of(a))


def svd_cot(cot, idx, res, a, compute_uv=True, check=True):
    """The thin part (``U[..., :k]``, ``S``, ``Vh[..., :k, :]``, k = min(m, n)) of entry
    ``idx`` of a cotangent or tangent ``cot`` of ``res = np.linalg.svd(a, ...)`` (or of
    ``res`` itself); zeros for U and Vh when ``compute_uv`` is false (the result is S alone).
    With ``check``, refuses a nonzero cotangent on the extra columns of a full SVD
    (:func:`thin_cols`)."""
    if not compute_uv:
        return cot if idx == 1 and not _absent(cot) else _thin_like(a, idx)
    v = cot_part(cot, idx, res[idx])
    k = min(np.shape(a)[-2:])
    if idx == 0:
        return thin_cols(v, k) if check else v[..., :k]
    if idx == 2:
        return mT(thin_cols(mT(v), k)) if check else v[..., :k, :]
    return v


def svd_uncot(x, idx, res, compute_uv=True):
    """The adjoint of :func:`svd_cot` in ``cot``: ``x`` placed as entry ``idx`` of a
    cotangent of ``res`` (zeros in the extra columns of a full SVD)."""
    if not compute_uv:
        return x if idx == 1 else np.zeros_like(res, dtype=_float_of(res))
    out = [np.zeros_like(r, dtype=_float_of(r)) for r in res]
    if idx == 0:
        out[0] = unthin_cols(x, res[0])
    elif idx == 2:
        out[2] = mT(unthin_cols(mT(x), mT(res[2])))
    else:
        out[1] = x
    return out


def svd_pack(du, ds, dvh, res, compute_uv=True):
    """The tangent of ``np.linalg.svd``'s result from the thin factors' tangents: ``ds``
    alone, or ``(du, ds, dvh)`` (refused for the extra columns of a full SVD)."""
    if not compute_uv:
        return ds
    if np.shape(du) != np.shape(res[0]) or np.shape(dvh) != np.shape(res[2]):
        raise UndefinedDerivativeError(
            "no forward rule for np.linalg.svd(a, full_matrices=True) of a non-square "
            "matrix: the extra columns of U or V are not unique (use full_matrices=False)")
    return (du, ds, dvh)


def upper_block(a, e):
    """The block matrix ``[[a, e], [0, a]]`` (its function's top-right block is the
    Frechet derivative of a matrix function at ``a`` along ``e``)."""
    top = np.concatenate([a, e], axis=-1)
    bottom = np.concatenate([np.zeros_like(e), a], axis=-1)
    return np.concatenate([top, bottom], axis=-2)


def top_right(x):
    """The top-right quarter of square matrices of even size."""
    m = np.shape(x)[-1] // 2
    return x[..., :m, m:]


def diag_blocks_sum(x):
    """The sum of the two diagonal quarters of square matrices of even size."""
    m = np.shape(x)[-1] // 2
    return x[..., :m, :m] + x[..., m:, m:]


def strict_lower(x):
    """``np.tril(x, -1)`` (batched; self-adjoint)."""
    return np.tril(x, -1)


def qr_check(x, a, mode="reduced"):
    """``x`` itself, refusing the QR factorizations without a rule: a wide ``a`` (m < n), the
    ``"complete"`` mode of a tall one (its extra columns of Q are not unique) and the modes
    ``"r"``/``"raw"``."""
    m, n = np.shape(a)[-2:]
    if mode not in ("reduced", "complete") or m < n or (mode == "complete" and m != n):
        raise UndefinedDerivativeError(
            f"no derivative rule for np.linalg.qr of a {m}x{n} matrix in mode {mode!r} "
            "(supported: m >= n in mode 'reduced', m == n in mode 'complete')")
    return x
