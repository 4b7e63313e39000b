"""Rules for ``np.linalg.multi_dot``, ``np.linalg.cond``, ``np.linalg.eigvals`` and
``np.polyfit`` (beyond autograd's list).

* ``multi_dot``: the cotangent of operand ``i`` is ``(A_0..A_{i-1})^T G (A_{i+1}..)^T``;
  its forward rule sums the chains with one tangent each.  A second derivative in the
  operands is refused (the adjoint helpers are differentiated in the cotangent only).
* ``cond`` (real matrices, every ``p``): from the extreme singular pairs for ``p`` None/2/-2
  (``d s_i = u_i^T dA v_i``), else from ``norm(x, p) * norm(inv(x), p)``; first derivatives
  only (a second derivative is refused).
* ``eigvals``: ``d lambda = diag(V^-1 dA V)`` for distinct eigenvalues; a matrix with
  repeated eigenvalues is refused at run time (they are not differentiable there).  A real
  matrix gets the real part of the complex cotangent (the pairing ``Re(sum(a * b))``).
* ``polyfit(x, y, deg)``: the least-squares solution ``pinv(V) y`` of the Vandermonde matrix
  ``V(x)``, differentiated in ``y`` (linear) and ``x`` (through ``dV = diag(dx) V'``) with
  ``lstsq``'s derivative at full rank; a rank-deficient fit is refused; ``w=``, ``full=``,
  ``cov=`` are not among the declared parameters (refused).
"""

import numpy as np

from . import helpers as H
from ._text import text_pair
from .helpers import (  # noqa: F401  (names the generated rules read)
    col,
    cond_dir,
    eig_distinct,
    eye_like,
    match_real,
    mT,
    multi_dot_adjoint,
    multi_dot_cross,
    multi_dot_tangent,
    multi_dot_tangent2,
    poly_full_rank,
    tangent_or_zeros,
    third_refused,
    uncol,
    vander_k,
)
from .registry import default_registry as R

_M = __name__

# -- multi_dot ---------------------------------------------------------------------------------
text_pair(_M, np.linalg.multi_dot, "arrays, out=None", ["multi_dot_adjoint(g, arrays)", None],
          ["multi_dot_tangent(t, arrays)", None])


# the operands' derivatives of the adjoint helpers (second derivatives of multi_dot) are
# multi_dot_cross / multi_dot_tangent2; a third derivative is refused
text_pair(_M, H.multi_dot_adjoint, "grad, arrays",
          ["multi_dot_tangent(g, arrays)", "multi_dot_cross(grad, arrays, g)"],
          ["multi_dot_adjoint(t, arrays)", "multi_dot_cross(grad, arrays, t)"])
text_pair(_M, H.multi_dot_tangent, "ts, arrays",
          ["multi_dot_adjoint(g, arrays)", "multi_dot_cross(g, arrays, ts)"],
          ["multi_dot_tangent(t, arrays)", "multi_dot_tangent2(ts, arrays, t)"])
# multi_dot_cross / multi_dot_tangent2 are linear in their first and last arguments (and
# each other's transposes there); their derivative in the operands is refused
_MD3 = "third_refused({}, 'a third derivative of np.linalg.multi_dot in its operands')"
text_pair(_M, H.multi_dot_cross, "grad, arrays, s",
          ["multi_dot_tangent2(s, arrays, g)", _MD3.format("g"),
           "multi_dot_cross(grad, arrays, g)"],
          ["multi_dot_cross(t, arrays, s)", _MD3.format("t"), "multi_dot_cross(grad, arrays, t)"])
text_pair(_M, H.multi_dot_tangent2, "ts, arrays, s",
          ["multi_dot_cross(g, arrays, s)", _MD3.format("g"), "multi_dot_cross(g, arrays, ts)"],
          ["multi_dot_tangent2(t, arrays, s)", _MD3.format("t"),
           "multi_dot_tangent2(ts, arrays, t)"])
_CD2 = "third_refused({}, 'a second derivative of np.linalg.cond')"
text_pair(_M, H.cond_dir, "x, p=None", [_CD2.format("g"), None], [_CD2.format("t"), None])
for _f, _k in ((H.multi_dot_cross, 1), (H.multi_dot_tangent2, 1), (H.cond_dir, 0)):
    R.vjp(_f).rules[_k].refuses = R.jvp(_f).rules[_k].refuses = True
R.nondifferentiable(H.third_refused)

# -- cond ----------------------------------------------------------------------------------------
text_pair(_M, np.linalg.cond, "x, p=None",
          ["unreduce(g, x, (-2, -1), False) * cond_dir(x, p)", None],
          ["np.sum(t * cond_dir(x, p), axis=(-2, -1))", None])

# -- eigvals ---------------------------------------------------------------------------------------
_EV = dict(V="(np.linalg.eig(a)[1] * eig_distinct(a))", VI="np.linalg.inv({V})")
text_pair(_M, np.linalg.eigvals, "a",
          ["match_real(np.matmul(mT({VI}) * np.expand_dims(g, -2), mT({V})), a)"],
          ["match_real(np.sum({VI} * mT(np.matmul(tangent_or_zeros(t, a), {V})), axis=-1), "
           "ans)"], **_EV)

# -- polyfit ---------------------------------------------------------------------------------------
_PF = dict(
    V="vander_k(x, deg, 0)", V1="vander_k(x, deg, 1)",
    P="(np.linalg.pinv({V}) * poly_full_rank(x, deg))", X="col(ans, y)",
    R="(col(y, y) - np.matmul({V}, {X}))", IPA="(eye_like({V}) - np.matmul({P}, {V}))",
    GX="col(g, y)", T="(np.expand_dims(t, -1) * {V1})",
)
text_pair(_M, np.polyfit, "x, y, deg, rcond=None",
          ["np.sum((-np.matmul(np.matmul(mT({P}), {GX}), mT({X})) + "
           "np.matmul({R}, mT(np.matmul(np.matmul({P}, mT({P})), {GX}))) + "
           "np.matmul(np.matmul(mT({P}), {X}), np.matmul(mT({GX}), {IPA}))) * {V1}, axis=-1)",
           "uncol(np.matmul(mT({P}), {GX}), y)", None, None],
          ["uncol(-np.matmul({P}, np.matmul({T}, {X})) + "
           "np.matmul(np.matmul({P}, mT({P})), np.matmul(mT({T}), {R})) + "
           "np.matmul({IPA}, np.matmul(mT({T}), np.matmul(mT({P}), {X}))), y)",
           "np.polyfit(x, tangent_or_zeros(t, y), deg, rcond)", None, None], **_PF)
text_pair(_M, H.vander_k, "x, deg, k=0",
          ["np.sum(g * vander_k(x, deg, k + 1), axis=-1)", None, None],
          ["np.expand_dims(t, -1) * vander_k(x, deg, k + 1)", None, None])

for _f in (H.eig_distinct, H.poly_full_rank):
    R.nondifferentiable(_f)
