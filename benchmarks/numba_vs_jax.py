"""ast_ad's numba backend vs ``jax.jit(jax.grad(f))`` on loop code, side by side.

    python -m benchmarks.numba_vs_jax            # W1, W6, W7, W8, W9, W11
    python -m benchmarks.numba_vs_jax --quick
    python -m benchmarks.numba_vs_jax W6 W7      # some of them

The workloads are those of benchmarks/workloads.py, differentiated as they are (the same
function objects) with ``ast_ad.grad(f, wrt, backend="numba")``.  jax gets the same
computations written for it: W1 as the traced Python loop (100 steps unrolled, as
``jax.grad`` sees the workload); the long loops with ``jax.lax.fori_loop`` (unrolling
4096 or 200,000 steps is not practical for XLA), W7's entry writes as ``.at[i].set``,
W9's right-hand side with ``jnp.array``.

For each: the first call (ast_ad: generation, the dry run that types the variables,
numba compilation, one run; jax: tracing, XLA compilation, one run), then the steady
time of one gradient call: the best of several rounds, numba and jax rounds taking turns
(a shared machine's load hits both alike), with the plain-Python ast_ad gradient and the
hand gradient for scale.  Single-threaded, float64.  A missing jax or numba is reported
and skipped; a workload the numba backend refuses shows the refusal.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                                   "intra_op_parallelism_threads=1")

import numpy as np  # noqa: E402

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import ast_ad  # noqa: E402
from benchmarks.workloads import WORKLOADS, as_tuple  # noqa: E402

CASES = ("W1", "W6", "W7", "W8", "W9", "W11")


def _jax_versions():
    import jax
    import jax.numpy as jnp
    from jax import lax

    jax.config.update("jax_enable_x64", True)

    def w1(x):
        s = 0.0
        p = x
        for i in range(100):
            p = jnp.sin(p) * 0.9 + x * 0.1
            s = s + p * p
        return s

    def w6(x):
        return lax.fori_loop(0, x.shape[0], lambda i, s: s + x[i] * x[i], 0.0)

    def w7(u, k):
        n = u.shape[0]

        def step(t, u):
            def entry(i, new):
                return new.at[i].set(u[i] + k * (u[i - 1] - 2.0 * u[i] + u[i + 1]))
            return lax.fori_loop(1, n - 1, entry, u)
        u = lax.fori_loop(0, 10, step, u)
        return jnp.sum(u * u)

    def w8(means, log_sig, logits, X):
        d = X.shape[1]
        lw = logits - jnp.log(jnp.sum(jnp.exp(logits)))

        def point(i, total):
            acc = 0.0
            for k in range(means.shape[0]):
                diff = X[i] - means[k]
                q = jnp.sum(diff * diff) * jnp.exp(-2.0 * log_sig[k])
                acc = acc + jnp.exp(lw[k] - 0.5 * q - d * log_sig[k])
            return total + jnp.log(acc)
        return lax.fori_loop(0, X.shape[0], point, 0.0)

    def rhs(y, theta):
        return jnp.array([y[1], theta[0] * (1.0 - y[0] * y[0]) * y[1] - theta[1] * y[0]])

    def w9(theta, y0):
        h = 0.01

        def step(t, y):
            k1 = rhs(y, theta)
            k2 = rhs(y + 0.5 * h * k1, theta)
            k3 = rhs(y + 0.5 * h * k2, theta)
            k4 = rhs(y + h * k3, theta)
            return y + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        y = lax.fori_loop(0, 200, step, y0)
        return y[0] * y[0] + y[1] * y[1]

    def w11(y, c):
        return lax.fori_loop(0, 200000, lambda i, y: c * y + 0.001 * jnp.sin(y), y)

    return {"W1": w1, "W6": w6, "W7": w7, "W8": w8, "W9": w9, "W11": w11}, jax


def _batch(fn, args, budget):
    n, t0 = 0, time.perf_counter()
    while True:
        fn(*args)
        n += 1
        dt = time.perf_counter() - t0
        if dt >= budget:
            return dt / n


def _first(fn, args):
    t0 = time.perf_counter()
    r = fn(*args)
    return time.perf_counter() - t0, r


def _close(a, b, rtol):
    for u, v in zip(a, b):
        np.testing.assert_allclose(np.asarray(u), np.asarray(v), rtol=rtol, atol=1e-12)


def measure(name, jfns, jax, rounds, budget):
    wl = WORKLOADS[name]
    args = wl.inputs()
    row = {"case": wl.title}
    g_nb = ast_ad.grad(wl.fn, wrt=wl.wrt_arg, backend="numba")
    try:
        row["numba first call (s)"], r_nb = _first(g_nb, args)
    except ast_ad.AstAdError as e:
        row["numba (us)"] = "refused"
        row["note"] = str(e).split(": ", 1)[-1][:90]
        r_nb = None
    ref = as_tuple(wl.hand(*args), wl)
    if r_nb is not None:
        _close(as_tuple(r_nb, wl), ref, 1e-9)
    g_py = ast_ad.grad(wl.fn, wrt=wl.wrt_arg)
    g_py(*args)
    timed = {"python (us)": (g_py, args), "hand (us)": (wl.hand, args)}
    if r_nb is not None:
        timed["numba (us)"] = (g_nb, args)
    if jfns is not None:
        jg = jax.jit(jax.grad(jfns[name], argnums=wl.wrt_arg))
        jargs = tuple(a if isinstance(a, float) else jax.numpy.asarray(a) for a in args)
        t0 = time.perf_counter()
        r_j = jax.block_until_ready(jg(*jargs))
        row["jax first call (s)"] = time.perf_counter() - t0
        _close(as_tuple(jax.device_get(r_j), wl), ref, 1e-9)
        timed["jax (us)"] = (lambda *a: jax.block_until_ready(jg(*a)), jargs)
    best = {k: float("inf") for k in timed}
    for _ in range(rounds):  # the engines take turns: the load of the machine hits all
        for k, (fn, a) in timed.items():
            slow = k in ("python (us)", "hand (us)")
            best[k] = min(best[k], _batch(fn, a, budget / 4 if slow else budget))
    row.update({k: v * 1e6 for k, v in best.items()})
    if "numba (us)" in timed and "jax (us)" in timed:
        row["numba / jax"] = best["numba (us)"] / best["jax (us)"]
    return row


COLS = ("case", "numba (us)", "jax (us)", "numba / jax", "numba first call (s)",
        "jax first call (s)", "python (us)", "hand (us)", "note")


def _fmt(v):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("cases", nargs="*", default=list(CASES))
    ns = ap.parse_args(argv)
    rounds, budget = (3, 0.05) if ns.quick else (9, 0.15)
    try:
        import numba
    except ImportError:
        print("numba is not installed (pip install 'ast_ad[numba]'): nothing to compare")
        return 0
    try:
        jfns, jax = _jax_versions()
    except ImportError:
        jfns, jax = None, None
        print("jax is not installed: numba alone (pip install jax jaxlib)", file=sys.stderr)
    rows = [measure(name, jfns, jax, rounds, budget) for name in ns.cases]
    cols = [c for c in COLS if any(c in r for r in rows)]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(_fmt(r.get(c)) for c in cols) + " |")
    import platform

    print(f"\npython {platform.python_version()}, numpy {np.__version__}, numba "
          f"{numba.__version__}" + (f", jax {jax.__version__}" if jax else "") +
          ", single-threaded, float64")
    return 0


if __name__ == "__main__":
    sys.exit(main())
