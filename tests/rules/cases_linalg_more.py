"""Rule cases for the linalg_more rules (appended to cases.CASES): NumPy's decompositions
and solvers, and the helpers their rules call."""

import numpy as np

from ast_ad.rules import helpers as H

from .cases import _rng, add, u


def spd(*shape):
    """Symmetric positive definite matrices (batched), well conditioned."""
    x = u(*shape)
    return np.matmul(x, np.swapaxes(x, -1, -2)) + shape[-1] * np.eye(shape[-1])


def wellcond(*shape):
    return u(*shape) + 3 * np.eye(shape[-1])


def distinct_sv(m, n, *batch):
    """Matrices with well-separated singular values."""
    k = min(m, n)
    q1 = np.linalg.qr(_rng.standard_normal(batch + (m, m)))[0][..., :k]
    q2 = np.linalg.qr(_rng.standard_normal(batch + (n, n)))[0][..., :k]
    s = np.linspace(1.0, 2.0 + k, k)
    return np.matmul(q1 * s, np.swapaxes(q2, -1, -2))


# -- slogdet, solve ----------------------------------------------------------------------------
for _a in [wellcond(3, 3), wellcond(2, 3, 3), -wellcond(2, 2)]:
    add(np.linalg.slogdet, _a)
for _a, _b in [(wellcond(3, 3), u(3)), (wellcond(3, 3), u(3, 2)), (wellcond(2, 3, 3), u(3)),
               (wellcond(2, 3, 3), u(2, 3, 4)), (wellcond(3, 3), u(2, 3, 2))]:
    add(np.linalg.solve, _a, _b)

# -- cholesky, eigh: perturbations of the whole matrix (only one triangle is read) -------------
for _a in [spd(3, 3), spd(2, 3, 3), spd(1, 1)]:
    add(np.linalg.cholesky, _a)
    add(np.linalg.cholesky, _a, upper=True)
for _a in [spd(3, 3) + np.diag([0.0, 1.0, 2.5]), spd(2, 3, 3) + np.diag([0.0, 1.5, 3.0])]:
    add(np.linalg.eigh, _a)
    add(np.linalg.eigh, _a, "U")
    add(np.linalg.eigh, _a, UPLO="L")

# -- svd ---------------------------------------------------------------------------------------
for _a in [distinct_sv(3, 3), distinct_sv(4, 3), distinct_sv(3, 4), distinct_sv(4, 2, 2)]:
    add(np.linalg.svd, _a, full_matrices=False)
    add(np.linalg.svd, _a, compute_uv=False)
add(np.linalg.svd, distinct_sv(3, 3))
add(np.linalg.svd, distinct_sv(3, 3, 2), True, True)

# -- pinv, matrix_power --------------------------------------------------------------------------
for _a in [distinct_sv(4, 3), distinct_sv(3, 4), distinct_sv(3, 3, 2)]:
    add(np.linalg.pinv, _a)
for _n in (0, 1, 2, 3, -1, -2):
    add(np.linalg.matrix_power, wellcond(3, 3) / 3, _n)
add(np.linalg.matrix_power, wellcond(2, 3, 3) / 3, 2)

# -- norm: vector p-norms and the piecewise-linear matrix norms (the spectral ones, nuc and
# +-2, below with spectral_dir_d) ---------------------------------------------------------------
from .cases import away  # noqa: E402

for _shape, _kw in [((5,), {"ord": 3}), ((5,), {"ord": 0.5}), ((5,), {"ord": -1}),
                    ((3, 4), {"axis": 1, "ord": 3}), ((2, 3, 4), {"axis": -1, "ord": 1.5}),
                    ((3, 4), {"ord": 1}), ((3, 4), {"ord": -1}), ((3, 4), {"ord": np.inf}),
                    ((3, 4), {"ord": -np.inf}), ((2, 3, 4), {"axis": (2, 1), "ord": 1}),
                    ((2, 3, 4), {"axis": (0, 2), "ord": np.inf, "keepdims": True})]:
    add(np.linalg.norm, away(*_shape), **_kw)
for _x, _ord, _axis in [(away(5), 3, None), (away(3, 4), 0.5, 1), (away(3, 4), 1, None)]:
    add(H.norm_dir, _x, np.linalg.norm(_x, _ord, _axis) * 1.3, _ord, _axis)

# -- eig: real, well-separated eigenvalues (complex eigenpairs: tests/rules/test_linalg_extra.py) --
def real_eig(n, *batch):
    v = _rng.standard_normal(batch + (n, n)) + 2 * np.eye(n)
    return np.matmul(v * np.linspace(-1.0, 2.0, n), np.linalg.inv(v))


for _a in [real_eig(3), real_eig(3, 2)]:
    add(np.linalg.eig, _a)

# -- qr ----------------------------------------------------------------------------------------
for _a in [wellcond(3, 3), u(5, 3), u(2, 4, 3), u(1, 1) + 1.0]:
    add(np.linalg.qr, _a)
add(np.linalg.qr, wellcond(3, 3), "complete")
add(H.strict_lower, u(2, 3, 3))
add(H.qr_check, u(4, 3), u(4, 3))
add(H.qr_check, u(3, 3), u(3, 3), "complete")

