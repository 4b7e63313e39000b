"""Models written as classes: methods calling methods, ``__call__``, nested attribute
objects, lists of layers, ``super()``, static methods, properties, default-argument
objects, NamedTuple parameters and ``functools.wraps`` pass-through wrappers, checked
against finite differences; and what each resolution assumes, checked when the objects
change (regenerated or refused, never a stale gradient)."""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
import pytest

import ast_ad
from tests.fd import assert_close, fd_grad

X = np.array([0.2, 0.4, -0.1])
W = np.array([0.3, -0.2, 0.5])


def close(f, args, wrt=0):
    g = ast_ad.grad(f, wrt=wrt)(*args)
    assert_close(g, fd_grad(f, args, wrt=wrt), 1e-6, 1e-6)
    return g


class Act:
    def __init__(self, k):
        self.k = k

    def fn(self, z):
        return np.tanh(z) * self.k


class Holder:
    def __init__(self, inner):
        self.inner = inner


class Net:
    def __init__(self, w, b):
        self.w, self.b = w, b
        self.act = Act(1.5)
        self.box = Holder(Act(0.5))

    def __call__(self, x):
        return self.act.fn(self.w * x + self.b) + self.box.inner.fn(x)

    def forward(self, x):
        return self(x)

    @staticmethod
    def affine(w, x, b):
        return w * x + b

    @property
    def scale(self):
        return self.b * 2.0

    def loss(self, x, y):
        h = self.forward(x) + self.affine(self.w, x, self.scale)
        return np.sum((h - y) ** 2)


class Layer:
    def __init__(self, w, b):
        self.w, self.b = w, b

    def __call__(self, x):
        return np.tanh(self.w * x + self.b)


class Stack:
    def __init__(self):
        self.layers = [Layer(W, 0.1), Layer(W[::-1], -0.3)]

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class Base:
    def __init__(self):
        self.w = W

    def forward(self, x):
        return np.sin(self.w * x)


class Child(Base):
    def forward(self, x):
        return super().forward(x) * 2.0 + x


NET = Net(W, 0.1)
STACK = Stack()
CHILD = Child()


def test_methods_calling_methods_call_and_nested_objects():
    close(lambda x, s: NET.loss(x, s), (X, 0.7))
    close(lambda x: np.sum(NET(x)), (X,))
    m = NET.forward
    close(lambda x: np.sum(m(x) * 2.0), (X,))


def test_bound_method_itself():
    close(NET.loss, (X, 0.3))


def test_list_of_layers_and_super():
    close(lambda x: np.sum(STACK.forward(x)), (X,))
    close(lambda x: np.sum(CHILD.forward(x)), (X,))


def test_object_as_default_argument_and_another_object_passed():
    def f(x, net=NET):
        return net.loss(x, 0.2)

    close(f, (X,))
    other = Net(W * 2.0, -0.4)
    close(f, (X, other))


def test_rebinding_an_attribute_object_regenerates():
    net = Net(W, 0.1)

    class Act2(Act):
        def fn(self, z):
            return np.sin(z) * self.k

    def f(x):
        return np.sum(net.forward(x))

    g = ast_ad.grad(f)
    close(f, (X,))
    net.act = Act2(0.7)  # another class: what self.act.fn means changed
    assert_close(g(X), fd_grad(f, (X,)), 1e-6, 1e-6)
    net.box.inner = Act2(2.0)
    assert_close(g(X), fd_grad(f, (X,)), 1e-6, 1e-6)
    net.forward = lambda x: x ** 3  # an instance entry overrides the method
    assert_close(g(X), fd_grad(f, (X,)), 1e-6, 1e-6)


def test_a_layer_of_another_class_is_refused_not_stale():
    stack = Stack()

    def f(x):
        return np.sum(stack.forward(x))

    g = ast_ad.grad(f)
    assert_close(g(X), fd_grad(f, (X,)), 1e-6, 1e-6)

    class Other(Layer):
        def __call__(self, x):
            return np.sin(self.w * x)

    stack.layers[1] = Other(W, 0.0)
    with pytest.raises(ast_ad.AstAdError, match="layer"):
        g(X)


def test_a_default_argument_object_of_another_structure_is_refused_at_run_time():
    class Act3:
        def fn(self, z):
            return z ** 2

    def f(x, net=NET):
        return net.loss(x, 0.2)

    g = ast_ad.grad(f)
    g(X)
    odd = Net(W, 0.1)
    odd.act = Act3()
    try:
        got = g(X, odd)
    except ast_ad.AstAdError:
        return
    assert_close(got, fd_grad(f, (X, odd)), 1e-6, 1e-6)


def test_a_method_of_a_differentiated_object_is_refused():
    from dataclasses import dataclass

    @dataclass
    class D:
        w: np.ndarray

        def pred(self, x):
            return np.sum(self.w * x)

    def f(d, x):
        return d.pred(x) ** 2

    with pytest.raises(ast_ad.AstAdError, match="d.pred"):
        ast_ad.grad(f)(D(W), X)


class P(NamedTuple):
    W: np.ndarray
    b: float


def test_namedtuple_parameter_keeps_its_type():
    def f(p, x):
        return np.sum(np.tanh(p.W * x + p.b)) * p[1]

    p = P(W, 0.5)
    g = ast_ad.grad(f)(p, X)
    assert type(g) is P
    ref = fd_grad(f, (p, X))
    assert_close(g.W, ref.W if isinstance(ref, P) else ref[0], 1e-6, 1e-6)


def passthrough(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


def changing(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return 2.0 * fn(*args, **kwargs)
    return wrapper


@passthrough
@passthrough
def wrapped(x):
    return np.sin(x) * x


@changing
def doubled(x):
    return np.sin(x) * x


def test_wraps_pass_through_is_seen_through_other_wrappers_are_differentiated():
    close(lambda x: np.sum(wrapped(x)), (X,))
    g = close(lambda x: np.sum(doubled(x)), (X,))  # the wrapper's own code, never
    assert_close(g, 2.0 * (np.cos(X) * X + np.sin(X)), 1e-9, 1e-9)  # unwrapped: factor 2
