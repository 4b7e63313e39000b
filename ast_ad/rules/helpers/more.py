"""Helpers of the breadth rules (:mod:`ast_ad.rules.numpy_more`, :mod:`ast_ad.rules.fft`).

The adjoints here are linear in their first argument (and some in others); each has rules
registered beside the rules that use it, mostly as another ``linear(...)`` line, so that
derivative code can be differentiated again.  Index and weight helpers are
non-differentiable (piecewise constant).  Arrays are only made from arrays given
(``*_like``), so the helpers run on any array library with NumPy's dispatch protocols.
"""

from __future__ import annotations

import math
import operator
import string
from itertools import accumulate

import numpy as np

from ._common import _axes, _cot_dtype, _float_of, _is_scalar, _is_zero
from .broadcasting import unbroadcast
from .shapes import concat_like, split_like

# -- einsum: every rule of every operand is one multilinear "slot" function --------------------
#
# T(x0, x1, ..., x5) = sum over all letters of the product of all slots, where slot 0 is the
# output (spec: the output subscripts) and slot m >= 1 the (m-1)-th operand.  einsum_slot(j,
# ..) is dT/dx_j: the contraction of every other slot into slot j's subscripts.  The open
# slot holds the shape of x_j (a tuple), not an array.  np.einsum itself is slot 0; the
# cotangent of operand k is slot k + 1 with the cotangent in slot 0; and the transpose of
# slot j with respect to slot i is slot i with the cotangent put in slot j (``pick``).

_SLOTS = 6


def _parse_einsum(subscripts, shapes):
    """(specs, out): explicit letter subscripts per operand and for the output, with '...'
    expanded into letters (right-aligned, as NumPy broadcasts them)."""
    subs = subscripts.replace(" ", "")
    if "->" in subs:
        ins, out = subs.split("->")
    else:
        ins, out = subs, None
    specs = ins.split(",")
    if len(specs) != len(shapes):
        raise ValueError(f"einsum: {len(specs)} operand subscripts for {len(shapes)} operands")
    used = set(subs) - set(".,->")
    free = [c for c in string.ascii_letters if c not in used]
    nell = 0
    for s, shp in zip(specs, shapes):
        if "..." in s:
            nell = max(nell, len(shp) - (len(s) - 3))
    ell = "".join(free[:nell])
    exp = []
    for s, shp in zip(specs, shapes):
        if "..." in s:
            k = len(shp) - (len(s) - 3)
            s = s.replace("...", ell[nell - k:] if k else "")
        exp.append(s)
    if out is None:
        letters = "".join(s for s in specs).replace(".", "")
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    else:
        out = out.replace("...", ell)
    return exp, out


def einsum_slot(j, subscripts, x0, x1, x2, x3, x4, x5):
    """dT/dx_j of the full contraction T of the slots (see above); ``x_j`` is the shape of
    the result (or an array of that shape, which also gives the array library).  Unused
    slots are None.  Handles repeated subscripts (diagonals), letters
    only in slot j (broadcast) and size-1 broadcasting."""
    xs = [x0, x1, x2, x3, x4, x5]
    n = max(m for m in range(_SLOTS) if xs[m] is not None)
    like = None if isinstance(xs[j], tuple) else xs[j]  # an array: its shape and library
    shapes = [(tuple(xs[m]) if like is None else np.shape(like)) if m == j
              else np.shape(xs[m]) for m in range(n + 1)]
    specs, out = _parse_einsum(subscripts, shapes[1:])
    specs = [out] + specs
    target, tshape = specs[j], shapes[j]
    others = [m for m in range(n + 1) if m != j]
    avail = set("".join(specs[m] for m in others))
    uniq = "".join(dict.fromkeys(target))
    keep = "".join(c for c in uniq if c in avail)
    r = np.einsum(",".join(specs[m] for m in others) + "->" + keep, *[xs[m] for m in others])
    if like is not None and np.ndim(r) == 0 and type(r) is not type(like):
        r = np.full_like(like, r[()], shape=(), dtype=r.dtype)  # scalar slots only
    size = {c: tshape[target.index(c)] for c in uniq}
    # letters only in the target: broadcast; size-1 letters of the target: sum back
    sum_axes = tuple(i for i, c in enumerate(keep) if size[c] == 1 and np.shape(r)[i] != 1)
    if sum_axes:
        r = np.sum(r, axis=sum_axes, keepdims=True)
    new = [i for i, c in enumerate(uniq) if c not in avail]
    if new:
        r = np.expand_dims(r, tuple(new))
    full = tuple(size[c] for c in uniq)
    if np.shape(r) != full:
        r = np.broadcast_to(r, full)
    if len(uniq) == len(target):
        return r
    z = np.zeros_like(r, shape=tshape)
    np.einsum(target + "->" + uniq, z)[...] = r  # the diagonal view is writeable
    return z


