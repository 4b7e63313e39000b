"""Reverse and forward rules of :mod:`.sequences` (list/tuple joins, repeats and edits).
Cotangents fill absent entries with ``None``, tangents with ``0.0`` (as elsewhere)."""

from __future__ import annotations

import numpy as np

from ..rules.declare import linear
from ..rules.helpers import broadcast_like
from ..rules.registry import default_registry as _reg
from .adjoints import part
from .sequences import (
    _only_lists,
    _pos,
    _sort_order,
    check_dict,
    check_index_value,
    dict_keep,
    dict_updated,
    fit_entry,
    seq_concat,
    seq_drop,
    seq_extend,
    seq_fold,
    seq_insert,
    seq_onehot,
    seq_permute,
    seq_place,
    seq_put,
    seq_removed,
    seq_repeat,
    seq_reversed,
    seq_sorted,
    seq_take,
    seq_tile,
    seq_unpermute,
    seq_without,
)

_reg.nondifferentiable(check_index_value)
_reg.nondifferentiable(check_dict)


# -- a + b --------------------------------------------------------------------------------
def _concat_vjp_a(g, ans, a, b):
    return seq_take(g, len(ans), 0, len(a))


def _concat_vjp_b(g, ans, a, b):
    return seq_take(g, len(ans), len(a), len(ans))


def _concat_jvp_a(t, ans, a, b):
    return seq_place(t, len(ans), 0, len(a), 0.0)


def _concat_jvp_b(t, ans, a, b):
    return seq_place(t, len(ans), len(a), len(ans), 0.0)


_reg.defvjp(seq_concat, _concat_vjp_a, _concat_vjp_b)
_reg.defjvp(seq_concat, _concat_jvp_a, _concat_jvp_b)


# -- a * n --------------------------------------------------------------------------------
def _repeat_vjp(g, ans, a, n):
    return seq_fold(g, len(a), int(n))


def _repeat_jvp(t, ans, a, n):
    return seq_tile(t, len(a), int(n), 0.0)


_reg.defvjp(seq_repeat, _repeat_vjp, None)
_reg.defjvp(seq_repeat, _repeat_jvp, None)


# -- lst.pop(i), lst.insert(i, v) -----------------------------------------------------------
def _without_vjp(g, ans, lst, i):
    return g if isinstance(_only_lists(lst, "pop"), dict) else \
        seq_put(g, len(ans), _pos(len(lst), i))


def _without_jvp(t, ans, lst, i):
    return seq_without(t, i) if isinstance(_only_lists(lst, "pop"), dict) and \
        isinstance(t, dict) and i in t else t if isinstance(lst, dict) else \
        seq_drop(t, len(lst), _pos(len(lst), i), 0.0)


def _insert_vjp_lst(g, ans, lst, i, v):
    return seq_drop(g, len(ans), _pos(len(_only_lists(lst, "insert")), i, True))


def _insert_vjp_v(g, ans, lst, i, v):
    return part(g, _pos(len(_only_lists(lst, "insert")), i, True))


def _insert_jvp_lst(t, ans, lst, i, v):
    return seq_put(t, len(_only_lists(lst, "insert")), _pos(len(lst), i, True), 0.0)


def _insert_jvp_v(t, ans, lst, i, v):
    return seq_onehot(t, len(ans), _pos(len(_only_lists(lst, "insert")), i, True), 0.0)


def _extend_vjp_lst(g, ans, lst, b):
    return seq_take(g, len(ans), 0, len(_only_lists(lst, "extend")))


def _extend_vjp_b(g, ans, lst, b):
    return seq_take(g, len(ans), len(_only_lists(lst, "extend")), len(ans))


def _extend_jvp_lst(t, ans, lst, b):
    return seq_place(t, len(ans), 0, len(_only_lists(lst, "extend")), 0.0)


def _extend_jvp_b(t, ans, lst, b):
    return seq_place(t, len(ans), len(_only_lists(lst, "extend")), len(ans), 0.0)


_reg.defvjp(seq_extend, _extend_vjp_lst, _extend_vjp_b)
_reg.defjvp(seq_extend, _extend_jvp_lst, _extend_jvp_b)
_reg.defvjp(seq_without, _without_vjp, None)
_reg.defjvp(seq_without, _without_jvp, None)
_reg.defvjp(seq_insert, _insert_vjp_lst, None, _insert_vjp_v)
_reg.defjvp(seq_insert, _insert_jvp_lst, None, _insert_jvp_v)


# -- lst.sort(), lst.reverse(), lst.remove(v): permutations and a drop -----------------------
def _sorted_vjp(g, ans, lst, key=None, reverse=False):
    return seq_unpermute(g, len(lst), _sort_order(lst, key, reverse))


