"""The few helpers generated code may call.

Each is small, has a fast path for the common case, and has derivative rules of its own
(registered at the bottom), so generated code can itself be differentiated again.

Zero adjoints: an adjoint that received no contribution is ``0.0`` (a weak Python scalar
that broadcasts against anything); inside containers a missing entry is ``None``.
"""

from __future__ import annotations

import numpy as np

from .errors import NonScalarOutputError
from .rules.registry import default_registry as _reg

_ndarray = np.ndarray


def stop_gradient(x):
    """The value of ``x``; no gradient flows back through it."""
    return x


def seed(y):
    """The cotangent 1 of a scalar output; NonScalarOutputError otherwise."""
    if type(y) is float:
        return 1.0
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


def is_zero(g) -> bool:
    return g is None or (type(g) is float and g == 0.0)


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
    if isinstance(it, (list, tuple, _ndarray, range, str)):
        return it
    if isinstance(it, dict):
        return list(it)
    return list(it)


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
    if isinstance(v, _ndarray):
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
    if isinstance(x, _ndarray):
        return np.zeros_like(x, dtype=x.dtype if x.dtype.kind in "fc" else float)
    if isinstance(x, list):
        return [None] * len(x)
    if isinstance(x, tuple):
        return [None] * len(x)
    if isinstance(x, dict):
        return {}
    return 0.0


def accum_index(b, x, idx, g):
    """Adjoint of ``v = x[idx]``: ``b + (zeros like x with g at idx)``, in a new buffer.

    Repeated integer indices accumulate (``np.add.at``).
    """
    if is_zero(g):
        return b
    if isinstance(x, _ndarray):
        if is_zero(b):
            out = zeros_grad(x)
        else:
            dt = np.result_type(b, g, x.dtype if x.dtype.kind in "fc" else float)
            out = np.array(np.broadcast_to(b, x.shape), dtype=dt)
        if _basic_index(idx):
            out[idx] += g
        else:
            np.add.at(out, idx, g)
        return out
    if isinstance(x, (list, tuple)):
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


def take_grad(b, idx):
    """``b[idx]`` of an adjoint (0.0 when b is zero or lacks the entry)."""
    if is_zero(b):
        return 0.0
    if isinstance(b, _ndarray):
        v = b[idx]
        return v.copy() if isinstance(v, _ndarray) else v
    return part(b, idx)


def clear_grad(b, x, idx):
    """``b`` with the entry at ``idx`` zeroed (adjoint of an overwrite ``x[idx] = v``)."""
    if is_zero(b):
        return b
    if isinstance(x, _ndarray):
        out = np.array(np.broadcast_to(b, x.shape), dtype=np.result_type(b))
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


def pop_grad(b):
    """(adjoint of the last list entry, adjoint of the list without it)."""
    if isinstance(b, list) and b:
        last = b[-1]
        return (0.0 if last is None else last), b[:-1]
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
    from .signature import match

    return match(g, x)


def check_no_view(v, base, name, base_name, filename, lineno):
    """Raise when ``v`` shares memory with ``base``, which is written before ``v`` is used."""
    if isinstance(v, _ndarray) and isinstance(base, _ndarray) and np.shares_memory(v, base):
        from .errors import UnsupportedConstructError

        raise UnsupportedConstructError(
            f"`{name}` is a view of `{base_name}`, which is written in place before `{name}` "
            f"is used again; the gradient through that aliasing is not supported: take a "
            f"copy (`{name} = ....copy()`)", filename=filename, lineno=lineno)


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


# -- rules of the helpers themselves (so generated code is differentiable again) -------
_reg.nondifferentiable(seed)
_reg.nondifferentiable(check_output)
_reg.nondifferentiable(is_zero)
_reg.nondifferentiable(check_unpack)
_reg.nondifferentiable(zeros_grad)
_reg.nondifferentiable(stop_gradient)
_reg.nondifferentiable(restore_item)
_reg.nondifferentiable(check_no_view)
_reg.nondifferentiable(shape_token)


def _as_sequence_vjp(g, ans, it):
    return g


_reg.defvjp(as_sequence, _as_sequence_vjp)


def _add_grads_vjp_a(g, ans, a, b):
    return g


def _add_grads_vjp_b(g, ans, a, b):
    return g


_reg.defvjp(add_grads, _add_grads_vjp_a, _add_grads_vjp_b)


def _part_vjp(g, ans, c, k):
    return accum_index(None, c, k, g) if not isinstance(c, float) else 0.0


_reg.defvjp(part, _part_vjp, None)


def _save_item_vjp(g, ans, x, idx):
    return accum_index(0.0, x, idx, g)


_reg.defvjp(save_item, _save_item_vjp, None)


def _take_grad_vjp(g, ans, b, idx):
    return accum_index(0.0, b, idx, g) if not is_zero(b) else 0.0


_reg.defvjp(take_grad, _take_grad_vjp, None)


def _accum_index_vjp_b(g, ans, b, x, idx, gg):
    return g


def _accum_index_vjp_g(g, ans, b, x, idx, gg):
    return take_grad(g, idx)


_reg.defvjp(accum_index, _accum_index_vjp_b, None, None, _accum_index_vjp_g)


def _clear_grad_vjp(g, ans, b, x, idx):
    return clear_grad(g, x, idx)


_reg.defvjp(clear_grad, _clear_grad_vjp, None, None)


