"""Owned adjoint buffers before reversed loops (issue 13, W8/W10): ``own_grad`` gives an
adjoint that this code does not own (a callee's, ``add_grads`` of one, a shared one) a
fresh buffer once before a loop that reads elements, plain lists keep one list of entry
adjoints updated in place, and the element specs of slices and ``np.sum(.., axis=k)``.
Values against central finite differences (tests/fd.py); structure on the generated
source; adversarial cases where the fast path must not be taken. No timing here."""

from __future__ import annotations

import re

import numpy as np

import ast_ad
from benchmarks import adbench_gmm as A
from benchmarks import workloads as W
from tests.fd import assert_close as _assert_close
from tests.fd import fd_grad


def close(got, ref):
    if isinstance(ref, tuple):
        assert isinstance(got, tuple) and len(got) == len(ref)
        for a, b in zip(got, ref):
            _assert_close(a, b, 1e-6, 1e-7)
    else:
        _assert_close(got, ref, 1e-6, 1e-7)


def main_source(g, *args):
    """The generated gradient without the callees' code."""
    return ast_ad.source(g, *args).split("# user functions it calls")[0]


def loop_of(src, header):
    """The lines of the reversed loop whose header contains ``header``."""
    var, rng = re.match(r"for (\w+) in ?(\w*)", header).groups()
    lines = src.splitlines()  # (`for ik in _r3[::-1]`, or on tapes `for ik, .. in zip(_r3[::-1]`)
    start = next(k for k, ln in enumerate(lines) if ln.strip().startswith(f"for {var}")
                 and f"{rng}[::-1]" in ln)
    indent = len(lines[start]) - len(lines[start].lstrip())
    body = []
    for ln in lines[start + 1:]:
        if ln.strip() and len(ln) - len(ln.lstrip()) <= indent:
            break
        body.append(ln)
    return "\n".join(body)


# -- W10 and W8 ---------------------------------------------------------------------------
def test_w10_gradient_matches_finite_differences():
    args = A.inputs(n=6, k=3, d=3)
    got = ast_ad.grad(A.w10, wrt=(0, 1, 2))(*args)
    close(got, fd_grad(A.w10, args, wrt=(0, 1, 2)))


def test_w10_inner_loop_has_no_accum_index():
    args = A.inputs(n=6, k=3, d=3)
    g = ast_ad.grad(A.w10, wrt=(0, 1, 2))
    g(*args)
    src = main_source(g, *args)
    inner = loop_of(src, "for ik in _r3")
    assert "accum_index" not in inner
    # the list of factors: entries in place, added with + (entries of one known spec)
    assert "if bLs[ik] is None else bLs[ik] + " in inner and "add_grads" not in inner
    for b in ("balphas", "bsum_qs", "bqdiags"):
        assert f"{b}[ik] +=" in inner, b
    assert "bmeans[ik] -= " in inner  # (x[ix] - means[ik]: no negated copy)
    # the callee's adjoints (bsum_qs, bqdiags) get one buffer each before the loops
    for b, x in (("bsum_qs", "sum_qs"), ("bqdiags", "qdiags")):
        assert f"{b} = own_grad({b}, {x})" in src
    assert "accum_index" not in src


def test_w8_gradient_matches_finite_differences():
    wl = W.WORKLOADS["W8"]
    rng = np.random.default_rng(3)
    args = (rng.standard_normal((3, 2)), 0.2 * rng.standard_normal(3),
            rng.standard_normal(3), rng.standard_normal((5, 2)))
    close(ast_ad.grad(wl.fn, wrt=wl.wrt_arg)(*args), fd_grad(wl.fn, args, wrt=wl.wrt_arg))


# -- element specs of slices and reductions over an axis ------------------------------------
def sliced(a):
    d = 2
    q = np.exp(a[:, :d])
    s = np.sum(a[:, d:], axis=1)
    t = np.sum(a, axis=-1)
    out = 0.0
    for k in range(a.shape[0]):
        out = out + q[k, 1] * s[k] + q[k, 0] * t[k]
    return out


def test_slice_and_axis_sum_elements_accumulate_in_place():
    a = np.random.default_rng(0).standard_normal((4, 5)) * 0.5
    g = ast_ad.grad(sliced)
    close(g(a), fd_grad(sliced, (a,)))
    body = loop_of(main_source(g, a), "for k in")
    assert "accum_index" not in body
    assert "bq[k, 1] +=" in body and "bs[k] +=" in body and "bt[k] +=" in body


def test_specs_of_slices_and_axis_reductions():
    import gast

    from ast_ad.passes.analysis.elements import array_specs

    src = ("def f(a, d):\n    q = a[:, :d]\n    r = a[1, 1:]\n    s = np.sum(a, axis=1)\n"
           "    t = np.sum(a, axis=-1)\n    u = np.sum(a, axis=2)\n    v = a[:, ::2, 0]\n"
           "    w = np.sum(a, axis=1, keepdims=True)\n    z = a[..., 0]\n    return q")
    t = gast.parse(src).body[0]

    class Res:
        def callable(self, f):
            return np.sum if getattr(f, "attr", None) == "sum" else None

    specs = array_specs(t.body, ["a", "d"], {"a": (2, "<f8")}, Res(), frozenset({"d"}))
    f8 = np.dtype("<f8")
    assert specs["q"] == (2, f8) and specs["r"] == (1, f8)
    assert specs["s"] == (1, f8) and specs["t"] == (1, f8)
    assert "u" not in specs  # axis 2 of a 2-d array: an error at run time, no spec
    assert "v" not in specs  # three indices into a 2-d array
    assert "w" not in specs and "z" not in specs  # keepdims; an Ellipsis


