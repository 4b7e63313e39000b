"""Helpers of the breadth rules: differences, gradients, interpolation, quantiles,
nan-aware reductions and averages (linear adjoints, see :mod:`.more`)."""

from __future__ import annotations

import math

import numpy as np

from ...errors import UndefinedDerivativeError
from ._common import _axes, _float_of, _is_scalar, _is_zero
from .broadcasting import unbroadcast


# -- differences, gradients, interpolation -----------------------------------------------------
def undiff(grad, like, n=1, axis=-1):
    """The adjoint of ``np.diff(like, n, axis)``: n times ``-diff`` of the zero-padded
    cotangent."""
    nd = np.ndim(like)
    ax = axis % nd
    widths = [(0, 0)] * nd
    widths[ax] = (1, 1)
    g = grad
    for _ in range(n):
        g = -np.diff(np.pad(g, widths), axis=ax)
    return g


def _spacings(spacing, nd, axes):
    vals = [s for s in spacing if s is not None]
    if not vals:
        return [1.0] * len(axes)
    if len(vals) == 1:
        vals = vals * len(axes)
    if len(vals) != len(axes) or any(np.ndim(v) != 0 for v in vals):
        raise UndefinedDerivativeError("np.gradient's rules take scalar spacings only")
    return [float(v) for v in vals]


def _gradient_axes(f, axis):
    nd = np.ndim(f)
    return _axes(axis, nd) if axis is not None else tuple(range(nd))


def gradient_of(x, f, spacing=None, axis=None, edge_order=1):
    """``np.gradient(x, *spacing, axis=axis, edge_order=edge_order)`` (scalar spacings)."""
    axes = _gradient_axes(f, axis)
    hs = _spacings(spacing or (), np.ndim(f), axes)
    r = np.gradient(x, *hs, axis=axis, edge_order=edge_order)
    return list(r) if isinstance(r, (list, tuple)) else r


def _ungradient_1(g, h, ax, edge_order, n):
    """The transpose of one axis of ``np.gradient`` (uniform spacing ``h``)."""
    sl = [slice(None)] * np.ndim(g)

    def at(i):
        s = list(sl)
        s[ax] = i
        return tuple(s)

    out = np.zeros_like(g, shape=np.shape(g))
    if n > 2:
        inner = g[at(slice(1, -1))] / (2 * h)
        out[at(slice(2, None))] += inner
        out[at(slice(None, -2))] -= inner
    g0, gl = g[at(slice(0, 1))], g[at(slice(-1, None))]
    if edge_order == 1:
        out[at(slice(0, 1))] -= g0 / h
        out[at(slice(1, 2))] += g0 / h
        out[at(slice(-1, None))] += gl / h
        out[at(slice(-2, -1))] -= gl / h
    else:
        out[at(slice(0, 1))] -= 1.5 * g0 / h
        out[at(slice(1, 2))] += 2.0 * g0 / h
        out[at(slice(2, 3))] -= 0.5 * g0 / h
        out[at(slice(-1, None))] += 1.5 * gl / h
        out[at(slice(-2, -1))] -= 2.0 * gl / h
        out[at(slice(-3, -2))] += 0.5 * gl / h
    return out


def ungradient(grad, f, spacing=None, axis=None, edge_order=1):
    """The adjoint of ``np.gradient(f, *spacing, axis, edge_order)`` (one array, or a list
    of one cotangent per axis; zero entries skipped)."""
    axes = _gradient_axes(f, axis)
    hs = _spacings(spacing or (), np.ndim(f), axes)
    grads = list(grad) if isinstance(grad, (list, tuple)) else [grad]
    total = None
    for g, ax, h in zip(grads, axes, hs):
        if _is_zero(g):
            continue
        part = _ungradient_1(g, h, ax, edge_order, np.shape(f)[ax])
        total = part if total is None else total + part
    if total is None:
        return np.zeros_like(f, dtype=_float_of(f))
    return total


def interp_parts(x, xp, left=None, right=None, period=None):
    """(i, j, m0, m1, slope) of ``np.interp(x, xp, fp, left, right)``: with
    ``f = interp_frac(x, xp, ...)`` the result is ``fp[i] * (1 - f) * m0 + fp[j] * f * m1``
    (plus the given constants outside), and ``df/dx = slope``.  Non-differentiable."""
    if period is not None:
        raise UndefinedDerivativeError("no derivative rule for np.interp with period")
    n = np.shape(xp)[0]
    below, above = np.less(x, xp[0]), np.greater(x, xp[-1])
    one = np.ones_like(np.add(x, xp[0]), dtype=_float_of(xp))
    m0 = one * np.logical_not(np.logical_and(below, left is not None))
    m1 = one * np.logical_not(np.logical_and(above, right is not None))
    if n == 1:
        i = np.zeros_like(np.searchsorted(xp, x), shape=np.shape(x))
        return i, i, m0, 0 * m1, 0 * one
    i = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, n - 2)
    x0, x1 = xp[i], xp[i + 1]
    inside = np.logical_not(np.logical_or(below, above))
    slope = np.where(inside, 1 / (x1 - x0), 0 * one)
    return i, i + 1, m0, m1, slope


