"""Rule cases for the numpy_more and fft rules (appended to cases.CASES)."""

import numpy as np

from ast_ad.rules import helpers as H

from .cases import add, away, pos, u

# -- einsum, all forms -------------------------------------------------------------------------
EINSUMS = [
    ("ij,jk->ik", (3, 4), (4, 2)), ("ij,jk", (3, 4), (4, 2)), ("i,i", (4,), (4,)),
    ("i,i->i", (4,), (4,)), ("ij->ji", (3, 4)), ("ii->i", (3, 3)), ("ii", (3, 3)),
    ("ij->", (3, 4)), ("ij->j", (3, 4)), ("...ij,...jk->...ik", (2, 3, 4), (4, 5)),
    ("...ij,...jk", (2, 1, 3, 4), (3, 4, 2)), ("i...->...", (3, 2, 4)),
    ("ij,ij->ij", (3, 4), (1, 4)), ("i,j->ij", (3,), (4,)), ("ijk,ik->j", (2, 3, 4), (2, 4)),
    ("ij,jk,kl->il", (2, 3), (3, 4), (4, 2)), ("ii,i->i", (3, 3), (3,)), (",i->i", (), (3,)),
    ("bij,bjk->bik", (2, 3, 4), (2, 4, 2)),
]
for _sub, *_shapes in EINSUMS:
    add(np.einsum, _sub, *[u(*s) for s in _shapes])
add(np.einsum, "i,i->", u(4), u(4), optimize=True)
add(np.einsum, "ij,jk,kl,l->i", u(2, 3), u(3, 4), u(4, 2), u(2))
add(np.einsum, "i,i,i,i,i->", u(3), u(3), u(3), u(3), u(3))
add(H.einsum_slot, 5, "i,i,i,i,i->", 0.3, u(3), u(3), u(3), u(3), (3,))
add(H.einsum_slot, 4, "i,i,i,i,i->", 0.3, u(3), u(3), u(3), (3,), u(3))

# the slot function directly: slot 1 of "ij,jk->ik" (with the cotangent in slot 0), slot 2
# of "ii,i->i" and slot 0 of a three-operand contraction
add(H.einsum_slot, 1, "ij,jk->ik", u(3, 2), (3, 4), u(4, 2), None, None, None)
add(H.einsum_slot, 1, "ii,i->i", u(3), (3, 3), u(3), None, None, None)
add(H.einsum_slot, 2, "ii,i->i", u(3), u(3, 3), (3,), None, None, None)
add(H.einsum_slot, 0, "ij,jk,k->i", (3,), u(3, 4), u(4, 2), u(2), None, None)
add(H.einsum_slot, 3, "ij,jk,k->i", u(3), u(3, 4), u(4, 2), (2,), None, None)
add(H.einsum_slot, 1, "ij,ij->ij", u(3, 4), (1, 4), u(3, 4), None, None, None)
add(H.einsum_slot, 1, "i,j->ij", u(3, 4), (3,), u(4), None, None, None)
add(H.pick, 1, 1, u(3), u(3), _wrt=(2,))
add(H.pick, 1, 2, u(3), u(3), _wrt=(3,))

# -- contractions --------------------------------------------------------------------------
for _sa, _sb, _axes in [((3, 4), (4, 2), 1), ((2, 3, 4), (3, 4, 5), 2), ((3, 4), (4, 3), 0),
                        ((2, 3, 4), (4, 2), ([0, 2], [1, 0])), ((3, 4), (3,), (0, 0))]:
    add(np.tensordot, u(*_sa), u(*_sb), _axes)
add(np.tensordot, u(2, 3), u(2, 3))
for _sa, _sb in [((4,), (4,)), ((3, 4), (4,)), ((2, 3, 4), (5, 4)), ((), (3,)), ((3, 2), ())]:
    add(np.inner, u(*_sa), u(*_sb))
