"""Hand-written rule pairs of the breadth issue's NumPy functions (sorting, padding,
quantiles, interpolation, stacking...): the two modes differ, so each has a reverse and a
forward rule of its own (the declared ones are in :mod:`ast_ad.rules.numpy_more`)."""

from __future__ import annotations

import numpy as np

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
)
from .registry import default_registry as R


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
