"""Helpers of elementwise rules: ``xlogy`` (exact zeros), ``float_sign`` (math's sign), and
``fdiv``/``fpow``: ``/`` and ``**`` with NumPy's semantics for Python numbers too.

Derivative arithmetic follows IEEE/NumPy everywhere: where a derivative is infinite or
undefined at a point the function itself is defined at (``sqrt`` at 0, ``asin`` at 1,
``x ** 0.5`` at 0, ``hypot`` at the origin), the gradient is ``inf`` or ``nan`` (with
NumPy's ``RuntimeWarning``), as autograd and JAX give, whether the values are Python
floats or NumPy scalars/arrays. Python's ``/`` and ``**`` raise on Python floats instead
(``ZeroDivisionError``, ``OverflowError``), so declared rules divide with ``fdiv`` and raise
to powers with ``fpow`` where an operand can be a Python number
(:mod:`ast_ad.rules.declare`).

One exception: a cotangent that is exactly 0 stays 0 through ``sqrt`` and ``cbrt``
(``unseeded_zero``), so ``np.where(d > 0, np.sqrt(d), 0)`` or ``np.tril(np.sqrt(d), -1)``
with ``d == 0`` in the masked entries has the derivative of what it computes (0 there, not
``0 * inf = nan``: the distance-matrix case of JAX's "double where" advice).
"""

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


def unseeded_zero(r, s):
    """``r`` (a contribution computed from the cotangent or tangent ``s``), 0 where ``s`` is
    0: a derivative singular at a point the output does not depend on adds nothing."""
    if isinstance(s, _PY_SCALARS) and isinstance(r, _PY_SCALARS):
        return r if s != 0 else 0.0
    with np.errstate(invalid="ignore"):
        if np.all(np.isfinite(r)):
            return r  # (where s is 0, r already is)
        return np.where(np.equal(s, 0), np.zeros_like(r), r)


def float_sign(x):
    """``np.sign(x)`` for a scalar, as a Python float (``math.fabs``'s rule keeps floats).

    0 at 0 (also at -0.0), nan at nan.  Non-differentiable.
    """
    if x > 0:
        return 1.0
    if x < 0:
        return -1.0
    return 0.0 if x == 0 else x


def _ieee(op, a, b):
    """``op(a, b)`` computed by NumPy (inf/nan instead of an exception), as a Python number
    when both operands are Python numbers."""
    r = op(np.complex128(a) if isinstance(a, complex) else np.float64(a), b)
    return r.item() if isinstance(a, _PY_SCALARS) and isinstance(b, _PY_SCALARS) else r


def fdiv(a, b):
    """``a / b``, and NumPy's ``inf``/``nan`` where Python numbers would raise
    ``ZeroDivisionError`` (``fdiv(1.0, 0.0)`` is ``inf``, ``fdiv(0.0, 0.0)`` nan)."""
    try:
        return a / b
    except ZeroDivisionError:
        return _ieee(np.divide, a, b)


def fpow(a, b):
    """``a ** b``, and NumPy's value where Python numbers would raise (``fpow(0.0, -0.5)``
    is ``inf``; an overflow gives ``inf``)."""
    try:
        return a ** b
    except (ZeroDivisionError, OverflowError):
        return _ieee(np.power, a, b)