# -- adjoints not owned before the loop: a fresh buffer, never shared ---------------------
def shared_adjoint(a, c):
    q = np.exp(a[:, :2])
    y = q + c  # the adjoint of q is the adjoint of y itself (no broadcast to undo)
    s = 0.0
    for k in range(q.shape[0]):
        s = s + q[k, 0] * y[k, 1]
    return s + np.sum(y * y)


def test_an_adjoint_shared_with_another_name_is_copied_before_the_loop():
    a = np.random.default_rng(1).standard_normal((3, 3)) * 0.5
    got = ast_ad.grad(shared_adjoint, wrt=(0, 1))(a, 0.3)
    close(got, fd_grad(shared_adjoint, (a, 0.3), wrt=(0, 1)))


def _helper(v):
    return v * v  # a callee's adjoint comes back to the caller as _gh[...]


def callee_adjoint(x):
    w = _helper(x)
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[i] * w[i]
    return s + 2.0 * np.sum(x)


def test_a_broadcast_or_callee_adjoint_gets_its_own_buffer():
    x = np.array([0.3, -1.2, 0.8, 2.0])
    close(ast_ad.grad(callee_adjoint)(x), fd_grad(callee_adjoint, (x,)))
    x2 = x.copy()
    ast_ad.grad(callee_adjoint)(x2)
    assert np.array_equal(x2, x)  # the user's array is never the buffer


def user_alias(x):
    u = x
    s = 0.0
    for i in range(u.shape[0]):
        s = s + u[i] * x[i] + np.sin(u[i])
    return s


def test_an_alias_of_the_parameter_reads_into_a_buffer_of_its_own():
    x = np.array([0.4, -0.3, 1.1])
    before = x.copy()
    close(ast_ad.grad(user_alias)(x), fd_grad(user_alias, (x,)))
    assert np.array_equal(x, before)


def complex_reads(z):
    w = z * 1.0
    s = 0.0
    for i in range(z.shape[0]):
        s = s + (w[i] * np.conj(w[i])).real + (z[i] * z[i]).real
    return s


def test_complex_elements_keep_a_complex_buffer():
    z = np.array([0.3 + 0.1j, -0.7 + 0.4j, 1.1 - 0.2j])
    got = ast_ad.grad(complex_reads)(z)
    dre, dim = fd_grad(lambda a, b: complex_reads(a + 1j * b), (z.real.copy(), z.imag.copy()),
                       wrt=(0, 1))
    assert np.iscomplexobj(got)
    assert np.allclose(got, dre + 1j * dim, atol=1e-6) or \
        np.allclose(got, dre - 1j * dim, atol=1e-6)


# -- lists of arrays read by index in a loop ------------------------------------------------
def same_array_twice(a, v):
    Ls = []
    Ls.append(a)
    Ls.append(a)  # one array at two positions: two entry adjoints, both reach a
    Ls.append(a * 2.0)
    s = 0.0
    for rep in range(3):
        for k in range(3):
            s = s + np.sum((Ls[k] @ v) * (Ls[k] @ v))
    return s


def test_a_list_holding_the_same_array_twice():
    rng = np.random.default_rng(2)
    args = (rng.standard_normal((2, 3)), rng.standard_normal(3))
    g = ast_ad.grad(same_array_twice, wrt=(0, 1))
    close(g(*args), fd_grad(same_array_twice, args, wrt=(0, 1)))
    assert "if bLs[k] is None else bLs[k] + " in main_source(g, *args)  # (one spec: +)


def aliased_list(a, v):
    Ls = []
    Ls.append(a)
    Ls.append(a * 3.0)
    Ms = Ls  # another name for the list: no in-place list adjoint
    s = 0.0
    for k in range(2):
        s = s + np.sum(Ls[k] @ v) + np.sum(Ms[k] * Ms[k])
    return s


def appended_in_loop(a, v):
    Ls = [a]
    s = 0.0
    for k in range(3):
        s = s + np.sum(Ls[k] @ v)
        Ls.append(Ls[k] * 0.5)  # the list grows while it is read
    return s


def test_lists_that_are_aliased_or_grow_in_the_loop_take_the_generic_path():
    rng = np.random.default_rng(4)
    args = (rng.standard_normal((2, 3)), rng.standard_normal(3))
    for f in (aliased_list, appended_in_loop):
        g = ast_ad.grad(f, wrt=(0, 1))
        close(g(*args), fd_grad(f, args, wrt=(0, 1)))
        assert "= add_grads(bLs[k]" not in main_source(g, *args), f.__name__


def test_own_grad_is_always_a_new_buffer():
    from ast_ad.runtime import own_grad

    x = np.zeros((2, 3))
    b = np.ones((2, 3))
    out = own_grad(b, x)
    assert out is not b and not np.shares_memory(out, b)
    assert np.array_equal(own_grad(np.arange(3.0), x), np.broadcast_to(np.arange(3.0), (2, 3)))
    lst = [np.ones(2), None]
    got = own_grad(lst, [1, 2, 3])
    assert got is not lst and got[:2] == lst and got[2] is None
    assert own_grad(0.0, [1, 2]) == [None, None]
