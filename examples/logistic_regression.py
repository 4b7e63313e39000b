"""Logistic regression by gradient descent on synthetic data."""

import numpy as np

import ast_ad


def loss(w, b, X, y):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    eps = 1e-12
    return -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))


def main():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3))
    w_true = np.array([2.0, -1.0, 0.5])
    y = (X @ w_true + 0.3 > 0).astype(float)
    g = ast_ad.grad(loss, wrt=(0, 1))
    w, b = np.zeros(3), 0.0
    first = loss(w, b, X, y)
    for _ in range(300):
        gw, gb = g(w, b, X, y)
        w, b = w - 0.5 * gw, b - 0.5 * gb
    acc = np.mean(((X @ w + b) > 0) == (y > 0.5))
    print(f"loss {first:.3f} -> {loss(w, b, X, y):.3f}, accuracy {acc:.2%}")
    assert acc > 0.95


if __name__ == "__main__":
    main()
