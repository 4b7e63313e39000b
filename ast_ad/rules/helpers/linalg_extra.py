"""Helpers of the rules of ``eig`` with complex eigenvectors, ``lstsq``, the spectral matrix
norms at second order and banded solves.

As in :mod:`.linalg_more`, every public helper is linear in its first argument (rules in
:mod:`ast_ad.rules.linalg_extra`) or non-differentiable, and makes arrays only with
``*_like``.
"""

from __future__ import annotations

import numpy as np

from ...errors import UndefinedDerivativeError
from ._common import _float_of
from .linalg_more import eye_like, mT


# -- eig: LAPACK's gauge of the eigenvectors ------------------------------------------------
def eig_pivot_mask(u):
    """Per eigenvector (column of ``u``), 1.0 at the row of its largest entry among the
    exactly real ones, 0.0 elsewhere (a real array like ``u``).  LAPACK (``geev``) returns
    unit eigenvectors whose largest entry is real, which fixes the phase of a complex
    eigenvector; the rules of ``eig`` keep that entry real.  Refuses eigenvectors with no
    real nonzero entry (a convention those rules do not know).  Non-differentiable."""
    au = np.abs(u)
    real = (np.imag(u) == 0) & (au > 0)
    if not bool(np.all(np.any(real, axis=-2))):
        raise UndefinedDerivativeError(
            "np.linalg.eig returned a complex eigenvector with no real entry: its phase "
            "convention is not LAPACK's, and the derivative of the eigenvectors depends on it")
    score = np.where(real, au, -1.0)
    top = np.max(score, axis=-2, keepdims=True)
    first = np.cumsum(score == top, axis=-2) == 1  # the first row reaching the maximum
    return np.where((score == top) & first, 1.0, 0.0).astype(np.real(u).dtype)


# -- lstsq -----------------------------------------------------------------------------------
def lstsq_check(x, res, a):
    """``x`` itself, refusing a rank-deficient least-squares problem (``res``: the result of
    ``np.linalg.lstsq(a, ...)``, whose rank is ``res[2]``): there the solution is the
    minimum-norm one of a rank that jumps, and no derivative rule is given."""
    m, n = np.shape(a)[-2:]
    if int(res[2]) < min(m, n):
        raise UndefinedDerivativeError(
            f"no derivative rule for np.linalg.lstsq of a rank-deficient {m}x{n} matrix "
            f"(rank {int(res[2])}): only full-rank matrices are differentiated")
    return x


def res_row(gres, row):
    """The cotangent of ``lstsq``'s residuals as a row like ``row`` (one entry per column of
    the solution): ``gres`` when residuals were returned, zeros when they are empty (wide
    or square ``a``)."""
    if np.size(gres) == 0:
        return np.zeros_like(row, dtype=_float_of(row))
    return gres


def res_unrow(r, like):
    """The adjoint of :func:`res_row` in ``gres``: ``r``, or zeros like the empty residuals
    ``like``."""
    if np.size(like) == 0:
        return np.zeros_like(like, dtype=_float_of(like))
    return r


# -- spectral matrix norms: the derivative of their gradient ----------------------------------
def _matrix_axes(x, axis):
    nd = np.ndim(x)
    return (0, 1) if axis is None else (axis[0] % nd, axis[1] % nd)


