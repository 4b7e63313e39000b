"""Run-time checks of the generated code's fast paths."""

from __future__ import annotations

import numbers
from array import array

import numpy as np

__all__ = ["float_tape", "list_buffers_ok", "loop_tape"]

_F8 = np.dtype(np.float64)
_ndarray = np.ndarray


def list_buffers_ok(buffers, others) -> bool:
    """Whether a loop may update ``buffers`` through ``tolist()`` copies written back
    after it (passes/reverse/list_buffers.py): each a 1-d float64 NumPy array, no two
    sharing memory, and each of ``others`` (what else the loop reads) a number, a range
    or a NumPy array sharing no memory with a buffer.

    >>> a, b = np.zeros(3), np.zeros(3)
    >>> list_buffers_ok((a, b), (2.0, range(3))), list_buffers_ok((a, a[1:]), ())
    (True, False)
    >>> list_buffers_ok((a,), (a.reshape(3, 1),)), list_buffers_ok((a,), ([a],))
    (False, False)
    """
    for k, b in enumerate(buffers):
        if type(b) is not _ndarray or b.ndim != 1 or b.dtype != _F8:
            return False
        for c in buffers[:k]:
            if np.may_share_memory(b, c):
                return False
    for o in others:
        if isinstance(o, _ndarray):
            for b in buffers:
                if np.may_share_memory(o, b):
                    return False
        elif not isinstance(o, (numbers.Number, np.generic, range)) or isinstance(
                o, np.void):
            return False
    return True


def loop_tape(tapes, rng):
    """The per-loop tapes of a reversed loop (passes/reverse/loop_tapes.py), as popped.
    ``rng`` is the range the loop ran over: the call records it in the generated text,
    so that code differentiated again (or compiled by numba) can take the plain loop.

    >>> loop_tape(([1.0, 2.0],), range(2))
    ([1.0, 2.0],)
    """
    return tapes


#: the trips from which a tape of Python floats is kept as C doubles (4 MB of them)
TYPED_TAPE_TRIPS = 500_000


def float_tape(trips):
    """A per-loop tape for ``trips`` Python floats: a list for a short loop (its reversed
    iteration hands back the float objects, the fastest), an ``array('d')`` from
    ``TYPED_TAPE_TRIPS`` trips on (8 bytes a value against 32 for a list slot and its float
    object, for ~10% more time in a scalar recurrence), given back as equal Python floats.

    >>> float_tape(range(3)), float_tape(range(10 ** 6))
    ([], array('d'))
    """
    return array("d") if len(trips) >= TYPED_TAPE_TRIPS else []
