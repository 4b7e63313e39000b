"""The benchmark workloads, their inputs, and hand-written NumPy gradients.

W1-W5 and T0 are exactly the ones in the benchmark issue; W6-W11 are the loop-heavy code
of issue 13 (element loops, small arrays, long scalar recurrences), whose hand gradients
are hand-written reverse loops in the same style (a vectorised rewrite is another
program); every engine differentiates
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
import math
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


def w6(x):                      # x (4096,): a sum of squares, one element at a time
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[i] * x[i]
    return s


def w7(u, k):                   # u (256,), k float: 10 explicit heat-equation steps
    for t in range(10):
        new = u.copy()
        for i in range(1, u.shape[0] - 1):
            new[i] = u[i] + k * (u[i - 1] - 2.0 * u[i] + u[i + 1])
        u = new
    return np.sum(u * u)


def w8(means, log_sig, logits, X):  # means (5, 4), log_sig (5,), logits (5,), X (200, 4)
    d = X.shape[1]
    lw = logits - np.log(np.sum(np.exp(logits)))
    total = 0.0
    for i in range(X.shape[0]):
        acc = 0.0
        for k in range(means.shape[0]):
            diff = X[i] - means[k]
            q = np.sum(diff * diff) * np.exp(-2.0 * log_sig[k])
            acc = acc + np.exp(lw[k] - 0.5 * q - d * log_sig[k])
        total = total + np.log(acc)
    return total


def _w9_rhs(y, theta):          # a van der Pol oscillator
    return np.array([y[1], theta[0] * (1.0 - y[0] * y[0]) * y[1] - theta[1] * y[0]])


def w9(theta, y0):              # theta (2,), y0 (2,): 200 RK4 steps of h = 0.01
    y = y0
    h = 0.01
    for t in range(200):
        k1 = _w9_rhs(y, theta)
        k2 = _w9_rhs(y + 0.5 * h * k1, theta)
        k3 = _w9_rhs(y + 0.5 * h * k2, theta)
        k4 = _w9_rhs(y + h * k3, theta)
        y = y + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return y[0] * y[0] + y[1] * y[1]


def w11(y, c):                  # Python floats (c = 0.9999): a 200,000-step recurrence
    for i in range(200000):     # (dy/dy0 vanishes, ~1e-92: dy/dc is the checkable one)
        y = c * y + 0.001 * math.sin(y)
    return y


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


def w6_grad(x):
    g = np.zeros_like(x)
    for i in range(x.shape[0]):
        g[i] = 2.0 * x[i]
    return g


def w7_grad(u, k):
    n = u.shape[0]
    us = [u]
    for t in range(10):
        new = u.copy()
        for i in range(1, n - 1):
            new[i] = u[i] + k * (u[i - 1] - 2.0 * u[i] + u[i + 1])
        u = new
        us.append(u)
    gu = 2.0 * u
    gk = 0.0
    for t in range(9, -1, -1):
        old = us[t]
        g = gu.copy()  # new = u.copy(): every entry passes through
        for i in range(1, n - 1):
            gi = gu[i]
            g[i - 1] += k * gi
            g[i] -= 2.0 * k * gi
            g[i + 1] += k * gi
            gk += gi * (old[i - 1] - 2.0 * old[i] + old[i + 1])
        gu = g
    return gu, gk


def w8_grad(means, log_sig, logits, X):
    d = X.shape[1]
    K = means.shape[0]
    e = np.exp(logits)
    lw = logits - np.log(np.sum(e))
    g_means = np.zeros_like(means)
    g_sig = np.zeros_like(log_sig)
    g_lw = np.zeros_like(logits)
    for i in range(X.shape[0]):
        diffs, qs, ws, ss = [], [], [], []
        acc = 0.0
        for k in range(K):
            diff = X[i] - means[k]
            s = np.exp(-2.0 * log_sig[k])
            q = np.sum(diff * diff) * s
            a = np.exp(lw[k] - 0.5 * q - d * log_sig[k])
            acc = acc + a
            diffs.append(diff)
            qs.append(q)
            ss.append(s)
            ws.append(a)
        for k in range(K):
            w = ws[k] / acc  # d log(acc) / d a_k times a_k
            g_lw[k] += w
            g_sig[k] += w * (qs[k] - d)
            g_means[k] += (w * ss[k]) * diffs[k]
    g_logits = g_lw - (e / np.sum(e)) * np.sum(g_lw)
    return g_means, g_sig, g_logits


def _w9_vjp(y, theta, c0, c1):
    """(gy0, gy1, gtheta0, gtheta1): the cotangent (c0, c1) of _w9_rhs pulled back."""
    a, b = theta[0], theta[1]
    return (c1 * (-2.0 * a * y[0] * y[1] - b), c0 + c1 * a * (1.0 - y[0] * y[0]),
            c1 * (1.0 - y[0] * y[0]) * y[1], -c1 * y[0])


def w9_grad(theta, y0):
    h = 0.01
    y = y0
    ys = []
    for t in range(200):
        k1 = _w9_rhs(y, theta)
        y2 = y + 0.5 * h * k1
        k2 = _w9_rhs(y2, theta)
        y3 = y + 0.5 * h * k2
        k3 = _w9_rhs(y3, theta)
        y4 = y + h * k3
        k4 = _w9_rhs(y4, theta)
        ys.append((y, y2, y3, y4))
        y = y + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    g = 2.0 * y
    ga = gb = 0.0
    for y1, y2, y3, y4 in reversed(ys):
        gk4 = (h / 6.0) * g
        gk3 = (h / 3.0) * g
        gk2 = (h / 3.0) * g
        gk1 = (h / 6.0) * g
        gy = g.copy()
        v0, v1, ta, tb = _w9_vjp(y4, theta, gk4[0], gk4[1])
        gy += (v0, v1)
        gk3 = gk3 + h * np.array([v0, v1])
        ga, gb = ga + ta, gb + tb
        v0, v1, ta, tb = _w9_vjp(y3, theta, gk3[0], gk3[1])
        gy += (v0, v1)
        gk2 = gk2 + (0.5 * h) * np.array([v0, v1])
        ga, gb = ga + ta, gb + tb
        v0, v1, ta, tb = _w9_vjp(y2, theta, gk2[0], gk2[1])
        gy += (v0, v1)
        gk1 = gk1 + (0.5 * h) * np.array([v0, v1])
        ga, gb = ga + ta, gb + tb
        v0, v1, ta, tb = _w9_vjp(y1, theta, gk1[0], gk1[1])
        gy += (v0, v1)
        ga, gb = ga + ta, gb + tb
        g = gy
    return np.array([ga, gb])


def w11_grad(y, c):
    ys = []
    for i in range(200000):
        ys.append(y)
        y = c * y + 0.001 * math.sin(y)
    g = 1.0
    gc = 0.0
    for v in reversed(ys):
        gc += g * v
        g = g * (c + 0.001 * math.cos(v))
    return g, gc


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


def _w6_inputs(rng, small):
    return (rng.standard_normal(9 if small else 4096),)


def _w7_inputs(rng, small):
    return (rng.random(8 if small else 256), 0.1)


def _w8_inputs(rng, small):
    n, K, d = (6, 3, 2) if small else (200, 5, 4)
    return (rng.standard_normal((K, d)), rng.standard_normal(K) * 0.1,
            rng.standard_normal(K), rng.standard_normal((n, d)))


def _w9_inputs(rng, small):
    return (np.array([1.0, 1.0]) + 0.1 * rng.standard_normal(2), np.array([1.0, 0.0]))


def _w11_inputs(rng, small):
    return (0.5, 0.9999)


@dataclass(frozen=True)
class Workload:
    name: str  # "W1" ... "T0"
    title: str  # row label of the tables
    fn: Callable
    wrt: tuple  # positional indices differentiated (always a tuple)
    single: bool  # the gradient is one value (wrt was one index), not a tuple
    hand: Callable
    _inputs: Callable
    fd_tol: float = 1e-6  # relative error allowed against central differences

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
        Workload("W6", "W6 x[i]*x[i] loop", w6, (0,), True, w6_grad, _w6_inputs),
        Workload("W7", "W7 heat stencil", w7, (0, 1), False, w7_grad, _w7_inputs),
        Workload("W8", "W8 GMM loops", w8, (0, 1, 2), False, w8_grad, _w8_inputs),
        Workload("W9", "W9 RK4 np.array rhs", w9, (0,), True, w9_grad, _w9_inputs),
        Workload("W11", "W11 2e5 scalar steps", w11, (0, 1), False, w11_grad, _w11_inputs,
                 fd_tol=1e-5),  # dy/dc ~ 2.7e3: central differences lose digits
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
        if err > wl.fd_tol:
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


def best_time(f, args, rounds=7):
    """The best of ``rounds`` wall-clock timings of ``f(*args)``, in seconds (the
    stand-alone scripts: benchmarks.checkpoint, benchmarks.adbench_gmm)."""
    import time

    best = math.inf
    for _ in range(rounds):
        t = time.perf_counter()
        f(*args)
        best = min(best, time.perf_counter() - t)
    return best
