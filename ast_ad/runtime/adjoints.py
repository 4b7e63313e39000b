"""Adjoint helpers of reverse-mode generated code: seeds, sums of adjoints of any
structure, subscript reads/writes and their undo, zero adjoints.

Zero adjoints: an adjoint that received no contribution is ``0.0`` (a weak Python scalar
that broadcasts against anything); inside containers a missing entry is ``None``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..backends.arrays import dtype_of as _dtype_of  # eng15: arrays of other libraries
from ..backends.arrays import is_array as _is_array
from ..backends.arrays import is_foreign_array as _is_foreign
from ..errors import NonScalarOutputError, NoRuleError, UnsupportedConstructError

__all__ = [
    "MISSING", "accum_index", "accum_index_into", "add_grads", "as_float", "as_sequence",
    "check_no_view",
    "check_not_array", "check_output", "check_real",
    "check_unpack", "clear_grad", "fix_array", "is_zero", "part", "pop_grad", "push_grad",
    "restore_item", "save_item", "seed", "shape_token", "stop_gradient", "take_grad",
    "take_written", "last_written", "zeros_grad", "int_argument",
]

_ndarray = np.ndarray


def stop_gradient(x: Any) -> Any:
    """The value of ``x``; no gradient flows back through it.

    >>> import ast_ad
    >>> def f(x):
    ...     return x * ast_ad.stop_gradient(x)
    >>> ast_ad.grad(f)(3.0)
    3.0
    """
    return x


def check_real(y):
    """grad differentiates real-valued functions: a complex output is an error."""
    if type(y) is not float and getattr(getattr(y, "dtype", None), "kind", "") == "c" or \
            type(y) is complex:
        raise NonScalarOutputError(
            "grad needs a real scalar output, got a complex one; use ast_ad.vjp or "
            "ast_ad.jvp for complex outputs, or take np.real / np.abs of it")


def seed(y):
    """The cotangent 1 of a scalar output; NonScalarOutputError otherwise."""
    if type(y) is float:
        return 1.0
    check_real(y)
    shape = np.shape(y)
    if shape != () and shape != (1,) * len(shape):
        raise NonScalarOutputError(
            f"grad needs a scalar output, got shape {shape}; use ast_ad.vjp (or "
            "ast_ad.jacobian) for non-scalar outputs, or reduce the output (np.sum)"
        )
    if isinstance(y, (list, tuple, dict)):
        raise NonScalarOutputError(
            f"grad needs a scalar output, got a {type(y).__name__}; use ast_ad.vjp"
        )
    if shape != ():
        return np.ones_like(y)
    return 1.0


def check_output(y):
    """An output that does not depend on the differentiated arguments must still be a
    scalar number (its gradient is then zero)."""
    if isinstance(y, (bool, str, bytes)) or y is None or isinstance(y, (list, tuple, dict)):
        raise NonScalarOutputError(
            f"grad needs a scalar number as output, got {type(y).__name__}; return a float "
            "(use ast_ad.vjp for non-scalar outputs)")
    return seed(y)


_F8 = np.float64


def is_zero(g) -> bool:
    """``g`` is no contribution: None, the 0.0 filler, or the filler times a NumPy number
    (``np.float64(0.0)``: ``A[1, 2] * 0.0``, which the shape-dependent adjoints after the
    test must not see as a cotangent of an array)."""
    return g is None or ((type(g) is float or type(g) is _F8) and g == 0.0)


def add_grads(a, b):
    """a + b for adjoints of any structure (None/0.0 are zero; lists add elementwise)."""
    if a is None or (type(a) is float and a == 0.0 and not isinstance(b, (list, tuple, dict))):
        return b if b is not None else a
    if b is None or (type(b) is float and b == 0.0 and not isinstance(a, (list, tuple, dict))):
        return a
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        n = max(len(a), len(b))
        a = list(a) + [None] * (n - len(a))
        b = list(b) + [None] * (n - len(b))
        return [add_grads(x, y) for x, y in zip(a, b)]
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for k, v in b.items():
            out[k] = add_grads(out.get(k), v)
        return out
    if isinstance(a, (list, tuple, dict)) and is_zero(b):
        return a
    if isinstance(b, (list, tuple, dict)) and is_zero(a):
        return b
    return a + b


def part(g, k):
    """Entry ``k`` of a container adjoint (0.0 when absent)."""
    if g is None or (type(g) is float and g == 0.0):
        return 0.0
    try:
        v = g[k]
    except (IndexError, KeyError, TypeError):
        return 0.0
    return 0.0 if v is None else v


def as_sequence(it):
    """Something indexable with the items of ``it`` (lists/tuples/arrays/ranges as they are)."""
    if isinstance(it, (list, tuple, range, str)) or _is_array(it):
        return it
    return list(it)  # dicts (their keys), generators, other iterables


def check_unpack(seq, n):
    """Raise the error Python would for ``a, b = seq`` with the wrong length."""
    try:
        m = len(seq)
    except TypeError:
        return
    if m != n:
        raise ValueError(f"cannot unpack {m} values into {n} names")


class _Missing:
    """Marks a dict key that did not exist before a write."""

    def __repr__(self):
        return "<missing>"


MISSING = _Missing()


def shape_token(x):
    """A stand-in for ``x`` when only its shape and dtype are needed later: a read-only
    array of x's shape whose entries all alias one zero (no memory of its own; one token
    per shape and dtype, reused)."""
    if type(x) is _ndarray:
        key = (x.shape, x.dtype.char)
        tok = _TOKENS.get(key)
        if tok is None:
            dt = x.dtype if x.dtype.kind in "fc" else np.dtype(float)
            tok = np.ndarray(x.shape, dt, buffer=np.zeros(1, dt), strides=(0,) * x.ndim)
            tok.flags.writeable = False
            _TOKENS[key] = tok
        return tok
    return x


_TOKENS: dict = {}


def save_item(x, idx):
    """A copy of ``x[idx]`` (what a subscript write overwrites; MISSING for a new key)."""
    if isinstance(x, dict) and idx not in x:
        return MISSING
    v = x[idx]
    if _is_array(v):
        return v.copy()
    return v


def restore_item(x, idx, old):
    """Undo a subscript write: put ``old`` back (or remove a key that was new)."""
    if old is MISSING:
        del x[idx]
    else:
        x[idx] = old


def zeros_grad(x):
    """A zero adjoint shaped like ``x`` that generated code owns."""
    if _is_array(x):
        return np.zeros_like(x, dtype=x.dtype if x.dtype.kind in "fc" else float)
    if isinstance(x, (list, tuple)):
        return [None] * len(x)
    if isinstance(x, dict):
        return {}
    return 0.0


def accum_index(b, x, idx, g):
    """Adjoint of ``v = x[idx]``: ``b + (zeros like x with g at idx)``, in a new buffer.

    Repeated integer indices accumulate (``np.add.at``).
    """
    if isinstance(x, range):  # (a range of ints: nothing to differentiate)
        return b
    if is_zero(g):
        # an array's adjoint that holds nothing yet becomes a zero buffer all the same:
        # the generated code may update what this returns in place (`bx[j] += h`)
        return zeros_grad(x) if is_zero(b) and _is_array(x) else b
    if _is_array(x):
        if x.dtype.kind != "c" and np.iscomplexobj(g):
            g = g.real  # a real array's cotangent: the real part (as for a float parameter)
        if is_zero(b):
            out = zeros_grad(x)
        else:
            dt = np.result_type(_dtype_of(b), _dtype_of(g),
                                x.dtype if x.dtype.kind in "fc" else float)
            out = np.broadcast_to(b, x.shape).astype(dt)  # a new buffer, of b's library
        if type(out) is _ndarray and _is_foreign(g):  # eng15: a NumPy parameter's adjoint
            out = np.asarray(out, like=g)  # receiving Dask/CuPy values moves to g's library
        if _basic_index(idx):
            out[idx] += g
        else:
            np.add.at(out, idx, g)
        return out
    if isinstance(x, (list, tuple)):
        if isinstance(idx, str) and idx in getattr(x, "_fields", ()):
            idx = x._fields.index(idx)  # p.W of a NamedTuple: its entry
        out = list(b) if isinstance(b, (list, tuple)) else [None] * len(x)
        if isinstance(idx, slice):
            for k, gk in zip(range(*idx.indices(len(x))), g):
                out[k] = add_grads(out[k], gk)
        else:
            out[idx] = add_grads(out[idx], g)
        return out
    # a dict, or an object whose attribute ``idx`` was read: the adjoint is a dict
    out = dict(b) if isinstance(b, dict) else {}
    out[idx] = add_grads(out.get(idx), g)
    return out


def accum_index_into(b, x, idx, g):
    """``accum_index`` into ``b`` in place, when ``b`` is a buffer the generated code owns
    with x's shape and a dtype that holds the sum (else a new buffer, as accum_index)."""
    if type(b) is _ndarray and b.shape == x.shape and not is_zero(g) and (
            b.dtype == _dtype_of(g) or np.can_cast(_dtype_of(g), b.dtype, "same_kind")):
        if _basic_index(idx):
            b[idx] += g
        else:
            np.add.at(b, idx, g)
        return b
    return accum_index(b, x, idx, g)