def zeros_or_none(x):
    """``np.zeros_like(x)``, or None for None (an unused slot).  Non-differentiable."""
    return None if x is None else np.zeros_like(x, dtype=_float_of(x))


def pick(j, m, a, b):
    """``a`` if ``j == m`` else ``b`` (the runtime choice of a slot's array)."""
    return a if j == m else b


def tensordot_subscripts(a, b, axes=2):
    """einsum subscripts of ``np.tensordot(a, b, axes)``."""
    na, nb = np.ndim(a), np.ndim(b)
    if isinstance(axes, (int, np.integer)):
        ax_a, ax_b = list(range(na - axes, na)), list(range(axes))
    else:
        ax_a, ax_b = axes
        ax_a = [ax_a] if isinstance(ax_a, (int, np.integer)) else list(ax_a)
        ax_b = [ax_b] if isinstance(ax_b, (int, np.integer)) else list(ax_b)
    ax_a = [operator.index(x) % max(na, 1) for x in ax_a]
    ax_b = [operator.index(x) % max(nb, 1) for x in ax_b]
    letters = iter(string.ascii_letters)
    sa = [next(letters) for _ in range(na)]
    sb = [next(letters) for _ in range(nb)]
    for i, k in zip(ax_a, ax_b):
        sb[k] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in ax_a] + [
        c for i, c in enumerate(sb) if i not in ax_b]
    return "".join(sa) + "," + "".join(sb) + "->" + "".join(out)


def inner_subscripts(a, b):
    """einsum subscripts of ``np.inner(a, b)`` (a product for a 0-d operand)."""
    na, nb = np.ndim(a), np.ndim(b)
    sa = string.ascii_letters[:na]
    sb = string.ascii_letters[na:na + nb]
    if na and nb:
        sb = sb[:-1] + sa[-1]
        return f"{sa},{sb}->{sa[:-1]}{sb[:-1]}"
    return f"{sa},{sb}->{sa}{sb}"


def kron_parts(a, b):
    """(subscripts, blocked shape, a's padded shape, b's padded shape) of ``np.kron``:
    kron(a, b) reshaped to the blocked shape is einsum(subscripts, a', b')."""
    sa, sb = np.shape(a), np.shape(b)
    nd = max(len(sa), len(sb))
    pa = (1,) * (nd - len(sa)) + tuple(sa)
    pb = (1,) * (nd - len(sb)) + tuple(sb)
    la, lb = string.ascii_lowercase[:nd], string.ascii_uppercase[:nd]
    blocked = tuple(x for pair in zip(pa, pb) for x in pair)
    return (f"{la},{lb}->" + "".join(x + y for x, y in zip(la, lb)), blocked, pa, pb)


# -- diagonals, triangles, repeats, tiles, pads ------------------------------------------------
def undiagonal(grad, like, offset=0, axis1=0, axis2=1):
    """The adjoint of ``np.diagonal(like, offset, axis1, axis2)``: zeros like ``like`` with
    ``grad`` (diagonal last) on that diagonal."""
    nd = np.ndim(like)
    a1, a2 = axis1 % nd, axis2 % nd
    moved = np.moveaxis(like, (a1, a2), (-2, -1))
    z = np.zeros_like(moved, dtype=_cot_dtype(grad, like), order="C")
    view = np.diagonal(z, offset, -2, -1)
    if np.size(view):
        # np.diagonal returns a read-only view: write through the flat layout instead
        n, m = np.shape(moved)[-2:]
        flat = np.reshape(z, np.shape(z)[:-2] + (n * m,))
        length = np.shape(view)[-1]
        start = offset if offset >= 0 else -offset * m
        flat[..., start:start + (length - 1) * (m + 1) + 1:m + 1] = grad
    return np.moveaxis(z, (-2, -1), (a1, a2))


