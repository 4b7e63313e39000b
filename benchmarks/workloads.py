"""The benchmark workloads, their inputs, and hand-written NumPy gradients.

The six functions are exactly the ones in the benchmark issue; every engine differentiates
these very function objects (peers that need their own array namespace re-run this
source with ``np`` bound to it, see ``peers.py``). The hand-written gradients are what a
careful engineer writes in plain NumPy: the same calls as the function, no in-place tricks
beyond accumulating into arrays the gradient allocated itself.

``python -m benchmarks.workloads --check`` checks every hand gradient against central
finite differences (every entry, on small inputs) and against a directional finite
difference (random projection) on the full benchmark inputs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# ---------------------------------------------------------------------------------------
# The workloads, exactly as in the issue.
# ---------------------------------------------------------------------------------------


def w1(x):                      # Python float in, 100 steps
    s = 0.0
    p = x
    for i in range(100):
        p = np.sin(p) * 0.9 + x * 0.1
        s = s + p * p
    return s


def w2(w, X, y):                # w (100,), X (1000, 100), y in {-1, +1} (1000,)
    m = y * np.dot(X, w)
    return np.mean(np.log1p(np.exp(-m)))


def w3(W1, W2, X, Y):           # X (64, 784), W1 (784, 128), W2 (128, 10), Y one-hot (64, 10)
    h = np.tanh(np.dot(X, W1))
    z = np.dot(h, W2)
    zmax = np.max(z, axis=1, keepdims=True)
    lse = zmax + np.log(np.sum(np.exp(z - zmax), axis=1, keepdims=True))
    return -np.sum(Y * (z - lse)) / X.shape[0]


def w4(Wx, Wh, Wo, xs, target): # xs (50, 16, 16), Wx (16, 32), Wh (32, 32), Wo (32, 8), target (16, 8)  # noqa: E501
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(np.dot(xs[t], Wx) + np.dot(h, Wh))
    d = np.dot(h, Wo) - target
    return np.sum(d * d)


def w5(x):                      # x (1_000_000,)
    return np.sum(np.sin(x) * np.exp(x * -0.5))


def t0(x):                      # Python float
    return x * x


# ---------------------------------------------------------------------------------------
# Hand-written gradients.
# ---------------------------------------------------------------------------------------


def w1_grad(x):
    """Reverse mode: keep the 100 values of ``p``, then one backward sweep."""
    ps = [x]
    p = x
    for i in range(100):
        p = np.sin(p) * 0.9 + x * 0.1
        ps.append(p)
    gx = 0.0
    gp = 0.0
    for i in range(100, 0, -1):
        gp = gp + 2.0 * ps[i]  # from s = s + p * p
        gx = gx + gp * 0.1  # from ... + x * 0.1
        gp = gp * 0.9 * np.cos(ps[i - 1])  # through np.sin(p) * 0.9
    return gx + gp  # p = x at the start


def w1_grad_forward(x):
    """Forward mode (x is a scalar): carry dp/dx alongside p. Not the benchmark baseline
    (see docs/performance.md); kept to show what a one-pass derivative costs."""
    p = x
    dp = 1.0
    ds = 0.0
    for i in range(100):
        dp = np.cos(p) * 0.9 * dp + 0.1
        p = np.sin(p) * 0.9 + x * 0.1
        ds = ds + 2.0 * p * dp
    return ds


def w2_grad(w, X, y):
    m = y * np.dot(X, w)
    e = np.exp(-m)
    gm = e / (1.0 + e) * (-1.0 / m.shape[0])  # d mean(log1p(exp(-m))) / dm
    return np.dot(gm * y, X)


def w3_grad(W1, W2, X, Y):
    n = X.shape[0]
    h = np.tanh(np.dot(X, W1))
    z = np.dot(h, W2)
    zmax = np.max(z, axis=1, keepdims=True)
    e = np.exp(z - zmax)
    p = e / np.sum(e, axis=1, keepdims=True)  # softmax
    # d/dz of -sum(Y * (z - lse)) / n; Y's rows sum to 1 when one-hot, but stay exact
    gz = (p * np.sum(Y, axis=1, keepdims=True) - Y) / n
    gW2 = np.dot(h.T, gz)
    ga = np.dot(gz, W2.T) * (1.0 - h * h)
    gW1 = np.dot(X.T, ga)
    return gW1, gW2


def w4_grad(Wx, Wh, Wo, xs, target):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    hs = [h]
    for t in range(xs.shape[0]):
        h = np.tanh(np.dot(xs[t], Wx) + np.dot(h, Wh))
        hs.append(h)
    d = np.dot(h, Wo) - target
    gd = 2.0 * d
    gWo = np.dot(h.T, gd)
    gh = np.dot(gd, Wo.T)
    gWx = np.zeros_like(Wx)
    gWh = np.zeros_like(Wh)
    for t in range(xs.shape[0] - 1, -1, -1):
        h = hs[t + 1]
        ga = gh * (1.0 - h * h)
        gWx += np.dot(xs[t].T, ga)
        gWh += np.dot(hs[t].T, ga)
        gh = np.dot(ga, Wh.T)
    return gWx, gWh, gWo


def w5_grad(x):
    e = np.exp(x * -0.5)
    return e * (np.cos(x) - 0.5 * np.sin(x))


def t0_grad(x):
    return 2.0 * x


# ---------------------------------------------------------------------------------------
# Inputs (fixed seeds) and the registry.
# ---------------------------------------------------------------------------------------


def _w1_inputs(rng, small):
    return (0.7,)


def _w2_inputs(rng, small):
    n, d = (20, 5) if small else (1000, 100)
    w = rng.standard_normal(d) * 0.1
    X = rng.standard_normal((n, d))
    y = rng.choice(np.array([-1.0, 1.0]), size=n)
    return (w, X, y)


def _w3_inputs(rng, small):
    n, d, k, c = (4, 6, 5, 3) if small else (64, 784, 128, 10)
    W1 = rng.standard_normal((d, k)) * (1.0 / np.sqrt(d))
    W2 = rng.standard_normal((k, c)) * (1.0 / np.sqrt(k))
    X = rng.random((n, d))
    Y = np.eye(c)[rng.integers(0, c, size=n)]
    return (W1, W2, X, Y)


def _w4_inputs(rng, small):
    T, b, i, hdim, o = (5, 3, 4, 6, 2) if small else (50, 16, 16, 32, 8)
    Wx = rng.standard_normal((i, hdim)) * (1.0 / np.sqrt(i))
    Wh = rng.standard_normal((hdim, hdim)) * (0.9 / np.sqrt(hdim))
    Wo = rng.standard_normal((hdim, o)) * (1.0 / np.sqrt(hdim))
    xs = rng.standard_normal((T, b, i))
    target = rng.standard_normal((b, o))
    return (Wx, Wh, Wo, xs, target)


def _w5_inputs(rng, small):
    return (rng.standard_normal(7 if small else 1_000_000),)


def _t0_inputs(rng, small):
    return (1.3,)


@dataclass(frozen=True)
class Workload:
    name: str  # "W1" ... "T0"
    title: str  # row label of the tables
    fn: Callable
    wrt: tuple  # positional indices differentiated (always a tuple)
    single: bool  # the gradient is one value (wrt was one index), not a tuple
    hand: Callable
    _inputs: Callable

    def inputs(self, small: bool = False, seed: int = 0) -> tuple:
        """Fresh inputs from a fixed seed (the same arrays on every call)."""
        return self._inputs(np.random.default_rng(seed), small)

    @property
    def wrt_arg(self):
        """``wrt`` as given to ``grad``-style APIs: an int or a tuple of ints."""
        return self.wrt[0] if self.single else self.wrt


WORKLOADS = {
    wl.name: wl
    for wl in (
        Workload("W1", "W1 scalar loop", w1, (0,), True, w1_grad, _w1_inputs),
        Workload("W2", "W2 logistic loss", w2, (0,), True, w2_grad, _w2_inputs),
        Workload("W3", "W3 MLP", w3, (0, 1), False, w3_grad, _w3_inputs),
        Workload("W4", "W4 RNN", w4, (0, 1, 2), False, w4_grad, _w4_inputs),
        Workload("W5", "W5 1e6 elementwise", w5, (0,), True, w5_grad, _w5_inputs),
        Workload("T0", "T0 x*x per call", t0, (0,), True, t0_grad, _t0_inputs),
    )
}


def as_tuple(grad, wl: Workload) -> tuple:
    """A gradient result as a tuple with one entry per wrt argument."""
    return (grad,) if wl.single else tuple(grad)


# ---------------------------------------------------------------------------------------
# Finite-difference checks.
# ---------------------------------------------------------------------------------------


def _replace(args, i, value):
    args = list(args)
    args[i] = value
    return tuple(args)


def fd_full(fn, args, i, eps=1e-6):
    """Central finite differences of ``fn`` wrt ``args[i]``, entry by entry."""
    x = args[i]
    if np.ndim(x) == 0:
        return (fn(*_replace(args, i, x + eps)) - fn(*_replace(args, i, x - eps))) / (2 * eps)
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        g[idx] = (fn(*_replace(args, i, xp)) - fn(*_replace(args, i, xm))) / (2 * eps)
    return g


def fd_directional(fn, args, wrt, rng, eps=1e-6):
    """(d/de) fn(args + e*v) by central differences, for a random direction v over
    all wrt arguments; returns (fd value, directions)."""
    vs = [rng.standard_normal(np.shape(args[i])) for i in wrt]
    vs = [float(v) if np.ndim(v) == 0 else v for v in vs]

    def shifted(sign):
        a = list(args)
        for i, v in zip(wrt, vs):
            a[i] = a[i] + sign * eps * v
        return fn(*a)

    return (shifted(1.0) - shifted(-1.0)) / (2 * eps), vs


def check_hand(wl: Workload, verbose: bool = False) -> list[str]:
    """Check ``wl.hand`` against finite differences; returns a list of problems."""
    problems = []
    # every entry, small inputs
    args = wl.inputs(small=True, seed=1)
    got = as_tuple(wl.hand(*args), wl)
    for k, i in enumerate(wl.wrt):
        want = fd_full(wl.fn, args, i)
        if np.shape(got[k]) != np.shape(args[i]):
            problems.append(f"{wl.name} arg {i}: shape {np.shape(got[k])} != {np.shape(args[i])}")
        err = np.max(np.abs(np.asarray(got[k]) - want)) / max(1.0, np.max(np.abs(want)))
        if verbose:
            print(f"  {wl.name} small, arg {i}: max rel err vs FD {err:.2e}")
        if err > 1e-6:
            problems.append(f"{wl.name} arg {i} (small inputs): rel err vs FD {err:.2e}")
    # a directional derivative on the benchmark inputs
    args = wl.inputs()
    got = as_tuple(wl.hand(*args), wl)
    fd, vs = fd_directional(wl.fn, args, wl.wrt, np.random.default_rng(2))
    dot = sum(float(np.sum(np.asarray(g) * v)) for g, v in zip(got, vs))
    err = abs(dot - fd) / max(1.0, abs(fd))
    if verbose:
        print(f"  {wl.name} full, random direction: rel err vs FD {err:.2e}")
    if err > 1e-5:
        problems.append(f"{wl.name} (full inputs, random direction): rel err vs FD {err:.2e}")
    return problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="check hand gradients against FD")
    opts = ap.parse_args(argv)
    if not opts.check:
        ap.print_help()
        return 0
    problems = []
    for wl in WORKLOADS.values():
        problems += check_hand(wl, verbose=True)
    fwd = w1_grad_forward(0.7)
    if abs(fwd - w1_grad(0.7)) > 1e-12 * abs(fwd):
        problems.append("w1_grad_forward disagrees with w1_grad")
    for p in problems:
        print("FAIL:", p)
    print("hand gradients: " + ("all agree with finite differences" if not problems else
                                f"{len(problems)} problem(s)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
