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
    angle_scale,
    append_piece,
    average_weights,
    broadcast_like,
    concat_like,
    gradient_of,
    imag_grad,
    interp_frac,
    interp_parts,
    linspace_weights,
    nan_centered,
    nan_count,
    pad_tangent,
    partition_perm,
    pick,
    poly_axes,
    poly_column,
    poly_powers,
    quantile_apply,
    rot90_axes,
    select_like,
    select_none,
    sort_perm,
    split_like,
    unappend,
    unaverage_weights,
    unbroadcast,
    uncumsum,
    ungradient,
    unindex,
    unpad,
    unquantile,
    unreduce,
    unselect,
    untake_along_axis,
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
    (np.vdot, "a, b", "np.reshape(np.conj(g * b), np.shape(a))",
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


# -- hand-written pairs (forward rules that are not the function applied to the tangent) ---
def rot90_vjp(g, ans, m, k=1, axes=None):
    return np.rot90(g, -k, rot90_axes(axes))


def rot90_jvp(t, ans, m, k=1, axes=None):
    return np.rot90(t, k, rot90_axes(axes))


def pad_vjp(g, ans, array, pad_width, mode="constant", constant_values=0):
    return unpad(g, array, pad_width, mode)


def pad_jvp(t, ans, array, pad_width, mode="constant", constant_values=0):
    return pad_tangent(t, pad_width, mode)


def sort_vjp(g, ans, a, axis=-1, kind=None, order=None):
    return untake_along_axis(g, a, sort_perm(a, axis), axis)


def sort_jvp(t, ans, a, axis=-1, kind=None, order=None):
    return np.take_along_axis(t, sort_perm(a, axis), axis)


def partition_vjp(g, ans, a, kth, axis=-1, kind="introselect", order=None):
    return untake_along_axis(g, a, partition_perm(a, kth, axis), axis)


def partition_jvp(t, ans, a, kth, axis=-1, kind="introselect", order=None):
    return np.take_along_axis(t, partition_perm(a, kth, axis), axis)


# d cumprod(a)_i / d a_j = cumprod(a)_i / a_j for j <= i (a without zeros, like autograd)
def cumprod_vjp(g, ans, a, axis=None, dtype=None, out=None):
    return uncumsum(g * ans, a, axis) / a


def cumprod_jvp(t, ans, a, axis=None, dtype=None, out=None):
    return np.cumsum(t / a, axis=axis) * ans


def gradient_vjp(g, ans, f, s0=None, s1=None, s2=None, s3=None, axis=None, edge_order=1):
    return ungradient(g, f, (s0, s1, s2, s3), axis, edge_order)


def gradient_jvp(t, ans, f, s0=None, s1=None, s2=None, s3=None, axis=None, edge_order=1):
    return gradient_of(t, f, (s0, s1, s2, s3), axis, edge_order)


# np.interp: piecewise linear in x, linear in fp (xp: no rule)
def interp_vjp_x(g, ans, x, xp, fp, left=None, right=None, period=None):
    return g * (fp[interp_parts(x, xp, left, right, period)[1]]
                - fp[interp_parts(x, xp, left, right, period)[0]]) * interp_parts(
        x, xp, left, right, period)[4]


def interp_vjp_fp(g, ans, x, xp, fp, left=None, right=None, period=None):
    return (unindex(g * (1 - interp_frac(x, xp, left, right, period))
                    * interp_parts(x, xp, left, right, period)[2], fp,
                    interp_parts(x, xp, left, right, period)[0])
            + unindex(g * interp_frac(x, xp, left, right, period)
                      * interp_parts(x, xp, left, right, period)[3], fp,
                      interp_parts(x, xp, left, right, period)[1]))


def interp_jvp_x(t, ans, x, xp, fp, left=None, right=None, period=None):
    return t * (fp[interp_parts(x, xp, left, right, period)[1]]
                - fp[interp_parts(x, xp, left, right, period)[0]]) * interp_parts(
        x, xp, left, right, period)[4]


def interp_jvp_fp(t, ans, x, xp, fp, left=None, right=None, period=None):
    return (t[interp_parts(x, xp, left, right, period)[0]]
            * (1 - interp_frac(x, xp, left, right, period))
            * interp_parts(x, xp, left, right, period)[2]
            + t[interp_parts(x, xp, left, right, period)[1]]
            * interp_frac(x, xp, left, right, period)
            * interp_parts(x, xp, left, right, period)[3])


def angle_vjp(g, ans, z, deg=False):
    return imag_grad(g * angle_scale(deg), z) / z


def angle_jvp(t, ans, z, deg=False):
    return np.imag(t / z) * angle_scale(deg)


# np.average: weights broadcast along axis; the weights' rule is the centred value
def average_vjp_a(g, ans, a, axis=None, weights=None, returned=False, keepdims=False):
    return unreduce(g / np.sum(broadcast_like(average_weights(weights, a, axis), a), axis=axis,
                               keepdims=keepdims), a, axis, keepdims) * broadcast_like(
        average_weights(weights, a, axis), a)


def average_vjp_weights(g, ans, a, axis=None, weights=None, returned=False, keepdims=False):
    return unaverage_weights(
        unreduce(g / np.sum(broadcast_like(average_weights(weights, a, axis), a), axis=axis,
                            keepdims=keepdims), a, axis, keepdims)
        * (a - unreduce(ans, a, axis, keepdims)), weights, a, axis)


def average_jvp_a(t, ans, a, axis=None, weights=None, returned=False, keepdims=False):
    return np.sum(t * broadcast_like(average_weights(weights, a, axis), a), axis=axis,
                  keepdims=keepdims) / np.sum(broadcast_like(
                      average_weights(weights, a, axis), a), axis=axis, keepdims=keepdims)


def average_jvp_weights(t, ans, a, axis=None, weights=None, returned=False, keepdims=False):
    return np.sum((a - unreduce(ans, a, axis, keepdims)) * broadcast_like(
        average_weights(t, a, axis), a), axis=axis, keepdims=keepdims) / np.sum(
        broadcast_like(average_weights(weights, a, axis), a), axis=axis, keepdims=keepdims)


# quantiles: the result is a weighted sum of (sorted) entries; the weights are piecewise
# constant in a
def median_vjp(g, ans, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return unquantile(g, a, 0.5, axis, keepdims, "linear")


def median_jvp(t, ans, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return quantile_apply(t, a, 0.5, axis, keepdims, "linear")


def quantile_vjp(g, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
                 keepdims=False):
    return unquantile(g, a, q, axis, keepdims, method)


def quantile_jvp(t, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
                 keepdims=False):
    return quantile_apply(t, a, q, axis, keepdims, method)


def percentile_vjp(g, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
                   keepdims=False):
    return unquantile(g, a, np.divide(q, 100), axis, keepdims, method)


def percentile_jvp(t, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear",
                   keepdims=False):
    return quantile_apply(t, a, np.divide(q, 100), axis, keepdims, method)


def nanvar_vjp(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return (unreduce(g, a, axis, keepdims) * nan_centered(a, a, axis)
            * (2 / (nan_count(a, axis, True) - ddof)))


def nanvar_jvp(t, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return (np.sum(t * nan_centered(a, a, axis), axis=axis, keepdims=keepdims)
            * (2 / (nan_count(a, axis, keepdims) - ddof)))


def nanstd_vjp(g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return (unreduce(g / (ans + (ans == 0)), a, axis, keepdims) * nan_centered(a, a, axis)
            / (nan_count(a, axis, True) - ddof))


def nanstd_jvp(t, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    return (np.sum(t * nan_centered(a, a, axis), axis=axis, keepdims=keepdims)
            / ((nan_count(a, axis, keepdims) - ddof) * (ans + (ans == 0))))


def column_stack_vjp(g, ans, tup):
    return split_like(g, tup, 1)


def column_stack_jvp(t, ans, tup):
    return concat_like(t, tup, ans, 1)


def dstack_vjp(g, ans, tup):
    return split_like(g, tup, 2)


def dstack_jvp(t, ans, tup):
    return concat_like(t, tup, ans, 2)


def select_vjp_choicelist(g, ans, condlist, choicelist, default=0):
    return unselect(g, condlist, choicelist)


def select_vjp_default(g, ans, condlist, choicelist, default=0):
    return unbroadcast(np.where(select_none(condlist), g, np.zeros_like(g)), default)


def select_jvp_choicelist(t, ans, condlist, choicelist, default=0):
    return select_like(t, condlist, ans)


def select_jvp_default(t, ans, condlist, choicelist, default=0):
    return np.where(select_none(condlist), broadcast_like(t, ans), np.zeros_like(ans))


def append_vjp_arr(g, ans, arr, values, axis=None):
    return unappend(g, arr, values, axis, 0)


def append_vjp_values(g, ans, arr, values, axis=None):
    return unappend(g, arr, values, axis, 1)


def append_jvp_arr(t, ans, arr, values, axis=None):
    return append_piece(t, arr, values, axis, 0)


def append_jvp_values(t, ans, arr, values, axis=None):
    return append_piece(t, arr, values, axis, 1)


def polyval_vjp_p(g, ans, p, x):
    return np.sum(poly_column(g, p) * np.power(poly_column(x, p), poly_powers(p)),
                  axis=poly_axes(x))


def polyval_vjp_x(g, ans, p, x):
    return g * np.polyval(p[:-1] * poly_powers(p)[:-1], x)


def polyval_jvp_p(t, ans, p, x):
    return np.polyval(t, x)


def polyval_jvp_x(t, ans, p, x):
    return t * np.polyval(p[:-1] * poly_powers(p)[:-1], x)


# np.linspace is linear in (start, stop) together: start + (stop - start) * w
def linspace_vjp_start(g, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None,
                       axis=0):
    return unbroadcast(np.sum(g * (1 - linspace_weights(ans, num, endpoint, axis)), axis=axis),
                       start)


def linspace_vjp_stop(g, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None,
                      axis=0):
    return unbroadcast(np.sum(g * linspace_weights(ans, num, endpoint, axis), axis=axis), stop)


def linspace_jvp_start(t, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None,
                       axis=0):
    return np.expand_dims(broadcast_like(t, np.take(ans, 0, axis=axis)), axis) * (
        1 - linspace_weights(ans, num, endpoint, axis))


def linspace_jvp_stop(t, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None,
                      axis=0):
    return np.expand_dims(broadcast_like(t, np.take(ans, 0, axis=axis)), axis) * (
        linspace_weights(ans, num, endpoint, axis))


for _fn, _vjps, _jvps in [
        (np.rot90, (rot90_vjp,), (rot90_jvp,)),
        (np.pad, (pad_vjp, None, None), (pad_jvp, None, None)),
        (np.sort, (sort_vjp,), (sort_jvp,)),
        (np.partition, (partition_vjp, None), (partition_jvp, None)),
        (np.cumprod, (cumprod_vjp,), (cumprod_jvp,)),
        (np.gradient, (gradient_vjp,), (gradient_jvp,)),
        (np.interp, (interp_vjp_x, None, interp_vjp_fp), (interp_jvp_x, None, interp_jvp_fp)),
        (np.angle, (angle_vjp,), (angle_jvp,)),
        (np.average, (average_vjp_a, None, average_vjp_weights),
         (average_jvp_a, None, average_jvp_weights)),
        (np.median, (median_vjp,), (median_jvp,)),
        (np.quantile, (quantile_vjp, None), (quantile_jvp, None)),
        (np.percentile, (percentile_vjp, None), (percentile_jvp, None)),
        (np.nanvar, (nanvar_vjp,), (nanvar_jvp,)),
        (np.nanstd, (nanstd_vjp,), (nanstd_jvp,)),
        (np.column_stack, (column_stack_vjp,), (column_stack_jvp,)),
        (np.dstack, (dstack_vjp,), (dstack_jvp,)),
        (np.select, (None, select_vjp_choicelist, select_vjp_default),
         (None, select_jvp_choicelist, select_jvp_default)),
        (np.append, (append_vjp_arr, append_vjp_values), (append_jvp_arr, append_jvp_values)),
        (np.polyval, (polyval_vjp_p, polyval_vjp_x), (polyval_jvp_p, polyval_jvp_x)),
        (np.linspace, (linspace_vjp_start, linspace_vjp_stop),
         (linspace_jvp_start, linspace_jvp_stop))]:
    R.defvjp(_fn, *_vjps)
    R.defjvp(_fn, *_jvps)

# -- elementwise and reductions declared by their derivatives ---------------------------------
# sinc'(x) = (cos(pi x) - sinc(x)) / x, and 0 at 0
elementwise(np.sinc, "where(x == 0, 0 * x, (cos(pi * x) - ans) / where(x == 0, 1 + 0 * x, x))")
elementwise(H.interp_frac, "interp_parts(x, xp, left, right, period)[4]",
            params="x, xp, left=None, right=None, period=None")
elementwise(np.nan_to_num, "isfinite(x)",
            params="x, copy=True, nan=0.0, posinf=None, neginf=None")
_RED = "a, axis=None, dtype=None, out=None, keepdims=False"
reduction(np.nansum, _RED, "not_nan(a)")
reduction(np.nanmean, _RED, "not_nan(a) / nan_count(a, axis, True)")

for _f in (H.zeros_or_none, H.tensordot_subscripts, H.inner_subscripts, H.kron_parts, H.sort_perm,
           H.partition_perm, H.flat_if_none, H.interp_parts, H.quantile_weights, H.not_nan,
           H.nan_count, H.select_none, H.linspace_weights, H.poly_powers, H.poly_axes,
           H.angle_scale, H.hsplit_axis, H.rollaxis_axes, H.fft_len, H.fftn_parts,
           H.swap_norm, H.irfft_weights, H.rot90_axes, H.fft2_axes):
    R.nondifferentiable(_f)
