"""Parameter sensitivity of an ODE solution: dy(T)/dk for y' = -k*y integrated by RK4
(exact: y(T) = y0 exp(-k T), so dy(T)/dk = -T y0 exp(-k T))."""

import math

import ast_ad


def final_value(k, y0, T, n):
    h = T / n
    y = y0
    for _ in range(n):
        k1 = -k * y
        k2 = -k * (y + 0.5 * h * k1)
        k3 = -k * (y + 0.5 * h * k2)
        k4 = -k * (y + h * k3)
        y = y + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    return y


def main():
    k, y0, T = 0.7, 2.0, 3.0
    dk = ast_ad.grad(final_value)(k, y0, T, 100)
    exact = -T * y0 * math.exp(-k * T)
    print(f"dy(T)/dk = {dk:.8f} (exact {exact:.8f})")
    assert abs(dk - exact) < 1e-6


if __name__ == "__main__":
    main()
