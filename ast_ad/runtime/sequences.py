"""Lists and tuples joined, repeated and edited: ``a + b``, ``a * n``, ``lst.pop(i)``,
``lst.insert(i, v)``, ``lst.sort()``/``lst.reverse()``/``lst.remove(v)``, ``d.update(o)``,
and the run-time check of a differentiated value inside an index.

The analysis replaces ``a + b`` (both sides surely lists or tuples) by ``seq_concat(a, b)``
and ``a * n`` by ``seq_repeat(a, n)``; ``v = lst.pop(i)`` becomes ``v = lst[i]`` then
``lst = seq_without(lst, i)``, ``lst.insert(i, v)`` becomes ``lst = seq_insert(lst, i, v)``;
``lst.sort(...)``, ``lst.reverse()``, ``lst.remove(v)`` and ``d.update(o)`` become
``lst = seq_sorted(lst, key, reverse)``, ``seq_reversed``, ``seq_removed``, ``dict_updated``
(``passes.containers``).
Each has reverse and forward rules, written with the entry-moving helpers below
(``seq_take``/``seq_place``, ``seq_fold``/``seq_tile``, ``seq_drop``/``seq_put``), which
are linear in their first argument and each other's transposes, so higher order works.

A cotangent or tangent of a list is a list of its entries' (``None``/``0.0`` for an entry
that received nothing), or an array whose first axis runs over the entries (when NumPy
consumed the list), or a zero (``None``/``0.0``).

>>> seq_concat([1.0], (2.0, 3.0)), seq_take([10.0, 20.0, 30.0], 3, 1, 3)
([1.0, 2.0, 3.0], [20.0, 30.0])
>>> seq_fold([1.0, 2.0, 3.0, 4.0], 2, 2), seq_place([5.0], 3, 1, 2)
([4.0, 6.0], [None, 5.0, None])
"""

from __future__ import annotations

import numpy as np

from ..errors import AstAdError, UnsupportedConstructError

__all__ = ["check_dict", "check_index_value", "dict_keep", "dict_updated", "fit_entry",
           "seq_concat", "seq_drop", "seq_extend", "seq_fold", "seq_insert", "seq_onehot",
           "seq_permute", "seq_place", "seq_put", "seq_removed", "seq_repeat", "seq_reversed",
           "seq_sorted", "seq_take", "seq_tile", "seq_unpermute", "seq_without"]

_SEQ = (list, tuple)


def _seq(v, what):
    if not isinstance(v, _SEQ):
        raise AstAdError(f"{what}: expected a list or tuple, got {type(v).__name__} "
                         "(ast_ad took it for one when the gradient was generated)")
    return v


def seq_concat(a, b):
    """``a + b`` of two lists (or two tuples)."""
    return _seq(a, "`+` of sequences") + _seq(b, "`+` of sequences")


def seq_repeat(a, n):
    """``a * n`` (or ``n * a``) of a list or tuple and an int."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise UnsupportedConstructError(
            f"repeating a differentiated list/tuple by a {type(n).__name__} (not an int) "
            "is not supported")
    return _seq(a, "`*` of a sequence") * int(n)


def _pos(n, i, insert=False):
    """Python's position of index ``i`` in a list of ``n`` (``insert`` clamps)."""
    i = int(i)
    if insert:
        return max(0, min(n, i + n if i < 0 else i))
    if not -n <= i < n:
        raise IndexError("pop index out of range")
    return i + n if i < 0 else i


def seq_without(lst, i):
    """``lst`` after ``lst.pop(i)`` (a new list; the popped entry was read before); a dict
    without key ``i`` for ``d.pop(i)``; any other object has its own ``pop(i)`` called (it
    is changed in place, as the code said)."""
    if isinstance(lst, dict):
        if i not in lst:
            raise KeyError(i)
        return {k: v for k, v in lst.items() if k != i}
    if not isinstance(lst, list):
        lst.pop(i)
        return lst
    k = _pos(len(lst), i)
    return lst[:k] + lst[k + 1:]


def seq_insert(lst, i, v):
    """``lst`` after ``lst.insert(i, v)`` (a new list; another object: its own insert)."""
    if not isinstance(lst, list):
        lst.insert(i, v)
        return lst
    k = _pos(len(lst), i, insert=True)
    return lst[:k] + [v] + lst[k:]


def seq_extend(lst, b):
    """``lst`` after ``lst.extend(b)`` (a new list; another object: its own extend)."""
    if not isinstance(lst, list):
        lst.extend(b)
        return lst
    return lst + list(b)


def seq_sorted(lst, key=None, reverse=False):
    """``lst`` after ``lst.sort(key=key, reverse=reverse)`` (a new list: a permutation of
    the entries, which keep their derivatives)."""
    _only_lists(lst, "sort")
    return [lst[i] for i in _sort_order(lst, key, reverse)]


def seq_reversed(lst):
    """``lst`` after ``lst.reverse()`` (a new list)."""
    return _only_lists(lst, "reverse")[::-1]


def seq_removed(lst, v):
    """``lst`` after ``lst.remove(v)`` (a new list without the first entry equal to ``v``;
    which one is removed does not vary with ``v``: no derivative reaches ``v``)."""
    k = _only_lists(lst, "remove").index(v)
    return lst[:k] + lst[k + 1:]


def dict_updated(d, other):
    """``d`` after ``d.update(other)`` (a new dict; both dicts)."""
    if not isinstance(d, dict) or not isinstance(other, dict):
        bad = d if not isinstance(d, dict) else other
        raise UnsupportedConstructError(
            f"differentiating d.update(o) with a {type(bad).__name__} is not supported "
            "(only a dict updated from a dict)")
    out = dict(d)
    out.update(other)
    return out