add(np.vdot, u(4), u(4))
add(np.vdot, u(2, 3), u(3, 2))
for _sa, _sb in [((2, 3), (3, 2)), ((3,), (2,)), ((2, 2), (3,)), ((2,), (2, 3)),
                 ((2, 1, 2), (2, 3))]:
    add(np.kron, u(*_sa), u(*_sb))
add(np.cross, u(3), u(3))
add(np.cross, u(4, 3), u(3))
add(np.cross, u(3, 4), u(4, 3), axisa=0)
add(np.cross, u(3, 2), u(3, 2), axis=0)

# -- diagonals, triangles ------------------------------------------------------------------
add(np.diag, u(3))
add(np.diag, u(3), 1)
add(np.diag, u(3, 4))
add(np.diag, u(4, 3), -1)
add(H.diag_adjoint, u(4, 4), u(3), 1)
add(H.diag_adjoint, u(3), u(3, 4), 0)
add(np.diagonal, u(3, 4))
add(np.diagonal, u(3, 4), 1)
add(np.diagonal, u(2, 3, 4), -1, 1, 2)
add(np.diagonal, u(3, 2, 4), 0, 0, 2)
add(H.undiagonal, u(3), u(3, 4), 1, 0, 1)
add(H.undiagonal, u(2, 3), u(2, 3, 4), 0, 1, 2)
add(np.diagflat, u(3))
add(np.diagflat, u(2, 2), -1)
for _f in (np.tril, np.triu):
    add(_f, u(3, 4))
    add(_f, u(4, 3), -1)
    add(_f, u(2, 3, 3), 1)

# -- repeats, tiles, splits, pads ------------------------------------------------------------
add(np.repeat, u(3), 2)
add(np.repeat, u(2, 3), 2, 1)
add(np.repeat, u(2, 3), [1, 0, 2], axis=1)
add(np.repeat, u(2, 3), 3, axis=None)
add(np.repeat, u(2, 3), np.array([2, 1]), axis=0)
add(H.unrepeat, u(6), u(3), 2, None)
add(H.unrepeat, u(2, 3), u(2, 3), [1, 0, 2], 1)
add(np.tile, u(3), 2)
add(np.tile, u(2, 3), (2, 1))
add(np.tile, u(3), (2, 2))
add(np.tile, u(2, 1, 3), (2, 2))
add(H.untile, u(2, 6), u(3), (2, 2))
for _f, _a, _i, _kw in [(np.split, u(6), 3, {}), (np.split, u(6, 2), [1, 4], {}),
                        (np.split, u(2, 6), 2, {"axis": 1}), (np.array_split, u(7), 3, {}),
                        (np.array_split, u(2, 5), [2], {"axis": -1}), (np.vsplit, u(4, 3), 2, {}),
                        (np.hsplit, u(3, 4), 2, {}), (np.hsplit, u(6), [1, 3], {}),
                        (np.dsplit, u(2, 2, 4), 2, {})]:
    add(_f, _a, _i, **_kw)
for _mode in ("constant", "edge", "reflect", "symmetric", "wrap"):
    add(np.pad, u(4), 2, _mode)
    add(np.pad, u(3, 4), ((1, 2), (0, 3)), _mode)
add(np.pad, u(3), (5, 6), "wrap")
add(np.pad, u(3), (4, 7), "reflect")
add(np.pad, u(2, 3), 1, constant_values=0.5, _wrt=(0,))
add(H.unpad, u(7), u(4), (1, 2), "symmetric")
add(H.unpad, u(5, 6), u(3, 4), 1, "constant")
add(H.pad_tangent, u(4), (1, 2), "edge")
add(H.pad_tangent, u(2, 3), 1, "constant")

