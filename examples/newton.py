"""Newton's method with the Hessian: minimise the Rosenbrock function."""

import numpy as np

import ast_ad


def rosen(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def main():
    g, H = ast_ad.grad(rosen), ast_ad.hessian(rosen)
    p = np.array([-1.2, 1.0])
    for k in range(50):
        step = np.linalg.solve(H(p), g(p))
        p = p - step
        if np.linalg.norm(step) < 1e-12:
            break
    print(f"minimum {p} after {k + 1} Newton steps")
    assert np.allclose(p, [1.0, 1.0])


if __name__ == "__main__":
    main()
