"""Helpers of the breadth rules: select, linspace, convolve, polyval, complex parts and
the FFT (linear adjoints, see :mod:`.more`)."""

from __future__ import annotations

import numpy as np

from ._common import _float_of, _is_scalar, _is_zero
from .broadcasting import unbroadcast
from .shapes import concat_like, split_like


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
