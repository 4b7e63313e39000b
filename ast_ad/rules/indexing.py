"""Rules for indexing: ``x[idx]`` (``operator.getitem``) and its adjoint helper ``unindex``.

``unindex(g, x, idx)`` is zeros like ``x`` with ``g`` added at ``idx`` (repeated integer
indices accumulate); for a list/tuple ``x`` it is a list/tuple of zero cotangents with ``g``
at ``idx``.  The two are adjoint to each other, so the rules are closed::

    def getitem_vjp(g, ans, a, b):
        return unindex(g, a, b)
"""

import operator

from .helpers import unindex
from .registry import default_registry as R


def getitem_vjp(g, ans, a, b):
    return unindex(g, a, b)


def getitem_jvp(t, ans, a, b):
    return t[b]


def unindex_vjp(g, ans, grad, like, idx):
    return g[idx]


def unindex_jvp(t, ans, grad, like, idx):
    return unindex(t, like, idx)


R.defvjp(operator.getitem, getitem_vjp, None)
R.defjvp(operator.getitem, getitem_jvp, None)
R.defvjp(unindex, unindex_vjp, None, None)
R.defjvp(unindex, unindex_jvp, None, None)
