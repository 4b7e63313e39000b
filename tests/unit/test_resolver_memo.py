"""analysis/calls.Resolver.callable memoizes by name (``f``) and by ``(name, attr)``
(``np.exp``): calls whose function expressions share a name or an attribute but denote
different objects must keep their own answers (a memo keyed on the attribute alone, or
on the spelling of the whole call, gives one of them the other's rule)."""

import math

import numpy as np
import pytest

import ast_ad
from tests.fd import fd_grad


def exp(v):  # a module-level function named like np.exp / math.exp
    return v * v * v


class Model:
    def __init__(self, w):
        self.w = w

    def exp(self, v):  # a method named like them too
        return self.w * np.sin(v)


def same_attribute(x, y):
    return np.sum(np.exp(x)) + math.exp(y) + exp(y)


def same_method_name(x, m, k):
    return m.exp(x) + k.exp(x * 2.0) + exp(x) + np.exp(x)


def test_same_attribute_on_two_modules_and_a_global():
    x, y = np.array([0.3, -0.7, 1.1]), 0.4
    gx, gy = ast_ad.grad(same_attribute, wrt=(0, 1))(x, y)
    np.testing.assert_allclose(gx, np.exp(x), rtol=1e-12)
    assert gy == pytest.approx(math.exp(y) + 3 * y * y, rel=1e-12)
    fx, fy = fd_grad(same_attribute, (x, y), wrt=(0, 1))
    np.testing.assert_allclose(gx, fx, rtol=1e-6)
    assert gy == pytest.approx(fy, rel=1e-6)


def test_same_method_name_on_two_objects():
    m, k = Model(2.0), Model(-0.5)
    x = 0.8
    g = ast_ad.grad(same_method_name, wrt=0)(x, m, k)
    want = 2.0 * math.cos(x) - 0.5 * 2.0 * math.cos(2 * x) + 3 * x * x + math.exp(x)
    assert g == pytest.approx(want, rel=1e-12)
    assert g == pytest.approx(fd_grad(lambda v: same_method_name(v, m, k), (x,)), rel=1e-6)
