"""Rules for NumPy shape functions, and for the broadcasting/shape helpers rules call.

They are linear, so each is declared by its transpose (:func:`ast_ad.rules.declare.linear`):
the forward rule applies the function itself to the tangent.  For instance::

    linear(np.transpose, "a, axes=None", "np.transpose(g, invert_axes(axes, np.ndim(g)))")

gives ``transpose_vjp`` (that expression) and ``transpose_jvp`` (``np.transpose(t,
axes=axes)``).  Joining (``concatenate``, ``stack``, ...) and ``astype`` keep hand-written
pairs: their forward rules fill in zero tangents or keep the tangent's dtype.
"""

import numpy as np

from . import helpers as H
from .declare import elementwise, linear
from .helpers import (
    astype,
    broadcast_like,
    cast_like,
    concat_like,
    hstack_axis,
    invert_axes,
    is_given,
    split_like,
    stack_like,
    transpose_axes,
    unstack,
)
from .registry import default_registry as R

# -- (function, parameters, transpose per argument; None: a shape-only argument) ------------
_LINEAR = [
    (np.reshape, "a, shape=None, order='C', copy=None",
     "np.reshape(g, np.shape(a), order=order)"),
    (H.method_reshape, "x, *shape", "np.reshape(g, np.shape(x))"),
    (np.ravel, "a, order='C'", "np.reshape(g, np.shape(a), order=order)"),
    (np.squeeze, "a, axis=None", "np.reshape(g, np.shape(a))"),
    (np.expand_dims, "a, axis", "np.reshape(g, np.shape(a))"),
    (np.transpose, "a, axes=None", "np.transpose(g, invert_axes(axes, np.ndim(g)))"),
    (H.method_transpose, "x, *axes", "np.transpose(g, invert_axes(axes, np.ndim(g)))"),
    (np.swapaxes, "a, axis1, axis2", "np.swapaxes(g, axis1, axis2)"),
    (np.moveaxis, "a, source, destination", "np.moveaxis(g, destination, source)"),
    (np.flip, "m, axis=None", "np.flip(g, axis)"),
    (np.roll, "a, shift, axis=None", "np.flip(np.roll(np.flip(g, axis), shift, axis), axis)"),
    (np.conj, "x", "np.conj(g)"),  # np.conjugate is the same ufunc
    # broadcasting, and the helpers' rules (each helper is linear in its first argument)
    (np.broadcast_to, "array, shape, subok=False", "unbroadcast(g, array)"),
    (H.unbroadcast, "grad, like", "broadcast_like(g, grad)"),
    (H.broadcast_like, "grad, like", "unbroadcast(g, grad)"),
    (H.unbroadcast_each, "grad, likes", "sum_like(g, grad)"),
    (H.sum_like, "grads, like", "unbroadcast_each(g, grads)", None),
    (H.split_like, "grad, likes, axis=0", "concat_like(g, likes, grad, axis)", None),
    (H.concat_like, "grads, parts, like, axis=0", "split_like(g, parts, axis)", None, None),
    (H.unstack, "grad, axis=0", "stack_like(g, grad, axis)"),
    (H.stack_like, "grads, like, axis=0", "unstack(g, axis)", None),
    (H.cast_like, "grad, like", "cast_like(g, grad)"),
]
for _fn, _params, *_transposes in _LINEAR:
    linear(_fn, _params, *_transposes)

# copies are the identity (elementwise, derivative 1)
for _fn, _params in ((H.copy, "x"), (np.copy, "a, order='K', subok=False"),
                     (H.as_sequence, "xs")):
    elementwise(_fn, "1", params=_params)


# -- joining: one tangent per input, zero entries (None/0.0) filled in ---------------------
def concatenate_vjp(g, ans, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    return split_like(g, arrays, axis)


def concatenate_jvp(t, ans, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    return concat_like(t, arrays, ans, axis)


def stack_vjp(g, ans, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    return unstack(g, axis)


def stack_jvp(t, ans, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    return stack_like(t, ans, axis)


def vstack_vjp(g, ans, tup, dtype=None, casting="same_kind"):
    return split_like(g, tup, 0)


def vstack_jvp(t, ans, tup, dtype=None, casting="same_kind"):
    return concat_like(t, tup, ans, 0)


def hstack_vjp(g, ans, tup, dtype=None, casting="same_kind"):
    return split_like(g, tup, hstack_axis(tup))


def hstack_jvp(t, ans, tup, dtype=None, casting="same_kind"):
    return concat_like(t, tup, ans, hstack_axis(tup))


# -- dtype casts: the tangent takes the result's floating dtype (astype(t, int) would truncate)
def astype_vjp(g, ans, x, dtype):
    return cast_like(g, x)


def astype_jvp(t, ans, x, dtype):
    return cast_like(t, ans)


for _fn, _vjp, _jvp in ((np.concatenate, concatenate_vjp, concatenate_jvp),
                        (np.stack, stack_vjp, stack_jvp), (np.vstack, vstack_vjp, vstack_jvp),
                        (np.hstack, hstack_vjp, hstack_jvp), (astype, astype_vjp, astype_jvp)):
    R.defvjp(_fn, _vjp)
    R.defjvp(_fn, _jvp)

for _f in (invert_axes, transpose_axes, hstack_axis, H.check_unpack, is_given, np.shape,
           np.ndim,
           np.size, np.zeros_like, np.ones_like, np.empty_like, np.zeros, np.ones, np.empty,
           np.eye, np.identity, np.tri, np.tril_indices,
           np.triu_indices, np.indices, np.result_type):
    R.nondifferentiable(_f)


# np.arange(start, stop, step): entry k is start + k * step (its length is piecewise
# constant in stop: no derivative there); np.arange(stop) alone has none at all
def arange_vjp_start(g, ans, start, stop=None, step=None, dtype=None):
    return np.sum(g) * is_given(stop)


def arange_vjp_step(g, ans, start, stop=None, step=None, dtype=None):
    return np.sum(g * (ans - start)) / step


def arange_jvp_start(t, ans, start, stop=None, step=None, dtype=None):
    return broadcast_like(t * is_given(stop), ans)


def arange_jvp_step(t, ans, start, stop=None, step=None, dtype=None):
    return t * (ans - start) / step


R.defvjp(np.arange, arange_vjp_start, None, arange_vjp_step)
R.defjvp(np.arange, arange_jvp_start, None, arange_jvp_step)
