"""Rules for NumPy shape functions, and for the broadcasting/shape helpers rules call.

Every rule is one ``return`` (the transformer inlines it)::

    def transpose_vjp(g, ans, a, axes=None):
        return np.transpose(g, invert_axes(axes, np.ndim(g)))
"""

import numpy as np

from . import helpers as H
from .helpers import (
    astype,
    broadcast_like,
    cast_like,
    concat_like,
    copy,
    hstack_axis,
    invert_axes,
    method_reshape,
    method_transpose,
    split_like,
    stack_like,
    sum_like,
    transpose_axes,
    unbroadcast,
    unbroadcast_each,
    unstack,
)
from .registry import default_registry as R


# -- reshaping -----------------------------------------------------------------------------
def reshape_vjp(g, ans, a, shape=None, order="C", copy=None):
    return np.reshape(g, np.shape(a), order=order)


def reshape_jvp(t, ans, a, shape=None, order="C", copy=None):
    return np.reshape(t, np.shape(ans), order=order)


def method_reshape_vjp(g, ans, x, *shape):
    return np.reshape(g, np.shape(x))


def method_reshape_jvp(t, ans, x, *shape):
    return np.reshape(t, np.shape(ans))


def ravel_vjp(g, ans, a, order="C"):
    return np.reshape(g, np.shape(a), order=order)


def ravel_jvp(t, ans, a, order="C"):
    return np.ravel(t, order)


def squeeze_vjp(g, ans, a, axis=None):
    return np.reshape(g, np.shape(a))


def squeeze_jvp(t, ans, a, axis=None):
    return np.squeeze(t, axis)


def expand_dims_vjp(g, ans, a, axis):
    return np.reshape(g, np.shape(a))


def expand_dims_jvp(t, ans, a, axis):
    return np.expand_dims(t, axis)


R.defvjp(np.reshape, reshape_vjp)
R.defjvp(np.reshape, reshape_jvp)
R.defvjp(method_reshape, method_reshape_vjp)
R.defjvp(method_reshape, method_reshape_jvp)
R.defvjp(np.ravel, ravel_vjp)
R.defjvp(np.ravel, ravel_jvp)
R.defvjp(np.squeeze, squeeze_vjp)
R.defjvp(np.squeeze, squeeze_jvp)
R.defvjp(np.expand_dims, expand_dims_vjp)
R.defjvp(np.expand_dims, expand_dims_jvp)


# -- permuting axes ----------------------------------------------------------------------------
def transpose_vjp(g, ans, a, axes=None):
    return np.transpose(g, invert_axes(axes, np.ndim(g)))


def transpose_jvp(t, ans, a, axes=None):
    return np.transpose(t, axes)


def method_transpose_vjp(g, ans, x, *axes):
    return np.transpose(g, invert_axes(axes, np.ndim(g)))


def method_transpose_jvp(t, ans, x, *axes):
    return np.transpose(t, transpose_axes(axes))


def swapaxes_vjp(g, ans, a, axis1, axis2):
    return np.swapaxes(g, axis1, axis2)


def swapaxes_jvp(t, ans, a, axis1, axis2):
    return np.swapaxes(t, axis1, axis2)


def moveaxis_vjp(g, ans, a, source, destination):
    return np.moveaxis(g, destination, source)


def moveaxis_jvp(t, ans, a, source, destination):
    return np.moveaxis(t, source, destination)


def flip_vjp(g, ans, m, axis=None):
    return np.flip(g, axis)


def flip_jvp(t, ans, m, axis=None):
    return np.flip(t, axis)


def roll_vjp(g, ans, a, shift, axis=None):
    return np.flip(np.roll(np.flip(g, axis), shift, axis), axis)


def roll_jvp(t, ans, a, shift, axis=None):
    return np.roll(t, shift, axis)


R.defvjp(np.transpose, transpose_vjp)
R.defjvp(np.transpose, transpose_jvp)
R.defvjp(method_transpose, method_transpose_vjp)
R.defjvp(method_transpose, method_transpose_jvp)
R.defvjp(np.swapaxes, swapaxes_vjp)
R.defjvp(np.swapaxes, swapaxes_jvp)
R.defvjp(np.moveaxis, moveaxis_vjp)
R.defjvp(np.moveaxis, moveaxis_jvp)
R.defvjp(np.flip, flip_vjp)
R.defjvp(np.flip, flip_jvp)
R.defvjp(np.roll, roll_vjp)
R.defjvp(np.roll, roll_jvp)


# -- joining and splitting ---------------------------------------------------------------------
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


R.defvjp(np.concatenate, concatenate_vjp)
R.defjvp(np.concatenate, concatenate_jvp)
R.defvjp(np.stack, stack_vjp)
R.defjvp(np.stack, stack_jvp)
R.defvjp(np.vstack, vstack_vjp)
R.defjvp(np.vstack, vstack_jvp)
R.defvjp(np.hstack, hstack_vjp)
R.defjvp(np.hstack, hstack_jvp)


def split_like_vjp(g, ans, grad, likes, axis=0):
    return concat_like(g, likes, grad, axis)


def split_like_jvp(t, ans, grad, likes, axis=0):
    return split_like(t, likes, axis)


def concat_like_vjp(g, ans, grads, parts, like, axis=0):
    return split_like(g, parts, axis)


def concat_like_jvp(t, ans, grads, parts, like, axis=0):
    return concat_like(t, parts, like, axis)


