"""Rules for NumPy's matrix decompositions and solvers: ``linalg.slogdet``, ``solve``,
``cholesky``, ``eigh``, ``eig``, ``svd``, ``qr``, ``pinv``, ``matrix_power`` and ``lstsq``
(batched over leading axes where NumPy is).

Formulas: M. Giles, "An extended collection of matrix derivative results" (2008); I. Murray,
"Differentiation of the Cholesky decomposition" (2016); J. Townsend, "Differentiating the
singular value decomposition" (2016); S. Walter and L. Lehmann (QR).  The reverse rules are
the adjoints of the forward ones (``tests/rules/test_jvp.py`` checks the identity).

Every rule is one ``return`` over NumPy functions and the helpers of
:mod:`ast_ad.rules.helpers.linalg_more`, each of which has rules, so the rules differentiate
again (a rule of ``svd`` calls ``svd``).  Where the derivative is undefined the rules give
what autograd gives: repeated eigenvalues (``eigh``) or singular values (``svd``) make the
eigen/singular-vector part ``inf``/``nan`` (only where that part reaches the result: an
unused eigenvector cotangent contributes exactly zero); a singular matrix makes ``inv``-based
rules ``inf``/``nan`` or raise ``LinAlgError``.

Refused (``NotImplementedError``): the extra columns of a full SVD of a non-square matrix
(``full_matrices=True``): the reverse rule refuses when they reach the result (their
cotangent is nonzero), the forward rule always (it cannot tell); the same for ``qr`` in
``"complete"`` mode of a tall matrix, ``qr`` of a wide matrix, and the modes ``"r"``/``"raw"``.

Text shared between rules is written once below as macros (``{U}``: the thin U of the
result, ...) and the rules are made by :func:`ast_ad.rules.declare` from the expanded text.
"""

import numpy as np

from . import helpers as H
from ._text import text_pair
from .declare import linear
from .helpers import (  # noqa: F401  (names the generated rules read)
    col,
    cot_part,
    cot_place,
    diag_blocks_sum,
    diag_embed,
    diag_part,
    eig_pivot_mask,
    eye_like,
    first_cols,
    from_triangle,
    match_real,
    maybe_mT,
    mT,
    nonzero_product,
    offdiag_recip,
    phi_lower,
    qr_check,
    strict_lower,
    svd_cot,
    svd_pack,
    svd_uncot,
    thin_cols,
    to_triangle,
    top_right,
    unbroadcast,
    uncol,
    unreduce,
    unthin_cols,
    upper_block,
)
from .registry import default_registry as R


def _pair(fn, params, vjps, jvps, **macros):
    text_pair(__name__, fn, params, vjps, jvps, **macros)


# -- the helpers' rules ------------------------------------------------------------------------
_LINEAR = [
    (H.mT, "x", "mT(g)"),
    (H.diag_part, "x", "diag_embed(g)"),
    (H.diag_embed, "d", "diag_part(g)"),
    (H.phi_lower, "x", "phi_lower(g)"),
    (H.from_triangle, "x, uplo=False", "to_triangle(g, uplo)"),
    (H.to_triangle, "x, uplo=False", "from_triangle(g, uplo)"),
    (H.maybe_mT, "x, flag", "maybe_mT(g, flag)"),
    (H.cot_part, "cot, k, like", "cot_place(g, cot, k)"),
    (H.cot_place, "x, cot, k", "cot_part(g, k, x)"),
    (H.col, "x, b", "uncol(g, b)"),
    (H.uncol, "x, b", "col(g, b)"),
    (H.thin_cols, "x, k", "unthin_cols(g, x)"),
    (H.first_cols, "x, k", "unthin_cols(g, x)"),
    (H.unthin_cols, "x, like", "first_cols(g, np.shape(x)[-1])"),
    (H.svd_cot, "cot, idx, res, a, compute_uv=True, check=True",
     "svd_uncot(g, idx, res, compute_uv)"),
    (H.svd_uncot, "x, idx, res, compute_uv=True", "svd_cot(g, idx, res, x, compute_uv, False)"),
    (H.top_right, "x", "upper_block(0.0 * g, g)"),
    (H.strict_lower, "x", "strict_lower(g)"),
    (H.qr_check, "x, a, mode='reduced'", "qr_check(g, a, mode)", None, None),
    (H.diag_blocks_sum, "x", "upper_block(g, 0.0 * g)"),
]
for _fn, _params, *_tr in _LINEAR:
    linear(_fn, _params, *_tr)
