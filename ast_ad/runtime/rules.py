"""Derivative rules of the runtime helpers themselves, so generated code can be
differentiated again (each helper is linear in its differentiated arguments)."""

from __future__ import annotations

import numpy as np

from ..rules.registry import default_registry as _reg
from ..signature import match
from .adjoints import (
    accum_index,
    accum_index_into,
    add_grads,
    as_float,
    as_sequence,
    check_no_view,
    check_not_array,
    check_output,
    check_real,
    check_unpack,
    clear_grad,
    fix_array,
    is_zero,
    last_written,
    part,
    restore_item,
    save_item,
    seed,
    shape_token,
    stop_gradient,
    take_grad,
    take_written,
    zeros_grad,
)
from .buffers import own_grad
from .tangents import (
    array_parts,
    array_tangent,
    as_float_tangent,
    tangent_list,
    tangent_restore,
    tangent_setitem,
)
from .user_rules import check_cotangent, check_tangent, is_user_rule, rule_label


def _define(fn, vjps, jvps):
    """Register ``fn``'s reverse rules ``vjps`` and forward rules ``jvps`` (per argument)."""
    _reg.defvjp(fn, *vjps)
    _reg.defjvp(fn, *jvps)


for _f in (seed, check_output, check_real, is_zero, check_unpack, zeros_grad, stop_gradient,
           restore_item, check_no_view, check_not_array, shape_token, tangent_list,
           last_written):
    _reg.nondifferentiable(_f)


# -- helpers that pass their first argument's derivative through unchanged ----------------
def _ident_vjp(g, ans, x):
    return g


def _ident_jvp(t, ans, x):
    return t


def _add_grads_vjp(g, ans, a, b):
    return g


def _add_grads_jvp(t, ans, a, b):
    return t


def _fix_array_vjp(g, ans, gg, x):
    return g


def _fix_array_jvp(t, ans, g, x):
    return t


def _as_sequence_vjp(g, ans, it):
    return None if isinstance(it, dict) else g  # a dict's keys carry no derivative


def _as_sequence_jvp(t, ans, it):
    return None if isinstance(it, dict) else t  # (its values' tangents are not theirs)


_define(as_sequence, [_as_sequence_vjp], [_as_sequence_jvp])
for _f in (as_float_tangent, as_float, list):  # list(x) copies list adjoints
    _define(_f, [_ident_vjp], [_ident_jvp])
_define(add_grads, [_add_grads_vjp, _add_grads_vjp], [_add_grads_jvp, _add_grads_jvp])
_define(fix_array, [_fix_array_vjp, None], [_fix_array_jvp, None])


def _match_vjp(g, ans, gg, x):
    return match(g, x)


def _match_jvp(t, ans, g, x):
    return match(t, x)  # (a tuple parameter's gradient: linear in g, shaped like x)


_define(match, [_match_vjp, None], [_match_jvp, None])


# -- the checks of a user rule's result pass its derivative through ------------------------
def _checked_vjp(g, ans, c, like, label):
    return g


def _checked_jvp(t, ans, c, like, label):
    return t


for _f in (check_cotangent, check_tangent):
    _define(_f, [_checked_vjp, None, None], [_checked_jvp, None, None])
for _f in (is_user_rule, rule_label):
    _reg.nondifferentiable(_f)


# -- reverse rules ------------------------------------------------------------------------
def _part_vjp(g, ans, c, k):
    return accum_index(None, c, k, g) if not isinstance(c, float) else 0.0


def _save_item_vjp(g, ans, x, idx):
    return accum_index(0.0, x, idx, g)


def _take_grad_vjp(g, ans, b, idx):
    return accum_index(0.0, b, idx, g) if not is_zero(b) else 0.0


def _accum_index_vjp_b(g, ans, b, x, idx, gg):
    return g


def _accum_index_vjp_g(g, ans, b, x, idx, gg):
    return take_grad(g, idx)


def _clear_grad_vjp(g, ans, b, x, idx):
    return clear_grad(g, x, idx)


_reg.defvjp(part, _part_vjp, None)
_reg.defvjp(save_item, _save_item_vjp, None)
_reg.defvjp(take_grad, _take_grad_vjp, None)


def _take_written_vjp(g, ans, b, idx):
    return accum_index(0.0, b, idx, g * last_written(b, idx)) if not is_zero(b) else 0.0


def _take_written_jvp(t, ans, b, idx):
    return take_written(t, idx)


