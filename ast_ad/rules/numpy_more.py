"""Rules for the rest of NumPy that autograd differentiates: contractions (``einsum``,
``tensordot``, ``inner``, ``vdot``, ``kron``, ``cross``), diagonals and triangles, repeats,
tiles, splits, pads, sorting and taking, differences, interpolation, quantiles, nan-aware
reductions, averages, ``select``, ``append``, ``polyval``, ``convolve``, ``linspace``, the
complex parts (``real``, ``imag``, ``angle``) and the remaining flips/stacks/axis moves.

Most are linear and declared by their transposes (:func:`ast_ad.rules.declare.linear`);
the adjoint helpers (:mod:`ast_ad.rules.helpers.more`) are linear too and declared by
transposes of their own, so every rule can be differentiated again.  Complex numbers follow
autograd's convention: a reverse rule is the transpose of the real-linear derivative under
the pairing ``Re(sum(a * b))`` (``g * f'(z)`` for a holomorphic ``f``).

``np.einsum`` (explicit or implicit output, ``...``, repeated subscripts, up to five
operands; not the interleaved ``einsum(a, [0, 1], ...)`` form) and the contractions built on
it share one multilinear helper, ``einsum_slot``: see its docstring.  Its rules are written
out per slot below (one ``return`` each, like every rule).
"""

import ast

import numpy as np

from . import helpers as H
from .declare import _define, elementwise, linear, reduction
from .helpers import (
    match_real,
    pick,
    zeros_or_none,
)
from .registry import default_registry as R

_MOD = __name__

# -- einsum and its slot function -------------------------------------------------------------
_OPS = 5  # operands (slots 1..5; slot 0 is the output)
_EINSUM = ("subscripts, " + ", ".join(f"op{k}" if k == 0 else f"op{k}=None" for k in range(_OPS))
           + ", out=None, dtype=None, order='K', casting='safe', optimize=False")
_ev, _ej = [None], [None]
for _k in range(_OPS):
    _slots = ", ".join(f"np.zeros_like(op{_k})" if m == _k else f"op{m}" for m in range(_OPS))
    _ev.append(_define(_MOD, f"einsum_vjp_{_k}", "g, ans, " + _EINSUM, ast.parse(
        f"einsum_slot({_k + 1}, subscripts, g, {_slots})", mode="eval").body))
    _slots = ", ".join("t" if m == _k else f"op{m}" for m in range(_OPS))
    _ej.append(_define(_MOD, f"einsum_jvp_{_k}", "t, ans, " + _EINSUM, ast.parse(
        f"einsum_slot(0, subscripts, np.shape(ans), {_slots})", mode="eval").body))
R.defvjp(np.einsum, *_ev)
R.defjvp(np.einsum, *_ej)

_SLOT = "j, subscripts, x0, x1, x2, x3, x4, x5"
_sv, _sj = [None, None], [None, None]
for _i in range(6):
    _slots = ", ".join(f"np.shape(x{_i})" if m == _i else f"pick(j, {m}, g, x{m})"
                       for m in range(6))
    _sv.append(_define(_MOD, f"einsum_slot_vjp_x{_i}", "g, ans, " + _SLOT, ast.parse(
        f"einsum_slot({_i}, subscripts, {_slots})", mode="eval").body))
    _slots = ", ".join("t" if m == _i else f"x{m}" for m in range(6))
    _sj.append(_define(_MOD, f"einsum_slot_jvp_x{_i}", "t, ans, " + _SLOT, ast.parse(
        f"einsum_slot(j, subscripts, {_slots})", mode="eval").body))
R.defvjp(H.einsum_slot, *_sv)
R.defjvp(H.einsum_slot, *_sj)


# pick(j, m, a, b) is a if j == m else b: linear in (a, b) together, so the forward rule of
# one of them keeps the other at zero
def pick_vjp_a(g, ans, j, m, a, b):
    return pick(j, m, g, zeros_or_none(a))


def pick_vjp_b(g, ans, j, m, a, b):
    return pick(j, m, zeros_or_none(b), g)


def pick_jvp_a(t, ans, j, m, a, b):
    return pick(j, m, t, zeros_or_none(b))


def pick_jvp_b(t, ans, j, m, a, b):
    return pick(j, m, zeros_or_none(a), t)


R.defvjp(pick, None, None, pick_vjp_a, pick_vjp_b)
R.defjvp(pick, None, None, pick_jvp_a, pick_jvp_b)

