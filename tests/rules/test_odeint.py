"""scipy.integrate.odeint through the transformer: reverse mode against finite differences
(y0, t, args), and the clear refusals (forward mode, second order, full_output)."""

import numpy as np
import pytest

import ast_ad

from ..fd import fd_directional

pytest.importorskip("scipy")
from scipy.integrate import odeint  # noqa: E402


def pendulum(y, t, damping, length):
    return [y[1], -9.81 / length * np.sin(y[0]) - damping * y[1]]


def lotka_volterra(y, t, a, b):
    return np.array([a * y[0] - b[0] * y[0] * y[1], -b[1] * y[1] + b[2] * y[0] * y[1]])


def pendulum_loss(y0, t, damping, length):
    ys = odeint(pendulum, y0, t, args=(damping, length), rtol=1e-11, atol=1e-11)
    return np.sum(ys[:, 0] ** 2) + np.sum(np.cos(ys[:, 1]))


def lv_loss(y0, t, a, b):
    ys = odeint(lotka_volterra, y0, t, (a, b), rtol=1e-11, atol=1e-11)
    return np.sum(np.log(ys))


def decay_loss(k):
    return odeint(lambda_free_decay, np.array([2.0]), np.array([0.0, 1.5]), args=(k,),
                  rtol=1e-11, atol=1e-11)[-1, 0]


def lambda_free_decay(y, t, k):
    return -k * y


CASES = [
    (pendulum_loss, (np.array([0.5, -0.3]), np.array([0.0, 0.4, 0.9, 1.7]), 0.2, 1.3)),
    (lv_loss, (np.array([1.0, 0.7]), np.linspace(0.0, 3.0, 6), 1.1,
               np.array([0.5, 0.9, 0.4]))),
]


@pytest.mark.parametrize("f,args", CASES, ids=["pendulum", "lotka_volterra"])
def test_grad_matches_finite_differences(f, args):
    grads = ast_ad.grad(f, wrt=(0, 1, 2, 3))(*args)
    rng = np.random.default_rng(5)
    for k, gk in enumerate(grads):
        v = rng.standard_normal(np.shape(args[k]))
        v = float(v) if isinstance(args[k], float) else v
        want = float(fd_directional(f, args, k, v, 1e-6, {}))
        assert abs(float(np.sum(gk * v)) - want) <= 1e-6 * (1 + abs(want)), k


def test_linear_decay_closed_form():
    # y(T) = y0 exp(-k T): d/dk = -T y0 exp(-k T)
    k = 0.8
    assert ast_ad.grad(decay_loss)(k) == pytest.approx(-1.5 * 2.0 * np.exp(-k * 1.5),
                                                      rel=1e-8)


def test_forward_mode_refuses():
    with pytest.raises(NotImplementedError, match="odeint in forward mode"):
        ast_ad.jvp(decay_loss, (0.8,), (1.0,))


def test_second_order_refuses():
    with pytest.raises(Exception, match="scipy.integrate.odeint"):
        ast_ad.grad(ast_ad.grad(decay_loss))(0.8)


def full_output_loss(k):
    ys, info = odeint(lambda_free_decay, np.array([2.0]), np.array([0.0, 1.0]), args=(k,),
                      full_output=True)
    return ys[-1, 0]


def test_full_output_refuses():
    with pytest.raises(Exception, match="full_output"):
        ast_ad.grad(full_output_loss)(0.8)
