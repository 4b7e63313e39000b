"""Pure forms of NumPy's in-place updates, so a modelled mutation is an ordinary write.

``np.add.at(a, idx, b)`` is generated as ``a[...] = add_at(a, idx, b)``: the write goes
through the subscript-store machinery (old value saved and restored), and ``add_at`` is
a pure function with derivative rules.

>>> import numpy as np
>>> a = np.zeros(3)
>>> add_at(a, [0, 0, 1], np.ones(3)), a
(array([2., 1., 0.]), array([0., 0., 0.]))
"""

from __future__ import annotations

import numpy as np

from ..rules.helpers import unbroadcast
from ..rules.registry import default_registry as _reg

__all__ = ["add_at", "subtract_at"]


def add_at(a, idx, b):
    """A copy of ``a`` after ``np.add.at(a, idx, b)`` (repeated indices accumulate)."""
    out = a.copy()
    np.add.at(out, idx, b)
    return out


def subtract_at(a, idx, b):
    """A copy of ``a`` after ``np.subtract.at(a, idx, b)``."""
    out = a.copy()
    np.subtract.at(out, idx, b)
    return out


def add_at_vjp_a(g, ans, a, idx, b):
    return g


def add_at_vjp_b(g, ans, a, idx, b):
    return unbroadcast(g[idx], b)


def subtract_at_vjp_b(g, ans, a, idx, b):
    return -unbroadcast(g[idx], b)


def add_at_jvp_a(t, ans, a, idx, b):
    return t + 0.0 * ans


def add_at_jvp_b(t, ans, a, idx, b):
    return add_at(0.0 * ans, idx, t)


def subtract_at_jvp_b(t, ans, a, idx, b):
    return subtract_at(0.0 * ans, idx, t)


_reg.defvjp(add_at, add_at_vjp_a, None, add_at_vjp_b)
_reg.defjvp(add_at, add_at_jvp_a, None, add_at_jvp_b)
_reg.defvjp(subtract_at, add_at_vjp_a, None, subtract_at_vjp_b)
_reg.defjvp(subtract_at, add_at_jvp_a, None, subtract_at_jvp_b)

#: ufunc.at spellings with a pure form (others are refused on differentiated values)
UFUNC_AT = {np.add: add_at, np.subtract: subtract_at}