# -- sorting, taking ----------------------------------------------------------------------
add(np.sort, u(5))
add(np.sort, u(3, 4))
add(np.sort, u(3, 4), 0)
add(np.sort, u(3, 4), None)
add(np.partition, u(6), 2)
add(np.partition, u(3, 5), 1, 0)
add(np.partition, u(3, 4), 3, None)
_i = np.array([[0, 2, 2], [1, 0, 1], [3, 3, 0]])
add(np.take_along_axis, u(3, 4), _i, 1)
add(np.take_along_axis, u(4, 3), _i, 0)
add(np.take_along_axis, u(5), np.array([4, 0, 4]), None)
add(np.take_along_axis, u(3, 1, 4), np.array([[[0, 3]], [[1, 1]], [[2, 0]]]) * 1, -1)
add(np.take_along_axis, u(3, 4), np.array([[0, 1, 1]]).T * 0 + _i[:, :1], 1)
add(H.untake_along_axis, u(3, 3), u(3, 4), _i, 1)
add(np.take, u(5), [0, 3, 3])
add(np.take, u(3, 4), np.array([[0, 2], [2, 2]]), 1)
add(np.take, u(3, 4), [1, -1], 0)
add(np.take, u(3, 4), [5, -2], mode="wrap")
add(np.take, u(3, 4), [7, 0], 1, mode="clip")
add(H.untake, u(2, 4), u(3, 4), [1, 1], 0)
add(H.untake, u(3, 2), u(3, 4), [1, 1], 1, 'wrap')

# -- cumulative products, differences, gradients, interpolation -----------------------------
add(np.cumprod, away(5))
add(np.cumprod, away(3, 4), 0)
add(np.cumprod, away(3, 4), axis=-1)
add(np.cumprod, away(2, 3))
add(np.diff, u(5))
add(np.diff, u(5), 2)
add(np.diff, u(3, 4), 1, 0)
add(np.diff, u(3, 5), 3, -1)
add(H.undiff, u(3), u(5), 2, -1)
add(np.gradient, u(6))
add(np.gradient, u(6), 0.5)
add(np.gradient, u(6), edge_order=2)
add(np.gradient, u(4, 5), 0.5, 2.0)
add(np.gradient, u(4, 5), axis=1, edge_order=2)
add(np.gradient, u(3, 4, 5), axis=(0, 2))
add(H.gradient_of, u(5), u(5), (0.3,), None, 1)
add(H.ungradient, u(5), u(5), None, None, 2)
add(H.ungradient, [u(3, 4), u(3, 4)], u(3, 4), None, None, 1)
_xp = np.array([0.0, 0.4, 1.1, 1.5, 2.3])
add(np.interp, np.array([0.1, 0.7, 1.3, 2.0, 0.45]), _xp, u(5))
add(np.interp, np.array([-0.5, 0.7, 3.0]), _xp, u(5))
add(np.interp, np.array([-0.5, 0.7, 3.0]), _xp, u(5), left=0.3, right=-1.0)
add(np.interp, 0.9, _xp, u(5))
add(np.interp, u(2, 3) + 1.0, _xp, u(5))

# -- elementwise ----------------------------------------------------------------------------
add(np.sinc, u(5))
add(np.sinc, u(2, 3) * 3)
add(np.sinc, 0.4)
add(np.nan_to_num, u(4))
add(np.nan_to_num, np.array([0.5, np.nan, np.inf, -0.2]))
add(np.real, u(3))
add(np.real, 0.5)
add(np.imag, u(3))
add(H.imag_grad, u(3), u(3))
add(H.match_real, u(3), u(3))
add(np.angle, away(4))
add(np.angle, away(3), True)

# -- reductions ----------------------------------------------------------------------------
for _shape, _axis in [((5,), None), ((3, 4), 0), ((3, 4), 1), ((3, 4), None), ((2, 3, 4), -1)]:
    for _kd in (False, True):
        add(np.median, u(*_shape), axis=_axis, keepdims=_kd)
        add(np.quantile, u(*_shape), 0.3, axis=_axis, keepdims=_kd)
        add(np.percentile, u(*_shape), [25.0, 60.0], axis=_axis, keepdims=_kd)