def unstack_vjp(g, ans, grad, axis=0):
    return stack_like(g, grad, axis)


def unstack_jvp(t, ans, grad, axis=0):
    return unstack(t, axis)


R.defvjp(split_like, split_like_vjp, None)
R.defjvp(split_like, split_like_jvp, None)
R.defvjp(concat_like, concat_like_vjp, None, None)
R.defjvp(concat_like, concat_like_jvp, None, None)
R.defvjp(unstack, unstack_vjp)
R.defjvp(unstack, unstack_jvp)


def stack_like_vjp(g, ans, grads, like, axis=0):
    return unstack(g, axis)


def stack_like_jvp(t, ans, grads, like, axis=0):
    return stack_like(t, like, axis)


def sum_like_vjp(g, ans, grads, like):
    return unbroadcast_each(g, grads)


def sum_like_jvp(t, ans, grads, like):
    return sum_like(t, like)


R.defvjp(stack_like, stack_like_vjp, None)
R.defjvp(stack_like, stack_like_jvp, None)
R.defvjp(sum_like, sum_like_vjp, None)
R.defjvp(sum_like, sum_like_jvp, None)


# -- broadcasting ------------------------------------------------------------------------------
def broadcast_to_vjp(g, ans, array, shape, subok=False):
    return unbroadcast(g, array)


def broadcast_to_jvp(t, ans, array, shape, subok=False):
    return np.broadcast_to(t, shape)


def unbroadcast_vjp(g, ans, grad, like):
    return broadcast_like(g, grad)


def unbroadcast_jvp(t, ans, grad, like):
    return unbroadcast(t, like)


def broadcast_like_vjp(g, ans, grad, like):
    return unbroadcast(g, grad)


def broadcast_like_jvp(t, ans, grad, like):
    return broadcast_like(t, like)


def unbroadcast_each_vjp(g, ans, grad, likes):
    return sum_like(g, grad)


def unbroadcast_each_jvp(t, ans, grad, likes):
    return unbroadcast_each(t, likes)


R.defvjp(np.broadcast_to, broadcast_to_vjp)
R.defjvp(np.broadcast_to, broadcast_to_jvp)
R.defvjp(unbroadcast, unbroadcast_vjp)
R.defjvp(unbroadcast, unbroadcast_jvp)
R.defvjp(broadcast_like, broadcast_like_vjp)
R.defjvp(broadcast_like, broadcast_like_jvp)
R.defvjp(unbroadcast_each, unbroadcast_each_vjp)
R.defjvp(unbroadcast_each, unbroadcast_each_jvp)


# -- copies and casts --------------------------------------------------------------------------
def copy_vjp(g, ans, x):
    return g


def copy_jvp(t, ans, x):
    return t


def np_copy_vjp(g, ans, a, order="K", subok=False):
    return g


def np_copy_jvp(t, ans, a, order="K", subok=False):
    return t


def astype_vjp(g, ans, x, dtype):
    return cast_like(g, x)


def astype_jvp(t, ans, x, dtype):
    return cast_like(t, ans)


def cast_like_vjp(g, ans, grad, like):
    return cast_like(g, grad)


def cast_like_jvp(t, ans, grad, like):
    return cast_like(t, like)


def as_sequence_vjp(g, ans, xs):
    return g


def as_sequence_jvp(t, ans, xs):
    return t


R.defvjp(copy, copy_vjp)
R.defjvp(copy, copy_jvp)
R.defvjp(np.copy, np_copy_vjp)
R.defjvp(np.copy, np_copy_jvp)
R.defvjp(astype, astype_vjp)
R.defjvp(astype, astype_jvp)
R.defvjp(cast_like, cast_like_vjp)
R.defjvp(cast_like, cast_like_jvp)
R.defvjp(H.as_sequence, as_sequence_vjp)
R.defjvp(H.as_sequence, as_sequence_jvp)

# -- filled arrays: differentiable in the fill value ---------------------------------------
def full_like_vjp(g, ans, a, fill_value, dtype=None, order="K", subok=True, shape=None):
    return unbroadcast(g, fill_value)


def full_like_jvp(t, ans, a, fill_value, dtype=None, order="K", subok=True, shape=None):
    return broadcast_like(t, ans)


def full_vjp(g, ans, shape, fill_value, dtype=None, order="C"):
    return unbroadcast(g, fill_value)


def full_jvp(t, ans, shape, fill_value, dtype=None, order="C"):
    return broadcast_like(t, ans)


def conj_vjp(g, ans, x):
    return np.conj(g)


def conj_jvp(t, ans, x):
    return np.conj(t)


R.defvjp(np.full_like, None, full_like_vjp)
R.defjvp(np.full_like, None, full_like_jvp)
R.defvjp(np.full, None, full_vjp)
R.defjvp(np.full, None, full_jvp)
R.defvjp(np.conj, conj_vjp)  # np.conjugate is the same ufunc
R.defjvp(np.conj, conj_jvp)

for _f in (invert_axes, transpose_axes, hstack_axis, H.check_unpack, np.shape, np.ndim,
           np.size, np.zeros_like, np.ones_like, np.empty_like, np.zeros, np.ones, np.empty,
           np.eye, np.identity, np.arange, np.linspace, np.tri, np.tril_indices,
           np.triu_indices, np.indices, np.result_type):
    R.nondifferentiable(_f)
