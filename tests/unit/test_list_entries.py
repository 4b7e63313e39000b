"""Specs of list entries and of ``a @ b`` (analysis/entries.py): a plain list of arrays
of one spec gives its entries that spec (W10's ``Ls[ik] @ xc`` takes no generic helpers,
the real contributions no ``np.real``); lists that mix specs, escape, are written into or
hold complex values keep the generic adjoint.  Gradients against finite differences."""

import numpy as np
import pytest

import ast_ad
from benchmarks import adbench_gmm
from tests.fd import assert_close, fd_grad


def _inner_loop(src):
    """The text of W10's reversed inner loop (``for ik in _r3[::-1]``)."""
    start = src.index("for ik in _r3[::-1]:")
    return src[start:src.index("ik = _pop()", start)]


def test_w10_inner_loop_is_specialised():
    args = adbench_gmm.inputs(n=6, k=3, d=3)
    g = ast_ad.grad(adbench_gmm.w10, wrt=(0, 1, 2))
    got = g(*args)
    for w in range(3):
        assert_close(got[w], fd_grad(adbench_gmm.w10, args, w), 1e-6, 1e-6)
    loop = _inner_loop(g.source(*args))
    for helper in ("np.real(", "array_parts(", "matmul_adjoint_a(", "matmul_adjoint_b(",
                   "add_grads("):
        assert helper not in loop, helper
    # no guard left: np.sum's cotangent (an entry of the list adjoint, maybe 0.0) times
    # lx is a scalar times lx (optimize/shapes.py), an array whatever the scalar was: the
    # matmul's adjoint needs none (reverse/rules.never_filler); Ls[ik] @ xc is long (a
    # helper's long result, entries of one long ndim): lx's cotangent needs no unbroadcast
    assert loop.count("is_zero(") == 0 and "unreduce(" not in loop
    assert "unbroadcast(" not in loop


def matrices(a, v):
    Ls = []
    for i in range(a.shape[0]):
        Ls.append(a[i] * 2.0)
    s = 0.0
    for i in range(a.shape[0]):
        y = Ls[i] @ v
        s = s + np.sum(y * y)
    return s


def mixed(a, v):
    Ls = []
    Ls.append(a[0])  # a matrix
    Ls.append(v)  # a vector: two specs, no entry spec
    s = 0.0
    for i in range(2):
        y = Ls[i] @ v
        s = s + np.sum(y * y)
    return s


def nested(a, v):
    Ls = []
    Ls.append(a[0])
    Ls.append([v, v])  # a list among the arrays
    y = Ls[0] @ v
    w = np.array(Ls[1])
    return np.sum(y * y) + np.sum(w * w)


def _last(xs):
    return xs[-1]


def escapes(a, v):
    Ls = []
    Ls.append(a[0])
    Ls.append(v * 3.0)
    y = _last(Ls) * v  # the list is handed to a call
    for e in Ls:  # and iterated
        y = y + e[0]
    return np.sum(y * y)


def aliased(a, v):
    Ls = []
    Ls.append(a[0])
    M = Ls
    M.append(v * 2.0)  # appended through an alias
    y = Ls[1] * v
    return np.sum(y * y)


def written(a, v):
    Ls = []
    Ls.append(a[0])
    Ls[0] = v * 2.0  # an entry written: not a plain list
    y = Ls[0] * v
    return np.sum(y * y)


def numbers(x):
    terms = []
    for i in range(x.shape[0]):
        terms.append(x[i] * x[i])
    t = np.array(terms)
    return np.sum(t * t)


@pytest.mark.parametrize("f", [matrices, mixed, nested, escapes, aliased, written])
def test_lists_against_finite_differences(f):
    rng = np.random.default_rng(3)
    a, v = rng.standard_normal((3, 3, 3)), rng.standard_normal(3)
    got = ast_ad.grad(f, wrt=(0, 1))(a, v)
    assert_close(got[0], fd_grad(f, (a, v), 0), 1e-6, 1e-6)
    assert_close(got[1], fd_grad(f, (a, v), 1), 1e-6, 1e-6)


def test_a_list_of_numbers():
    x = np.random.default_rng(4).standard_normal(5)
    assert_close(ast_ad.grad(numbers)(x), fd_grad(numbers, (x,)), 1e-6, 1e-6)


def test_mixed_specs_keep_the_generic_matmul_adjoint():
    rng = np.random.default_rng(3)
    a, v = rng.standard_normal((3, 3, 3)), rng.standard_normal(3)
    g = ast_ad.grad(mixed, wrt=(0, 1))
    g(a, v)
    assert "matmul_adjoint_a(" in g.source(a, v)


def complex_entries(a, v):
    Ls = []
    Ls.append(a[0] * 1j)  # a complex entry: the real buffers take Re(g)
    Ls.append(a[1] + 0j)
    s = 0.0
    for i in range(2):
        y = Ls[i] @ v
        s = s + np.sum(np.real(y * np.conj(y)))
    return s


