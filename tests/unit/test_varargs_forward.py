"""Forward mode and higher order of a function with ``*args`` (JAX conventions): ``jvp``'s
primals and tangents are tuples over every positional argument, those ``*args`` gathers
included; ``hvp``/``hessian``/``jacobian``/``vjp`` count ``wrt`` the same way (the
``*args`` name: all its entries).  Oracles: central differences (tests/fd.py) of the
function, or of its gradient written out by hand."""

import numpy as np
import pytest

import ast_ad
from ast_ad.errors import AstAdError

from ..fd import assert_close, fd_directional, fd_grad


def f(a, *xs):
    return a * xs[0] * xs[1] ** 2 + np.sum(np.sin(xs[2]) * xs[0])


def grad_f(a, x0, x1, x2):
    """f's gradient by hand, flat over (a, x0, x1, x2)."""
    return (x0 * x1 ** 2, a * x1 ** 2 + np.sum(np.sin(x2)), 2 * a * x0 * x1,
            np.cos(x2) * x0)


P = (1.5, 2.0, -0.7, np.array([0.3, 1.0, -2.0]))
V = (0.4, -1.1, 0.8, np.array([0.5, -0.2, 1.5]))


def close(got, want):
    assert_close(got, want, 1e-6, 1e-8)


@pytest.mark.parametrize("which", [(1,), (3,), (2, 3), (0, 1, 2, 3)])
def test_jvp_with_tangents_for_args_entries(which):
    tangents = tuple(V[k] if k in which else None for k in range(4))
    value, tan = ast_ad.jvp(f, P, tangents)
    assert value == pytest.approx(f(*P))
    idx = tuple(which)
    close(tan, fd_directional(f, P, idx, tuple(V[k] for k in idx)))


def test_jvp_of_a_function_of_args_only_with_zero_tangents():
    def h(*xs):
        return np.sum(xs[0] * np.exp(xs[1]))
    args = (np.array([1.0, 2.0]), np.array([0.1, -0.3]))
    value, tan = ast_ad.jvp(h, args, (0.0, np.array([1.0, -1.0])))
    close(tan, fd_directional(h, args, 1, np.array([1.0, -1.0])))
    assert value == pytest.approx(h(*args))


def test_jvp_of_a_method_with_args():
    class Bench:
        scale = 3.0

        def fun(self, x, *args):
            return self.scale * np.sum(x * x) * args[0]

    b, x = Bench(), np.array([0.5, -1.0])
    _, tan = ast_ad.jvp(b.fun, (x, 2.0), (None, 1.0))
    close(tan, fd_directional(b.fun, (x, 2.0), 1, 1.0))


@pytest.mark.parametrize("wrt", [2, 3, "xs", (0, 3)])
def test_jvp_of_a_gradient_into_args(wrt):
    """Forward over reverse: a gradient w.r.t. *args entries, along *args entries."""
    g = ast_ad.grad(f, wrt)
    _, tan = ast_ad.jvp(g, P, (None, V[1], None, V[3]))
    flat = {2: 2, 3: 3, "xs": (1, 2, 3), (0, 3): (0, 3)}[wrt]

    def g_ref(*a):
        full = grad_f(*a)
        return tuple(full[k] for k in flat) if isinstance(flat, tuple) else full[flat]
    want = fd_directional(g_ref, P, (1, 3), (V[1], V[3]))
    got = np.concatenate([np.ravel(t) for t in (tan if isinstance(tan, tuple) else (tan,))])
    close(got, np.ravel(want))


def _fd_hessian_block(a, b):
    e_b = [np.eye(np.size(P[b]))[k].reshape(np.shape(P[b])) for k in range(np.size(P[b]))]
    cols = [np.asarray(fd_directional(lambda *z: grad_f(*z)[a], P, b, e)) for e in e_b]
    out = np.stack(cols, axis=-1)
    return out.reshape(np.shape(P[a]) + np.shape(P[b]))


def test_hessian_blocks_into_args():
    H = ast_ad.hessian(f, wrt=(1, 3))(*P)
    for i, a in enumerate((1, 3)):
        for j, b in enumerate((1, 3)):
            close(H[i][j], _fd_hessian_block(a, b))


def test_hessian_by_the_args_name_is_all_its_entries():
    H = ast_ad.hessian(f, wrt="xs")(*P)
    assert len(H) == 3 and all(len(r) == 3 for r in H)
    close(H[2][0], _fd_hessian_block(3, 1))
    close(ast_ad.hessian(f, wrt=3)(*P), _fd_hessian_block(3, 3))


def test_hvp_into_args():
    got = ast_ad.hvp(f, P, (V[0], V[3]), wrt=(0, 3))
    for a, g in zip((0, 3), got):
        want = fd_directional(lambda *z: grad_f(*z)[a], P, (0, 3), (V[0], V[3]))
        close(g, want)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_jacobian_into_args(mode):
    def h(x, *ws):
        return np.tanh(x * ws[0]) + ws[1] ** 2
    args = (np.array([0.2, -0.5]), np.array([1.5, 0.3]), np.array([2.0, -1.0]))
    J0, J2 = ast_ad.jacobian(h, wrt=(0, 2), mode=mode)(*args)
    for J, k in ((J0, 0), (J2, 2)):
        cols = [fd_directional(h, args, k, e) for e in np.eye(2)]
        close(J, np.stack(cols, axis=-1))


def test_vjp_into_args():
    value, back = ast_ad.vjp(f, *P, wrt=(0, 2, 3))
    assert value == pytest.approx(f(*P))
    for g, w in zip(back(1.0), fd_grad(f, P, wrt=(0, 2, 3))):
        close(g, w)


def test_keywords_with_args_under_hessian_are_refused():
    def h(x, *r, s=1.0):
        return s * x * r[0] ** 2
    with pytest.raises(AstAdError, match="by position"):
        ast_ad.hessian(h, wrt=1)(1.0, 2.0, s=3.0)
    close(ast_ad.hessian(h, wrt=1)(1.0, 2.0), 2.0)  # s's default: d2/dr0^2 = 2 s x


def test_jvp_tangents_for_args_of_a_kwargs_function():
    def h(x, *r, **kw):
        return x * r[0] * kw.get("c", 2.0)
    _, tan = ast_ad.jvp(h, (1.5, 2.0), (None, 1.0))  # (through its spread variant)
    close(tan, fd_directional(h, (1.5, 2.0), 1, 1.0))
