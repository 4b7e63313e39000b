"""Gradient descent on the seed function's cousin: minimise (x - 1)**2 * 4 + (y + 2)**2
(the seed f(x, y) = x**2*y + y + 2 has no minimum), with the gradient from ast_ad."""

import ast_ad


def bowl(x, y):
    return 4 * (x - 1) ** 2 + (y + 2) ** 2


def f(x, y):
    return x**2 * y + y + 2


def main():
    print("seed gradient at (3, 4):", ast_ad.grad(f, wrt=(0, 1))(3.0, 4.0))
    g = ast_ad.grad(bowl, wrt=(0, 1))
    x, y, lr = 5.0, 5.0, 0.1
    for _ in range(200):
        gx, gy = g(x, y)
        x, y = x - lr * gx, y - lr * gy
    print(f"minimum near ({x:.6f}, {y:.6f}), value {bowl(x, y):.2e}")
    assert abs(x - 1) < 1e-6 and abs(y + 2) < 1e-6


if __name__ == "__main__":
    main()