def _fix_array_vjp(g, ans, gg, x):
    return g


_reg.defvjp(fix_array, _fix_array_vjp, None)


# forward rules of the helpers (each is linear in its differentiated arguments)
def _ident_jvp(t, ans, x):
    return t


def _add_grads_jvp_a(t, ans, a, b):
    return t


def _add_grads_jvp_b(t, ans, a, b):
    return t


def _part_jvp(t, ans, c, k):
    return part(t, k)


def _accum_index_jvp_b(t, ans, b, x, idx, g):
    return accum_index(t, x, idx, 0.0) if not is_zero(t) else 0.0


def _accum_index_jvp_g(t, ans, b, x, idx, g):
    return accum_index(0.0, x, idx, t)


def _take_grad_jvp(t, ans, b, idx):
    return take_grad(t, idx)


def _clear_grad_jvp(t, ans, b, x, idx):
    return clear_grad(t, x, idx)


def _save_item_jvp(t, ans, x, idx):
    return take_grad(t, idx)


def _fix_array_jvp(t, ans, g, x):
    return t


_reg.defjvp(as_sequence, _ident_jvp)
_reg.defjvp(add_grads, _add_grads_jvp_a, _add_grads_jvp_b)
_reg.defjvp(part, _part_jvp, None)
_reg.defjvp(accum_index, _accum_index_jvp_b, None, None, _accum_index_jvp_g)
_reg.defjvp(take_grad, _take_grad_jvp, None)
_reg.defjvp(clear_grad, _clear_grad_jvp, None, None)
_reg.defjvp(save_item, _save_item_jvp, None)
_reg.defjvp(fix_array, _fix_array_jvp, None)
_reg.nondifferentiable(tangent_list)
_reg.defvjp(as_float_tangent, _as_sequence_vjp)
_reg.defjvp(as_float_tangent, _ident_jvp)


# -- np.array / np.asarray of differentiated values ----------------------------------------
def array_parts(g, obj):
    """The cotangent ``g`` of ``np.array(obj)`` split like the nested lists ``obj``."""
    if isinstance(obj, (list, tuple)):
        return [array_parts(g[i], o) for i, o in enumerate(obj)]
    return g


def array_tangent(t, ans):
    """The tangent of ``np.array(obj)`` from the (nested) list of entry tangents ``t``."""
    if isinstance(t, (list, tuple)):
        out = np.zeros_like(ans, dtype=ans.dtype if ans.dtype.kind in "fc" else float)
        for i, ti in enumerate(t):
            out[i] = array_tangent(ti, ans[i]) if isinstance(ti, (list, tuple)) else ti
        return out
    return t


def _array_vjp(g, ans, obj, dtype=None):
    return array_parts(g, obj)


def _array_jvp(t, ans, obj, dtype=None):
    return array_tangent(t, ans)


def _array_parts_vjp(g, ans, gg, obj):
    return array_tangent(g, gg)


def _array_parts_jvp(t, ans, gg, obj):
    return array_parts(t, obj)


def _array_tangent_vjp(g, ans, t, a):
    return array_parts(g, t)


def _array_tangent_jvp(tt, ans, t, a):
    return array_tangent(tt, a)


for _f in (np.array, np.asarray):
    _reg.defvjp(_f, _array_vjp)
    _reg.defjvp(_f, _array_jvp)
_reg.defvjp(array_parts, _array_parts_vjp, None)
_reg.defjvp(array_parts, _array_parts_jvp, None)
_reg.defvjp(array_tangent, _array_tangent_vjp, None)
_reg.defjvp(array_tangent, _array_tangent_jvp, None)


def _tangent_setitem_vjp_t(g, ans, t, x, idx, tv):
    return clear_grad(g, x, idx)


def _tangent_setitem_vjp_tv(g, ans, t, x, idx, tv):
    return take_grad(g, idx)


def _tangent_setitem_jvp_t(tt, ans, t, x, idx, tv):
    return tangent_setitem(tt, x, idx, 0.0)


def _tangent_setitem_jvp_tv(ttv, ans, t, x, idx, tv):
    return tangent_setitem(0.0, x, idx, ttv)


def _tangent_restore_vjp_t(g, ans, t, x, idx, told):
    return clear_grad(g, x, idx)


def _tangent_restore_vjp_told(g, ans, t, x, idx, told):
    return take_grad(g, idx)


def _tangent_restore_jvp_t(tt, ans, t, x, idx, told):
    return tangent_restore(tt, x, idx, 0.0)


def _tangent_restore_jvp_told(tt, ans, t, x, idx, told):
    return tangent_restore(0.0, x, idx, tt)


_reg.defvjp(tangent_setitem, _tangent_setitem_vjp_t, None, None, _tangent_setitem_vjp_tv)
_reg.defjvp(tangent_setitem, _tangent_setitem_jvp_t, None, None, _tangent_setitem_jvp_tv)
_reg.defvjp(tangent_restore, _tangent_restore_vjp_t, None, None, _tangent_restore_vjp_told)
_reg.defjvp(tangent_restore, _tangent_restore_jvp_t, None, None, _tangent_restore_jvp_told)



# list(x) of a list/tuple: the same entries (generated code copies list adjoints with it)
def _list_vjp(g, ans, x):
    return g


def _list_jvp(t, ans, x):
    return t


_reg.defvjp(list, _list_vjp)
_reg.defjvp(list, _list_jvp)
