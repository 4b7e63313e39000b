"""Adjoint buffers the generated code owns, made once before a reversed loop.

``own_grad(b, x)``: a fresh array shaped like ``x`` holding the adjoint ``b`` (``0.0``,
``None``, an array of x's shape or one that broadcasts to it).  The reversed loop then
updates it in place (``bx[i] += g``) instead of building a new array per element read.
It is always a new buffer: never ``b`` itself, never a view of ``x`` or of another
adjoint (``b`` may be a callee's adjoint, shared with nothing else or not).

>>> import numpy as np
>>> x = np.arange(3.0)
>>> b = np.ones(3)
>>> out = own_grad(b, x)
>>> out is b, out.tolist()
(False, [1.0, 1.0, 1.0])
>>> own_grad(0.0, x).tolist(), own_grad(2.0, x).tolist()
([0.0, 0.0, 0.0], [2.0, 2.0, 2.0])
>>> own_grad(np.ones(3, complex), x).dtype.kind  # a complex adjoint stays complex
'c'
"""

from __future__ import annotations

import numpy as np

from ..backends.arrays import dtype_of as _dtype_of
from .adjoints import is_zero, zeros_grad

__all__ = ["own_grad"]


def own_grad(b, x):
    """A new buffer shaped like ``x`` (a NumPy array, or a list: a new list of entry
    adjoints) with the value of the adjoint ``b``."""
    if isinstance(x, list):  # a list's adjoint: one entry adjoint (or None) per entry
        out = list(b) if isinstance(b, (list, tuple)) else []
        if len(out) > len(x):
            raise ValueError(f"a list adjoint of {len(out)} entries for {len(x)} entries")
        return out + [None] * (len(x) - len(out))
    if is_zero(b):
        return zeros_grad(x)
    dt = np.result_type(_dtype_of(b), x.dtype if x.dtype.kind in "fc" else float)
    out = np.zeros(x.shape, dt)
    out += b  # (raises where b does not broadcast to x's shape, as accum_index would)
    return out
