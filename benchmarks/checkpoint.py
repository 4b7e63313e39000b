"""Long loops in bounded memory (issue 13): the W11-like scalar recurrence
``y = c * y + 0.001 * math.sin(y)`` over n steps, plain, with
``ast_ad.checkpointed(range(n))``, and split by hand into n // m calls of an m-step
helper (m about sqrt(n)), plain and ``ast_ad.checkpoint``-ed, at n = 10^4, 10^5, 10^6;
then the heat stencil written in place (``u[1:-1] = ...``), plain and checkpointed.

    python -m benchmarks.checkpoint            # the table (about a minute)
    python -m benchmarks.checkpoint --quick    # n = 10^4, 10^5 only

Times are the best of a few runs without tracing; peak memory is tracemalloc's peak over
one more gradient call (tracing slows the call down: its time is not reported).  Bytes
per step = peak / n, next to the 8 bytes of one float64.
"""

from __future__ import annotations

import math
import sys
import tracemalloc

import numpy as np

import ast_ad

from .stencils import in_place as heat  # the stencil written in place (a slice write per step)
from .workloads import best_time as _best


def plain(y, c, n):
    for i in range(n):
        y = c * y + 0.001 * math.sin(y)
    return y


def checkpointed(y, c, n):
    for i in ast_ad.checkpointed(range(n)):
        y = c * y + 0.001 * math.sin(y)
    return y


def _segment(y, c, m):
    for i in range(m):
        y = c * y + 0.001 * math.sin(y)
    return y


_checkpointed_segment = ast_ad.checkpoint(_segment)


def split_plain(y, c, n):  # the sqrt(n) split written by hand, helper not checkpointed
    m = _split(n)
    for k in range(n // m):
        y = _segment(y, c, m)
    return y


def split_checkpointed(y, c, n):  # the same with an ast_ad.checkpoint helper
    m = _split(n)
    for k in range(n // m):
        y = _checkpointed_segment(y, c, m)
    return y


def _split(n):
    """The largest divisor of n not above sqrt(n): n // m segments of m steps."""
    m = max(1, math.isqrt(n))
    while n % m:
        m -= 1
    return m


def heat_checkpointed(u, k, n):
    u = u.copy()
    for t in ast_ad.checkpointed(range(n)):
        u[1:-1] = u[1:-1] + k * (u[:-2] - 2.0 * u[1:-1] + u[2:])
    return float(u @ u)


def _peak(f, args):
    tracemalloc.start()
    try:
        f(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _rows(fns, sizes, make_args, rtol):
    grads = {name: ast_ad.grad(f, wrt=(0, 1)) for name, f in fns.items()}
    first = next(iter(fns.values()))
    for g in grads.values():
        g(*make_args(16))  # generated and compiled before timing
    rows = []
    for n in sizes:
        args = make_args(n)
        rounds = 5 if n <= 10**5 else 3
        tf = _best(first, args, rounds)
        ref = grads[next(iter(grads))](*args)
        for name, g in grads.items():
            got = g(*args)
            assert all(abs(float(np.max(np.abs(np.asarray(a) - b)))) <= rtol * (
                1 + float(np.max(np.abs(b)))) for a, b in zip(got, ref)), \
                f"{name}: the gradient differs from the plain one"
            tg = _best(g, args, rounds)
            peak = _peak(g, args)
            rows.append((n, name, tf, tg, peak))
    return rows


def run(sizes=(10**4, 10**5, 10**6)):
    fns = {"plain loop": plain, "checkpointed loop": checkpointed,
           "helper per sqrt(n) steps": split_plain,
           "checkpointed helper per sqrt(n) steps": split_checkpointed}
    return _rows(fns, sizes, lambda n: (0.5, 0.9999, n), 1e-12)


def run_heat(sizes=(10**3, 10**4)):
    u0 = np.sin(np.linspace(0.0, math.pi, 256))
    return _rows({"plain loop": heat, "checkpointed loop": heat_checkpointed}, sizes,
                 lambda n: (u0, 0.2, n), 1e-12)


def report(rows):
    out = ["| n | gradient | function (ms) | gradient (ms) | gradient / function | "
           "peak memory (MB) | bytes per step |", "|---|---|---|---|---|---|---|"]
    for n, name, tf, tg, peak in rows:
        out.append(f"| {n:,} | {name} | {tf * 1e3:.1f} | {tg * 1e3:.1f} | {tg / tf:.1f} | "
                   f"{peak / 1e6:.2f} | {peak / n:.2f} |")
    return "\n".join(out)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    sizes = (10**4, 10**5) if "--quick" in argv else (10**4, 10**5, 10**6)
    print(report(run(sizes)))
    print()
    print("heat stencil in place, 256 entries (bytes per step: of the whole tape)")
    print(report(run_heat((10**3,) if "--quick" in argv else (10**3, 10**4))))


if __name__ == "__main__":
    main()