# -- helpers -----------------------------------------------------------------------------------
add(H.mT, u(2, 3, 4))
add(H.diag_part, u(3, 3))
add(H.diag_part, u(2, 4, 4))
add(H.diag_embed, u(3))
add(H.diag_embed, u(2, 4))
add(H.phi_lower, u(3, 3))
for _up in (False, True, "U", "L"):
    add(H.from_triangle, u(2, 3, 3), _up)
    add(H.to_triangle, u(3, 3), _up)
add(H.maybe_mT, u(3, 4), True)
add(H.maybe_mT, u(3, 4), False)
add(H.cot_part, (u(3), u(3, 3)), 1, u(3, 3))
add(H.cot_place, u(3, 3), (u(3), u(3, 3)), 1, _wrt=(0,))
add(H.col, u(3), u(3))
add(H.col, u(3, 2), u(3, 2))
add(H.uncol, u(3, 1), u(3))
add(H.uncol, u(3, 2), u(3, 2))
_d = np.array([0.3, 1.1, 2.0, -0.7])
add(H.offdiag_recip, _d)
add(H.offdiag_recip, np.stack([_d, _d + 0.5 * _d ** 2]))
add(H.nonzero_product, u(3, 3), u(3, 3))
add(H.thin_cols, u(4, 2), 2)
add(H.first_cols, u(4, 4), 2)
add(H.unthin_cols, u(4, 2), u(4, 4))
add(H.unthin_cols, u(4, 4), u(4, 4))
for _a, _kw in [(distinct_sv(4, 3), {}), (distinct_sv(3, 4), {"full_matrices": False}),
                (distinct_sv(3, 3), {"compute_uv": False})]:
    _ans = np.linalg.svd(_a, **_kw)
    _cu = _kw.get("compute_uv", True)
    for _i in range(3):
        if _cu:
            _cot = tuple(u(*np.shape(p)) for p in _ans)
        else:
            _cot = u(*np.shape(_ans))
        if _kw:  # full_matrices=True (tall): a cotangent of the extra columns is refused
            add(H.svd_cot, _cot, _i, _ans, _a, _cu)
        add(H.svd_cot, _cot, _i, _ans, _a, _cu, False)
        _thin = H.svd_cot(_cot, _i, _ans, _a, _cu, False)
        add(H.svd_uncot, u(*np.shape(_thin)), _i, _ans, _cu)
_a = distinct_sv(3, 4)
_ans = np.linalg.svd(_a, full_matrices=False)
add(H.svd_pack, u(3, 3), u(3), u(3, 4), _ans, True)
add(H.svd_pack, u(3, 3), u(3), u(3, 4), np.linalg.svd(_a, compute_uv=False), False)
add(H.upper_block, u(3, 3), u(3, 3))
add(H.upper_block, u(2, 3, 3), u(2, 3, 3))
add(H.top_right, u(6, 6))
add(H.diag_blocks_sum, u(2, 4, 4))

# -- lstsq (full rank: tall, square, wide; vector and matrix b) and its helpers ---------------
for _a, _b in [(u(5, 3), u(5)), (u(5, 3), u(5, 2)), (wellcond(3, 3), u(3)), (u(3, 5), u(3, 2)),
               (u(3, 5), u(3))]:
    add(np.linalg.lstsq, _a, _b)
_a = u(5, 3)
add(H.lstsq_check, u(3, 2), np.linalg.lstsq(_a, u(5, 2)), _a, _wrt=(0,))
add(H.res_row, u(2), u(2))
add(H.res_row, u(0), u(2))
add(H.res_unrow, u(2), u(2))
add(H.res_unrow, u(2), u(0))

# -- the spectral matrix norms (their second derivative: spectral_dir_d) ----------------------
for _a, _kw in [(distinct_sv(3, 4), {"ord": "nuc"}), (distinct_sv(4, 3), {"ord": 2}),
                (distinct_sv(3, 3), {"ord": -2}),
                (np.moveaxis(distinct_sv(3, 4, 2), 0, 1), {"ord": "nuc", "axis": (0, 2)}),
                (distinct_sv(4, 3, 2), {"ord": 2, "axis": (-2, -1), "keepdims": True})]:
    add(np.linalg.norm, _a, **_kw)
for _a, _ord, _axis in [(distinct_sv(3, 4), "nuc", None), (distinct_sv(4, 3), 2, None),
                        (distinct_sv(3, 3), -2, None), (distinct_sv(3, 4, 2), 2, (2, 1)),
                        (u(3, 4), 1, None), (u(5), 3, None)]:
    add(H.spectral_dir_d, u(*np.shape(_a)), _a, _ord, _axis, _wrt=(0,))  # x: third order

# -- banded storage (scipy.linalg.solve_banded) ---------------------------------------------------
add(H.band_to_dense, u(4, 5), 1, 2)
add(H.band_to_dense, u(1, 3), 0, 0)
add(H.dense_to_band, u(5, 5), 1, 2)
add(H.dense_to_band, u(3, 3), 2, 0)
