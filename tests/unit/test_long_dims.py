"""Arrays without a dimension of length 1 ("long", analysis/long_dims.py): the gradient
is specialised on it, and ``unbroadcast`` vanishes where an elementwise result surely has
a long operand's shape.  One gradient object called with long and with (1,)-shaped
arguments gets two specialisations, each right against central differences."""

import re

import numpy as np
import pytest

import ast_ad
from benchmarks import adbench_gmm as A
from benchmarks import workloads as W
from tests.fd import assert_close, fd_directional, fd_grad


def sq_diff(x, y):
    return np.sum((x - y) ** 2 * x)


def scaled(x, y):
    return np.sum(np.sin(x * y) + y / x)


def carried(y0, d):
    y = y0
    for t in range(3):
        y = y * 0.5 + d  # y0 (3,): y stays (3,); y0 (1,), d (3,): y grows to (3,)
    return np.sum(y * y)


def grows(y0, m):
    y = y0
    for t in range(2):
        y = y + m  # y0 (3,), m (2, 3): y becomes (2, 3): y is of no one ndim
    return np.sum(y * y)


def tail_times(a, b):
    s = a[1:]  # a (2,): s is (1,), broadcast against b (3,)
    return np.sum(s * b)


def entry_times(a, b):
    parts = [a[:1], a[1:]]
    p = parts[0]  # a list entry: (1,) here
    return np.sum(p * b)


def rows_minus(x, m):
    out = 0.0
    for i in range(x.shape[0]):
        r = x[i] - m[0]  # rows of x minus the first row of m (m (1, 2) or (3, 2))
        out = out + np.sum(r * r)
    return out


def lead_cols(icf, x):
    d = x.shape[1]  # 0 or >= 2 for a long x: icf[:, :d] keeps a length of 0 or >= 2
    q = np.exp(icf[:, :d])
    out = 0.0
    for i in range(x.shape[0]):
        for k in range(icf.shape[0]):
            r = q[k] * x[i]
            out = out + np.sum(r * r)
    return out


def head_times(a, b, n):
    return np.sum(a[:n] * b) + np.sum(a[:2] * b[:2])  # n (a parameter) may be 1


def filler(a, b, c):
    y = c
    for i in range(2):
        t0 = b * 0.5
        t1 = np.multiply(t0, y)
        t2 = a * 0.5
        t3 = np.multiply(t2, t0)  # read after the loop only: bt3 is 0.0 in iteration 1
        y = y * 0.3 + t1 * 0.2
    return np.sum(y * y) + np.sum(t3)


def filler_sum(a, b, c):
    y = c
    for i in range(2):
        t0 = b * 0.5
        t1 = np.multiply(t0, y)
        t2 = a * 0.5
        t3 = t0 - t2  # t0's contribution is bt3 itself (the 0.0 filler in iteration 1)
        y = y * 0.3 + t1 * 0.2
    return np.sum(y * y) + np.sum(t3 * t3)


def reset_then_slice(a, b, c):
    y = c
    for i in range(2):
        t3 = a * 1.5
        t4 = t3[0:1] * 2.0  # bt3[0:1] += ...: bt3 must be an array
        t5 = t3 * 2.0  # bt3 = bt5 * 2.0, bt5 reset to 0.0 after each reversed trip
        y = y * 0.3 + t4 * 0.2
    return np.sum(y * y) + np.sum(t5)


def reset_then_slice_long(a, b, c):
    y = c
    for i in range(2):
        t3 = a * b
        t4 = t3[0:1] * 2.0
        t5 = b - t3  # bt3 = -bt5 (t3 long, b of ndim <= 1)
        y = y * 0.3 + t4 * 0.2
    return np.sum(y * y) + np.sum(t5)


def _check(f, args, wrt):
    g = ast_ad.grad(f, wrt=wrt)
    got = g(*args)
    for k, w in enumerate(wrt):
        assert np.shape(got[k]) == np.shape(args[w])
        assert_close(got[k], fd_grad(f, args, w), 1e-6, 1e-6, f"{f.__name__} arg {w}")
    return g


def _loop(src):  # (the adjoint sweep: unbroadcast is never in the forward one anyway)
    return src.split("_pop = _stack.pop")[-1]