# -- linear functions: (function, parameters, transpose per argument) ---------------------
_TD = "tensordot_subscripts(a, b, axes)"
_IN = "inner_subscripts(a, b)"
_KR = "kron_parts(a, b)"
_LINEAR = [
    (np.tensordot, "a, b, axes=2",
     f"einsum_slot(1, {_TD}, g, np.shape(a), b, None, None, None)",
     f"einsum_slot(2, {_TD}, g, a, np.shape(b), None, None, None)"),
    (np.inner, "a, b",
     f"einsum_slot(1, {_IN}, g, np.shape(a), b, None, None, None)",
     f"einsum_slot(2, {_IN}, g, a, np.shape(b), None, None, None)"),
    (np.vdot, "a, b", "np.reshape(np.conj(np.multiply(g, b)), np.shape(a))",  # b: a list too
     "np.reshape(g * np.conj(a), np.shape(b))"),
    (np.kron, "a, b",
     f"np.reshape(einsum_slot(1, {_KR}[0], np.reshape(g, {_KR}[1]), {_KR}[2], "
     f"np.reshape(b, {_KR}[3]), None, None, None), np.shape(a))",
     f"np.reshape(einsum_slot(2, {_KR}[0], np.reshape(g, {_KR}[1]), np.reshape(a, {_KR}[2]), "
     f"{_KR}[3], None, None, None), np.shape(b))"),
    (np.cross, "a, b, axisa=-1, axisb=-1, axisc=-1, axis=None",
     "unbroadcast(np.cross(b, g, axisb, axisc, axisa, axis), a)",
     "unbroadcast(np.cross(g, a, axisc, axisa, axisb, axis), b)"),
    (np.diag, "v, k=0", "diag_adjoint(g, v, k)"),
    (H.diag_adjoint, "grad, v, k=0", "np.diag(g, k)", None),
    (np.diagonal, "a, offset=0, axis1=0, axis2=1", "undiagonal(g, a, offset, axis1, axis2)"),
    (H.undiagonal, "grad, like, offset=0, axis1=0, axis2=1",
     "np.diagonal(g, offset, axis1, axis2)", None),
    (np.diagflat, "v, k=0", "np.reshape(np.diagonal(g, k), np.shape(v))"),
    (np.tril, "m, k=0", "np.tril(g, k)"),
    (np.triu, "m, k=0", "np.triu(g, k)"),
    (np.repeat, "a, repeats, axis=None", "unrepeat(g, a, repeats, axis)", None),
    (H.unrepeat, "grad, like, repeats, axis=None", "np.repeat(g, repeats, axis)", None, None),
    (np.tile, "A, reps", "untile(g, A, reps)", None),
    (H.untile, "grad, like, reps", "np.tile(g, reps)", None, None),
    (np.split, "ary, indices_or_sections, axis=0", "concat_like(g, ans, ary, axis)", None),
    (np.array_split, "ary, indices_or_sections, axis=0", "concat_like(g, ans, ary, axis)",
     None),
    (np.vsplit, "ary, indices_or_sections", "concat_like(g, ans, ary, 0)", None),
    (np.hsplit, "ary, indices_or_sections", "concat_like(g, ans, ary, hsplit_axis(ary))",
     None),
    (np.dsplit, "ary, indices_or_sections", "concat_like(g, ans, ary, 2)", None),
    (H.unpad, "grad, like, pad_width, mode='constant'", "pad_tangent(g, pad_width, mode)",
     None, None, None),
    (H.pad_tangent, "x, pad_width, mode='constant'", "unpad(g, x, pad_width, mode)", None,
     None),
    (np.take_along_axis, "arr, indices, axis=-1", "untake_along_axis(g, arr, indices, axis)",
     None),
    (H.untake_along_axis, "grad, like, indices, axis",
     "np.take_along_axis(g, indices, axis)", None, None),
    (np.take, "a, indices, axis=None, out=None, mode='raise'",
     "untake(g, a, indices, axis, mode)", None),
    (H.untake, "grad, like, indices, axis=None, mode='raise'",
     "np.take(g, indices, axis, mode=mode)", None, None),
    (np.diff, "a, n=1, axis=-1", "undiff(g, a, n, axis)"),
    (H.undiff, "grad, like, n=1, axis=-1", "np.diff(g, n, axis)", None),
    (H.gradient_of, "x, f, spacing=None, axis=None, edge_order=1",
     "ungradient(g, f, spacing, axis, edge_order)", None),
    (H.ungradient, "grad, f, spacing=None, axis=None, edge_order=1",
     "gradient_of(g, f, spacing, axis, edge_order)", None),
    (H.quantile_apply, "x, a, q, axis=None, keepdims=False, method='linear'",
     "unquantile(g, a, q, axis, keepdims, method)", None),
    (H.unquantile, "grad, a, q, axis=None, keepdims=False, method='linear'",
     "quantile_apply(g, a, q, axis, keepdims, method)", None),
    (H.nan_centered, "x, like, axis=None", "nan_centered(g, like, axis)", None),
    (H.average_weights, "weights, a, axis=None", "unaverage_weights(g, weights, a, axis)"),
    (H.unaverage_weights, "grad, weights, a, axis=None",
     "broadcast_like(average_weights(g, a, axis), grad)", None),
    (H.unselect, "grad, condlist, likes", "select_like(g, condlist, grad)", None, None),
    (H.select_like, "grads, condlist, like", "unselect(g, condlist, grads)", None, None),
    (np.convolve, "a, v, mode='full'", "convolve_adjoint(g, a, v, mode)",
     "convolve_adjoint(g, v, a, mode)"),
    (H.convolve_adjoint, "grad, like, other, mode='full'", "np.convolve(g, other, mode)",
     None, "convolve_adjoint(grad, other, g, mode)"),
    (H.unappend, "grad, arr, values, axis, k", "append_piece(g, arr, values, axis, k)", None,
     None, None, None),
    (H.append_piece, "x, arr, values, axis, k", "unappend(g, arr, values, axis, k)", None,
     None, None, None),
    (H.poly_column, "x, p", "poly_uncolumn(g, x)", None),
    (H.poly_uncolumn, "grad, x", "poly_column(g, x)", None),
    (H.real_part, "x", "g"),
    (np.real, "val", "g"),
    (np.imag, "val", "imag_grad(g, val)"),
    (H.imag_grad, "grad, like", "np.imag(g)", None),
    (H.match_real, "grad, like", "g", None),
    (np.atleast_1d, "ary", "np.reshape(g, np.shape(ary))"),
    (np.atleast_2d, "ary", "np.reshape(g, np.shape(ary))"),
    (np.atleast_3d, "ary", "np.reshape(g, np.shape(ary))"),
    (np.fliplr, "m", "np.fliplr(g)"),
    (np.flipud, "m", "np.flipud(g)"),
    (np.rollaxis, "a, axis, start=0",
     "np.transpose(g, invert_axes(rollaxis_axes(np.ndim(a), axis, start), np.ndim(a)))"),
]
for _fn, _params, *_transposes in _LINEAR:
    linear(_fn, _params, *_transposes)


