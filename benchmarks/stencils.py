"""Explicit heat stencils written the ways people write them (slices, not element loops):
in place (``u[1:-1] = ...``), ``+=`` on a slice, a copy written then rebound, a
``np.zeros_like`` filled, ``np.concatenate``, ``np.roll``, and the 2-d five-point stencil
in place; gradient time / function time for ``grad(f, wrt=(0, 1))`` (the field and the
coefficient), and for the in-place one a hand-written reverse loop next to it.

    python -m benchmarks.stencils            # 256 entries (64 x 64 in 2-d), 200 steps
    python -m benchmarks.stencils --quick    # 50 steps

Each gradient is checked against central finite differences on a small field first.
Times are the best of 5 rounds of 2 calls (wall clock, one thread).
"""

from __future__ import annotations

import sys
import timeit

import numpy as np

import ast_ad


def in_place(u, k, n):
    u = u.copy()
    for t in range(n):
        u[1:-1] = u[1:-1] + k * (u[:-2] - 2.0 * u[1:-1] + u[2:])
    return float(u @ u)


def in_place_hand(u, k, n):  # the reverse loop a careful person writes for in_place
    u = u.copy()
    saved, lap = [], []
    for t in range(n):
        saved.append(u[1:-1].copy())
        d = u[:-2] - 2.0 * u[1:-1] + u[2:]
        lap.append(d)
        u[1:-1] = u[1:-1] + k * d
    bu, bk = 2.0 * u, 0.0
    for t in range(n - 1, -1, -1):
        g = bu[1:-1].copy()
        bu[1:-1] = 0.0
        u[1:-1] = saved.pop()
        bk += float(g @ lap.pop())
        kg = k * g
        bu[2:] += kg
        bu[1:-1] -= 2.0 * kg
        bu[:-2] += kg
        bu[1:-1] += g
    return bu, bk


def aug_slice(u, k, n):
    u = u.copy()
    for t in range(n):
        u[1:-1] += k * (u[:-2] - 2.0 * u[1:-1] + u[2:])
    return float(u @ u)


def copy_then_write(u, k, n):
    for t in range(n):
        un = u.copy()
        un[1:-1] = u[1:-1] + k * (u[:-2] - 2.0 * u[1:-1] + u[2:])
        u = un
    return float(u @ u)


def zeros_filled(u, k, n):
    for t in range(n):
        un = np.zeros_like(u)
        un[0] = u[0]
        un[-1] = u[-1]
        un[1:-1] = u[1:-1] + k * (u[:-2] - 2.0 * u[1:-1] + u[2:])
        u = un
    return float(u @ u)


def concatenated(u, k, n):
    for t in range(n):
        u = np.concatenate([u[:1], u[1:-1] + k * (u[:-2] - 2.0 * u[1:-1] + u[2:]), u[-1:]])
    return float(u @ u)


def rolled(u, k, n):  # (periodic)
    for t in range(n):
        u = u + k * (np.roll(u, 1) - 2.0 * u + np.roll(u, -1))
    return float(u @ u)


def in_place_2d(u, k, n):
    u = u.copy()
    for t in range(n):
        u[1:-1, 1:-1] = u[1:-1, 1:-1] + k * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2]
                                             + u[1:-1, 2:] - 4.0 * u[1:-1, 1:-1])
    return float(np.sum(u * u))


STENCILS = [in_place, aug_slice, copy_then_write, zeros_filled, concatenated, rolled,
            in_place_2d]


def _fd(f, u, k, n, eps=1e-6):
    gu = np.zeros_like(u)
    for i in np.ndindex(u.shape):
        up, um = u.copy(), u.copy()
        up[i] += eps
        um[i] -= eps
        gu[i] = (f(up, k, n) - f(um, k, n)) / (2 * eps)
    return gu, (f(u, k + eps, n) - f(u, k - eps, n)) / (2 * eps)


def _best(f, args):
    return min(timeit.repeat(lambda: f(*args), number=2, repeat=5)) / 2


def run(steps=200):
    rng = np.random.default_rng(0)
    rows = []
    for f in STENCILS:
        two = f is in_place_2d
        g = ast_ad.grad(f, wrt=(0, 1))
        small = rng.normal(size=(5, 6) if two else 9)
        got, ref = g(small, 0.1, 3), _fd(f, small, 0.1, 3)
        err = max(float(np.max(np.abs(np.asarray(a) - b))) for a, b in zip(got, ref))
        assert err < 1e-6, f"{f.__name__}: the gradient differs from finite differences"
        args = (rng.normal(size=(64, 64) if two else 256), 0.1, steps)
        tf, tg = _best(f, args), _best(g, args)
        hand = _best(in_place_hand, args) if f is in_place else None
        rows.append((f.__name__, tf, tg, hand))
    return rows


def report(rows):
    out = ["| stencil | function (ms) | ast_ad gradient (ms) | gradient / function | "
           "hand / function |", "|---|---|---|---|---|"]
    for name, tf, tg, hand in rows:
        h = f"{hand / tf:.2f}" if hand else "-"
        out.append(f"| {name} | {tf * 1e3:.2f} | {tg * 1e3:.2f} | {tg / tf:.2f} | {h} |")
    return "\n".join(out)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    print(report(run(50 if "--quick" in argv else 200)))


if __name__ == "__main__":
    main()