def take_grad(b, idx):
    """``b[idx]`` of an adjoint (0.0 when b is zero or lacks the entry)."""
    if is_zero(b):
        return 0.0
    if _is_array(b):
        v = b[idx]
        return v.copy() if _is_array(v) else v
    return part(b, idx)


def as_float(b):
    """The gradient of a float parameter as a Python float: ``float(b)``, and the real part
    of a complex cotangent (a real parameter's gradient through complex intermediates, as
    for arrays, whose adjoints keep the real part)."""
    return float(b.real if isinstance(b, (complex, np.complexfloating, np.ndarray)) else b)


def take_written(b, idx):
    """The adjoint of the value ``v`` of a write ``x[idx] = v``: ``b[idx]``, where an
    element written twice (an integer-array index with repeats, ``x[[1, 1]] = v``) gets
    its cotangent only at its last occurrence, the one NumPy keeps."""
    v = take_grad(b, idx)
    if not _is_array(b) or not _is_array(v) or _basic_index(idx):
        return v
    where = np.arange(b.size).reshape(b.shape)[idx].ravel()
    _, last = np.unique(where[::-1], return_index=True)
    if last.size == where.size:
        return v
    keep = np.zeros(where.size, dtype=bool)
    keep[where.size - 1 - last] = True
    return v * keep.reshape(v.shape)