def test_long_then_length_one_gets_the_generic_code():
    g = ast_ad.grad(sq_diff, wrt=(0, 1))
    x, y3, y1 = np.array([0.3, -1.2, 0.8]), np.array([0.5, 0.1, -0.4]), np.array([0.7])
    long_src = ast_ad.source(g, x, y3)
    assert "unbroadcast(" not in long_src
    for y in (y3, y1, y3, y1):  # the dispatcher switches back and forth
        gx, gy = g(x, y)
        assert gy.shape == y.shape
        assert_close(gx, fd_grad(sq_diff, (x, y), 0), 1e-6, 1e-6)
        assert_close(gy, fd_grad(sq_diff, (x, y), 1), 1e-6, 1e-6)
    assert g.compiled_for((x, y3)) is not g.compiled_for((x, y1))
    assert "unbroadcast(" in ast_ad.source(g, x, y1)  # y's cotangent is summed down
    # the header of the code that ran last says which arguments it was made long for
    assert "x: ndarray[float64, no dim of length 1], y: ndarray[float64] " in \
        ast_ad.source(g).splitlines()[1]


@pytest.mark.parametrize("sx,sy", [((3,), (1,)), ((1,), (3,)), ((1,), (1,)), ((3,), (3,)),
                                   ((2, 3), (1, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)),
                                   ((), (3,)), ((3,), ())])
def test_broadcasting_of_long_and_length_one(sx, sy):
    rng = np.random.default_rng(len(sx) * 7 + len(sy))
    x = rng.uniform(0.5, 1.5, sx) if sx else float(rng.uniform(0.5, 1.5))
    y = rng.uniform(0.5, 1.5, sy) if sy else float(rng.uniform(0.5, 1.5))
    for f in (sq_diff, scaled):
        _check(f, (np.asarray(x) if sx else x, np.asarray(y) if sy else y), (0, 1))


@pytest.mark.parametrize("n0,nd", [(3, 3), (3, 1), (1, 3)])
def test_loop_carried_long(n0, nd):
    y0, d = np.linspace(0.2, 0.9, n0), np.linspace(-0.4, 0.3, nd)
    g = _check(carried, (y0, d), (0, 1))
    if n0 == 3:  # y is long: its own cotangent is never summed down in the loop
        src = _loop(ast_ad.source(g, y0, d))
        # (d of shape (1,): d's own, summed down; y * 0.5's is the cotangent itself)
        assert src.count("unbroadcast(") == (0 if nd == 3 else 1)


def test_a_name_of_two_ndims_is_not_long():
    y0, m = np.array([0.2, -0.5, 0.9]), np.array([[0.1, 0.4, -0.3], [0.8, -0.6, 0.2]])
    g = _check(grows, (y0, m), (0, 1))
    assert "unbroadcast(" in _loop(ast_ad.source(g, y0, m))


def test_a_slice_of_a_long_array_is_not_long():
    a, b = np.array([0.6, -1.3]), np.array([0.5, 2.0, -0.7])
    g = _check(tail_times, (a, b), (0, 1))
    assert "unbroadcast(" in ast_ad.source(g, a, b)


def test_a_list_entry_is_not_long():
    a, b = np.array([0.6, -1.3]), np.array([0.5, 2.0, -0.7])
    _check(entry_times, (a, b), (0, 1))


@pytest.mark.parametrize("mshape", [(1, 2), (3, 2)])
def test_rows_of_long_arrays(mshape):
    rng = np.random.default_rng(3)
    x, m = rng.standard_normal((3, 2)), rng.standard_normal(mshape)
    g = _check(rows_minus, (x, m), (0, 1))
    loop = _loop(ast_ad.source(g, x, m))
    assert ("unbroadcast(" in loop) == (mshape == (1, 2))


@pytest.mark.parametrize("sa", [(1, 3), (2, 3)])
def test_a_zero_cotangent_times_a_length_one_operand(sa):
    # t0 is long, t2 (1, 3) is not: t0's contribution bt3 * t2 keeps its unbroadcast (the
    # 0.0 filler times t2 has t2's shape, not t0's)
    rng = np.random.default_rng(11)
    a, b, c = rng.uniform(0.3, 1.2, sa), rng.uniform(0.3, 1.2, (2, 3)), rng.uniform(
        0.3, 1.2, 3)
    _check(filler, (a, b, c), (0, 1, 2))


@pytest.mark.parametrize("xs,cs", [((3, 2), (2, 4)), ((3, 1), (2, 4)), ((3, 2), (1, 4)),
                                   ((3, 3), (2, 4))])
