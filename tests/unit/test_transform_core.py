"""Core transformer cases (loops, branches, calls, writes) vs central differences."""

import dataclasses
import math

import numpy as np
import pytest

import ast_ad

from ..fd import fd_grad, fd_jacobian


def w1(x):
    s = 0.0
    p = x
    for i in range(100):
        p = np.sin(p) * 0.9 + x * 0.1
        s = s + p * p
    return s


def f_while(x):
    i = 0
    while x < 10.0:
        x = x * 1.5
        i += 1
    return x * i


def f_break(x):
    s = 0.0
    for i in range(10):
        if i > 5:
            break
        for j in range(3):
            if j == 1:
                continue
            s = s + x * i * j
    return s


def f_ret(x):
    for i in range(10):
        x = x * 1.1
        if x > 3.0:
            return x * 2
    return x


def f_if(x):
    if x > 0:
        y = x * x
    else:
        y = -x
    return y * 3


def f_arr(x, w):
    return np.sum(np.tanh(x @ w) ** 2)


def lse(x):
    m = x[0]
    for i in range(1, len(x)):
        if x[i] > m:
            m = x[i]
    s = 0.0
    for v in x:
        s += np.exp(v - m)
    return m + np.log(s)


def rnn(W, xs):
    h = np.zeros((xs.shape[0] + 1, W.shape[0]))
    for t in range(xs.shape[0]):
        h[t + 1] = np.tanh(np.dot(W, h[t]) + xs[t])
    return np.sum(h[-1] ** 2)


def lst(x):
    out = []
    for i in range(4):
        out.append(x * i)
    return sum(out)


def comp(x):
    return sum([x * i for i in range(5) if i % 2 == 0])


def helper(a, b):
    return a * b + np.sin(a)


def calls(x):
    return helper(x, 2.0) + helper(3.0, x)


def power(x, n):
    if n == 0:
        return 1.0
    return x * power(x, n - 1)


def rec(x):
    return power(x, 5)


def inplace(x):
    y = np.zeros(3)
    y[0] = x
    y[1] += x * x
    y[2] = y[0] * 3
    return np.sum(y * y)


def aug(x):
    y = x
    y += 2
    y *= x
    return y


def tup(x, y):
    a, b = x * 2, y * 3
    b, a = a, b
    return a * b + a


def minmax(x, y):
    return max(x, y) * min(x, y) + abs(x - y)


def mth(x):
    return math.sin(x) * math.exp(x) + math.log(x) + math.sqrt(x) + math.atan2(x, 2.0)


def bcast(A, w):
    return np.sum((A + w) ** 2)


def idx(x):
    return np.sum(x[[0, 2, 2]]) + x[1] * x[-1] + np.sum(x[::2])


def closure_nested(x):
    def inner(y):
        return x * y
    return inner(3.0)


def lam(x):
    sq = lambda v: v * v * x
    return sq(x) + 1


def and_in_loop(x):
    s = x
    for i in range(3):
        if i >= 1 and i < 2:
            s = s * x
        s = s + 1.0
    return s


def hh(v):
    return np.sum(v * v)


def loopcall(x):
    s = 0.0
    for i in range(3):
        s = s + hh(x * i)
    return s


rng = np.random.default_rng(0)
CASES = [
    (w1, (0.5,), 0), (f_while, (1.3,), 0), (f_break, (1.3,), 0), (f_ret, (1.3,), 0),
    (f_ret, (10.3,), 0), (f_if, (1.3,), 0), (f_if, (-1.3,), 0),
    (f_arr, (rng.random((3, 4)), rng.random((4, 2))), 1), (lse, (rng.random(5),), 0),
    (rnn, (rng.random((3, 3)) * 0.5, rng.random((4, 3))), 0), (lst, (1.5,), 0),
    (comp, (1.5,), 0), (calls, (1.5,), 0), (rec, (1.5,), 0), (inplace, (1.5,), 0),
    (aug, (1.5,), 0), (tup, (1.5, 2.0), 0), (tup, (1.5, 2.0), 1), (minmax, (1.5, 2.5), 0),
    (mth, (1.5,), 0), (bcast, (rng.random((3, 4)), rng.random(4)), 1),
    (idx, (rng.random(5),), 0), (closure_nested, (2.0,), 0), (lam, (2.0,), 0),
    (and_in_loop, (0.7,), 0), (loopcall, (np.ones(2),), 0),
]


@pytest.mark.parametrize("f,args,wrt", CASES, ids=[f"{c[0].__name__}-{i}"
                                                    for i, c in enumerate(CASES)])
def test_grad_matches_finite_differences(f, args, wrt):
    g = ast_ad.grad(f, wrt=wrt)(*args)
    np.testing.assert_allclose(g, fd_grad(f, args, wrt), rtol=1e-5, atol=1e-7)