def test_complex_entries():
    rng = np.random.default_rng(5)
    a, v = rng.standard_normal((2, 3, 3)), rng.standard_normal(3)
    g = ast_ad.grad(complex_entries, wrt=(0, 1))
    got = g(a, v)
    assert_close(got[0], fd_grad(complex_entries, (a, v), 0), 1e-6, 1e-6)
    assert_close(got[1], fd_grad(complex_entries, (a, v), 1), 1e-6, 1e-6)
    assert got[0].dtype == np.float64 and got[1].dtype == np.float64


def test_complex_arrays_in_a_list():
    rng = np.random.default_rng(6)
    a = rng.standard_normal((2, 3, 3)) + 1j * rng.standard_normal((2, 3, 3))
    v = rng.standard_normal(3)

    def f(a, v):
        Ls = []
        for i in range(2):
            Ls.append(a[i])
        s = 0.0
        for i in range(2):
            y = Ls[i] @ v
            s = s + np.sum(np.abs(y) ** 2)
        return s
    got = ast_ad.grad(f, wrt=1)(a, v)
    assert_close(got, fd_grad(f, (a, v), 1), 1e-6, 1e-6)


def python_float_power(x, p):
    c = p ** 0.5  # p < 0: a complex number
    y = x * c
    return np.real(np.sum(y * y))


def test_fractional_power_of_a_python_float():
    import gast

    from ast_ad.passes.analysis.elements import Elements

    x = np.array([0.5, 1.5, 2.0])
    got = ast_ad.grad(python_float_power, wrt=(0, 1))(x, -4.0)
    assert_close(got[0], fd_grad(python_float_power, (x, -4.0), 0), 1e-6, 1e-6)
    assert_close(got[1], fd_grad(python_float_power, (x, -4.0), 1), 1e-6, 1e-6)
    t = gast.parse("def f(x, p):\n    c = p ** 0.5\n    z = x ** 0.5\n    k = p ** 2\n"
                   "    return c").body[0]
    res = type("R", (), {"callable": staticmethod(lambda f: None)})()
    e = Elements.of(t.body, ["x", "p"], {"x": (1, "<f8")}, {"p": float}, res)
    assert "c" not in e.arrays  # a Python float to a fractional power may be complex
    assert e.arrays["z"][0] == 1 and e.arrays["k"][0] == 0  # an array: nan; an int power


def vec_mat(a, v):
    y = v @ a[0]  # (m,) @ (m, n)
    return np.sum(y * y)


def mat_mat(a, v):
    w = np.ones((4, 2)) * v[0]
    m = a[0] @ w  # (m, n) @ (n, p)
    return np.sum(m * m) + np.sum(v)


def mat_vec_batched(a, v):
    y = a[:, :, :3] @ v  # (k, m, n) @ (n,): the generic adjoint
    return np.sum(y * y)


@pytest.mark.parametrize("f", [vec_mat, mat_mat, mat_vec_batched])
def test_matmul_by_spec(f):
    rng = np.random.default_rng(7)
    a, v = rng.standard_normal((2, 3, 4)), rng.standard_normal(3)
    g = ast_ad.grad(f, wrt=(0, 1))
    got = g(a, v)
    assert_close(got[0], fd_grad(f, (a, v), 0), 1e-6, 1e-6)
    assert_close(got[1], fd_grad(f, (a, v), 1), 1e-6, 1e-6)
    generic = "matmul_adjoint_a(" in g.source(a, v)
    assert generic == (f is mat_vec_batched)


def test_realness_counts_what_is_written_into_entries():
    import gast

    from ast_ad.passes.analysis.realness import surely_real

    body = gast.parse("L = []\nz = x * 1j\nL.append(z)\nM = [0.0]\nM[0] = z\n"
                      "K = []\nK.append(x)\nt = L[0]").body
    res = type("R", (), {"callable": staticmethod(lambda f: None)})()
    real = surely_real(body, ["x"], {"x": float}, {}, res)
    assert "K" in real and "x" in real
    assert not {"L", "M", "z", "t"} & real


def list_output(x):
    L = []
    L.append(x[0] * 1j)
    L.append(x[1])
    return np.real(L[0] * L[0]) + L[1]  # real, through a complex entry


def test_a_complex_entry_reaches_a_real_output():
    x = np.array([0.7, -1.3])
    assert_close(ast_ad.grad(list_output)(x), fd_grad(list_output, (x,)), 1e-6, 1e-6)


def partial_use(a, v):
    terms = []
    for i in range(3):
        y = a[i] @ v
        z = y * v[:3]
        terms.append(np.sum(z * z))
    t = np.array(terms)
    return t[0] * 2.0  # the other entries' cotangents are 0.0: the filler meets a @ v


def test_zero_cotangents_of_list_entries_meet_a_matmul():
    rng = np.random.default_rng(8)
    a, v = rng.standard_normal((3, 3, 4)), rng.standard_normal(4)
    got = ast_ad.grad(partial_use, wrt=(0, 1))(a, v)
    assert_close(got[0], fd_grad(partial_use, (a, v), 0), 1e-6, 1e-6)
    assert_close(got[1], fd_grad(partial_use, (a, v), 1), 1e-6, 1e-6)