R.nondifferentiable(H.eye_like)

_pair(H.upper_block, "a, e", ["diag_blocks_sum(g)", "top_right(g)"],
      ["upper_block(t, np.zeros_like(e))", "upper_block(np.zeros_like(a), t)"])
_pair(H.offdiag_recip, "d",
      ["np.sum(-(g * ans * ans), axis=-2) + np.sum(g * ans * ans, axis=-1)"],
      ["-(ans * ans) * (np.expand_dims(t, -2) - np.expand_dims(t, -1))"])
_pair(H.nonzero_product, "f, m", ["nonzero_product(g, m)", "nonzero_product(g, f)"],
      ["nonzero_product(t, m)", "nonzero_product(f, t)"])
_pair(H.svd_pack, "du, ds, dvh, res, compute_uv=True",
      ["svd_cot(g, 0, res, du, compute_uv, False)", "svd_cot(g, 1, res, du, compute_uv, False)",
       "svd_cot(g, 2, res, dvh, compute_uv, False)", None, None],
      ["svd_pack(t, np.zeros_like(ds), np.zeros_like(dvh), res, compute_uv)",
       "svd_pack(np.zeros_like(du), t, np.zeros_like(dvh), res, compute_uv)",
       "svd_pack(np.zeros_like(du), np.zeros_like(ds), t, res, compute_uv)", None, None])

INV_T = "mT(np.linalg.inv(a))"

# -- slogdet, solve ----------------------------------------------------------------------------
_pair(np.linalg.slogdet, "a", ["unreduce(cot_part(g, 1, ans[1]), a, (-2, -1)) * {IT}"],
      ["(0.0 * ans[0], np.sum({IT} * t, axis=(-2, -1)))"], IT=INV_T)

_pair(np.linalg.solve, "a, b",
      ["unbroadcast(-np.matmul({GB}, mT(col(ans, b))), a)", "unbroadcast(uncol({GB}, b), b)"],
      ["-uncol(np.linalg.solve(a, np.matmul(t, col(ans, b))), b)",
       "uncol(np.linalg.solve(a, col(t, b)), b)"],
      GB="np.linalg.solve(mT(a), col(g, b))")

# -- cholesky: A = L L^T reads one triangle (upper=True: U = L^T from the upper one) -----------
# forward: dL = L phi(L^-1 dS L^-T); reverse: S = L^-T phi(L^T gL) L^-1, onto the triangle
_pair(np.linalg.cholesky, "a, upper=False",
      ["to_triangle(({S} + mT({S})) / 2.0, upper)"],
      ["maybe_mT(np.matmul({L}, phi_lower(mT(np.linalg.solve({L}, mT(np.linalg.solve({L}, "
       "from_triangle(t, upper))))))), upper)"],
      L="maybe_mT(ans, upper)",
      S="np.linalg.solve(mT({L}), mT(np.linalg.solve(mT({L}), mT({P}))))",
      P="phi_lower(np.matmul(mT({L}), maybe_mT(g, upper)))")

# -- eigh: dw = diag(V^T dS V), dV = V (F o V^T dS V), F_ij = 1 / (w_j - w_i) ------------------
_pair(np.linalg.eigh, "a, UPLO='L'",
      ["to_triangle(np.matmul(np.matmul({V}, diag_embed(cot_part(g, 0, ans[0])) + "
       "nonzero_product(offdiag_recip(ans[0]), np.matmul(mT({V}), cot_part(g, 1, {V})))), "
       "mT({V})), UPLO)"],
      ["(diag_part({P}), np.matmul({V}, nonzero_product(offdiag_recip(ans[0]), {P})))"],
      V="ans[1]", P="np.matmul(np.matmul(mT({V}), from_triangle(t, UPLO)), {V})")

