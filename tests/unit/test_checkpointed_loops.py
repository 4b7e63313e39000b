"""Checkpointed loops (issue 13, long loops in bounded memory): ``for t in
ast_ad.checkpointed(range(n)):``.  Values against central finite differences and the
plain loop's gradient; structure and the refusals of bodies with effects; the stack
stays one segment deep (counted, not timed)."""

from __future__ import annotations

import logging
import math

import numpy as np
import pytest

import ast_ad
from ast_ad.errors import AstAdError
from ast_ad.passes.checkpoint import checkpoint_segments
from tests.fd import assert_close, fd_grad


def scalar_rec(y, c, n):
    for i in ast_ad.checkpointed(range(n)):
        y = c * y + 0.1 * math.sin(y)
    return y


def scalar_rec_segments(y, c, n):
    for i in ast_ad.checkpointed(range(n), segments=3):
        y = c * y + 0.1 * math.sin(y)
    return y


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7, 16, 50])
def test_scalar_recurrence_matches_fd(n):
    g = ast_ad.grad(scalar_rec, wrt=(0, 1))
    args = (0.7, 0.95, n)
    ref = fd_grad(scalar_rec, args, wrt=(0, 1))
    assert_close(g(*args), ref, rtol=1e-6, atol_scale=1e-8)
    assert_close(ast_ad.grad(scalar_rec_segments, wrt=(0, 1))(*args), ref,
                 rtol=1e-6, atol_scale=1e-8)


def vector_state(x, w, n):  # arrays as state, reads of a parameter array, start/step
    h = x
    s = 0.0
    for t in ast_ad.checkpointed(range(2, n, 3)):
        h = np.tanh(w @ h + 0.01 * t)
        s = s + np.sum(h * h) * x[t % 3]
    return s + np.sum(h)


def test_array_state_matches_fd():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(3), 0.5 * rng.standard_normal((3, 3))
    g = ast_ad.grad(vector_state, wrt=(0, 1))
    for n in (2, 3, 12, 40):
        got, ref = g(x, w, n), fd_grad(vector_state, (x, w, n), wrt=(0, 1))
        for a, b in zip(got, ref):
            assert_close(a, b, rtol=1e-6, atol_scale=1e-8)


def test_value_and_grad_and_plain_call():
    vg = ast_ad.value_and_grad(scalar_rec, wrt=1)
    v, gc = vg(0.3, 0.9, 25)
    assert v == pytest.approx(scalar_rec(0.3, 0.9, 25), rel=1e-15)
    assert gc == pytest.approx(fd_grad(scalar_rec, (0.3, 0.9, 25), wrt=1), rel=1e-6)


def _helper(y, c, n):
    for i in ast_ad.checkpointed(range(n)):
        y = c * y + 0.1 * math.cos(y)
    return y


def calls_checkpointed_helper(y, c):
    a = _helper(y, c, 13)
    return a * a + _helper(a, c, 4)


def test_checkpointed_loop_in_a_callee_matches_fd():
    g = ast_ad.grad(calls_checkpointed_helper, wrt=(0, 1))
    assert_close(g(0.4, 0.8), fd_grad(calls_checkpointed_helper, (0.4, 0.8), wrt=(0, 1)),
                 rtol=1e-6, atol_scale=1e-8)


def test_generated_code_saves_segment_states_not_steps():
    src = ast_ad.source(ast_ad.grad(scalar_rec, wrt=(0, 1)), 0.5, 0.9, 10)
    assert "checkpoint_segments(" in src
    code = [ln for ln in src.splitlines() if not ln.strip().startswith("#")]
    assert sum("math.sin(y)" in ln for ln in code) == 2  # the forward sweep and its replay
    assert "del _stack[" in src


def test_peak_memory_is_segments_not_steps():
    """n = 40000 steps: the plain loop's tape holds every step's float (8 bytes or more
    each), the checkpointed one 200 saved states and one 200-step segment."""
    import tracemalloc

    n = 40000
    plain, ck = ast_ad.grad(scalar_like, wrt=1), ast_ad.grad(scalar_rec, wrt=1)
    plain(0.5, 0.9, 10), ck(0.5, 0.9, 10)
    peaks = []
    for g in (plain, ck):
        tracemalloc.start()
        got = g(0.5, 0.9, n)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert got == pytest.approx(plain(0.5, 0.9, n), rel=1e-12)
    assert peaks[0] > 7 * n
    assert peaks[1] < 4 * n


def scalar_like(y, c, n):
    for i in range(n):
        y = c * y + 0.1 * math.sin(y)
    return y


@pytest.mark.parametrize("n,k", [(0, None), (1, None), (10, None), (10, 3), (10, 10),
                                 (10, 50), (99, None), (100, None)])
