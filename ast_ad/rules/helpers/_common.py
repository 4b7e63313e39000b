"""Private utilities of the helpers: dtypes, zeros, scalars and axes (never called by rules)."""

from __future__ import annotations

import operator

import numpy as np

_PY_SCALARS = (bool, int, float, complex)
_ndarray = np.ndarray


def _dtype(x):
    return getattr(x, "dtype", None)


def _float_of(x):
    """The floating dtype a derivative with respect to ``x`` should have."""
    d = _dtype(x)
    return d if d is not None and d.kind in "fc" else np.dtype(float)


def _cot_dtype(grad, like):
    """dtype of a cotangent ``grad`` placed into an array shaped like ``like``."""
    ld, gd = _dtype(like), _dtype(grad)
    if ld is not None and ld.kind in "fc":
        return ld if gd is None or gd.kind not in "fc" else np.promote_types(ld, gd)
    if gd is not None and gd.kind in "fc":
        return gd
    return np.dtype(complex) if isinstance(grad, complex) else np.dtype(float)


def _axes(axis, ndim):
    """``axis`` (None, int or sequence, negatives allowed) as a tuple of ints in [0, ndim)."""
    if axis is None:
        return tuple(range(ndim))
    n = max(ndim, 1)
    if isinstance(axis, (tuple, list)):
        return tuple(operator.index(a) % n for a in axis)
    return (operator.index(axis) % n,)


def _is_scalar(x):
    """A Python or NumPy scalar (not an array of any library, not even a 0-d one)."""
    return isinstance(x, (*_PY_SCALARS, np.generic))


def _zero_of(x):
    """A zero cotangent for a value ``x`` (Python number, array, or nested list/tuple)."""
    if isinstance(x, (list, tuple)):
        return type(x)(_zero_of(e) for e in x)
    if isinstance(x, _PY_SCALARS):
        return 0.0
    return np.zeros_like(x, dtype=_float_of(x))


def _is_zero(x):
    """The symbolic zeros of the runtime's adjoint convention: None and the float 0.0."""
    return x is None or (type(x) is float and x == 0.0)


def _is_basic_index(idx):
    """True when ``x[idx]`` cannot select one element twice (no integer-array indices)."""
    for it in idx if isinstance(idx, tuple) else (idx,):
        if it is None or it is Ellipsis or isinstance(it, (slice, bool, int, np.integer)):
            continue
        d = _dtype(it)
        if d is not None and (d.kind == "b" or np.ndim(it) == 0):
            continue
        return False
    return True
