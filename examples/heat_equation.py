"""A heat-equation stencil (explicit Euler on a 1-D rod): the gradient of the final
temperature at the middle with respect to the initial temperatures."""

import numpy as np

import ast_ad


def middle_after(u0, alpha, steps):
    u = u0
    for _ in range(steps):
        lap = np.zeros_like(u)
        lap[1:-1] = u[:-2] - 2 * u[1:-1] + u[2:]
        u = u + alpha * lap
    return u[u.shape[0] // 2]


def main():
    u0 = np.sin(np.linspace(0, np.pi, 21))
    g = ast_ad.grad(middle_after)(u0, 0.2, 30)
    print("sensitivity to the initial profile:", np.round(g, 3))
    assert abs(np.sum(g) - 1.0) < 0.1 and np.argmax(g) == 10
    ast_ad.check_grad(middle_after, u0, 0.2, 30)


if __name__ == "__main__":
    main()
