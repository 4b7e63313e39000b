"""Element loops (issue 13): the gradient is specialised on the ndim and dtype of NumPy
array arguments, element reads of a 1-d float64 array are plain floats, and their
adjoints accumulate in place into one buffer. Structure is checked on the generated
code; values against central finite differences. No timing here."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ast_ad
from tests.fd import assert_close as _assert_close
from tests.fd import fd_grad


def assert_close(got, ref):
    if isinstance(ref, tuple):
        assert isinstance(got, tuple) and len(got) == len(ref)
        for a, b in zip(got, ref):
            _assert_close(a, b, 1e-6, 1e-7)
    else:
        _assert_close(got, ref, 1e-6, 1e-7)


def sumsq(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[i] * x[i]
    return s


def _loop_body_of_adjoint(src):
    """The lines of the generated code after the forward sweep (the adjoint sweep)."""
    return src.split("_pop = _stack.pop", 1)[1]


def test_scalar_element_loop_has_no_helpers_in_its_body():
    x = np.random.default_rng(0).standard_normal(7)
    g = ast_ad.grad(sumsq)
    assert_close(g(x), fd_grad(sumsq, (x,)))
    src = ast_ad.source(g, x)
    for helper in ("unbroadcast", "shape_token", "accum_index"):
        assert helper not in src, helper
    adj = _loop_body_of_adjoint(src)
    assert adj.count("zeros_like") == 1  # the one buffer, before the loop
    assert "bx[i] += " in adj


def test_new_shape_of_the_same_ndim_reuses_the_specialisation():
    g = ast_ad.grad(sumsq)
    a, b = np.ones(5), np.arange(9.0)
    assert_close(g(a), 2 * a)
    assert_close(g(b), 2 * b)
    assert g.compiled_for((a,)) is g.compiled_for((b,))


def sumsq_rows(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + np.sum(x[i] * x[i])
    return s


def test_other_ndim_and_dtype_get_their_own_code():
    g = ast_ad.grad(sumsq_rows)
    x1 = np.random.default_rng(1).standard_normal(4)
    x2 = np.random.default_rng(2).standard_normal((3, 2))  # x[i] is a row here
    x3 = x1.astype(np.float32)
    assert_close(g(x1), fd_grad(sumsq_rows, (x1,)))
    assert_close(g(x2), fd_grad(sumsq_rows, (x2,)))
    r3 = g(x3)
    assert r3.dtype == np.float32
    np.testing.assert_allclose(r3, 2 * x3, rtol=1e-6)
    assert_close(g(x1), fd_grad(sumsq_rows, (x1,)))  # back to the first: still right
    assert g.compiled_for((x1,)) is not g.compiled_for((x2,))
    # rows are arrays: x[i] * x[i] has the shape of x[i] (one shape class,
    # analysis/shapes.py `Shape.sliced`), whatever the lengths, a length-1 axis too
    assert "unbroadcast" not in ast_ad.source(g, x2)
    x4 = x2[:, :1].copy()
    assert "unbroadcast" not in ast_ad.source(g, x4)
    assert_close(g(x4), fd_grad(sumsq_rows, (x4,)))
    assert g.compiled_for((x4,)) is not g.compiled_for((x2,))


def test_duplicate_array_indices_stay_correct():
    def f(x, idx):
        s = 0.0
        for k in range(3):
            v = x[idx]  # an integer array with repeats: not a basic index
            s = s + np.sum(v * v) * (k + 1)
        return s

    x = np.random.default_rng(3).standard_normal(4)
    idx = np.array([0, 2, 2, 3])
    g = ast_ad.grad(f)
    assert_close(g(x, idx), fd_grad(f, (x, idx)))
    assert "bx[idx] +=" not in ast_ad.source(g, x, idx)


def test_index_not_surely_an_int_keeps_the_generic_adjoint():
    def f(x, js):
        s = 0.0
        for j in js:  # a list: its entries might be anything
            s = s + x[j] * 3.0
        return s

    x = np.random.default_rng(4).standard_normal(5)
    js = [1, 1, 4]
    g = ast_ad.grad(f)
    assert_close(g(x, js), fd_grad(f, (x, js)))
    assert "bx[j] +=" not in ast_ad.source(g, x, js)


def test_slices_read_in_a_loop_accumulate_in_place():
    def f(x):
        s = 0.0
        for i in range(x.shape[0] - 2):
            w = x[i:i + 3]
            s = s + np.sum(np.sin(w)) * x[i]
        return s

    x = np.random.default_rng(5).standard_normal(8)
    g = ast_ad.grad(f)
    assert_close(g(x), fd_grad(f, (x,)))
    src = ast_ad.source(g, x)
    assert "accum_index" not in src
    assert src.count("zeros_like") == 1


def test_parameter_written_in_place_keeps_the_generic_adjoint():
    def f(x):
        for i in range(1, x.shape[0]):
            x[i] = x[i] * x[i - 1]
        return np.sum(x)

    x = np.random.default_rng(6).standard_normal(5)
    g = ast_ad.grad(f)
    assert_close(g(x.copy()), fd_grad(f, (x,)))


def test_2d_element_reads_are_scalars():
    def f(A):
        s = 0.0
        for i in range(A.shape[0]):
            for j in range(A.shape[1]):
                s = s + A[i, j] * A[j, i]
        return s

    A = np.random.default_rng(7).standard_normal((3, 3))
    g = ast_ad.grad(f)
    assert_close(g(A), fd_grad(f, (A,)))
    src = ast_ad.source(g, A)
    assert "unbroadcast" not in src and "shape_token" not in src


def test_scalar_recurrence_pushes_only_what_the_adjoint_reads():
    def rec(y, c):
        for i in range(50):
            y = c * y + 0.001 * math.sin(y)
        return y

    g = ast_ad.grad(rec, wrt=(0, 1))
    assert_close(g(0.5, 0.99), fd_grad(rec, (0.5, 0.99), wrt=(0, 1)))
    src = ast_ad.source(g, 0.5, 0.99)
    assert "shape_token" not in src
    assert src.count("_push(") == 1  # old y only


@pytest.mark.parametrize("n", [1, 6])
def test_element_loop_values_match_finite_differences(n):
    def f(x, w):
        s = 0.0
        for i in range(n):
            a = x[i % x.shape[0]]
            s = s + np.tanh(a * w) * a
        return s

    x = np.random.default_rng(8).standard_normal(4)
    g = ast_ad.grad(f, wrt=(0, 1))
    assert_close(g(x, 0.7), fd_grad(f, (x, 0.7), wrt=(0, 1)))


# -- local arrays: copies, *_like buffers and rebinding keep ndim and dtype ---------------

def heat(u, k):
    for t in range(4):
        new = u.copy()
        for i in range(1, u.shape[0] - 1):
            new[i] = u[i] + k * (u[i - 1] - 2.0 * u[i] + u[i + 1])
        u = new
    return np.sum(u * u)


def test_stencil_on_a_rebound_local_copy_updates_buffers_in_place():
    u = np.random.default_rng(1).standard_normal(9)
    g = ast_ad.grad(heat, wrt=(0, 1))
    assert_close(g(u, 0.3), fd_grad(heat, (u, 0.3), wrt=(0, 1)))
    src = ast_ad.source(g, u, 0.3)
    adj = _loop_body_of_adjoint(src)
    for helper in ("take_grad", "clear_grad", "accum_index", "unbroadcast(take",
                   "save_item", "restore_item"):
        assert helper not in adj, helper
    assert "shape_token" not in src
    assert "bnew[i] = 0.0" in adj and "bu[i] += " in adj
    assert "bu = zeros_grad(u)" in adj  # once per outer step, before the reversed loop
    # i - 1 and i + 1 are recomputed in the reversed loop, not pushed: one float per point
    assert " = i - 1" in adj and " = i + 1" in adj
    fwd = src.split("_pop = _stack.pop", 1)[0]
    inner = fwd.split("for i in", 1)[1].split("u = new", 1)[0]
    assert inner.count("_push(") == 2  # the float k multiplies, and u before `u = new`


def recompute_guard(x, n):
    s = 0.0
    j = 0
    for i in range(n):
        if x[i] > 0.0:
            j = i + 1  # bound twice: not recomputed
        s = s + x[j] * x[i]
        m = i * 2
        s = s + x[m // 2] * 0.5
    return s + x[j]


def test_index_arithmetic_read_after_its_loop_is_pushed():
    x = np.array([0.4, -0.3, 0.8, -0.1, 0.6, 0.2])
    g = ast_ad.grad(recompute_guard)
    assert_close(g(x, 5), fd_grad(recompute_guard, (x, 5)))


def zeros_like_writes(x):
    y = np.zeros_like(x)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            y[i, j] = x[i, j] * x[i, j] + 0.5 * x[i, x.shape[1] - 1 - j]
    z = y
    s = 0.0
    for i in range(x.shape[0]):
        s = s + z[i, 0] * z[i, 1]
    return s + np.sum(np.sin(z))


def test_2d_local_buffer_written_by_elements_and_read_back():
    x = np.random.default_rng(2).standard_normal((3, 4))
    g = ast_ad.grad(zeros_like_writes)
    assert_close(g(x), fd_grad(zeros_like_writes, (x,)))
    adj = _loop_body_of_adjoint(ast_ad.source(g, x))
    assert "clear_grad" not in adj and "accum_index" not in adj and "bz[i, j] = 0.0" in adj


def bound_in_the_loop(x, n):
    s = 0.0
    for t in range(n):
        v = x.copy()
        for i in range(x.shape[0]):
            s = s + v[i] * x[i]
    return s + x[0]


@pytest.mark.parametrize("n", [0, 1, 3])
def test_local_array_bound_inside_a_loop_that_may_not_run(n):
    x = np.random.default_rng(3).standard_normal(5)
    g = ast_ad.grad(bound_in_the_loop)
    assert_close(g(x, n), fd_grad(bound_in_the_loop, (x, n)))


def alias_written(x):
    u = x.copy()
    s = 0.0
    for t in range(3):
        v = u
        s = s + np.sum(v * v)
        for i in range(2):
            u[i] = u[i + 1] * 2.0
    return s


def test_alias_of_a_written_local_array_stays_right():
    x = np.array([0.3, -0.7, 1.1, 0.5])
    assert_close(ast_ad.grad(alias_written)(x), fd_grad(alias_written, (x,)))


def test_resize_or_shape_write_is_not_tracked():
    from types import SimpleNamespace

    import gast

    from ast_ad.passes.analysis.elements import array_specs

    t = gast.parse("def f(x):\n    y = np.copy(x)\n    y.shape = (2, 2)\n    z = np.copy(x)\n"
                   "    return y").body[0]
    res = SimpleNamespace(callable=lambda f: np.copy)
    specs = array_specs(t.body, ["x"], {"x": (1, "<f8")}, res)
    assert "y" not in specs and specs["z"] == (1, np.dtype("<f8"))


def complex_local(z):
    w = z.copy()
    s = 0.0
    for i in range(1, z.shape[0]):
        w[i] = w[i - 1] * 0.5 + z[i]
    for i in range(z.shape[0]):
        s = s + (w[i] * np.conj(w[i])).real
    return s


def test_complex_local_array_elements():
    z = np.array([0.3 + 0.1j, -0.7 + 0.4j, 1.1 - 0.2j])
    got = ast_ad.grad(complex_local)(z)
    dre, dim = fd_grad(lambda a, b: complex_local(a + 1j * b), (z.real.copy(), z.imag.copy()),
                       wrt=(0, 1))
    # the gradient of a real function of complex z: d/dRe + 1j d/dIm, or its conjugate
    assert np.allclose(got, dre + 1j * dim, atol=1e-6) or \
        np.allclose(got, dre - 1j * dim, atol=1e-6)


def scaled_copy_written(x):
    y = x * 1.0  # its adjoint `1.0 * by` must not fold into an alias of x's adjoint
    for i in range(2):
        y[i] = x[i + 1] ** 2
    return np.sum(y * x)


def test_written_buffer_is_never_an_alias_of_user_data():
    x = np.array([0.5, 1.5, 2.0])
    x0 = x.copy()
    got = ast_ad.grad(scaled_copy_written)(x)
    np.testing.assert_array_equal(x, x0)
    assert_close(got, fd_grad(scaled_copy_written, (x0,)))


def gmm_like(means, logits, X):
    lw = logits - np.log(np.sum(np.exp(logits)))
    total = 0.0
    for i in range(X.shape[0]):
        acc = 0.0
        for k in range(means.shape[0]):
            diff = X[i] - means[k]
            acc = acc + np.exp(lw[k] - 0.5 * np.sum(diff * diff))
        total = total + np.log(acc)
    return total


def test_float64_arithmetic_keeps_ndim_and_dtype():
    rng = np.random.default_rng(4)
    args = (rng.standard_normal((3, 2)), rng.standard_normal(3), rng.standard_normal((4, 2)))
    g = ast_ad.grad(gmm_like, wrt=(0, 1))
    assert_close(g(*args), fd_grad(gmm_like, args, wrt=(0, 1)))
    adj = _loop_body_of_adjoint(ast_ad.source(g, *args))
    assert "blw[k] += " in adj and "accum_index" not in adj


def rebound_target(x):
    s = 0.0
    for i in range(3):
        i = i * 2  # the loop's target rebound: i + 1 below is not recomputed from it
        j = i + 1
        s = s + x[j] * x[i]
    return s


def test_a_rebound_loop_target_read_by_the_adjoint_is_refused():
    x = np.array([0.4, -0.3, 0.8, -0.1, 0.6, 0.2, 0.9])
    with pytest.raises(ast_ad.AstAdError, match="loop variable `i`") as e:
        ast_ad.grad(rebound_target)(x)
    assert "test_element_loops.py" in str(e.value)
