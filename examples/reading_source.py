"""Reading generated source: what ast_ad writes for a function, and how to see it."""

import numpy as np

import ast_ad


def f(x, y):
    return x**2 * y + y + 2


def softplus_sum(x):
    return np.sum(np.log(1.0 + np.exp(x)))


def main():
    df = ast_ad.grad(f, wrt=(0, 1))
    print(ast_ad.source(df, 3.0, 4.0))      # the code that runs for two floats
    print(ast_ad.source(df))                # without arguments: it names its specialisation
    print(ast_ad.source(ast_ad.grad(softplus_sum), np.ones(3)))
    assert "bx = 2 * y * x" in ast_ad.source(df, 3.0, 4.0)


if __name__ == "__main__":
    main()
