"""Gradient objects pickle by module and qualified name; other cases say why not."""

import pickle

import pytest

import ast_ad
from tests.unit import _pickle_mod as M


def test_module_level_function():
    g = ast_ad.grad(M.f, wrt=(0, 1))
    h = pickle.loads(pickle.dumps(g))
    assert h(3.0, 4.0) == (24.0, 10.0)
    v = pickle.loads(pickle.dumps(ast_ad.value_and_grad(M.f)))
    assert v(3.0, 4.0) == (42.0, 24.0)


def test_decorated_module_function():
    h = pickle.loads(pickle.dumps(M.g))
    assert h(3.0) == 6.0


def test_local_function_is_a_clear_error():
    def local(x):
        return x * x

    with pytest.raises(pickle.PicklingError, match="module-level"):
        pickle.dumps(ast_ad.grad(local))
