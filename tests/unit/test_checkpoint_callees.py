"""Checkpointed callees (issue 13, long loops in bounded memory): ``@ast_ad.checkpoint``
on a helper.  A differentiated call runs the helper as written and keeps its arguments;
the backward sweep replays its forward sweep, then its adjoint.  Values against central
finite differences (tests/fd.py) and the unmarked helper's gradient; the structure (no
callee pushes in the caller's forward sweep); the refusals of helpers that cannot run
twice; memory (counted, not timed)."""

from __future__ import annotations

import logging
import math
import random

import numpy as np
import pytest

import ast_ad
from ast_ad.errors import AstAdError, UnsupportedConstructError
from ast_ad.passes.checkpoint_calls import CheckpointedSplit
from tests.fd import assert_close, fd_grad


def _steps(y, c, m):
    for t in range(m):
        y = c * y + 0.01 * math.sin(y)
    return y


steps = ast_ad.checkpoint(_steps)  # a checkpointed twin; _steps stays unmarked


def few_long_calls(y, c):
    for k in range(4):
        y = steps(y, c, 60)
    return y * y


def few_long_calls_plain(y, c):
    for k in range(4):
        y = _steps(y, c, 60)
    return y * y


def test_twin_is_the_function_and_the_original_is_unmarked():
    assert steps(0.3, 0.9, 7) == _steps(0.3, 0.9, 7)
    assert steps.__wrapped__ is _steps and steps is not _steps
    assert not hasattr(_steps, "__ast_ad_checkpoint__")
    assert ast_ad.checkpoint(steps) is steps
    with pytest.raises(TypeError, match="Python function"):
        ast_ad.checkpoint(np.sin)


def test_long_loop_called_a_few_times_matches_fd_and_plain():
    g = ast_ad.grad(few_long_calls, wrt=(0, 1))
    args = (0.7, 0.97)
    got = g(*args)
    assert_close(got, ast_ad.grad(few_long_calls_plain, wrt=(0, 1))(*args), rtol=1e-13,
                 atol_scale=1e-15)
    assert_close(got, fd_grad(few_long_calls, args, wrt=(0, 1)), rtol=1e-6,
                 atol_scale=1e-8)


@ast_ad.checkpoint
def _layer(x, w):
    return np.tanh(w @ x)


@ast_ad.checkpoint
def _block(x, w, m):  # a checkpointed helper calling a checkpointed helper
    s = 0.0
    for t in range(m):
        x = _layer(x, w)
        s = s + np.sum(x * x)
    return s, x


def nested(x, w, b):
    a, x2 = _block(x, w, 3)
    c, _ = _block(x2 + b, w, 2)
    return a * c + np.sum(b * x2)


def _data():
    rng = np.random.default_rng(1)
    return (rng.standard_normal(3), 0.5 * rng.standard_normal((3, 3)),
            rng.standard_normal(3))


def test_nested_helpers_wrt_several_arguments_match_fd():
    args = _data()
    got = ast_ad.grad(nested, wrt=(0, 1, 2))(*args)
    for a, b in zip(got, fd_grad(nested, args, wrt=(0, 1, 2))):
        assert_close(a, b, rtol=1e-6, atol_scale=1e-8)


def test_value_and_grad_and_vjp():
    args = _data()
    v, g = ast_ad.value_and_grad(nested, wrt=1)(*args)
    assert v == pytest.approx(nested(*args), rel=1e-14)
    assert_close(g, fd_grad(nested, args, wrt=1), rtol=1e-6, atol_scale=1e-8)
    x, w, _ = args

    def vec(x):
        return _layer(x, w) * 2.0 + _layer(_layer(x, w), w)

    out, pull = ast_ad.vjp(vec, x)
    assert_close(out, vec(x), rtol=1e-14, atol_scale=1e-16)
    for ct in (np.array([1.0, 0.0, 0.0]), np.array([0.3, -1.0, 2.0])):  # pulled twice
        ref = fd_grad(lambda x: float(np.dot(vec(x), ct)), (x,))
        assert_close(pull(ct), ref, rtol=1e-6, atol_scale=1e-8)


def test_jvp_runs_the_helper_plainly():
    x, w, b = _data()
    v, t = ast_ad.jvp(lambda x: nested(x, w, b), (x,), (np.ones(3),))
    assert v == pytest.approx(nested(x, w, b), rel=1e-14)
    assert t == pytest.approx(float(np.dot(fd_grad(nested, (x, w, b), wrt=0), np.ones(3))),
                              rel=1e-6)


