"""Rules for NumPy linear algebra: ``dot``, ``matmul`` (and ``@``), ``outer``, ``trace``,
``linalg.norm``, ``linalg.inv``, ``linalg.det`` (batched over leading axes).

``np.matmul``, ``np.dot`` and ``np.outer`` are bilinear and ``np.trace`` linear, so each is
declared by its transposes (:func:`ast_ad.rules.declare.linear`); the adjoint helpers are
bilinear too, and their own rules are expressed with the same helpers (closed under
differentiation)::

    linear([np.matmul, operator.matmul], "a, b", "matmul_adjoint_a(g, a, b)",
           "matmul_adjoint_b(g, a, b)")

``linalg.norm`` is a reduction declared by its derivative ``norm_dir``; ``inv`` and ``det``
keep hand-written pairs: their two modes differ.
"""

import operator

import numpy as np

from . import helpers as H
from ._text import text_pair
from .declare import linear, reduction
from .helpers import norm_dir, norm_is_smooth, norm_p, unreduce
from .registry import default_registry as R


def inv_vjp(g, ans, a):
    return -np.matmul(np.swapaxes(ans, -1, -2), np.matmul(g, np.swapaxes(ans, -1, -2)))


def inv_jvp(t, ans, a):
    return -np.matmul(ans, np.matmul(t, ans))


def det_vjp(g, ans, a):
    return unreduce(g * ans, a, (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2)


def det_jvp(t, ans, a):
    return ans * np.sum(np.swapaxes(np.linalg.inv(a), -1, -2) * t, axis=(-2, -1))


R.defvjp(np.linalg.inv, inv_vjp)
R.defjvp(np.linalg.inv, inv_jvp)
R.defvjp(np.linalg.det, det_vjp)
R.defjvp(np.linalg.det, det_jvp)


# -- bilinear and linear functions, and the helpers' rules: (function(s), parameters,
# transpose per argument; None: not a linear argument) -----------------------------------------
_LINEAR = [
    ([np.matmul, operator.matmul], "a, b", "matmul_adjoint_a(g, a, b)",
     "matmul_adjoint_b(g, a, b)"),
    (np.dot, "a, b, out=None", "dot_adjoint_a(g, a, b)", "dot_adjoint_b(g, a, b)"),
    (np.outer, "a, b, out=None", "np.reshape(np.dot(g, np.ravel(b)), np.shape(a))",
     "np.reshape(np.dot(np.ravel(a), g), np.shape(b))"),
    (np.trace, "a, offset=0, axis1=0, axis2=1, dtype=None, out=None",
     "untrace(g, a, offset, axis1, axis2)"),
    (H.untrace, "grad, like, offset=0, axis1=0, axis2=1", "np.trace(g, offset, axis1, axis2)"),
    # matmul_adjoint_a(grad, a, b) is linear in grad and in b:
    #   <H, matmul_adjoint_a(grad, a, b)> = <grad, H @ b>
    (H.matmul_adjoint_a, "grad, a, b", "np.matmul(g, b)", None, "matmul_adjoint_b(grad, g, b)"),
    (H.matmul_adjoint_b, "grad, a, b", "np.matmul(a, g)", "matmul_adjoint_a(grad, a, g)", None),
    (H.dot_adjoint_a, "grad, a, b", "np.dot(g, b)", None, "dot_adjoint_b(grad, g, b)"),
    (H.dot_adjoint_b, "grad, a, b", "np.dot(a, g)", "dot_adjoint_a(grad, a, g)", None),
]
for _fns, _params, *_transposes in _LINEAR:
    linear(_fns, _params, *_transposes)
reduction(np.linalg.norm, "x, ord=None, axis=None, keepdims=False",
          "norm_dir(x, ans, ord, axis, keepdims)")


# norm_dir(x, nrm) is sign(x) |x|^(p-1) / nrm^(p-1) (p = norm_p: 2 for the 2-norm; 1, a
# zero second derivative, where it is piecewise constant); for the spectral matrix norms
# (nuclear, 2, -2; not_spectral is 0 there) it is the gradient of a singular value sum, whose
# derivative is spectral_dir_d (zeros for every other ord).  Its derivative in x, a diagonal
# scale plus spectral_dir_d, is a symmetric map (a Hessian): one text, in the seed {S} (g or
# t), is its reverse and its forward rule
_NORM_DIR_X = ("not_spectral(x, ord, axis) * {S} * (norm_p(x, ord, axis) - 1) * "
               "np.abs(x) ** (norm_p(x, ord, axis) - 2) / "
               "unreduce(nrm, x, axis, keepdims) ** (norm_p(x, ord, axis) - 1) + "
               "spectral_dir_d({S}, x, ord, axis)")
text_pair(__name__, norm_dir, "x, nrm, ord=None, axis=None, keepdims=False",
          [_NORM_DIR_X.format(S="g"), "not_spectral(x, ord, axis) * (1 - norm_p(x, ord, axis)) * "
           "np.sum(g * ans, axis=axis, keepdims=keepdims) / nrm"],
          [_NORM_DIR_X.format(S="t"), "not_spectral(x, ord, axis) * (1 - norm_p(x, ord, axis)) * "
           "ans * unreduce(t / nrm, x, axis, keepdims)"])
R.nondifferentiable(norm_is_smooth)
R.nondifferentiable(norm_p)