def test_fast_path_dispatch_follows_types_and_keywords():
    def f(x, y=2.0, *, z=3.0):
        return x * y * z

    g = ast_ad.grad(f)
    assert g(1.0) == 6.0
    assert g(1.0) == 6.0  # second call takes the generated dispatcher
    assert g(1.0, z=5.0) == 10.0
    assert g(x=2.0, y=1.0) == 3.0
    assert type(g(2)) is float  # an int argument: new specialisation, float gradient
    np.testing.assert_allclose(ast_ad.grad(f, wrt="z")(1.0, y=2.0, z=5.0), 2.0)


def test_scalar_gradient_generated_code_is_minimal():
    def t0(x):
        return x * x

    src = ast_ad.source(ast_ad.grad(t0), 3.0)
    assert "seed(" not in src  # a float output needs no runtime check
    assert ast_ad.grad(t0)(3.0) == 6.0


def _apply(f, x):
    return f(x) * 2.0


def _sq(v):
    return v * v


def _loss_with(x, act):
    return np.sum(act(x) ** 2)


def test_function_passed_as_argument_is_resolved_per_identity():
    g = ast_ad.grad(_loss_with)
    x = np.array([0.5, -1.0])
    np.testing.assert_allclose(g(x, np.tanh), 2 * np.tanh(x) * (1 - np.tanh(x) ** 2))
    np.testing.assert_allclose(g(x, _sq), 4 * x**3)
    np.testing.assert_allclose(g(x, lambda v: v * 3.0), 18 * x)
    np.testing.assert_allclose(g(x, np.tanh), 2 * np.tanh(x) * (1 - np.tanh(x) ** 2))


def test_function_passed_to_a_helper():
    def outer(x):
        return _apply(np.sin, x) + _apply(_sq, x)

    assert ast_ad.grad(outer)(0.3) == pytest.approx(2 * np.cos(0.3) + 4 * 0.3)


@dataclasses.dataclass
class _Params:
    W: np.ndarray
    b: float
    name: str = "p"


def _dc_loss(p, x):
    return np.sum(np.tanh(x @ p.W) ** 2) + p.b * p.b


def test_dataclass_parameters_give_an_instance_of_gradients():
    p = _Params(np.array([[0.3, -0.2], [0.1, 0.5]]), 0.7)
    x = np.array([1.0, 2.0])
    g = ast_ad.grad(_dc_loss)(p, x)
    assert isinstance(g, _Params) and g.name is None and type(g.b) is float
    np.testing.assert_allclose(g.W, fd_grad(lambda W: _dc_loss(_Params(W, 0.7), x), (p.W,), 0),
                               rtol=1e-6)
    assert g.b == pytest.approx(1.4)


def test_dict_of_parameters_gives_a_dict_of_gradients():
    def f(d):
        return d["a"] * np.sum(d["w"] ** 2)

    g = ast_ad.grad(f)({"a": 2.0, "w": np.ones(2), "tag": "x"})
    assert g["tag"] is None and g["a"] == 2.0
    np.testing.assert_allclose(g["w"], [4.0, 4.0])


def test_loops_over_dict_items_and_values():
    def f(params):
        s = 0.0
        for k, v in params.items():
            s = s + np.sum(v**2)
        return s

    g = ast_ad.grad(f)({"a": np.ones(2), "b": 3.0})
    np.testing.assert_allclose(g["a"], [2.0, 2.0])
    assert g["b"] == 6.0

    def h(params):
        return sum([v * 2.0 for v in params.values()])

    assert ast_ad.grad(h)({"a": 1.0, "b": 3.0}) == {"a": 2.0, "b": 2.0}


def test_grad_of_the_same_function_is_the_same_object():
    def f(x):
        return x * x

    assert ast_ad.grad(f) is ast_ad.grad(f)
    assert ast_ad.grad(f, wrt=0) is not ast_ad.value_and_grad(f, wrt=0)


class _Model:
    def __init__(self):
        self.k = 3.0

    @ast_ad.grad
    def dloss(self, x):
        return self.k * x * x


def test_grad_decorating_a_method_binds_self():
    assert _Model().dloss(2.0) == 12.0


def test_outputs_that_are_not_numbers_are_errors():
    def s(x):
        return "a"

    def n(x):
        pass

    for f in (s, n):
        with pytest.raises(ast_ad.NonScalarOutputError):
            ast_ad.grad(f)(1.0)


class _Net:
    def __init__(self):
        self.W = np.array([[1.0, 2.0], [3.0, 4.0]])

    def act(self, z):
        return np.tanh(z)

    def loss(self, x):
        return np.sum(self.act(self.W @ x) ** 2)


def test_bound_method_calling_its_own_methods_all_modes():
    m = _Net()
    x = np.array([0.1, -0.2])
    g = ast_ad.grad(m.loss)(x)
    np.testing.assert_allclose(g, fd_grad(m.loss, (x,), 0), rtol=1e-6)
    _, back = ast_ad.vjp(m.loss, x)
    np.testing.assert_allclose(back(1.0), g, rtol=1e-12)
    H = ast_ad.hessian(m.loss)(x)
    gr = ast_ad.grad(m.loss)
    Hfd = fd_jacobian(gr, x, eps=1e-5)
    np.testing.assert_allclose(H, Hfd, rtol=1e-5, atol=1e-7)
