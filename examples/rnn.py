"""A vanilla RNN: the gradient of a sequence loss through time (a loop over steps),
checked against finite differences."""

import numpy as np

import ast_ad


def loss(Wx, Wh, xs, target):
    h = np.zeros(Wh.shape[0])
    for t in range(xs.shape[0]):
        h = np.tanh(Wx @ xs[t] + Wh @ h)
    return np.sum((h - target) ** 2)


def main():
    rng = np.random.default_rng(2)
    Wx, Wh = 0.5 * rng.standard_normal((4, 3)), 0.5 * rng.standard_normal((4, 4))
    xs, target = rng.standard_normal((6, 3)), rng.standard_normal(4)
    gWx, gWh = ast_ad.grad(loss, wrt=(0, 1))(Wx, Wh, xs, target)
    print("dL/dWh =\n", np.round(gWh, 4))
    ast_ad.check_grad(loss, Wx, Wh, xs, target, wrt=(0, 1))
    print("check_grad: ok")


if __name__ == "__main__":
    main()
