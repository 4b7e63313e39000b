"""The seed example: a gradient, its generated source, and a finite-difference check."""

import ast_ad


@ast_ad.grad(wrt=("x", "y"))
def df(x, y):
    return x**2 * y + y + 2


def f(x, y):
    return x**2 * y + y + 2


if __name__ == "__main__":
    gx, gy = df(3.0, 4.0)
    print("gradient at (3, 4):", (gx, gy))
    print()
    print("generated derivative:")
    print(ast_ad.source(df))
    eps = 1e-6
    fdx = (f(3.0 + eps, 4.0) - f(3.0 - eps, 4.0)) / (2 * eps)
    fdy = (f(3.0, 4.0 + eps) - f(3.0, 4.0 - eps)) / (2 * eps)
    print("central finite differences:", (round(fdx, 6), round(fdy, 6)))
    assert abs(gx - fdx) < 1e-5 and abs(gy - fdy) < 1e-5
    print("ast_ad and finite differences agree.")
