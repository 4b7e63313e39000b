"""Element loops over adjoint buffers on their ``tolist()`` copies
(passes/reverse/list_buffers.py): gradients against finite differences, the run-time
check's refusals (aliases, dtypes), grad of grad and numba taking the plain loop."""

import numpy as np
import pytest

import ast_ad
from ast_ad.runtime import list_buffers_ok
from tests.fd import assert_close, fd_grad
from tests.unit.test_element_loops import heat  # an explicit stencil on a local copy


def sumsq(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[i] * x[i] * x[i]
    return s


def negative_index(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[-1 - i] * x[i]
    return s


def test_generated_code_has_the_fast_and_the_plain_loop():
    g = ast_ad.grad(heat, wrt=(0, 1))
    u = np.linspace(0.0, 1.0, 9) ** 2
    gu, gk = g(u, 0.2)
    assert_close(gu, fd_grad(heat, (u, 0.2), 0), 1e-6, 1e-6)
    assert_close(gk, fd_grad(heat, (u, 0.2), 1), 1e-6, 1e-6)
    src = ast_ad.source(g)
    assert "if list_buffers_ok((bnew, bu)" in src and ".tolist()" in src
    assert "bu[:] = _lb" in src and "\n        else:\n" in src


@pytest.mark.parametrize("f", [sumsq, negative_index])
def test_gradients(f):
    x = np.random.default_rng(2).standard_normal(6)
    assert_close(ast_ad.grad(f)(x), fd_grad(f, (x,)), 1e-6, 1e-6)


def test_float32_takes_the_plain_loop_and_keeps_its_dtype():
    x = np.linspace(0.5, 1.0, 5).astype(np.float32)
    g = ast_ad.grad(sumsq)(x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 3.0 * x.astype(np.float64) ** 2, rtol=1e-5)


def test_check_refuses_shared_memory_and_other_kinds():
    a = np.zeros(4)
    assert list_buffers_ok((a, np.zeros(4)), (1, 2.5, range(3), np.float64(1.0)))
    assert not list_buffers_ok((a, a), ())
    assert not list_buffers_ok((a, a[1:]), ())
    assert not list_buffers_ok((a,), (a[::2],))
    assert not list_buffers_ok((a,), ([1.0],))
    assert not list_buffers_ok((a.astype(np.complex128),), ())
    assert not list_buffers_ok((np.zeros((2, 2)),), ())
    assert not list_buffers_ok(([0.0, 1.0],), ())


def test_hessian_goes_through_the_plain_loop():
    x = np.array([0.3, -0.7, 1.2])
    h = ast_ad.hessian(sumsq)(x)
    np.testing.assert_allclose(h, np.diag(6.0 * x), rtol=1e-7, atol=1e-9)


def test_numba_backend_compiles_the_plain_loop():
    pytest.importorskip("numba")
    u = np.linspace(0.0, 1.0, 9) ** 2
    g = ast_ad.grad(heat, wrt=(0, 1), backend="numba")
    gu, gk = g(u, 0.2)
    assert_close(gu, fd_grad(heat, (u, 0.2), 0), 1e-6, 1e-6)
    assert_close(gk, fd_grad(heat, (u, 0.2), 1), 1e-6, 1e-6)


def scaled(x, c):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[i] * x[i] / c
    return s


def test_division_keeps_the_plain_loop():
    # `/` on the Python floats tolist() gives raises at 0 where np.float64 gives inf: a
    # body with a division keeps the loop as generated
    x = np.array([0.5, -1.0, 2.0])
    g = ast_ad.grad(scaled, wrt=(0, 1))
    gx, gc = g(x, 1.5)
    assert_close(gx, fd_grad(scaled, (x, 1.5), 0), 1e-6, 1e-6)
    assert_close(gc, fd_grad(scaled, (x, 1.5), 1), 1e-6, 1e-6)
    assert "list_buffers_ok" not in ast_ad.source(g, x, 1.5)
