"""Rules for NumPy functions beyond autograd's list that real code uses: ``trapezoid``,
``cov``, ``corrcoef``, ``correlate``, ``ediff1d`` and the selections ``insert``,
``delete``, ``compress``, ``extract``, ``choose``, ``block``.

* ``trapezoid(y, x, dx, axis)`` is ``sum(w * y, axis)`` with the weights ``w`` of
  :func:`~ast_ad.rules.helpers.breadth.trap_w` (linear in ``x``, or ``dx``): differentiated
  in ``y``, ``x`` and ``dx``.
* ``cov`` of the rows ``X`` (stacked from ``m`` and ``y`` as NumPy does) is
  ``Xc Xc^T / f`` with ``Xc`` centred and ``f = N - ddof``: ``dC = (dX Xc^T + Xc dX^T) / f``.
  ``corrcoef`` is ``C / (s s^T)``, ``s = sqrt(diag C)``.  Weights (``fweights``,
  ``aweights``) and ``dtype=`` are not among the declared parameters (refused), and complex
  data is refused at run time.
* ``correlate`` (real) is bilinear; its adjoints are correlations of the zero-padded
  cotangent.
* The selections only place entries of their arguments: their rules scatter the cotangent
  and gather the tangent by labels made by running the function on integer labels
  (:mod:`ast_ad.rules.helpers.breadth`), so every form NumPy accepts is covered.
"""

import numpy as np

from . import helpers as H
from ._text import rule_text, text_pair
from .declare import linear
from .helpers import (  # noqa: F401  (names the generated rules read)
    cov_rows,
    mT,
    scatter,
    tangent_or_zeros,
    trap_dw,
    trap_w,
    zeros_or_none,
)
from .registry import default_registry as R

_M = __name__

# -- trapezoid ---------------------------------------------------------------------------------
_TRAP = "y, x=None, dx=1.0, axis=-1"
for _f in [np.trapezoid] + ([np.trapz] if "trapz" in dir(np) else []):
    text_pair(_M, _f, _TRAP,
              ["trap_w(x, dx, y, axis) * unreduce(g, y, axis, False)",
               "untrap_w(unreduce(g, y, axis, False) * y, x, axis)",
               "np.sum(g * np.sum(y * trap_dw(x, y, axis), axis=axis))", None],
              ["np.trapezoid(tangent_or_zeros(t, y), x, dx, axis)",
               "np.sum(trap_w(t, dx, y, axis) * y, axis=axis)",
               "t * np.sum(y * trap_dw(x, y, axis), axis=axis)", None])
text_pair(_M, H.trap_w, "x, dx, like, axis=-1",
          ["untrap_w(g, x, axis)", "unbroadcast(g * trap_dw(x, like, axis), dx)", None, None],
          ["trap_w(t, dx, like, axis)", "t * trap_dw(x, like, axis)", None, None])
linear(H.untrap_w, "grad, x, axis=-1", "broadcast_like(trap_w(g, 0.0, grad, axis), grad)",
       None, None)

# -- cov / corrcoef ----------------------------------------------------------------------------
_COV = dict(
    X="cov_rows(m, y, rowvar)", XC="({X} - np.mean({X}, axis=1, keepdims=True))",
    F="cov_fact({X}, ddof, bias)", K="np.shape({X})[0]", G="np.reshape(g, ({K}, {K}))",
    TM="cov_rows(tangent_or_zeros(t, m), zeros_or_none(y), rowvar)",
    TY="cov_rows(zeros_or_none(m), tangent_or_zeros(t, y), rowvar)",
)
_DC = "((np.matmul({T}, mT({XC})) + np.matmul({XC}, mT({T}))) / {F})"
text_pair(_M, np.cov, "m, y=None, rowvar=True, bias=False, ddof=None",
          ["cov_unrows_m(np.matmul({G} + mT({G}), {XC}) / {F}, m, y, rowvar)",
           "cov_unrows_y(np.matmul({G} + mT({G}), {XC}) / {F}, m, y, rowvar)", None, None, None],
          [f"np.reshape({_DC.replace('{T}', '{TM}')}, np.shape(ans))",
           f"np.reshape({_DC.replace('{T}', '{TY}')}, np.shape(ans))", None, None, None], **_COV)
_CORR = dict(
    _COV, F="cov_fact({X}, None, False)", C="(np.matmul({XC}, mT({XC})) / {F})",
    D="np.diagonal({C})", SS="(np.expand_dims(np.sqrt({D}), 1) * np.expand_dims(np.sqrt({D}), 0))",
    RR="({C} / {SS})", GR="({G} * {RR})",
    GC="({G} / {SS} - np.diag((np.sum({GR}, axis=1) + np.sum({GR}, axis=0)) / (2.0 * {D})))",
    GX="(np.matmul({GC} + mT({GC}), {XC}) / {F})",
)
_DR = ("np.reshape({DC} / {SS} - {RR} * (np.expand_dims(np.diagonal({DC}) / {D}, 1) + "
       "np.expand_dims(np.diagonal({DC}) / {D}, 0)) / 2.0, np.shape(ans))")
_CORR = {k: rule_text(v, _CORR) for k, v in _CORR.items()}  # nested deeper than text_pair's
text_pair(_M, np.corrcoef, "m, y=None, rowvar=True",
          ["cov_unrows_m({GX}, m, y, rowvar)", "cov_unrows_y({GX}, m, y, rowvar)", None],
          [_DR.replace("{DC}", _DC.replace("{T}", "{TM}")),
           _DR.replace("{DC}", _DC.replace("{T}", "{TY}")), None], **_CORR)
