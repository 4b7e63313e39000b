"""Helpers of the rules in :mod:`ast_ad.rules.numpy_breadth`: ``trapezoid`` weights,
``cov``'s stacking of variables, ``correlate``'s adjoints, the index bookkeeping of
``ediff1d``/``compress``/``extract``/``delete``/``insert`` and ``choose``.

Linear helpers have transposes declared beside the rules; the others are
non-differentiable (index sets, normalising factors, checks that refuse a form).
"""

from __future__ import annotations

from itertools import accumulate

import numpy as np

from ...errors import UndefinedDerivativeError
from ._common import _cot_dtype, _float_of, _is_scalar, _is_zero
from .broadcasting import unbroadcast
from .statistics import undiff


def _zero(*xs):
    """A symbolic zero tangent (the float 0.0 the forward sweep passes for a recorded value
    without a tangent) among the linear inputs: the result is zero too."""
    return any(type(x) is float and x == 0.0 for x in xs)


def tangent_or_zeros(t, like):
    """``t``, or zeros like ``like`` for the symbolic zero 0.0 (the tangent the forward sweep
    passes for a recorded value that has none), so a shape-sensitive forward rule sees an
    array of the right shape.  Linear in ``t``."""
    return np.zeros_like(like, dtype=_float_of(like)) if _zero(t) else t


def _along(x, ax, sl):
    idx = [slice(None)] * np.ndim(x)
    idx[ax] = sl
    return x[tuple(idx)]


def _edge_pad(d, ax, before):
    """``d`` with one zero slab before (or after) it along ``ax``."""
    z = np.zeros_like(_along(d, ax, slice(0, 1))) if np.shape(d)[ax] else np.zeros_like(
        d, shape=tuple(1 if k == ax else s for k, s in enumerate(np.shape(d))))
    return np.concatenate([z, d] if before else [d, z], axis=ax)


def _trap_x(x, like, axis):
    """``x`` aligned with ``like`` along ``axis`` (a 1-d ``x`` of a many-axis ``like``)."""
    nd = np.ndim(like)
    ax = axis % nd
    if np.ndim(x) == 1 and nd > 1:
        return np.reshape(x, tuple(-1 if k == ax else 1 for k in range(nd))), ax
    return x, axis % max(np.ndim(x), 1)


def trap_w(x, dx, like, axis=-1):
    """The weights ``w`` with ``np.trapezoid(like, x, dx, axis) == np.sum(w * like, axis)``:
    half the spacing on each side of a sample (``dx`` when ``x`` is None).  Linear in ``x``
    (and in ``dx`` when ``x`` is None).  A sample grid ``x`` that would broadcast ``like``
    to a larger shape is refused."""
    if _zero(x):
        return 0.0
    if x is None:
        ax = axis % np.ndim(like)
        d = np.ones_like(_along(like, ax, slice(1, None)), dtype=_float_of(like)) * dx
    else:
        x1, ax = _trap_x(x, like, axis)
        d = np.diff(x1, axis=ax)
        if np.broadcast_shapes(np.shape(x1), np.shape(like)) != np.shape(like):
            raise UndefinedDerivativeError(
                "no derivative rule for np.trapezoid with sample points x of shape "
                f"{np.shape(x)} that broadcast y of shape {np.shape(like)} to a larger shape")
    return (_edge_pad(d, ax, True) + _edge_pad(d, ax, False)) / 2


def untrap_w(grad, x, axis=-1):
    """The adjoint of :func:`trap_w` in ``x``: ``grad`` (shaped like the weights' broadcast)
    back to the shape of ``x``."""
    if _zero(grad):
        return 0.0
    x1, ax = _trap_x(x, grad, axis)
    half = (_along(grad, ax, slice(1, None)) + _along(grad, ax, slice(None, -1))) / 2
    return np.reshape(unbroadcast(undiff(half, x1, 1, ax), x1), np.shape(x))


