"""Checkpointed loops whose bodies write entries in place (issue 13): the saved state of a
segment copies the arrays the body writes (``snapshot``) and the adjoint sweep puts the
entries back into the same arrays (``restored``).  Values against central finite
differences and the plain loop's gradient; what is still refused."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ast_ad
from ast_ad.errors import AstAdError
from tests.fd import assert_close, fd_grad


def heat(u, k, n):  # the explicit heat stencil of issue 13, written in place
    u = u.copy()
    for t in ast_ad.checkpointed(range(n)):
        new = u.copy()
        for i in range(1, len(u) - 1):
            new[i] = u[i] + k * (u[i - 1] - 2 * u[i] + u[i + 1])
        u[1:-1] = new[1:-1]
        u[0] = 0.5 * u[0] + 0.1 * u[1] * u[1]
    return np.sum(u * u * u)


def heat_plain(u, k, n):
    u = u.copy()
    for t in range(n):
        new = u.copy()
        for i in range(1, len(u) - 1):
            new[i] = u[i] + k * (u[i - 1] - 2 * u[i] + u[i + 1])
        u[1:-1] = new[1:-1]
        u[0] = 0.5 * u[0] + 0.1 * u[1] * u[1]
    return np.sum(u * u * u)


@pytest.mark.parametrize("n", [0, 1, 2, 5, 17])
def test_heat_stencil_in_place_matches_fd_and_plain(n):
    u = np.linspace(0.0, 1.0, 7) ** 2
    got = ast_ad.grad(heat, wrt=(0, 1))(u, 0.1, n)
    plain = ast_ad.grad(heat_plain, wrt=(0, 1))(u, 0.1, n)
    ref = fd_grad(heat, (u, 0.1, n), wrt=(0, 1))
    for a, b, c in zip(got, plain, ref):
        assert_close(a, b, rtol=1e-12, atol_scale=1e-14)
        assert_close(a, c, rtol=1e-6, atol_scale=1e-8)
    assert np.array_equal(u, np.linspace(0.0, 1.0, 7) ** 2)  # the caller's array intact


def views_and_aliases(u, k, n):  # writes through a view and a second name of one array
    u = u.copy()
    w = u[1:-1]
    v = u
    for t in ast_ad.checkpointed(range(n), segments=3):
        w[:] = w + k * (u[:-2] - 2 * w + u[2:])
        v[0] = v[0] * 0.9 + u[1] * 0.1
    return np.sum(u * u * u)


def augmented(u, k, n):
    u = u.copy()
    for t in ast_ad.checkpointed(range(n), segments=2):
        u += k * np.sin(u[::-1])
    return np.sum(u * u)


@pytest.mark.parametrize("fn", [views_and_aliases, augmented])
@pytest.mark.parametrize("n", [1, 4, 11])
def test_views_aliases_and_augmented_writes_match_fd(fn, n):
    u = np.linspace(0.1, 1.0, 6)
    got = ast_ad.grad(fn, wrt=(0, 1))(u, 0.1, n)
    ref = fd_grad(fn, (u, 0.1, n), wrt=(0, 1))
    for a, b in zip(got, ref):
        assert_close(a, b, rtol=1e-6, atol_scale=1e-8)


def test_in_place_writes_in_a_callee_and_value_and_grad():
    def outer(u, k):
        return heat(u, k, 6) + heat(2.0 * u, k, 3)

    u = np.linspace(0.0, 1.0, 5)
    v, g = ast_ad.value_and_grad(outer, wrt=(0, 1))(u, 0.2)
    assert v == pytest.approx(outer(u, 0.2), rel=1e-14)
    for a, b in zip(g, fd_grad(outer, (u, 0.2), wrt=(0, 1))):
        assert_close(a, b, rtol=1e-6, atol_scale=1e-8)


def test_generated_code_snapshots_only_the_arrays_written():
    src = ast_ad.source(ast_ad.grad(heat), np.ones(3), 0.1, 4)
    assert "snapshot(u)" in src and "restored(u)" in src
    assert "snapshot(k)" not in src and "snapshot(t)" not in src
    src = ast_ad.source(ast_ad.grad(augmented), np.ones(3), 0.1, 4)  # u = u + ...: new
    assert "checkpoint_segments(" in src and "snapshot(" not in src


def test_peak_memory_holds_segment_copies_not_steps():
    """A 2-entry array updated in place over 10,000 steps: the plain tape saves every
    step's entry (a float object plus a list slot each), the checkpointed one 100 copies."""
    import tracemalloc

    n = 10000
    plain, ck = ast_ad.grad(_inplace_plain), ast_ad.grad(_inplace_ck)
    x = np.array([0.3, 0.7])
    assert_close(ck(x, 10), fd_grad(_inplace_ck, (x, 10)), rtol=1e-6, atol_scale=1e-8)
    peaks = []
    for g in (plain, ck):
        tracemalloc.start()
        got = g(x, n)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert_close(got, plain(x, n), rtol=1e-12, atol_scale=1e-14)
    assert peaks[1] * 5 < peaks[0]


