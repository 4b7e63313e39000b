"""Helpers of the rules in :mod:`ast_ad.rules.linalg_breadth`: ``multi_dot``'s adjoints,
``cond``'s derivative, the distinct-eigenvalue check of ``eigvals`` and the Vandermonde
matrices (and their derivatives) of ``polyfit``."""

from __future__ import annotations

import numpy as np

from ...errors import UndefinedDerivativeError
from ._common import _is_zero


def _chain(mats):
    out = mats[0]
    for m in mats[1:]:
        out = np.matmul(out, m)
    return out


def _promoted(arrays):
    """``multi_dot``'s operands as matrices: a 1-d first one a row, a 1-d last one a column."""
    mats = list(arrays)
    if np.ndim(mats[0]) == 1:
        mats[0] = np.reshape(mats[0], (1, -1))
    if np.ndim(mats[-1]) == 1:
        mats[-1] = np.reshape(mats[-1], (-1, 1))
    return mats


def multi_dot_adjoint(grad, arrays):
    """The cotangents (a list) of ``arrays`` in ``np.linalg.multi_dot(arrays)``: entry ``i``
    is ``(A_0 ... A_{i-1})^T G (A_{i+1} ... A_n)^T``, shaped like ``arrays[i]``."""
    mats = _promoted(arrays)
    if np.ndim(grad) == 0:  # a vector . ... . vector chain: a scalar cotangent
        g = np.zeros_like(mats[0], shape=(1, 1)) + grad
    else:
        g = np.reshape(grad, (np.shape(mats[0])[0], np.shape(mats[-1])[1]))
    out = []
    for i, a in enumerate(arrays):
        gi = g
        if i > 0:
            gi = np.matmul(np.swapaxes(_chain(mats[:i]), 0, 1), gi)
        if i < len(mats) - 1:
            gi = np.matmul(gi, np.swapaxes(_chain(mats[i + 1:]), 0, 1))
        out.append(np.reshape(gi, np.shape(a)))
    return out


def multi_dot_tangent(t, arrays):
    """The tangent of ``np.linalg.multi_dot(arrays)`` for the tangents ``t`` (a list, zero
    entries None/0.0 skipped): the adjoint of :func:`multi_dot_adjoint`."""
    out = None
    for i, ti in enumerate(t):
        if _is_zero(ti):
            continue
        part = np.linalg.multi_dot([ti if k == i else a for k, a in enumerate(arrays)])
        out = part if out is None else out + part
    return out


def _with(arrays, subs):
    return [subs.get(k, a) for k, a in enumerate(arrays)]


def multi_dot_cross(grad, arrays, s):
    """Entry ``k``: the sum over ``i != k`` (``s[i]`` not zero) of the cotangent of operand
    ``k`` of the chain with operand ``i`` replaced by ``s[i]``.  It is the derivative of
    :func:`multi_dot_adjoint` in ``arrays`` (along ``s``) and its transpose, and the
    transpose of :func:`multi_dot_tangent2` (the second derivatives of ``multi_dot``)."""
    out = [None] * len(arrays)
    for i, si in enumerate(s):
        if _is_zero(si):
            continue
        parts = multi_dot_adjoint(grad, _with(arrays, {i: si}))
        for k, pk in enumerate(parts):
            if k != i:
                out[k] = pk if out[k] is None else out[k] + pk
    return [0.0 * a if o is None else o for o, a in zip(out, multi_dot_adjoint(grad, arrays))]


def multi_dot_tangent2(ts, arrays, s):
    """The derivative of :func:`multi_dot_tangent` in ``arrays`` along ``s``: the chains
    with ``ts[i]`` and ``s[k]`` in two different places."""
    out = None
    for i, ti in enumerate(ts):
        for k, sk in enumerate(s):
            if k == i or _is_zero(ti) or _is_zero(sk):
                continue
            part = np.linalg.multi_dot(_with(arrays, {i: ti, k: sk}))
            out = part if out is None else out + part
    return out


