"""Slice writes into an adjoint buffer the generated code owns (issue 13: "the same for
slices read in a loop"): ``u[1:-1] = v`` on a float array the analysis tracks takes
``bv = bu[1:-1].copy()`` and zeroes ``bu[1:-1]`` in place, so the reads of ``u`` in the
same loop keep updating one buffer (``bu[2:] += g``) instead of a full-size
``accum_index``/``clear_grad`` copy per statement.  Values against central finite
differences (tests/fd.py), including writes that overlap their own reads, broadcast a
number or a row into a slice, use negative steps, or overwrite what an earlier write in
the same step wrote.  Structure on the generated source.  No timing here."""

from __future__ import annotations

import numpy as np
import pytest

import ast_ad
from benchmarks.stencils import in_place as heat  # the 1-d and 2-d stencils in place
from benchmarks.stencils import in_place_2d as heat_2d
from tests.fd import assert_close, fd_grad


def shift_overlapping(u, a, n):
    u = u.copy()
    for t in range(n):
        u[1:] = u[:-1] * a  # the value reads memory the write overwrites
    return np.sum(u ** 3)


def number_into_slice(u, a, n):
    u = u.copy()
    for t in range(n):
        u[2:5] = a * u[0] + 0.5  # one number broadcast into three entries
        u[0] = np.sin(u[3])
    return np.sum(u * u)


def row_into_rows(m, v, n):
    m = m.copy()
    for t in range(n):
        m[1:3] = v * m[0]  # a row broadcast into two rows
        m[0] = np.tanh(m[2] + m[1])
    return np.sum(m ** 2)


def rows_of_a_recurrence(x0, w, n):
    h = np.zeros((n + 1, x0.shape[0]))
    h[0] = x0
    for t in range(n):
        h[t + 1] = np.tanh(w @ h[t])
    return np.sum(h * h)


def negative_steps(u, a, n):
    u = u.copy()
    for t in range(n):
        u[::-2] = u[::-2] * a + u[-2::-2]
    return np.sum(u ** 2)


def overwrites_its_own_write(u, a, n):
    u = u.copy()
    for t in range(n):
        u[1:4] = u[1:4] * a
        u[2:6] = np.cos(u[2:6])  # overwrites two entries the line above wrote
    return np.sum(u * u)


def constants_into_a_slice(u, n):
    u = u.copy()
    for t in range(n):
        u[0:2] = np.array([1.0, 2.0])  # no derivative reaches these entries
        u[1:] = u[1:] * u[:-1]
    return np.sum(u)


def float32_stencil(u, k, n):
    u = u.astype(np.float32)
    for t in range(n):
        u[1:-1] = u[1:-1] + k * (u[:-2] - 2 * u[1:-1] + u[2:])
    return float(np.sum(u.astype(np.float64) ** 2))


def view_scaled_in_place(x, s):  # (the mutation family sweep: a silent wrong d/ds)
    u = x * (-0.4) + s
    v1 = u[:2]  # a view of u, read by the adjoint of the write below
    v1 *= np.sin(s)
    return np.sum(u * np.array([0.3, 1.5, 0.5]))


RNG = np.random.default_rng(7)
CASES = [
    (heat, (RNG.normal(size=12), 0.2, 5), (0, 1)),
    (heat_2d, (RNG.normal(size=(6, 5)), 0.1, 3), (0, 1)),
    (shift_overlapping, (RNG.normal(size=7), 0.8, 4), (0, 1)),
    (number_into_slice, (RNG.normal(size=8), 0.7, 3), (0, 1)),
    (row_into_rows, (RNG.normal(size=(4, 3)), RNG.normal(size=3), 3), (0, 1)),
    (rows_of_a_recurrence, (RNG.normal(size=3), RNG.normal(size=(3, 3)) * 0.5, 4), (0, 1)),
    (negative_steps, (RNG.normal(size=8), 0.6, 3), (0, 1)),
    (overwrites_its_own_write, (RNG.normal(size=8), 1.3, 3), (0, 1)),
    (constants_into_a_slice, (RNG.normal(size=6), 3), 0),
    (view_scaled_in_place, (RNG.normal(size=3), 0.25), (0, 1)),
]


