"""ast_ad gradients on CuPy arrays (a GPU): the gradient suite, then W2, W3 and W5 timed
against hand gradients written with CuPy.

    python -m benchmarks.gpu            # exits 0 with a message when CuPy or a GPU is absent
    python -m benchmarks.gpu --quick

1. The gradient suite: every end-to-end corpus case (tests/e2e/corpus.py) with array
   arguments, its arrays moved to the GPU (``cupy.asarray``, also inside lists, tuples and
   dicts).  The gradient must run, return CuPy arrays for CuPy arguments, and equal the
   NumPy gradient (rtol 1e-9).  Cases whose function itself cannot run on CuPy arrays
   (it makes host arrays with ``np.arange``/``np.eye``/``np.zeros(shape)``) are counted
   apart.  Needs the repository checkout (the tests folder).
2. Timings: ``ast_ad.grad(w)`` on CuPy inputs vs the hand gradient written with ``cupy``
   (``cp.exp``, ``cp.dot`` ...), both synchronised (``cupy.cuda.Device().synchronize()``),
   median of rounds; the ratio ast_ad / hand is printed.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import time

import numpy as np

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _cupy():
    """CuPy with a usable GPU, or None (and why)."""
    try:
        import cupy as cp
    except ImportError:
        return None, "CuPy is not installed"
    try:
        if cp.cuda.runtime.getDeviceCount() < 1:
            return None, "no GPU is visible to CuPy"
        cp.zeros(1).sum().item()
    except Exception as e:  # no driver, no device
        return None, f"CuPy cannot use a GPU ({type(e).__name__}: {e})"
    return cp, None


def _to_gpu(cp, x):
    if isinstance(x, np.ndarray):
        return cp.asarray(x)
    if isinstance(x, dict):
        return {k: _to_gpu(cp, v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_to_gpu(cp, e) for e in x)
    return x


def _to_host(cp, x):
    if isinstance(x, cp.ndarray):
        return cp.asnumpy(x)
    if isinstance(x, dict):
        return {k: _to_host(cp, v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_to_host(cp, e) for e in x)
    return x


def _has_array(x):
    if isinstance(x, np.ndarray):
        return x.ndim > 0
    if isinstance(x, dict):
        return any(_has_array(v) for v in x.values())
    if isinstance(x, (list, tuple)):
        return any(_has_array(e) for e in x)
    return False


def _leaves(x):
    if isinstance(x, dict):
        return [e for v in x.values() for e in _leaves(v)]
    if isinstance(x, (list, tuple)):
        return [e for v in x for e in _leaves(v)]
    return [x]


def gradient_suite(cp):
    import ast_ad

    try:
        from tests.e2e.corpus import CONTROL, STRAIGHT
    except ImportError:
        print("gradient suite: tests/e2e/corpus.py not importable (run from the checkout)")
        return 0
    ok, failed, not_neutral = 0, [], []
    for c in STRAIGHT + CONTROL:
        if c.xfail and (not isinstance(c.xfail, dict) or "fd" in c.xfail):
            continue
        if not any(_has_array(a) for a in c.args):
            continue
        gargs = _to_gpu(cp, copy.deepcopy(c.args))
        try:
            c.fn(*copy.deepcopy(gargs))
        except Exception:
            not_neutral.append(c.id)
            continue
        try:
            ref = ast_ad.grad(c.fn, wrt=c.wrt)(*copy.deepcopy(c.args))
            got = ast_ad.grad(c.fn, wrt=c.wrt)(*gargs)
            for g, r in zip(_leaves(got), _leaves(ref)):
                if isinstance(r, np.ndarray) and not isinstance(g, cp.ndarray):
                    raise AssertionError(f"a {type(g).__name__} gradient, not a CuPy array")
                np.testing.assert_allclose(np.asarray(_to_host(cp, g), dtype=float),
                                           np.asarray(r, dtype=float), rtol=1e-9, atol=1e-12)
            ok += 1
        except Exception as e:
            failed.append(f"{c.id}: {type(e).__name__}: {str(e)[:120]}")
    print(f"gradient suite on CuPy: {ok} passed, {len(failed)} failed, {len(not_neutral)} "
          f"functions not device-neutral themselves ({', '.join(not_neutral)})")
    for f in failed:
        print("  FAILED", f)
    return len(failed)


def _hand(cp):
    def w2(w, X, y):
        m = y * cp.dot(X, w)
        s = -y / (1.0 + cp.exp(m))
        return cp.dot(X.T, s) / X.shape[0]

    def w3(W1, W2, X, Y):
        h = cp.tanh(cp.dot(X, W1))
        z = cp.dot(h, W2)
        p = cp.exp(z - cp.max(z, axis=1, keepdims=True))
        p /= cp.sum(p, axis=1, keepdims=True)
        gz = (p * cp.sum(Y, axis=1, keepdims=True) - Y) / X.shape[0]
        gW2 = cp.dot(h.T, gz)
        gh = cp.dot(gz, W2.T) * (1.0 - h * h)
        return cp.dot(X.T, gh), gW2

    def w5(x):
        e = cp.exp(x * -0.5)
        return e * (cp.cos(x) - 0.5 * cp.sin(x))

    return {"W2": w2, "W3": w3, "W5": w5}


def timings(cp, rounds, budget):
    import ast_ad
    from benchmarks.workloads import WORKLOADS

    sync = cp.cuda.Device().synchronize
    hands = _hand(cp)

    def steady(fn, args):
        fn(*args)
        sync()
        times = []
        for _ in range(rounds):
            n, t0 = 0, time.perf_counter()
            while True:
                fn(*args)
                n += 1
                sync()
                if time.perf_counter() - t0 >= budget:
                    break
            times.append((time.perf_counter() - t0) / n)
        return statistics.median(times)

    print("\n| workload | ast_ad on CuPy (us) | CuPy hand (us) | ratio |")
    print("|---|---|---|---|")
    for name in ("W2", "W3", "W5"):
        wl = WORKLOADS[name]
        args = _to_gpu(cp, wl.inputs())
        g = ast_ad.grad(wl.fn, wrt=wl.wrt_arg)
        got, want = g(*args), hands[name](*args)
        for a, b in zip(_leaves(got), _leaves(want)):
            np.testing.assert_allclose(cp.asnumpy(a), cp.asnumpy(b), rtol=1e-6, atol=1e-9)
        t_ad, t_hand = steady(g, args), steady(hands[name], args)
        print(f"| {wl.title} | {t_ad * 1e6:.1f} | {t_hand * 1e6:.1f} | {t_ad / t_hand:.2f} |")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ns = ap.parse_args(argv)
    cp, why = _cupy()
    if cp is None:
        print(f"benchmarks/gpu.py: {why}; nothing to run (this is not a failure)")
        return 0
    print(f"CuPy {cp.__version__} on {cp.cuda.runtime.getDeviceProperties(0)['name']!r}")
    failed = gradient_suite(cp)
    timings(cp, 3 if ns.quick else 9, 0.05 if ns.quick else 0.2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
