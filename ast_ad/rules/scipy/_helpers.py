"""Helpers of the SciPy rules (each has rules, registered beside the rules that use it)."""

import numpy as np
from scipy.special import digamma, gamma, zeta


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
        raise NotImplementedError("no derivative rule for logsumexp(..., return_sign=True)")
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
