"""Helpers of the SciPy rules (each has rules, registered beside the rules that use it)."""

import numpy as np
from scipy.special import digamma, gamma, zeta

from ...errors import UndefinedDerivativeError


def poly_gamma(n, x):
    """``scipy.special.polygamma(n, x)`` from ufuncs only (``polygamma`` itself converts its
    arguments to NumPy arrays): ``digamma`` for n = 0, ``(-1)^(n+1) n! zeta(n+1, x)``."""
    if np.ndim(n) == 0:
        if n == 0:
            return digamma(x)
        return (-1.0) ** (n + 1) * gamma(n + 1.0) * zeta(n + 1.0, x)
    m = np.maximum(n, 1)
    return np.where(n == 0, digamma(x), (-1.0) ** (m + 1) * gamma(m + 1.0) * zeta(m + 1.0, x))


def multipolygamma(n, a, d):
    """``sum_{j < d} polygamma(n, a - j / 2)``: the derivatives of ``multigammaln(a, d)``."""
    return sum(poly_gamma(n, a - j / 2.0) for j in range(int(d)))


def or_one(b):
    """``b``, or 1.0 for ``None`` (the default weights of ``logsumexp``)."""
    return 1.0 if b is None else b


def no_sign(x, return_sign=False):
    """``x`` (the result), refusing ``logsumexp(..., return_sign=True)`` (no rule)."""
    if return_sign:
        raise UndefinedDerivativeError("no derivative rule for logsumexp(..., return_sign=True)")
    return x


def log_softmax_vjp(g, ans, x, axis=None):
    return g - np.exp(ans) * np.sum(g, axis=axis, keepdims=True)


def log_softmax_jvp(t, ans, x, axis=None):
    return t - np.sum(t * np.exp(ans), axis=axis, keepdims=True)


def _short(x, alpha):
    return np.shape(x)[0] + 1 == np.shape(alpha)[0]


def simplex_full(x, alpha):
    """``x`` completed with ``1 - sum(x)`` when it is one entry short of ``alpha`` (as
    ``scipy.stats.dirichlet`` does), else ``x``."""
    if _short(x, alpha):
        return np.concatenate([x, 1.0 - np.sum(x, axis=0, keepdims=True)], axis=0)
    return x


def simplex_dir(t, alpha):
    """The tangent of :func:`simplex_full` along ``t``: ``[t, -sum(t)]`` (or ``t``)."""
    if _short(t, alpha):
        return np.concatenate([t, -np.sum(t, axis=0, keepdims=True)], axis=0)
    return t


def simplex_undir(g, x):
    """The adjoint of :func:`simplex_dir`: ``g[:-1] - g[-1]`` when ``x`` (the argument of
    :func:`simplex_full`) is one entry short of ``g``, else ``g``."""
    if np.shape(g)[0] == np.shape(x)[0] + 1:
        return g[:-1] - g[-1:]
    return g


# -- scipy.linalg ------------------------------------------------------------------------------
def tri_mask(x, lower=False, unit_diagonal=False):
    """The triangle of ``x`` a triangular routine reads (without the diagonal when it is
    taken as ones).  Self-adjoint."""
    k = -1 if unit_diagonal else 0
    return np.tril(x, k) if lower else np.triu(x, -k)


def is_trans(trans):
    """Whether ``solve_triangular``'s ``trans`` solves with the transpose (non-differentiable)."""
    return trans in (1, 2, "T", "C")


def flip_trans(trans):
    """The ``trans`` of the transposed solve (non-differentiable)."""
    return 0 if is_trans(trans) else 1


def factor_of(c_and_lower):
    """The triangular factor held by ``cho_factor``'s result: ``(L, True)`` -> the lower
    triangle of L, ``(U, False)`` -> the upper one (the other triangle is not read)."""
    c, lower = c_and_lower[0], c_and_lower[1]
    return np.tril(c) if lower else np.triu(c)


def other_triangle(x, lower=False):
    """The strict triangle of ``x`` that ``cho_factor(x, lower)`` leaves as it was (the
    entries of ``x`` there); self-adjoint."""
    return np.triu(x, 1) if lower else np.tril(x, -1)


# -- scipy.signal.convolve ---------------------------------------------------------------------
def _conv_start(n1, n2, mode):
    full = [a + b - 1 for a, b in zip(n1, n2)]
    if mode == "full":
        return [0] * len(full), full
    if mode == "same":
        return [(f - a) // 2 for f, a in zip(full, n1)], n1
    if mode == "valid":
        return [min(a, b) - 1 for a, b in zip(n1, n2)], [
            max(a, b) - min(a, b) + 1 for a, b in zip(n1, n2)]
    raise ValueError(f"unknown convolve mode {mode!r}")


def conv_full(g, in1, in2, mode="full"):
    """A cotangent of ``convolve(in1, in2, mode)`` placed into the ``"full"`` result's shape
    (zeros where ``mode`` crops)."""
    if mode == "full":
        return g
    n1, n2 = np.shape(in1), np.shape(in2)
    start, size = _conv_start(n1, n2, mode)
    full = tuple(a + b - 1 for a, b in zip(n1, n2))
    z = np.zeros_like(g, shape=full)
    z[tuple(slice(s, s + k) for s, k in zip(start, size))] = g
    return z


def conv_crop(x, in1, in2, mode="full"):
    """The adjoint of :func:`conv_full`: the part of a ``"full"``-shaped ``x`` that ``mode``
    keeps."""
    if mode == "full":
        return x
    start, size = _conv_start(np.shape(in1), np.shape(in2), mode)
    return x[tuple(slice(s, s + k) for s, k in zip(start, size))]


def refused(g, what):
    """The rule of an argument without a derivative rule (the shape parameter of
    ``gammainc``, a Bessel function's order...): raises NotImplementedError when that argument
    is differentiated (a zero would be silently wrong).  Non-differentiable."""
    raise UndefinedDerivativeError(f"no derivative rule for {what}")


def mark_refused():
    """Mark the SciPy rules whose body is a :func:`refused` call (``rule.refuses = True``:
    the rule tests expect no finite-difference case for them)."""
    import inspect

    from ..registry import default_registry as reg

    for fns, get in ((reg.functions(), reg.vjp), (reg.jvp_functions(), reg.jvp)):
        for f in fns:
            for r in get(f).rules:
                if r is not None and r.__module__.startswith("ast_ad.rules.scipy") and \
                        "refused(" in inspect.getsource(r):
                    r.refuses = True