def _sort_order(lst, key=None, reverse=False):
    from .python import sort_order

    return sort_order(lst, key, reverse)


def _only_lists(lst, what):
    """Derivatives of these edits exist for lists (and dicts, for pop) only."""
    if not isinstance(lst, (list, dict) if what == "pop" else list):
        raise UnsupportedConstructError(
            f"differentiating {what}() on a {type(lst).__name__} is not supported (only "
            "on lists); build a list instead")
    return lst


def check_dict(d, what):
    """``d.values()``, ``d.items()``, ``d.keys()``, ``d.setdefault(k, v)`` are read by key
    for dicts only."""
    if not isinstance(d, dict):
        raise UnsupportedConstructError(
            f".{what}() of a {type(d).__name__} inside a differentiated function: only the "
            "dict method is supported")


def check_index_value(v, name, filename, lineno):
    """A differentiated value inside an index must be an integer (or an array of them):
    a float there (``np.r_[a, b]``, a dict keyed by floats) would lose its derivative."""
    if isinstance(v, (float, complex, np.inexact)) or (
            isinstance(v, np.ndarray) and v.dtype.kind in "fc") or (
            isinstance(v, _SEQ) and any(isinstance(e, (float, complex, np.inexact, np.ndarray))
                                        for e in v)):
        raise UnsupportedConstructError(
            f"the differentiated value `{name}` is used inside an index (`[...]`); its "
            "derivative would be lost: build arrays with np.concatenate/np.stack (not "
            "np.r_/np.c_) and index with integers", filename=filename, lineno=lineno)
    return 0.0


def fit_entry(g, v):
    """The cotangent ``g`` of the entry written by ``c[i] = v`` in a container whose kind
    was not known when the gradient was generated, summed down to ``v``'s shape when
    ``c`` was an array and ``v`` broadcast into it (``h[:] = s`` with a float ``s``)."""
    if isinstance(g, np.ndarray) and not isinstance(v, (list, tuple, dict)) and \
            g.shape != np.shape(v):
        from ..rules.helpers import unbroadcast

        return unbroadcast(g, v)
    return g


# -- entry-moving helpers: linear in g, transposes of each other ---------------------------
def _entries(g, n, fill):
    """The ``n`` entries of a sequence cotangent/tangent ``g`` as a list."""
    if g is None or (isinstance(g, float) and g == 0.0):
        return [fill] * n
    if isinstance(g, _SEQ):
        out = list(g)
    elif isinstance(g, np.ndarray) and g.ndim >= 1 and len(g) == n:
        out = list(g)
    else:
        raise AstAdError(f"internal: a list of {n} entries has the derivative {g!r}")
    if len(out) > n:
        raise AstAdError(f"internal: a list of {n} entries has a derivative of {len(out)}")
    return out + [fill] * (n - len(out))


def _add(a, b):
    from .adjoints import add_grads

    return add_grads(a, b)


def seq_take(g, n, start, stop, fill=None):
    """Entries ``start:stop`` of ``g`` (the derivative of a list of ``n``)."""
    return _entries(g, n, fill)[start:stop]


def seq_place(g, n, start, stop, fill=None):
    """A derivative of a list of ``n`` holding ``g``'s entries at ``start:stop``."""
    return [fill] * start + _entries(g, stop - start, fill) + [fill] * (n - stop)


def seq_fold(g, m, k, fill=None):
    """Entries of ``g`` (a list of ``m * k``) added up over the ``k`` repeats."""
    e = _entries(g, m * k, fill)
    out = e[:m]
    for j in range(1, k):
        out = [fill if a is None and b is None else _add(a, b)
               for a, b in zip(out, e[j * m:(j + 1) * m])]
    return out


def seq_tile(g, m, k, fill=None):
    """The derivative of a list of ``m`` repeated ``k`` times."""
    return _entries(g, m, fill) * k


def seq_drop(g, n, p, fill=None):
    """``g`` (of a list of ``n``) without entry ``p``."""
    e = _entries(g, n, fill)
    return e[:p] + e[p + 1:]


def seq_put(g, n, p, fill=None):
    """A derivative of a list of ``n + 1``: ``g``'s entries with a zero at ``p``."""
    e = _entries(g, n, fill)
    return e[:p] + [fill] + e[p:]


def seq_permute(g, n, order, fill=None):
    """The derivative of a list of ``n`` read in ``order`` (``[lst[i] for i in order]``)."""
    e = _entries(g, n, fill)
    return [e[i] for i in order]


def seq_unpermute(g, n, order, fill=None):
    """The transpose of ``seq_permute``: entry ``j`` of ``g`` back at ``order[j]``."""
    e = _entries(g, n, fill)
    out = [fill] * n
    for j, i in enumerate(order):
        out[i] = e[j]
    return out


def dict_keep(g, keys, keep=True):
    """The entries of a dict derivative ``g`` whose key is (``keep``) or is not in
    ``keys``; a zero stays a zero."""
    if g is None or (isinstance(g, float) and g == 0.0):
        return g
    if not isinstance(g, dict):
        raise AstAdError(f"internal: a dict has the derivative {g!r}")
    return {k: v for k, v in g.items() if (k in keys) == keep}


def seq_onehot(t, n, p, fill=None):
    """A derivative of a list of ``n`` holding ``t`` at ``p`` only."""
    out = [fill] * n
    out[p] = t
    return out
