"""Rules for the Rosenbrock function of ``scipy.optimize``: ``rosen``, ``rosen_der`` and
``rosen_hess_prod`` (over the first axis, as SciPy sums: ``x`` of shape ``(n, ...)``).

f(x) = sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2.  With ``a = x[:-1]``, ``r = x[1:] - a^2``
the gradient is ``[-400 a r - 2 (1 - a), 0] + [0, 200 r]`` (entries shifted along the first
axis), the Hessian times ``p`` is ``[-400 (p_a r + a dr) + 2 p_a, 0] + [0, 200 dr]`` with
``dr = p[1:] - 2 a p_a``, and the third derivative along ``p`` and ``v`` is
``[-400 (p_a s + v_a dr + a ds), 0] + [0, 200 ds]`` with ``s = v[1:] - 2 a v_a`` and
``ds = -2 v_a p_a``.  Every derivative is symmetric in its directions, so each reverse rule
is its forward rule with the cotangent as the direction; the rules call only NumPy
functions with rules, so they differentiate again.
"""

from scipy import optimize

from .._text import rule_text, text_pair

_M = dict(
    A="x[:-1]", R="(x[1:] - x[:-1] * x[:-1])", Z="0.0 * x[:1]",
    D="(np.concatenate([-400.0 * {A} * {R} - 2.0 * (1.0 - {A}), {Z}]) + "
      "np.concatenate([{Z}, 200.0 * {R}]))",
    DR="({P}[1:] - 2.0 * {A} * {P}[:-1])", DRP="(p[1:] - 2.0 * {A} * p[:-1])",
    HP="(np.concatenate([-400.0 * ({P}[:-1] * {R} + {A} * {DR}) + 2.0 * {P}[:-1], {Z}]) + "
       "np.concatenate([{Z}, 200.0 * {DR}]))",
    S="({V}[1:] - 2.0 * {A} * {V}[:-1])", DS="(-2.0 * {V}[:-1] * p[:-1])",
    T3="(np.concatenate([-400.0 * (p[:-1] * {S} + {V}[:-1] * {DRP} + {A} * {DS}), {Z}]) + "
       "np.concatenate([{Z}, 200.0 * {DS}]))",
)



def _x(text, **seeds):
    """``text`` with every macro expanded, ``{P}``/``{V}`` the directions given."""
    return rule_text(text, {**_M, **seeds})


text_pair(__name__, optimize.rosen, "x", [_x("g * {D}")], [_x("np.sum(t * {D}, axis=0)")])
text_pair(__name__, optimize.rosen_der, "x", [_x("{HP}", P="g")], [_x("{HP}", P="t")])
text_pair(__name__, optimize.rosen_hess_prod, "x, p",
          [_x("{T3}", V="g"), _x("{HP}", P="g")], [_x("{T3}", V="t"), _x("{HP}", P="t")])
