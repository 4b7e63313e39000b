"""Gradient objects called inside differentiated code: ``FORCE = grad(energy)`` and
``def work(x): return np.sum(FORCE(x) * x)``.

A call ``FORCE(a, b)`` of a plain gradient (one ``wrt`` position ``i``, no value, no aux)
becomes ``grad_call2(FORCE, a, b)`` (``passes/anf_forms.user_call``), a function with
rules of its own, both worked out by forward mode over the generated gradient when the
code runs (forward over reverse, the path ``hessian``/``hvp`` trust):

- reverse: the cotangent of argument ``j`` of ``y = dE/dx_i`` is ``H[j, i] g``, the
  derivative of ``dE/dx_j`` along ``x_i`` in the direction ``g`` (``back``);
- forward: the tangent of ``y`` along ``x_j`` is ``jvp(FORCE, args, t at j)`` (``ahead``).

A third derivative through these rules is refused (``back``/``ahead`` have no rules).

>>> import numpy as np, ast_ad
>>> FORCE = ast_ad.grad(lambda x: x ** 3)
>>> float(grad_call1(FORCE, 2.0)), float(back(FORCE, (2.0,), 0, 1.0))
(12.0, 12.0)
"""

from __future__ import annotations

from .objects import CALLS, grad_call1, grad_call2, grad_call3, plain_gradient  # noqa: F401
from .rules.registry import default_registry as _reg


def _at(args, j, t):
    return tuple(t if k == j else None for k in range(len(args)))


def back(G, args, j, g):
    """The cotangent of argument ``j`` of ``G(*args)`` for the output cotangent ``g``."""
    from .entry import grad
    from .forward_api import jvp

    i = G._spec.indices[0]
    Gj = grad(G.fn, wrt=j, registry=G.registry)
    return jvp(Gj, tuple(args), _at(args, i, g), G.registry)[1]


def ahead(G, args, j, t):
    """The tangent of ``G(*args)`` along argument ``j`` with tangent ``t``."""
    from .forward_api import jvp

    return jvp(G, tuple(args), _at(args, j, t), G.registry)[1]


for _f in (back, ahead):  # never parsed: refused where a derivative would need them
    _f._ast_ad_api = True
    _f._ast_ad_why = (
        "a third derivative through a gradient object called inside a differentiated "
        "function (FORCE = grad(E) used in the code) is not supported; differentiate "
        "the energy itself (ast_ad.hessian(E), or grad/jvp of a function of E)")


def _b1_0(g, ans, G, a):
    return back(G, (a,), 0, g)


def _f1_0(t, ans, G, a):
    return ahead(G, (a,), 0, t)


def _b2_0(g, ans, G, a, b):
    return back(G, (a, b), 0, g)


def _b2_1(g, ans, G, a, b):
    return back(G, (a, b), 1, g)


def _f2_0(t, ans, G, a, b):
    return ahead(G, (a, b), 0, t)


def _f2_1(t, ans, G, a, b):
    return ahead(G, (a, b), 1, t)


def _b3(j):  # (named arities: a rule is read like a user function at third order)
    def rule(g, ans, G, a, b, c):
        return back(G, (a, b, c), j, g)
    return rule


def _f3(j):
    def rule(t, ans, G, a, b, c):
        return ahead(G, (a, b, c), j, t)
    return rule


_reg.defvjp(grad_call1, None, _b1_0)
_reg.defjvp(grad_call1, None, _f1_0)
_reg.defvjp(grad_call2, None, _b2_0, _b2_1)
_reg.defjvp(grad_call2, None, _f2_0, _f2_1)
_reg.defvjp(grad_call3, None, _b3(0), _b3(1), _b3(2))
_reg.defjvp(grad_call3, None, _f3(0), _f3(1), _f3(2))