add(np.median, u(6))
add(np.median, u(4, 4), 0)
for _m in ("linear", "lower", "higher", "nearest", "midpoint"):
    add(np.quantile, u(7), 0.4, method=_m)
    add(np.quantile, u(3, 6), np.array([0.1, 0.75]), axis=1, method=_m)
add(H.quantile_apply, u(3, 4), u(3, 4), 0.25, 1, False, "linear")
add(H.unquantile, u(2, 3), u(3, 4), np.array([0.2, 0.9]), 1, False, "linear")
add(H.unquantile, u(2, 1, 4), u(3, 4), np.array([0.2, 0.9]), 0, True, "linear")
_n = u(3, 4)
_n[0, 1] = np.nan
_n[2, 3] = np.nan
for _axis in (None, 0, 1, -1):
    for _kd in (False, True):
        for _f in (np.nansum, np.nanmean, np.nanvar, np.nanstd):
            add(_f, _n.copy(), axis=_axis, keepdims=_kd)
        add(np.nansum, u(3, 4), axis=_axis, keepdims=_kd)
add(np.nanvar, _n.copy(), axis=1, ddof=1)
add(np.nanstd, _n.copy(), ddof=1)
add(H.nan_centered, u(3, 4), _n.copy(), 1)
add(H.nan_centered, u(3, 4), _n.copy(), None)
add(np.average, u(5))
add(np.average, u(3, 4), 1)
add(np.average, u(3, 4), 0, pos(3, 4))
add(np.average, u(3, 4), 1, pos(4))
add(np.average, u(3, 4), None, pos(3, 4))
add(np.average, u(3, 4), 0, pos(3), keepdims=True)
add(H.average_weights, pos(4), u(3, 4), 1)
add(H.average_weights, pos(3, 4), u(3, 4), None)
add(H.unaverage_weights, u(3, 4), pos(4), u(3, 4), 1)

# -- shapes -------------------------------------------------------------------------------
for _f in (np.atleast_1d, np.atleast_2d, np.atleast_3d):
    add(_f, 0.5)
    add(_f, u(3))
    add(_f, u(2, 3))
    add(_f, u(2, 3, 2))
add(np.column_stack, [u(3), u(3)])
add(np.column_stack, (u(3), u(3, 2)))
add(np.dstack, [u(3), u(3)])
add(np.dstack, (u(2, 3), u(2, 3, 2)))
add(np.fliplr, u(3, 4))
add(np.fliplr, u(2, 3, 4))
add(np.flipud, u(3, 4))
add(np.flipud, u(4))
add(np.rot90, u(3, 4))
add(np.rot90, u(3, 4), 2)
add(np.rot90, u(2, 3, 4), -1, (1, 2))
add(np.rot90, u(2, 3, 4), 3, axes=(2, 0))
add(np.rollaxis, u(2, 3, 4), 2)
add(np.rollaxis, u(2, 3, 4), 0, 2)
add(np.rollaxis, u(2, 3, 4), -1, 1)
add(np.rollaxis, u(2, 3, 4), 1, 3)

# -- select, append, polyval, convolve, linspace ---------------------------------------------
_x = u(3, 4)
add(np.select, [_x > 0.3, _x < -0.2], [u(3, 4), u(4)], u(3, 4))
add(np.select, [_x > 0.0], [u(3, 4)], 0.7)
add(np.select, [_x > 0.3, _x > -0.5], [0.5, u(3, 1)])
add(H.unselect, u(3, 4), [_x > 0.3, _x < -0.2], [u(3, 4), u(4)])
add(H.select_like, [u(3, 4), u(4)], [_x > 0.3, _x < -0.2], u(3, 4))
add(np.append, u(3), u(2))
add(np.append, u(2, 3), u(2, 2), axis=1)
add(np.append, u(2, 3), u(4), axis=None)
add(np.append, u(3), 0.5)
add(np.polyval, u(4), u(5))
add(np.polyval, u(3), 0.7)
add(np.polyval, u(1), u(2, 3))
add(np.polyval, u(4), pos(2, 3))
for _n1, _n2 in [(5, 3), (3, 5), (4, 4), (1, 3)]:
    for _mode in ("full", "same", "valid"):
        add(np.convolve, u(_n1), u(_n2), _mode)