# -- svd (Townsend): F_ij = 1 / (s_j^2 - s_i^2); thin factors of the result (zeros for U, Vh
# when compute_uv=False: their terms vanish), the S part from a thin SVD of a ---------------------
_SVD = dict(
    U="svd_cot(ans, 0, ans, a, compute_uv, False)", S="svd_cot(ans, 1, ans, a, compute_uv)",
    VH="svd_cot(ans, 2, ans, a, compute_uv, False)",
    GU="svd_cot(g, 0, ans, a, compute_uv)", GS="svd_cot(g, 1, ans, a, compute_uv)",
    GVH="svd_cot(g, 2, ans, a, compute_uv)",
    F="offdiag_recip({S} * {S})", SR="np.expand_dims({S}, -2)", SC="np.expand_dims({S}, -1)",
    U0="np.linalg.svd(a, full_matrices=False)[0]", VH0="np.linalg.svd(a, full_matrices=False)[2]",
    UG="np.matmul(mT({U}), {GU})", VG="np.matmul({VH}, mT({GVH}))",
    # reverse: the S part, the U/V parts inside the thin space, and outside it
    SPART="np.matmul({U0} * np.expand_dims({GS}, -2), {VH0})",
    INNER="nonzero_product({F}, {UG} - mT({UG})) * {SR} + "
          "{SC} * nonzero_product({F}, {VG} - mT({VG}))",
    OUTER="np.matmul(({GU} - np.matmul({U}, {UG})) / {SR}, {VH}) + "
          "np.matmul({U} / {SR}, {GVH} - np.matmul(mT({VG}), {VH}))",
    # forward
    DP="np.matmul(np.matmul(mT({U}), t), mT({VH}))",
    DS="np.sum({U0} * np.matmul(t, mT({VH0})), axis=-2)",
    DU="np.matmul({U}, nonzero_product({F}, {DP} * {SR} + {SC} * mT({DP}))) + "
       "(np.matmul(t, mT({VH})) - np.matmul({U}, {DP})) / {SR}",
    DV="np.matmul(mT({VH}), nonzero_product({F}, {SC} * {DP} + mT({DP}) * {SR})) + "
       "(np.matmul(mT(t), {U}) - np.matmul(mT({VH}), mT({DP}))) / {SR}",
)
_pair(np.linalg.svd, "a, full_matrices=True, compute_uv=True, hermitian=False",
      ["{SPART} + np.matmul(np.matmul({U}, {INNER}), {VH}) + {OUTER}", None, None, None],
      ["svd_pack({DU}, {DS}, mT({DV}), ans, compute_uv)", None, None, None], **_SVD)

# -- pinv (full rank): dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P -------------
_PINV = dict(P="ans", IAP="(eye_like(a, np.shape(a)[-2]) - np.matmul(a, ans))",
             IPA="(eye_like(a) - np.matmul(ans, a))")
_pair(np.linalg.pinv, "a, rcond=None, hermitian=False, rtol=None",
      ["-np.matmul(np.matmul(mT({P}), g), mT({P})) + "
       "np.matmul(np.matmul({IAP}, mT(g)), np.matmul({P}, mT({P}))) + "
       "np.matmul(np.matmul(mT({P}), {P}), np.matmul(mT(g), {IPA}))", None, None, None],
      ["-np.matmul(np.matmul({P}, t), {P}) + "
       "np.matmul(np.matmul({P}, mT({P})), np.matmul(mT(t), {IAP})) + "
       "np.matmul(np.matmul({IPA}, mT(t)), np.matmul(mT({P}), {P}))", None, None, None],
      **_PINV)