@pytest.mark.parametrize("f, args, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_slice_writes_match_finite_differences(f, args, wrt):
    got = ast_ad.grad(f, wrt=wrt)(*args)
    ref = fd_grad(f, args, wrt=wrt)
    for a, b in zip(got if isinstance(wrt, tuple) else (got,),
                    ref if isinstance(wrt, tuple) else (ref,)):
        assert_close(a, b, 1e-6, 1e-7)


def test_float32_slice_writes_keep_their_dtype():
    u = RNG.normal(size=10).astype(np.float32)
    got = ast_ad.grad(float32_stencil, wrt=0)(u, 0.2, 4)
    assert got.dtype == np.float32
    ref = fd_grad(lambda v, k, n: float32_stencil(v.astype(np.float32), k, n),
                  (u.astype(np.float64), 0.2, 4), wrt=0, eps=1e-3)
    assert_close(got.astype(np.float64), ref, 2e-2, 2e-2)


def _reversed_loop(src):
    body = src.split("_pop = _stack.pop", 1)[1]
    return body.split("for t in", 1)[1]


@pytest.mark.parametrize("f, args", [(heat, (np.ones(16), 0.1, 3)),
                                     (heat_2d, (np.ones((5, 5)), 0.1, 2))])
def test_the_stencil_updates_one_buffer_in_place(f, args):
    g = ast_ad.grad(f)
    g(*args)
    loop = _reversed_loop(ast_ad.source(g, *args))
    for helper in ("accum_index", "clear_grad", "take_written"):
        assert helper not in loop, loop
    assert "bu[1:-1" in loop and "] += " in loop, loop
    assert ".copy()" in loop and "] = 0.0" in loop, loop


def test_a_second_gradient_call_starts_from_a_fresh_buffer():
    g = ast_ad.grad(heat, wrt=0)
    u = RNG.normal(size=10)
    first = g(u, 0.2, 4)
    second = g(u, 0.2, 4)
    assert first is not second
    assert_close(first, second, 0, 0)
    assert_close(first, fd_grad(heat, (u, 0.2, 4), wrt=0), 1e-6, 1e-7)


# -- shape classes of slices (analysis/shapes.py `Shape.sliced`) ---------------------------
def trims_differ(u):  # u[1:3] has 2 entries, u[2:] len(u) - 2: they broadcast when len(u) is 3
    return np.sum(u[1:3] * u[2:])


def trims_equal(u):  # each drops 2 entries: one shape whatever len(u) (0 entries at len 2)
    return np.sum(u[1:-1] * u[:-2] + u[2:] ** 2)


def corners(u):  # (1, 1) dropped on both axes
    return np.sum(u[1:, :-1] * u[:-1, 1:])


def rows_and_columns(x, i):  # a row and a column: equal only for a square x
    return np.sum(x[i] * x[:, 0])


def rebinds_to_a_longer_array(u, n):
    s = 0.0
    for t in range(n):
        s = s + np.sum(u[1:] * u[:-1])
        u = np.concatenate([u[:1], u])  # u's shape changes every trip: no class
    return s


SHAPE_CASES = [
    (trims_differ, (RNG.normal(size=3),)),
    (trims_differ, (RNG.normal(size=4),)),
    (trims_equal, (RNG.normal(size=2),)),
    (trims_equal, (RNG.normal(size=6),)),
    (corners, (RNG.normal(size=(3, 4)),)),
    (corners, (RNG.normal(size=(1, 4)),)),
    (rows_and_columns, (RNG.normal(size=(3, 3)), 1)),
    (rows_and_columns, (RNG.normal(size=(1, 3)), 0)),
    (rebinds_to_a_longer_array, (RNG.normal(size=3), 3)),
]


@pytest.mark.parametrize("f, args", SHAPE_CASES,
                         ids=[f"{c[0].__name__}-{np.shape(c[1][0])}" for c in SHAPE_CASES])
def test_slices_of_one_array_match_finite_differences(f, args):
    got = ast_ad.grad(f, wrt=0)(*args)
    assert np.shape(got) == np.shape(args[0])
    assert_close(got, fd_grad(f, args, wrt=0), 1e-6, 1e-7)


def test_equal_trims_need_no_unbroadcast_and_different_ones_keep_it():
    u = np.ones(5)
    g = ast_ad.grad(trims_equal)
    g(u)
    assert "unbroadcast" not in ast_ad.source(g, u)
    g = ast_ad.grad(trims_differ)
    g(u[:4])
    assert "unbroadcast" in ast_ad.source(g, u[:4])
    x = np.ones((1, 3))  # (a length-1 axis: no long_dims fact either)
    g = ast_ad.grad(rows_and_columns)
    g(x, 0)
    assert "unbroadcast" in ast_ad.source(g, x, 0)


def test_list_buffers_take_no_slice_index():
    """A list's slice update extends the list (``lst[a:b] += g``): the list form of a
    reversed loop (passes/reverse/list_buffers.py) is for one-entry indices only."""
    import gast

    from ast_ad.passes.reverse.list_buffers import _index_ok

    def index(src):
        return gast.parse(f"b[{src}]").body[0].value.slice

    assert _index_ok(index("i")) and _index_ok(index("i + 1"))
    for src in ("i:j", "slice(i, j, None)", "i, j", "[i, j]"):
        assert not _index_ok(index(src)), src


def test_a_slice_read_in_a_loop_with_a_slice_update_stays_on_the_array():
    def f(x, n):
        s = 0.0
        for t in range(n):
            s = s + x[t] * 3.0
            w = x[t:t + 2]
        return s + np.sum(w)

    x = RNG.normal(size=8)
    g = ast_ad.grad(f)
    assert_close(g(x, 5), fd_grad(f, (x, 5)), 1e-6, 1e-7)
    assert "_lb[t:" not in ast_ad.source(g, x, 5)