def last_written(x, idx):
    """1.0 where ``x[idx]`` selects an element for the last time, 0.0 at its earlier
    repeats (a float array shaped like ``x[idx]``; 1.0 for a basic index)."""
    if _basic_index(idx):
        return 1.0
    return take_written(np.ones(np.shape(x)), idx)


def clear_grad(b, x, idx):
    """``b`` with the entry at ``idx`` zeroed (adjoint of an overwrite ``x[idx] = v``)."""
    if is_zero(b):
        return b
    if _is_array(x):
        out = np.broadcast_to(b, x.shape).astype(_dtype_of(b))  # a new buffer
        out[idx] = 0
        return out
    if isinstance(b, (list, tuple)):
        out = list(b)
        if isinstance(idx, slice):
            for k in range(*idx.indices(len(out))):
                out[k] = None
        elif idx < len(out):
            out[idx] = None
        return out
    if isinstance(b, dict):
        out = dict(b)
        out.pop(idx, None)
        return out
    return b


def pop_grad(b, n=None):
    """(adjoint of the last list entry, adjoint of the list without it); ``n``: the list's
    length with that entry.  The list adjoint ``b`` holds entries only up to the last
    position that received one (``push_grad``), so the entry at ``n - 1`` is taken only
    when ``b`` reaches that far; a shorter ``b`` means that entry has no adjoint."""
    if n is None:
        n = len(b) if isinstance(b, list) else 0
    if isinstance(b, list) and n >= 1 and len(b) >= n:
        last = b[n - 1]
        return (0.0 if last is None else last), b[:n - 1]
    return 0.0, b


def push_grad(b, n, g):
    """Adjoint of ``v = lst.pop()`` seen backwards: the list adjoint grows by ``g``."""
    out = list(b) if isinstance(b, list) else [None] * n
    while len(out) < n:
        out.append(None)
    out.append(g)
    return out


def _basic_index(idx) -> bool:
    if isinstance(idx, tuple):
        return all(_basic_index(i) for i in idx)
    return idx is None or idx is Ellipsis or isinstance(idx, (int, slice, np.integer))


def fix_array(g, x):
    """The gradient of array argument ``x``: an array of x's shape and (float) dtype."""
    if type(g) is _ndarray and g.shape == x.shape and g.dtype == x.dtype:
        return g
    from ..signature import match

    return match(g, x)


def check_not_array(v, param, helper, filename, lineno):
    """``param += ...`` in a differentiated helper writes into an array argument in place."""
    if isinstance(v, _ndarray):
        raise UnsupportedConstructError(
            f"`{helper}` updates its array argument `{param}` in place (`{param} += ...`); a "
            f"differentiated helper must return what it computes", filename=filename,
            lineno=lineno)


def _shares(v, base, depth=0):
    """Do ``v`` and ``base`` share memory, or does the container ``v`` (or ``base``) hold
    an array sharing the other's (or the other itself)?"""
    if v is base and isinstance(v, (list, dict, set, _ndarray)):
        return True
    if isinstance(v, _ndarray) and isinstance(base, _ndarray):
        return np.shares_memory(v, base)
    if depth < 3:
        for a, b in ((v, base), (base, v)):
            items = a.values() if isinstance(a, dict) else a if isinstance(
                a, (list, tuple)) else ()
            if any(_shares(e, b, depth + 1) for e in items):
                return True
    return False


def check_no_view(v, base, name, base_name, filename, lineno):
    """Raise when ``v`` shares memory with ``base`` (a view of the same array, or the same
    list/dict), and one of them is written in place while the other is used again."""
    if _shares(v, base):
        raise UnsupportedConstructError(
            f"`{name}` and `{base_name}` share memory (a view or an alias), and one of them "
            f"is written in place while the other is used again; the gradient through that "
            f"aliasing is not supported: take a copy (`{name} = ....copy()`)",
            filename=filename, lineno=lineno)


def _integral(v) -> bool:
    if v is None or isinstance(v, (bool, int, np.integer)):
        return True
    if isinstance(v, (tuple, list)):
        return all(_integral(x) for x in v)
    return _is_array(v) and _dtype_of(v).kind in "biu"


def int_argument(v, label):
    """``0.0`` where ``v`` is integer-valued (ints carry no derivative), else a
    ``NoRuleError``: generated code differentiated again reads recorded values whose
    kinds it cannot know (an ``axis`` the first derivative recorded), so an argument with
    no derivative rule is checked when it runs."""
    if _integral(v):
        return 0.0
    raise NoRuleError(f"no derivative rule for {label} on a differentiated value "
                      f"({type(v).__name__}); register one with ast_ad.defvjp, or wrap the "
                      f"value in ast_ad.stop_gradient")