def spectral_dir_d(d, x, ord, axis=None):
    """The derivative along ``d`` of ``norm_dir(x, ., ord, axis)`` for the spectral matrix
    norms: of the polar factor ``U V^T`` (``ord="nuc"``), of ``u_k v_k^T`` for the largest
    (``ord=2``) or smallest (``ord=-2``) singular pair.  Zeros for every other ``ord``.  The
    map is symmetric in ``d`` (it is a Hessian), so it is its own adjoint.  Repeated (or
    zero, for ``nuc``) singular values make it inf/nan, as the first derivative is not
    differentiable there."""
    if not_spectral(x, ord, axis) == 1.0:
        return np.zeros_like(d, dtype=np.result_type(_float_of(x), d))
    r, c = _matrix_axes(x, axis)
    xm, tm = np.moveaxis(x, (r, c), (-2, -1)), np.moveaxis(d, (r, c), (-2, -1))
    u, s, vh = np.linalg.svd(xm, full_matrices=False)
    v = mT(vh)
    p = np.matmul(np.matmul(mT(u), tm), v)
    out_u = tm - np.matmul(u, np.matmul(mT(u), tm))  # (I - U U^T) dX
    out_v = tm - np.matmul(np.matmul(tm, v), vh)     # dX (I - V V^T)
    if ord == "nuc":
        om = (p - mT(p)) / (np.expand_dims(s, -1) + np.expand_dims(s, -2))
        d = np.matmul(np.matmul(u, om), vh)
        d = d + np.matmul(np.matmul(out_u, v) / np.expand_dims(s, -2), vh)
        d = d + np.matmul(u / np.expand_dims(s, -2), np.matmul(mT(u), out_v))
    else:
        k = 0 if ord == 2 else np.shape(s)[-1] - 1
        sk = s[..., k:k + 1]
        s2 = sk[..., None] ** 2 - np.expand_dims(s, -1) ** 2  # (..., kk, 1): s_k^2 - s_j^2
        s2 = s2 + eye_like(s)[:, k:k + 1]  # avoid 0 / 0 at j = k (the entry is masked below)
        keep = 1.0 - eye_like(s)[:, k:k + 1]
        pk, pkt = p[..., :, k:k + 1], mT(p)[..., :, k:k + 1]  # P_jk, P_kj
        sj = np.expand_dims(s, -1)
        cu = keep * (sk[..., None] * pk + sj * pkt) / s2
        cv = keep * (sj * pk + sk[..., None] * pkt) / s2
        du = np.matmul(u, cu) + np.matmul(out_u, v[..., :, k:k + 1]) / sk[..., None]
        dv = np.matmul(v, cv) + np.matmul(mT(out_v), u[..., :, k:k + 1]) / sk[..., None]
        d = np.matmul(du, mT(v[..., :, k:k + 1])) + np.matmul(u[..., :, k:k + 1], mT(dv))
    return np.moveaxis(d, (-2, -1), (r, c))


def not_spectral(x, ord=None, axis=None):
    """0.0 for the spectral matrix norms (nuclear, 2, -2: their second derivative is
    :func:`spectral_dir_d`), 1.0 otherwise.  Non-differentiable."""
    matrix = (axis is None and np.ndim(x) == 2) or (
        isinstance(axis, (tuple, list)) and len(axis) == 2)
    return 0.0 if matrix and ord in ("nuc", 2, -2) else 1.0


def spectral_third(g, x, ord=None, axis=None):
    """The derivative of :func:`spectral_dir_d` in ``x`` (a third derivative of the norm):
    zeros where ``spectral_dir_d`` is identically zero (the other ``ord``); refused
    (NotImplementedError) for the spectral matrix norms, which have no rule for it (a zero
    would be silently wrong).  Non-differentiable."""
    if not_spectral(x, ord, axis) == 0.0:
        raise UndefinedDerivativeError(
            f"no third derivative rule for np.linalg.norm with the matrix ord={ord!r}")
    return np.zeros_like(x, dtype=np.result_type(_float_of(x), g))


# -- banded matrices (scipy.linalg.solve_banded's storage) --------------------------------------
def _diagonals(n, lower, upper):
    """(k, flat slice of diagonal k of an n x n matrix, slice of its entries in ab's row)."""
    for k in range(-lower, upper + 1):
        if abs(k) >= n:
            continue
        start = k if k >= 0 else -k * n
        yield k, slice(start, start + (n - abs(k) - 1) * (n + 1) + 1, n + 1), \
            slice(max(0, k), n + min(0, k))


def band_to_dense(ab, lower, upper):
    """The square matrix ``A`` stored in ``ab`` as ``ab[upper + i - j, j] = A[i, j]`` (the
    entries of ``ab`` outside the band are not read)."""
    n = np.shape(ab)[-1]
    z = np.zeros_like(ab, shape=(n * n,), dtype=_float_of(ab))
    for k, flat, part in _diagonals(n, lower, upper):
        z[flat] = ab[upper - k, part]
    return np.reshape(z, (n, n))


def dense_to_band(x, lower, upper):
    """The adjoint of :func:`band_to_dense`: the band of ``x`` in ``ab`` storage (zeros
    outside the band)."""
    n = np.shape(x)[-1]
    z = np.zeros_like(x, shape=(lower + upper + 1, n), dtype=_float_of(x))
    flat = np.reshape(x, (n * n,))
    for k, diag, part in _diagonals(n, lower, upper):
        z[upper - k, part] = flat[diag]
    return z