def diag_adjoint(grad, v, k=0):
    """The cotangent of ``v`` in ``np.diag(v, k)`` (1-d ``v``: a diagonal of ``grad``;
    2-d ``v``: ``grad`` placed on the diagonal)."""
    if np.ndim(v) == 1:
        return np.diagonal(grad, k)
    return undiagonal(grad, v, k, 0, 1)


def unrepeat(grad, like, repeats, axis=None):
    """The adjoint of ``np.repeat(like, repeats, axis)``: the sums of the repeated groups."""
    shape = np.shape(like)
    if axis is None:
        grad, ax, shp = np.ravel(grad), 0, (int(np.size(like)),)
    else:
        ax, shp = axis % len(shape), tuple(shape)
    n = shp[ax]
    reps = [int(x) for x in np.ravel(repeats)]
    if len(reps) == 1:
        g = np.reshape(grad, shp[:ax] + (n, reps[0]) + shp[ax + 1:])
        out = np.sum(g, axis=ax + 1)
    else:
        cuts = list(accumulate(reps))[:-1]
        pieces = [np.sum(p, axis=ax) for p in np.split(grad, cuts, axis=ax)]
        out = np.stack(pieces, axis=ax)
    return np.reshape(out, shape)


def untile(grad, like, reps):
    """The adjoint of ``np.tile(like, reps)``: the sum over the tiles."""
    reps = (reps,) if np.ndim(reps) == 0 else tuple(reps)
    shape = np.shape(like)
    d = max(len(reps), len(shape))
    sp = (1,) * (d - len(shape)) + tuple(shape)
    rp = (1,) * (d - len(reps)) + tuple(int(r) for r in reps)
    g = np.reshape(grad, tuple(x for pair in zip(rp, sp) for x in pair))
    return np.reshape(np.sum(g, axis=tuple(range(0, 2 * d, 2))), shape)


_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def _pad_widths(pad_width, nd):
    pw = np.broadcast_to(np.asarray(pad_width, dtype=int), (nd, 2))  # host ints, not data
    return [(int(b), int(a)) for b, a in pw.tolist()]


def unpad(grad, like, pad_width, mode="constant"):
    """The adjoint of ``np.pad(like, pad_width, mode)`` (constant, edge, reflect,
    symmetric, wrap): each padded entry's cotangent goes back to the entry it copies."""
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"no derivative rule for np.pad with mode={mode!r}")
    nd = np.ndim(like)
    g = grad
    for ax, (before, after) in enumerate(_pad_widths(pad_width, nd)):
        n = np.shape(like)[ax]
        if before == 0 and after == 0:
            continue
        if mode == "constant":
            idx = [slice(None)] * nd
            idx[ax] = slice(before, before + n)
            g = g[tuple(idx)]
            continue
        src = np.pad(np.arange(n), (before, after), mode=mode).tolist()  # host ints
        g = _fold(g, src, n, ax)
    return g


def _fold(g, src, n, ax):
    """Sum the entries of ``g`` along ``ax`` into ``n`` entries: entry p goes to src[p].
    Runs of consecutive sources become slice additions."""
    shape = list(np.shape(g))
    shape[ax] = n
    out = np.zeros_like(g, shape=tuple(shape))
    p = 0
    while p < len(src):
        q = p + 1
        step = 0
        if q < len(src) and abs(src[q] - src[p]) == 1:
            step = src[q] - src[p]
            while q < len(src) and src[q] - src[q - 1] == step:
                q += 1
        lo, hi = src[p], src[q - 1]
        gi = [slice(None)] * len(shape)
        gi[ax] = slice(p, q)
        piece = g[tuple(gi)]
        oi = [slice(None)] * len(shape)
        if step >= 0:
            oi[ax] = slice(lo, hi + 1)
        else:
            piece = np.flip(piece, ax)
            oi[ax] = slice(hi, lo + 1)
        out[tuple(oi)] += piece
        p = q
    return out


