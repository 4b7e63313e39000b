"""Pure forms of NumPy's writes into chosen entries: ``np.put``, ``np.place``,
``np.putmask`` (and ``a.put``), and ``np.multiply.at``, each a copy with derivative rules,
so a modelled mutation is an ordinary write (``a[...] = put_into(a, ind, v)``).

Each write is a list of flat positions ``pos`` of ``a`` and, per position, the entry of
``v`` (flattened, repeated as NumPy repeats it) that lands there.  A position written
twice keeps its last write (``np.put`` with a repeated index), so the cotangent reaches
only that entry of ``v``.

>>> import numpy as np
>>> a = np.zeros(4)
>>> put_into(a, [1, 1, 3], [5.0, 6.0]), place_into(a, a == 0, [1.0, 2.0]), a
(array([0., 6., 0., 5.]), array([1., 2., 1., 2.]), array([0., 0., 0., 0.]))
>>> multiply_at(np.ones(3), [0, 0, 2], np.array([2.0, 3.0, 4.0]))
array([6., 1., 4.])
"""

from __future__ import annotations

import numpy as np

from ..rules.helpers import unbroadcast
from ..rules.registry import default_registry as _reg
from .tangents import array_parts

__all__ = ["multiply_at", "place_into", "put_into", "putmask_into"]


def put_into(a, ind, v):
    """A copy of ``a`` after ``np.put(a, ind, v)``."""
    out = a.copy()
    np.put(out, ind, v)
    return out


def place_into(a, mask, v):
    """A copy of ``a`` after ``np.place(a, mask, v)``."""
    out = a.copy()
    np.place(out, mask, v)
    return out


def putmask_into(a, mask, v):
    """A copy of ``a`` after ``np.putmask(a, mask, v)``."""
    out = a.copy()
    np.putmask(out, mask, v)
    return out


def _slots(how, a, where, v):
    """(flat positions written, the flat entry of ``v`` each one receives) -- for a
    position written twice, only its last write."""
    size = max(np.size(v), 1)
    if how == "put":
        pos = np.arange(np.size(a))[np.ravel(np.asarray(where, dtype=np.intp))]
        which = np.arange(pos.size) % size
        _, first_rev = np.unique(pos[::-1], return_index=True)
        last = np.sort(pos.size - 1 - first_rev)
        return pos[last], which[last]
    pos = np.flatnonzero(np.asarray(where, dtype=bool))
    return pos, (np.arange(pos.size) if how == "place" else pos) % size


def _v_cotangent(g, pos, which, v):
    """The entries ``g.flat[pos]`` summed onto the entries of ``v`` they came from."""
    d = np.ravel(g)[pos]
    if np.ndim(v) == 0:
        return np.sum(d)
    out = np.zeros(np.size(v), dtype=np.result_type(d, float))
    np.add.at(out, which, d)
    out = out.reshape(np.shape(v))
    return array_parts(out, v) if isinstance(v, (list, tuple)) else out


def _v_tangent(t, ans, pos, which):
    out = np.zeros_like(ans, dtype=np.result_type(ans, float))
    out.flat[pos] = np.ravel(np.asarray(t, dtype=out.dtype))[which] if np.ndim(t) else t
    return out


def _a_cotangent(g, pos):
    out = np.array(g, dtype=np.result_type(g, float), copy=True)
    out.flat[pos] = 0.0
    return out


def _define(fn, how):
    def vjp_a(g, ans, a, where, v):
        return _a_cotangent(np.broadcast_to(g, np.shape(ans)), _slots(how, a, where, v)[0])

    def vjp_v(g, ans, a, where, v):
        return _v_cotangent(np.broadcast_to(g, np.shape(ans)), *_slots(how, a, where, v), v)

    def jvp_a(t, ans, a, where, v):
        return _a_cotangent(t + 0.0 * ans, _slots(how, a, where, v)[0])

    def jvp_v(t, ans, a, where, v):
        return _v_tangent(t, ans, *_slots(how, a, where, v))

    _reg.defvjp(fn, vjp_a, None, vjp_v)
    _reg.defjvp(fn, jvp_a, None, jvp_v)


_define(put_into, "put")
_define(place_into, "place")
_define(putmask_into, "putmask")


# -- np.multiply.at ---------------------------------------------------------------------------
def multiply_at(a, idx, b):
    """A copy of ``a`` after ``np.multiply.at(a, idx, b)``."""
    out = a.copy()
    np.multiply.at(out, idx, b)
    return out


def _factors(a, idx, b):
    """(flat positions per occurrence, b per occurrence, the product of the *other* b's at
    the same position per occurrence, the product of all b's per entry of a)."""
    pos = np.arange(np.size(a)).reshape(np.shape(a))[idx]
    bb = np.broadcast_to(b, np.shape(pos)).ravel()
    pos = np.ravel(pos)
    dt = np.result_type(bb, float)
    others = np.ones(pos.size, dtype=dt)
    for p in np.unique(pos):
        at = np.flatnonzero(pos == p)
        for k in at if at.size > 1 else ():
            others[k] = np.prod(bb[at[at != k]])
    total = np.ones(np.size(a), dtype=dt)
    np.multiply.at(total, pos, bb)
    return pos, bb, others, total.reshape(np.shape(a))


def _multiply_at_vjp_a(g, ans, a, idx, b):
    return g * _factors(a, idx, b)[3]


def _multiply_at_vjp_b(g, ans, a, idx, b):
    pos, _, others, _ = _factors(a, idx, b)
    occ = np.ravel(np.broadcast_to(g, np.shape(ans)))[pos] * np.ravel(a)[pos] * others
    return unbroadcast(occ.reshape(np.shape(np.arange(np.size(a)).reshape(np.shape(a))[idx])),
                       b)


def _multiply_at_jvp_a(t, ans, a, idx, b):
    return t * _factors(a, idx, b)[3] + 0.0 * ans


def _multiply_at_jvp_b(t, ans, a, idx, b):
    pos, _, others, _ = _factors(a, idx, b)
    tb = np.broadcast_to(t, np.shape(np.arange(np.size(a)).reshape(np.shape(a))[idx])).ravel()
    out = np.zeros(np.size(a), dtype=np.result_type(ans, tb, float))
    np.add.at(out, pos, np.ravel(a)[pos] * others * tb)
    return out.reshape(np.shape(a))


_reg.defvjp(multiply_at, _multiply_at_vjp_a, None, _multiply_at_vjp_b)
_reg.defjvp(multiply_at, _multiply_at_jvp_a, None, _multiply_at_jvp_b)
