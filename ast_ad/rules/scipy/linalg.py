"""Rules for ``scipy.linalg``: ``expm``, ``sqrtm`` (Frechet derivatives as the top-right
block of the function of ``[[A, E], [0, A]]``; the adjoint is the derivative at ``A^T``),
``solve_triangular`` (reads one triangle), ``cho_factor``/``cho_solve``, ``solve_sylvester``.

``cho_factor``'s result ``(c, lower)`` keeps the input's entries in the triangle it does not
use; their derivative is the identity.  ``solve_banded((l, u), ab, b)``: the reverse rule
solves with the transposed band (``(u, l)``) and keeps the band of ``-g x^T``; the entries of
``ab`` outside the band are not read (zero derivative).
"""

from scipy import linalg as sla
from scipy.linalg import (  # noqa: F401
    cho_solve,
    expm,
    solve_banded,
    solve_sylvester,
    solve_triangular,
    sqrtm,
)

from .._text import text_pair
from ..declare import linear
from ..helpers import (  # noqa: F401
    band_to_dense,
    col,
    cot_part,
    cot_place,
    dense_to_band,
    from_triangle,
    maybe_mT,
    mT,
    phi_lower,
    to_triangle,
    top_right,
    uncol,
    upper_block,
)
from ..registry import default_registry as R
from . import _helpers
from ._helpers import factor_of, flip_trans, is_trans, other_triangle, tri_mask  # noqa: F401

for _f in (_helpers.is_trans, _helpers.flip_trans):
    R.nondifferentiable(_f)
linear(tri_mask, "x, lower=False, unit_diagonal=False", "tri_mask(g, lower, unit_diagonal)")
linear(other_triangle, "x, lower=False", "other_triangle(g, lower)")
# factor_of((c, lower)) is linear in c (a tuple argument: its cotangent a list)
text_pair(__name__, factor_of, "c_and_lower",
          ["cot_place(tri_mask(g, c_and_lower[1]), c_and_lower, 0)"],
          ["factor_of((cot_part(t, 0, c_and_lower[0]), c_and_lower[1]))"])

# -- matrix functions ----------------------------------------------------------------------------
for _fn, _name in ((sla.expm, "expm"), (sla.sqrtm, "sqrtm")):
    _params = "a" if _fn is sla.expm else "a, disp=None, blocksize=None"
    _none = [] if _fn is sla.expm else [None, None]
    text_pair(__name__, _fn, _params, [f"top_right({_name}(upper_block(mT(a), g)))"] + _none,
              [f"top_right({_name}(upper_block(a, t)))"] + _none)

# -- solve_triangular: x = op(T)^-1 b, T the read triangle of a ---------------------------------
_ST = dict(
    KW="lower=lower, unit_diagonal=unit_diagonal",
    GB="solve_triangular(a, col(g, b), trans=flip_trans(trans), {KW})",
    X="col(ans, b)",
    OPT="maybe_mT(tri_mask(t, lower, unit_diagonal), is_trans(trans))",
)
text_pair(__name__, sla.solve_triangular,
          "a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False, "
          "check_finite=True",
          ["tri_mask(-maybe_mT(np.matmul({GB}, mT({X})), is_trans(trans)), lower, "
           "unit_diagonal)", "uncol({GB}, b)", None, None, None, None, None],
          ["-uncol(solve_triangular(a, np.matmul({OPT}, {X}), trans=trans, {KW}), b)",
           "uncol(solve_triangular(a, col(t, b), trans=trans, {KW}), b)",
           None, None, None, None, None], **_ST)

# -- cho_factor: (L in one triangle, lower); the other triangle passes a through ----------------
_CF = dict(
    L="maybe_mT(factor_of(ans), 1.0 - float(lower))",
    S="np.linalg.solve(mT({L}), mT(np.linalg.solve(mT({L}), mT({P}))))",
    P="phi_lower(np.matmul(mT({L}), maybe_mT(factor_of((cot_part(g, 0, ans[0]), lower)), "
      "1.0 - float(lower))))",
    DL="np.matmul({L}, phi_lower(mT(np.linalg.solve({L}, mT(np.linalg.solve({L}, "
       "from_triangle(t, 1.0 - float(lower))))))))",
)
text_pair(__name__, sla.cho_factor, "a, lower=False, overwrite_a=False, check_finite=True",
          ["to_triangle(({S} + mT({S})) / 2.0, 1.0 - float(lower)) + "
           "other_triangle(cot_part(g, 0, ans[0]), lower)", None, None, None],
          ["(maybe_mT({DL}, 1.0 - float(lower)) + other_triangle(t, lower), 0.0)",
           None, None, None], **_CF)

# -- cho_solve((c, lower), b): x = A^-1 b, A = L L^T (lower) or U^T U ----------------------------
_CS = dict(
    F="factor_of(c_and_lower)", LOW="float(c_and_lower[1])",
    GB="cho_solve(c_and_lower, g)",
    GA="(-np.matmul(col({GB}, b), mT(col(ans, b))))",
    SYM="({GA} + mT({GA}))",
    TF="factor_of((cot_part(t, 0, c_and_lower[0]), c_and_lower[1]))",
    DA="(np.matmul({TF}, mT({F})) + np.matmul({F}, mT({TF}))) * {LOW} + "
       "(np.matmul(mT({TF}), {F}) + np.matmul(mT({F}), {TF})) * (1.0 - {LOW})",
)
text_pair(__name__, sla.cho_solve, "c_and_lower, b, overwrite_b=False, check_finite=True",
          ["cot_place(tri_mask(np.matmul({SYM}, {F}), True) * {LOW} + "
           "tri_mask(np.matmul({F}, {SYM})) * (1.0 - {LOW}), c_and_lower, 0)",
           "cho_solve(c_and_lower, g)", None, None],
          ["-uncol(cho_solve(c_and_lower, np.matmul({DA}, col(ans, b))), b)",
           "cho_solve(c_and_lower, t)", None, None], **_CS)

# -- solve_sylvester: A X + X B = Q ----------------------------------------------------------------
_SY = dict(Y="solve_sylvester(mT(a), mT(b), g)")
text_pair(__name__, sla.solve_sylvester, "a, b, q",
          ["-np.matmul({Y}, mT(ans))", "-np.matmul(mT(ans), {Y})", "{Y}"],
          ["solve_sylvester(a, b, -np.matmul(t, ans))",
           "solve_sylvester(a, b, -np.matmul(ans, t))", "solve_sylvester(a, b, t)"], **_SY)

# -- solve_banded: x = A^-1 b, A stored as ab[u + i - j, j] = A[i, j] -----------------------------
_SB = dict(
    L="l_and_u[0]", U="l_and_u[1]", A="band_to_dense(ab, {L}, {U})", X="col(ans, b)",
    GB="solve_banded(({U}, {L}), dense_to_band(mT({A}), {U}, {L}), col(g, b))",
)
text_pair(__name__, sla.solve_banded,
          "l_and_u, ab, b, overwrite_ab=False, overwrite_b=False, check_finite=True",
          [None, "dense_to_band(-np.matmul({GB}, mT({X})), {L}, {U})", "uncol({GB}, b)",
           None, None, None],
          [None, "-uncol(solve_banded(l_and_u, ab, np.matmul(band_to_dense(t, {L}, {U}), {X})), b)",
           "solve_banded(l_and_u, ab, t)", None, None, None], **_SB)