def pad_tangent(t, pad_width, mode="constant"):
    """``np.pad(t, pad_width, mode)`` with zero constants (the tangent of the array)."""
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"no derivative rule for np.pad with mode={mode!r}")
    return np.pad(t, pad_width, mode=mode)


# -- sorting, taking ---------------------------------------------------------------------------
def sort_perm(a, axis=-1):
    """``np.argsort(a, axis, kind='stable')`` (``axis=None``: of the flattened ``a``)."""
    if axis is None:
        return np.argsort(np.ravel(a), kind="stable")
    return np.argsort(a, axis=axis, kind="stable")


def partition_perm(a, kth, axis=-1):
    """``np.argpartition(a, kth, axis)`` (``axis=None``: of the flattened ``a``)."""
    if axis is None:
        return np.argpartition(np.ravel(a), kth)
    return np.argpartition(a, kth, axis=axis)


def flat_if_none(a, axis):
    """``np.ravel(a)`` for ``axis=None`` (sort, partition and take flatten), else ``a``."""
    return np.ravel(a) if axis is None else a


def untake_along_axis(grad, like, indices, axis):
    """The adjoint of ``np.take_along_axis(like, indices, axis)`` (repeated indices add up;
    ``axis=None``: ``like`` was flattened)."""
    if axis is None:
        return np.reshape(untake_along_axis(grad, np.ravel(like), indices, 0), np.shape(like))
    nd = np.ndim(like)
    ax = axis % nd
    shape = np.shape(like)
    ishape = np.shape(indices)
    bshape = tuple(max(s, i) if k != ax else 0 for k, (s, i) in enumerate(zip(shape, ishape)))
    bi = bshape[:ax] + (ishape[ax],) + bshape[ax + 1:]
    idx = np.moveaxis(np.broadcast_to(indices, bi), ax, -1)
    g = np.moveaxis(np.broadcast_to(grad, bi), ax, -1)
    n, m = shape[ax], ishape[ax]
    lead = np.shape(idx)[:-1]
    rows = 1
    for s in lead:
        rows *= s
    idx2 = np.reshape(idx, (rows, m)) % max(n, 1)
    one = np.ones_like(idx2[:, :1])
    row = np.cumsum(one, axis=0) - one
    flat_idx = np.ravel(idx2 + row * n)
    out = np.zeros_like(grad, shape=(rows * n,), dtype=_cot_dtype(grad, like))
    np.add.at(out, flat_idx, np.ravel(g))
    out = np.moveaxis(np.reshape(out, lead + (n,)), -1, ax)
    return unbroadcast(out, like)


def untake(grad, like, indices, axis=None, mode="raise"):
    """The adjoint of ``np.take(like, indices, axis, mode=mode)`` (repeats add up)."""
    if axis is None:
        return np.reshape(untake(grad, np.ravel(like), indices, 0, mode), np.shape(like))
    ax = axis % np.ndim(like)
    n = np.shape(like)[ax]
    if isinstance(indices, (list, tuple, int)):  # host index lists stay host lists
        indices = np.asarray(indices).tolist()
        fix = (lambda i: i % n) if mode == "wrap" else (lambda i: min(max(i, 0), n - 1))
        indices = _map_nested(indices, fix) if mode in ("wrap", "clip") else indices
    elif mode == "wrap":
        indices = np.mod(indices, n)
    elif mode == "clip":
        indices = np.clip(indices, 0, n - 1)
    out = np.zeros_like(like, dtype=_cot_dtype(grad, like))
    np.add.at(out, (slice(None),) * ax + (indices,), grad)
    return out


def _map_nested(x, f):
    return [_map_nested(e, f) for e in x] if isinstance(x, list) else f(x)


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
        raise NotImplementedError("np.gradient's rules take scalar spacings only")
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
        raise NotImplementedError("no derivative rule for np.interp with period")
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
        raise NotImplementedError(f"no derivative rule for quantiles with method={method!r}")
    if axis is None:
        a = np.ravel(a)
        axis = 0
    if isinstance(axis, (tuple, list)):
        raise NotImplementedError("quantile rules take one axis (or None)")
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