def test_leading_slices_by_a_length_of_a_long_array(xs, cs):
    rng = np.random.default_rng(5)
    icf, x = rng.uniform(-0.5, 0.5, cs), rng.uniform(-1.0, 1.0, xs)
    g = ast_ad.grad(lead_cols, wrt=(0, 1))
    gi, gx = g(icf, x)
    assert_close(gi, fd_grad(lead_cols, (icf, x), 0), 1e-6, 1e-6)
    assert_close(gx, fd_grad(lead_cols, (icf, x), 1), 1e-6, 1e-6)
    loop = _loop(ast_ad.source(g, icf, x))
    assert ("unbroadcast(" in loop) == (1 in xs + cs)


@pytest.mark.parametrize("n", [1, 3])
def test_a_slice_to_a_parameter_is_not_long(n):
    a, b = np.array([0.6, -1.3, 0.4]), np.array([0.5, 2.0, -0.7])
    g = ast_ad.grad(head_times, wrt=(0, 1))
    ga, gb = g(a, b, n)
    assert_close(ga, fd_grad(head_times, (a, b, n), 0), 1e-6, 1e-6)
    assert_close(gb, fd_grad(head_times, (a, b, n), 1), 1e-6, 1e-6)


def weighted(s, a, b):
    return np.sum(s * (a - b) ** 2)


def test_second_order_over_long_and_length_one_code():
    # d/ds of df/db is -2 (a - b), summed down to b's shape: the forward-over-reverse code
    # of each inner specialisation is its own (api._higher_order's key)
    g2 = ast_ad.grad(ast_ad.grad(weighted, wrt=2), wrt=0)
    a = np.array([0.3, -1.2, 0.8])
    for b in (np.array([0.5, 0.1, -0.4]), np.array([0.7]), np.array([0.5, 0.1, -0.4])):
        got = g2(1.5, a, b)
        assert got.shape == b.shape
        ref = -2.0 * (a - b) if b.shape == a.shape else np.array([-2.0 * np.sum(a - b)])
        np.testing.assert_allclose(got, ref, rtol=1e-12)


