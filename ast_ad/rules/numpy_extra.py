"""Rules for NumPy functions beyond autograd's list that real code uses: the nan-aware
``nanmax``/``nanmin``/``nanprod``/``nancumsum``, ``ptp``, ``float_power``, ``ldexp``.

``nanmax``/``nanmin``/``ptp`` share the derivative evenly among tied extrema (as ``np.max``);
an all-nan slice gives nan.  ``initial=``/``where=`` are declared as for ``np.max``/
``np.prod`` (``where`` leaves entries out, ``initial`` is a constant entry).  ``nanprod`` and
``nancumsum`` treat a nan as the neutral element: its derivative is zero.
"""

import numpy as np

from ._text import text_pair
from .declare import elementwise, reduction
from .helpers import (  # noqa: F401  (names the generated rules read)
    masked,
    max_weights,
    not_nan,
    prod_except,
    scaled,
    uncumsum,
    where_or_one,
)

reduction([np.nanmax, np.nanmin], "a, axis=None, out=None, keepdims=False, initial=None, "
          "where=True", "max_weights(a, ans, axis, keepdims, where, initial)")
reduction(np.ptp, "a, axis=None, out=None, keepdims=False",
          "max_weights(a, np.max(a, axis=axis, keepdims=keepdims), axis, keepdims) - "
          "max_weights(a, np.min(a, axis=axis, keepdims=keepdims), axis, keepdims)")
reduction(np.nanprod, "a, axis=None, dtype=None, out=None, keepdims=False, initial=None, "
          "where=True",
          "scaled(masked(prod_except(where_or_one(np.nan_to_num(a, nan=1.0), where), axis), "
          "where) * not_nan(a), initial)")
text_pair(__name__, np.nancumsum, "a, axis=None, dtype=None, out=None",
          ["uncumsum(g, a, axis) * not_nan(a)"], ["np.cumsum(t * not_nan(a), axis=axis)"])
elementwise(np.float_power, "y * float_power(x, y - 1 + (y == 0))", "xlogy(g * ans, x)")
elementwise(np.ldexp, "exp2(y)", None)  # the exponent is an integer
