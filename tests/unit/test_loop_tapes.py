"""Per-loop tapes (passes/reverse/loop_tapes.py) and their inverse (frontend/plain_tapes.py):
gradients against finite differences for scalar recurrences, loops nested in loops, split
callees whose adjoint runs twice, loops that may break, grad of grad and numba (both on
the plain stack again)."""

import ast
import math

import numpy as np
import pytest

import ast_ad
from ast_ad.frontend.plain_tapes import plain_tapes
from tests.fd import assert_close, fd_grad


def recurrence(y, c):
    for i in range(50):
        y = c * y + 0.1 * math.sin(y)
    return y


def indexed(x, c):
    s = 0.0
    for i in range(x.shape[0]):
        s = math.sin(s * c + x[i]) * (i + 1.0)
    return s


def nested(x, c):
    s = 0.0
    for j in range(3):
        t = s
        for i in range(4):
            t = t * c + math.cos(t + x[j])
        s = s + t * t
    return s


def in_branch(y, c):
    if c > 0.5:
        for i in range(30):
            y = c * y + 0.1 * math.sin(y)
    else:
        y = y * c
    return y


def two_pushes(a, b):
    for i in range(6):
        u = a * b
        a = math.sin(u) + b
        b = u * 0.5 + math.cos(a)
    return a * b


def breaks(y, c):
    for i in range(40):
        y = c * y + 0.1 * math.sin(y)
        if y > 2.0:
            break
    return y


def _step(y, c):
    for i in range(5):
        y = y * c + math.tanh(y)
    return y


def calls_helper(y, c):
    return _step(y, c) * _step(c, y)


def _check(fn, args, wrt):
    g = ast_ad.grad(fn, wrt=wrt)
    got = g(*args)
    got = got if isinstance(wrt, tuple) else (got,)
    for k, w in enumerate(wrt if isinstance(wrt, tuple) else (wrt,)):
        assert_close(got[k], fd_grad(fn, args, w), 1e-6, 1e-7)
    return ast_ad.source(g, *args)


def _adjoint(src):
    return src.split("_pop = _stack.pop")[1]


def test_recurrence_reads_its_tape_backwards():
    src = _check(recurrence, (0.3, 0.9), (0, 1))
    adj = _adjoint(src)
    assert "for y in reversed(_tape):" in adj  # (the opening `y = _tapv` in the loop)
    assert adj.count("_pop()") == 1  # the tape itself, once, not one pop per step
    assert "_tapa(y)" in src and "_push(y)" not in src


def test_index_read_by_the_adjoint_iterates_with_the_range():
    x = np.array([0.3, -0.2, 0.5, 0.1])
    src = _check(indexed, (x, 0.7), (0, 1))
    assert "in zip(_r1[::-1], reversed(_tape" in src


def test_loop_inside_a_loop_keeps_the_stack():
    # a tape per run of a short inner loop would cost more than the pops it saves
    x = np.array([0.3, -0.2, 0.5])
    src = _check(nested, (x, 0.7), (0, 1))
    assert "loop_tape(" not in src


def test_loop_inside_a_branch():
    for c in (0.9, 0.2):
        src = _check(in_branch, (0.3, c), (0, 1))
    assert "loop_tape(" in src


def test_several_pushes_per_step():
    src = _check(two_pushes, (0.4, 0.8), (0, 1))
    assert "zip(reversed(_tape), reversed(_tape_1)" in src


def test_a_loop_that_may_break_keeps_the_stack():
    for y in (0.3, 1.9):
        src = _check(breaks, (y, 1.05), (0, 1))
        assert "loop_tape(" not in src


def test_split_callee_and_vjp_run_twice():
    src = _check(calls_helper, (0.4, 0.8), (0, 1))
    assert "loop_tape(" in src  # in the callee's split halves
    out, vjp_fn = ast_ad.vjp(recurrence, 0.3, 0.9)
    first, again = vjp_fn(1.0), vjp_fn(1.0)  # (the stack copied: the tapes read twice)
    assert out == pytest.approx(recurrence(0.3, 0.9))
    assert first == again
    assert np.ravel(first)[0] == pytest.approx(fd_grad(recurrence, (0.3, 0.9), 0), rel=1e-6)


def test_second_derivative_goes_through_the_plain_stack():
    d2 = ast_ad.grad(ast_ad.grad(recurrence))(0.3, 0.9)
    h = 1e-5
    g = ast_ad.grad(recurrence)
    assert d2 == pytest.approx((g(0.3 + h, 0.9) - g(0.3 - h, 0.9)) / (2 * h), rel=1e-5)