def test_segments_cover_the_range_in_order(n, k):
    r = range(3, 3 + 2 * n, 2)
    segs = checkpoint_segments(r, k)
    assert [t for s in segs for t in s] == list(r)
    if n > 1 and k is None:
        assert len(segs) <= math.isqrt(n - 1) + 1


# -- refusals: a body with effects runs twice ----------------------------------------------
_log = logging.getLogger("ck")
_COUNT = [0]


class _Obj:
    calls = 0


def with_print(y, n):
    for i in ast_ad.checkpointed(range(n)):
        print(i)
        y = y * 0.5
    return y


def with_logging(y, n):
    for i in ast_ad.checkpointed(range(n)):
        _log.info("step")
        y = y * 0.5
    return y


def with_attribute(y, n, obj):
    for i in ast_ad.checkpointed(range(n)):
        obj.calls = obj.calls + 1
        y = y * 0.5
    return y


def with_counter_list(y, n):
    for i in ast_ad.checkpointed(range(n)):
        _COUNT.append(i)
        y = y * 0.5
    return y


_BUF = np.zeros(2)


def with_entry_write(x, n):  # entries of a global array: not in the saved state
    for i in ast_ad.checkpointed(range(n)):
        _BUF[0] = x
        x = x * 0.5
    return x


def with_random(y, n):
    for i in ast_ad.checkpointed(range(n)):
        y = y * np.random.rand()
    return y


def _noisy(y):
    print(y)
    return y * 2.0


def with_noisy_helper(y, n):
    for i in ast_ad.checkpointed(range(n)):
        y = _noisy(y)
    return y


def with_break(y, n):
    for i in ast_ad.checkpointed(range(n)):
        y = y * 0.5
        if y < 0.1:
            break
    return y


def not_a_range(y, xs):
    for v in ast_ad.checkpointed(xs):
        y = y * v
    return y


def nested_in_if(y, n):
    if n > 2:
        for i in ast_ad.checkpointed(range(n)):
            y = y * 0.5
    return y


def nested_in_loop(y, n):
    for j in range(2):
        for i in ast_ad.checkpointed(range(n)):
            y = y * 0.5
    return y


@pytest.mark.parametrize("fn,args,words", [
    (with_print, (1.0, 3), "print"),
    (with_logging, (1.0, 3), "info"),
    (with_attribute, (1.0, 3, _Obj()), "attribute"),
    (with_counter_list, (1.0, 3), "append"),
    (with_entry_write, (1.0, 3), "other than a local array"),
    (with_random, (1.0, 3), "rand"),
    (with_noisy_helper, (1.0, 3), "_noisy"),
    (with_break, (1.0, 3), "break"),
    (not_a_range, (1.0, [1.0, 2.0]), "takes a range"),
    (nested_in_if, (1.0, 3), "function's body itself"),
    (nested_in_loop, (1.0, 3), "inside another loop"),
])
def test_refused_with_file_and_line(fn, args, words):
    with pytest.raises(AstAdError) as e:
        ast_ad.grad(fn, wrt=0)(*args)
    msg = str(e.value)
    assert words in msg
    assert "test_checkpointed_loops.py" in msg


def test_forward_mode_runs_the_plain_loop():
    v, t = ast_ad.jvp(scalar_rec, (0.7, 0.95, 20), (0.0, 1.0, None))
    assert v == pytest.approx(scalar_rec(0.7, 0.95, 20), rel=1e-15)
    assert t == pytest.approx(fd_grad(scalar_rec, (0.7, 0.95, 20), wrt=1), rel=1e-6)


def _cell(h, w):
    return np.tanh(w @ h)


def rnn_with_branches(x, w, n, m):  # a callee, an inner loop with a branch, a while loop
    h = x
    s = 0.0
    for t in ast_ad.checkpointed(range(n), segments=m):
        h = _cell(h, w)
        for j in range(h.shape[0]):
            if h[j] > 0:
                s = s + h[j] * x[j]
            else:
                s = s - 0.5 * h[j]
        k = 0
        while k < 2:
            s = s * 0.99
            k = k + 1
    return s + np.sum(h * h)


@pytest.mark.parametrize("n,m", [(1, 1), (5, 2), (9, 4), (9, 9)])
def test_body_with_callee_branches_and_inner_loops(n, m):
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal(3), 0.7 * rng.standard_normal((3, 3))
    got = ast_ad.grad(rnn_with_branches, wrt=(0, 1))(x, w, n, m)
    ref = fd_grad(rnn_with_branches, (x, w, n, m), wrt=(0, 1))
    for a, b in zip(got, ref):
        assert_close(a, b, rtol=1e-6, atol_scale=1e-8)
    _, vjp_fn = ast_ad.vjp(rnn_with_branches, x, w, n, m, wrt=(0, 1))
    for a, b in zip(vjp_fn(1.0), ref):  # split form: the states travel in the record
        assert_close(a, b, rtol=1e-6, atol_scale=1e-8)
