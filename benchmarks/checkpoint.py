"""Long loops in bounded memory (issue 13): the W11-like scalar recurrence
``y = c * y + 0.001 * math.sin(y)`` over n steps, plain and with
``ast_ad.checkpointed(range(n))``, at n = 10^4, 10^5, 10^6.

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

import ast_ad

from .workloads import best_time as _best


def plain(y, c, n):
    for i in range(n):
        y = c * y + 0.001 * math.sin(y)
    return y


def checkpointed(y, c, n):
    for i in ast_ad.checkpointed(range(n)):
        y = c * y + 0.001 * math.sin(y)
    return y


def _peak(f, args):
    tracemalloc.start()
    try:
        f(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run(sizes=(10**4, 10**5, 10**6)):
    grads = {"plain": ast_ad.grad(plain, wrt=(0, 1)),
             "checkpointed": ast_ad.grad(checkpointed, wrt=(0, 1))}
    for g in grads.values():
        g(0.5, 0.9999, 10)  # generated and compiled before timing
    rows = []
    for n in sizes:
        args = (0.5, 0.9999, n)
        rounds = 5 if n <= 10**5 else 3
        tf = _best(plain, args, rounds)
        ref = grads["plain"](*args)
        for name, g in grads.items():
            assert g(*args) == ref, "checkpointed gradient differs from the plain one"
            tg = _best(g, args, rounds)
            peak = _peak(g, args)
            rows.append((n, name, tf, tg, peak))
    return rows


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


if __name__ == "__main__":
    main()
