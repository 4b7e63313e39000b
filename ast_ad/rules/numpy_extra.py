"""Rules for NumPy functions beyond autograd's list that real code uses: the nan-aware
``nanmax``/``nanmin``/``nanprod``/``nancumsum``, ``ptp``, ``float_power``, ``ldexp``.

``nanmax``/``nanmin``/``ptp`` share the derivative evenly among tied extrema (as ``np.max``);
an all-nan slice gives nan.  ``initial=``/``where=`` are not among the declared parameters,
so a call using them is refused at the user's line (no rule takes it).  ``nanprod`` and
``nancumsum`` treat a nan as the neutral element: its derivative is zero.
"""

import numpy as np

from ._text import text_pair
from .declare import elementwise, reduction
from .helpers import not_nan, uncumsum  # noqa: F401  (names the generated rules read)

reduction([np.nanmax, np.nanmin], "a, axis=None, out=None, keepdims=False",
          "max_weights(a, ans, axis, keepdims)")
reduction(np.ptp, "a, axis=None, out=None, keepdims=False",
          "max_weights(a, np.max(a, axis=axis, keepdims=keepdims), axis, keepdims) - "
          "max_weights(a, np.min(a, axis=axis, keepdims=keepdims), axis, keepdims)")
reduction(np.nanprod, "a, axis=None, dtype=None, out=None, keepdims=False",
          "prod_except(np.nan_to_num(a, nan=1.0), axis) * not_nan(a)")
text_pair(__name__, np.nancumsum, "a, axis=None, dtype=None, out=None",
          ["uncumsum(g, a, axis) * not_nan(a)"], ["np.cumsum(t * not_nan(a), axis=axis)"])
elementwise(np.float_power, "y * float_power(x, y - 1 + (y == 0))", "xlogy(g * ans, x)")
elementwise(np.ldexp, "exp2(y)", None)  # the exponent is an integer
