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

from .rules.registry import default_registry as _reg

#: the most positional arguments a rewritten call takes
MAX_ARGS = 3


def plain_gradient(G) -> bool:
    """Whether calls of ``G`` can become ``grad_call`` calls: a gradient made by
    ``ast_ad.grad`` of a Python function, one position in ``wrt``, no value or aux."""
    import types

    from .api import GradientFunction

    return isinstance(G, GradientFunction) and isinstance(G._target, types.FunctionType) \
        and G._self is None and G._spec.single and not G.with_value and not G.has_aux \
        and G.fallback is None and G._target.__code__.co_flags & 0x0C == 0


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


def grad_call1(G, a):
    return G(a)


def grad_call2(G, a, b):
    return G(a, b)


def grad_call3(G, a, b, c):
    return G(a, b, c)


CALLS = {1: grad_call1, 2: grad_call2, 3: grad_call3}


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


def _b3_0(g, ans, G, a, b, c):
    return back(G, (a, b, c), 0, g)


def _b3_1(g, ans, G, a, b, c):
    return back(G, (a, b, c), 1, g)


def _b3_2(g, ans, G, a, b, c):
    return back(G, (a, b, c), 2, g)


def _f3_0(t, ans, G, a, b, c):
    return ahead(G, (a, b, c), 0, t)


def _f3_1(t, ans, G, a, b, c):
    return ahead(G, (a, b, c), 1, t)


def _f3_2(t, ans, G, a, b, c):
    return ahead(G, (a, b, c), 2, t)


_reg.defvjp(grad_call1, None, _b1_0)
_reg.defjvp(grad_call1, None, _f1_0)
_reg.defvjp(grad_call2, None, _b2_0, _b2_1)
_reg.defjvp(grad_call2, None, _f2_0, _f2_1)
_reg.defvjp(grad_call3, None, _b3_0, _b3_1, _b3_2)
_reg.defjvp(grad_call3, None, _f3_0, _f3_1, _f3_2)