# -- elementwise and reductions declared by their derivatives ---------------------------------
# sinc'(x) = (cos(pi x) - sinc(x)) / x, and 0 at 0
elementwise(np.sinc, "where(x == 0, 0 * x, (cos(pi * x) - ans) / where(x == 0, 1 + 0 * x, x))")
elementwise(H.interp_frac, "interp_parts(x, xp, left, right, period)[4]",
            params="x, xp, left=None, right=None, period=None")
elementwise(np.nan_to_num, "isfinite(x)",
            params="x, copy=True, nan=0.0, posinf=None, neginf=None")
_RED = "a, axis=None, dtype=None, out=None, keepdims=False"
reduction(np.nansum, _RED + ", initial=None, where=True", "masked(not_nan(a), where)")
reduction(np.nanmean, _RED, "not_nan(a) / nan_count(a, axis, True)")

for _f in (H.zeros_or_none, H.tensordot_subscripts, H.inner_subscripts, H.kron_parts, H.sort_perm,
           H.partition_perm, H.flat_if_none, H.interp_parts, H.quantile_weights, H.not_nan,
           H.nan_count, H.select_none, H.linspace_weights, H.poly_powers, H.poly_axes,
           H.angle_scale, H.hsplit_axis, H.rollaxis_axes, H.fft_len, H.fftn_parts,
           H.swap_norm, H.irfft_weights, H.rot90_axes, H.fft2_axes):
    R.nondifferentiable(_f)


# real_if_close drops a negligible imaginary part: the tangent loses it too (the choice is
# made at the primal point); the cotangent passes through
def real_if_close_vjp(g, ans, a, tol=100):
    return g


def real_if_close_jvp(t, ans, a, tol=100):
    return match_real(t, ans)


R.defvjp(np.real_if_close, real_if_close_vjp)
R.defjvp(np.real_if_close, real_if_close_jvp)