add(H.convolve_adjoint, u(7), u(5), u(3), "full")
add(H.convolve_adjoint, u(5), u(3), u(5), "same")
add(H.convolve_adjoint, u(3), u(5), u(3), "valid")
add(np.linspace, 0.5, 2.0)
add(np.arange, 0.5, 3.7, 0.7, _wrt=(0, 2))  # entries start + k * step
add(np.arange, -0.45, 2.0, _wrt=(0,))
add(np.linspace, -0.3, 1.2, 7)
add(np.linspace, 0.2, 1.5, 5, False)
add(np.linspace, u(3), 2.0, 4)
add(np.linspace, u(3), u(2, 3), 4, axis=1)
add(np.linspace, 0.3, u(2, 3), 5, axis=-1)

# -- fft ----------------------------------------------------------------------------------
for _f in (np.fft.fft, np.fft.ifft, np.fft.rfft):
    add(_f, u(6))
    add(_f, u(5))
    add(_f, u(3, 6), axis=0)
    add(_f, u(6), 8)
    add(_f, u(6), 4, norm="ortho")
    add(_f, u(2, 5), norm="forward")
for _f in (np.fft.fft2, np.fft.ifft2, np.fft.rfft2, np.fft.fftn, np.fft.ifftn, np.fft.rfftn):
    add(_f, u(4, 6))
    add(_f, u(2, 4, 5))
    add(_f, u(4, 6), (3, 8), (0, 1))
    add(_f, u(3, 4, 6), axes=(0, 2), norm="ortho")
for _f in (np.fft.irfft, np.fft.irfftn, np.fft.irfft2):
    pass
_h1 = np.fft.rfft(u(6))
add(np.fft.irfft, u(4))
add(np.fft.irfft, u(4), 7)
add(np.fft.irfft, u(3, 4), axis=0)
add(np.fft.irfft, u(5), 6, norm="ortho")
add(np.fft.irfft, u(4), 9, norm="forward")
add(np.fft.irfftn, u(4, 4))
add(np.fft.irfftn, u(2, 3, 4), (3, 5))
add(np.fft.irfftn, u(3, 4), axes=(0,), norm="ortho")
add(np.fft.irfft2, u(4, 3))
add(np.fft.irfft2, u(2, 4, 3), (4, 5))
for _f in (np.fft.fftshift, np.fft.ifftshift):
    add(_f, u(5))
    add(_f, u(4, 5))
    add(_f, u(4, 5), 1)
    add(_f, u(2, 3, 4), (0, 2))
add(H.fit_to, u(3, 4), u(5, 2), (0, 1))
add(H.fit_to, u(6), u(4), 0)
add(H.interp_frac, np.array([-0.5, 0.7, 1.3, 3.0]), _xp)
add(H.unappend, u(5), u(3), u(2), None, 1)
add(H.unappend, u(2, 5), u(2, 3), u(2, 2), 1, 0)
add(H.append_piece, u(3), u(3), u(2), None, 0)
add(H.append_piece, u(2, 2), u(2, 3), u(2, 2), 1, 1)
add(H.poly_column, u(2, 3), u(4))
add(H.poly_column, 0.5, u(4))
add(H.poly_uncolumn, u(2, 3, 1), u(2, 3))
add(H.real_part, u(3))
add(H.real_part, 0.5)
add(np.std, np.array([0.7]))
add(np.std, u(2, 1), axis=1)
add(np.power, np.array([0.0, 1.5]), 0.0, _wrt=(0,))
add(np.real_if_close, u(4))
add(np.real_if_close, u(2, 3), 1000)