def trap_dw(x, like, axis=-1):
    """d trap_w / d dx: the unit weights when ``x`` is None, zeros when sample points are
    given (``dx`` is then unused).  Non-differentiable."""
    w = trap_w(x, 1.0, like, axis)
    return w if x is None else 0.0 * w


# -- cov / corrcoef ------------------------------------------------------------------------------
def _rows(m, rowvar):
    x = m if np.ndim(m) >= 2 else np.reshape(m, (1, -1) if np.ndim(m) == 1 else (1, 1))
    return x if rowvar or np.shape(x)[0] == 1 else np.swapaxes(x, 0, 1)


def cov_rows(m, y=None, rowvar=True):
    """The variables of ``np.cov(m, y, rowvar)`` as the rows of one matrix (NumPy's
    ``ndmin=2``, transposition and stacking).  Linear in ``m`` and ``y`` together."""
    x = _rows(m, rowvar)
    return x if y is None else np.concatenate([x, _rows(y, rowvar)], axis=0)


def _unrows(grad, like, rowvar):
    return np.reshape(_rows(grad, rowvar) if np.ndim(like) < 2 else (
        grad if rowvar or np.shape(like)[0] == 1 else np.swapaxes(grad, 0, 1)), np.shape(like))


def cov_unrows_m(grad, m, y=None, rowvar=True):
    """The part of a cotangent of :func:`cov_rows` that belongs to ``m``."""
    k = np.shape(_rows(m, rowvar))[0]
    return _unrows(grad[:k], m, rowvar)


def cov_unrows_y(grad, m, y=None, rowvar=True):
    """The part of a cotangent of :func:`cov_rows` that belongs to ``y``."""
    k = np.shape(_rows(m, rowvar))[0]
    return _unrows(grad[k:], y, rowvar)


def cov_fact(x, ddof=None, bias=False):
    """The normalisation ``N - ddof`` of ``np.cov`` over the rows ``x`` (no weights).  A
    complex ``x`` is refused (its covariance conjugates).  Non-differentiable."""
    if np.iscomplexobj(x):
        raise UndefinedDerivativeError("no derivative rule for np.cov/np.corrcoef of complex data")
    if ddof is None:
        ddof = 0 if bias else 1
    return float(np.shape(x)[1] - ddof)


# -- correlate -------------------------------------------------------------------------------------
def _corr_full(grad, n, m, mode):
    """The cotangent of ``np.correlate(a, v, mode)`` (lengths n, m) padded to mode 'full'."""
    full = n + m - 1
    size = np.shape(grad)[0]
    if size == full:
        return grad
    if mode == "same":
        off = (min(n, m) - 1) // 2 if n >= m else min(n, m) // 2
    else:
        off = min(n, m) - 1
    return np.pad(grad, (off, full - size - off))


def _corr_real(*xs):
    if any(np.iscomplexobj(x) for x in xs):
        raise UndefinedDerivativeError("no derivative rule for np.correlate of complex arrays "
                                  "(it conjugates v); use np.convolve")


def correlate_adjoint_a(grad, a, v, mode="valid"):
    """The cotangent of ``a`` in ``np.correlate(a, v, mode)`` (1-d, real): with the full
    cotangent ``G``, ``g_a[n] = sum_j v[j] G[n + m - 1 - j]``, a valid convolution."""
    if _zero(grad, v):
        return 0.0
    _corr_real(a, v, grad)
    n, m = np.shape(a)[0], np.shape(v)[0]
    return np.convolve(_corr_full(grad, n, m, mode), v, "valid")


def correlate_adjoint_v(grad, a, v, mode="valid"):
    """The cotangent of ``v`` in ``np.correlate(a, v, mode)`` (1-d, real):
    ``g_v[m - 1 - i] = sum_n G[n + i] a[n]``, a valid correlation reversed."""
    if _zero(grad, a):
        return 0.0
    _corr_real(a, v, grad)
    n, m = np.shape(a)[0], np.shape(v)[0]
    return np.flip(np.correlate(_corr_full(grad, n, m, mode), a, "valid"))


