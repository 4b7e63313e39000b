"""Rules for indexing: ``x[idx]`` (``operator.getitem``) and its adjoint helper ``unindex``.

``unindex(g, x, idx)`` is zeros like ``x`` with ``g`` added at ``idx`` (repeated integer
indices accumulate); for a list/tuple ``x`` it is a list/tuple of zero cotangents with ``g``
at ``idx``.  The two are adjoint to each other and both linear, so the rules are closed.
"""

import operator

from .declare import linear
from .helpers import unindex

linear(operator.getitem, "a, b", "unindex(g, a, b)", None)  # forward: t[b]
linear(unindex, "grad, like, idx", "g[idx]", None, None)