def test_numba_backend_compiles_the_plain_stack():
    pytest.importorskip("numba")
    g = ast_ad.grad(recurrence, wrt=(0, 1), backend="numba")
    got = g(0.3, 0.9)
    for k in (0, 1):
        assert got[k] == pytest.approx(fd_grad(recurrence, (0.3, 0.9), k), rel=1e-6)


def test_plain_tapes_is_the_inverse_on_generated_text():
    src = ast_ad.source(ast_ad.grad(two_pushes, wrt=(0, 1)), 0.4, 0.8)
    tree = ast.parse(src.split("\n\n# user functions")[0])
    plain_tapes(tree.body[0], ast)
    text = ast.unparse(tree)
    assert "_tape" not in text and "_tapv" not in text and "loop_tape" not in text
    assert text.count("_pop()") >= 2 and "[::-1]" in text


def only_restore(x, y):  # (found by tests/differential)
    if x > 0.0:
        pass
    else:
        k = 0
        while k < 1 and x > 0.0:
            k += 1
            x += math.tanh(math.sin(y))
    for i in range(2):
        y = math.tanh(x)
    return x


def test_a_body_that_is_only_its_restore_keeps_it():
    """The reversed step of a loop whose adjoint is only the restore keeps ``y = _tapv``
    (a loop needs a body), and the values stay right."""
    _check(only_restore, (0.3, 0.9), (0, 1))


def test_loop_bound_restores_go_back_to_pops_in_order():
    """``for _tapv, _tapv_1, b in zip(...)``: ``b`` (popped first, from the last list)
    comes back as the body's first ``b = _pop()``; grad of grad runs that text."""
    src = ast_ad.source(ast_ad.grad(two_pushes, wrt=(0, 1)), 0.4, 0.8)
    assert ", b in zip(reversed(_tape)" in src
    tree = ast.parse(src.split("\n\n# user functions")[0])
    plain_tapes(tree.body[0], ast)
    loop = [st for st in tree.body[0].body if isinstance(st, ast.For)][-1]
    assert ast.unparse(loop.body[0]) == "b = _pop()"
    h = 1e-5
    g = ast_ad.grad(two_pushes, wrt=1)
    assert ", b in zip(reversed(_tape)" in ast_ad.source(g, 0.4, 0.8)
    d2 = ast_ad.grad(g, wrt=(0, 1))(0.4, 0.8)
    for k in (0, 1):
        up, dn = [0.4, 0.8], [0.4, 0.8]
        up[k] += h
        dn[k] -= h
        assert d2[k] == pytest.approx((g(*up) - g(*dn)) / (2 * h), rel=1e-5, abs=1e-8)


def int_then_float(y, c):
    z = 1
    for i in range(20):
        z = z * c + y
    return z


def recurrence_n(y, c, n):
    for i in range(n):
        y = c * y + 0.1 * math.sin(y)
    return y


def test_float_arguments_make_a_typed_tape():
    src = _check(recurrence_n, (0.3, 0.9, 30), (0, 1))
    assert "_tape = float_tape(_r1)" in src  # (a list below TYPED_TAPE_TRIPS trips)
    # a constant range of fewer trips never needs one
    src = _check(recurrence, (0.3, 0.9), (0, 1))
    assert "float_tape" not in src
    # np.float64 arguments (array('d') would hand back Python floats) and a name that
    # starts as an int keep a list
    src = _check(recurrence, (np.float64(0.3), np.float64(0.9)), (0, 1))
    assert "float_tape" not in src and "_tape = []" in src
    src = _check(int_then_float, (0.3, 0.9), (0, 1))
    assert "float_tape" not in src


def test_typed_tape_holds_eight_bytes_a_step(monkeypatch):
    import tracemalloc

    from ast_ad.runtime import fastpaths

    # (a list below TYPED_TAPE_TRIPS trips: 32 bytes a step, the faster)
    monkeypatch.setattr(fastpaths, "TYPED_TAPE_TRIPS", 10000)

    def long(y, c):
        for i in range(20000):
            y = c * y + 0.001 * math.sin(y)
        return y

    g = ast_ad.grad(long, wrt=(0, 1))
    g(0.3, 0.9999)
    tracemalloc.start()
    g(0.3, 0.9999)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak / 20000 < 12  # C doubles (a list of floats: 32 bytes a step)
    monkeypatch.setattr(fastpaths, "TYPED_TAPE_TRIPS", 10 ** 6)
    tracemalloc.start()
    again = g(0.3, 0.9999)
    assert tracemalloc.get_traced_memory()[1] / 20000 > 24
    tracemalloc.stop()
    assert again[1] == pytest.approx(fd_grad(long, (0.3, 0.9999), 1), rel=1e-5)