# -- matrix_power: the Frechet derivative is the top-right block of [[A, E], [0, A]] ** n -------
_pair(np.linalg.matrix_power, "a, n",
      ["top_right(np.linalg.matrix_power(upper_block(mT(a), g), n))", None],
      ["top_right(np.linalg.matrix_power(upper_block(a, t), n))", None])

# -- qr (m >= n): C = Q^T dA R^-1, W = tril(C, -1) - tril(C, -1)^T; dR = (C - W) R,
# dQ = dA R^-1 + Q (W - C); reverse: N = gR R^T - Q^T gQ, K = N - tril(N - N^T, -1),
# gA = (gQ + Q K) R^-T ---------------------------------------------------------------------------
_QR = dict(
    Q="ans[0]", R="ans[1]", T="qr_check(t, a, mode)",
    ARI="mT(np.linalg.solve(mT({R}), mT({T})))", C="np.matmul(mT({Q}), {ARI})",
    W="(strict_lower({C}) - mT(strict_lower({C})))",
    GQ="qr_check(cot_part(g, 0, {Q}), a, mode)", GR="cot_part(g, 1, {R})",
    N="(np.matmul({GR}, mT({R})) - np.matmul(mT({Q}), {GQ}))",
    K="({N} - strict_lower({N} - mT({N})))",
)
_pair(np.linalg.qr, "a, mode='reduced'",
      ["mT(np.linalg.solve({R}, mT({GQ} + np.matmul({Q}, {K}))))", None],
      ["({ARI} + np.matmul({Q}, {W} - {C}), np.matmul({C} - {W}, {R}))", None], **_QR)

# -- eig: P = U^-1 dA U, dw = diag(P), dU = U (F o P) + U diag(c), F_ij = 1 / (w_j - w_i);
# c fixes LAPACK's gauge of each eigenvector u_k (unit length, its largest real entry u_k[j]
# stays real): Re(c_k) = -Re(conj(u_k) . d_k), Im(c_k) = -Im(d_k[j]) / u_k[j], d = U (F o P).
# Complex eigenpairs of a real matrix included; the reverse rule is the adjoint under
# Re(sum(a * b)), real for a real matrix --------------------------------------------------------
_EIG = dict(
    U="ans[1]", W="ans[0]", F="offdiag_recip({W})", M="eig_pivot_mask({U})",
    PIV="np.sum(np.real({U}) * {M}, axis=-2)",
    P="np.linalg.solve({U}, np.matmul(t, {U}))",
    DU0="np.matmul({U}, nonzero_product({F}, {P}))",
    C="(-np.real(np.sum(np.conj({U}) * {DU0}, axis=-2)) - "
      "1j * np.sum(np.imag({DU0}) * {M}, axis=-2) / {PIV})",
    GU="cot_part(g, 1, {U})", S="np.sum({U} * {GU}, axis=-2)",
    GD="({GU} - np.expand_dims(np.real({S}), -2) * np.conj({U}) - "
       "1j * {M} * np.expand_dims(np.imag({S}) / {PIV}, -2))",
    Y="(nonzero_product({F}, np.matmul(mT({U}), {GD})) + diag_embed(cot_part(g, 0, {W})))",
)
_pair(np.linalg.eig, "a",
      ["match_real(np.linalg.solve(mT({U}), np.matmul({Y}, mT({U}))), a)"],
      ["(diag_part({P}), match_real({DU0} + {U} * np.expand_dims({C}, -2), {U}))"],
      **_EIG)

# -- eigvalsh: the eigenvalues of eigh (dw = diag(V^T dS V)) ------------------------------------
_pair(np.linalg.eigvalsh, "a, UPLO='L'",
      ["to_triangle(np.matmul({V} * np.expand_dims(g, -2), mT({V})), UPLO)"],
      ["diag_part(np.matmul(np.matmul(mT({V}), from_triangle(t, UPLO)), {V}))"],
      V="np.linalg.eigh(a, UPLO)[1]")
