"""A two-layer MLP with softmax cross-entropy, trained on three Gaussian blobs."""

import numpy as np

import ast_ad


def loss(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    z = z - np.max(z, axis=1, keepdims=True)
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.sum(Y * logp) / X.shape[0]


def main():
    rng = np.random.default_rng(1)
    centers = np.array([[0.0, 3.0], [3.0, -1.0], [-3.0, -1.0]])
    labels = rng.integers(0, 3, 300)
    X = centers[labels] + rng.standard_normal((300, 2))
    Y = np.eye(3)[labels]
    params = [0.5 * rng.standard_normal((2, 16)), np.zeros(16),
              0.5 * rng.standard_normal((16, 3)), np.zeros(3)]
    g = ast_ad.grad(loss, wrt=(0, 1, 2, 3))
    start = loss(*params, X, Y)
    for _ in range(200):
        grads = g(*params, X, Y)
        params = [p - 0.5 * q for p, q in zip(params, grads)]
    W1, b1, W2, b2 = params
    acc = np.mean(np.argmax(np.tanh(X @ W1 + b1) @ W2 + b2, axis=1) == labels)
    print(f"cross-entropy {start:.3f} -> {loss(*params, X, Y):.3f}, accuracy {acc:.2%}")
    assert acc > 0.9


if __name__ == "__main__":
    main()
