"""Rules for NumPy linear algebra: ``dot``, ``matmul`` (and ``@``), ``outer``, ``trace``,
``linalg.norm``, ``linalg.inv``, ``linalg.det`` (batched over leading axes).

``np.matmul`` and ``np.dot`` are bilinear, so their adjoint helpers are bilinear too, and the
helpers' own rules are expressed with the same helpers (closed under differentiation)::

    def matmul_vjp_a(g, ans, a, b):
        return matmul_adjoint_a(g, a, b)
"""

import operator

import numpy as np

from .helpers import (
    dot_adjoint_a,
    dot_adjoint_b,
    matmul_adjoint_a,
    matmul_adjoint_b,
    norm_dir,
    norm_is_smooth,
    unreduce,
    untrace,
)
from .registry import default_registry as R


def matmul_vjp_a(g, ans, a, b):
    return matmul_adjoint_a(g, a, b)


def matmul_vjp_b(g, ans, a, b):
    return matmul_adjoint_b(g, a, b)


def matmul_jvp_a(t, ans, a, b):
    return np.matmul(t, b)


def matmul_jvp_b(t, ans, a, b):
    return np.matmul(a, t)


def dot_vjp_a(g, ans, a, b, out=None):
    return dot_adjoint_a(g, a, b)


def dot_vjp_b(g, ans, a, b, out=None):
    return dot_adjoint_b(g, a, b)


def dot_jvp_a(t, ans, a, b, out=None):
    return np.dot(t, b)


def dot_jvp_b(t, ans, a, b, out=None):
    return np.dot(a, t)


def outer_vjp_a(g, ans, a, b, out=None):
    return np.reshape(np.dot(g, np.ravel(b)), np.shape(a))


def outer_vjp_b(g, ans, a, b, out=None):
    return np.reshape(np.dot(np.ravel(a), g), np.shape(b))


def outer_jvp_a(t, ans, a, b, out=None):
    return np.outer(t, b)


def outer_jvp_b(t, ans, a, b, out=None):
    return np.outer(a, t)


