"""Tangent helpers of forward-mode generated code: item writes and their undo, list
appends/pops, and the tangent of ``np.array`` of differentiated entries."""

from __future__ import annotations

import numpy as np

from ..backends.arrays import is_array as _is_array
from .adjoints import MISSING, is_zero, part

__all__ = [
    "array_entries", "array_parts", "array_tangent", "as_float_tangent", "number_entries",
    "tangent_append", "tangent_list", "tangent_pop", "tangent_restore", "tangent_setitem",
    "zero_tangent",
]

_ndarray = np.ndarray
_F8 = np.dtype(np.float64)


def zero_tangent(x):
    """The tangent of an entry of a tuple or list that is not differentiated: zeros shaped
    like it when it is an array (a rule reading the tangent's shape, e.g. in a helper's
    recorded arguments at second order, needs it), else ``0.0``."""
    if _is_array(x):
        return np.zeros_like(x, dtype=x.dtype if x.dtype.kind in "fc" else float)
    return 0.0


def tangent_setitem(t, x, idx, tv):
    """Tangent of ``x`` after ``x[idx] = v``: a copy of ``t`` with ``tv`` at ``idx``."""
    if isinstance(x, _ndarray):
        out = np.zeros_like(x, dtype=x.dtype if x.dtype.kind in "fc" else float)
        if not is_zero(t):
            out[...] = t
        out[idx] = tv
        return out
    if isinstance(x, list):
        out = list(t) if isinstance(t, list) else [0.0] * len(x)
        out[idx] = tv
        return out
    if isinstance(x, dict):
        out = dict(t) if isinstance(t, dict) else {}
        out[idx] = tv
        return out
    raise TypeError(f"cannot differentiate item assignment into a {type(x).__name__}")


def as_float_tangent(t):
    """A scalar derivative as a Python float (np.float64 and 0-d arrays included)."""
    if type(t) is float:
        return t
    if np.ndim(t) == 0:
        return float(t)
    return t


def tangent_restore(t, x, idx, told):
    """Tangent of ``x`` after ``restore_item(x, idx, old)``."""
    if isinstance(x, dict) and idx not in x:
        out = dict(t) if isinstance(t, dict) else {}
        out.pop(idx, None)
        return out
    return tangent_setitem(t, x, idx, 0.0 if told is MISSING else told)


def tangent_append(d, lst, t):
    """The tangent list of ``lst`` after ``lst.append(v)`` (a zero tangent becomes a list)."""
    if not isinstance(d, list):
        d = [0.0] * len(lst)
    d.append(t)
    return d


def tangent_pop(d):
    """The tangent of ``lst.pop()`` (0.0 when the list's tangent is zero)."""
    if isinstance(d, list) and d:
        v = d.pop()
        return 0.0 if v is None else v
    return 0.0


def tangent_list(lst):
    """A zero tangent for a list that starts receiving differentiated entries."""
    return [0.0] * len(lst)



# -- np.array / np.asarray of differentiated values ----------------------------------------
def array_parts(g, obj):
    """The cotangent ``g`` of ``np.array(obj)`` split like the nested lists ``obj``."""
    if isinstance(obj, (list, tuple)):
        if type(g) is _ndarray and g.ndim == 1 and len(g) == len(obj):
            for o in obj:
                if isinstance(o, (list, tuple)):
                    break
            else:
                # numbers: their cotangents (float64: Python floats, equal values)
                return g.tolist() if g.dtype is _F8 else [g[i] for i in range(len(obj))]
        return [array_parts(g[i], o) for i, o in enumerate(obj)]
    return g


def array_entries(g, obj):
    """``[part(array_parts(g, obj), k) for k in range(len(obj))]`` in one call: the
    cotangents of the entries of the list ``obj`` that ``np.array`` read, where ``g`` is
    the array's cotangent (for a float64 vector of numbers, its ``tolist()``).

    >>> array_entries(np.array([1.0, 2.0]), [0.5, 0.25])
    [1.0, 2.0]
    >>> [complex(v) for v in array_entries(np.array([1j, 2.0]), [0.5, 0.25])]
    [1j, (2+0j)]
    """
    if type(g) is _ndarray and g.dtype is _F8 and g.ndim == 1 and len(g) == len(obj) and \
            type(obj) is list:
        for o in obj:
            if isinstance(o, (list, tuple)):
                break
        else:
            return g.tolist()
    parts = array_parts(g, obj)
    return [part(parts, k) for k in range(len(obj))]


def number_entries(g, obj):
    """``array_entries(g, obj)`` where the generated code knows every entry of the list
    ``obj`` is a number (a float, an ``np.float64`` or an int): ``np.array(obj)`` is then
    a vector as long as ``obj``, and a float64 cotangent of that shape is split by its
    ``tolist()`` without looking at the entries.

    >>> number_entries(np.array([1.0, 2.0]), [0.5, 0.25])
    [1.0, 2.0]
    >>> [complex(v) for v in number_entries(np.array([1j, 2.0]), [0.5, 0.25])]
    [1j, (2+0j)]
    """
    if type(g) is _ndarray and g.dtype is _F8 and g.shape == (len(obj),):
        return g.tolist()
    return array_entries(g, obj)


def array_tangent(t, ans):
    """The tangent of ``np.array(obj)`` from the (nested) list of entry tangents ``t``.
    Where ``ans`` is itself a list (``array_parts`` of cotangent pieces that were already
    a list, as ``np.concatenate``'s adjoint makes them), the tangent keeps that list."""
    if isinstance(t, (list, tuple)) and isinstance(ans, (list, tuple)):
        return [array_tangent(ti, ai) if isinstance(ti, (list, tuple)) else ti
                for ti, ai in zip(t, ans)]
    if isinstance(t, (list, tuple)):
        out = np.zeros_like(ans, dtype=ans.dtype if ans.dtype.kind in "fc" else float)
        for i, ti in enumerate(t):
            out[i] = array_tangent(ti, ans[i]) if isinstance(ti, (list, tuple)) else ti
        return out
    return t
