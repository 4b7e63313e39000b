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

__all__ = ["add_at", "check_same_object", "check_view", "diagonal_cotangent",
           "diagonal_filled", "join_index", "subtract_at"]


def check_view(v, base, name, base_name, filename, lineno, *ints):
    """``v`` was bound to a view of ``base`` (``v = base[...]``, a reshape...), and the
    generated code writes through it as into ``base``: raise unless it really is one
    (an array sharing ``base``'s memory), and unless the names in its leading int index
    (``ints``) hold ints."""
    from ..errors import UnsupportedConstructError

    ok = isinstance(v, np.ndarray) and isinstance(base, np.ndarray) and (
        v.size == 0 or np.may_share_memory(v, base)) and all(
        isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in ints)
    if not ok:
        raise UnsupportedConstructError(
            f"`{name}` is written in place (or read after `{base_name}` is) as a view of "
            f"`{base_name}`, but here it is not a view of a NumPy array (an element of a "
            f"list, a copy, or an index that is not an int); ast_ad models writes through "
            f"views of arrays only: take an explicit copy (`....copy()`) where the value is "
            f"meant to be independent", filename=filename, lineno=lineno)


def check_same_object(v, base, base_name, filename, lineno):
    """``v = as_sequence(base)`` (a loop over ``base``) is ``base`` itself."""
    if v is not base:
        from ..errors import UnsupportedConstructError

        raise UnsupportedConstructError(
            f"the loop over `{base_name}` writes into the items it takes (or reads them "
            f"after `{base_name}` is written), and `{base_name}` is not an array or a list "
            f"here; loop over a NumPy array or a list, or take copies of the items",
            filename=filename, lineno=lineno)


def join_index(lead, index):
    """The index of ``a[lead][index]`` in ``a`` when ``lead`` is an int or a tuple of
    ints: ``(lead..., index...)``."""
    lead = lead if isinstance(lead, tuple) else (lead,)
    return lead + (index if isinstance(index, tuple) else (index,))


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

def diagonal_filled(a, val, wrap=False):
    """A copy of ``a`` after ``np.fill_diagonal(a, val, wrap)``."""
    out = a.copy()
    np.fill_diagonal(out, val, wrap=wrap)
    return out


def _diagonal_slots(a, val, wrap):
    """(flat positions ``np.fill_diagonal`` writes, in order; the entry of ``val`` each
    receives)."""
    mask = np.zeros(np.shape(a), dtype=bool)
    np.fill_diagonal(mask, True, wrap=wrap)
    pos = np.flatnonzero(mask)
    return pos, np.arange(pos.size) % max(np.size(val), 1)


def diagonal_cotangent(g, val, wrap=False):
    """The adjoint of ``val`` in ``diagonal_filled(a, val, wrap)``: the diagonal entries of
    ``g``, summed onto the entries of ``val`` they came from (``val`` repeats)."""
    pos, which = _diagonal_slots(g, val, wrap)
    d = np.ravel(g)[pos]
    if np.ndim(val) == 0:
        return np.sum(d)
    out = np.zeros(np.size(val), dtype=np.result_type(d, float))
    np.add.at(out, which, d)
    return out.reshape(np.shape(val))


def _diagonal_filled_vjp_a(g, ans, a, val, wrap=False):
    return diagonal_filled(g, 0.0, wrap)


def _diagonal_filled_vjp_val(g, ans, a, val, wrap=False):
    return diagonal_cotangent(g, val, wrap)


def _diagonal_filled_jvp_a(t, ans, a, val, wrap=False):
    return diagonal_filled(t + 0.0 * ans, 0.0, wrap)


def _diagonal_filled_jvp_val(t, ans, a, val, wrap=False):
    return diagonal_filled(0.0 * ans, t, wrap)


def _diagonal_cotangent_vjp(g, ans, gg, val, wrap=False):
    return diagonal_filled(0.0 * gg, g, wrap) if np.ndim(val) == 0 else \
        _spread(g, gg, val, wrap)


def _spread(g, like, val, wrap):
    """The transpose of ``diagonal_cotangent``: ``g`` (shaped like val) onto the diagonal."""
    pos, which = _diagonal_slots(like, val, wrap)
    out = np.zeros(np.size(like), dtype=np.result_type(g, float))
    out[pos] = np.ravel(g)[which]
    return out.reshape(np.shape(like))


def _diagonal_cotangent_jvp(t, ans, g, val, wrap=False):
    return diagonal_cotangent(t, val, wrap)


_reg.defvjp(diagonal_filled, _diagonal_filled_vjp_a, _diagonal_filled_vjp_val)
_reg.defjvp(diagonal_filled, _diagonal_filled_jvp_a, _diagonal_filled_jvp_val)
_reg.defvjp(diagonal_cotangent, _diagonal_cotangent_vjp, None)
_reg.defjvp(diagonal_cotangent, _diagonal_cotangent_jvp, None)

#: ufunc.at spellings with a pure form (others are refused on differentiated values)
UFUNC_AT = {np.add: add_at, np.subtract: subtract_at}


def _with_multiply():
    from .mutation_slots import multiply_at

    UFUNC_AT[np.multiply] = multiply_at


_with_multiply()
_reg.nondifferentiable(check_view)
_reg.nondifferentiable(check_same_object)
_reg.nondifferentiable(join_index)