text_pair(_M, H.cov_rows, "m, y=None, rowvar=True",
          ["cov_unrows_m(g, m, y, rowvar)", "cov_unrows_y(g, m, y, rowvar)", None],
          ["cov_rows(tangent_or_zeros(t, m), zeros_or_none(y), rowvar)",
           "cov_rows(zeros_or_none(m), tangent_or_zeros(t, y), rowvar)", None])

# -- linear functions and their adjoint helpers --------------------------------------------------
_ED = "ediff1d_parts(ary, to_end, to_begin)"
text_pair(_M, np.ediff1d, "ary, to_end=None, to_begin=None",
          [f"np.reshape(undiff(g[{_ED}[1]], np.ravel(ary), 1, -1), np.shape(ary))",
           f"np.reshape(g[{_ED}[2]], np.shape(to_end))",
           f"np.reshape(g[{_ED}[0]], np.shape(to_begin))"],
          ["np.ediff1d(tangent_or_zeros(t, ary), zeros_or_none(to_end), zeros_or_none(to_begin))",
           "np.ediff1d(zeros_or_none(ary), tangent_or_zeros(t, to_end), zeros_or_none(to_begin))",
           "np.ediff1d(zeros_or_none(ary), zeros_or_none(to_end), tangent_or_zeros(t, to_begin))"])
text_pair(_M, np.correlate, "a, v, mode='valid'",
          ["correlate_adjoint_a(g, a, v, mode)", "correlate_adjoint_v(g, a, v, mode)", None],
          ["np.correlate(tangent_or_zeros(t, a), v, mode)",
           "np.correlate(a, tangent_or_zeros(t, v), mode)", None])
text_pair(_M, np.compress, "condition, a, axis=None",
          [None, "scatter(g, pos_compress(condition, a, axis), a)", None],
          [None, "np.compress(condition, tangent_or_zeros(t, a), axis)", None])
text_pair(_M, np.extract, "condition, arr",
          [None, "scatter(g, pos_extract(condition, arr), arr)"],
          [None, "np.extract(condition, tangent_or_zeros(t, arr))"])
text_pair(_M, np.delete, "arr, obj, axis=None",
          ["scatter(g, pos_delete(arr, obj, axis), arr)", None, None],
          ["np.delete(tangent_or_zeros(t, arr), obj, axis)", None, None])
_INS = "pos_insert(arr, obj, values, axis, {})"
text_pair(_M, np.insert, "arr, obj, values, axis=None",
          [f"scatter(g, {_INS.format(0)}, arr)", None, f"scatter(g, {_INS.format(1)}, values)",
           None],
          [f"gather(t, {_INS.format(0)})", None, f"gather(t, {_INS.format(1)})", None])
text_pair(_M, np.choose, "a, choices, out=None, mode='raise'",
          [None, "unchoose(g, a, choices, mode)", None, None],
          [None, "choose_tangent(a, t, choices, mode)", None, None])
text_pair(_M, np.block, "arrays", ["unblock(g, arrays)"], ["block_tangent(t, arrays)"])
# np.r_[...] / np.c_[...]: the front end calls index_concat(trick, *items) (up to 8 items)
_IC = 8
_ICP = "trick, " + ", ".join(f"i{k}=None" for k in range(_IC))
_ICI = ", ".join(f"i{k}" for k in range(_IC))
text_pair(_M, H.index_concat, _ICP,
          [None] + [f"scatter(g, pos_index_concat(trick, {k}, {_ICI}), i{k})" for k in range(_IC)],
          [None] + [f"gather(t, pos_index_concat(trick, {k}, {_ICI}))" for k in range(_IC)])
_LINEAR = [
    (H.correlate_adjoint_a, "grad, a, v, mode='valid'", "np.correlate(g, v, mode)", None,
     "correlate_adjoint_v(grad, g, v, mode)"),
    (H.correlate_adjoint_v, "grad, a, v, mode='valid'", "np.correlate(a, g, mode)",
     "correlate_adjoint_a(grad, a, g, mode)", None),
    (H.tangent_or_zeros, "x, like", "g", None),
    (H.gather, "x, pos", "scatter(g, pos, x)", None),
    (H.scatter, "grad, pos, like", "gather(g, pos)", None, None),
    (H.cov_unrows_m, "grad, m, y=None, rowvar=True", "cov_rows(g, zeros_or_none(y), rowvar)",
     None, None, None),
    (H.cov_unrows_y, "grad, m, y=None, rowvar=True", "cov_rows(zeros_or_none(m), g, rowvar)",
     None, None, None),
    (H.unchoose, "grad, a, choices, mode='raise'", "choose_tangent(a, g, choices, mode)", None,
     None, None),
    (H.choose_tangent, "a, ts, choices, mode='raise'", None, "unchoose(g, a, choices, mode)",
     None, None),
    (H.unblock, "grad, arrays", "block_tangent(g, arrays)", None),
    (H.block_tangent, "ts, arrays", "unblock(g, arrays)", None),
]
for _fn, _params, *_transposes in _LINEAR:
    linear(_fn, _params, *_transposes)

for _f in (H.trap_dw, H.cov_fact, H.ediff1d_parts, H.pos_insert, H.pos_delete, H.pos_compress,
           H.pos_extract, H.pos_index_concat):
    R.nondifferentiable(_f)