# -- select, linspace, convolve, polyval ----------------------------------------------------
def _chosen(condlist):
    taken = None
    out = []
    for c in condlist:
        c = np.asarray(c) if isinstance(c, (bool, list)) else c
        out.append(c if taken is None else np.logical_and(c, np.logical_not(taken)))
        taken = c if taken is None else np.logical_or(taken, c)
    return out, taken


def select_none(condlist):
    """Where no condition of ``np.select`` holds (the default is taken).  Non-differentiable."""
    return np.logical_not(_chosen(condlist)[1])


def unselect(grad, condlist, likes):
    """The cotangents of ``np.select``'s choices: ``grad`` where each is chosen."""
    chosen, _ = _chosen(condlist)
    out = []
    for c, x in zip(chosen, likes):
        if _is_zero(x):
            out.append(0.0)
            continue
        out.append(unbroadcast(np.where(c, grad, np.zeros_like(grad)), x))
    return out


def select_like(grads, condlist, like):
    """``np.select(condlist, grads, 0)`` shaped like ``like`` (zero entries skipped): the
    tangent of ``np.select`` for tangents of its choices."""
    chosen, _ = _chosen(condlist)
    z = np.zeros_like(like, dtype=_float_of(like))
    total = z
    for c, gi in zip(chosen, grads):
        if not _is_zero(gi):
            total = total + np.where(c, gi, z)
    return total


def linspace_weights(ans, num=50, endpoint=True, axis=0):
    """``np.linspace(0, 1, num, endpoint)`` along ``axis`` of ``ans``.  Non-differentiable."""
    one = np.ones_like(ans, shape=(num,), dtype=_float_of(ans))
    w = (np.cumsum(one) - one) / max((num - 1) if endpoint else num, 1)
    shape = [1] * np.ndim(ans)
    shape[axis % np.ndim(ans)] = num
    return np.reshape(w, tuple(shape))


def convolve_adjoint(grad, like, other, mode="full"):
    """The cotangent of ``like`` in ``np.convolve(like, other, mode)`` (1-d)."""
    n, m = np.shape(like)[0], np.shape(other)[0]
    full = n + m - 1
    size = np.shape(grad)[0]
    if size != full:
        off = (min(n, m) - 1) // 2 if mode == "same" else min(n, m) - 1
        grad = np.pad(grad, (off, full - size - off))
    return np.correlate(grad, other, "valid") if n >= m else np.flip(
        np.correlate(other, grad, "valid"))


def poly_powers(p):
    """The exponents of ``p``'s coefficients (highest first), as floats like ``p``."""
    one = np.ones_like(p, dtype=_float_of(p))
    return np.flip(np.cumsum(one) - one)


def poly_column(x, p):
    """``x[..., None]`` (an array of ``p``'s library for a Python number ``x``)."""
    if _is_scalar(x):
        return np.full_like(p, x, shape=(1,), dtype=_float_of(p))
    return np.expand_dims(x, -1)


def poly_uncolumn(grad, x):
    """The adjoint of ``poly_column``: ``grad`` shaped like ``x``."""
    return np.reshape(grad, np.shape(x))


def poly_axes(x):
    """The axes of ``x`` (summed over in the cotangent of polyval's coefficients)."""
    return tuple(range(np.ndim(x)))


# -- complex parts, FFT ------------------------------------------------------------------------
def imag_grad(grad, like):
    """The cotangent of ``like`` in ``np.imag(like)``: ``-1j * grad`` for complex ``like``,
    zeros for real ``like``."""
    if np.iscomplexobj(like):
        return -1j * grad
    return np.zeros_like(grad, dtype=_float_of(like))


def angle_scale(deg=False):
    """180/pi for ``np.angle(z, deg=True)``, else 1.0.  Non-differentiable."""
    return 57.29577951308232 if deg else 1.0


def hsplit_axis(a):
    """The axis ``np.hsplit`` splits along (0 for 1-d ``a``, else 1)."""
    return 0 if np.ndim(a) <= 1 else 1


