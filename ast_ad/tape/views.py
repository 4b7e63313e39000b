"""Views on the tape: right or refused, never a silently different function.

NumPy's basic indexing, iteration over rows, ``.T``, ``reshape``... give views that share
memory with their base: a write into the base shows through every view, a write into a
view shows in its base. The tape records values functionally (a write makes a new node,
reads of a buffer it may still write are copies), so it models neither direction. Both
are detected and refused with a clear error instead of computing another function:

* a **view used after its base was written** (``for row in A: A += 1.0; ... row``): the
  write marks the base's live views stale, and any later use of a stale view raises;
* a **write into a view** whose base is still alive (``v = y[:2]; v *= 3.0``) raises at
  the write.

Views that are not used after a write (``h[t] = h[t - 1] * 2.0`` in a loop) and writes
into arrays nobody else sees are recorded as before. In-place operators (``y += v``)
write into the traced array itself (``tracer.inplace``), so aliases (``b = a``) and a
helper's argument see the write, as in NumPy.
"""

from __future__ import annotations

import weakref

import numpy as np

from ..errors import UnsupportedConstructError

__all__ = ["check_fresh", "check_write", "link_view", "mark_views"]


def link_view(view, base):
    """Record that the traced ``view`` shares memory with the traced ``base``."""
    if base._views is None:
        base._views = []
    base._views.append(weakref.ref(view))
    view._base = weakref.ref(base)


def mark_views(result, args):
    """Link a recorded result that NumPy made a view of a traced argument's buffer."""
    v = getattr(result, "_value", None)
    if type(v) is not np.ndarray:
        return
    for a in args:
        av = getattr(a, "_value", None)
        if type(av) is np.ndarray and a is not result and (
                v is av or (v.base is not None and np.may_share_memory(v, av))):
            link_view(result, a)  # np.asarray(x) is x itself: an alias, a view of all of it


_VIEW_WRITE = ("the tape does not model a write into a view of another array (a slice, a "
               "row, .T or a reshape of it) when that array is used afterwards: NumPy "
               "would change it too; write into the array itself (y[:2] *= 3.0), or copy "
               "the view first")
_STALE = ("the tape does not model a view read after its base array was written in place "
          "(e.g. `for row in A: A += 1.0` then `row` used): NumPy's view would show the "
          "new values; copy the view (row.copy()) or read it again after the write")


def check_write(x, v=None):
    """Before writing ``v`` into the traced ``x``: refuse a write into a view of a live
    traced array; mark ``x``'s own views stale (a later use of one raises). The write that
    completes ``y[i] += v`` (the result of the in-place operator on the view ``y[i]``)
    clears the pending mark of ``tracer.inplace``."""
    if x._stale == 2 and x._pending is not None and x._pending() is v:
        x._stale, x._pending = 0, None
    if x._stale:
        check_fresh(x)
    base = x._base() if x._base is not None else None
    if base is not None:
        raise UnsupportedConstructError(_VIEW_WRITE)
    if x._views:
        for r in x._views:
            v = r()
            if v is not None:
                v._stale = 1
        x._views = None


def check_fresh(x):
    """Raise when the traced ``x`` is a view whose base was written since it was taken,
    or an array written through a view of it that it never received."""
    if x._stale:
        raise UnsupportedConstructError(_VIEW_WRITE if x._stale == 2 else _STALE)
