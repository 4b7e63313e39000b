"""Objects and functions held in default arguments (``def loss(u, net=NET)``,
``def act(x, fn=np.tanh)``): a default is known when the gradient is generated, so its
methods resolve as a global object's, in the function handed to ast_ad and in its
callees, in reverse, forward and second order; rebinding ``__defaults__`` makes the code
again.  Checked against central differences (tests/fd.py)."""

from dataclasses import dataclass

import numpy as np
import pytest

import ast_ad
from ast_ad.errors import AstAdError

from ..fd import assert_close, fd_directional, fd_grad


class Net:
    def __init__(self, W):
        self.W = W

    def forward(self, u):
        return np.tanh(self.W @ u)

    def loss(self, u):
        return np.sum(self.forward(u) ** 2)


class Other:
    def forward(self, u):
        return u * 3.0


NET = Net(np.array([[1.0, 2.0], [0.5, -1.0]]))
U = np.array([0.3, -0.2])


def loss(u, net=NET):
    h = net.forward(u)
    return np.sum(h ** 2)


def loss_by_method(u, net=NET):
    return 2.0 * net.loss(u)


def act(x, fn=np.tanh, scale=2.0):
    return scale * np.sum(fn(x))


def calls_loss(u):
    return loss(u) + np.sum(u)


def calls_both(u):
    return loss_by_method(u) * act(u)


def calls_act_by_keyword(u):
    return act(u, scale=0.5)


def close(got, want):
    assert_close(got, want, 1e-6, 1e-8)


@pytest.mark.parametrize("fn", [loss, loss_by_method, act, calls_loss, calls_both,
                                calls_act_by_keyword])
def test_reverse(fn):
    close(ast_ad.grad(fn)(U), fd_grad(fn, (U,)))


@pytest.mark.parametrize("fn", [loss, loss_by_method, calls_loss, calls_both])
def test_forward(fn):
    v = np.array([1.0, -0.5])
    value, tan = ast_ad.jvp(fn, (U,), (v,))
    assert value == pytest.approx(fn(U))
    close(tan, fd_directional(fn, (U,), 0, v))


@pytest.mark.parametrize("fn", [loss, calls_loss])
def test_vjp_and_hessian(fn):
    close(ast_ad.vjp(fn, U)[1](1.0), fd_grad(fn, (U,)))
    H = ast_ad.hessian(fn)(U)

    def g_ref(u):
        return fd_grad(fn, (u,), eps=1e-5)
    cols = [fd_directional(g_ref, (U,), 0, e, eps=1e-4) for e in np.eye(2)]
    assert_close(H, np.stack(cols, axis=-1), 1e-4, 1e-6)


def test_an_object_passed_instead_of_the_default():
    other = Net(np.array([[0.2, -1.0], [1.5, 0.3]]))

    def passes_it(u):
        return loss(u, other)
    close(ast_ad.grad(passes_it)(U), fd_grad(passes_it, (U,)))
    g = ast_ad.grad(loss)
    close(g(U), fd_grad(loss, (U,)))  # made for NET itself, then for any Net
    close(g(U, other), fd_grad(loss, (U, other)))
    close(g(U, NET), fd_grad(loss, (U,)))


def test_an_object_of_another_class_passed_is_refused_not_wrong():
    """The callee is made for its default's class; another class is refused when the
    gradient runs (objects.check_instance), never given a wrong gradient."""
    o = Other()

    def passes_other(u):
        return loss(u, o)
    with pytest.raises(AstAdError, match="instances of Net"):
        ast_ad.grad(passes_other)(U)


def test_rebinding_defaults_makes_the_code_again():
    def local_loss(u, net=NET):
        return np.sum(net.forward(u) ** 2)

    def outer(u):
        return local_loss(u) * 2.0
    g = ast_ad.grad(outer)
    close(g(U), fd_grad(outer, (U,)))
    local_loss.__defaults__ = (Net(np.array([[3.0, 0.0], [0.1, 0.4]])),)
    close(g(U), fd_grad(outer, (U,)))
    local_loss.__defaults__ = (Other(),)  # another class: made again for it
    close(g(U), fd_grad(outer, (U,)))

    def local_act(x, fn=np.tanh):
        return np.sum(fn(x))

    def outer_act(x):
        return local_act(x) + 1.0
    h = ast_ad.grad(outer_act)
    close(h(U), fd_grad(outer_act, (U,)))
    local_act.__defaults__ = (np.sin,)
    close(h(U), fd_grad(outer_act, (U,)))


@dataclass
class DataNet:
    w: np.ndarray
    b: float

    def forward(self, x):
        return np.tanh(self.w * x + self.b)

    def loss(self, x, y):
        return np.sum((self.forward(x) - y) ** 2)


DATA_NET = DataNet(np.array([2.0, -0.4]), 0.5)


def loss_of_a_dataclass_default(x, s, net=DATA_NET):
    h = net.forward(x)
    return net.loss(x, s) + np.sum(h)


def test_a_dataclass_object_in_a_default_resolves_its_methods():
    # a dataclass's generated __init__/__eq__ (exec'd) and __repr__ (dataclasses.py) do not
    # make it library code (analysis/receivers.user_class)
    x, s = np.array([0.3, 0.7]), 0.4
    g = ast_ad.grad(loss_of_a_dataclass_default, wrt=(0, 1))(x, s)
    ref = fd_grad(loss_of_a_dataclass_default, (x, s), wrt=(0, 1))
    assert_close(g[0], ref[0], 1e-6, 1e-6)
    assert_close(g[1], ref[1], 1e-6, 1e-6)
    _, t = ast_ad.jvp(loss_of_a_dataclass_default, (x, s), (np.ones(2), 1.0))
    assert_close(t, fd_directional(loss_of_a_dataclass_default, (x, s), (0, 1),
                                   (np.ones(2), 1.0)), 1e-6, 1e-6)
