"""End-to-end checks (grad, jvp, hvp against central finite differences) of ``eig`` with
complex eigenpairs, ``lstsq``, the spectral matrix norms at second order and
``scipy.linalg.solve_banded``; and their refusals."""

import numpy as np
import pytest

import ast_ad

from ..fd import fd_directional, fd_grad

try:
    from scipy.linalg import solve_banded
except ImportError:  # SciPy is optional: its cases are left out
    solve_banded = None

_rng = np.random.default_rng(12)
W3 = np.arange(9.0).reshape(3, 3) / 5 - 0.7
ROT = np.array([[0.0, 1.0, 0.2], [-1.0, 0.1, 0.3], [0.5, 0.2, 2.0]])  # 0.01 +- 1.0i, 2.08


def rand(*shape):
    return _rng.standard_normal(shape)


def f_eig_abs(a):  # phase-invariant losses of complex eigenpairs
    w, v = np.linalg.eig(a)
    return np.sum(np.abs(v) * W3) + np.sum(np.abs(w) * np.array([1.0, 2.0, 3.0]))


def f_eig_parts(a):  # depends on LAPACK's phase of the eigenvectors (largest entry real)
    w, v = np.linalg.eig(a)
    return np.sum(np.real(v) * W3) + np.sum(np.imag(v) ** 2) + np.sum(np.imag(w) ** 3)


def f_eig_batched(a):
    w, v = np.linalg.eig(a)
    return np.sum(np.real(w * w)) + np.sum(np.real(v) * np.imag(v))


def f_lstsq(a, b):
    x, res, rank, s = np.linalg.lstsq(a, b)
    return np.sum(np.sin(x)) + 0.3 * np.sum(res) + np.sum(s ** 2 * np.arange(np.shape(s)[0]))


def f_spectral(x):
    return np.linalg.norm(x, "nuc") + np.linalg.norm(x, 2) ** 2 + np.linalg.norm(x, -2) * \
        np.linalg.norm(x, "nuc")


def f_spectral_axes(x):
    return np.sum(np.linalg.norm(x, "nuc", axis=(2, 0)) ** 2) + np.sum(
        np.linalg.norm(x, 2, axis=(0, 1)))


def f_banded(ab, b):
    return np.sum(np.sin(solve_banded((1, 2), ab, b)))


def f_banded_lower(ab, b):
    return np.sum(solve_banded((2, 0), ab, b) ** 2)


def _band(l, u, n, k=None):
    ab = rand(l + u + 1, n) * 0.3
    ab[u] += 3.0  # diagonally dominant
    return ab, rand(n) if k is None else rand(n, k)


CASES = [
    (f_eig_abs, (ROT,)),
    (f_eig_parts, (ROT,)),
    (f_eig_parts, (ROT + 0.1 * rand(3, 3),)),
    (f_eig_batched, (np.stack([ROT, np.diag([1.0, 2.0, 3.5]) + 0.1 * rand(3, 3)]),)),
    (f_lstsq, (rand(5, 3), rand(5))),
    (f_lstsq, (rand(5, 3), rand(5, 2))),
    (f_lstsq, (rand(3, 3) + 3 * np.eye(3), rand(3))),
    (f_lstsq, (rand(3, 5), rand(3, 2))),
    (f_spectral, (rand(3, 4),)),
    (f_spectral, (rand(4, 3),)),
    (f_spectral_axes, (rand(3, 2, 4),)),
]
SCIPY = [(f_banded, _band(1, 2, 5)), (f_banded, _band(1, 2, 5, 2)),
         (f_banded_lower, _band(2, 0, 4))]
IDS = [f"{f.__name__}{i}" for i, (f, _) in enumerate(CASES)]


def _close(got, want, what, rtol=1e-5):
    np.testing.assert_allclose(np.asarray(got, float), np.asarray(want, float), rtol=rtol,
                               atol=1e-6 * max(1.0, float(np.max(np.abs(want)))), err_msg=what)


ALL = CASES + (SCIPY if solve_banded is not None else [])
ALL_IDS = [f"{f.__name__}{i}" for i, (f, _) in enumerate(ALL)]


@pytest.mark.parametrize("f,args", ALL, ids=ALL_IDS)
def test_grad(f, args):
    wrt = tuple(range(len(args)))
    got = ast_ad.grad(f, wrt=wrt)(*args)
    for k, (g, w) in enumerate(zip(got, fd_grad(f, args, wrt=wrt))):
        assert np.asarray(g).dtype.kind == "f"  # a real gradient for real inputs
        _close(g, w, f"gradient {k}")


@pytest.mark.parametrize("f,args", ALL, ids=ALL_IDS)
def test_jvp(f, args):
    ts = tuple(rand(*np.shape(a)) for a in args)
    _, got = ast_ad.jvp(f, args, ts)
    _close(got, fd_directional(f, args, tuple(range(len(args))), ts), "jvp")


@pytest.mark.parametrize("f,args", ALL, ids=ALL_IDS)
def test_hvp(f, args):
    x, v = args[0], rand(*np.shape(args[0]))
    g = ast_ad.grad(f)
    want = fd_directional(lambda x_: g(x_, *args[1:]), (x,), 0, v, eps=1e-5)
    _close(ast_ad.hvp(f, args, v), want, "hvp", rtol=1e-4)


def test_lstsq_of_a_rank_deficient_matrix_is_refused():
    a = rand(5, 3)
    a[:, 2] = a[:, 0] - a[:, 1]
    for call in (lambda: ast_ad.grad(f_lstsq)(a, rand(5)),
                 lambda: ast_ad.jvp(f_lstsq, (a, rand(5)), (rand(5, 3), rand(5)))):
        with pytest.raises(NotImplementedError, match="rank-deficient 5x3 matrix .rank 2."):
            call()


def test_lstsq_gradient_in_b_alone_is_pinv_transposed():
    a, b = rand(6, 3), rand(6)
    g = ast_ad.grad(lambda b_: np.sum(np.linalg.lstsq(a, b_)[0] * np.array([1.0, -2.0, 0.5])))(b)
    np.testing.assert_allclose(g, np.linalg.pinv(a).T @ np.array([1.0, -2.0, 0.5]), rtol=1e-10)


X0, D0 = rand(3, 4), rand(3, 4)


def nuc_line(s):
    return np.linalg.norm(X0 + s * D0, "nuc")


def test_spectral_norms_have_no_third_derivative():
    d2 = ast_ad.grad(ast_ad.grad(nuc_line))
    want = (nuc_line(1e-4) - 2 * nuc_line(0.0) + nuc_line(-1e-4)) / 1e-8
    assert d2(0.0) == pytest.approx(want, rel=1e-4)  # second order: a rule
    with pytest.raises(NotImplementedError, match="third derivative.*'nuc'"):
        ast_ad.grad(d2)(0.0)


def test_eig_tangent_keeps_lapacks_phase():
    # the largest entry of each eigenvector stays real along the tangent
    t = rand(3, 3)
    _, v = np.linalg.eig(ROT)
    _, dv = ast_ad.jvp(lambda a: np.linalg.eig(a)[1], (ROT,), (t,))
    j = np.argmax(np.abs(v), axis=0)
    np.testing.assert_allclose(np.imag(dv[j, np.arange(3)]), 0.0, atol=1e-12)
