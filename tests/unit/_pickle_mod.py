"""Module-level functions for the pickling tests."""

import ast_ad


def f(x, y):
    return x**2*y + y + 2


@ast_ad.grad
def g(x):
    return x * x