def test_hessian_of_long_and_length_one():
    def f(x, b):
        return np.sum(np.sin(x * b) * x)

    h = ast_ad.hessian(f)
    x = np.array([0.3, -1.2, 0.8])
    for b in (np.array([0.5, 0.1, -0.4]), np.array([0.7]), np.array([0.5, 0.1, -0.4])):
        # closed form: d2/dx2 of sin(x b) x = 2 b cos(x b) - b^2 x sin(x b), diagonal
        bb = np.broadcast_to(b, x.shape)
        ref = np.diag(2 * bb * np.cos(x * bb) - bb * bb * x * np.sin(x * bb))
        np.testing.assert_allclose(h(x, b), ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("sa", [(1, 3), (3,), (2, 3)])
def test_a_sum_with_a_smaller_operand(sa):
    rng = np.random.default_rng(13)
    a, b, c = rng.uniform(0.3, 1.2, sa), rng.uniform(0.3, 1.2, (2, 3)), rng.uniform(
        0.3, 1.2, 3)
    g = _check(filler_sum, (a, b, c), (0, 1, 2))
    src = _loop(ast_ad.source(g, a, b, c))
    assert "bt0 = bt3\n" in src  # t0 long, t2 of ndim <= 2: the cotangent as it is
    assert ("unbroadcast(-bt3, " in src) == (sa != (2, 3))  # (t2 or a: one class)


@pytest.mark.parametrize("f", [reset_then_slice, reset_then_slice_long])
@pytest.mark.parametrize("sb", [(1,), (3,)])
def test_a_loop_adjoint_reset_to_zero_meets_an_element_update(f, sb):
    # the reversed loop resets bt5 to 0.0 after each trip: on the next, bt3 made of it may
    # be the filler, so bt3[0:1] += ... needs the generic accumulation (control.loop_body)
    rng = np.random.default_rng(17)
    args = (rng.uniform(0.3, 1.2, 3), rng.uniform(0.3, 1.2, sb), rng.uniform(0.3, 1.2, (2, 2)))
    _check(f, args, (0, 1, 2))


def test_empty_arrays():
    x, y = np.zeros(0), np.array([0.5])
    gx, gy = ast_ad.grad(sq_diff, wrt=(0, 1))(x, y)
    assert gx.shape == (0,) and gy.shape == (1,) and gy[0] == 0.0


@pytest.mark.parametrize("sy", [(3,), (1,)])
def test_forward_mode(sy):
    x, y = np.array([0.3, -1.2, 0.8]), np.linspace(0.4, 0.6, sy[0])
    v, w = np.array([1.0, -0.5, 0.25]), np.linspace(0.3, -0.2, sy[0])
    for f in (sq_diff, scaled):
        _, t = ast_ad.jvp(f, (x, y), (v, w))
        assert_close(t, fd_directional(f, (x, y), (0, 1), (v, w)), 1e-6, 1e-6, f.__name__)


def test_w10_inner_loop_structure():
    g = ast_ad.grad(A.w10, wrt=(0, 1, 2))
    args = A.inputs()
    src = ast_ad.source(g, *args)
    fwd = src.split("_pop = _stack.pop")[0]
    row = [ln.split("=")[0].strip() for ln in fwd.splitlines() if "= means[ik]" in ln]
    assert len(row) == 1
    assert f"shape_token({row[0]})" not in src  # means[ik]: kept for its shape no more
    assert f"unbroadcast(-bxc, {row[0]})" not in src and "bmeans[ik] -= bxc" in src
    assert not re.search(r"unbroadcast\([^\n]*, lx\)", src)  # lx * lx has lx's shape


def test_w9_loop_structure():
    wl = W.WORKLOADS["W9"]
    g = ast_ad.grad(wl.fn, wrt=wl.wrt_arg)
    args = wl.inputs()
    assert all(1 not in np.shape(a) for a in args)
    loop = _loop(ast_ad.source(g, *args)).split("# for t in range(200)")[1].split("return")[0]
    assert "unbroadcast(" not in loop


def _diag_factor(d, row):  # a helper: (d, d) for d never 1, the caller's length
    L = np.zeros((d, d))
    for j in range(d):
        L[j, j] = row[j]
    return L


def _block(r, row):  # (r, len(row)): long only when r is surely never 1
    return np.zeros((r, row.shape[0])) + row


def factors(icf, x):
    d = x.shape[1]
    Ls = []
    for k in range(icf.shape[0]):
        Ls.append(_diag_factor(d, icf[k]))
    out = 0.0
    for i in range(x.shape[0]):
        for k in range(icf.shape[0]):
            v = x[i] * 2.0 + Ls[k] @ x[i]
            out = out + np.sum(v * v)
    return out


def blocks(icf, x):
    r = 1  # an int, not a length of a long array: (1, d) @ x[i] is (1,), broadcast
    Bs = []
    for k in range(icf.shape[0]):
        Bs.append(_block(r, icf[k]))
    out = 0.0
    for i in range(x.shape[0]):
        for k in range(icf.shape[0]):
            v = x[i] * 2.0 + Bs[k] @ x[i]
            out = out + np.sum(v * v)
    return out


def _inner(src):  # the reversed inner loop over k (of the caller, not the helper)
    adjoint = src.split("_pop = _stack.pop")[1]
    return adjoint.split("# for k in range(icf.shape[0]):  [line")[1].split("# for k in")[0]


@pytest.mark.parametrize("xs", [(4, 3), (4, 1)])
def test_long_through_a_helper_a_list_and_a_matmul(xs):
    # _diag_factor(d, ...) with d = x.shape[1] (never 1 for a long x) is long 2-d, so are
    # the list's entries, and Ls[k] @ x[i] is long 1-d: its cotangent needs no unbroadcast
    rng = np.random.default_rng(5)
    icf, x = rng.standard_normal((2, xs[1])), rng.standard_normal(xs)
    g = _check(factors, (icf, x), (0, 1))
    src = ast_ad.source(g, icf, x)
    loop = _inner(src)
    assert ("unbroadcast(" in loop) == (xs[1] == 1)
    assert ("shape_token(" in src) == (xs[1] == 1)


def test_a_helper_result_of_a_plain_int_is_not_long():
    rng = np.random.default_rng(6)
    icf, x = rng.standard_normal((2, 3)), rng.standard_normal((4, 3))
    g = _check(blocks, (icf, x), (0, 1))
    assert "unbroadcast(" in _inner(ast_ad.source(g, icf, x))