def rollaxis_axes(ndim, axis, start=0):
    """The permutation ``np.rollaxis(a, axis, start)`` applies (``np.transpose`` axes)."""
    axis = axis % ndim
    start = start + ndim if start < 0 else start
    perm = list(range(ndim))
    if axis < start:
        start -= 1
    if axis != start:
        perm.remove(axis)
        perm.insert(start, axis)
    return tuple(perm)


def fit_to(grad, like, axes):
    """``grad`` cut or zero-padded along ``axes`` to ``like``'s shape there (the adjoint
    of itself with the roles swapped)."""
    axes = (axes,) if isinstance(axes, (int, np.integer)) else tuple(axes)
    nd = np.ndim(grad)
    shape = np.shape(like)
    widths = [(0, 0)] * nd
    cut = [slice(None)] * nd
    padded = False
    for ax in axes:
        ax = ax % nd
        n, m = np.shape(grad)[ax], shape[ax]
        if m < n:
            cut[ax] = slice(0, m)
        elif m > n:
            widths[ax] = (0, m - n)
            padded = True
    g = grad[tuple(cut)]
    return np.pad(g, widths) if padded else g


def fft_len(a, n, axis):
    """The transform length of a 1-d FFT of ``a`` along ``axis``."""
    return n if n is not None else np.shape(a)[axis]


def fftn_parts(a, s=None, axes=None):
    """(s, axes) of an n-d FFT made explicit (NumPy's defaults)."""
    nd = np.ndim(a)
    if axes is None:
        axes = tuple(range(nd - len(s), nd)) if s is not None else tuple(range(nd))
    axes = tuple(ax % nd for ax in axes)
    if s is None:
        s = tuple(np.shape(a)[ax] for ax in axes)
    return tuple(s), axes


def swap_norm(norm):
    """The norm whose forward transform scales like ``norm``'s inverse."""
    return {None: "forward", "backward": "forward", "forward": "backward"}.get(norm, norm)


def irfft_weights(g, n, axis):
    """1, 2, ..., 2, (1) along ``axis``: how often each half-spectrum entry of a real
    inverse FFT of length ``n`` counts.  Non-differentiable."""
    m = n // 2 + 1
    w = np.ones_like(np.real(g), shape=(m,)) * 2
    w[0] = 1
    if n % 2 == 0:
        w[-1] = 1
    shape = [1] * np.ndim(g)
    shape[axis % np.ndim(g)] = m
    return np.reshape(w, tuple(shape))


def match_real(grad, like):
    """``np.real(grad)`` for a real ``like`` (the cotangent of a real input), else ``grad``."""
    return grad if np.iscomplexobj(like) else np.real(grad)


def rot90_axes(axes=None):
    """``np.rot90``'s default axes (0, 1) for None."""
    return (0, 1) if axes is None else tuple(axes)


def fft2_axes(axes=None):
    """The 2-d FFTs' default axes (-2, -1) for None."""
    return (-2, -1) if axes is None else tuple(axes)


def unappend(grad, arr, values, axis, k):
    """The cotangent of ``arr`` (k=0) or ``values`` (k=1) in ``np.append(arr, values, axis)``."""
    return split_like(grad, (arr, values), axis)[k]


def append_piece(x, arr, values, axis, k):
    """The tangent of ``np.append(arr, values, axis)`` for a tangent ``x`` of argument k."""
    parts = (arr, values)
    if axis is None:
        shape = (int(np.size(arr)) + int(np.size(values)),)
    else:
        sa, ax = list(np.shape(arr)), axis % np.ndim(arr)
        sa[ax] += np.shape(values)[ax]
        shape = tuple(sa)
    base = arr if hasattr(arr, "shape") else (values if hasattr(values, "shape") else x)
    like = np.zeros_like(base, shape=shape, dtype=_float_of(x))
    if _is_scalar(x):  # a Python or NumPy number: as an array of the arguments' library
        x = np.full_like(like, x, shape=())
    return concat_like((x, 0.0) if k == 0 else (0.0, x), parts, like, axis)


def real_part(x):
    """``x.real`` for complex ``x``, else ``x`` itself (a float stays a float)."""
    return x.real if np.iscomplexobj(x) else x
