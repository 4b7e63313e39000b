"""``wrt`` into the differentiated function's own ``*args`` (JAX ``argnums`` semantics):
an index counts every positional argument of the call, the ``*args`` name means all of
them, as a tuple.  Checked against finite differences."""

import numpy as np
import pytest

import ast_ad
from ast_ad.errors import AstAdError

from ..fd import fd_grad


def poly(*xs):
    return xs[0] * xs[1] ** 2 + np.sum(xs[2] * xs[2])


def scaled(x, *rest, scale=1.5):
    total = 0.0
    for r in rest:
        total = total + np.sum(r * r)
    return scale * x * total


A = (0.7, -1.3, np.array([0.5, 2.0, -1.0]))


@pytest.mark.parametrize("k", [0, 1, 2, -1])
def test_an_index_into_args(k):
    got = ast_ad.grad(poly, k)(*A)
    want = fd_grad(poly, A, wrt=k % 3)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_the_args_name_means_all_of_them():
    got = ast_ad.grad(poly, "xs")(*A)
    want = fd_grad(poly, A, wrt=(0, 1, 2))
    assert isinstance(got, tuple) and len(got) == 3
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-6)


def test_named_and_gathered_together_with_a_keyword_only_parameter():
    args = (2.0, np.array([1.0, -0.5]), np.array([[0.3, 0.2]]))
    got = ast_ad.grad(scaled, (0, 2))(*args, scale=0.5)
    want = fd_grad(lambda x, a, b: scaled(x, a, b, scale=0.5), args, wrt=(0, 2))
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-6)
    value, g = ast_ad.value_and_grad(scaled, 1)(*args)
    assert value == pytest.approx(scaled(*args))
    np.testing.assert_allclose(g, fd_grad(scaled, args, wrt=1), rtol=1e-6)


def test_an_index_past_the_call_is_an_error():
    with pytest.raises(AstAdError, match="out of range"):
        ast_ad.grad(poly, 5)(*A)