# -- selections: where each result entry comes from -------------------------------------------
# A function that only places entries of its arguments (``insert``, ``delete``, ``compress``,
# ``extract``, ``choose``, ``block``) is run once on integer labels of the entries; the
# labelled result says which entry of which argument each result entry is (``-1``: none).
# The cotangent is then a scatter of ``grad`` and the tangent a gather: exact for every form
# NumPy accepts (broadcast values, slices, boolean masks, negative positions).
def _labels(x, start=0):
    """0, 1, ... over the entries of ``x`` (made from ``x``: on its device)."""
    ones = np.ones_like(x, dtype=np.int64)
    return np.reshape(np.cumsum(ones) - 1 + int(start), np.shape(ones))


def _own(labels, lo, n):
    return np.where((labels >= lo) & (labels < lo + n), labels - lo, -1)


def gather(x, pos):
    """Entries of ``x`` (flattened) at the labels ``pos`` (zero at -1), shaped like ``pos``."""
    if _zero(x):
        return np.zeros_like(pos, dtype=np.float64)
    if _is_scalar(x):  # a Python number's tangent: made where the labels live
        x = np.zeros_like(pos, dtype=_float_of(x), shape=(1,)) + x
    flat = np.ravel(x)
    n = int(np.size(flat))
    ext = np.concatenate([flat, np.zeros_like(flat, shape=(1,))])
    return np.reshape(ext[np.ravel(np.where(pos < 0, n, pos))], np.shape(pos))


def scatter(grad, pos, like):
    """The adjoint of :func:`gather`: ``grad`` added at the labels ``pos`` into zeros shaped
    like ``like`` (entries labelled -1 dropped)."""
    n = int(np.size(like))
    out = np.zeros_like(grad, dtype=_cot_dtype(grad, like), shape=(n + 1,))
    np.add.at(out, np.ravel(np.where(pos < 0, n, pos)), np.ravel(grad))
    return np.reshape(out[:n], np.shape(like))


def ediff1d_parts(ary, to_end=None, to_begin=None):
    """The slices of ``np.ediff1d(ary, to_end, to_begin)`` holding the prepended values,
    the differences and the appended values.  Non-differentiable."""
    nb = 0 if to_begin is None else int(np.size(to_begin))
    ne = 0 if to_end is None else int(np.size(to_end))
    nd = max(int(np.size(ary)) - 1, 0)
    return slice(0, nb), slice(nb, nb + nd), slice(nb + nd, nb + nd + ne)


def pos_insert(arr, obj, values, axis, k):
    """Labels of ``np.insert(arr, obj, values, axis)``'s entries in ``arr`` (``k == 0``) or
    in ``values`` (``k == 1``).  Non-differentiable."""
    out = np.insert(_labels(arr), obj, -1 - _labels(values), axis)
    return np.where(out >= 0, out, -1) if k == 0 else np.where(out < 0, -1 - out, -1)


def pos_delete(arr, obj, axis=None):
    """Labels of ``np.delete(arr, obj, axis)``'s entries in ``arr``.  Non-differentiable."""
    return np.delete(_labels(arr), obj, axis)


def pos_compress(condition, a, axis=None):
    """Labels of ``np.compress(condition, a, axis)``'s entries.  Non-differentiable."""
    return np.compress(condition, _labels(a), axis)


def pos_extract(condition, arr):
    """Labels of ``np.extract(condition, arr)``'s entries.  Non-differentiable."""
    return np.extract(condition, _labels(arr))


def _choose_labels(a, choices, mode):
    if not isinstance(choices, (list, tuple)):
        return np.choose(a, _labels(choices), mode=mode), None
    starts = [0, *accumulate(int(np.size(c)) for c in choices)]
    return np.choose(a, [_labels(c, s) for c, s in zip(choices, starts)], mode=mode), starts