def test_second_order_through_it_is_refused():
    x, w, _ = _data()
    with pytest.raises(UnsupportedConstructError, match="second derivative") as e:
        ast_ad.hessian(lambda x: np.sum(_layer(x, w) ** 2))(x)
    assert "__wrapped__" in str(e.value)

    def f(y):
        return _steps_scalar(y) * _steps_scalar(2.0 * y)

    with pytest.raises(UnsupportedConstructError, match="second derivative"):
        ast_ad.grad(ast_ad.grad(f))(0.3)  # reverse over reverse
    plain = ast_ad.grad(ast_ad.grad(lambda y: _steps_scalar.__wrapped__(y) *
                                    _steps_scalar.__wrapped__(2.0 * y)))(0.3)
    ref = fd_grad(ast_ad.grad(lambda y: _steps_scalar.__wrapped__(y) *
                              _steps_scalar.__wrapped__(2.0 * y)), (0.3,))
    assert plain == pytest.approx(ref, rel=1e-6)  # the way out the message names


@ast_ad.checkpoint
def _steps_scalar(y):
    return y * math.sin(y)


def overwrites_after_the_call(x):  # the caller writes into an argument it passed
    x = x.copy()
    s = 0.0
    for k in range(3):
        s = s + _sum_sin(x)
        x[0] = x[0] * 2 + s
    return s


@ast_ad.checkpoint
def _sum_sin(x):
    out = np.zeros(len(x))
    for i in range(len(x)):
        out[i] = math.sin(x[i]) * x[i]  # entries of a new array: fine
    acc = 0.0
    for v in out:
        acc += v
    return acc


def test_arguments_overwritten_by_the_caller_and_local_writes():
    x = np.array([0.3, 0.5, -0.2])
    assert_close(ast_ad.grad(overwrites_after_the_call)(x),
                 fd_grad(overwrites_after_the_call, (x,)), rtol=1e-6, atol_scale=1e-8)


class _Model:
    def __init__(self):
        self.w = 2.0

    @ast_ad.checkpoint
    def step(self, y):
        for t in range(10):
            y = y * 0.9 + self.w * 0.01 * math.cos(y)
        return y


_MODEL = _Model()


def method_calls(y):
    return _MODEL.step(_MODEL.step(y) * 1.5)


def test_a_checkpointed_method():
    assert_close(ast_ad.grad(method_calls)(0.4), fd_grad(method_calls, (0.4,)), rtol=1e-6,
                 atol_scale=1e-8)


def test_caller_keeps_the_arguments_not_the_tape():
    """Structure: the caller's forward sweep calls the CheckpointedSplit, whose record is
    the arguments themselves; the caller's code pushes that record, nothing of the
    helper's loop."""
    g = ast_ad.grad(few_long_calls, wrt=(0, 1))
    src = ast_ad.source(g, 0.7, 0.97)
    caller = src.split("# user functions it calls")[0]
    assert "steps_vjp.fwd(y, c, 60)" in caller and "math.sin" not in caller
    assert "is checkpointed (ast_ad.checkpoint)" in src
    gen = g.generated((0.7, 0.97))
    found = [c.cell_contents for f in gen.compiled for c in f.__closure__ or ()
             if isinstance(c.cell_contents, CheckpointedSplit)]
    assert found
    value, record = found[0].fwd(0.5, 0.9, 60)
    assert value == _steps(0.5, 0.9, 60) and record == ((0.5, 0.9, 60), {})
    src = ast_ad.export(g, 0.7, 0.97)  # exported without the checkpoint: same values
    assert "without ast_ad.checkpoint" in src
    ns = {}
    exec(compile(src, "<exported>", "exec"), ns)
    assert_close(ns["few_long_calls_grad"](0.7, 0.97), g(0.7, 0.97), rtol=1e-13,
                 atol_scale=1e-15)