def third_refused(g, what):
    """The rule of a derivative that is not given (a third derivative of ``multi_dot``, a
    second of ``cond``): raises NotImplementedError.  Non-differentiable."""
    raise UndefinedDerivativeError(f"no derivative rule for {what}")


def cond_dir(x, p=None):
    """d cond(x, p) / dx (real ``x``, stacks of matrices): from the extreme singular pairs
    for ``p`` None/2/-2, else from ``cond = norm(x, p) norm(inv(x), p)`` and the norms'
    derivatives.  Complex ``x`` is refused."""
    if np.iscomplexobj(x):
        raise UndefinedDerivativeError("no derivative rule for np.linalg.cond of a complex matrix")
    if p is None or p == 2 or p == -2:
        u, s, vh = np.linalg.svd(x, full_matrices=False)
        hi = u[..., :, :1] * vh[..., :1, :]
        lo = u[..., :, -1:] * vh[..., -1:, :]
        smax, smin = s[..., :1, None], s[..., -1:, None]
        if p == -2:
            return lo / smax - smin / smax ** 2 * hi
        return hi / smin - smax / smin ** 2 * lo
    from .linalg import norm_dir

    xi = np.linalg.inv(x)
    ax = (-2, -1)
    n1 = np.linalg.norm(x, p, axis=ax)
    n2 = np.linalg.norm(xi, p, axis=ax)
    d1 = norm_dir(x, n1, p, ax)
    d2 = norm_dir(xi, n2, p, ax)
    xit = np.swapaxes(xi, -1, -2)
    n1, n2 = (n if np.ndim(n) == 0 else n[..., None, None] for n in (n1, n2))
    return d1 * n2 - n1 * np.matmul(np.matmul(xit, d2), xit)


def eig_distinct(a):
    """1.0, refusing a matrix with (numerically) repeated eigenvalues, where they are not
    differentiable.  Non-differentiable."""
    w = np.linalg.eigvals(a)
    n = np.shape(w)[-1]
    scale = np.max(np.abs(w)) + 1.0
    gaps = [float(np.min(np.abs(w[..., i] - w[..., j]))) for i in range(n)
            for j in range(i + 1, n)]
    if gaps and min(gaps) < 1e-8 * float(scale):
        raise UndefinedDerivativeError(
            "no derivative rule for np.linalg.eigvals of a matrix with repeated eigenvalues "
            "(they are not differentiable there)")
    return 1.0


def vander_k(x, deg, k=0):
    """The ``k``-th derivative in ``x`` (entry by entry) of ``np.vander(x, deg + 1)``:
    ``[(deg - j)! / (deg - j - k)!] x^(deg - j - k)``, zero where ``deg - j < k``."""
    ones = np.ones_like(x, shape=(deg + 1,))
    powers = deg + 1 - np.cumsum(ones)  # deg, deg - 1, ..., 0 (made from x: on its device)
    coef = ones
    for i in range(k):
        coef = coef * (powers - i)
    e = np.maximum(powers - k, 0)
    xx = np.expand_dims(x, -1)
    return (xx ** e) * coef


def poly_full_rank(x, deg):
    """1.0, refusing a fit whose Vandermonde matrix is rank-deficient (too few distinct
    points for the degree; NumPy warns and the fit is not unique).  Non-differentiable."""
    v = np.vander(x, deg + 1)
    if np.linalg.matrix_rank(v) < deg + 1:
        raise UndefinedDerivativeError(
            f"no derivative rule for np.polyfit of degree {deg} through a rank-deficient "
            "Vandermonde matrix (too few distinct points)")
    return 1.0


# list results: their tangents and cotangents add entry by entry (analysis.kinds), never
# with + (which would concatenate the lists)
multi_dot_adjoint.sequence_result = multi_dot_cross.sequence_result = True