def trace_vjp(g, ans, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return untrace(g, a, offset, axis1, axis2)


def trace_jvp(t, ans, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return np.trace(t, offset, axis1, axis2)


def norm_vjp(g, ans, x, ord=None, axis=None, keepdims=False):
    return unreduce(g, x, axis, keepdims) * norm_dir(x, ans, ord, axis, keepdims)


def norm_jvp(t, ans, x, ord=None, axis=None, keepdims=False):
    return np.sum(t * norm_dir(x, ans, ord, axis, keepdims), axis=axis, keepdims=keepdims)


def inv_vjp(g, ans, a):
    return -np.matmul(np.swapaxes(ans, -1, -2), np.matmul(g, np.swapaxes(ans, -1, -2)))


def inv_jvp(t, ans, a):
    return -np.matmul(ans, np.matmul(t, ans))


def det_vjp(g, ans, a):
    return unreduce(g * ans, a, (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2)


def det_jvp(t, ans, a):
    return ans * np.sum(np.swapaxes(np.linalg.inv(a), -1, -2) * t, axis=(-2, -1))


R.defvjp(np.matmul, matmul_vjp_a, matmul_vjp_b)
R.defjvp(np.matmul, matmul_jvp_a, matmul_jvp_b)
R.defvjp(operator.matmul, matmul_vjp_a, matmul_vjp_b)
R.defjvp(operator.matmul, matmul_jvp_a, matmul_jvp_b)
R.defvjp(np.dot, dot_vjp_a, dot_vjp_b)
R.defjvp(np.dot, dot_jvp_a, dot_jvp_b)
R.defvjp(np.outer, outer_vjp_a, outer_vjp_b)
R.defjvp(np.outer, outer_jvp_a, outer_jvp_b)
R.defvjp(np.trace, trace_vjp)
R.defjvp(np.trace, trace_jvp)
R.defvjp(np.linalg.norm, norm_vjp)
R.defjvp(np.linalg.norm, norm_jvp)
R.defvjp(np.linalg.inv, inv_vjp)
R.defjvp(np.linalg.inv, inv_jvp)
R.defvjp(np.linalg.det, det_vjp)
R.defjvp(np.linalg.det, det_jvp)


# -- helpers used by the rules above ---------------------------------------------------------
# matmul_adjoint_a(grad, a, b) is linear in grad and in b:
#   <H, matmul_adjoint_a(grad, a, b)> = <grad, H @ b>
def matmul_adjoint_a_vjp_grad(g, ans, grad, a, b):
    return np.matmul(g, b)


def matmul_adjoint_a_vjp_b(g, ans, grad, a, b):
    return matmul_adjoint_b(grad, g, b)


def matmul_adjoint_a_jvp_grad(t, ans, grad, a, b):
    return matmul_adjoint_a(t, a, b)


def matmul_adjoint_a_jvp_b(t, ans, grad, a, b):
    return matmul_adjoint_a(grad, a, t)


def matmul_adjoint_b_vjp_grad(g, ans, grad, a, b):
    return np.matmul(a, g)


def matmul_adjoint_b_vjp_a(g, ans, grad, a, b):
    return matmul_adjoint_a(grad, a, g)


def matmul_adjoint_b_jvp_grad(t, ans, grad, a, b):
    return matmul_adjoint_b(t, a, b)


def matmul_adjoint_b_jvp_a(t, ans, grad, a, b):
    return matmul_adjoint_b(grad, t, b)


def dot_adjoint_a_vjp_grad(g, ans, grad, a, b):
    return np.dot(g, b)


def dot_adjoint_a_vjp_b(g, ans, grad, a, b):
    return dot_adjoint_b(grad, g, b)


def dot_adjoint_a_jvp_grad(t, ans, grad, a, b):
    return dot_adjoint_a(t, a, b)


def dot_adjoint_a_jvp_b(t, ans, grad, a, b):
    return dot_adjoint_a(grad, a, t)


def dot_adjoint_b_vjp_grad(g, ans, grad, a, b):
    return np.dot(a, g)


def dot_adjoint_b_vjp_a(g, ans, grad, a, b):
    return dot_adjoint_a(grad, a, g)


def dot_adjoint_b_jvp_grad(t, ans, grad, a, b):
    return dot_adjoint_b(t, a, b)


def dot_adjoint_b_jvp_a(t, ans, grad, a, b):
    return dot_adjoint_b(grad, t, b)


R.defvjp(matmul_adjoint_a, matmul_adjoint_a_vjp_grad, None, matmul_adjoint_a_vjp_b)
R.defjvp(matmul_adjoint_a, matmul_adjoint_a_jvp_grad, None, matmul_adjoint_a_jvp_b)
R.defvjp(matmul_adjoint_b, matmul_adjoint_b_vjp_grad, matmul_adjoint_b_vjp_a, None)
R.defjvp(matmul_adjoint_b, matmul_adjoint_b_jvp_grad, matmul_adjoint_b_jvp_a, None)
R.defvjp(dot_adjoint_a, dot_adjoint_a_vjp_grad, None, dot_adjoint_a_vjp_b)
R.defjvp(dot_adjoint_a, dot_adjoint_a_jvp_grad, None, dot_adjoint_a_jvp_b)
R.defvjp(dot_adjoint_b, dot_adjoint_b_vjp_grad, dot_adjoint_b_vjp_a, None)
R.defjvp(dot_adjoint_b, dot_adjoint_b_jvp_grad, dot_adjoint_b_jvp_a, None)


def untrace_vjp(g, ans, grad, like, offset=0, axis1=0, axis2=1):
    return np.trace(g, offset, axis1, axis2)


def untrace_jvp(t, ans, grad, like, offset=0, axis1=0, axis2=1):
    return untrace(t, like, offset, axis1, axis2)


R.defvjp(untrace, untrace_vjp)
R.defjvp(untrace, untrace_jvp)


# norm_dir(x, nrm) is x / nrm for the 2-norm, piecewise constant for ord 0, 1, +-inf.
def norm_dir_vjp_x(g, ans, x, nrm, ord=None, axis=None, keepdims=False):
    return g / unreduce(nrm, x, axis, keepdims) * norm_is_smooth(ord)


def norm_dir_vjp_nrm(g, ans, x, nrm, ord=None, axis=None, keepdims=False):
    return -(np.sum(g * ans, axis=axis, keepdims=keepdims) / nrm) * norm_is_smooth(ord)


def norm_dir_jvp_x(t, ans, x, nrm, ord=None, axis=None, keepdims=False):
    return t / unreduce(nrm, x, axis, keepdims) * norm_is_smooth(ord)


def norm_dir_jvp_nrm(t, ans, x, nrm, ord=None, axis=None, keepdims=False):
    return -(ans * unreduce(t / nrm, x, axis, keepdims)) * norm_is_smooth(ord)


R.defvjp(norm_dir, norm_dir_vjp_x, norm_dir_vjp_nrm)
R.defjvp(norm_dir, norm_dir_jvp_x, norm_dir_jvp_nrm)
R.nondifferentiable(norm_is_smooth)