def test_peak_memory_holds_one_callee_tape():
    import tracemalloc

    @ast_ad.checkpoint
    def seg(y, c):
        for t in range(2000):
            y = c * y + 0.01 * math.sin(y)
        return y

    def plain_seg(y, c):
        for t in range(2000):
            y = c * y + 0.01 * math.sin(y)
        return y

    def ck(y, c):
        for k in range(20):
            y = seg(y, c)
        return y

    def pl(y, c):
        for k in range(20):
            y = plain_seg(y, c)
        return y

    gs = [ast_ad.grad(pl, wrt=1), ast_ad.grad(ck, wrt=1)]
    peaks = []
    for g in gs:
        g(0.5, 0.9)
        tracemalloc.start()
        got = g(0.5, 0.9)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert got == pytest.approx(gs[0](0.5, 0.9), rel=1e-12)
    assert peaks[1] * 5 < peaks[0]


# -- refusals: the helper runs twice, once as written --------------------------------------
_log = logging.getLogger("ck")
_G = np.zeros(2)


@ast_ad.checkpoint
def _prints(y):
    print(y)
    return y * 2.0


@ast_ad.checkpoint
def _logs(y):
    _log.info("y")
    return y * 2.0


@ast_ad.checkpoint
def _random(y):
    return y * random.random()


@ast_ad.checkpoint
def _writes_arg(x):
    x[0] = 0.0
    return np.sum(x)


@ast_ad.checkpoint
def _writes_view_of_arg(x):
    v = x[1:]
    v[0] = 0.0
    return np.sum(x)


@ast_ad.checkpoint
def _augments_arg(x):
    x += 1.0
    return np.sum(x)


@ast_ad.checkpoint
def _sorts_arg(x):
    x.sort()
    return np.sum(x)


@ast_ad.checkpoint
def _global_write(x):
    global _G
    _G = x
    return np.sum(x)


@ast_ad.checkpoint
def _writes_global_entries(x):
    _G[0] = 1.0
    return np.sum(x)


@ast_ad.checkpoint
def _attribute(x):
    _MODEL.w = 3.0
    return np.sum(x)


@ast_ad.checkpoint
def _unknown(x):
    return np.sum(x) * _opaque()


_opaque = type("Opaque", (), {"__call__": lambda self: 1.0})()


def _noisy_helper(x):
    print(x)
    return x


@ast_ad.checkpoint
def _calls_noisy(x):
    return np.sum(_noisy_helper(x))


def _filling_helper(x):
    x[0] = 1.0
    return x


@ast_ad.checkpoint
def _calls_filling(x):
    return np.sum(_filling_helper(x))


@pytest.mark.parametrize("helper,words", [
    (_prints, "print"), (_logs, "info"), (_random, "random"),
    (_writes_arg, "entry of `x`"), (_writes_view_of_arg, "entry of `v`"),
    (_augments_arg, "`x op= ...`"), (_sorts_arg, "sort"), (_global_write, "global"),
    (_writes_global_entries, "other than a local array"), (_attribute, "attribute"),
    (_unknown, "_opaque"), (_calls_noisy, "_noisy_helper"),
    (_calls_filling, "_filling_helper"),
])
def test_refused_at_the_helpers_line(helper, words):
    def f(x):
        return helper(x * 1.0) * 2.0

    with pytest.raises(AstAdError) as e:
        ast_ad.grad(f)(np.array([1.0, 2.0]))
    msg = str(e.value)
    assert words in msg and "ast_ad.checkpoint" in msg
    assert "test_checkpoint_callees.py" in msg


def test_refusal_names_the_statement_and_the_call():
    def f(x):
        return _writes_arg(x)

    with pytest.raises(AstAdError) as e:
        ast_ad.grad(f)(np.array([1.0, 2.0]))
    line = _writes_arg.__code__.co_firstlineno + 2  # (the decorator, the def, then it)
    assert f"test_checkpoint_callees.py:{line}" in str(e.value).replace(", line ", ":")


def test_a_dropped_helper_is_collected():
    import gc
    import weakref

    def make():
        @ast_ad.checkpoint
        def h(y):
            return y * math.sin(y)

        def f(y):
            return h(y) * 2.0

        assert ast_ad.grad(f)(0.3) == pytest.approx(fd_grad(f, (0.3,)), rel=1e-6)
        return weakref.ref(h)

    ref = make()
    gc.collect()
    assert ref() is None


def test_a_decorated_nested_helper_is_refused():
    def f(y):
        @ast_ad.checkpoint
        def seg(y):
            return y * math.sin(y)

        return seg(y)

    with pytest.raises(UnsupportedConstructError, match="decorated nested function"):
        ast_ad.grad(f)(0.3)
