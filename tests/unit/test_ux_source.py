"""``source`` tells the truth: which specialisation it shows, and the callees' code."""

import numpy as np

import ast_ad


def _sq(u):
    return u * u


def _f(x):
    return _sq(x) + x


def test_source_without_args_names_its_specialisation():
    src = ast_ad.source(ast_ad.grad(_f))
    assert src.splitlines()[0] == "def _f_grad(x):"
    assert "# specialised for x: float" in src.splitlines()[1]


def test_source_with_args_is_the_code_that_runs():
    g = ast_ad.grad(lambda x: np.sum(x * x))
    x = np.ones(3)
    src = ast_ad.source(g, x)
    assert "specialised" not in src and "fix_array" in src
    assert g.compiled_for((x,)).__code__.co_filename  # compiled from that very text


def test_source_shows_user_callees_split_code():
    src = ast_ad.source(ast_ad.grad(_f), 1.5)
    assert "def _sq_fwd(u):" in src and "def _sq_bwd(" in src
