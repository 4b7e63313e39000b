"""Forward mode treats library callees as reverse mode does: their rule (a forward rule,
or one derived from a reverse rule), or a NoRuleError at the user's line; their source is
never parsed (``statistics.fmean`` has a ``nonlocal`` the fence would name in
statistics.py)."""

import statistics

import numpy as np
import pytest

import ast_ad
from ast_ad.rules.registry import Registry, default_registry
from tests.fd import fd_derivative


def mean_times(x):
    return statistics.fmean([x, 2.0 * x]) * x  # 1.5 x**2


LINE = mean_times.__code__.co_firstlineno + 1


def _square(x):
    return x * x


def user_helper(x):
    return _square(x) * np.sin(x)


@pytest.mark.parametrize("how", ["jvp", "derivative", "grad"])
def test_library_callee_without_rule_is_refused_at_the_users_line(how):
    call = {"jvp": lambda: ast_ad.jvp(mean_times, (2.0,), (1.0,)),
            "derivative": lambda: ast_ad.derivative(mean_times)(2.0),
            "grad": lambda: ast_ad.grad(mean_times)(2.0)}[how]
    with pytest.raises(ast_ad.NoRuleError, match="fmean.*library code") as ei:
        call()
    assert (ei.value.filename, ei.value.lineno) == (__file__, LINE)
    assert "statistics.py" not in str(ei.value)


def test_a_forward_rule_for_the_library_function_is_used():
    reg = Registry(parent=default_registry)
    reg.defjvp(statistics.fmean, lambda t, ans, data: sum(t) / len(t))
    value, tangent = ast_ad.jvp(mean_times, (2.0,), (1.0,), registry=reg)
    assert value == pytest.approx(6.0) and tangent == pytest.approx(6.0)  # 3x
    assert tangent == pytest.approx(fd_derivative(mean_times, 2.0), rel=1e-7)


def test_a_reverse_rule_serves_both_modes():
    reg = Registry(parent=default_registry)
    reg.defvjp(statistics.fmean, lambda g, ans, data: [g / len(data)] * len(data))
    assert ast_ad.grad(mean_times, registry=reg)(2.0) == pytest.approx(6.0)
    assert ast_ad.jvp(mean_times, (2.0,), (1.0,), registry=reg)[1] == pytest.approx(6.0)


def test_user_callees_are_still_differentiated_in_forward_mode():
    x = 0.7
    want = 2 * x * np.sin(x) + x * x * np.cos(x)
    assert ast_ad.jvp(user_helper, (x,), (1.0,))[1] == pytest.approx(want, rel=1e-12)
    assert ast_ad.derivative(user_helper)(x) == pytest.approx(want, rel=1e-12)
