"""W10: the Gaussian-mixture objective of ADBench (microsoft/ADBench, its GMM problem),
written here the way its Autograd version computes it: loops over points and
components, a lower-triangular factor per component rebuilt from the flat parameter
vector ``icf``, ``logsumexp`` and the Wishart prior as helper functions.  This is our
own code for the same objective (not ADBench's file): ADBench's Autograd version writes
into a function attribute (``constructL.Lparamidx += ...``) and builds lists with nested
closures; here the factor is filled with entry writes into a fresh array, a plain
rewrite of the same arithmetic.

    python -m benchmarks.adbench_gmm            # n=200, K=5, d=4; gradient / function
    python -m benchmarks.adbench_gmm --check    # the gradient vs central differences

Parameters: ``alphas`` (K,), ``means`` (K, d), ``icf`` (K, d + d(d-1)/2): the log of the
diagonal of each inverse-covariance factor, then its strictly lower part column by
column; data ``x`` (n, d); the prior's ``gamma`` and ``m``.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np

from .workloads import best_time as _best


def _logsumexp(v):
    mx = np.max(v)
    return np.log(np.sum(np.exp(v - mx))) + mx


def _lower(d, row):
    """The strictly lower triangle of the factor, from ``row[d:]`` column by column."""
    L = np.zeros((d, d))
    idx = d
    for j in range(d):
        for i in range(j + 1, d):
            L[i, j] = row[idx]
            idx = idx + 1
    return L


def _log_wishart_prior(p, gamma, m, sum_qs, qdiags, icf):
    n = p + m + 1
    k = icf.shape[0]
    out = 0.0
    for ik in range(k):
        frob = np.sum(qdiags[ik] * qdiags[ik]) + np.sum(icf[ik, p:] * icf[ik, p:])
        out = out + 0.5 * gamma * gamma * frob - m * sum_qs[ik]
    lmg = 0.25 * p * (p - 1) * math.log(math.pi)  # log multivariate gamma(n / 2, p)
    for j in range(p):
        lmg = lmg + math.lgamma(0.5 * n - 0.5 * j)
    c = n * p * (math.log(gamma) - 0.5 * math.log(2.0)) - lmg
    return out - k * c


def w10(alphas, means, icf, x, gamma, m):
    n = x.shape[0]
    d = x.shape[1]
    k = alphas.shape[0]
    qdiags = np.exp(icf[:, :d])
    sum_qs = np.sum(icf[:, :d], axis=1)
    Ls = []
    for ik in range(k):
        Ls.append(_lower(d, icf[ik]))
    slse = 0.0
    for ix in range(n):
        terms = []
        for ik in range(k):
            xc = x[ix] - means[ik]
            lx = qdiags[ik] * xc + Ls[ik] @ xc
            terms.append(alphas[ik] + sum_qs[ik] - 0.5 * np.sum(lx * lx))
        slse = slse + _logsumexp(np.array(terms))
    const = -n * d * 0.5 * math.log(2.0 * math.pi)
    return const + slse - n * _logsumexp(alphas) + _log_wishart_prior(
        d, gamma, m, sum_qs, qdiags, icf)


def inputs(n=200, k=5, d=4, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(k), rng.standard_normal((k, d)),
            0.3 * rng.standard_normal((k, d + d * (d - 1) // 2)),
            rng.standard_normal((n, d)), 1.0, 0)


def check(eps=1e-6):
    """Largest relative error of the gradient against central differences (small sizes)."""
    import ast_ad

    args = inputs(n=6, k=3, d=3)
    g = ast_ad.grad(w10, wrt=(0, 1, 2))(*args)
    worst = 0.0
    for w in range(3):
        a = args[w]
        for idx in np.ndindex(a.shape):
            hi, lo = [np.array(v) if isinstance(v, np.ndarray) else v for v in args], \
                [np.array(v) if isinstance(v, np.ndarray) else v for v in args]
            hi[w][idx] += eps
            lo[w][idx] -= eps
            fd = (w10(*hi) - w10(*lo)) / (2 * eps)
            worst = max(worst, abs(g[w][idx] - fd) / max(1.0, abs(fd)))
    return worst


def main(argv=None):
    import ast_ad

    argv = sys.argv[1:] if argv is None else argv
    if "--check" in argv:
        print(f"W10 gradient vs central differences: max relative error {check():.2e}")
        return
    args = inputs()
    g = ast_ad.grad(w10, wrt=(0, 1, 2))
    t = time.perf_counter()
    g(*args)
    first = time.perf_counter() - t
    tf, tg = _best(w10, args), _best(g, args)
    print(f"W10 ADBench GMM (n=200, K=5, d=4): function {tf * 1e3:.2f} ms, gradient "
          f"{tg * 1e3:.2f} ms, gradient / function {tg / tf:.1f} (first call {first:.2f} s)")


if __name__ == "__main__":
    main()
