"""A differentiated value handed to a rule by keyword, alone or inside a tuple, either
reaches the rule's derivative slot or is refused: never silently dropped."""

import pytest

import ast_ad
from ast_ad.errors import AstAdError

REG = ast_ad.Registry(parent=ast_ad.default_registry)


def scaled(x, opts=None):
    return x * opts[0]


REG.defvjp(scaled, lambda g, ans, x, opts=None: g * opts[0])
REG.defjvp(scaled, lambda t, ans, x, opts=None: t * opts[0])


def through_keyword_tuple(x, k):
    return scaled(x, opts=(k,))


def test_a_tuple_keyword_holding_a_differentiated_value_is_refused_in_both_modes():
    with pytest.raises(AstAdError, match="keyword `opts`"):
        ast_ad.grad(through_keyword_tuple, wrt=(0, 1), registry=REG)(2.0, 3.0)
    with pytest.raises(AstAdError, match="keyword `opts`"):
        ast_ad.jvp(through_keyword_tuple, (2.0, 3.0), (0.0, 1.0), registry=REG)


def test_the_same_keyword_without_a_differentiated_value_is_fine():
    g = ast_ad.grad(through_keyword_tuple, wrt=0, registry=REG)
    assert g(2.0, 3.0) == pytest.approx(3.0)


# -- a user function with only a forward rule ------------------------------------------------
def triple_ish(x):
    return x * 2.0  # the user's rule below says 3: reverse mode must not use this source


REG.defjvp(triple_ish, lambda t, ans, x: t * 3.0)


def uses_triple(x):
    return triple_ish(x) + x


def test_a_forward_rule_alone_is_used_in_forward_mode_and_refused_in_reverse():
    assert ast_ad.jvp(uses_triple, (1.0,), (1.0,), registry=REG)[1] == pytest.approx(4.0)
    with pytest.raises(AstAdError, match="forward rule"):
        ast_ad.grad(uses_triple, registry=REG)(1.0)
