"""Rules for ``np.linalg.lstsq`` (full rank), the helpers of the complex ``eig`` rule and of
the spectral matrix norms' second derivative (:mod:`ast_ad.rules.helpers.linalg_extra`).

``lstsq(a, b)`` of a full-rank ``a`` is ``pinv(a) @ b``: with ``P = pinv(a)``, ``x`` the
solution and ``r = b - a x``,
``dx = -P dA x + P P^T dA^T r + (I - P A) dA^T P^T x + P db`` (the derivative of the
pseudo-inverse at constant rank); the residuals ``sum(r ** 2, axis=0)`` (returned for a tall
``a``, where ``a^T r = 0``) have ``2 sum(r (db - dA x), axis=0)``; the singular values
those of ``svd``.  A rank-deficient ``a`` (``rank < min(m, n)``, NumPy's ``rcond`` decides)
is refused at run time.  The reverse rules are the adjoints.
"""

import numpy as np

from . import helpers as H
from ._text import text_pair
from .declare import linear
from .helpers import (  # noqa: F401  (names the generated rules read)
    col,
    cot_part,
    eye_like,
    lstsq_check,
    mT,
    res_row,
    res_unrow,
    spectral_dir_d,
    spectral_third,
    uncol,
)
from .registry import default_registry as R

linear(H.lstsq_check, "x, res, a", "lstsq_check(g, res, a)", None, None)
linear(H.res_row, "gres, row", "res_unrow(g, gres)", None)
linear(H.res_unrow, "r, like", "res_row(g, r)", None)
linear(H.band_to_dense, "ab, lower, upper", "dense_to_band(g, lower, upper)", None, None)
linear(H.dense_to_band, "x, lower, upper", "band_to_dense(g, lower, upper)", None, None)
for _f in (H.eig_pivot_mask, H.not_spectral, H.spectral_third):
    R.nondifferentiable(_f)


# spectral_dir_d(d, x, ord, axis) is symmetric in d; its derivative in x (a third derivative
# of the norm) is refused for the spectral ords (zero for the others, where it vanishes)
def spectral_dir_d_vjp_d(g, ans, d, x, ord, axis=None):
    return spectral_dir_d(g, x, ord, axis)


def spectral_dir_d_jvp_d(t, ans, d, x, ord, axis=None):
    return spectral_dir_d(t, x, ord, axis)


def spectral_dir_d_vjp_x(g, ans, d, x, ord, axis=None):
    return spectral_third(g, x, ord, axis)


def spectral_dir_d_jvp_x(t, ans, d, x, ord, axis=None):
    return spectral_third(t, x, ord, axis)


R.defvjp(H.spectral_dir_d, spectral_dir_d_vjp_d, spectral_dir_d_vjp_x)
R.defjvp(H.spectral_dir_d, spectral_dir_d_jvp_d, spectral_dir_d_jvp_x)
spectral_dir_d_vjp_x.refuses = spectral_dir_d_jvp_x.refuses = True  # no case checks them

# -- lstsq ---------------------------------------------------------------------------------------
_LS = dict(
    X="col(lstsq_check(ans[0], ans, a), b)", P="np.linalg.pinv(a)",
    R="(col(b, b) - np.matmul(a, {X}))", IPA="(eye_like(a) - np.matmul({P}, a))",
    GX="col(cot_part(g, 0, ans[0]), b)", GR="res_row(cot_part(g, 1, ans[1]), {X}[0])",
    GS="cot_part(g, 3, ans[3])",
    U0="np.linalg.svd(a, full_matrices=False)[0]", VH0="np.linalg.svd(a, full_matrices=False)[2]",
    T="lstsq_check(t, ans, a)",
)
text_pair(__name__, np.linalg.lstsq, "a, b, rcond=None",
          ["-np.matmul(np.matmul(mT({P}), {GX}), mT({X})) + "
           "np.matmul({R}, mT(np.matmul(np.matmul({P}, mT({P})), {GX}))) + "
           "np.matmul(np.matmul(mT({P}), {X}), np.matmul(mT({GX}), {IPA})) - "
           "2.0 * np.matmul({R} * {GR}, mT({X})) + "
           "np.matmul({U0} * np.expand_dims({GS}, -2), {VH0})",
           "uncol(np.matmul(mT({P}), {GX}) + 2.0 * {R} * {GR}, b)", None],
          ["(uncol(-np.matmul({P}, np.matmul({T}, {X})) + "
           "np.matmul(np.matmul({P}, mT({P})), np.matmul(mT({T}), {R})) + "
           "np.matmul({IPA}, np.matmul(mT({T}), np.matmul(mT({P}), {X}))), b), "
           "res_unrow(-2.0 * np.sum({R} * np.matmul({T}, {X}), axis=-2), ans[1]), "
           "0.0 * ans[2], np.sum({U0} * np.matmul({T}, mT({VH0})), axis=-2))",
           "(uncol(np.matmul({P}, col({T}, b)), b), "
           "res_unrow(2.0 * np.sum({R} * col({T}, b), axis=-2), ans[1]), "
           "0.0 * ans[2], 0.0 * ans[3])", None], **_LS)
