"""Helpers of elementwise rules: ``xlogy`` (exact zeros) and ``float_sign`` (math's sign)."""

from __future__ import annotations

import math

import numpy as np

from ._common import _PY_SCALARS


def xlogy(a, x):
    """``a * log(x)``, and exactly 0 where ``a == 0`` (even where ``x == 0``)."""
    if isinstance(x, _PY_SCALARS):
        lx = math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)
        if isinstance(a, _PY_SCALARS):
            return 0.0 if a == 0 else a * lx
        with np.errstate(invalid="ignore"):
            r = a * lx
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            r = a * np.log(x)
    return np.where(np.equal(a, 0), np.zeros_like(r), r)


def float_sign(x):
    """``np.sign(x)`` for a scalar, as a Python float (``math.fabs``'s rule keeps floats).

    0 at 0 (also at -0.0), nan at nan.  Non-differentiable.
    """
    if x > 0:
        return 1.0
    if x < 0:
        return -1.0
    return 0.0 if x == 0 else x