_reg.defvjp(take_written, _take_written_vjp, None)
_reg.defjvp(take_written, _take_written_jvp, None)
_reg.defvjp(accum_index, _accum_index_vjp_b, None, None, _accum_index_vjp_g)
_reg.defvjp(accum_index_into, _accum_index_vjp_b, None, None, _accum_index_vjp_g)
_reg.defvjp(clear_grad, _clear_grad_vjp, None, None)


def _own_grad_vjp(g, ans, b, x):
    from ..rules.helpers import unbroadcast

    return unbroadcast(g, b) if not is_zero(b) else 0.0


_reg.defvjp(own_grad, _own_grad_vjp, None)


# -- forward rules ------------------------------------------------------------------------
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


_reg.defjvp(part, _part_jvp, None)
_reg.defjvp(accum_index, _accum_index_jvp_b, None, None, _accum_index_jvp_g)
_reg.defjvp(accum_index_into, _accum_index_jvp_b, None, None, _accum_index_jvp_g)
_reg.defjvp(take_grad, _take_grad_jvp, None)
_reg.defjvp(clear_grad, _clear_grad_jvp, None, None)
_reg.defjvp(own_grad, lambda t, ans, b, x: own_grad(t, x), None)
_reg.defjvp(save_item, _save_item_jvp, None)


# -- np.array / np.asarray of differentiated values ----------------------------------------
def _array_vjp(g, ans, obj, dtype=None, copy=True, order="K", subok=False, like=None):
    return array_parts(g, obj)


def _array_jvp(t, ans, obj, dtype=None, copy=True, order="K", subok=False, like=None):
    return array_tangent(t, ans)


def _asarray_vjp(g, ans, a, dtype=None, order=None, device=None, copy=None, like=None):
    return array_parts(g, a)


def _asarray_jvp(t, ans, a, dtype=None, order=None, device=None, copy=None, like=None):
    return array_tangent(t, ans)


def _contiguous_vjp(g, ans, a, dtype=None, like=None):
    return array_parts(g, a)


def _contiguous_jvp(t, ans, a, dtype=None, like=None):
    return array_tangent(t, ans)


def _array_parts_vjp(g, ans, gg, obj):
    return array_tangent(g, gg)


def _array_parts_jvp(t, ans, gg, obj):
    return array_parts(t, obj)


def _array_tangent_vjp(g, ans, t, a):
    return array_parts(g, t)


def _array_tangent_jvp(tt, ans, t, a):
    return array_tangent(tt, a)


# (NumPy's keywords: copy/order/subok/like/device do not change the values; ndmin is not
# declared: refused at the user's line; a dtype is the caller's. One return expression
# each: the rules are inlined as templates.)
_define(np.array, [_array_vjp], [_array_jvp])
for _f in (np.asarray, np.asanyarray):
    _define(_f, [_asarray_vjp], [_asarray_jvp])
for _f in (np.ascontiguousarray, np.asfortranarray):
    _define(_f, [_contiguous_vjp], [_contiguous_jvp])
_define(array_parts, [_array_parts_vjp, None], [_array_parts_jvp, None])
_define(array_tangent, [_array_tangent_vjp, None], [_array_tangent_jvp, None])


# -- tangent_setitem(t, x, idx, v) and tangent_restore(t, x, idx, old): both overwrite the
# entry at idx of the tangent t with v (resp. old) --------------------------------------
def _overwrite_vjp_t(g, ans, t, x, idx, v):
    return clear_grad(g, x, idx)


def _overwrite_vjp_v(g, ans, t, x, idx, v):
    return take_grad(g, idx)


def _tangent_setitem_jvp_t(tt, ans, t, x, idx, tv):
    return tangent_setitem(tt, x, idx, 0.0)


def _tangent_setitem_jvp_tv(ttv, ans, t, x, idx, tv):
    return tangent_setitem(0.0, x, idx, ttv)


def _tangent_restore_jvp_t(tt, ans, t, x, idx, told):
    return tangent_restore(tt, x, idx, 0.0)


def _tangent_restore_jvp_told(tt, ans, t, x, idx, told):
    return tangent_restore(0.0, x, idx, tt)


for _f in (tangent_setitem, tangent_restore):
    _reg.defvjp(_f, _overwrite_vjp_t, None, None, _overwrite_vjp_v)
_reg.defjvp(tangent_setitem, _tangent_setitem_jvp_t, None, None, _tangent_setitem_jvp_tv)
_reg.defjvp(tangent_restore, _tangent_restore_jvp_t, None, None, _tangent_restore_jvp_told)
