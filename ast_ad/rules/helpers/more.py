"""Helpers of the breadth rules (:mod:`ast_ad.rules.numpy_more`, :mod:`ast_ad.rules.fft`).

The adjoints here are linear in their first argument (and some in others); each has rules
registered beside the rules that use it, mostly as another ``linear(...)`` line, so that
derivative code can be differentiated again.  Index and weight helpers are
non-differentiable (piecewise constant).  Arrays are only made from arrays given
(``*_like``), so the helpers run on any array library with NumPy's dispatch protocols.
"""

from __future__ import annotations

import operator
import string
from itertools import accumulate

import numpy as np

from ...errors import UndefinedDerivativeError
from ._common import _cot_dtype, _float_of
from .broadcasting import unbroadcast

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
        raise UndefinedDerivativeError(f"no derivative rule for np.pad with mode={mode!r}")
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
        raise UndefinedDerivativeError(f"no derivative rule for np.pad with mode={mode!r}")
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