def _sorted_jvp(t, ans, lst, key=None, reverse=False):
    return seq_permute(t, len(lst), _sort_order(lst, key, reverse), 0.0)


def _reversed_vjp(g, ans, lst):
    return seq_unpermute(g, len(lst), _backwards(lst))


def _reversed_jvp(t, ans, lst):
    return seq_permute(t, len(lst), _backwards(lst), 0.0)


def _removed_vjp(g, ans, lst, v):
    return seq_put(g, len(ans), _index_of(lst, v))


def _removed_jvp(t, ans, lst, v):
    return seq_drop(t, len(lst), _index_of(lst, v), 0.0)


_reg.defvjp(seq_sorted, _sorted_vjp, None, None)
_reg.defjvp(seq_sorted, _sorted_jvp, None, None)
_reg.defvjp(seq_reversed, _reversed_vjp)
_reg.defjvp(seq_reversed, _reversed_jvp)
_reg.defvjp(seq_removed, _removed_vjp, None)
_reg.defjvp(seq_removed, _removed_jvp, None)


def _backwards(lst):
    return range(len(lst) - 1, -1, -1)


def _reversed_seq(seq):
    """The sequence ``reversed(seq)`` reads (a list or tuple; an array's rows are refused)."""
    if not isinstance(seq, (list, tuple)):
        from ..errors import UnsupportedConstructError

        raise UnsupportedConstructError(
            f"differentiating reversed() of a {type(seq).__name__} is not supported (only of "
            "a list or tuple); use x[::-1]")
    return seq


# reversed(lst): an iterator over the entries backwards (list(...) of it then has list's
# rules); its derivative is the entries' moved back
def _iter_reversed_vjp(g, ans, seq):
    return seq_unpermute(g, len(seq), _backwards(_reversed_seq(seq)))


def _iter_reversed_jvp(t, ans, seq):
    return seq_permute(t, len(seq), _backwards(_reversed_seq(seq)), 0.0)


_reg.defvjp(reversed, _iter_reversed_vjp)
_reg.defjvp(reversed, _iter_reversed_jvp)


def _index_of(lst, v):
    return lst.index(v)


def _keys(other):
    return frozenset(dict(other))


for _f in (_sort_order, _backwards, _index_of, _keys, _reversed_seq):
    _reg.nondifferentiable(_f)


# -- d.update(o): the entries of o replace those of d ---------------------------------------
def _updated_vjp_d(g, ans, d, other):
    return dict_keep(g, _keys(other), False)


def _updated_vjp_other(g, ans, d, other):
    return dict_keep(g, _keys(other), True)


def _updated_jvp_d(t, ans, d, other):
    return dict_keep(t, _keys(other), False)


def _updated_jvp_other(t, ans, d, other):
    return t


_reg.defvjp(dict_updated, _updated_vjp_d, _updated_vjp_other)
_reg.defjvp(dict_updated, _updated_jvp_d, _updated_jvp_other)


# -- c[i] = v into a container of unknown kind ---------------------------------------------
def _fit_vjp(gg, ans, g, v):
    return broadcast_like(gg, g) if isinstance(g, np.ndarray) and np.shape(gg) != g.shape \
        else gg


def _fit_jvp(t, ans, g, v):
    return fit_entry(t, v)


_reg.defvjp(fit_entry, _fit_vjp, None)
_reg.defjvp(fit_entry, _fit_jvp, None)


# -- the entry movers: linear in their first argument, transposes of each other (declared
#    once: the forward rule is the mover itself on the tangent) ---------------------------
_SPAN, _AT, _GRID = "xs, n, start, stop, fill=None", "xs, n, p, fill=None", "xs, m, k, fill=None"
linear(seq_take, _SPAN, "seq_place(g, n, start, stop, fill)", None, None, None, None)
linear(seq_place, _SPAN, "seq_take(g, n, start, stop, fill)", None, None, None, None)
linear(seq_fold, _GRID, "seq_tile(g, m, k, fill)", None, None, None)
linear(seq_tile, _GRID, "seq_fold(g, m, k, fill)", None, None, None)
linear(seq_drop, _AT, "seq_put(g, n - 1, p, fill)", None, None, None)
linear(seq_put, _AT, "seq_drop(g, n + 1, p, fill)", None, None, None)
linear(seq_onehot, _AT, "part(g, p)", None, None, None)
_ORDER = "xs, n, order, fill=None"
linear(seq_permute, _ORDER, "seq_unpermute(g, n, order, fill)", None, None, None)
linear(seq_unpermute, _ORDER, "seq_permute(g, n, order, fill)", None, None, None)
linear(dict_keep, "xs, keys, keep=True", "dict_keep(g, keys, keep)", None, None)