def _inplace_plain(x, n):
    x = x.copy()
    for t in range(n):
        x[0] = 0.999 * x[0] + 0.001 * np.sin(x[1])
    return x[0]


def _inplace_ck(x, n):
    x = x.copy()
    for t in ast_ad.checkpointed(range(n)):
        x[0] = 0.999 * x[0] + 0.001 * np.sin(x[1])
    return x[0]


def list_entries(x, n):
    lst = [x, x]
    for t in ast_ad.checkpointed(range(n)):
        lst[0] = lst[1] * 0.5
    return lst[0]


def attribute_write(x, n):
    box = _Box()
    for t in ast_ad.checkpointed(range(n)):
        box.v = x
    return x * box.v


class _Box:
    v = 0.0


def test_still_refused():
    with pytest.raises(AstAdError, match="entries of a list"):
        ast_ad.grad(list_entries)(1.0, 3)
    with pytest.raises(AstAdError, match="attribute") as e:
        ast_ad.grad(attribute_write)(1.0, 3)
    assert "test_checkpoint_writes.py" in str(e.value)


def writes_its_parameter(x, n):  # no copy in the user's code: the gradient's own copy
    for t in ast_ad.checkpointed(range(n), segments=4):
        x[0] = 0.9 * x[0] + np.sin(x[1])
        x[1] = x[1] * 0.99 + 0.01 * x[0]
    return x[0] * x[1]


def test_a_parameter_written_in_place():
    x = np.array([0.2, 0.6])
    keep = x.copy()
    got = ast_ad.grad(writes_its_parameter)(x, 9)
    assert np.array_equal(x, keep)
    assert_close(got, fd_grad(writes_its_parameter, (x, 9)), rtol=1e-6, atol_scale=1e-8)


def reads_then_rebinds(u, n):  # buf's old entries are read before it is bound again
    u = u.copy()
    buf = np.zeros(len(u))
    for t in ast_ad.checkpointed(range(n), segments=3):
        s = buf[0]
        buf = u * 0.5
        buf[0] = buf[0] + s * s
        u = u + 0.1 * np.sin(buf)
    return np.sum(u * u)


def test_copies_only_what_a_replay_reads():
    """`new = u.copy()` first in each trip: its old entries are never read again, so no
    copy of them is saved; `buf` read before its rebinding is copied."""
    src = ast_ad.source(ast_ad.grad(heat), np.ones(4), 0.1, 3)
    assert "snapshot(u)" in src and "snapshot(new)" not in src
    src = ast_ad.source(ast_ad.grad(reads_then_rebinds), np.ones(4), 5)
    assert "snapshot(buf)" in src
    u = np.linspace(0.1, 0.9, 4)
    for n in (1, 5, 10):
        assert_close(ast_ad.grad(reads_then_rebinds)(u, n),
                     fd_grad(reads_then_rebinds, (u, n)), rtol=1e-6, atol_scale=1e-8)


def seg_in_loop(y, c):
    for k in ast_ad.checkpointed(range(7)):
        y = _ck_seg(y, c, 9)
    return y * y


@ast_ad.checkpoint
def _ck_seg(y, c, m):  # a checkpointed helper with a checkpointed loop, in one
    for i in ast_ad.checkpointed(range(m)):
        y = c * y + 0.01 * math.sin(y)
    return y


@ast_ad.checkpoint
def _ck_fill(x, m):
    out = np.zeros(m)
    for i in range(m):
        out[i] = x[i % len(x)] ** 2
    return out


def filled_then_stepped(x):
    u = _ck_fill(x, 5)
    for t in ast_ad.checkpointed(range(6)):
        u[1:] = u[1:] + 0.1 * u[:-1]
    return np.sum(u * u)


def test_checkpointed_helpers_and_loops_together():
    assert_close(ast_ad.grad(seg_in_loop, wrt=(0, 1))(0.4, 0.95),
                 fd_grad(seg_in_loop, (0.4, 0.95), wrt=(0, 1)), rtol=1e-6, atol_scale=1e-8)
    x = np.array([0.3, -0.5])
    assert_close(ast_ad.grad(filled_then_stepped)(x), fd_grad(filled_then_stepped, (x,)),
                 rtol=1e-6, atol_scale=1e-8)