def interp_frac(x, xp, left=None, right=None, period=None):
    """Where ``x`` lies between its two knots (0 below ``xp[0]``, 1 above ``xp[-1]``)."""
    i, j, _, _, _ = interp_parts(x, xp, left, right, period)
    if np.shape(xp)[0] == 1:
        return 0 * np.ones_like(np.add(x, xp[0]))
    f = (x - xp[i]) / (xp[j] - xp[i])
    return np.clip(f, 0, 1)


# -- quantiles ---------------------------------------------------------------------------------
_Q_METHODS = ("linear", "lower", "higher", "nearest", "midpoint")


def quantile_weights(a, q, axis=None, method="linear"):
    """Weights W (shape ``q.shape + a.shape``, ``a`` flattened for ``axis=None``) with
    ``np.quantile(a, q, axis) == sum(W * a, axis)``.  Non-differentiable."""
    if method not in _Q_METHODS:
        raise UndefinedDerivativeError(f"no derivative rule for quantiles with method={method!r}")
    if axis is None:
        a = np.ravel(a)
        axis = 0
    if isinstance(axis, (tuple, list)):
        raise UndefinedDerivativeError("quantile rules take one axis (or None)")
    ax = axis % np.ndim(a)
    n = np.shape(a)[ax]
    perm = np.argsort(a, axis=ax, kind="stable")
    rank = np.argsort(perm, axis=ax, kind="stable").astype(_float_of(a))  # rank of each entry
    ws = []
    for qv in [float(v) for v in np.ravel(q)]:  # q: host numbers (or a device vector)
        pos = qv * (n - 1)
        lo, hi = math.floor(pos), math.ceil(pos)
        f = pos - lo
        if method == "lower":
            hi, f = lo, 0.0
        elif method == "higher":
            lo, f = hi, 0.0
        elif method == "nearest":
            lo = hi = int(np.round(pos))  # NumPy rounds half to even here too
            f = 0.0
        elif method == "midpoint":
            f = 0.5 if hi > lo else 0.0
        ws.append(((rank == lo) * (1 - f) + (rank == hi) * f).astype(_float_of(a)))
    if np.ndim(q) == 0:
        return ws[0]
    return np.reshape(np.stack(ws), np.shape(q) + np.shape(a))


def quantile_apply(x, a, q, axis=None, keepdims=False, method="linear"):
    """The tangent of ``np.quantile(a, q, axis, keepdims=keepdims)`` along ``x``."""
    w = quantile_weights(a, q, axis, method)
    nq = np.ndim(q)
    ax = (nq + (axis % np.ndim(a))) if axis is not None else nq
    r = np.sum(w * (np.ravel(x) if axis is None else x), axis=ax, keepdims=True)
    if keepdims:
        return np.reshape(r, np.shape(q) + _kept(np.shape(a), axis))
    shape = () if axis is None else tuple(
        n for k, n in enumerate(np.shape(a)) if k != axis % np.ndim(a))
    return np.reshape(r, np.shape(q) + shape)


def _kept(shape, axis):
    if axis is None:
        return (1,) * len(shape)
    ax = axis % len(shape)
    return tuple(1 if k == ax else s for k, s in enumerate(shape))


def unquantile(grad, a, q, axis=None, keepdims=False, method="linear"):
    """The adjoint of ``quantile_apply`` (the cotangent of ``a``)."""
    w = quantile_weights(a, q, axis, method)
    nq = np.ndim(q)
    if _is_scalar(grad):
        g = grad  # a Python or NumPy scalar: no array of its own
    elif axis is None:
        g = np.reshape(grad, np.shape(q) + (1,))
    else:
        g = np.reshape(grad, np.shape(q) + _kept(np.shape(a), axis))
    r = g * w
    if nq:
        r = np.sum(r, axis=tuple(range(nq)))
    return np.reshape(r, np.shape(a))


# -- nan-aware reductions, averages --------------------------------------------------------
def not_nan(a):
    """``~np.isnan(a)`` as floats like ``a``.  Non-differentiable."""
    return np.logical_not(np.isnan(a)).astype(_float_of(a))


def nan_count(a, axis=None, keepdims=False):
    """How many non-nan entries each result of a nan-reduction combines."""
    return np.sum(not_nan(a), axis=axis, keepdims=keepdims)


def nan_centered(x, like, axis=None):
    """``x`` minus its mean over ``axis``, both over the entries where ``like`` is not nan,
    and 0 where it is (a symmetric linear map of ``x``)."""
    m = not_nan(like)
    xm = np.where(m > 0, x, np.zeros_like(x))
    mean = np.sum(xm, axis=axis, keepdims=True) / np.sum(m, axis=axis, keepdims=True)
    return (xm - mean) * m


def average_weights(weights, a, axis=None):
    """``weights`` shaped to broadcast against ``a`` (NumPy's 1-d weights along ``axis``)."""
    if weights is None:
        return 1.0
    if np.ndim(weights) == 1 and np.ndim(a) > 1 and axis is not None:
        shape = [1] * np.ndim(a)
        shape[axis % np.ndim(a)] = np.shape(weights)[0]
        return np.reshape(weights, tuple(shape))
    return weights


def unaverage_weights(grad, weights, a, axis=None):
    """The adjoint of ``average_weights`` (the cotangent of ``weights``)."""
    return np.reshape(unbroadcast(grad, average_weights(weights, a, axis)), np.shape(weights))