def unchoose(grad, a, choices, mode="raise"):
    """The cotangent of ``choices`` in ``np.choose(a, choices, mode=mode)`` (a list for a
    list of choices, an array for an array)."""
    lab, starts = _choose_labels(a, choices, mode)
    if starts is None:
        return scatter(grad, lab, choices)
    return [scatter(grad, _own(lab, s, int(np.size(c))), c) for c, s in zip(choices, starts)]


def choose_tangent(a, ts, choices, mode="raise"):
    """The tangent of ``np.choose(a, choices, mode=mode)`` for the tangent ``ts`` of
    ``choices`` (zero entries None/0.0 skipped): the adjoint of :func:`unchoose`."""
    lab, starts = _choose_labels(a, choices, mode)
    if starts is None:
        return gather(ts, lab)
    out = None
    for ti, c, s in zip(ts, choices, starts):
        if not _is_zero(ti):
            part = gather(ti, _own(lab, s, int(np.size(c))))
            out = part if out is None else out + part
    return out


def _leaves(x):
    return [e for b in x for e in _leaves(b)] if isinstance(x, list) else [x]


def _nest(x, it):
    return [_nest(b, it) for b in x] if isinstance(x, list) else next(it)


def _block_labels(arrays):
    leaves = _leaves(arrays)
    starts = [0, *accumulate(int(np.size(e)) for e in leaves)]
    it = iter([_labels(e, s) for e, s in zip(leaves, starts)])
    return np.block(_nest(arrays, it)), leaves, starts


def unblock(grad, arrays):
    """The cotangent of the nested list ``arrays`` in ``np.block(arrays)`` (same nesting)."""
    lab, leaves, starts = _block_labels(arrays)
    parts = [scatter(grad, _own(lab, s, int(np.size(e))), e) for e, s in zip(leaves, starts)]
    return _nest(arrays, iter(parts))


def block_tangent(ts, arrays):
    """The tangent of ``np.block(arrays)`` for the (nested) tangent ``ts``: the adjoint of
    :func:`unblock`."""
    lab, leaves, starts = _block_labels(arrays)
    out = None
    for ti, e, s in zip(_leaves(ts) if isinstance(ts, list) else [ts], leaves, starts):
        if not _is_zero(ti):
            part = gather(ti, _own(lab, s, int(np.size(e))))
            out = part if out is None else out + part
    return out



# -- np.r_ / np.c_ ----------------------------------------------------------------------------
def index_concat(trick, *items):
    """``trick[items]`` for ``trick`` ``np.r_`` or ``np.c_``: the front end writes
    ``np.r_[a, 0:3, b]`` as ``index_concat(np.r_, a, slice(0, 3), b)`` so that it gets rules."""
    return trick[items]


def pos_index_concat(trick, k, *items):
    """Labels of ``trick[items]``'s entries in ``items[k]`` (-1 elsewhere: other items,
    ``0:3`` ranges).  ``items`` may end in Nones (the unused slots of the rules).
    Non-differentiable."""
    items = tuple(it for it in items if it is not None)
    labelled, start = [], 0
    for it in items:
        if isinstance(it, str):
            labelled.append(it)
        elif isinstance(it, slice):
            labelled.append(np.full_like(np.r_[it], -1, dtype=np.int64))
        else:
            labelled.append(_labels(it, start))
            start += int(np.size(it))
    lo = sum(int(np.size(it)) for it in items[:k] if not isinstance(it, (str, slice)))
    return _own(trick[tuple(labelled)], lo, int(np.size(items[k])))

# list results (for a list of choices or blocks): their tangents and cotangents add entry by
# entry (analysis.kinds), never with + (which would concatenate the lists)
unchoose.sequence_result = unblock.sequence_result = True
