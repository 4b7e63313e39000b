"""ast_ad's numba backend vs ``jax.jit(jax.grad(f))`` on loop code.

    python -m benchmarks.numba_vs_jax            # W1, the element loop, the recurrence
    python -m benchmarks.numba_vs_jax --quick

Cases: W1 (benchmarks/workloads.py: a Python float through 100 steps of
``p = sin(p)*0.9 + x*0.1``), an element loop ``s = s + x[i]*x[i]`` over 4096 entries, and
a 200,000-step scalar recurrence ``y = 0.9999*y + 0.001*math.sin(y)``.

For each: the first call (ast_ad: generation, the dry run that types the variables, numba
compilation; jax: tracing and XLA compilation), then the steady time of one gradient call
(median of rounds), against the plain-Python ast_ad gradient and the hand gradient where
there is one.  jax gets the same functions written for it: W1 as a traced Python loop
(unrolled, as ``jax.grad`` sees the workload), the element loop and the recurrence with
``jax.lax.fori_loop`` (unrolling 200,000 steps is not practical for XLA).  Single-threaded,
float64.  A missing jax or numba is reported and skipped.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
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
from benchmarks.workloads import WORKLOADS  # noqa: E402

N_ELEM = 4096
N_STEPS = 200_000


def element_loop(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[i] * x[i]
    return s


def recurrence(y):
    for i in range(200000):
        y = 0.9999 * y + 0.001 * math.sin(y)
    return y


def _jax_versions():
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)

    def w1(x):
        s = 0.0
        p = x
        for i in range(100):
            p = jnp.sin(p) * 0.9 + x * 0.1
            s = s + p * p
        return s

    def elem(x):
        return jax.lax.fori_loop(0, x.shape[0], lambda i, s: s + x[i] * x[i], 0.0)

    def rec(y):
        return jax.lax.fori_loop(0, N_STEPS, lambda i, y: 0.9999 * y + 0.001 * jnp.sin(y), y)

    return {"W1": w1, "elem": elem, "rec": rec}, jax


def _steady(fn, args, rounds, budget):
    times = []
    for _ in range(rounds):
        n, t0 = 0, time.perf_counter()
        while True:
            fn(*args)
            n += 1
            dt = time.perf_counter() - t0
            if dt >= budget:
                break
        times.append(dt / n)
    return statistics.median(times)


def _first(fn, args):
    t0 = time.perf_counter()
    r = fn(*args)
    return time.perf_counter() - t0, r


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ns = ap.parse_args(argv)
    rounds, budget = (3, 0.05) if ns.quick else (7, 0.2)
    x_elem = np.random.default_rng(0).standard_normal(N_ELEM)
    w1 = WORKLOADS["W1"]
    cases = [("W1", "W1 scalar loop (100 steps)", w1.fn, w1.inputs(), w1.hand),
             ("elem", f"s = s + x[i]*x[i], {N_ELEM} entries", element_loop, (x_elem,),
              lambda x: 2.0 * x),
             ("rec", f"scalar recurrence, {N_STEPS} steps", recurrence, (0.5,), None)]
    try:
        jfns, jax = _jax_versions()
    except ImportError:
        jfns, jax = None, None
        print("jax is not installed: numba alone (pip install jax jaxlib)", file=sys.stderr)
    try:
        import numba  # noqa: F401
    except ImportError:
        print("numba is not installed (pip install 'ast_ad[numba]'): nothing to compare")
        return 0

    rows = []
    for key, title, f, args, hand in cases:
        row = {"case": title}
        g_nb = ast_ad.grad(f, backend="numba")
        row["numba first call (s)"], r_nb = _first(g_nb, args)
        g_py = ast_ad.grad(f)
        row["python first call (s)"], r_py = _first(g_py, args)
        np.testing.assert_allclose(r_nb, r_py, rtol=1e-12)
        row["numba (us)"] = _steady(g_nb, args, rounds, budget) * 1e6
        row["python (us)"] = _steady(g_py, args, rounds, budget) * 1e6
        row["hand (us)"] = _steady(hand, args, rounds, budget) * 1e6 if hand else None
        if jfns is not None:
            jg = jax.jit(jax.grad(jfns[key]))
            jargs = tuple(jax.numpy.asarray(a) for a in args)
            t0 = time.perf_counter()
            r_j = jg(*jargs).block_until_ready()
            row["jax first call (s)"] = time.perf_counter() - t0
            np.testing.assert_allclose(np.asarray(r_j), r_nb, rtol=1e-9)
            row["jax (us)"] = _steady(lambda *a: jg(*a).block_until_ready(), jargs, rounds,
                                      budget) * 1e6
            row["numba / jax"] = row["numba (us)"] / row["jax (us)"]
        rows.append(row)

    cols = [c for c in ("case", "numba (us)", "jax (us)", "numba / jax", "python (us)",
                        "hand (us)", "numba first call (s)", "jax first call (s)",
                        "python first call (s)") if any(c in r for r in rows)]

    def fmt(v):
        if v is None:
            return "-"
        if isinstance(v, str):
            return v
        return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"

    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(fmt(r.get(c)) for c in cols) + " |")
    import platform

    print(f"\npython {platform.python_version()}, numpy {np.__version__}, numba "
          f"{numba.__version__}" + (f", jax {jax.__version__}" if jax else "") +
          ", single-threaded, float64")
    return 0


if __name__ == "__main__":
    sys.exit(main())
